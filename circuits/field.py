"""The scalar field Fr of BN254, in which every circuit value lives."""

FR = 21888242871839275222246405745257275088548364400416034343698204186575808495617
FR_BYTES = 32


def inv_mod(x: int, modulus: int = FR) -> int:
    """Multiplicative inverse modulo a prime; raises ZeroDivisionError for 0."""
    if x % modulus == 0:
        raise ZeroDivisionError("0 has no inverse")
    return pow(x, -1, modulus)


def batch_inverse(values: list[int], modulus: int = FR) -> list[int]:
    """Inverses of non-zero values with one exponentiation (Montgomery's trick: 3 products each)."""
    prefix = []
    acc = 1
    for v in values:
        prefix.append(acc)
        acc = acc * v % modulus
    inv = inv_mod(acc, modulus)
    out = [0] * len(values)
    for i in range(len(values) - 1, -1, -1):
        out[i] = inv * prefix[i] % modulus
        inv = inv * values[i] % modulus
    return out
