"""Numba-compiled BN254 kernels: fields, curves, MSM and NTT over limb arrays.

Importing this package points numba's on-disk cache at ``$NUMBA_CACHE_DIR`` (default
``~/.cache/zkclear/numba``) before any kernel is defined, and arranges for numba's BLAS probe to
be answered before it runs (:mod:`prover.kernels.blas_probe`); kernels compile lazily on first
call. LLVM's assembler
parser is registered here, as kernels with inline assembly (:mod:`prover.kernels.mont_adx`) need
it when they compile. Cached kernels load without numba's registry refresh
(:mod:`prover.kernels.cache_load`).
"""

import llvmlite.binding as llvm

from prover.kernels.blas_probe import skip_blas_probe_before_registries
from prover.kernels.cache import configure_cache_dir
from prover.kernels.cache_load import load_cached_kernels_directly

llvm.initialize_native_asmparser()
configure_cache_dir()
skip_blas_probe_before_registries()
load_cached_kernels_directly()
