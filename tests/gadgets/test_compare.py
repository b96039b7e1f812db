"""Zero and equality tests, order comparisons, select, min, max, abs."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from circuits.field import FR
from circuits.gadgets.compare import (
    abs_signed,
    assert_equal,
    assert_less_equal,
    assert_less_than,
    is_equal,
    is_less_equal,
    is_less_than,
    is_zero,
    maximum,
    minimum,
    select,
)
from circuits.r1cs import UnsatisfiedConstraint
from tests.gadgets.harness import check_r1cs, evaluate, n_constraints, run_cheating

u64 = st.one_of(st.integers(0, 2**64 - 1), st.sampled_from([0, 1, 2**63, 2**64 - 2, 2**64 - 1]))
i64 = st.one_of(st.integers(-(2**63), 2**63 - 1), st.sampled_from([-(2**63), -1, 0, 1, 2**63 - 1]))


def two(fn):
    return lambda cs: fn(cs, cs.private_input("a"), cs.private_input("b"))


@settings(deadline=None)
@given(u64, u64)
def test_order_comparisons_match_native(a, b):
    v = {"a": a, "b": b}
    assert evaluate(two(lambda cs, x, y: is_less_than(cs, x, y, 64)), v) == int(a < b)
    assert evaluate(two(lambda cs, x, y: is_less_equal(cs, x, y, 64)), v) == int(a <= b)
    assert evaluate(two(lambda cs, x, y: minimum(cs, x, y, 64)), v) == min(a, b)
    assert evaluate(two(lambda cs, x, y: maximum(cs, x, y, 64)), v) == max(a, b)
    assert evaluate(two(is_equal), v) == int(a == b)
    for check, holds in ((assert_less_than, a < b), (assert_less_equal, a <= b)):
        define = two(lambda cs, x, y, check=check: check(cs, x, y, 64))
        if holds:
            evaluate(define, v)
        else:
            with pytest.raises(UnsatisfiedConstraint):
                evaluate(define, v)


@settings(deadline=None)
@given(i64)
def test_abs_matches_native(x):
    assert evaluate(lambda cs: abs_signed(cs, cs.private_input("x")), {"x": x}) == (abs(x), int(x < 0))


def test_forged_sign_is_rejected():
    """Claiming 5 is negative needs another decomposition of 5 + 2^63: the bits then fail."""
    define = lambda cs: abs_signed(cs, cs.private_input("x"))  # noqa: E731
    with pytest.raises(UnsatisfiedConstraint):
        run_cheating(define, {"x": 5}, lambda i, bits: [*bits[:62], 1 - bits[62]])


def test_abs_rejects_out_of_range():
    for x in (2**63, -(2**63) - 1):
        with pytest.raises(UnsatisfiedConstraint):
            evaluate(lambda cs: abs_signed(cs, cs.private_input("x")), {"x": x})


def test_is_zero_and_forged_inverse():
    define = lambda cs: is_zero(cs, cs.private_input("x"))  # noqa: E731
    assert evaluate(define, {"x": 0}) == 1
    assert evaluate(define, {"x": FR - 5}) == 0
    check_r1cs(lambda cs: cs.public_output(define(cs), "z"), {"x": 7})
    # a cheating inverse cannot make a nonzero x look zero (x·out = 0 fails) or vice versa
    with pytest.raises(UnsatisfiedConstraint):
        run_cheating(define, {"x": 7}, lambda i, v: [0])
    with pytest.raises(UnsatisfiedConstraint):
        run_cheating(define, {"x": 7}, lambda i, v: [v[0] + 1])


def test_select_and_conditional_equality():
    def define(cs):
        return select(cs, cs.private_input("c"), cs.private_input("a"), cs.private_input("b"))

    assert evaluate(define, {"c": 1, "a": 5, "b": 9}) == 5
    assert evaluate(define, {"c": 0, "a": 5, "b": 9}) == 9

    def cond_eq(cs):
        assert_equal(cs, cs.private_input("a"), cs.private_input("b"), when=cs.private_input("c"))

    evaluate(cond_eq, {"a": 1, "b": 2, "c": 0})
    evaluate(cond_eq, {"a": 2, "b": 2, "c": 1})
    with pytest.raises(UnsatisfiedConstraint):
        evaluate(cond_eq, {"a": 1, "b": 2, "c": 1})


def test_forged_comparison_bit_is_rejected():
    """Claiming a < b when a ≥ b needs a different decomposition of a - b + 2^64, which fails."""
    define = two(lambda cs, x, y: is_less_than(cs, x, y, 64))
    with pytest.raises(UnsatisfiedConstraint):
        run_cheating(define, {"a": 10, "b": 3}, lambda i, bits: [1 - bits[0], *bits[1:]])


def test_conditional_order_checks():
    def define(cs):
        assert_less_than(cs, cs.private_input("a"), cs.private_input("b"), 64, when=cs.private_input("c"))

    evaluate(define, {"a": 9, "b": 3, "c": 0})
    with pytest.raises(UnsatisfiedConstraint):
        evaluate(define, {"a": 9, "b": 3, "c": 1})


def test_constraint_counts():
    assert n_constraints(two(lambda cs, x, y: is_less_than(cs, x, y, 64))) == 65
    assert n_constraints(two(lambda cs, x, y: assert_less_than(cs, x, y, 64))) == 64
    assert n_constraints(two(is_equal)) == 2
    assert n_constraints(lambda cs: is_less_than(cs, 3, 5, 64)) == 0
    assert n_constraints(lambda cs: abs_signed(cs, cs.private_input("x"))) == 65
