"""The zkclear Groth16 commands: snarkjs drop-ins both ways, exit codes, one-line errors for bad input."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from circuits.binfile import read_binfile, write_binfile
from cli import main
from tests.prover.conftest import DEV_POWER, js, rewrite_section

pytestmark = pytest.mark.slow


def zk(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def assert_bad_input(result, *fragments: str) -> None:
    """Exit code 2, the named fragments in a one-line message, never a traceback."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)
    for fragment in fragments:
        assert fragment in result.output, result.output


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["groth16"],
        ["groth16", "setup"],
        ["groth16", "dev-setup"],
        ["groth16", "prove"],
        ["groth16", "verify"],
        ["zkey", "export", "verificationkey"],
        ["ptau", "new"],
        ["example"],
        ["warmup"],
    ],
)
def test_help_everywhere(command):
    result = zk(*command, "--help")
    assert result.exit_code == 0 and "Usage:" in result.output


@pytest.mark.js
def test_dev_setup_key_serves_both_provers(samples, tmp_path):
    """snarkjs proves with our development key and we verify; we prove and snarkjs verifies."""
    sample, d = samples["public"], tmp_path
    made = zk("groth16", "dev-setup", sample.r1cs_path, d / "dev.zkey", "--quiet")
    assert made.exit_code == 0, made.output
    assert zk("zkey", "export", "verificationkey", d / "dev.zkey", d / "vk.json").exit_code == 0
    js("snarkjs", "groth16", "prove", d / "dev.zkey", sample.wtns_path, d / "theirs.json", d / "pub.json")
    assert zk("groth16", "verify", d / "vk.json", d / "pub.json", d / "theirs.json").exit_code == 0
    ours = zk("groth16", "prove", d / "dev.zkey", sample.wtns_path, d / "ours.json", d / "pub.json")
    assert ours.exit_code == 0, ours.output
    assert "OK!" in js("snarkjs", "groth16", "verify", d / "vk.json", d / "pub.json", d / "ours.json")


def test_dev_setup_refuses_a_file_that_is_not_an_r1cs(tmp_path):
    (tmp_path / "bad.r1cs").write_bytes(b"not an r1cs")
    assert_bad_input(zk("groth16", "dev-setup", tmp_path / "bad.r1cs", tmp_path / "k.zkey"), "bad.r1cs")


@pytest.fixture(scope="module")
def keyed(samples, dev_ptau_path, tmp_path_factory):
    """The range sample set up, proved and its verification key exported through the CLI."""
    sample = samples["range"]
    d = tmp_path_factory.mktemp("cli")
    assert zk("groth16", "setup", sample.r1cs_path, dev_ptau_path, d / "c.zkey").exit_code == 0
    prove = zk("groth16", "prove", d / "c.zkey", sample.wtns_path, d / "proof.json", d / "public.json")
    assert prove.exit_code == 0, prove.output
    assert zk("zkey", "export", "verificationkey", d / "c.zkey", d / "vk.json").exit_code == 0
    return sample, d


def test_cli_round_trip_and_invalid_proof_exit_code(keyed):
    sample, d = keyed
    assert json.loads((d / "public.json").read_text()) == [
        str(v) for v in sample.r1cs.public_values(sample.witness)
    ]
    ok = zk("groth16", "verify", d / "vk.json", d / "public.json", d / "proof.json")
    assert ok.exit_code == 0 and "OK!" in ok.output
    (d / "wrong_public.json").write_text(json.dumps(["14"]))
    bad = zk("groth16", "verify", d / "vk.json", d / "wrong_public.json", d / "proof.json")
    assert bad.exit_code == 1 and "Invalid proof" in bad.output


def test_prover_refuses_an_unsatisfied_witness(keyed, tmp_path):
    from circuits.wtns import write_wtns

    sample, d = keyed
    bad = list(sample.witness)
    bad[-1] += 1
    write_wtns(bad, tmp_path / "bad.wtns")
    named = zk(
        "groth16",
        "prove",
        d / "c.zkey",
        tmp_path / "bad.wtns",
        tmp_path / "p.json",
        tmp_path / "q.json",
        "--r1cs",
        sample.r1cs_path,
    )
    assert_bad_input(named, "bad.wtns", "is not satisfied")
    unnamed = zk(
        "groth16", "prove", d / "c.zkey", tmp_path / "bad.wtns", tmp_path / "p.json", tmp_path / "q.json"
    )
    assert_bad_input(unnamed, "bad.wtns", "the witness does not satisfy the circuit")
    assert not (tmp_path / "p.json").exists()


