"""IR for Fq2 = Fq[u]/(u² + 1), the field of G2 coordinates; an element is a pair of Fq limb lists."""

from __future__ import annotations

from llvmlite import ir

from prover.bn254 import FQ
from prover.kernels.arith import emit_add, emit_mont_mul, emit_neg, emit_sub


def emit_fq2_add(builder: ir.IRBuilder, a: list, b: list) -> list:
    return [emit_add(builder, a[k], b[k], FQ) for k in range(2)]


def emit_fq2_sub(builder: ir.IRBuilder, a: list, b: list) -> list:
    return [emit_sub(builder, a[k], b[k], FQ) for k in range(2)]


def emit_fq2_neg(builder: ir.IRBuilder, a: list) -> list:
    return [emit_neg(builder, a[k], FQ) for k in range(2)]


def emit_fq2_mul(builder: ir.IRBuilder, a: list, b: list) -> list:
    """Karatsuba: (a0b0 - a1b1) + ((a0 + a1)(b0 + b1) - a0b0 - a1b1)·u, three Fq products."""
    v0 = emit_mont_mul(builder, a[0], b[0], FQ)
    v1 = emit_mont_mul(builder, a[1], b[1], FQ)
    cross = emit_mont_mul(builder, emit_add(builder, a[0], a[1], FQ), emit_add(builder, b[0], b[1], FQ), FQ)
    return [emit_sub(builder, v0, v1, FQ), emit_sub(builder, emit_sub(builder, cross, v0, FQ), v1, FQ)]


def emit_fq2_sqr(builder: ir.IRBuilder, a: list) -> list:
    """(a0 + a1)(a0 - a1) + 2·a0·a1·u, two Fq products."""
    real = emit_mont_mul(builder, emit_add(builder, a[0], a[1], FQ), emit_sub(builder, a[0], a[1], FQ), FQ)
    prod = emit_mont_mul(builder, a[0], a[1], FQ)
    return [real, emit_add(builder, prod, prod, FQ)]
