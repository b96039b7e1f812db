"""Compiled EdDSA-Poseidon verification for order intake: numba kernels over Baby Jubjub and
Poseidon, batched and run on the kernel thread pool (verify_many, check_signatures)."""
