"""Bit decomposition, range checks and the alias check."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from circuits.field import FR
from circuits.gadgets.bits import (
    assert_bits_less_than,
    assert_range,
    assert_signed_range,
    is_bits_less_than,
    to_bits,
    to_bits_strict,
)
from circuits.r1cs import UnsatisfiedConstraint
from tests.gadgets.harness import check_r1cs, evaluate, n_constraints, run_cheating


def decompose(n):
    return lambda cs: to_bits(cs, cs.private_input("x"), n)


def test_to_bits_matches_native_and_costs_n():
    rng = random.Random(1)
    for n in (1, 8, 64, 253):
        x = rng.randrange(1 << n)
        assert evaluate(decompose(n), {"x": x}) == [(x >> i) & 1 for i in range(n)]
        assert n_constraints(decompose(n)) == n
    check_r1cs(decompose(64), {"x": 2**64 - 1})


def test_constants_cost_nothing():
    def define(cs):
        assert to_bits(cs, 0b1011, 4)[3].constant_value() == 1
        assert_range(cs, 5, 3)
        assert_signed_range(cs, -4, 3)

    assert n_constraints(define) == 0
    with pytest.raises(ValueError, match="does not fit"):
        n_constraints(lambda cs: assert_range(cs, 8, 3))


def test_value_too_wide_is_rejected():
    with pytest.raises(UnsatisfiedConstraint):
        evaluate(decompose(64), {"x": 2**64})
    with pytest.raises(UnsatisfiedConstraint):
        evaluate(decompose(64), {"x": FR - 1})


def test_flipped_bit_is_rejected():
    """Flipping any lower bit leaves the recomposed top bit non-boolean."""
    x = 0b1101_0110
    for i in range(7):
        with pytest.raises(UnsatisfiedConstraint):
            run_cheating(decompose(8), {"x": x}, lambda _, v, i=i: [b ^ (j == i) for j, b in enumerate(v)])


@settings(deadline=None)
@given(st.one_of(st.integers(-(2**70), 2**70), st.sampled_from([-1, 0, 2**64 - 1, 2**64])))
def test_unsigned_range_64_at_boundaries(x):
    define = lambda cs: assert_range(cs, cs.private_input("x"), 64)  # noqa: E731
    if 0 <= x < 2**64:
        evaluate(define, {"x": x})
    else:
        with pytest.raises(UnsatisfiedConstraint):
            evaluate(define, {"x": x})


@settings(deadline=None)
@given(st.one_of(st.integers(-(2**64), 2**64), st.sampled_from([-(2**63) - 1, -(2**63), 2**63 - 1, 2**63])))
def test_signed_range_64_at_boundaries(x):
    define = lambda cs: assert_signed_range(cs, cs.private_input("x"), 64)  # noqa: E731
    if -(2**63) <= x < 2**63:
        evaluate(define, {"x": x})
    else:
        with pytest.raises(UnsatisfiedConstraint):
            evaluate(define, {"x": x})


def test_conditional_range_check():
    def define(cs):
        assert_range(cs, cs.private_input("x"), 8, when=cs.private_input("on"))

    evaluate(define, {"x": 300, "on": 0})
    evaluate(define, {"x": 200, "on": 1})
    with pytest.raises(UnsatisfiedConstraint):
        evaluate(define, {"x": 300, "on": 1})


def test_bits_less_than_constant():
    rng = random.Random(2)
    bound = rng.randrange(1 << 20)
    for x in [0, bound - 1, bound, bound + 1, (1 << 20) - 1, *(rng.randrange(1 << 20) for _ in range(30))]:
        x %= 1 << 20

        def define(cs):
            return is_bits_less_than(cs, to_bits(cs, cs.private_input("x"), 20), bound)

        bit = evaluate(define, {"x": x})
        assert bit == int(x < bound)


def test_strict_decomposition_is_unique():
    """The alias x + r (also < 2^254) passes booleanity and recomposition but not the alias check."""
    strict = lambda cs: to_bits_strict(cs, cs.private_input("x"))  # noqa: E731
    x = 12345
    assert evaluate(strict, {"x": FR - 1}) == [((FR - 1) >> i) & 1 for i in range(254)]
    alias = x + FR
    assert alias < 2**254
    forged = [(alias >> i) & 1 for i in range(253)]
    # booleanity and recomposition hold for the alias: the alias check is what rejects it
    with pytest.raises(UnsatisfiedConstraint, match="bits <"):
        run_cheating(strict, {"x": x}, lambda i, _: forged if i == 0 else None)


def test_assert_bits_less_than_exhaustive():
    for bound in (1, 2, 5, 17, 32, 40, 63, 64):
        for x in range(64):

            def define(cs, bound=bound):
                assert_bits_less_than(
                    cs, to_bits(cs, cs.private_input("x"), 6), bound, when=cs.private_input("on")
                )

            evaluate(define, {"x": x, "on": 0})
            if x < bound:
                evaluate(define, {"x": x, "on": 1})
            else:
                with pytest.raises(UnsatisfiedConstraint):
                    evaluate(define, {"x": x, "on": 1})
