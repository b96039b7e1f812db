"""Fq, Fq2 and Fr kernels against Python integers, on random values and the edges 0, 1, p-1."""

from __future__ import annotations

import random

import numpy as np
import pytest
from numba import njit

from circuits.field import FR
from prover.bn254 import FQ, ints_to_limbs, limbs_to_ints
from prover.kernels.convert import from_montgomery, limbs_from_bytes, limbs_to_bytes, to_montgomery
from prover.kernels.fields import (
    f_add,
    f_eq,
    f_inv,
    f_is_zero,
    f_mul,
    f_neg,
    f_sqr,
    f_sub,
    fr_add,
    fr_inv,
    fr_mul,
    fr_sub,
    load4,
    store4,
)

R = 1 << 256
OPS = ["add", "sub", "mul", "sqr", "neg", "inv", "is_zero", "eq"]


@njit(cache=True)
def _apply_fq(op, a, b, out, flags):
    """Row-wise Fq operation number ``op`` (index into OPS) on Montgomery limb rows."""
    for i in range(a.shape[0]):
        x, y = load4(a, i), load4(b, i)
        if op == 0:
            store4(out, i, f_add(x, y))
        elif op == 1:
            store4(out, i, f_sub(x, y))
        elif op == 2:
            store4(out, i, f_mul(x, y))
        elif op == 3:
            store4(out, i, f_sqr(x))
        elif op == 4:
            store4(out, i, f_neg(x))
        elif op == 5:
            store4(out, i, f_inv(x))
        elif op == 6:
            flags[i] = f_is_zero(x)
        else:
            flags[i] = f_eq(x, y)


@njit(cache=True)
def _apply_fq2(op, a, b, out):
    """Row-wise Fq2 operation (add, sub, mul, sqr, neg, inv) on rows (c0, c1) of Montgomery limbs."""
    for i in range(a.shape[0]):
        x = (load4(a[i], 0), load4(a[i], 1))
        y = (load4(b[i], 0), load4(b[i], 1))
        if op == 0:
            z = f_add(x, y)
        elif op == 1:
            z = f_sub(x, y)
        elif op == 2:
            z = f_mul(x, y)
        elif op == 3:
            z = f_sqr(x)
        elif op == 4:
            z = f_neg(x)
        else:
            z = f_inv(x)
        store4(out[i], 0, z[0])
        store4(out[i], 1, z[1])


@njit(cache=True)
def _apply_fr(op, a, b, out):
    for i in range(a.shape[0]):
        x, y = load4(a, i), load4(b, i)
        if op == 0:
            store4(out, i, fr_add(x, y))
        elif op == 1:
            store4(out, i, fr_sub(x, y))
        elif op == 2:
            store4(out, i, fr_mul(x, y))
        else:
            store4(out, i, fr_inv(x))


def _operands(modulus: int, rng: random.Random) -> tuple[list[int], list[int]]:
    edges = [0, 1, modulus - 1, 2]
    xs = [e for e in edges for _ in edges] + [rng.randrange(modulus) for _ in range(40)]
    ys = [e for _ in edges for e in edges] + [rng.randrange(modulus) for _ in range(40)]
    xs += [5, modulus - 7]
    ys += [5, modulus - 7]  # equal pairs for eq
    return xs, ys


def _mont(values: list[int], modulus: int) -> np.ndarray:
    return ints_to_limbs([v * R % modulus for v in values])


def _unmont(rows: np.ndarray, modulus: int) -> list[int]:
    r_inv = pow(R, -1, modulus)
    return [v * r_inv % modulus for v in limbs_to_ints(rows)]


def _expected(op: str, x: int, y: int, p: int):
    return {
        "add": lambda: (x + y) % p,
        "sub": lambda: (x - y) % p,
        "mul": lambda: x * y % p,
        "sqr": lambda: x * x % p,
        "neg": lambda: -x % p,
        "inv": lambda: pow(x, -1, p) if x else 0,
        "is_zero": lambda: x == 0,
        "eq": lambda: x == y,
    }[op]()


@pytest.mark.parametrize("op", OPS)
def test_fq_operations_match_integers(op):
    xs, ys = _operands(FQ, random.Random(op))
    out = np.zeros((len(xs), 4), np.uint64)
    flags = np.zeros(len(xs), np.bool_)
    _apply_fq(OPS.index(op), _mont(xs, FQ), _mont(ys, FQ), out, flags)
    expected = [_expected(op, x, y, FQ) for x, y in zip(xs, ys, strict=True)]
    got = flags.tolist() if op in ("is_zero", "eq") else _unmont(out, FQ)
    assert got == expected
    if op not in ("is_zero", "eq"):
        assert all(v < FQ for v in limbs_to_ints(out)), "results must stay fully reduced"


