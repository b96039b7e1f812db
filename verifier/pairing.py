"""BN254's optimal ate pairing product, in plain Python ints: the check a Groth16 verifier makes.

py_ecc carries every Miller-loop step in Fq12 (its lines and points live there), which makes one
Groth16 verification about a second. Here the G2 points stay on the twist over Fq2 (affine: a
Python modular inverse is cheap), each line is a sparse Fq12 element multiplied in with 10 Fq2
products, all pairs share one Miller loop (one squaring of f per step), and the final
exponentiation uses the q-power Frobenius for its easy part. Same pairing value as py_ecc's.

Tower: Fq2 = Fq[u]/(u² + 1), Fq6 = Fq2[v]/(v³ − ξ) with ξ = 9 + u, Fq12 = Fq6[w]/(w² − v).
An Fq2 element is (c0, c1); Fq6 (a0, a1, a2) means a0 + a1·v + a2·v²; Fq12 (b0, b1) means b0 + b1·w.
The twist is y² = x³ + 3/ξ, mapped into E(Fq12) by (x, y) ↦ (x·w², y·w³).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583
R = 21888242871839275222246405745257275088548364400416034343698204186575808495617
ATE_LOOP_COUNT = 29793968203157093288  # 6x + 2 for BN254's x = 4965661367192848881
_HARD_EXPONENT = (Q**4 - Q**2 + 1) // R

Fq2 = tuple[int, int]
Fq6 = tuple[Fq2, Fq2, Fq2]
Fq12 = tuple[Fq6, Fq6]
G1Affine = tuple[int, int]
G2Affine = tuple[Fq2, Fq2]
Point = TypeVar("Point", G1Affine | None, G2Affine | None)

# --- Fq2 ----------------------------------------------------------------------------------------

F2_ZERO: Fq2 = (0, 0)
F2_ONE: Fq2 = (1, 0)


def f2_add(a: Fq2, b: Fq2) -> Fq2:
    return ((a[0] + b[0]) % Q, (a[1] + b[1]) % Q)


def f2_sub(a: Fq2, b: Fq2) -> Fq2:
    return ((a[0] - b[0]) % Q, (a[1] - b[1]) % Q)


def f2_neg(a: Fq2) -> Fq2:
    return (-a[0] % Q, -a[1] % Q)


def f2_mul(a: Fq2, b: Fq2) -> Fq2:
    t0, t1 = a[0] * b[0], a[1] * b[1]
    return ((t0 - t1) % Q, ((a[0] + a[1]) * (b[0] + b[1]) - t0 - t1) % Q)


def f2_sqr(a: Fq2) -> Fq2:
    return ((a[0] + a[1]) * (a[0] - a[1]) % Q, 2 * a[0] * a[1] % Q)


def f2_scale(a: Fq2, k: int) -> Fq2:
    return (a[0] * k % Q, a[1] * k % Q)


def f2_conj(a: Fq2) -> Fq2:
    """a^q: the Frobenius of Fq2."""
    return (a[0], -a[1] % Q)


def f2_inv(a: Fq2) -> Fq2:
    d = pow(a[0] * a[0] + a[1] * a[1], -1, Q)
    return (a[0] * d % Q, -a[1] * d % Q)


def f2_mul_xi(a: Fq2) -> Fq2:
    """a·ξ with ξ = 9 + u."""
    return ((9 * a[0] - a[1]) % Q, (a[0] + 9 * a[1]) % Q)


def f2_pow(a: Fq2, e: int) -> Fq2:
    out = F2_ONE
    for bit in bin(e)[2:]:
        out = f2_sqr(out)
        if bit == "1":
            out = f2_mul(out, a)
    return out


# --- Fq6 and Fq12 ---------------------------------------------------------------------------------

F6_ZERO: Fq6 = (F2_ZERO, F2_ZERO, F2_ZERO)
F6_ONE: Fq6 = (F2_ONE, F2_ZERO, F2_ZERO)
F12_ONE: Fq12 = (F6_ONE, F6_ZERO)


def f6_add(a: Fq6, b: Fq6) -> Fq6:
    return (f2_add(a[0], b[0]), f2_add(a[1], b[1]), f2_add(a[2], b[2]))


def f6_sub(a: Fq6, b: Fq6) -> Fq6:
    return (f2_sub(a[0], b[0]), f2_sub(a[1], b[1]), f2_sub(a[2], b[2]))


def f6_mul(a: Fq6, b: Fq6) -> Fq6:
    """Karatsuba over v³ = ξ: six Fq2 products."""
    a0, a1, a2 = a
    b0, b1, b2 = b
    t0, t1, t2 = f2_mul(a0, b0), f2_mul(a1, b1), f2_mul(a2, b2)
    c0 = f2_add(t0, f2_mul_xi(f2_sub(f2_sub(f2_mul(f2_add(a1, a2), f2_add(b1, b2)), t1), t2)))
    c1 = f2_add(f2_sub(f2_sub(f2_mul(f2_add(a0, a1), f2_add(b0, b1)), t0), t1), f2_mul_xi(t2))
    c2 = f2_add(f2_sub(f2_sub(f2_mul(f2_add(a0, a2), f2_add(b0, b2)), t0), t2), t1)
    return (c0, c1, c2)


def f6_mul_by_01(a: Fq6, b0: Fq2, b1: Fq2) -> Fq6:
    """a·(b0 + b1·v): five Fq2 products."""
    a0, a1, a2 = a
    t0, t1 = f2_mul(a0, b0), f2_mul(a1, b1)
    c0 = f2_add(t0, f2_mul_xi(f2_mul(a2, b1)))
    c1 = f2_sub(f2_sub(f2_mul(f2_add(a0, a1), f2_add(b0, b1)), t0), t1)
    c2 = f2_add(f2_mul(a2, b0), t1)
    return (c0, c1, c2)


def f6_scale(a: Fq6, k: int) -> Fq6:
    return (f2_scale(a[0], k), f2_scale(a[1], k), f2_scale(a[2], k))


def f6_mul_v(a: Fq6) -> Fq6:
    """a·v (v³ = ξ)."""
    return (f2_mul_xi(a[2]), a[0], a[1])


def f6_inv(a: Fq6) -> Fq6:
    a0, a1, a2 = a
    t0 = f2_sub(f2_sqr(a0), f2_mul_xi(f2_mul(a1, a2)))
    t1 = f2_sub(f2_mul_xi(f2_sqr(a2)), f2_mul(a0, a1))
    t2 = f2_sub(f2_sqr(a1), f2_mul(a0, a2))
    d = f2_inv(f2_add(f2_mul(a0, t0), f2_mul_xi(f2_add(f2_mul(a2, t1), f2_mul(a1, t2)))))
    return (f2_mul(t0, d), f2_mul(t1, d), f2_mul(t2, d))


def f12_mul(a: Fq12, b: Fq12) -> Fq12:
    t0, t1 = f6_mul(a[0], b[0]), f6_mul(a[1], b[1])
    cross = f6_mul(f6_add(a[0], a[1]), f6_add(b[0], b[1]))
    return (f6_add(t0, f6_mul_v(t1)), f6_sub(f6_sub(cross, t0), t1))


def f12_sqr(a: Fq12) -> Fq12:
    """(a0 + a1·w)² = a0² + v·a1² + 2·a0·a1·w, with two Fq6 products."""
    a0, a1 = a
    ab = f6_mul(a0, a1)
    c0 = f6_sub(f6_sub(f6_mul(f6_add(a0, a1), f6_add(a0, f6_mul_v(a1))), ab), f6_mul_v(ab))
    return (c0, f6_add(ab, ab))


def f12_conj(a: Fq12) -> Fq12:
    """a^(q⁶): w^(q⁶) = −w."""
    return (a[0], f6_sub(F6_ZERO, a[1]))


def f12_inv(a: Fq12) -> Fq12:
    a0, a1 = a
    d = f6_inv(f6_sub(f6_mul(a0, a0), f6_mul_v(f6_mul(a1, a1))))
    return (f6_mul(a0, d), f6_sub(F6_ZERO, f6_mul(a1, d)))


# w^k ↦ w^(k·q) = ξ^(k(q−1)/6)·w^k; an Fq12 element's coefficient of w^k is b_(k mod 2)[k // 2].
_FROBENIUS_W = [f2_pow((9, 1), k * (Q - 1) // 6) for k in range(6)]


def f12_frobenius(a: Fq12) -> Fq12:
    """a^q."""
    half = tuple(
        tuple(f2_mul(f2_conj(a[j][i]), _FROBENIUS_W[2 * i + j]) for i in range(3)) for j in range(2)
    )
    return half  # type: ignore[return-value]


def _fq4_sqr(a: Fq2, b: Fq2) -> tuple[Fq2, Fq2]:
    """(a + b·y)² in Fq4 = Fq2[y]/(y² − ξ): three Fq2 products."""
    ab = f2_mul(a, b)
    return f2_sub(f2_sub(f2_mul(f2_add(a, b), f2_add(a, f2_mul_xi(b))), ab), f2_mul_xi(ab)), f2_add(ab, ab)


def f12_cyclotomic_sqr(a: Fq12) -> Fq12:
    """a² for a in the cyclotomic subgroup (a^(q⁶+1)... = 1, as after the easy part of the final
    exponentiation): Granger–Scott, three Fq4 squarings instead of two Fq6 products."""
    (z0, z4, z3), (z2, z1, z5) = a
    t0, t1 = _fq4_sqr(z0, z1)
    t2, t3 = _fq4_sqr(z2, z3)
    t4, t5 = _fq4_sqr(z4, z5)

    def minus(t: Fq2, z: Fq2) -> Fq2:  # 3t − 2z
        return f2_sub(f2_scale(t, 3), f2_add(z, z))

    def plus(t: Fq2, z: Fq2) -> Fq2:  # 3t + 2z
        return f2_add(f2_scale(t, 3), f2_add(z, z))

    return (
        (minus(t0, z0), minus(t2, z4), minus(t4, z3)),
        (plus(f2_mul_xi(t5), z2), plus(t1, z1), plus(t3, z5)),
    )


def f12_cyclotomic_pow(a: Fq12, e: int) -> Fq12:
    """a^e for a in the cyclotomic subgroup: 4-bit fixed windows over cyclotomic squarings."""
    table = [F12_ONE, a]
    for _ in range(14):
        table.append(f12_mul(table[-1], a))
    out = F12_ONE
    digits = bin(e)[2:]
    digits = "0" * (-len(digits) % 4) + digits
    for k in range(0, len(digits), 4):
        if out is not F12_ONE:
            for _ in range(4):
                out = f12_cyclotomic_sqr(out)
        chunk = int(digits[k : k + 4], 2)
        if chunk:
            out = table[chunk] if out is F12_ONE else f12_mul(out, table[chunk])
    return out


def final_exponentiation(f: Fq12) -> Fq12:
    """f^((q¹² − 1)/r) as f^((q⁶ − 1)(q² + 1)) (conjugate, inverse, Frobenius), then the hard part
    (q⁴ − q² + 1)/r in the cyclotomic subgroup the easy part lands in."""
    f = f12_mul(f12_conj(f), f12_inv(f))
    f = f12_mul(f12_frobenius(f12_frobenius(f)), f)
    return f12_cyclotomic_pow(f, _HARD_EXPONENT)


# --- the twist (G2 over Fq2) and G1, affine ------------------------------------------------------

B2: Fq2 = f2_mul((3, 0), f2_inv((9, 1)))  # 3/ξ


def g2_is_on_curve(p: G2Affine) -> bool:
    x, y = p
    return f2_sub(f2_sqr(y), f2_add(f2_mul(f2_sqr(x), x), B2)) == F2_ZERO


def g2_add(p: G2Affine | None, q: G2Affine | None) -> G2Affine | None:
    """Affine addition on the twist, with doubling and P + (−P) = O (None)."""
    if p is None:
        return q
    if q is None:
        return p
    if p[0] == q[0]:
        if p[1] != q[1] or p[1] == F2_ZERO:
            return None
        slope = f2_mul(f2_scale(f2_sqr(p[0]), 3), f2_inv(f2_scale(p[1], 2)))
    else:
        slope = f2_mul(f2_sub(q[1], p[1]), f2_inv(f2_sub(q[0], p[0])))
    x = f2_sub(f2_sub(f2_sqr(slope), p[0]), q[0])
    return (x, f2_sub(f2_mul(slope, f2_sub(p[0], x)), p[1]))


def _double_and_add(add: Callable[[Point, Point], Point], p: Point, k: int) -> Point:
    """k·p by binary double-and-add over ``add`` (None is the identity)."""
    out = None
    for bit in bin(k)[2:]:
        out = add(out, out)
        if bit == "1":
            out = add(out, p)
    return out


def g2_multiply(p: G2Affine | None, k: int) -> G2Affine | None:
    return _double_and_add(g2_add, p, k)


def g2_in_subgroup(p: G2Affine) -> bool:
    """[r]P = O: P has order r (the twist's cofactor is large, so this is needed)."""
    return g2_multiply(p, R) is None


def g1_add(p: G1Affine | None, q: G1Affine | None) -> G1Affine | None:
    """Affine addition on y² = x³ + 3, with doubling and P + (−P) = O (None)."""
    if p is None:
        return q
    if q is None:
        return p
    if p[0] == q[0]:
        if p[1] != q[1] or p[1] == 0:
            return None
        slope = 3 * p[0] * p[0] * pow(2 * p[1], -1, Q) % Q
    else:
        slope = (q[1] - p[1]) * pow(q[0] - p[0], -1, Q) % Q
    x = (slope * slope - p[0] - q[0]) % Q
    return (x, (slope * (p[0] - x) - p[1]) % Q)


def g1_multiply(p: G1Affine | None, k: int) -> G1Affine | None:
    return _double_and_add(g1_add, p, k)


def _g2_frobenius(p: G2Affine) -> G2Affine:
    """The twisted q-power Frobenius ψ: (x, y) ↦ (x̄·ξ^((q−1)/3), ȳ·ξ^((q−1)/2))."""
    return (f2_mul(f2_conj(p[0]), _FROBENIUS_W[2]), f2_mul(f2_conj(p[1]), _FROBENIUS_W[3]))


# --- Miller loop ----------------------------------------------------------------------------------


def _step(t: G2Affine, q: G2Affine | None, p: G1Affine) -> tuple[G2Affine, Fq2, Fq2, int]:
    """T + Q (T + T when q is None) and the line through them evaluated at P, as the sparse
    Fq12 element yP + (−λ·xP + (λ·xT − yT)·v)·w, returned as (T', −λ·xP, λ·xT − yT, yP)."""
    if q is None:
        slope = f2_mul(f2_scale(f2_sqr(t[0]), 3), f2_inv(f2_scale(t[1], 2)))
        x = f2_sub(f2_sqr(slope), f2_scale(t[0], 2))
    else:
        slope = f2_mul(f2_sub(q[1], t[1]), f2_inv(f2_sub(q[0], t[0])))
        x = f2_sub(f2_sub(f2_sqr(slope), t[0]), q[0])
    moved = (x, f2_sub(f2_mul(slope, f2_sub(t[0], x)), t[1]))
    return moved, f2_neg(f2_scale(slope, p[0])), f2_sub(f2_mul(slope, t[0]), t[1]), p[1]


def _mul_by_line(f: Fq12, c1: Fq2, c2: Fq2, y: int) -> Fq12:
    """f·(y + (c1 + c2·v)·w): a sparse product of ten Fq2 multiplications."""
    f0, f1 = f
    t0 = f6_scale(f0, y)
    t1 = f6_mul_by_01(f1, c1, c2)
    cross = f6_mul_by_01(f6_add(f0, f1), f2_add((y, 0), c1), c2)
    return (f6_add(t0, f6_mul_v(t1)), f6_sub(f6_sub(cross, t0), t1))


def miller_loop(pairs: Sequence[tuple[G1Affine, G2Affine]]) -> Fq12:
    """Π f_{6x+2,Q}(P)·l_{[6x+2]Q,ψ(Q)}(P)·l_{[6x+2]Q+ψ(Q),−ψ²(Q)}(P) over the pairs, one shared f."""
    ts = [q for _, q in pairs]
    f = F12_ONE
    for bit in bin(ATE_LOOP_COUNT)[3:]:
        f = f12_sqr(f)
        for i, (p, _) in enumerate(pairs):
            ts[i], c1, c2, y = _step(ts[i], None, p)
            f = _mul_by_line(f, c1, c2, y)
        if bit == "1":
            for i, (p, q) in enumerate(pairs):
                ts[i], c1, c2, y = _step(ts[i], q, p)
                f = _mul_by_line(f, c1, c2, y)
    for i, (p, q) in enumerate(pairs):
        q1 = _g2_frobenius(q)
        q2 = _g2_frobenius(q1)
        t, c1, c2, y = _step(ts[i], q1, p)
        f = _mul_by_line(f, c1, c2, y)
        _, c1, c2, y = _step(t, (q2[0], f2_neg(q2[1])), p)
        f = _mul_by_line(f, c1, c2, y)
    return f


def pairing(p: G1Affine, q: G2Affine) -> Fq12:
    """e(P, Q) for finite P in G1 and Q in G2 (affine ints; Q as ((x0, x1), (y0, y1)))."""
    return final_exponentiation(miller_loop([(p, q)]))


def pairing_product_is_one(pairs: Sequence[tuple[G1Affine | None, G2Affine | None]]) -> bool:
    """Π e(Pᵢ, Qᵢ) = 1, for points already checked to be in G1 and G2 (None is infinity, e = 1)."""
    finite = [(p, q) for p, q in pairs if p is not None and q is not None]
    return final_exponentiation(miller_loop(finite)) == F12_ONE
