"""Groth16 proving: complete on the sample circuits, and nothing false gets through."""

from __future__ import annotations

import dataclasses
import random

import numpy as np
import pytest

from circuits.field import FR
from circuits.wtns import read_wtns_bytes
from prover.curve import G1, G2
from prover.groth16 import UnsatisfiedWitness, prove
from verifier.groth16 import VerificationInputError, verify

pytestmark = pytest.mark.slow

NAMES = ["mulchain", "public", "range"]


@pytest.mark.parametrize("name", NAMES)
def test_proofs_verify_with_fresh_blinding(samples, name):
    sample = samples[name]
    proof, public = prove(sample.pk, read_wtns_bytes(sample.wtns_path), r1cs=sample.r1cs)
    assert public == sample.r1cs.public_values(sample.witness)
    assert verify(sample.pk.verifying_key(), public, proof)
    again, _ = prove(sample.pk, sample.witness, verify_proof=False)
    assert again != proof


def test_array_and_list_witnesses_give_the_same_proof(samples):
    sample = samples["range"]
    from_file, _ = prove(
        sample.pk, read_wtns_bytes(sample.wtns_path), rng=random.Random(7), verify_proof=False
    )
    from_list, _ = prove(sample.pk, sample.witness, rng=random.Random(7), verify_proof=False)
    assert from_file == from_list


def _shifted_g1(p):
    return G1.to_affine(G1.add_affine(G1.from_affine(p), G1.generator))


def _shifted_g2(p):
    return G2.to_affine(G2.add_affine(G2.from_affine(p), G2.generator))


def test_altered_proof_points_and_public_inputs_are_rejected(samples):
    sample = samples["public"]
    proof, public = prove(sample.pk, sample.witness)
    vk = sample.pk.verifying_key()
    assert not verify(vk, public, dataclasses.replace(proof, a=_shifted_g1(proof.a)))
    assert not verify(vk, public, dataclasses.replace(proof, b=_shifted_g2(proof.b)))
    assert not verify(vk, public, dataclasses.replace(proof, c=_shifted_g1(proof.c)))
    for i in range(len(public)):
        wrong = list(public)
        wrong[i] = (wrong[i] + 1) % FR
        assert not verify(vk, wrong, proof)
    with pytest.raises(VerificationInputError):
        verify(vk, public[:-1], proof)


def test_a_proof_does_not_verify_under_another_key(samples, dev_ptau):
    from prover.setup import setup

    mulchain, rng_check = samples["mulchain"], samples["range"]
    assert mulchain.pk.n_public == rng_check.pk.n_public == 1
    proof, public = prove(mulchain.pk, mulchain.witness)
    assert not verify(rng_check.pk.verifying_key(), public, proof)
    other_key = setup(mulchain.r1cs, dev_ptau, random.Random(99))  # same circuit, another δ
    assert not verify(other_key.verifying_key(), public, proof)


def _break_constraint(r1cs, witness, index):
    """A copy of the witness with one wire of constraint ``index`` changed so that it fails."""
    a, b, c = r1cs.constraints[index]
    wires = sorted({w for lc in (a, b, c) for w in lc if w != 0}, reverse=True)
    for wire in wires:
        for delta in (1, 2, 3):
            bad = list(witness)
            bad[wire] = (bad[wire] + delta) % FR
            va = sum(k * bad[w] for w, k in a.items())
            vb = sum(k * bad[w] for w, k in b.items())
            vc = sum(k * bad[w] for w, k in c.items())
            if (va * vb - vc) % FR:
                return bad
    raise AssertionError(f"constraint {index} cannot be broken by changing one wire")


@pytest.mark.parametrize("name", NAMES)
def test_each_broken_constraint_is_refused(samples, name):
    sample = samples[name]
    for index in range(sample.r1cs.n_constraints):
        bad = _break_constraint(sample.r1cs, sample.witness, index)
        first = sample.r1cs.first_unsatisfied(bad)
        with pytest.raises(UnsatisfiedWitness, match=f"constraint {first} is not satisfied"):
            prove(sample.pk, bad, r1cs=sample.r1cs)
        with pytest.raises(UnsatisfiedWitness, match="the witness does not satisfy the circuit"):
            prove(sample.pk, bad)


def test_wire_zero_must_be_one_and_sizes_must_match(samples):
    sample = samples["public"]
    bad = list(sample.witness)
    bad[0] = 2
    with pytest.raises(UnsatisfiedWitness, match="wire 0"):
        prove(sample.pk, bad)
    with pytest.raises(ValueError, match="values, the proving key"):
        prove(sample.pk, sample.witness[:-1])
    with pytest.raises(ValueError, match=r"not in \[0, r\)"):
        prove(sample.pk, [*sample.witness[:-1], FR])
    with pytest.raises(ValueError, match="expected"):
        prove(sample.pk, np.zeros((len(sample.witness), 31), dtype=np.uint8))


def test_unverified_proof_of_a_bad_witness_is_invalid(samples):
    """With the check switched off the prover still runs, and the result must not verify."""
    sample = samples["range"]
    bad = _break_constraint(sample.r1cs, sample.witness, 0)
    proof, public = prove(sample.pk, bad, verify_proof=False)
    assert not verify(sample.pk.verifying_key(), public, proof)


def test_an_r1cs_of_another_circuit_is_refused(samples):
    sample = samples["public"]
    with pytest.raises(ValueError, match="does not match the proving key"):
        prove(sample.pk, sample.witness, r1cs=samples["range"].r1cs)
