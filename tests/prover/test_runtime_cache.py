"""numba's runtime from object code saved in the kernel cache: kernels compute the same after it is
saved, after it is loaded, and a missing, damaged or foreign file is compiled and saved afresh."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from prover import bn254
from prover.backends import get_backend
from prover.kernels import runtime_cache

ROOT = Path(__file__).resolve().parents[2]

# A fresh process: initialise the runtime from FOLDER, then run cached kernels (an MSM and the
# on-curve check) and print how the runtime was set up and what they computed.
SCRIPT = """
import sys
import prover.kernels
from numba.core.registry import cpu_target
from prover.kernels.runtime_cache import initialize_runtime
how = initialize_runtime(cpu_target.target_context, sys.argv[1])
from prover import bn254
from prover.backends.fast import FastBackend
from prover.kernels.checks import first_off_curve
points = bn254.g1_to_array([bn254.G1_GENERATOR, bn254.G1_GENERATOR, None, bn254.G1_GENERATOR])
print(how)
print(FastBackend().msm_g1(points, bn254.ints_to_limbs([3, 1, 0, 5])))
points[3, 1, 0] ^= 1
print(first_off_curve(points))
"""


def run_fresh(folder: Path) -> tuple[str, str, str]:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(folder)], cwd=ROOT, capture_output=True, text=True, check=True
    )
    how, msm, off_curve = out.stdout.split("\n")[:3]
    return how, msm, off_curve


@pytest.fixture(scope="module")
def expected(kernels_in_cache) -> tuple[str, str]:
    points = bn254.g1_to_array([bn254.G1_GENERATOR, bn254.G1_GENERATOR, None, bn254.G1_GENERATOR])
    return str(get_backend("reference").msm_g1(points, bn254.ints_to_limbs([3, 1, 0, 5]))), "3"


def saved_file(folder: Path) -> Path:
    (found,) = folder.glob("nrt-*.bin")
    return found


def test_saved_then_loaded_runtime_computes_the_same(tmp_path, expected):
    assert run_fresh(tmp_path) == ("saved", *expected)
    saved = saved_file(tmp_path).read_bytes()
    assert run_fresh(tmp_path) == ("loaded", *expected)
    assert saved_file(tmp_path).read_bytes() == saved  # loading leaves the file as it was


@pytest.mark.parametrize("damage", ["flipped byte", "truncated", "empty"])
def test_damaged_file_is_compiled_and_saved_afresh(tmp_path, expected, damage):
    run_fresh(tmp_path)
    path = saved_file(tmp_path)
    good = path.read_bytes()
    data = bytearray(good)
    if damage == "flipped byte":
        data[len(data) // 2] ^= 0x40
    elif damage == "truncated":
        del data[-100:]
    else:
        data.clear()
    path.write_bytes(bytes(data))
    assert run_fresh(tmp_path) == ("saved", *expected)
    assert path.read_bytes() == good


def test_a_file_for_another_target_or_numba_is_refused():
    saved = runtime_cache._encode(b"numba 0.1, some cpu", b"\x7fELF object", b"BC bitcode")
    assert runtime_cache._decode(saved, b"numba 0.1, some cpu") == (b"\x7fELF object", b"BC bitcode")
    assert runtime_cache._decode(saved, b"numba 0.2, some cpu") is None
    assert runtime_cache._decode(saved[:-1], b"numba 0.1, some cpu") is None
