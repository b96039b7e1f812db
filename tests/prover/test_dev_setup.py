"""The development setup from known toxic waste gives exactly the key that the ptau route gives for
the same τ, α, β and δ, and its proofs verify (and only for the right public inputs)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from circuits.field import FR
from prover.dev_setup import dev_setup, setup_from_toxic_waste
from prover.groth16 import prove
from prover.ptau import read_ptau, write_ptau
from prover.setup import domain_log_size, setup
from prover.toxic import ToxicWaste
from verifier.groth16 import verify

ARRAYS = ("ic", "coef_matrix", "coef_constraint", "coef_signal", "coef_value", "a", "b1", "b2", "c", "h")
POINTS = ("alpha1", "beta1", "beta2", "gamma2", "delta1", "delta2")


class _Fixed(random.Random):
    """An rng whose every draw is one value: hands ``setup`` a chosen δ."""

    def __init__(self, value: int) -> None:
        super().__init__(0)
        self.value = value

    def randrange(self, *_args, **_kwargs) -> int:  # type: ignore[override]
        return self.value


@pytest.mark.parametrize("name", ["public", "range"])
def test_dev_setup_equals_setup_from_a_ptau_of_the_same_toxic_waste(samples, tmp_path, name):
    r1cs = samples[name].r1cs
    power = domain_log_size(r1cs) + 1  # below the ptau's top block, whose H Lagrange basis differs
    toxic = ToxicWaste.draw(power, random.Random(11))
    write_ptau(power, tmp_path / "dev.ptau", toxic)
    from_ptau = setup(r1cs, read_ptau(tmp_path / "dev.ptau"), _Fixed(toxic.delta))
    direct = setup_from_toxic_waste(r1cs, toxic)
    for field in (*POINTS, "n_vars", "n_public", "domain_size", "mpc_params"):
        assert getattr(direct, field) == getattr(from_ptau, field), field
    for field in ARRAYS:
        assert np.array_equal(getattr(direct, field), getattr(from_ptau, field)), field


def test_dev_key_proves_and_verifies_only_the_true_public_inputs(samples):
    sample = samples["public"]
    pk = dev_setup(sample.r1cs, random.Random(3))
    proof, public = prove(pk, sample.witness, backend="fast")
    assert verify(pk.verifying_key(), public, proof)
    assert not verify(pk.verifying_key(), [(public[0] + 1) % FR, *public[1:]], proof)


def test_toxic_waste_never_prints_its_scalars():
    toxic = ToxicWaste.draw(4, random.Random(1))
    assert str(toxic.tau) not in repr(toxic) and str(toxic.delta) not in str(toxic)
