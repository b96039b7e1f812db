"""numba's start-up trimmed for the prover: PyYAML is left out unless a numba config file needs it,
and the prover's kernels skip the scan for numba extensions that other functions still run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numba.core.entrypoints
from numba import njit

from prover.kernels.checks import _first_off_curve_in

ROOT = Path(__file__).resolve().parents[2]

# In a fresh process in the current folder: import the kernels, report whether numba loaded
# PyYAML and the bounds-check setting it ended with, then import yaml (still importable).
SCRIPT = """
import sys
import prover.kernels
import numba.core.config
print("yaml" in sys.modules, numba.core.config.BOUNDSCHECK)
import yaml
print(yaml.safe_load("a: 1"))
"""


def run_in(folder: Path) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("NUMBA_BOUNDSCHECK", None)
    out = subprocess.run([sys.executable, "-c", SCRIPT], cwd=folder, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.splitlines()


def test_numba_imports_without_yaml_when_no_config_file(tmp_path):
    assert run_in(tmp_path) == ["False None", "{'a': 1}"]


def test_a_numba_config_file_is_still_read(tmp_path):
    (tmp_path / ".numba_config.yaml").write_text("boundscheck: 1\n")
    assert run_in(tmp_path) == ["True 1", "{'a': 1}"]


def test_only_prover_kernels_skip_the_extension_scan(monkeypatch):
    calls: list[str] = []
    monkeypatch.setattr(numba.core.entrypoints, "init_all", lambda: calls.append("scan"))

    @njit
    def elsewhere(x):
        return x + 1

    _first_off_curve_in._compilation_chain_init_hook()
    assert calls == []
    elsewhere._compilation_chain_init_hook()
    assert calls == ["scan"]


# A fresh process: a cached kernel's first call, then a compilation; which of numba's array
# registries (with the BLAS probe) and scipy's linalg each brought in.
PROBE_SCRIPT = """
import sys
import numpy as np
from numba import njit
from prover.kernels.checks import first_off_curve
first_off_curve(np.zeros((2, 2, 4), np.uint64))
print("numba.np.arraymath" in sys.modules)
njit(lambda x: x + 1)(1)
print("numba.np.arraymath" in sys.modules, "scipy.linalg" in sys.modules)
"""


def test_blas_probe_answered_only_when_compiling(kernels_in_cache):
    out = subprocess.run([sys.executable, "-c", PROBE_SCRIPT], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "True", "False"]
