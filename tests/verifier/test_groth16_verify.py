"""The Python verifier against a real snarkjs proof: accepts it, rejects every tampering."""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest
from py_ecc import optimized_bn128 as ob

from verifier.curve import FQ_MODULUS, R_MODULUS
from verifier.groth16 import VerificationInputError, verify
from verifier.snarkjs_json import (
    JsonFormatError,
    load_proof,
    load_public,
    load_verifying_key,
    save_proof,
    save_verifying_key,
)

VECTORS = Path(__file__).parent.parent / "vectors" / "snarkjs_multiplier"


@pytest.fixture(scope="module")
def vk():
    return load_verifying_key(VECTORS / "verification_key.json")


@pytest.fixture(scope="module")
def proof():
    return load_proof(VECTORS / "proof.json")


@pytest.fixture(scope="module")
def public():
    return load_public(VECTORS / "public.json")


def _affine_g1(p):
    x, y = ob.normalize(p)
    return (x.n, y.n)


def _affine_g2(p):
    x, y = ob.normalize(p)
    return ((int(x.coeffs[0]), int(x.coeffs[1])), (int(y.coeffs[0]), int(y.coeffs[1])))


def _double_g1(point):
    return _affine_g1(ob.double((ob.FQ(point[0]), ob.FQ(point[1]), ob.FQ.one())))


def test_accepts_snarkjs_proof(vk, proof, public):
    assert verify(vk, public, proof)


@pytest.mark.parametrize("index", [0, 1])
def test_rejects_wrong_public_input(vk, proof, public, index):
    wrong = list(public)
    wrong[index] = (wrong[index] + 1) % R_MODULUS
    assert not verify(vk, wrong, proof)


@pytest.mark.parametrize("field", ["a", "c"])
def test_rejects_altered_g1_point(vk, proof, public, field):
    altered = dataclasses.replace(proof, **{field: _double_g1(getattr(proof, field))})
    assert not verify(vk, public, altered)


def test_rejects_altered_g2_point(vk, proof, public):
    b = proof.b
    doubled = ob.double((ob.FQ2(list(b[0])), ob.FQ2(list(b[1])), ob.FQ2.one()))
    assert not verify(vk, public, dataclasses.replace(proof, b=_affine_g2(doubled)))


def test_rejects_swapped_points(vk, proof, public):
    assert not verify(vk, public, dataclasses.replace(proof, a=proof.c, c=proof.a))


def test_rejects_point_at_infinity_in_proof(vk, proof, public):
    assert not verify(vk, public, dataclasses.replace(proof, c=None))


def test_wrong_count_is_an_input_error(vk, proof, public):
    with pytest.raises(VerificationInputError, match="1 public inputs given, the key takes 2"):
        verify(vk, public[:1], proof)


def test_public_not_below_r_is_an_input_error(vk, proof, public):
    with pytest.raises(VerificationInputError, match="not below"):
        verify(vk, [public[0] + R_MODULUS, public[1]], proof)


def test_off_curve_g1_is_an_input_error(vk, proof, public):
    x, y = proof.a
    with pytest.raises(VerificationInputError, match="not on the G1 curve"):
        verify(vk, public, dataclasses.replace(proof, a=(x, (y + 1) % FQ_MODULUS)))


def _twist_point_outside_subgroup():
    """A point on the G2 twist curve that is not in the order-r subgroup (the twist's cofactor is large)."""
    q = FQ_MODULUS
    x = ob.FQ2([5, 1])
    while True:
        rhs = x**3 + ob.b2
        a1 = rhs ** ((q - 3) // 4)
        alpha = a1 * a1 * rhs
        x0 = a1 * rhs
        if alpha == ob.FQ2([q - 1, 0]):
            root = ob.FQ2([0, 1]) * x0
        else:
            root = (alpha + ob.FQ2.one()) ** ((q - 1) // 2) * x0
        if root * root == rhs:
            point = (x, root, ob.FQ2.one())
            assert not ob.is_inf(ob.multiply(point, R_MODULUS))
            return _affine_g2(point)
        x = x + ob.FQ2.one()


def test_g2_outside_subgroup_is_an_input_error(vk, proof, public):
    with pytest.raises(VerificationInputError, match="subgroup"):
        verify(vk, public, dataclasses.replace(proof, b=_twist_point_outside_subgroup()))


def test_json_round_trip(tmp_path, vk, proof, public):
    save_proof(proof, tmp_path / "proof.json")
    save_verifying_key(vk, tmp_path / "vk.json")
    assert load_proof(tmp_path / "proof.json") == proof
    assert load_verifying_key(tmp_path / "vk.json") == vk
    assert verify(load_verifying_key(tmp_path / "vk.json"), public, load_proof(tmp_path / "proof.json"))


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda p: p.update(pi_a=[p["pi_a"][0], str(int(p["pi_a"][1]) + 1), "1"]), "not on the G1 curve"),
        (lambda p: p.update(pi_a=[str(FQ_MODULUS), "1", "1"]), "not a field element"),
        (lambda p: p.pop("pi_c"), "missing 'pi_c'"),
        (lambda p: p.update(pi_b=[["1", "2"]]), "expected a G2 point"),
        (lambda p: p.update(pi_a=["x", "1", "1"]), "not a decimal number"),
    ],
)
def test_malformed_proof_json_is_rejected(tmp_path, edit, message):
    obj = json.loads((VECTORS / "proof.json").read_text())
    edit(obj)
    (tmp_path / "proof.json").write_text(json.dumps(obj))
    with pytest.raises(JsonFormatError, match=message):
        load_proof(tmp_path / "proof.json")


def test_truncated_json_is_rejected(tmp_path):
    shutil.copy(VECTORS / "verification_key.json", tmp_path / "vk.json")
    text = (tmp_path / "vk.json").read_text()
    (tmp_path / "vk.json").write_text(text[: len(text) // 2])
    with pytest.raises(JsonFormatError, match="not valid JSON"):
        load_verifying_key(tmp_path / "vk.json")


def test_public_json_must_be_list_below_r(tmp_path):
    (tmp_path / "public.json").write_text(json.dumps([str(R_MODULUS)]))
    with pytest.raises(JsonFormatError, match="not a field element"):
        load_public(tmp_path / "public.json")
