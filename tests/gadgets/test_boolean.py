"""Boolean gates on bits: truth tables, one constraint each, none on constants."""

import itertools

from circuits.gadgets.boolean import and_, not_, or_, xor
from tests.gadgets.harness import evaluate, n_constraints

GATES = {and_: lambda a, b: a & b, or_: lambda a, b: a | b, xor: lambda a, b: a ^ b}


def test_truth_tables_and_costs():
    for gate, native in GATES.items():

        def define(cs, gate=gate):
            return gate(cs, cs.private_input("a"), cs.private_input("b"))

        for a, b in itertools.product((0, 1), repeat=2):
            assert evaluate(define, {"a": a, "b": b}) == native(a, b)
        assert n_constraints(define) == 1
        assert n_constraints(lambda cs, gate=gate: gate(cs, 1, cs.private_input("a"))) == 0
    for a in (0, 1):
        assert evaluate(lambda cs: not_(cs, cs.private_input("a")), {"a": a}) == 1 - a
