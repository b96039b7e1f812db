"""The fast backend's compile cache (where it lives, whether a warm-up is due), and whole proofs on it."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import numba.core.config
import pytest

from prover import bn254
from prover.backends import fast
from prover.curve import G1
from prover.groth16 import prove
from prover.kernels import cache
from verifier.groth16 import verify

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def empty_cache(tmp_path, monkeypatch) -> Path:
    """A fresh NUMBA_CACHE_DIR for the marker; numba's live setting is restored afterwards."""
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "numba"))
    monkeypatch.setattr(numba.core.config, "CACHE_DIR", numba.core.config.CACHE_DIR)
    return tmp_path / "numba"


def test_cache_is_cold_until_warm_up(empty_cache):
    assert fast.kernels_cold()
    assert any(empty_cache.glob("kernels-*"))
    fast.warm_up()
    assert not fast.kernels_cold()


def test_cache_dir_defaults_under_home(monkeypatch):
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setattr(numba.core.config, "CACHE_DIR", numba.core.config.CACHE_DIR)
    kernel_dir = cache.configure_cache_dir()
    assert kernel_dir.parent == Path.home() / ".cache" / "zkclear" / "numba"
    assert kernel_dir.name.startswith("kernels-")
    assert str(kernel_dir) == numba.core.config.CACHE_DIR


def test_importing_the_backend_compiles_nothing(tmp_path):
    """Import alone leaves the (empty) cache directory empty: kernels compile on first use."""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    code = "import prover.backends.fast, prover.kernels.msm, prover.kernels.poly, prover.kernels.convert"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


_CACHED_MSM = """
import sys
from prover import bn254
from prover.backends.fast import FastBackend
points = bn254.g1_to_array([bn254.G1_GENERATOR, bn254.G1_GENERATOR, None])
print(FastBackend().msm_g1(points, bn254.ints_to_limbs([3, 4, 5])))
print("numba.np.random.generator_core" in sys.modules)
"""


def test_cached_kernels_load_without_numba_registries():
    """A warm process loads the MSM kernels straight from the cache (numba's typing and lowering
    registries, which only compilation needs, stay unloaded) and they compute the right sum."""
    for _ in range(2):  # the first run fills the cache if it is cold
        done = subprocess.run(
            [sys.executable, "-c", _CACHED_MSM], cwd=ROOT, capture_output=True, text=True, check=True
        )
    result, registries_loaded = done.stdout.split("\n")[:2]
    assert result == str(G1.msm([bn254.G1_GENERATOR], [7]))
    assert registries_loaded == "False"


@pytest.mark.slow
@pytest.mark.parametrize("name", ["mulchain", "public", "range"])
def test_fast_proof_equals_reference_proof_and_verifies(samples, name):
    """Same key, witness and blinding: the two backends must produce the very same proof."""
    sample = samples[name]
    fast_proof, public = prove(sample.pk, sample.witness, backend="fast", rng=random.Random(3))
    reference_proof, _ = prove(sample.pk, sample.witness, backend="reference", rng=random.Random(3))
    assert fast_proof == reference_proof
    assert verify(sample.pk.verifying_key(), public, fast_proof)
