"""A tiny circom circuit whose one public input is the batch commitment, set up and proved with snarkjs.

It proves nothing about the exchange (that is the batch circuit's job); it binds a proof to one
commitment so the contracts' checks can be tested end to end with real Groth16 proofs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from tests.jstools import js
from verifier.snarkjs_json import load_proof, load_verifying_key
from verifier.types import Proof, VerifyingKey

CIRCUIT = """pragma circom 2.0.0;

template CommitmentOnly() {
    signal input commitment;
    signal input secret;
    signal product;
    product <== commitment * secret;
}

component main {public [commitment]} = CommitmentOnly();
"""


@dataclass(eq=False)
class CommitmentSnark:
    """Setup artifacts of the commitment circuit, and a prover for any commitment (cached)."""

    workdir: Path
    vk: VerifyingKey
    snarkjs_verifier_source: str
    _proofs: dict[int, Proof] = field(default_factory=dict)

    @classmethod
    def setup(cls, workdir: Path) -> CommitmentSnark:
        (workdir / "commitment.circom").write_text(CIRCUIT)
        js("circom2", workdir / "commitment.circom", "--r1cs", "--wasm", "-o", workdir)
        ptau0, ptau1, ptau = (workdir / f"pot{i}.ptau" for i in range(3))
        js("snarkjs", "powersoftau", "new", "bn128", 4, ptau0)
        js("snarkjs", "powersoftau", "contribute", ptau0, ptau1, "--name=test", "-e=chain tests entropy")
        js("snarkjs", "powersoftau", "prepare", "phase2", ptau1, ptau)
        zkey0, zkey = workdir / "c0.zkey", workdir / "c.zkey"
        js("snarkjs", "groth16", "setup", workdir / "commitment.r1cs", ptau, zkey0)
        js("snarkjs", "zkey", "contribute", zkey0, zkey, "--name=test", "-e=more entropy")
        js("snarkjs", "zkey", "export", "verificationkey", zkey, workdir / "verification_key.json")
        js("snarkjs", "zkey", "export", "solidityverifier", zkey, workdir / "SnarkjsVerifier.sol")
        return cls(
            workdir=workdir,
            vk=load_verifying_key(workdir / "verification_key.json"),
            snarkjs_verifier_source=(workdir / "SnarkjsVerifier.sol").read_text(),
        )

    def prove(self, commitment: int) -> Proof:
        """A snarkjs proof with public input ``commitment``."""
        if commitment not in self._proofs:
            stem = self.workdir / f"p{len(self._proofs)}"
            Path(f"{stem}.input.json").write_text(json.dumps({"commitment": str(commitment), "secret": "7"}))
            js(
                "snarkjs",
                "groth16",
                "fullprove",
                f"{stem}.input.json",
                self.workdir / "commitment_js" / "commitment.wasm",
                self.workdir / "c.zkey",
                f"{stem}.proof.json",
                f"{stem}.public.json",
            )
            self._proofs[commitment] = load_proof(f"{stem}.proof.json")
        return self._proofs[commitment]
