"""Baby Jubjub: native arithmetic against circomlibjs, in-circuit arithmetic against native."""

import random

import pytest

from circuits.field import FR
from circuits.gadgets import babyjub
from circuits.gadgets.babyjub import BASE8, GENERATOR, IDENTITY, SUBORDER
from circuits.gadgets.babyjub_var import (
    assert_on_curve,
    edwards_add,
    edwards_double,
    fixed_base_mul,
    from_montgomery,
    montgomery_add,
    scalar_mul,
    to_montgomery,
)
from circuits.r1cs import UnsatisfiedConstraint
from tests.gadgets.circomlibjs import ask
from tests.gadgets.harness import check_r1cs, evaluate, hint_values, n_constraints, run_cheating

RNG = random.Random(5)
POINTS = [babyjub.mul(BASE8, RNG.randrange(1, SUBORDER)) for _ in range(4)] + [GENERATOR]
SCALARS = [0, 1, 2, 7, SUBORDER - 1, SUBORDER, 2**253, 2**254 - 1, *(RNG.randrange(2**254) for _ in range(3))]


@pytest.fixture(scope="module")
def reference():
    requests = [{"op": "add", "p": p, "q": q} for p in POINTS for q in POINTS[:2]]
    requests += [{"op": "mul", "p": POINTS[0], "k": k} for k in SCALARS]
    requests += [{"op": "pack", "p": p} for p in POINTS]
    requests += [{"op": "in_subgroup", "p": p} for p in POINTS]
    return ask(requests)


@pytest.mark.js
def test_native_matches_circomlibjs(reference):
    answers = iter(reference)
    for p in POINTS:
        for q in POINTS[:2]:
            assert babyjub.add(p, q) == tuple(int(c) for c in next(answers))
    for k in SCALARS:
        assert babyjub.mul(POINTS[0], k) == tuple(int(c) for c in next(answers))
    for p in POINTS:
        packed = next(answers)
        assert babyjub.pack(p).hex() == packed
        assert babyjub.unpack(bytes.fromhex(packed)) == p
    assert [babyjub.in_subgroup(p) for p in POINTS] == [next(answers) for _ in POINTS] == [True] * 4 + [False]


def test_native_curve_facts():
    assert babyjub.mul(GENERATOR, 8) == BASE8
    assert babyjub.mul(BASE8, SUBORDER) == IDENTITY
    assert babyjub.from_montgomery(*babyjub.to_montgomery(POINTS[0])) == POINTS[0]
    assert not babyjub.on_curve((1, 2))
    assert babyjub.unpack(b"\xff" * 32) is None


def two_points(fn):
    def define(cs):
        p, q = cs.private_input("p", 2), cs.private_input("q", 2)
        return fn(cs, (p[0], p[1]), (q[0], q[1]))

    return define


def test_edwards_add_and_double_match_native():
    for p in POINTS:
        for q in [*POINTS[:2], IDENTITY, p, babyjub.neg(p)]:
            assert evaluate(two_points(edwards_add), {"p": p, "q": q}) == babyjub.add(p, q)
        assert evaluate(two_points(lambda cs, a, _: edwards_double(cs, a)), {"p": p, "q": p}) == babyjub.add(
            p, p
        )
    assert n_constraints(two_points(edwards_add)) == 6
    assert n_constraints(two_points(lambda cs, a, _: edwards_double(cs, a))) == 5
    assert n_constraints(lambda cs: edwards_add(cs, cs.private_input("p", 2), BASE8)) == 3


def test_montgomery_round_trip_and_add():
    def define(cs, p, q):
        return from_montgomery(cs, montgomery_add(cs, to_montgomery(cs, p), to_montgomery(cs, q)))

    p, q = POINTS[0], POINTS[1]
    assert evaluate(two_points(define), {"p": p, "q": q}) == babyjub.add(p, q)
    # equal points break the chord formula: the constraints reject rather than mis-add
    with pytest.raises(UnsatisfiedConstraint):
        evaluate(two_points(define), {"p": p, "q": babyjub.neg(p)})


def test_forged_sum_is_rejected():
    """Each division in the addition law is bound: a wrong quotient fails its constraint."""
    v = {"p": POINTS[0], "q": POINTS[1]}
    for target in range(2):
        with pytest.raises(UnsatisfiedConstraint):
            run_cheating(two_points(edwards_add), v, lambda i, q, t=target: [q[0] + 1] if i == t else None)


def test_on_curve_check():
    define = lambda cs: assert_on_curve(cs, cs.private_input("p", 2))  # noqa: E731
    evaluate(define, {"p": POINTS[2]})
    with pytest.raises(UnsatisfiedConstraint):
        evaluate(define, {"p": (POINTS[2][0], POINTS[2][1] + 1)})


def scalar_circuit(n, fixed):
    def define(cs):
        bits = cs.private_input("k", n)
        if fixed:
            return fixed_base_mul(cs, bits)
        return scalar_mul(cs, bits, cs.private_input("p", 2))

    return define


def bits_of(k, n):
    return [(k >> i) & 1 for i in range(n)]


@pytest.mark.parametrize("fixed", [False, True])
def test_scalar_multiplication_matches_native(fixed):
    n = 254
    for k in [*SCALARS, 2**253 + 1, 2**252 - 1, int("10" * 127, 2)]:
        v = {"k": bits_of(k, n), "p": POINTS[1]}
        assert evaluate(scalar_circuit(n, fixed), v) == babyjub.mul(BASE8 if fixed else POINTS[1], k)
    for n in (2, 3, 8, 251):
        k = RNG.randrange(2**n)
        v = {"k": bits_of(k, n), "p": POINTS[1]}
        assert evaluate(scalar_circuit(n, fixed), v) == babyjub.mul(BASE8 if fixed else POINTS[1], k)


def test_scalar_multiplication_r1cs_and_forgery():
    n = 16
    v = {"k": bits_of(40000, n), "p": POINTS[3]}
    for fixed in (False, True):
        check_r1cs(lambda cs, f=fixed: cs.public_output(scalar_circuit(n, f)(cs)[0], "x"), v)
    # every hint (a quotient) of the ladder, shifted by one, breaks a constraint
    n_hints = len(hint_values(scalar_circuit(n, False), v))
    for target in range(0, n_hints, 5):
        with pytest.raises(UnsatisfiedConstraint):
            run_cheating(
                scalar_circuit(n, False), v, lambda i, q, t=target: [(q[0] + 1) % FR] if i == t else None
            )


def test_scalar_multiplication_cost():
    assert n_constraints(scalar_circuit(254, False)) <= 8.1 * 254
    assert n_constraints(scalar_circuit(251, True)) <= 2.01 * 251
