"""The scalar field Fr of BN254, in which every circuit value lives."""

FR = 21888242871839275222246405745257275088548364400416034343698204186575808495617
FR_BYTES = 32


def inv_mod(x: int, modulus: int = FR) -> int:
    """Multiplicative inverse modulo a prime; raises ZeroDivisionError for 0."""
    if x % modulus == 0:
        raise ZeroDivisionError("0 has no inverse")
    return pow(x, -1, modulus)
