"""Poseidon, native and in-circuit, against circomlibjs for every width 1..16."""

import json
import random
import subprocess
from pathlib import Path

import pytest

from circuits.cs import ConstraintSystem, compile_circuit, solve
from circuits.field import FR
from circuits.gadgets.poseidon import poseidon, poseidon_var
from circuits.gadgets.poseidon_constants import MAX_INPUTS, poseidon_parameters
from circuits.r1cs import UnsatisfiedConstraint, write_r1cs
from circuits.wtns import write_wtns
from tests.gadgets.circomlibjs import ROOT, ask, available
from tests.gadgets.harness import check_r1cs, evaluate, first_broken, n_constraints

RNG = random.Random(7)
CASES = [[RNG.randrange(FR) for _ in range(n)] for n in range(1, MAX_INPUTS + 1)] + [
    [0],
    [FR - 1] * 16,
    [1, 2],
]


def hash_circuit(n):
    return lambda cs: poseidon_var(cs, cs.private_input("x", n))


@pytest.fixture(scope="module")
def reference():
    return ask([{"op": "poseidon", "inputs": xs} for xs in CASES])


def test_known_answer():
    assert poseidon([1, 2]) == 7853200120776062878684798364095072458815029376092732009249414926327459813530


@pytest.mark.js
def test_native_and_circuit_match_circomlibjs(reference):
    for xs, expected in zip(CASES, reference, strict=True):
        assert poseidon(xs) == int(expected)
        assert evaluate(hash_circuit(len(xs)), {"x": xs}) == int(expected)


@pytest.mark.js
def test_constants_derived_by_grain_equal_circomlibjs():
    if not available():
        pytest.skip("node_modules/circomlibjs is needed")
    table = json.loads((ROOT / Path("node_modules/circomlibjs/src/poseidon_constants.json")).read_text())
    for t in (2, 3, 6, 17):
        constants, mds = poseidon_parameters(t)
        assert [int(c, 16) for c in table["C"][t - 2]] == list(constants)
        assert [[int(m, 16) for m in row] for row in table["M"][t - 2]] == [list(r) for r in mds]


def test_constraint_count_matches_circomlib():
    assert n_constraints(hash_circuit(2)) == 240


def test_wrong_output_is_rejected():
    def define(cs):
        cs.assert_equal(poseidon_var(cs, cs.private_input("x", 2)), cs.public_input("h"))

    check_r1cs(define, {"x": [1, 2], "h": poseidon([1, 2])})
    with pytest.raises(UnsatisfiedConstraint):
        evaluate(define, {"x": [1, 2], "h": poseidon([1, 2]) ^ 1})


def test_every_round_wire_is_bound():
    """Poseidon has no hints: every internal wire is a constrained product, so changing any one
    of them in the solved witness breaks the R1CS."""
    cs = ConstraintSystem({"x": [3, 4]})
    poseidon_var(cs, cs.private_input("x", 2))
    assert first_broken(cs, cs.values) is None
    for wire in range(3, cs.n_wires):
        values = list(cs.values)
        values[wire] = (values[wire] + 1) % FR
        assert first_broken(cs, values) is not None, wire


def test_input_count_is_checked():
    with pytest.raises(ValueError):
        poseidon([])
    with pytest.raises(ValueError):
        poseidon(list(range(17)))


@pytest.mark.js
def test_snarkjs_checks_the_hash_circuit(tmp_path):
    """The gadget's R1CS and witness, written as iden3 files, satisfy snarkjs's own checker."""
    if not available():
        pytest.skip("node_modules/snarkjs is needed")

    def define(cs):
        cs.public_output(poseidon_var(cs, cs.private_input("x", 3)), "hash")

    write_r1cs(compile_circuit(define), tmp_path / "p.r1cs")
    write_wtns(solve(define, {"x": [5, 6, 7]}), tmp_path / "p.wtns")
    done = subprocess.run(
        ["npx", "snarkjs", "wtns", "check", str(tmp_path / "p.r1cs"), str(tmp_path / "p.wtns")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "WITNESS IS CORRECT" in done.stdout, done.stdout + done.stderr
