"""Dot products over Fr with one Montgomery reduction: products are summed unreduced in nine
64-bit limbs and reduced once, which halves the multiplications of Poseidon's matrix rows (a
4-limb product is 16 multiplications, its Montgomery reduction 16 more).

For at most 17 terms below r the sum stays below 17·r² < 2^513 (nine limbs), and its reduction
(sum + m·r)/2^256 below 17·r²/2^256 + r < 5r, so four conditional subtractions finish it.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import types
from numba.core.extending import intrinsic

from circuits.field import FR
from prover.kernels.arith import I64, const_limbs, emit_mac, emit_reduce
from prover.kernels.fields import FQ_T

WIDE_LIMBS = 9
WIDE_T = types.UniTuple(types.uint64, WIDE_LIMBS)
WIDE_ZERO = tuple(np.uint64(0) for _ in range(WIDE_LIMBS))
MAX_TERMS = 17


def _join(builder: ir.IRBuilder, limbs: list) -> ir.Value:
    wide = ir.IntType(64 * len(limbs))
    acc = builder.zext(limbs[-1], wide)
    for limb in reversed(limbs[:-1]):
        acc = builder.or_(builder.shl(acc, ir.Constant(wide, 64)), builder.zext(limb, wide))
    return acc


def _split(builder: ir.IRBuilder, value: ir.Value, count: int) -> list:
    wide = value.type
    return [builder.trunc(builder.lshr(value, ir.Constant(wide, 64 * i)), I64) for i in range(count)]


def _add_into(builder: ir.IRBuilder, limbs: list, addend: ir.Value) -> list:
    """limbs (as one integer) + addend (an integer no wider), modulo 2^(64·len(limbs))."""
    total = _join(builder, limbs)
    return _split(builder, builder.add(total, builder.zext(addend, total.type)), len(limbs))


def _unpack(builder, value, count):
    return [builder.extract_value(value, i) for i in range(count)]


@intrinsic
def wide_mac(typingctx, acc, a, b):
    """acc + a·b, unreduced (acc nine limbs, a and b Fr elements)."""
    if not (acc == WIDE_T and a == FQ_T and b == FQ_T):
        return None

    def codegen(context, builder, sig, args):
        total = _unpack(builder, args[0], WIDE_LIMBS)
        x, y = _unpack(builder, args[1], 4), _unpack(builder, args[2], 4)
        zero = ir.Constant(I64, 0)
        product = [zero] * 8
        for i in range(4):
            carry = zero
            for j in range(4):
                product[i + j], carry = emit_mac(builder, product[i + j], x[j], y[i], carry)
            product[i + 4] = carry
        return context.make_tuple(builder, WIDE_T, _add_into(builder, total, _join(builder, product)))

    return WIDE_T(WIDE_T, FQ_T, FQ_T), codegen


@intrinsic
def wide_reduce(typingctx, acc):
    """acc·2^-256 mod r, fully reduced (acc a sum of at most 17 products of elements below r)."""
    if acc != WIDE_T:
        return None

    def codegen(context, builder, sig, args):
        t = _unpack(builder, args[0], WIDE_LIMBS)
        p = const_limbs(FR)
        inv = ir.Constant(I64, (-pow(FR, -1, 1 << 64)) % (1 << 64))
        zero = ir.Constant(I64, 0)
        for i in range(4):
            m = builder.mul(t[i], inv)
            carry = zero
            for j in range(4):
                t[i + j], carry = emit_mac(builder, t[i + j], m, p[j], carry)
            t[i + 4 :] = _add_into(builder, t[i + 4 :], carry)
        return context.make_tuple(builder, FQ_T, emit_reduce(builder, t[4:8], FR, 4))

    return FQ_T(WIDE_T), codegen
