"""Where numba keeps compiled kernels, and whether they are compiled yet."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import numba
import numba.core.config

DEFAULT_CACHE_DIR = Path.home() / ".cache" / "zkclear" / "numba"
_KERNEL_DIR = Path(__file__).resolve().parent


def configure_cache_dir() -> Path:
    """Point numba's cache at ``$NUMBA_CACHE_DIR``, defaulting it to ``~/.cache/zkclear/numba``.

    numba reads the variable when it is imported, and another package may have imported it
    first, so the live config is set as well; kernels defined afterwards use it.
    """
    cache_dir = Path(os.environ.setdefault("NUMBA_CACHE_DIR", str(DEFAULT_CACHE_DIR))).expanduser()
    cache_dir.mkdir(parents=True, exist_ok=True)
    numba.core.config.CACHE_DIR = str(cache_dir)
    return cache_dir


def _kernel_fingerprint() -> str:
    """A digest of the kernel sources and the toolchain: a change to either means recompiling."""
    digest = hashlib.sha256(f"{numba.__version__} {sys.version}".encode())
    for path in sorted(_KERNEL_DIR.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _marker() -> Path:
    return configure_cache_dir() / f"zkclear-warm-{_kernel_fingerprint()}"


def is_cache_cold() -> bool:
    """True when the kernels have not been compiled into the cache for this source and numba."""
    return not _marker().exists()


def mark_cache_warm() -> None:
    """Record that every kernel has been compiled into the cache (called after a warm-up)."""
    _marker().touch()
