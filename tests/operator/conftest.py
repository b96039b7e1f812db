"""A cache of batch proving keys for the whole test run, so tests proving the same circuit set it up once."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def circuit_keys(tmp_path_factory):
    return tmp_path_factory.mktemp("circuit-keys")