def _fq2_mul(a, b):
    return ((a[0] * b[0] - a[1] * b[1]) % FQ, (a[0] * b[1] + a[1] * b[0]) % FQ)


def _fq2_inv(a):
    if a == (0, 0):
        return (0, 0)
    norm_inv = pow(a[0] * a[0] + a[1] * a[1], -1, FQ)
    return (a[0] * norm_inv % FQ, -a[1] * norm_inv % FQ)


@pytest.mark.parametrize("op", ["add", "sub", "mul", "sqr", "neg", "inv"])
def test_fq2_operations_match_integers(op):
    rng = random.Random(op)
    xs = [(0, 0), (1, 0), (0, 1), (FQ - 1, FQ - 1)] + [
        (rng.randrange(FQ), rng.randrange(FQ)) for _ in range(30)
    ]
    ys = [(rng.randrange(FQ), rng.randrange(FQ)) for _ in xs]
    expected = {
        "add": lambda a, b: ((a[0] + b[0]) % FQ, (a[1] + b[1]) % FQ),
        "sub": lambda a, b: ((a[0] - b[0]) % FQ, (a[1] - b[1]) % FQ),
        "mul": _fq2_mul,
        "sqr": lambda a, b: _fq2_mul(a, a),
        "neg": lambda a, b: (-a[0] % FQ, -a[1] % FQ),
        "inv": lambda a, b: _fq2_inv(a),
    }[op]
    a = _mont([c for v in xs for c in v], FQ).reshape(-1, 2, 4)
    b = _mont([c for v in ys for c in v], FQ).reshape(-1, 2, 4)
    out = np.zeros_like(a)
    _apply_fq2(["add", "sub", "mul", "sqr", "neg", "inv"].index(op), a, b, out)
    flat = _unmont(out.reshape(-1, 4), FQ)
    assert list(zip(flat[::2], flat[1::2], strict=True)) == [
        expected(x, y) for x, y in zip(xs, ys, strict=True)
    ]


@pytest.mark.parametrize("op", ["add", "sub", "mul", "inv"])
def test_fr_operations_match_integers(op):
    xs, ys = _operands(FR, random.Random(op))
    out = np.zeros((len(xs), 4), np.uint64)
    _apply_fr(["add", "sub", "mul", "inv"].index(op), _mont(xs, FR), _mont(ys, FR), out)
    assert _unmont(out, FR) == [_expected(op, x, y, FR) for x, y in zip(xs, ys, strict=True)]


@pytest.mark.parametrize("field, modulus", [("fq", FQ), ("fr", FR)])
def test_montgomery_conversion_round_trips(field, modulus):
    rng = random.Random(field)
    values = [0, 1, modulus - 1] + [rng.randrange(modulus) for _ in range(20)]
    standard = ints_to_limbs(values).reshape(-1, 1, 4)  # any leading shape is kept
    mont = to_montgomery(standard, field)
    assert mont.shape == standard.shape
    assert limbs_to_ints(mont) == [v * R % modulus for v in values]
    assert limbs_to_ints(from_montgomery(mont, field)) == values
    assert limbs_to_ints(from_montgomery(to_montgomery(mont, field), field, times=2)) == values
    r_inv = pow(R, -1, modulus)
    assert limbs_to_ints(from_montgomery(mont, field, times=2)) == [v * r_inv % modulus for v in values]


def test_montgomery_conversion_rejects_unknown_field_and_shape():
    with pytest.raises(ValueError, match="field"):
        to_montgomery(ints_to_limbs([1]), "fp")
    with pytest.raises(ValueError, match="limb rows"):
        to_montgomery(np.zeros((2, 3), np.uint64), "fr")


def test_bytes_round_trip_is_32_byte_little_endian():
    values = [1, FR - 1, 2**200 + 3]
    data = b"".join(v.to_bytes(32, "little") for v in values)
    rows = limbs_from_bytes(data)
    assert rows.flags.writeable and limbs_to_ints(rows) == values
    assert limbs_to_bytes(rows) == data
    assert limbs_to_ints(limbs_from_bytes(data + b"\0" * 32, count=3)) == values
    with pytest.raises(ValueError, match="whole number"):
        limbs_from_bytes(data[:-1])
    with pytest.raises(ValueError, match="need"):
        limbs_from_bytes(data, count=4)
