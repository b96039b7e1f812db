"""Small sample circuits: the examples, the tests' subjects and the benchmarks' workloads."""

from __future__ import annotations

from collections.abc import Callable

from circuits.cs import Circuit, ConstraintSystem, LinearCombination


def multiplication_chain(length: int) -> Circuit:
    """Public x and out; out = x^(length+1) proven by a chain of ``length`` products."""

    def define(cs: ConstraintSystem) -> None:
        x = cs.private_input("x")
        acc = x
        for _ in range(length):
            acc = cs.mul(acc, x)
        cs.public_output(acc, "out")

    return define


def public_inputs_circuit(cs: ConstraintSystem) -> None:
    """Public a, b, c with private witness w: a·w = b and w + c is nonzero."""
    a = cs.public_input("a")
    b = cs.public_input("b")
    c = cs.public_input("c")
    w = cs.private_input("w")
    cs.enforce(a, w, b, "a*w=b")
    cs.inverse(w + c)


def range_check(bits: int) -> Circuit:
    """Public value proven to lie in [0, 2^bits) by decomposition into constrained bits."""

    def define(cs: ConstraintSystem) -> None:
        value = cs.public_input("value")
        parts = cs.hint(lambda v: [(v >> i) & 1 for i in range(bits)], value, n_out=bits)
        total: LinearCombination = cs.constant(0)
        for i, bit in enumerate(parts):
            cs.assert_bool(bit, f"bit {i}")
            total = total + bit.scale(1 << i)
        cs.assert_equal(total, value, "recomposition")

    return define


SAMPLES: dict[str, Callable[[], Circuit]] = {
    "mulchain": lambda: multiplication_chain(1000),
    "public": lambda: public_inputs_circuit,
    "range64": lambda: range_check(64),
}
