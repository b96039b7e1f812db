"""LLVM IR for 256-bit modular arithmetic on four 64-bit limbs.

numba has no 128-bit integers and does not reliably inline small jitted functions into their
callers, so the field operations are emitted straight into the caller's IR: 64x64->128
products as i128 multiplies (LLVM selects mulx/adc), whole-number comparisons and conditional
subtractions as i256 operations. An element here is a Python list of four i64 IR values,
least significant first.
"""

from __future__ import annotations

from llvmlite import ir

I1 = ir.IntType(1)
I64 = ir.IntType(64)
I128 = ir.IntType(128)
I256 = ir.IntType(256)
_MASK64 = (1 << 64) - 1


def limbs_of(value: int) -> list[int]:
    """A Python int < 2^256 as four little-endian 64-bit limbs."""
    return [(value >> (64 * i)) & _MASK64 for i in range(4)]


def const_limbs(value: int) -> list[ir.Constant]:
    return [ir.Constant(I64, v) for v in limbs_of(value)]


def join256(builder: ir.IRBuilder, limbs: list) -> ir.Value:
    acc = builder.zext(limbs[3], I256)
    for limb in reversed(limbs[:3]):
        acc = builder.or_(builder.shl(acc, ir.Constant(I256, 64)), builder.zext(limb, I256))
    return acc


def split256(builder: ir.IRBuilder, wide: ir.Value) -> list:
    return [
        builder.trunc(builder.lshr(wide, ir.Constant(I256, 64 * i)), I64) if i else builder.trunc(wide, I64)
        for i in range(4)
    ]


def _lo_hi(builder: ir.IRBuilder, wide: ir.Value) -> tuple[ir.Value, ir.Value]:
    return builder.trunc(wide, I64), builder.trunc(builder.lshr(wide, ir.Constant(I128, 64)), I64)


def emit_mac(builder: ir.IRBuilder, acc, a, b, carry) -> tuple[ir.Value, ir.Value]:
    """acc + a*b + carry as (low, high) 64-bit words."""
    prod = builder.mul(builder.zext(a, I128), builder.zext(b, I128))
    wide = builder.add(builder.add(prod, builder.zext(acc, I128)), builder.zext(carry, I128))
    return _lo_hi(builder, wide)


def _subtract_if_not_below(builder: ir.IRBuilder, wide: ir.Value, modulus: int) -> list:
    p = ir.Constant(I256, modulus)
    below = builder.icmp_unsigned("<", wide, p)
    return split256(builder, builder.select(below, wide, builder.sub(wide, p)))


def emit_mont_mul(builder: ir.IRBuilder, a: list, b: list, modulus: int) -> list:
    """a·b·2^-256 mod p for a, b < p < 2^254: inline assembly where the CPU has BMI2 and ADX
    (:mod:`prover.kernels.mont_adx`), else the portable IR below."""
    from prover.kernels import mont_adx  # it imports this module's helpers

    if mont_adx.available():
        return mont_adx.emit_mont_mul_adx(builder, a, b, modulus)
    return emit_mont_mul_portable(builder, a, b, modulus)


def emit_mont_mul_portable(builder: ir.IRBuilder, a: list, b: list, modulus: int) -> list:
    """a·b·2^-256 mod p by CIOS; the modulus must leave the top bit of its top limb clear
    (true for both BN254 fields), which lets the last carry word be dropped."""
    p = const_limbs(modulus)
    inv = ir.Constant(I64, (-pow(modulus, -1, 1 << 64)) % (1 << 64))
    zero = ir.Constant(I64, 0)
    t = [zero, zero, zero, zero]
    for i in range(4):
        t0, carry_a = emit_mac(builder, t[0], a[0], b[i], zero)
        m = builder.mul(t0, inv)
        _, carry_m = emit_mac(builder, t0, m, p[0], zero)
        new = [zero] * 4
        for j in range(1, 4):
            tj, carry_a = emit_mac(builder, t[j], a[j], b[i], carry_a)
            new[j - 1], carry_m = emit_mac(builder, tj, m, p[j], carry_m)
        new[3] = builder.add(carry_m, carry_a)
        t = new
    return _subtract_if_not_below(builder, join256(builder, t), modulus)


def emit_add(builder: ir.IRBuilder, a: list, b: list, modulus: int) -> list:
    """a + b mod p for a, b < p < 2^255 (the sum fits in 256 bits)."""
    return _subtract_if_not_below(builder, builder.add(join256(builder, a), join256(builder, b)), modulus)


def emit_sub(builder: ir.IRBuilder, a: list, b: list, modulus: int) -> list:
    """a - b mod p for a, b < p."""
    wa, wb = join256(builder, a), join256(builder, b)
    diff = builder.sub(wa, wb)
    wrapped = builder.icmp_unsigned("<", wa, wb)
    return split256(builder, builder.select(wrapped, builder.add(diff, ir.Constant(I256, modulus)), diff))


def emit_neg(builder: ir.IRBuilder, a: list, modulus: int) -> list:
    """-a mod p (0 stays 0)."""
    return emit_sub(builder, const_limbs(0), a, modulus)


def emit_is_zero(builder: ir.IRBuilder, a: list) -> ir.Value:
    acc = a[0]
    for limb in a[1:]:
        acc = builder.or_(acc, limb)
    return builder.icmp_unsigned("==", acc, ir.Constant(I64, 0))


def emit_eq(builder: ir.IRBuilder, a: list, b: list) -> ir.Value:
    acc = builder.xor(a[0], b[0])
    for x, y in zip(a[1:], b[1:], strict=True):
        acc = builder.or_(acc, builder.xor(x, y))
    return builder.icmp_unsigned("==", acc, ir.Constant(I64, 0))


def emit_reduce(builder: ir.IRBuilder, a: list, modulus: int, times: int) -> list:
    """a mod p for a < (times + 1)·p, by repeated conditional subtraction."""
    wide = join256(builder, a)
    p = ir.Constant(I256, modulus)
    for _ in range(times):
        wide = builder.select(builder.icmp_unsigned("<", wide, p), wide, builder.sub(wide, p))
    return split256(builder, wide)
