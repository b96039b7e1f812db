"""Fq, Fq2 and Fr of BN254 in Montgomery form, as numba intrinsics over limb tuples.

An Fq or Fr element is a ``UniTuple(uint64, 4)`` (little-endian, always fully reduced, so limb
equality is field equality); an Fq2 element is a pair of Fq elements. The ``f_*`` operations
serve both Fq and Fq2, chosen from the argument's type, so curve and MSM code is written once
for G1 and G2; Fr shares Fq's type and so has its own ``fr_*`` names. Each call expands inline
into the caller's IR (see :mod:`prover.kernels.arith`).
"""

from __future__ import annotations

import numpy as np
from numba import njit, types
from numba.core.extending import intrinsic, overload

from circuits.field import FR
from prover.bn254 import FQ
from prover.kernels.arith import (
    const_limbs,
    emit_add,
    emit_eq,
    emit_is_zero,
    emit_mont_mul,
    emit_neg,
    emit_reduce,
    emit_sub,
    limbs_of,
)
from prover.kernels.fq2 import emit_fq2_add, emit_fq2_mul, emit_fq2_neg, emit_fq2_sqr, emit_fq2_sub

FQ_T = types.UniTuple(types.uint64, 4)
FQ2_T = types.UniTuple(FQ_T, 2)

_R = 1 << 256


def limb_tuple(value: int) -> tuple[np.uint64, ...]:
    """A Python int < 2^256 as a tuple of four uint64 limbs (a numba compile-time constant)."""
    return tuple(np.uint64(v) for v in limbs_of(value))


FQ_ONE = limb_tuple(_R % FQ)  # 1 in Montgomery form
FQ_R2 = limb_tuple(_R * _R % FQ)  # mont_mul(x, R²) = x·R: into Montgomery form
FR_ONE = limb_tuple(_R % FR)
FR_R2 = limb_tuple(_R * _R % FR)
PLAIN_ONE = limb_tuple(1)  # mont_mul(x, 1) = x/R: out of Montgomery form
_FQ_EXP_INV = limb_tuple(FQ - 2)
_FR_EXP_INV = limb_tuple(FR - 2)


# packing between numba tuples and IR limb lists -----------------------------------------------


def _unpack(builder, ty, value):
    if ty == FQ_T:
        return [builder.extract_value(value, i) for i in range(4)]
    return [_unpack(builder, FQ_T, builder.extract_value(value, k)) for k in range(2)]


def _pack(context, builder, ty, element):
    if ty == FQ_T:
        return context.make_tuple(builder, ty, element)
    return context.make_tuple(builder, ty, [_pack(context, builder, FQ_T, part) for part in element])


def _kind(*tys) -> types.Type | None:
    """The shared element type of the arguments when it is Fq or Fq2, else None (no match)."""
    first = tys[0]
    if first in (FQ_T, FQ2_T) and all(t == first for t in tys):
        return first
    return None


def _binary(fq_emit, fq2_emit):
    """A two-argument intrinsic emitting ``fq_emit`` for Fq and ``fq2_emit`` for Fq2 operands."""

    def typer(typingctx, a, b):
        ty = _kind(a, b)
        if ty is None:
            return None
        emit = fq_emit if ty == FQ_T else fq2_emit

        def codegen(context, builder, sig, args):
            x, y = (_unpack(builder, ty, v) for v in args)
            return _pack(context, builder, ty, emit(builder, x, y))

        return ty(ty, ty), codegen

    return typer


def _unary(fq_emit, fq2_emit):
    def typer(typingctx, a):
        ty = _kind(a)
        if ty is None:
            return None
        emit = fq_emit if ty == FQ_T else fq2_emit

        def codegen(context, builder, sig, args):
            return _pack(context, builder, ty, emit(builder, _unpack(builder, ty, args[0])))

        return ty(ty), codegen

    return typer


def _fq_mul(builder, a, b):
    return emit_mont_mul(builder, a, b, FQ)


f_add = intrinsic(_binary(lambda b, x, y: emit_add(b, x, y, FQ), emit_fq2_add))
f_sub = intrinsic(_binary(lambda b, x, y: emit_sub(b, x, y, FQ), emit_fq2_sub))
f_mul = intrinsic(_binary(_fq_mul, emit_fq2_mul))
f_sqr = intrinsic(_unary(lambda b, x: _fq_mul(b, x, x), emit_fq2_sqr))
f_neg = intrinsic(_unary(lambda b, x: emit_neg(b, x, FQ), emit_fq2_neg))


def _flat(element: list) -> list:
    return element if not isinstance(element[0], list) else element[0] + element[1]


@intrinsic
def f_is_zero(typingctx, a):
    """x == 0 in Fq or Fq2."""
    ty = _kind(a)
    if ty is None:
        return None

    def codegen(context, builder, sig, args):
        return emit_is_zero(builder, _flat(_unpack(builder, ty, args[0])))

    return types.boolean(ty), codegen


@intrinsic
def f_eq(typingctx, a, b):
    """x == y in Fq or Fq2 (elements are fully reduced)."""
    ty = _kind(a, b)
    if ty is None:
        return None

    def codegen(context, builder, sig, args):
        x, y = (_flat(_unpack(builder, ty, v)) for v in args)
        return emit_eq(builder, x, y)

    return types.boolean(ty, ty), codegen


