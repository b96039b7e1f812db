"""In-circuit EdDSA-Poseidon verification, accepting exactly what circomlibjs's ``verifyPoseidon``
accepts: S < L, A and R8 on the curve, and S·B8 = R8 + hash·(8·A) with hash = Poseidon(R8, A, M).

Beyond circomlib's EdDSAPoseidonVerifier it also checks R8 and A on the curve. With ``when``
(circomlib's ``enabled``) = 0 the inputs may be anything: A, R8 and S are swapped for B8, the
identity and 0 before use, and only the final equation is waived.
"""

from __future__ import annotations

from circuits.cs import ConstraintSystem, LinearCombination, Operand
from circuits.gadgets import babyjub
from circuits.gadgets.babyjub_var import (
    PointVar,
    assert_on_curve,
    edwards_add,
    edwards_double,
    fixed_base_mul,
    point,
    scalar_mul,
)
from circuits.gadgets.bits import assert_bits_less_than, to_bits, to_bits_strict
from circuits.gadgets.compare import select
from circuits.gadgets.poseidon import poseidon_var

SCALAR_BITS = babyjub.SUBORDER.bit_length()  # 251


def _select_point(cs: ConstraintSystem, when: Operand, p: PointVar, fallback: babyjub.Point) -> PointVar:
    return select(cs, when, p[0], fallback[0]), select(cs, when, p[1], fallback[1])


def eddsa_verify_var(
    cs: ConstraintSystem,
    message: Operand,
    a: tuple[Operand, Operand],
    r8: tuple[Operand, Operand],
    s: Operand,
    when: Operand | None = None,
) -> None:
    """Constrain (R8, S) to be a valid signature of ``message`` by public key A."""
    a_pt, r8_pt = point(cs, a), point(cs, r8)
    s_lc: LinearCombination = cs.lc(s)
    if when is not None:
        a_pt = _select_point(cs, when, a_pt, babyjub.BASE8)
        r8_pt = _select_point(cs, when, r8_pt, babyjub.IDENTITY)
        s_lc = cs.mul(s_lc, when)
    assert_on_curve(cs, a_pt)
    assert_on_curve(cs, r8_pt)

    s_bits = to_bits(cs, s_lc, SCALAR_BITS)
    assert_bits_less_than(cs, s_bits, babyjub.SUBORDER)
    digest = poseidon_var(cs, [r8_pt[0], r8_pt[1], a_pt[0], a_pt[1], message])
    digest_bits = to_bits_strict(cs, digest)

    # 8·A lies in the prime-order subgroup; it must not be the identity (x = 0 there)
    a8 = edwards_double(cs, edwards_double(cs, edwards_double(cs, a_pt)))
    cs.inverse(a8[0])
    right = edwards_add(cs, r8_pt, scalar_mul(cs, digest_bits, a8))
    left = fixed_base_mul(cs, s_bits)
    for lhs, rhs in zip(left, right, strict=True):
        if when is None:
            cs.assert_equal(lhs, rhs, "signature equation")
        else:
            cs.enforce(when, lhs - rhs, 0, "signature equation when")
