"""Both Montgomery multiplications, the portable IR and the BMI2/ADX assembly, against Python ints.

The fast backend compiles one of them (by the CPU); this file compiles each explicitly, so the
one not in use stays checked too: edges 0, 1, p-1, R mod p, random values, and several products
in one function (the assembly's operand slots are shared by a function's multiplications).
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from numba import njit
from numba.core import config
from numba.core.extending import intrinsic

from circuits.field import FR
from prover.bn254 import FQ, ints_to_limbs, limbs_to_ints
from prover.kernels import mont_adx
from prover.kernels.arith import emit_mont_mul_portable
from prover.kernels.fields import FQ_T, _pack, _unpack, load4, store4

R = 1 << 256
EMITTERS = {
    "portable": emit_mont_mul_portable,
    "adx": mont_adx.emit_mont_mul_adx,
}


def _kernel(emit, modulus: int):
    """A compiled kernel: out[i] = (a_i·b_i·R⁻¹)·a_i·R⁻¹ and prod[i] = a_i·b_i·R⁻¹, by ``emit``."""

    @intrinsic
    def mul(typingctx, a, b):
        def codegen(context, builder, sig, args):
            x, y = (_unpack(builder, FQ_T, v) for v in args)
            return _pack(context, builder, FQ_T, emit(builder, x, y, modulus))

        return FQ_T(FQ_T, FQ_T), codegen

    @njit
    def apply(a, b, prod, out):
        for i in range(a.shape[0]):
            x = load4(a, i)
            p = mul(x, load4(b, i))
            store4(prod, i, p)
            # a branch between uses of the function's shared operand slot
            p = mul(p, x) if p[0] & np.uint64(1) else mul(x, p)
            store4(out, i, p)

    return apply


def _operands(modulus: int) -> tuple[list[int], list[int]]:
    rng = random.Random(modulus)
    edges = [0, 1, 2, modulus - 1, modulus - 2, R % modulus, (R - 1) % modulus, modulus // 2]
    xs = [x for x in edges for _ in edges] + [rng.randrange(modulus) for _ in range(300)]
    ys = [y for _ in edges for y in edges] + [rng.randrange(modulus) for _ in range(300)]
    return xs, ys


@pytest.mark.parametrize("modulus", [FQ, FR], ids=["fq", "fr"])
@pytest.mark.parametrize("flavour", sorted(EMITTERS))
def test_montgomery_product_matches_integers(flavour, modulus):
    if flavour == "adx" and not mont_adx.available():
        pytest.skip("this CPU (or NUMBA_CPU_NAME) has no BMI2/ADX")
    xs, ys = _operands(modulus)
    a, b = ints_to_limbs(xs), ints_to_limbs(ys)
    prod, out = np.zeros_like(a), np.zeros_like(a)
    _kernel(EMITTERS[flavour], modulus)(a, b, prod, out)
    r_inv = pow(R, -1, modulus)
    expected = [x * y * r_inv % modulus for x, y in zip(xs, ys, strict=True)]
    assert limbs_to_ints(prod) == expected  # fully reduced, not merely congruent
    assert limbs_to_ints(out) == [p * x * r_inv % modulus for p, x in zip(expected, xs, strict=True)]


def test_assembly_is_used_exactly_where_the_cpu_has_bmi2_and_adx(monkeypatch):
    import llvmlite.binding as llvm

    mont_adx.available.cache_clear()
    monkeypatch.setattr(llvm, "get_host_cpu_features", lambda: {"bmi2": True, "adx": False})
    assert not mont_adx.available()
    mont_adx.available.cache_clear()
    monkeypatch.setattr(llvm, "get_host_cpu_features", lambda: {"bmi2": True, "adx": True})
    host_compiled_x86 = llvm.get_process_triple().startswith("x86_64") and config.CPU_NAME is None
    assert mont_adx.available() == host_compiled_x86
    mont_adx.available.cache_clear()
