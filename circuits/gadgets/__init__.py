"""Circuit gadgets, each beside a native plain-integer reference: bits and ranges, comparators,
fixed-point arithmetic, Poseidon, Merkle paths, Baby Jubjub and EdDSA-Poseidon, SHA-256."""
