"""Import numba without PyYAML when no numba config file is there to read: 12 ms of every start.

numba imports PyYAML when first imported, only to read a ``.numba_config.yaml`` in the working
directory if there is one. With no such file (and yaml not loaded already), numba is imported
while ``yaml`` is marked missing, then the mark is removed, so anything else imports yaml as
usual. With the file, numba is imported unchanged and reads it.
"""

from __future__ import annotations

import os
import sys
from types import ModuleType

NUMBA_CONFIG_FILE = ".numba_config.yaml"


def import_numba() -> ModuleType:
    """``import numba``, leaving PyYAML out when nothing needs it."""
    if "numba" in sys.modules or "yaml" in sys.modules or os.path.exists(NUMBA_CONFIG_FILE):
        import numba

        return numba
    sys.modules["yaml"] = None  # type: ignore[assignment]  # import raises ImportError
    try:
        import numba
    finally:
        del sys.modules["yaml"]
    return numba


numba = import_numba()
