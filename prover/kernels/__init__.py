"""Numba-compiled BN254 kernels: fields, curves, MSM and NTT over limb arrays.

Importing this package points numba's on-disk cache at ``$NUMBA_CACHE_DIR`` (default
``~/.cache/zkclear/numba``) before any kernel is defined; kernels compile lazily on first call.
"""

from prover.kernels.cache import configure_cache_dir

configure_cache_dir()
