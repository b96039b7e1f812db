"""Proving keys: our setup agrees with snarkjs's point for point, files round-trip, damage is refused."""

from __future__ import annotations

import random

import numpy as np
import pytest

from circuits.binfile import FormatError
from circuits.field import FR
from circuits.r1cs import read_r1cs
from prover import bn254
from prover.ptau import read_ptau
from prover.setup import domain_log_size, setup
from prover.zkey import read_zkey, write_zkey
from tests.prover.conftest import js, rewrite_section

ARRAYS = ["ic", "coef_matrix", "coef_constraint", "coef_signal", "coef_value", "a", "b1", "b2", "c", "h"]


def test_zkey_round_trip(samples, tmp_path):
    pk = samples["range"].pk
    write_zkey(pk, tmp_path / "k.zkey")
    back = read_zkey(tmp_path / "k.zkey")
    for name in ARRAYS:
        assert np.array_equal(getattr(back, name), getattr(pk, name)), name
    for name in ["a", "b1", "b2", "c", "h"]:  # what the kernels take without a copy
        arr = getattr(back, name)
        assert arr.flags.writeable and arr.flags.c_contiguous and arr.ctypes.data % 8 == 0, name
    for name in [
        "n_vars",
        "n_public",
        "domain_size",
        "alpha1",
        "beta1",
        "beta2",
        "gamma2",
        "delta1",
        "delta2",
    ]:
        assert getattr(back, name) == getattr(pk, name), name
    assert back.mpc_params == pk.mpc_params


def test_domain_has_room_for_the_public_rows(samples):
    r1cs = samples["public"].r1cs
    assert (1 << domain_log_size(r1cs)) >= r1cs.n_constraints + r1cs.n_public + 1
    assert samples["public"].pk.domain_size == 1 << domain_log_size(r1cs)


def test_setup_refuses_a_ceremony_too_small(samples, tmp_path):
    from prover.ptau import new_ptau

    new_ptau(1, tmp_path / "tiny.ptau", random.Random(0))
    with pytest.raises(ValueError, match="too small"):
        setup(samples["range"].r1cs, read_ptau(tmp_path / "tiny.ptau"))


def test_damaged_zkeys_are_refused(samples, tmp_path):
    good = tmp_path / "good.zkey"
    write_zkey(samples["range"].pk, good)
    data = good.read_bytes()
    (tmp_path / "short.zkey").write_bytes(data[:-100])
    with pytest.raises(FormatError, match=r"short\.zkey"):
        read_zkey(tmp_path / "short.zkey")
    rewrite_section(good, tmp_path / "offcurve.zkey", 5, lambda b: b[:64] + bytes([b[64] ^ 1]) + b[65:])
    with pytest.raises(FormatError, match=r"offcurve\.zkey: A section point 1 is not on the curve"):
        read_zkey(tmp_path / "offcurve.zkey")
    rewrite_section(good, tmp_path / "fewer.zkey", 6, lambda b: b[:-64])
    with pytest.raises(FormatError, match=r"fewer\.zkey: B1 section"):
        read_zkey(tmp_path / "fewer.zkey")
    rewrite_section(
        good, tmp_path / "wire.zkey", 4, lambda b: b[:12] + (10**6).to_bytes(4, "little") + b[16:]
    )
    with pytest.raises(FormatError, match=r"wire\.zkey: a coefficient refers to"):
        read_zkey(tmp_path / "wire.zkey")
    rewrite_section(good, tmp_path / "coef.zkey", 4, lambda b: b[:16] + FR.to_bytes(32, "little") + b[48:])
    with pytest.raises(FormatError, match=r"coef\.zkey: a coefficient is not below the field prime"):
        read_zkey(tmp_path / "coef.zkey")


def _plus_q(word: bytes) -> bytes:
    return (int.from_bytes(word, "little") + bn254.FQ).to_bytes(32, "little")


def test_unreduced_and_off_curve_g2_points_are_refused(samples, tmp_path):
    good = tmp_path / "good.zkey"
    write_zkey(samples["range"].pk, good)
    rewrite_section(good, tmp_path / "big.zkey", 7, lambda b: b[:128] + _plus_q(b[128:160]) + b[160:])
    with pytest.raises(FormatError, match=r"big\.zkey: B2 section point 1 is not on the curve"):
        read_zkey(tmp_path / "big.zkey")
    rewrite_section(good, tmp_path / "off.zkey", 7, lambda b: b[:352] + bytes([b[352] ^ 1]) + b[353:])
    with pytest.raises(FormatError, match=r"off\.zkey: B2 section point 2 is not on the curve"):
        read_zkey(tmp_path / "off.zkey")


@pytest.mark.js
@pytest.mark.slow
def test_our_setup_matches_snarkjs_setup(circom_multiplier, snarkjs_ptau, tmp_path):
    """Same R1CS and ptau: identical A, B1, B2, IC and coefficients, and the same circuit hash.
    (C and H differ by our random δ; snarkjs's fresh key has δ = 1.)"""
    js("snarkjs", "groth16", "setup", circom_multiplier.r1cs, snarkjs_ptau, tmp_path / "theirs.zkey")
    theirs = read_zkey(tmp_path / "theirs.zkey")
    ours = setup(read_r1cs(circom_multiplier.r1cs), read_ptau(snarkjs_ptau), random.Random(5))
    for name in ["ic", "coef_matrix", "coef_constraint", "coef_signal", "coef_value", "a", "b1", "b2"]:
        assert np.array_equal(getattr(ours, name), getattr(theirs, name)), name
    assert ours.mpc_params[:64] == theirs.mpc_params[:64]
    assert (ours.alpha1, ours.beta1, ours.beta2, ours.gamma2) == (
        theirs.alpha1,
        theirs.beta1,
        theirs.beta2,
        theirs.gamma2,
    )
