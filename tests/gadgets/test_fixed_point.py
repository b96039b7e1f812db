"""Fixed-point multiplication and division with floor rounding."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from circuits.field import FR
from circuits.gadgets.fixed_point import floor_div, floor_div_var, mul_div, mul_div_var
from circuits.r1cs import UnsatisfiedConstraint
from tests.gadgets.harness import check_r1cs, evaluate, n_constraints, run_cheating

u64 = st.one_of(st.integers(0, 2**64 - 1), st.sampled_from([0, 1, 2**64 - 1]))
i64 = st.one_of(st.integers(-(2**63), 2**63 - 1), st.sampled_from([-(2**63), -1, 2**63 - 1]))
divisor = st.one_of(st.integers(1, 2**64 - 1), st.sampled_from([1, 2, 3, 10**6, 2**32, 2**64 - 1]))


def mul_div_circuit(signed=False, den=None):
    def define(cs):
        d = cs.private_input("d") if den is None else den
        return mul_div_var(cs, cs.private_input("a"), cs.private_input("b"), d, signed=signed)

    return define


def test_native_rounds_toward_minus_infinity():
    assert floor_div(7, 2) == (3, 1)
    assert floor_div(-7, 2) == (-4, 1)
    assert mul_div(-3, 5, 4) == -4
    with pytest.raises(ValueError):
        floor_div(1, 0)


@settings(deadline=None)
@given(u64, u64, divisor)
def test_unsigned_mul_div_matches_native(a, b, d):
    assert evaluate(mul_div_circuit(), {"a": a, "b": b, "d": d}) == a * b // d


@settings(deadline=None)
@given(i64, u64, divisor)
def test_signed_mul_div_rounds_down(a, b, d):
    q = evaluate(mul_div_circuit(signed=True), {"a": a, "b": b, "d": d})
    assert (q - FR if q > FR // 2 else q) == a * b // d


@settings(deadline=None)
@given(u64, u64)
def test_constant_divisor(a, b):
    for den in (10**6, 2**20):
        assert evaluate(mul_div_circuit(den=den), {"a": a, "b": b}) == a * b // den
    check_r1cs(mul_div_circuit(den=10**6), {"a": a, "b": b})


def test_off_by_one_quotient_is_rejected():
    """q+1 with r-d (negative remainder) or q-1 with r+d (remainder ≥ d) both fail."""
    v = {"a": 1000, "b": 7, "d": 9}
    quotient_hint = 2  # after the bits of a and of b

    def shift(k):
        return lambda i, qr: [qr[0] + k, qr[1] - 9 * k] if i == quotient_hint else None

    evaluate(mul_div_circuit(), v)
    for k in (1, -1):
        with pytest.raises(UnsatisfiedConstraint):
            run_cheating(mul_div_circuit(), v, shift(k))


def test_wrong_remainder_is_rejected():
    with pytest.raises(UnsatisfiedConstraint):
        run_cheating(
            lambda cs: floor_div_var(cs, cs.private_input("n"), 10, 64, 8),
            {"n": 95},
            lambda i, qr: [qr[0], qr[1] + 1] if i == 0 else None,
        )


def test_inputs_out_of_range_are_rejected():
    for v in ({"a": 2**64, "b": 1, "d": 1}, {"a": 1, "b": -1, "d": 1}, {"a": 1, "b": 1, "d": 0}):
        with pytest.raises(UnsatisfiedConstraint):
            evaluate(mul_div_circuit(), v)


def test_quotient_too_wide_is_rejected():
    with pytest.raises(UnsatisfiedConstraint):
        evaluate(lambda cs: floor_div_var(cs, cs.private_input("n"), 3, 8, 8), {"n": 3 * 256})


def test_bounds_that_could_wrap_are_refused():
    with pytest.raises(ValueError, match="wrap"):
        n_constraints(lambda cs: floor_div_var(cs, cs.private_input("n"), cs.private_input("d"), 200, 64))


def test_constraint_count():
    # ranges of a, b (128), the product (1), q (128), r < d twice (128), the equation (1)
    assert n_constraints(mul_div_circuit()) == 64 + 64 + 1 + 128 + 64 + 64 + 2
