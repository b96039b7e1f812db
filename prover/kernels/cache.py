"""Where numba keeps compiled kernels, and whether they are compiled yet."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

from prover.kernels.numba_import import numba

DEFAULT_CACHE_DIR = Path.home() / ".cache" / "zkclear" / "numba"
_KERNEL_DIR = Path(__file__).resolve().parent


def _kernel_fingerprint() -> str:
    """A digest of the kernel sources, their location and the toolchain: a change to any means
    recompiling (numba also keys its cache by source path, so a second checkout compiles afresh)."""
    digest = hashlib.sha256(f"{numba.__version__} {sys.version} {_KERNEL_DIR}".encode())
    for path in sorted(_KERNEL_DIR.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def configure_cache_dir() -> Path:
    """Point numba's cache at a folder of ``$NUMBA_CACHE_DIR`` (set to ``~/.cache/zkclear/numba``
    when unset) named after the kernel sources, and return that folder.

    numba checks a cached function against its own source file only, so a kernel whose inlined
    helpers changed in another file would load stale; a folder per version of all the kernel
    sources rules that out. numba reads the variable when first imported, and another package
    may have imported it already, so the live config is set too; kernels defined afterwards use it.
    """
    base = Path(os.environ.setdefault("NUMBA_CACHE_DIR", str(DEFAULT_CACHE_DIR))).expanduser()
    kernel_dir = base / f"kernels-{_kernel_fingerprint()}"
    kernel_dir.mkdir(parents=True, exist_ok=True)
    numba.core.config.CACHE_DIR = str(kernel_dir)
    return kernel_dir


def _marker() -> Path:
    return configure_cache_dir() / "zkclear-warm"


def is_cache_cold() -> bool:
    """True when the kernels have not been compiled into the cache for this source and numba."""
    return not _marker().exists()


def mark_cache_warm() -> None:
    """Record that every kernel has been compiled into the cache (called after a warm-up)."""
    _marker().touch()