def _truncate(src, dst):
    data = src.read_bytes()
    dst.write_bytes(data[: len(data) - 40])
    return dst


def test_bad_input_files_exit_2_with_a_named_message(keyed, dev_ptau_path, tmp_path):
    sample, d = keyed
    zkey, wtns, r1cs = d / "c.zkey", sample.wtns_path, sample.r1cs_path
    out = (tmp_path / "p.json", tmp_path / "q.json")
    bad_zkey = _truncate(zkey, tmp_path / "bad.zkey")
    assert_bad_input(zk("groth16", "prove", bad_zkey, wtns, *out), "bad.zkey")
    assert_bad_input(zk("zkey", "export", "verificationkey", bad_zkey, tmp_path / "vk.json"), "bad.zkey")
    flip = lambda b: b[:64] + bytes([b[64] ^ 1]) + b[65:]  # noqa: E731
    rewrite_section(zkey, tmp_path / "offcurve.zkey", 5, flip)
    assert_bad_input(
        zk("groth16", "prove", tmp_path / "offcurve.zkey", wtns, *out), "offcurve.zkey", "not on the curve"
    )
    bad_wtns = _truncate(wtns, tmp_path / "bad.wtns")
    assert_bad_input(zk("groth16", "prove", zkey, bad_wtns, *out), "bad.wtns")
    bad_r1cs = _truncate(r1cs, tmp_path / "bad.r1cs")
    assert_bad_input(zk("groth16", "setup", bad_r1cs, dev_ptau_path, tmp_path / "k.zkey"), "bad.r1cs")
    assert_bad_input(zk("groth16", "prove", zkey, wtns, *out, "--r1cs", bad_r1cs), "bad.r1cs")
    bad_ptau = _truncate(dev_ptau_path, tmp_path / "bad.ptau")
    assert_bad_input(zk("groth16", "setup", r1cs, bad_ptau, tmp_path / "k.zkey"), "bad.ptau")
    assert_bad_input(zk("groth16", "prove", tmp_path / "missing.zkey", wtns, *out), "missing.zkey")
    f = read_binfile(dev_ptau_path, b"ptau", 1)
    sections = [(k, bytes(f.section(k))) for k in sorted(f.sections)]
    lagrange = bytearray(dict(sections)[12])
    for k in range(DEV_POWER + 2):  # the first point of every block: whichever setup reads is bad
        lagrange[((1 << k) - 1) * 64 + 10] ^= 1
    write_binfile(
        tmp_path / "offcurve.ptau", b"ptau", 1, [(k, bytes(lagrange) if k == 12 else v) for k, v in sections]
    )
    assert_bad_input(
        zk("groth16", "setup", r1cs, tmp_path / "offcurve.ptau", tmp_path / "k.zkey"), "offcurve.ptau"
    )

    (tmp_path / "broken.json").write_text("{not json")
    assert_bad_input(
        zk("groth16", "verify", d / "vk.json", d / "public.json", tmp_path / "broken.json"), "broken.json"
    )
    proof = json.loads((d / "proof.json").read_text())
    proof["pi_a"][1] = str(int(proof["pi_a"][1]) + 1)  # y + 1: off the curve
    (tmp_path / "offcurve.json").write_text(json.dumps(proof))
    result = zk("groth16", "verify", d / "vk.json", d / "public.json", tmp_path / "offcurve.json")
    assert_bad_input(result, "offcurve.json")
    (tmp_path / "two.json").write_text(json.dumps(["1", "2"]))
    assert_bad_input(
        zk("groth16", "verify", d / "vk.json", tmp_path / "two.json", d / "proof.json"), "public"
    )


@pytest.mark.parametrize("backend", ["fast", "reference"])
def test_prove_quiet_prints_nothing_and_progress_names_steps(keyed, tmp_path, backend):
    sample, d = keyed
    files = (d / "c.zkey", sample.wtns_path, tmp_path / "p.json", tmp_path / "pub.json")
    quiet = zk("groth16", "prove", "--backend", backend, "--quiet", *files)
    assert quiet.exit_code == 0 and quiet.output == ""
    chatty = zk("groth16", "prove", "--backend", backend, *files)
    assert chatty.exit_code == 0
    assert "reading proving key" in chatty.output and "proving and checking the proof" in chatty.output
    assert zk("groth16", "verify", d / "vk.json", tmp_path / "pub.json", tmp_path / "p.json").exit_code == 0


