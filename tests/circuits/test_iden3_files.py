"""iden3 .r1cs and .wtns files: round trips, snarkjs's own check, and clear errors for damaged files."""

from __future__ import annotations

import numpy as np
import pytest

from circuits.binfile import FormatError, read_binfile
from circuits.cs import compile_circuit, solve
from circuits.r1cs import read_r1cs, write_r1cs
from circuits.samples import public_inputs_circuit, range_check
from circuits.wtns import read_wtns, write_wtns
from tests.jstools import js, run_js


@pytest.fixture()
def files(tmp_path):
    r1cs = compile_circuit(range_check(16))
    witness = solve(range_check(16), {"value": 40000})
    write_r1cs(r1cs, tmp_path / "c.r1cs")
    write_wtns(witness, tmp_path / "c.wtns")
    return r1cs, witness, tmp_path / "c.r1cs", tmp_path / "c.wtns"


def test_round_trip(files):
    r1cs, witness, r1cs_path, wtns_path = files
    back = read_r1cs(r1cs_path)
    assert back.constraints == r1cs.constraints
    assert (back.n_wires, back.n_outputs, back.n_pub_inputs, back.n_prv_inputs) == (
        r1cs.n_wires,
        r1cs.n_outputs,
        r1cs.n_pub_inputs,
        r1cs.n_prv_inputs,
    )
    assert read_wtns(wtns_path) == witness


@pytest.mark.js
@pytest.mark.parametrize("tamper", [False, True])
def test_snarkjs_wtns_check(tmp_path, tamper):
    witness = solve(public_inputs_circuit, {"a": 3, "b": 21, "c": 4, "w": 7})
    if tamper:
        witness[4] += 1
    write_r1cs(compile_circuit(public_inputs_circuit), tmp_path / "c.r1cs")
    write_wtns(witness, tmp_path / "c.wtns")
    run = run_js("snarkjs", "wtns", "check", tmp_path / "c.r1cs", tmp_path / "c.wtns")
    assert ("WITNESS IS CORRECT" in run.stdout) is not tamper


@pytest.mark.parametrize("reader", [read_r1cs, read_wtns])
def test_truncated_file_is_a_format_error(files, reader):
    path = files[2] if reader is read_r1cs else files[3]
    data = path.read_bytes()
    for cut in (3, 20, len(data) - 1):
        path.write_bytes(data[:cut])
        with pytest.raises(FormatError, match=str(path.name)):
            reader(path)


def test_wrong_magic_and_prime_are_format_errors(files):
    _, _, _, wtns_path = files
    with pytest.raises(FormatError, match="not a r1cs file"):
        read_r1cs(wtns_path)
    data = bytearray(wtns_path.read_bytes())
    data[28] ^= 0xFF  # inside the prime of the header section
    wtns_path.write_bytes(bytes(data))
    with pytest.raises(FormatError, match="prime"):
        read_wtns(wtns_path)


def test_corrupted_r1cs_term_is_a_format_error(files):
    r1cs, _, r1cs_path, _ = files
    data = bytearray(r1cs_path.read_bytes())
    body_start = data.index(b"\x02\x00\x00\x00", 12 + 12 + 64)  # constraint section type
    data[body_start + 12 + 4 : body_start + 12 + 8] = (r1cs.n_wires + 5).to_bytes(4, "little")
    r1cs_path.write_bytes(bytes(data))
    with pytest.raises(FormatError, match="out of range"):
        read_r1cs(r1cs_path)


def test_missing_file_is_a_format_error(tmp_path):
    with pytest.raises(FormatError, match="cannot read"):
        read_r1cs(tmp_path / "absent.r1cs")


@pytest.mark.js
@pytest.mark.slow
def test_reads_circom_optimised_r1cs(tmp_path):
    """circom --O2 drops private inputs it can substitute, so the header counts more inputs than wires."""
    (tmp_path / "bits.circom").write_text(
        "pragma circom 2.0.0;\n"
        "template Bits() { signal input x; signal output b[4]; var acc = 0;\n"
        "  for (var i = 0; i < 4; i++) {\n"
        "    b[i] <-- (x >> i) & 1; b[i] * (b[i] - 1) === 0; acc += b[i] * 2**i;\n"
        "  }\n"
        "  acc === x; }\n"
        "component main = Bits();\n"
    )
    js("circom2", tmp_path / "bits.circom", "--r1cs", "--O2", "-o", tmp_path)
    r1cs = read_r1cs(tmp_path / "bits.r1cs")
    assert (r1cs.n_outputs, r1cs.n_prv_inputs) == (4, 1)
    assert r1cs.n_wires < 1 + r1cs.n_outputs + r1cs.n_prv_inputs
    assert r1cs.first_unsatisfied([1, 1, 0, 1, 1]) is None
    assert r1cs.first_unsatisfied([1, 2, 0, 1, 1]) is not None


def test_sections_are_read_on_demand_into_arrays(files, tmp_path):
    """A section read into an array is the same bytes as read plainly; a file cut after its table
    was read is an error, not short data."""
    _, witness, _, wtns_path = files
    f = read_binfile(wtns_path, b"wtns", 2)
    values = f.section_into(2, np.empty((len(witness), 4), np.uint64))
    assert values.tobytes() == bytes(f.section(2))
    assert [int.from_bytes(row.tobytes(), "little") for row in values] == witness
    with pytest.raises(FormatError, match=rf"section 2 has {32 * len(witness)} bytes, not"):
        f.section_into(2, np.empty((len(witness) + 1, 4), np.uint64))
    wtns_path.write_bytes(wtns_path.read_bytes()[:-32])
    with pytest.raises(FormatError, match=r"c\.wtns: section 2 ends early"):
        f.section(2)
