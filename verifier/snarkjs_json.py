"""snarkjs's JSON files: proof.json, public.json and verification_key.json, read with validation.

Points appear in projective form as decimal strings: G1 [x, y, z], G2 [[x0, x1], [y0, y1], [z0, z1]],
z = 1 for finite points and z = 0 for the point at infinity. The curve checks (and the pairing module
behind them) are imported by the readers only: writing a proof needs none of them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from verifier.types import G1Point, G2Point, Proof, VerifyingKey


class JsonFormatError(ValueError):
    """A JSON file is malformed or holds an invalid value; the message names the file."""


def _load(path: str | Path) -> Any:
    try:
        return json.loads(Path(path).read_text())
    except OSError as exc:
        raise JsonFormatError(f"{path}: cannot read ({exc.strerror})") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise JsonFormatError(f"{path}: not valid JSON ({exc})") from exc


def _dump(path: str | Path, value: Any) -> None:
    path = Path(path)
    tmp = path.with_name(path.name + ".partial")
    tmp.write_text(json.dumps(value, indent=1) + "\n")
    tmp.replace(path)


def _int(value: Any, where: str, modulus: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise JsonFormatError(f"{where}: expected a decimal string, got {type(value).__name__}")
    try:
        n = int(value, 10) if isinstance(value, str) else value
    except ValueError as exc:
        raise JsonFormatError(f"{where}: {value!r} is not a decimal number") from exc
    if not 0 <= n < modulus:
        raise JsonFormatError(f"{where}: value is not a field element (must be below {modulus})")
    return n


def _g1(value: Any, where: str) -> G1Point:
    from verifier.curve import FQ_MODULUS, check_g1

    if not isinstance(value, list) or len(value) not in (2, 3):
        raise JsonFormatError(f"{where}: expected a G1 point [x, y, z]")
    x, y = (_int(v, where, FQ_MODULUS) for v in value[:2])
    z = _int(value[2], where, FQ_MODULUS) if len(value) == 3 else 1
    if z == 0:
        return None
    if z != 1:
        raise JsonFormatError(f"{where}: G1 point must be affine (z = 1) or infinity (z = 0)")
    try:
        return check_g1((x, y))
    except ValueError as exc:
        raise JsonFormatError(f"{where}: {exc}") from exc


def _fq2(value: Any, where: str) -> tuple[int, int]:
    from verifier.curve import FQ_MODULUS

    if not isinstance(value, list) or len(value) != 2:
        raise JsonFormatError(f"{where}: expected an Fq2 element [c0, c1]")
    return _int(value[0], where, FQ_MODULUS), _int(value[1], where, FQ_MODULUS)


def _g2(value: Any, where: str) -> G2Point:
    from verifier.curve import check_g2

    if not isinstance(value, list) or len(value) not in (2, 3):
        raise JsonFormatError(f"{where}: expected a G2 point [[x0, x1], [y0, y1], [z0, z1]]")
    x, y = _fq2(value[0], where), _fq2(value[1], where)
    z = _fq2(value[2], where) if len(value) == 3 else (1, 0)
    if z == (0, 0):
        return None
    if z != (1, 0):
        raise JsonFormatError(f"{where}: G2 point must be affine (z = 1) or infinity (z = 0)")
    try:
        return check_g2((x, y))
    except ValueError as exc:
        raise JsonFormatError(f"{where}: {exc}") from exc


def _field(obj: dict[str, Any], key: str, path: str | Path) -> Any:
    if key not in obj:
        raise JsonFormatError(f"{path}: missing {key!r}")
    return obj[key]


def _object(path: str | Path) -> dict[str, Any]:
    obj = _load(path)
    if not isinstance(obj, dict):
        raise JsonFormatError(f"{path}: expected a JSON object")
    return obj


def load_proof(path: str | Path) -> Proof:
    return proof_from_json(_object(path), str(path))


def proof_from_json(obj: Any, where: str) -> Proof:
    """A proof from proof.json's object; ``where`` names its place in messages."""
    if not isinstance(obj, dict):
        raise JsonFormatError(f"{where}: expected a proof object")
    return Proof(
        a=_g1(_field(obj, "pi_a", where), f"{where}: pi_a"),
        b=_g2(_field(obj, "pi_b", where), f"{where}: pi_b"),
        c=_g1(_field(obj, "pi_c", where), f"{where}: pi_c"),
    )


