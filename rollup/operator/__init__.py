"""The operator around the matching engine: checks, durable store, batching, the prover pipeline."""
