"""numba's type of a numpy array without importing ``numpy.ma``: 10 ms of a process's first kernel call.

The first call of each compiled function types its arguments in Python; for an array numba first
rules out a masked array with ``isinstance(val, np.ma.MaskedArray)``, and that attribute imports
``numpy.ma`` (10 ms). While ``numpy.ma`` is not loaded no masked array can exist, so the check is
skipped and the type built as numba builds it (dtype, dimensions, layout, writability; the same
type for every array, tested); once it is loaded, or for a dtype numba lacks, numba's own function
answers.
"""

from __future__ import annotations

import sys

import numpy as np
from numba.core import errors, types
from numba.core.typing.typeof import typeof_impl
from numba.np import numpy_support

_numba_typeof_ndarray = typeof_impl.dispatch(np.ndarray)


def typeof_array(val: np.ndarray, c) -> types.Array:
    """numba's array type of ``val``, without ``numpy.ma`` while it is not loaded."""
    if "numpy.ma" in sys.modules:
        return _numba_typeof_ndarray(val, c)
    try:
        dtype = numpy_support.from_dtype(val.dtype)
    except errors.NumbaNotImplementedError:
        return _numba_typeof_ndarray(val, c)
    return types.Array(dtype, val.ndim, numpy_support.map_layout(val), readonly=not val.flags.writeable)


def install() -> None:
    """Type plain arrays with :func:`typeof_array` (idempotent)."""
    typeof_impl.register(np.ndarray)(typeof_array)
