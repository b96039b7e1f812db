"""The compiled Poseidon against the native one, for every width and at the field's edges."""

import random

import numpy as np
import pytest

from circuits.field import FR
from circuits.gadgets.poseidon import poseidon
from prover.bn254 import ints_to_limbs, limbs_to_ints
from rollup.sigcheck.poseidon import poseidon_many


def hash_rows(rows: list[list[int]]) -> list[int]:
    limbs = ints_to_limbs([v for row in rows for v in row]).reshape(len(rows), len(rows[0]), 4)
    return limbs_to_ints(poseidon_many(limbs))


@pytest.mark.parametrize("n_inputs", range(1, 17))
def test_matches_native(n_inputs):
    rng = random.Random(n_inputs)
    rows = [[rng.randrange(FR) for _ in range(n_inputs)] for _ in range(3)]
    rows += [[0] * n_inputs, [FR - 1] * n_inputs]
    assert hash_rows(rows) == [poseidon(row) for row in rows]


def test_many_rows_across_threads_keep_their_order():
    rng = random.Random(7)
    rows = [[rng.randrange(FR) for _ in range(5)] for _ in range(150)]
    assert hash_rows(rows) == [poseidon(row) for row in rows]


def test_rejects_a_wrong_shape():
    with pytest.raises(ValueError, match="limbs"):
        poseidon_many(np.zeros((2, 4), np.uint64))
