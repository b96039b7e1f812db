"""Cached kernels load without parsing their bitcode: the symbol names read from the machine code
are those the bitcode defines, and a kernel loaded so still links into a function compiled later."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import llvmlite.binding as llvm
import pytest

from prover.kernels.lazy_bitcode import elf_defined_symbols
from prover.kernels.msm import store_window_sum
from prover.kernels.ntt import scale_all

ROOT = Path(__file__).resolve().parents[2]


def cached_library_data(kernel) -> tuple[bytes, bytes]:
    """(object code, bitcode) of one cached variant of ``kernel``, as numba saved it."""
    cache_file = kernel._cache._cache_file
    keys = list(cache_file._load_index())
    _, kind, data = cache_file.load(keys[0])[0]
    assert kind == "object"
    return data


@pytest.mark.parametrize("kernel", [scale_all, store_window_sum], ids=["scale_all", "store_window_sum"])
def test_machine_code_names_the_symbols_the_bitcode_defines(kernel, kernels_in_cache):
    object_code, bitcode = cached_library_data(kernel)
    module = llvm.parse_bitcode(bitcode)
    values = [*module.functions, *module.global_variables]
    defined = {value.name for value in values if not value.is_declaration}
    assert elf_defined_symbols(object_code) == defined


def test_anything_but_a_whole_elf_object_is_refused(kernels_in_cache):
    object_code, _ = cached_library_data(scale_all)
    assert elf_defined_symbols(b"\xcf\xfa\xed\xfe" + object_code[4:]) is None  # Mach-O magic
    assert elf_defined_symbols(object_code[:200]) is None
    assert elf_defined_symbols(b"") is None


# A fresh process: run a cached kernel (loaded lazily, with its callee), then compile a new
# function that calls that callee, which links the callee's bitcode.
SCRIPT = """
import numpy as np
from numba import njit
from prover.bn254 import FQ
from prover.kernels.checks import _coordinates_below_q, _first_off_curve_in
from prover.kernels.lazy_bitcode import LazyBitcodeLibrary
from prover.kernels.fields import limb_tuple
points = np.zeros((1, 2, 4), np.uint64)
print(_first_off_curve_in(points, limb_tuple(3), 0, 1))
row = points[0].reshape(-1)
_coordinates_below_q(row)
(library,) = [cres.library for cres in _coordinates_below_q.overloads.values()]
print(type(library) is LazyBitcodeLibrary, library._pending_bitcode is not None)

@njit
def below_q(row):
    return _coordinates_below_q(row)

q_row = np.array(list(limb_tuple(FQ)) * 2, np.uint64)
print(below_q(row), below_q(q_row), library._pending_bitcode is None)
"""


def test_lazily_loaded_kernel_links_into_a_new_function(kernels_in_cache):
    out = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["-1", "True", "True", "True", "False", "True"]
