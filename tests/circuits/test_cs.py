"""The constraint system: one circuit function gives both the R1CS and, with values, the witness."""

from __future__ import annotations

import pytest

from circuits.cs import ConstraintSystem, compile_circuit, scoped, solve
from circuits.field import FR
from circuits.r1cs import UnsatisfiedConstraint
from circuits.samples import multiplication_chain, public_inputs_circuit, range_check


def test_witness_satisfies_the_compiled_constraints():
    for define, assignment in [
        (multiplication_chain(7), {"x": 5}),
        (public_inputs_circuit, {"a": 3, "b": 21, "c": 4, "w": 7}),
        (range_check(16), {"value": 65535}),
    ]:
        r1cs = compile_circuit(define)
        witness = solve(define, assignment)
        assert len(witness) == r1cs.n_wires
        r1cs.check(witness)


def test_wire_order_is_one_outputs_public_private_internal():
    r1cs = compile_circuit(multiplication_chain(3))
    witness = solve(multiplication_chain(3), {"x": 2})
    assert (r1cs.n_outputs, r1cs.n_pub_inputs, r1cs.n_prv_inputs) == (1, 0, 1)
    assert witness[:3] == [1, 2**4, 2]
    r1cs = compile_circuit(public_inputs_circuit)
    witness = solve(public_inputs_circuit, {"a": 3, "b": 21, "c": 4, "w": 7})
    assert r1cs.public_values(witness) == [3, 21, 4]
    assert witness[4] == 7


def test_constants_cost_no_constraints():
    def define(cs: ConstraintSystem) -> None:
        x = cs.private_input("x")
        y = (x * 3 + 7) - x.scale(2)
        z = cs.mul(y, cs.constant(5))
        cs.assert_equal(cs.constant(4), 4)
        cs.public_output(z, "z")

    r1cs = compile_circuit(define)
    assert r1cs.n_constraints == 1  # only the output equality
    assert solve(define, {"x": 1})[1] == (1 + 7) * 5


def test_failing_constraint_is_named_with_its_source_line():
    with pytest.raises(UnsatisfiedConstraint, match=r"recomposition at circuits/samples\.py:\d+"):
        solve(range_check(8), {"value": 256})


def test_scope_names_the_failing_constraint():
    def define(cs: ConstraintSystem) -> None:
        x = cs.private_input("x")
        with cs.scope("trade[3]"), cs.scope("maker"):
            cs.assert_bool(x)

    with pytest.raises(UnsatisfiedConstraint, match=r"trade\[3\]/maker at tests/circuits/test_cs\.py"):
        solve(define, {"x": 2})
    r1cs = compile_circuit(define)
    with pytest.raises(UnsatisfiedConstraint, match=r"constraint 0 .*trade\[3\]/maker"):
        r1cs.check([1, 2])


def test_scoped_decorator_names_the_gadget():
    @scoped("gadget")
    def gadget(cs: ConstraintSystem, x):
        cs.assert_bool(x)

    def define(cs: ConstraintSystem) -> None:
        gadget(cs, cs.private_input("x"))

    with pytest.raises(UnsatisfiedConstraint, match=r"gadget at tests/circuits/test_cs\.py"):
        solve(define, {"x": 3})
    assert compile_circuit(define).labels == ["gadget"]


def test_every_constraint_of_the_samples_rejects_a_tampered_witness():
    """Tampering each non-constant wire breaks at least one constraint: no wire is unconstrained."""
    for define, assignment in [
        (multiplication_chain(4), {"x": 3}),
        (public_inputs_circuit, {"a": 3, "b": 21, "c": 4, "w": 7}),
        (range_check(8), {"value": 77}),
    ]:
        r1cs = compile_circuit(define)
        witness = solve(define, assignment)
        for wire in range(1, r1cs.n_wires):
            tampered = list(witness)
            tampered[wire] = (tampered[wire] + 1) % FR
            assert r1cs.first_unsatisfied(tampered) is not None, (define, wire)


def test_inverse_of_zero_is_unsatisfiable():
    with pytest.raises(UnsatisfiedConstraint):
        solve(public_inputs_circuit, {"a": 3, "b": 21, "c": FR - 7, "w": 7})


def test_missing_and_malformed_inputs_are_clear_errors():
    with pytest.raises(ValueError, match="no value for input 'x'"):
        solve(multiplication_chain(2), {})
    with pytest.raises(ValueError, match="takes one integer"):
        solve(multiplication_chain(2), {"x": [1, 2]})

    def arrays(cs: ConstraintSystem) -> None:
        cs.private_input("xs", n=3)

    with pytest.raises(ValueError, match="list of 3 integers"):
        solve(arrays, {"xs": [1, 2]})


def test_values_are_reduced_mod_r():
    witness = solve(multiplication_chain(1), {"x": FR + 3})
    assert witness[2] == 3 and witness[1] == 9
