"""Shared prover fixtures: sample circuits with keys from a small dev ceremony, and snarkjs/circom
artefacts built once per session in a temporary directory."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from circuits.binfile import read_binfile, write_binfile
from circuits.cs import compile_circuit, solve
from circuits.r1cs import R1CS, write_r1cs
from circuits.samples import multiplication_chain, public_inputs_circuit, range_check
from circuits.wtns import write_wtns
from prover.keys import ProvingKey
from prover.ptau import PowersOfTau, new_ptau, read_ptau
from prover.setup import setup
from tests.jstools import ROOT, js

DEV_POWER = 5
SNARKJS_POWER = 5

SAMPLE_CASES: dict[str, tuple[Callable, dict[str, int]]] = {
    "mulchain": (multiplication_chain(4), {"x": 3}),
    "public": (public_inputs_circuit, {"a": 3, "b": 21, "c": 5, "w": 7}),
    "range": (range_check(4), {"value": 13}),
}


@dataclass
class Sample:
    name: str
    r1cs: R1CS
    witness: list[int]
    pk: ProvingKey
    r1cs_path: Path
    wtns_path: Path


def rewrite_section(src: Path, dst: Path, kind: int, transform: Callable[[bytes], bytes]) -> None:
    """Copy a .zkey with one section's bytes replaced by ``transform(bytes)``."""
    f = read_binfile(src, b"zkey", 2)
    sections = [(k, bytes(f.section(k))) for k in sorted(f.sections)]
    write_binfile(dst, b"zkey", 1, [(k, transform(v) if k == kind else v) for k, v in sections])


@pytest.fixture(scope="session")
def kernels_in_cache() -> None:
    """Every prover kernel is in the on-disk cache (compiled here once if not), so that fresh
    processes a test starts load them rather than compile them."""
    from prover.backends.fast import warm_up

    warm_up()


@pytest.fixture(scope="session")
def dev_ptau_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("ptau") / "dev.ptau"
    new_ptau(DEV_POWER, path, random.Random(2024))
    return path


@pytest.fixture(scope="session")
def dev_ptau(dev_ptau_path) -> PowersOfTau:
    return read_ptau(dev_ptau_path)


@pytest.fixture(scope="session")
def samples(dev_ptau, tmp_path_factory) -> dict[str, Sample]:
    out = tmp_path_factory.mktemp("samples")
    result = {}
    for name, (define, inputs) in SAMPLE_CASES.items():
        r1cs = compile_circuit(define)
        witness = solve(define, inputs)
        write_r1cs(r1cs, out / f"{name}.r1cs")
        write_wtns(witness, out / f"{name}.wtns")
        pk = setup(r1cs, dev_ptau, random.Random(len(name)))
        result[name] = Sample(name, r1cs, witness, pk, out / f"{name}.r1cs", out / f"{name}.wtns")
    return result


@pytest.fixture(scope="session")
def snarkjs_ptau(tmp_path_factory) -> Path:
    """A 2^SNARKJS_POWER ceremony made by snarkjs: new, one contribution, prepare phase2."""
    d = tmp_path_factory.mktemp("snarkjs_ptau")
    js("snarkjs", "powersoftau", "new", "bn128", SNARKJS_POWER, d / "p0.ptau")
    js(
        "snarkjs",
        "powersoftau",
        "contribute",
        d / "p0.ptau",
        d / "p1.ptau",
        "--name=test",
        "-e=zkclear tests",
    )
    js("snarkjs", "powersoftau", "prepare", "phase2", d / "p1.ptau", d / "final.ptau")
    return d / "final.ptau"


@dataclass
class CircomCircuit:
    dir: Path
    r1cs: Path
    wtns: Path
    zkey: Path  # snarkjs groth16 setup + one zkey contribute
    vk: Path


@pytest.fixture(scope="session")
def circom_multiplier(tmp_path_factory, snarkjs_ptau) -> CircomCircuit:
    """tests/circom/multiplier.circom compiled by circom2, keyed and witnessed by snarkjs (a=3, b=11)."""
    d = tmp_path_factory.mktemp("circom")
    js("circom2", ROOT / "tests" / "circom" / "multiplier.circom", "--r1cs", "--wasm", "-o", d)
    (d / "input.json").write_text(json.dumps({"a": "3", "b": "11"}))
    js(
        "snarkjs",
        "wtns",
        "calculate",
        d / "multiplier_js" / "multiplier.wasm",
        d / "input.json",
        d / "w.wtns",
    )
    js("snarkjs", "groth16", "setup", d / "multiplier.r1cs", snarkjs_ptau, d / "m0.zkey")
    js("snarkjs", "zkey", "contribute", d / "m0.zkey", d / "m1.zkey", "--name=test", "-e=more entropy")
    js("snarkjs", "zkey", "export", "verificationkey", d / "m1.zkey", d / "vk.json")
    return CircomCircuit(d, d / "multiplier.r1cs", d / "w.wtns", d / "m1.zkey", d / "vk.json")