def _constant_like(fq_value: int, fq2_value: tuple[int, int]):
    def typer(typingctx, a):
        ty = _kind(a)
        if ty is None:
            return None

        def codegen(context, builder, sig, args):
            element = const_limbs(fq_value) if ty == FQ_T else [const_limbs(v) for v in fq2_value]
            return _pack(context, builder, ty, element)

        return ty(ty), codegen

    return typer


f_one_like = intrinsic(_constant_like(_R % FQ, (_R % FQ, 0)))
f_zero_like = intrinsic(_constant_like(0, (0, 0)))


# Fr ------------------------------------------------------------------------------------------


def _fr_binary(emit):
    def typer(typingctx, a, b):
        if not (a == FQ_T and b == FQ_T):
            return None

        def codegen(context, builder, sig, args):
            x, y = (_unpack(builder, FQ_T, v) for v in args)
            return _pack(context, builder, FQ_T, emit(builder, x, y, FR))

        return FQ_T(FQ_T, FQ_T), codegen

    return typer


fr_add = intrinsic(_fr_binary(emit_add))
fr_sub = intrinsic(_fr_binary(emit_sub))
fr_mul = intrinsic(_fr_binary(emit_mont_mul))


@intrinsic
def reduce_mod_r(typingctx, a):
    """A 256-bit integer (4 limbs) modulo r; 2^256 < 6r, so five conditional subtractions."""
    if a != FQ_T:
        return None

    def codegen(context, builder, sig, args):
        return _pack(context, builder, FQ_T, emit_reduce(builder, _unpack(builder, FQ_T, args[0]), FR, 5))

    return FQ_T(FQ_T), codegen


# inversion -----------------------------------------------------------------------------------


@njit(cache=True)
def fq_pow(a, exponent):
    """a^exponent in Fq (Montgomery form), exponent a tuple of four limbs."""
    acc = FQ_ONE
    for limb_index in range(3, -1, -1):
        limb = exponent[limb_index]
        for bit in range(63, -1, -1):
            acc = f_sqr(acc)
            if (limb >> np.uint64(bit)) & np.uint64(1):
                acc = f_mul(acc, a)
    return acc


@njit(cache=True)
def fr_pow(a, exponent):
    """a^exponent in Fr (Montgomery form)."""
    acc = FR_ONE
    for limb_index in range(3, -1, -1):
        limb = exponent[limb_index]
        for bit in range(63, -1, -1):
            acc = fr_mul(acc, acc)
            if (limb >> np.uint64(bit)) & np.uint64(1):
                acc = fr_mul(acc, a)
    return acc


@njit(cache=True)
def fq_inv(a):
    """1/a in Fq by Fermat (a^(q-2)); 0 maps to 0."""
    return fq_pow(a, _FQ_EXP_INV)


@njit(cache=True)
def fr_inv(a):
    """1/a in Fr by Fermat; 0 maps to 0."""
    return fr_pow(a, _FR_EXP_INV)


def f_norm(a):
    """The Fq element whose inverse yields a's: a itself in Fq, a·ā = a0² + a1² in Fq2; numba only."""
    raise NotImplementedError("compiled code only")


def f_inv_from_norm(a, norm_inv):
    """1/a given norm_inv = 1/f_norm(a) (an Fq element): norm_inv in Fq, ā·norm_inv in Fq2; numba only."""
    raise NotImplementedError("compiled code only")


@overload(f_norm)
def _f_norm(a):
    if a == FQ_T:
        return lambda a: a
    if a == FQ2_T:
        return lambda a: f_add(f_sqr(a[0]), f_sqr(a[1]))
    return None


@overload(f_inv_from_norm)
def _f_inv_from_norm(a, norm_inv):
    if norm_inv != FQ_T:
        return None
    if a == FQ_T:
        return lambda a, norm_inv: norm_inv
    if a == FQ2_T:
        return lambda a, norm_inv: (f_mul(a[0], norm_inv), f_neg(f_mul(a[1], norm_inv)))
    return None


@njit(cache=True)
def fq2_inv(a):
    """1/(a0 + a1·u) = (a0 - a1·u)/(a0² + a1²); 0 maps to 0."""
    return f_inv_from_norm(a, fq_inv(f_norm(a)))


def f_inv(a):
    """1/x in Fq or Fq2 (0 maps to 0); numba only."""
    raise NotImplementedError("compiled code only")


@overload(f_inv)
def _f_inv(a):
    if a == FQ_T:
        return lambda a: fq_inv(a)
    if a == FQ2_T:
        return lambda a: fq2_inv(a)
    return None


# limb rows of an (n, 4) array ----------------------------------------------------------------


@njit(cache=True)
def load4(arr, i):
    return (arr[i, 0], arr[i, 1], arr[i, 2], arr[i, 3])


@njit(cache=True)
def store4(arr, i, v):
    arr[i, 0] = v[0]
    arr[i, 1] = v[1]
    arr[i, 2] = v[2]
    arr[i, 3] = v[3]
