"""Numba-compiled BN254 kernels: fields, curves, MSM and NTT over limb arrays.

Importing this package points numba's on-disk cache at ``$NUMBA_CACHE_DIR`` (default
``~/.cache/zkclear/numba``) before any kernel is defined, and answers numba's BLAS probe ahead
of time (:mod:`prover.kernels.blas_probe`); kernels compile lazily on first call.
"""

from prover.kernels.blas_probe import skip_blas_probe
from prover.kernels.cache import configure_cache_dir

configure_cache_dir()
skip_blas_probe()
