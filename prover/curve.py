"""BN254 G1 and G2 arithmetic over Python ints: the simple, obviously-correct path.

Points are Jacobian triples (X, Y, Z) with Z = 0 at infinity; G1 coordinates are ints mod q,
G2 coordinates are Fq2 pairs (c0, c1) meaning c0 + c1·u with u² = −1. One set of formulas
(a = 0 curves) serves both groups through a small field object. Used by setup, the ceremony
and the reference backend; the hot paths of the fast backend live elsewhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from circuits.field import FR, batch_inverse
from prover.bn254 import FQ, G1_GENERATOR, G2_GENERATOR

_B_G2 = (
    19485874751759354771024239261021720505790618469301721065564631296452457478373,
    266929791119991161246907387137283842545076965332900288569378510910307636690,
)


class _Fq:
    """Fq as plain ints."""

    zero = 0
    one = 1

    @staticmethod
    def add(a: int, b: int) -> int:
        return (a + b) % FQ

    @staticmethod
    def sub(a: int, b: int) -> int:
        return (a - b) % FQ

    @staticmethod
    def mul(a: int, b: int) -> int:
        return a * b % FQ

    @staticmethod
    def sqr(a: int) -> int:
        return a * a % FQ

    @staticmethod
    def small(a: int, k: int) -> int:
        return a * k % FQ

    @staticmethod
    def neg(a: int) -> int:
        return -a % FQ

    @staticmethod
    def inv(a: int) -> int:
        return pow(a, -1, FQ)

    @staticmethod
    def is_zero(a: int) -> bool:
        return a == 0


Fq2 = tuple[int, int]


class _Fq2:
    """Fq2 = Fq[u]/(u² + 1) as (c0, c1) pairs."""

    zero = (0, 0)
    one = (1, 0)

    @staticmethod
    def add(a: Fq2, b: Fq2) -> Fq2:
        return ((a[0] + b[0]) % FQ, (a[1] + b[1]) % FQ)

    @staticmethod
    def sub(a: Fq2, b: Fq2) -> Fq2:
        return ((a[0] - b[0]) % FQ, (a[1] - b[1]) % FQ)

    @staticmethod
    def mul(a: Fq2, b: Fq2) -> Fq2:
        t0 = a[0] * b[0]
        t1 = a[1] * b[1]
        return ((t0 - t1) % FQ, ((a[0] + a[1]) * (b[0] + b[1]) - t0 - t1) % FQ)

    @staticmethod
    def sqr(a: Fq2) -> Fq2:
        return ((a[0] + a[1]) * (a[0] - a[1]) % FQ, 2 * a[0] * a[1] % FQ)

    @staticmethod
    def small(a: Fq2, k: int) -> Fq2:
        return (a[0] * k % FQ, a[1] * k % FQ)

    @staticmethod
    def neg(a: Fq2) -> Fq2:
        return (-a[0] % FQ, -a[1] % FQ)

    @staticmethod
    def inv(a: Fq2) -> Fq2:
        t = pow(a[0] * a[0] + a[1] * a[1], -1, FQ)
        return (a[0] * t % FQ, -a[1] * t % FQ)

    @staticmethod
    def is_zero(a: Fq2) -> bool:
        return a[0] == 0 and a[1] == 0


class Group:
    """Jacobian arithmetic on y² = x³ + b over a field object (G1 over Fq, G2 over Fq2)."""

    def __init__(self, name: str, field: Any, b: Any, generator: tuple[Any, Any]) -> None:
        self.name = name
        self.f = field
        self.b = b
        self.generator = generator
        self.infinity = (field.one, field.one, field.zero)

    def from_affine(self, p: tuple[Any, Any] | None) -> tuple[Any, Any, Any]:
        return self.infinity if p is None else (p[0], p[1], self.f.one)

    def is_on_curve(self, p: tuple[Any, Any] | None) -> bool:
        """Affine point (or None) satisfies the curve equation with reduced coordinates."""
        if p is None:
            return True
        f = self.f
        return f.sub(f.sqr(p[1]), f.add(f.mul(f.sqr(p[0]), p[0]), self.b)) == f.zero

    def double(self, p: tuple) -> tuple:
        f = self.f
        x, y, z = p
        if f.is_zero(z):
            return p
        a = f.sqr(x)
        b = f.sqr(y)
        c = f.sqr(b)
        d = f.small(f.sub(f.sub(f.sqr(f.add(x, b)), a), c), 2)
        e = f.small(a, 3)
        x3 = f.sub(f.sqr(e), f.small(d, 2))
        y3 = f.sub(f.mul(e, f.sub(d, x3)), f.small(c, 8))
        z3 = f.small(f.mul(y, z), 2)
        return (x3, y3, z3)

    def add_affine(self, p: tuple, q: tuple[Any, Any]) -> tuple:
        """p (Jacobian) + q (affine, not infinity)."""
        f = self.f
        x1, y1, z1 = p
        if f.is_zero(z1):
            return (q[0], q[1], f.one)
        z1z1 = f.sqr(z1)
        u2 = f.mul(q[0], z1z1)
        s2 = f.mul(f.mul(q[1], z1), z1z1)
        h = f.sub(u2, x1)
        r = f.small(f.sub(s2, y1), 2)
        if f.is_zero(h):
            return self.double(p) if f.is_zero(r) else self.infinity
        hh = f.sqr(h)
        i = f.small(hh, 4)
        j = f.mul(h, i)
        v = f.mul(x1, i)
        x3 = f.sub(f.sub(f.sqr(r), j), f.small(v, 2))
        y3 = f.sub(f.mul(r, f.sub(v, x3)), f.small(f.mul(y1, j), 2))
        z3 = f.sub(f.sub(f.sqr(f.add(z1, h)), z1z1), hh)
        return (x3, y3, z3)

    def add(self, p: tuple, q: tuple) -> tuple:
        """p + q, both Jacobian."""
        f = self.f
        x1, y1, z1 = p
        x2, y2, z2 = q
        if f.is_zero(z1):
            return q
        if f.is_zero(z2):
            return p
        z1z1 = f.sqr(z1)
        z2z2 = f.sqr(z2)
        u1 = f.mul(x1, z2z2)
        u2 = f.mul(x2, z1z1)
        s1 = f.mul(f.mul(y1, z2), z2z2)
        s2 = f.mul(f.mul(y2, z1), z1z1)
        h = f.sub(u2, u1)
        r = f.small(f.sub(s2, s1), 2)
        if f.is_zero(h):
            return self.double(p) if f.is_zero(r) else self.infinity
        i = f.sqr(f.small(h, 2))
        j = f.mul(h, i)
        v = f.mul(u1, i)
        x3 = f.sub(f.sub(f.sqr(r), j), f.small(v, 2))
        y3 = f.sub(f.mul(r, f.sub(v, x3)), f.small(f.mul(s1, j), 2))
        z3 = f.mul(f.sub(f.sub(f.sqr(f.add(z1, z2)), z1z1), z2z2), h)
        return (x3, y3, z3)

    def neg(self, p: tuple) -> tuple:
        return (p[0], self.f.neg(p[1]), p[2])

    def multiply(self, p: tuple, k: int) -> tuple:
        """k·p for a Jacobian p and any integer k (negative k negates p), by 4-bit windows."""
        if k < 0:
            return self.multiply(self.neg(p), -k)
        if k == 0 or self.f.is_zero(p[2]):
            return self.infinity
        table = [self.infinity, p]
        for _ in range(14):
            table.append(self.add(table[-1], p))
        acc = self.infinity
        for shift in range((k.bit_length() + 3) // 4 * 4 - 4, -1, -4):
            for _ in range(4):
                acc = self.double(acc)
            digit = (k >> shift) & 15
            if digit:
                acc = self.add(acc, table[digit])
        return acc

    def to_affine(self, p: tuple) -> tuple[Any, Any] | None:
        return self.batch_to_affine([p])[0]

    def batch_to_affine(self, points: Sequence[tuple]) -> list[tuple[Any, Any] | None]:
        """Jacobian to affine with one field inversion for the whole batch (Montgomery's trick)."""
        f = self.f
        prefix = []
        acc = f.one
        for p in points:
            prefix.append(acc)
            if not f.is_zero(p[2]):
                acc = f.mul(acc, p[2])
        inv = f.inv(acc)
        out: list[tuple[Any, Any] | None] = [None] * len(points)
        for i in range(len(points) - 1, -1, -1):
            x, y, z = points[i]
            if f.is_zero(z):
                continue
            zi = f.mul(inv, prefix[i])
            inv = f.mul(inv, z)
            zi2 = f.sqr(zi)
            out[i] = (f.mul(x, zi2), f.mul(y, f.mul(zi2, zi)))
        return out

    def msm(self, points: Sequence[tuple[Any, Any] | None], scalars: Sequence[int]) -> tuple[Any, Any] | None:
        """Σ scalars[i]·points[i] by Pippenger's bucket method; affine points in, affine out."""
        pairs = [(p, k) for p, k in zip(points, scalars, strict=True) if p is not None and k]
        if not pairs:
            return None
        top = max(k for _, k in pairs).bit_length()
        # windows × (one mixed addition per point + two additions per bucket), the smallest
        window = min(range(1, 17), key=lambda c: -(-top // c) * (len(pairs) + (2 << c)))
        mask = (1 << window) - 1
        total = self.infinity
        for shift in range((top - 1) // window * window, -1, -window):
            for _ in range(window):
                total = self.double(total)
            buckets: list[tuple | None] = [None] * (mask + 1)
            for p, k in pairs:
                digit = (k >> shift) & mask
                if digit:
                    b = buckets[digit]
                    buckets[digit] = (p[0], p[1], self.f.one) if b is None else self.add_affine(b, p)
            running = self.infinity
            window_sum = self.infinity
            for digit in range(mask, 0, -1):
                b = buckets[digit]
                if b is not None:
                    running = self.add(running, b)
                window_sum = self.add(window_sum, running)
            total = self.add(total, window_sum)
        return self.to_affine(total)


class FixedBase:
    """Precomputed multiples d·2^(w·j)·P (affine) so k·P costs one mixed addition per w-bit window."""

    def __init__(self, group: Group, base: tuple[Any, Any], bits: int = 256, window: int = 8) -> None:
        self.group = group
        self.window = window
        self.tables: list[list[tuple[Any, Any] | None]] = []
        start = group.from_affine(base)
        for _ in range((bits + window - 1) // window):
            row = [group.infinity, start]
            for _ in range((1 << window) - 2):
                row.append(group.add(row[-1], start))
            affine = group.batch_to_affine(row)
            self.tables.append(affine)
            start = group.add(row[-1], start)

    def multiply(self, k: int) -> tuple:
        """k·P as a Jacobian point; 0 ≤ k < 2^bits."""
        g = self.group
        acc = g.infinity
        mask = (1 << self.window) - 1
        j = 0
        while k:
            digit = k & mask
            if digit:
                acc = g.add_affine(acc, self.tables[j][digit])
            k >>= self.window
            j += 1
        return acc

    def multiply_many(self, scalars: Sequence[int]) -> list[tuple[Any, Any] | None]:
        return self.group.batch_to_affine([self.multiply(k) for k in scalars])


G1 = Group("G1", _Fq, 3, G1_GENERATOR)
G2 = Group("G2", _Fq2, _B_G2, G2_GENERATOR)


def first_off_curve(group: Group, points: Sequence[tuple[Any, Any] | None]) -> int | None:
    """Index of the first affine point that is not on the curve (coordinates must be reduced), or None."""
    for i, p in enumerate(points):
        if p is None:
            continue
        coords = (p[0], p[1]) if group is G1 else (*p[0], *p[1])
        if any(c >= FQ for c in coords) or not group.is_on_curve(p):
            return i
    return None


def g1_multiply_all(points: Sequence[tuple[int, int] | None], k: int) -> list[tuple[int, int] | None]:
    """k·P for every affine G1 point P by one scalar, all in step (affine, one inversion per step).

    Sound for points of the prime-order group and 0 < k < r: the running multiple m·P (1 < m < r)
    never meets ±P or a point of order two, so the affine formulas need no special cases.
    """
    if not 0 < k < FR:
        raise ValueError("the scalar must lie in (0, r)")
    live = [i for i, p in enumerate(points) if p is not None]
    base_x = [points[i][0] for i in live]  # type: ignore[index]
    base_y = [points[i][1] for i in live]  # type: ignore[index]
    xs, ys = list(base_x), list(base_y)
    for bit in bin(k)[3:]:
        inv = batch_inverse([2 * y for y in ys], FQ)
        lam = [3 * x * x * t % FQ for x, t in zip(xs, inv, strict=True)]
        new_x = [(m * m - 2 * x) % FQ for m, x in zip(lam, xs, strict=True)]
        ys = [(m * (x - x3) - y) % FQ for m, x, x3, y in zip(lam, xs, new_x, ys, strict=True)]
        xs = new_x
        if bit == "1":
            inv = batch_inverse([bx - x for bx, x in zip(base_x, xs, strict=True)], FQ)
            lam = [(by - y) * t % FQ for by, y, t in zip(base_y, ys, inv, strict=True)]
            new_x = [(m * m - x - bx) % FQ for m, x, bx in zip(lam, xs, base_x, strict=True)]
            ys = [(m * (x - x3) - y) % FQ for m, x, x3, y in zip(lam, xs, new_x, ys, strict=True)]
            xs = new_x
    out: list[tuple[int, int] | None] = [None] * len(points)
    for i, x, y in zip(live, xs, ys, strict=True):
        out[i] = (x, y)
    return out
