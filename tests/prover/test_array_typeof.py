"""Arrays typed without numpy.ma get exactly numba's types, and a first kernel call leaves numpy.ma
unloaded."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from prover.kernels.array_typeof import _numba_typeof_ndarray, typeof_array

ROOT = Path(__file__).resolve().parents[2]


def arrays() -> list[np.ndarray]:
    base = np.arange(24, dtype=np.uint64).reshape(2, 3, 4)
    readonly = base.copy()
    readonly.flags.writeable = False
    return [
        base,
        base[:, :, ::2],  # neither C nor F contiguous
        np.asfortranarray(base),
        readonly,
        base.reshape(-1),
        np.zeros((0, 4), np.uint64),
        np.zeros(3, np.uint32),
        np.ones((2, 2), np.float64),
        np.zeros(2, dtype=[("matrix", "<u4"), ("value", "<u8", (4,))]),
        np.zeros((), np.int64),
        np.array([object()]),
        np.zeros(2, np.complex128),
    ]


@pytest.mark.parametrize("array", arrays(), ids=lambda a: f"{a.dtype}-{a.shape}-{a.flags.c_contiguous}")
def test_same_type_as_numba(array, monkeypatch):
    expected = _numba_typeof_ndarray(array, None)
    monkeypatch.delitem(sys.modules, "numpy.ma", raising=False)  # the path taken before numpy.ma loads
    assert typeof_array(array, None) == expected


def test_first_kernel_call_leaves_numpy_ma_out(kernels_in_cache):
    script = (
        "import sys; import numpy as np; from prover.kernels.checks import first_off_curve; "
        "first_off_curve(np.zeros((2, 2, 4), np.uint64)); print('numpy.ma' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