def test_warmup_leaves_the_kernels_cached():
    from prover.backends.fast import kernels_cold

    result = zk("warmup")
    assert result.exit_code == 0 and "prover kernels" in result.output
    assert not kernels_cold()


def test_example_runs_end_to_end():
    result = zk("example", "--circuit", "public")
    assert result.exit_code == 0, result.output
    assert "proof verifies" in result.output


@pytest.mark.js
def test_we_prove_with_snarkjs_zkey_and_wtns_and_snarkjs_accepts(circom_multiplier, tmp_path):
    c = circom_multiplier
    result = zk("groth16", "prove", c.zkey, c.wtns, tmp_path / "proof.json", tmp_path / "public.json")
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "public.json").read_text()) == ["33", "3"]
    assert "OK!" in js(
        "snarkjs", "groth16", "verify", c.vk, tmp_path / "public.json", tmp_path / "proof.json"
    )
    ours = zk(
        "groth16", "prove", c.zkey, c.wtns, tmp_path / "p2.json", tmp_path / "q2.json", "--r1cs", c.r1cs
    )
    assert ours.exit_code == 0, ours.output


@pytest.mark.js
def test_we_accept_snarkjs_proofs_and_reject_tampered_ones(circom_multiplier, tmp_path):
    c = circom_multiplier
    js("snarkjs", "groth16", "prove", c.zkey, c.wtns, tmp_path / "proof.json", tmp_path / "public.json")
    assert zk("groth16", "verify", c.vk, tmp_path / "public.json", tmp_path / "proof.json").exit_code == 0
    ours_vk = tmp_path / "vk.json"
    assert zk("zkey", "export", "verificationkey", c.zkey, ours_vk).exit_code == 0
    assert zk("groth16", "verify", ours_vk, tmp_path / "public.json", tmp_path / "proof.json").exit_code == 0
    (tmp_path / "wrong.json").write_text(json.dumps(["33", "4"]))
    assert zk("groth16", "verify", c.vk, tmp_path / "wrong.json", tmp_path / "proof.json").exit_code == 1


@pytest.mark.js
def test_snarkjs_proves_with_our_zkey_from_a_snarkjs_ptau(circom_multiplier, snarkjs_ptau, tmp_path):
    c = circom_multiplier
    assert zk("groth16", "setup", c.r1cs, snarkjs_ptau, tmp_path / "ours.zkey").exit_code == 0
    js(
        "snarkjs",
        "groth16",
        "prove",
        tmp_path / "ours.zkey",
        c.wtns,
        tmp_path / "proof.json",
        tmp_path / "public.json",
    )
    assert (
        zk("zkey", "export", "verificationkey", tmp_path / "ours.zkey", tmp_path / "vk.json").exit_code == 0
    )
    assert (
        zk(
            "groth16", "verify", tmp_path / "vk.json", tmp_path / "public.json", tmp_path / "proof.json"
        ).exit_code
        == 0
    )
    js("snarkjs", "zkey", "export", "verificationkey", tmp_path / "ours.zkey", tmp_path / "their_vk.json")
    assert "OK!" in js(
        "snarkjs",
        "groth16",
        "verify",
        tmp_path / "their_vk.json",
        tmp_path / "public.json",
        tmp_path / "proof.json",
    )


@pytest.mark.js
def test_snarkjs_sets_up_from_our_ptau(circom_multiplier, tmp_path):
    c = circom_multiplier
    result = zk("ptau", "new", 4, tmp_path / "ours.ptau")
    assert result.exit_code == 0 and "development only" in result.output
    js("snarkjs", "groth16", "setup", c.r1cs, tmp_path / "ours.ptau", tmp_path / "k.zkey")
    shutil.copy(c.wtns, tmp_path / "w.wtns")
    js(
        "snarkjs",
        "groth16",
        "prove",
        tmp_path / "k.zkey",
        tmp_path / "w.wtns",
        tmp_path / "proof.json",
        tmp_path / "public.json",
    )
    assert zk("zkey", "export", "verificationkey", tmp_path / "k.zkey", tmp_path / "vk.json").exit_code == 0
    assert (
        zk(
            "groth16", "verify", tmp_path / "vk.json", tmp_path / "public.json", tmp_path / "proof.json"
        ).exit_code
        == 0
    )
