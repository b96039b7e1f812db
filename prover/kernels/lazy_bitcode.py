"""Cached kernels load without parsing their LLVM bitcode: ~40 ms of a proof's first call.

numba caches a kernel as its machine code plus its optimised LLVM bitcode; loading parses the
bitcode at once (about 40 % of the load), although only linking the kernel into a function
compiled later needs it, and takes from it just the names of the symbols the code defines. Here a
loaded library keeps the bitcode and parses it the first time it is asked for (to link); the names
come from the machine code's ELF symbol table instead, the same set (tested). Machine code that is
not a 64-bit little-endian ELF object, and any library loaded outside the prover's kernels, load
as numba loads them.
"""

from __future__ import annotations

import contextlib
import struct
import threading
from collections.abc import Iterator

from llvmlite import binding as llvm
from numba.core import codegen

_SYMTAB = 2  # ELF section type of a symbol table
_SYMBOL_TYPES_SKIPPED = (3, 4)  # STT_SECTION, STT_FILE: not symbols of the code
_state = threading.local()


def elf_defined_symbols(object_code: bytes) -> set[str] | None:
    """Names of the symbols a 64-bit little-endian ELF object defines, or None for anything else."""
    if object_code[:6] != b"\x7fELF\x02\x01":
        return None
    try:
        (section_offset,) = struct.unpack_from("<Q", object_code, 0x28)
        entry_size, count = struct.unpack_from("<HH", object_code, 0x3A)
        sections = [struct.unpack_from("<IIQQQQIIQQ", object_code, section_offset + i * entry_size)
                    for i in range(count)]  # fmt: skip
        names: set[str] = set()
        for _, kind, _, _, offset, size, link, _, _, symbol_size in sections:
            if kind != _SYMTAB:
                continue
            strings = sections[link][4]
            for pos in range(offset, offset + size, symbol_size):
                name_at, info, _, section = struct.unpack_from("<IBBH", object_code, pos)
                if name_at and section and info & 0xF not in _SYMBOL_TYPES_SKIPPED:
                    start = strings + name_at
                    names.add(object_code[start : object_code.index(b"\0", start)].decode())
        return names
    except (struct.error, ValueError, IndexError):
        return None


class LazyBitcodeLibrary(codegen.JITCodeLibrary):
    """A JIT library loaded from object code whose bitcode is parsed when first needed."""

    _pending_bitcode: bytes | None = None

    @property
    def _shared_module(self):
        if self._pending_bitcode is not None:
            self.__dict__["_parsed_shared_module"] = llvm.parse_bitcode(self._pending_bitcode)
            self._pending_bitcode = None
        return self.__dict__.get("_parsed_shared_module")

    @_shared_module.setter
    def _shared_module(self, module) -> None:
        self._pending_bitcode = None
        self.__dict__["_parsed_shared_module"] = module


def _unserialize(jit_codegen, serialized):
    """numba's ``unserialize_library`` for object code, less the bitcode parse; None if not ELF."""
    name, kind, data = serialized
    if kind != "object" or not hasattr(getattr(jit_codegen, "_engine", None), "_defined_symbols"):
        return None
    object_code, bitcode = data
    symbols = elf_defined_symbols(object_code)
    if symbols is None:
        return None
    library = LazyBitcodeLibrary(jit_codegen, name)
    library.enable_object_caching()
    library._set_compiled_object(object_code)
    library._pending_bitcode = bitcode
    library._finalize_final_module()
    jit_codegen._engine._defined_symbols |= symbols
    return library


_numba_unserialize_library = codegen.JITCPUCodegen.unserialize_library


def _unserialize_library(self, serialized):
    """``JITCPUCodegen.unserialize_library``, lazy about bitcode inside :func:`loading_lazily`."""
    if getattr(_state, "lazy", False):
        library = _unserialize(self, serialized)
        if library is not None:
            return library
    return _numba_unserialize_library(self, serialized)


@contextlib.contextmanager
def loading_lazily() -> Iterator[None]:
    """Libraries this thread loads inside the block keep their bitcode unparsed until needed."""
    before = getattr(_state, "lazy", False)
    _state.lazy = True
    try:
        yield
    finally:
        _state.lazy = before


def install() -> None:
    """Make numba's JIT codegen load lazily inside :func:`loading_lazily` (nothing changes when the
    numba internals this relies on are missing)."""
    needed = ("_finalize_final_module", "enable_object_caching", "_set_compiled_object")
    if all(hasattr(codegen.JITCodeLibrary, name) for name in needed):
        codegen.JITCPUCodegen.unserialize_library = _unserialize_library