def load_public(path: str | Path) -> list[int]:
    """Public signals; each must be below r."""
    return public_from_json(_load(path), str(path))


def public_from_json(values: Any, where: str) -> list[int]:
    """Public signals from public.json's list; each must be below r."""
    from verifier.curve import R_MODULUS

    if not isinstance(values, list):
        raise JsonFormatError(f"{where}: expected a JSON list of decimal strings")
    return [_int(v, f"{where}: public[{i}]", R_MODULUS) for i, v in enumerate(values)]


def load_verifying_key(path: str | Path) -> VerifyingKey:
    obj = _object(path)
    if obj.get("protocol", "groth16") != "groth16":
        raise JsonFormatError(f"{path}: protocol {obj.get('protocol')!r} is not groth16")
    if obj.get("curve", "bn128") not in ("bn128", "bn254"):
        raise JsonFormatError(f"{path}: curve {obj.get('curve')!r} is not bn128")
    ic_raw = _field(obj, "IC", path)
    if not isinstance(ic_raw, list) or not ic_raw:
        raise JsonFormatError(f"{path}: IC must be a non-empty list of G1 points")
    vk = VerifyingKey(
        alpha1=_g1(_field(obj, "vk_alpha_1", path), f"{path}: vk_alpha_1"),
        beta2=_g2(_field(obj, "vk_beta_2", path), f"{path}: vk_beta_2"),
        gamma2=_g2(_field(obj, "vk_gamma_2", path), f"{path}: vk_gamma_2"),
        delta2=_g2(_field(obj, "vk_delta_2", path), f"{path}: vk_delta_2"),
        ic=tuple(_g1(p, f"{path}: IC[{i}]") for i, p in enumerate(ic_raw)),
    )
    n_public = obj.get("nPublic", vk.n_public)
    if n_public != vk.n_public:
        raise JsonFormatError(f"{path}: nPublic is {n_public} but IC has {len(ic_raw)} points")
    return vk


def _g1_json(p: G1Point) -> list[str]:
    return ["0", "1", "0"] if p is None else [str(p[0]), str(p[1]), "1"]


def _g2_json(p: G2Point) -> list[list[str]]:
    if p is None:
        return [["0", "0"], ["1", "0"], ["0", "0"]]
    return [[str(p[0][0]), str(p[0][1])], [str(p[1][0]), str(p[1][1])], ["1", "0"]]


def proof_to_json(proof: Proof) -> dict[str, Any]:
    return {
        "pi_a": _g1_json(proof.a),
        "pi_b": _g2_json(proof.b),
        "pi_c": _g1_json(proof.c),
        "protocol": "groth16",
        "curve": "bn128",
    }


def save_proof(proof: Proof, path: str | Path) -> None:
    _dump(path, proof_to_json(proof))


def save_public(public: list[int], path: str | Path) -> None:
    _dump(path, [str(v) for v in public])


def verifying_key_to_json(vk: VerifyingKey) -> dict[str, Any]:
    """snarkjs's layout, less ``vk_alphabeta_12`` (a cache of e(α, β) that verification never reads)."""
    return {
        "protocol": "groth16",
        "curve": "bn128",
        "nPublic": vk.n_public,
        "vk_alpha_1": _g1_json(vk.alpha1),
        "vk_beta_2": _g2_json(vk.beta2),
        "vk_gamma_2": _g2_json(vk.gamma2),
        "vk_delta_2": _g2_json(vk.delta2),
        "IC": [_g1_json(p) for p in vk.ic],
    }


def save_verifying_key(vk: VerifyingKey, path: str | Path) -> None:
    _dump(path, verifying_key_to_json(vk))
