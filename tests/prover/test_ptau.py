"""Powers-of-tau files: the dev ceremony's points are consistent, snarkjs agrees on every section."""

from __future__ import annotations

import random

import pytest
from py_ecc import optimized_bn128 as ob

from circuits.binfile import FormatError, read_binfile, write_binfile
from circuits.field import FR
from prover import bn254
from prover.curve import G1, G2
from prover.ptau import lagrange_at, read_ptau
from tests.prover.conftest import DEV_POWER, js


def _interpolate_at(values, log_n, x):
    """Σ values[j]·L_j(x) by the textbook product formula."""
    n = 1 << log_n
    w = bn254.root_of_unity(log_n)
    roots = [pow(w, j, FR) for j in range(n)]
    total = 0
    for j, v in enumerate(values):
        num, den = 1, 1
        for k, r in enumerate(roots):
            if k != j:
                num = num * (x - r) % FR
                den = den * (roots[j] - r) % FR
        total += v * num * pow(den, -1, FR)
    return total % FR


@pytest.mark.parametrize("log_n", [0, 1, 3])
def test_lagrange_scalars_match_the_product_formula(log_n):
    tau = random.Random(log_n).randrange(FR)
    fast = lagrange_at(tau, log_n)
    for j in range(1 << log_n):
        unit = [1 if k == j else 0 for k in range(1 << log_n)]
        assert fast[j] == _interpolate_at(unit, log_n, tau)


def test_dev_ptau_points_are_consistent(dev_ptau):
    ptau = dev_ptau
    assert ptau.power == DEV_POWER and ptau.prepared
    tau_g1 = bn254.g1_from_array(ptau.tau_g1[:3])
    tau_g2 = bn254.g2_from_array(ptau.tau_g2[:2])
    assert tau_g1[0] == G1.generator and tau_g2[0] == G2.generator
    to1 = lambda p: (ob.FQ(p[0]), ob.FQ(p[1]), ob.FQ.one())  # noqa: E731
    to2 = lambda p: (ob.FQ2(list(p[0])), ob.FQ2(list(p[1])), ob.FQ2.one())  # noqa: E731
    # e(τ²·G1, G2) = e(τ·G1, τ·G2): the powers share one τ across groups
    assert ob.pairing(to2(tau_g2[0]), to1(tau_g1[2])) == ob.pairing(to2(tau_g2[1]), to1(tau_g1[1]))
    # In every Lagrange block Σ_j L_j(τ)·G = G and Σ_j w^j·L_j(τ)·G = τ·G
    for name, group, generator, tau_point in (
        ("g1", G1, G1.generator, tau_g1[1]),
        ("g2", G2, G2.generator, tau_g2[1]),
    ):
        for log_n in range(1, DEV_POWER + 1):
            block = ptau.lagrange(name, log_n)
            points = bn254.g1_from_array(block) if group is G1 else bn254.g2_from_array(block)
            w = bn254.root_of_unity(log_n)
            assert group.msm(points, [1] * len(points)) == generator
            assert group.msm(points, [pow(w, j, FR) for j in range(len(points))]) == tau_point


def test_truncated_and_damaged_ptau_files_are_refused(dev_ptau_path, tmp_path):
    data = dev_ptau_path.read_bytes()
    (tmp_path / "short.ptau").write_bytes(data[: len(data) // 2])
    with pytest.raises(FormatError, match=r"short\.ptau"):
        read_ptau(tmp_path / "short.ptau")
    f = read_binfile(dev_ptau_path, b"ptau", 1)
    sections = [(k, bytes(f.section(k))) for k in sorted(f.sections)]
    sections[1] = (2, sections[1][1][:-64])  # one tauG1 point missing
    write_binfile(tmp_path / "missing.ptau", b"ptau", 1, sections)
    with pytest.raises(FormatError, match=r"missing\.ptau: section 2 \(tauG1\)"):
        read_ptau(tmp_path / "missing.ptau")
    (tmp_path / "other.ptau").write_bytes(b"zkey" + data[4:])
    with pytest.raises(FormatError, match="not a ptau file"):
        read_ptau(tmp_path / "other.ptau")


@pytest.mark.js
@pytest.mark.slow
def test_snarkjs_prepares_our_ceremony_to_the_same_bytes(dev_ptau_path, tmp_path):
    """Strip our Lagrange sections, let snarkjs prepare phase 2, and compare every section."""
    ours = read_binfile(dev_ptau_path, b"ptau", 1)
    write_binfile(tmp_path / "raw.ptau", b"ptau", 1, [(k, bytes(ours.section(k))) for k in range(1, 8)])
    js("snarkjs", "powersoftau", "prepare", "phase2", tmp_path / "raw.ptau", tmp_path / "prepared.ptau")
    theirs = read_binfile(tmp_path / "prepared.ptau", b"ptau", 1)
    assert sorted(theirs.sections) == sorted(ours.sections)
    for kind in ours.sections:
        assert bytes(theirs.section(kind)) == bytes(ours.section(kind)), f"section {kind} differs"
