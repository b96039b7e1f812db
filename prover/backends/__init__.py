"""Prover backends by name; each is imported only when asked for, so nothing compiles at import."""

from __future__ import annotations

import importlib

from prover.backends.base import Backend

BACKENDS: dict[str, str] = {
    "fast": "prover.backends.fast:FastBackend",
    "reference": "prover.backends.reference:ReferenceBackend",
}


def get_backend(name: str) -> Backend:
    """An instance of the backend registered under ``name``."""
    if name not in BACKENDS:
        raise ValueError(f"unknown backend {name!r} (known: {', '.join(sorted(BACKENDS))})")
    module, _, cls = BACKENDS[name].partition(":")
    return getattr(importlib.import_module(module), cls)()
