"""numba's runtime library loaded from object code kept in the kernel cache: ~20 ms of every start.

Before the first compiled function runs, numba initialises its runtime (NRT): it installs the C
helpers' symbols, then builds a small LLVM module (atomic reference counts, meminfo access) from IR
and compiles it, in every process. That module depends only on numba and the target machine, so
its object code is saved once in the kernel cache folder, under a name keyed by numba's version
and the codegen's target description, and later processes load it as numba loads a cached kernel.
The file carries a SHA-256 of its contents: a missing, damaged or foreign file is compiled afresh
(and saved again); without the numba internals this relies on, numba initialises as usual.
"""

from __future__ import annotations

import hashlib
import os
import struct
from pathlib import Path

import numba
from llvmlite import binding as llvm
from numba.core import config
from numba.core.compiler_lock import global_compiler_lock
from numba.core.runtime import _nrt_python, nrt, nrtdynmod

_MAGIC = b"zkclear-nrt-object-1\n"
_DIGEST_BYTES = 32


def _supported(target_context) -> bool:
    """The numba internals used here are present, and no NRT debugging option changes the module."""
    codegen = target_context.codegen()
    return (
        hasattr(nrt.rtsys, "_init")
        and hasattr(_nrt_python, "c_helpers")
        and hasattr(nrtdynmod, "create_nrt_module")
        and all(hasattr(codegen, name) for name in ("magic_tuple", "unserialize_library", "create_library"))
        and not (config.NRT_STATS or config.DEBUG_NRT)
    )


def _key(target_context) -> bytes:
    return repr((numba.__version__, target_context.codegen().magic_tuple())).encode()


def saved_runtime_path(target_context, folder: str | Path) -> Path:
    """Where the runtime's object code for this numba and target machine is kept under ``folder``."""
    return Path(folder) / f"nrt-{hashlib.sha256(_key(target_context)).hexdigest()[:16]}.bin"


def _encode(key: bytes, object_code: bytes, bitcode: bytes) -> bytes:
    body = struct.pack("<QQQ", len(key), len(object_code), len(bitcode)) + key + object_code + bitcode
    return _MAGIC + hashlib.sha256(body).digest() + body


def _decode(data: bytes, key: bytes) -> tuple[bytes, bytes] | None:
    """(object code, bitcode) from a saved file, or None if it is damaged or for another key."""
    start = len(_MAGIC) + _DIGEST_BYTES
    if len(data) < start + 24 or not data.startswith(_MAGIC):
        return None
    body = data[start:]
    if hashlib.sha256(body).digest() != data[len(_MAGIC) : start]:
        return None
    key_len, object_len, bitcode_len = struct.unpack_from("<QQQ", body)
    if 24 + key_len + object_len + bitcode_len != len(body) or body[24 : 24 + key_len] != key:
        return None
    object_start = 24 + key_len
    return body[object_start : object_start + object_len], body[object_start + object_len :]


def _install_c_helpers() -> None:
    """Make the runtime's C functions visible to compiled code, as ``rtsys.initialize`` does."""
    for py_name, address in _nrt_python.c_helpers.items():
        llvm.add_symbol(py_name if py_name.startswith("_") else "NRT_" + py_name, address)


def _load(target_context, path: Path, key: bytes):
    """The runtime library from the saved object code, or None when there is none usable."""
    try:
        parts = _decode(path.read_bytes(), key)
    except OSError:
        return None
    if parts is None:
        return None
    try:
        return target_context.codegen().unserialize_library(("nrt", "object", parts))
    except (RuntimeError, ValueError):
        return None


def _compile_and_save(target_context, path: Path, key: bytes):
    """Compile the runtime library as numba does, keeping its object code; save it (best effort)."""
    ir_module, library = nrtdynmod.create_nrt_module(target_context)
    library.enable_object_caching()
    library.add_ir_module(ir_module)
    library.finalize()
    _, _, (object_code, bitcode) = library.serialize_using_object_code()
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    try:
        partial.write_bytes(_encode(key, object_code, bitcode))
        partial.replace(path)
    except OSError:
        partial.unlink(missing_ok=True)
    return library


@global_compiler_lock
def initialize_runtime(target_context, folder: str | Path | None = None) -> str:
    """Initialise numba's runtime once per process, from object code saved under ``folder``
    (default: numba's cache folder) when there is one. Says how: "loaded", "saved" (compiled
    and saved), "numba" (numba's own initialisation) or "ready" (already initialised)."""
    rtsys = nrt.rtsys
    if getattr(rtsys, "_init", False):
        return "ready"
    if not (folder or config.CACHE_DIR) or not _supported(target_context):
        rtsys.initialize(target_context)
        return "numba"
    key = _key(target_context)
    path = saved_runtime_path(target_context, folder or config.CACHE_DIR)
    _install_c_helpers()
    library = _load(target_context, path, key)
    how = "loaded"
    if library is None:
        library, how = _compile_and_save(target_context, path, key), "saved"
    rtsys._library = library
    rtsys._init = True
    return how
