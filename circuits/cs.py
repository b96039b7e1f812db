"""The constraint system: wires, linear combinations and R1CS constraints.

A circuit is a Python function ``define(cs)``. Run on a :class:`ConstraintSystem` without an
assignment it records the constraints (for setup); run with an assignment it also computes every
wire's value and checks each constraint the moment it is added, so a failure names its source.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar, Union

from circuits.field import FR, inv_mod
from circuits.r1cs import R1CS, Constraint, Terms, UnsatisfiedConstraint

Operand = Union["LinearCombination", int]

_THIS_FILE = os.path.abspath(__file__)


class LinearCombination:
    """A sum of coefficient·wire terms over Fr; wire 0 is the constant 1.

    Addition and scaling by constants cost no constraints; multiplying two non-constant
    combinations asks the owning constraint system for a product wire.
    """

    __slots__ = ("cs", "terms")

    def __init__(self, cs: ConstraintSystem, terms: Terms) -> None:
        self.cs = cs
        self.terms = terms

    def _coerce(self, other: Operand) -> LinearCombination:
        if isinstance(other, LinearCombination):
            return other
        if isinstance(other, int):
            return self.cs.constant(other)
        return NotImplemented

    def __add__(self, other: Operand) -> LinearCombination:
        other = self._coerce(other)
        terms = dict(self.terms)
        for wire, coeff in other.terms.items():
            total = (terms.get(wire, 0) + coeff) % FR
            if total:
                terms[wire] = total
            else:
                terms.pop(wire, None)
        return LinearCombination(self.cs, terms)

    __radd__ = __add__

    def __neg__(self) -> LinearCombination:
        return LinearCombination(self.cs, {w: (FR - c) % FR for w, c in self.terms.items()})

    def __sub__(self, other: Operand) -> LinearCombination:
        return self + (-self._coerce(other))

    def __rsub__(self, other: Operand) -> LinearCombination:
        return self._coerce(other) + (-self)

    def __mul__(self, other: Operand) -> LinearCombination:
        if isinstance(other, int):
            return self.scale(other)
        return self.cs.mul(self, other)

    __rmul__ = __mul__

    def scale(self, factor: int) -> LinearCombination:
        """Multiply by a constant: free."""
        factor %= FR
        if factor == 0:
            return LinearCombination(self.cs, {})
        return LinearCombination(self.cs, {w: c * factor % FR for w, c in self.terms.items()})

    def constant_value(self) -> int | None:
        """The value when this combination involves only the constant wire, else None."""
        if not self.terms:
            return 0
        if len(self.terms) == 1 and 0 in self.terms:
            return self.terms[0]
        return None

    @property
    def value(self) -> int:
        """The value under the current assignment (solving mode only)."""
        return self.cs.evaluate(self)

    def __repr__(self) -> str:
        return f"LC({self.terms})"


Var = LinearCombination
Hint = Callable[..., int | Sequence[int]]


class ConstraintSystem:
    """Records constraints and, when given an assignment, solves every wire.

    Wires are numbered provisionally as they are allocated; :meth:`to_r1cs` and :meth:`witness`
    renumber them in iden3 order: one, public outputs, public inputs, private inputs, internal.
    """

    def __init__(self, assignment: Mapping[str, int | Sequence[int]] | None = None) -> None:
        self.assignment = assignment
        self.solving = assignment is not None
        self.values: list[int] = [1]
        self.n_wires = 1
        self.kinds: list[str] = ["one"]  # one | output | public | private | internal
        self.names: dict[str, list[int]] = {}
        self.constraints: list[Constraint] = []
        self.labels: list[str] = []
        self._scope: list[str] = []
        self.one = LinearCombination(self, {0: 1})

    # --- wires -------------------------------------------------------------------------------

    def constant(self, value: int) -> LinearCombination:
        value %= FR
        return LinearCombination(self, {0: value} if value else {})

    def _new_wire(self, kind: str, value: int | None) -> LinearCombination:
        wire = self.n_wires
        self.n_wires += 1
        self.kinds.append(kind)
        if self.solving:
            if value is None:
                raise ValueError(f"no value for a {kind} wire at {self._where()}")
            self.values.append(value % FR)
        return LinearCombination(self, {wire: 1})

    def _input(self, name: str, kind: str, n: int | None) -> LinearCombination | list[LinearCombination]:
        if name in self.names:
            raise ValueError(f"input {name!r} declared twice")
        raw = self._lookup(name, n)
        if n is None:
            var = self._new_wire(kind, raw)
            self.names[name] = [next(iter(var.terms))]
            return var
        values = raw if raw is not None else [None] * n
        out = [self._new_wire(kind, v) for v in values]
        self.names[name] = [next(iter(v.terms)) for v in out]
        return out

    def _lookup(self, name: str, n: int | None) -> list[int] | int | None:
        if not self.solving:
            return None
        assert self.assignment is not None
        if name not in self.assignment:
            raise ValueError(f"the assignment has no value for input {name!r}")
        raw = self.assignment[name]
        if n is None:
            if not isinstance(raw, int):
                raise ValueError(f"input {name!r} takes one integer, got {type(raw).__name__}")
            return raw
        if isinstance(raw, int) or len(raw) != n:
            raise ValueError(f"input {name!r} takes a list of {n} integers")
        return [int(v) for v in raw]

    def public_input(self, name: str, n: int | None = None) -> LinearCombination | list[LinearCombination]:
        """A public input (or a list of n); its value comes from the assignment."""
        return self._input(name, "public", n)

    def private_input(self, name: str, n: int | None = None) -> LinearCombination | list[LinearCombination]:
        """A private input (or a list of n); its value comes from the assignment."""
        return self._input(name, "private", n)

    def public_output(self, value: Operand, name: str) -> LinearCombination:
        """Expose a computed value as a public signal, constrained equal to it."""
        value = self._lc(value)
        out = self._new_wire("output", value.value if self.solving else None)
        self.names[name] = [next(iter(out.terms))]
        self.assert_equal(out, value)
        return out

    def hint(self, fn: Hint, *args: Operand, n_out: int = 1) -> list[LinearCombination]:
        """New private wires whose values ``fn`` computes from the arguments' values.

        A hint adds no constraint: the caller must constrain what it returns.
        """
        if not self.solving:
            return [self._new_wire("internal", None) for _ in range(n_out)]
        result = fn(*(self._lc(a).value for a in args))
        results = [result] if isinstance(result, int) else list(result)
        if len(results) != n_out:
            raise ValueError(f"hint {fn.__name__} returned {len(results)} values, expected {n_out}")
        return [self._new_wire("internal", int(v)) for v in results]

    def evaluate(self, lc: LinearCombination) -> int:
        if not self.solving:
            raise RuntimeError("values are only known when solving with an assignment")
        values = self.values
        return sum(c * values[w] for w, c in lc.terms.items()) % FR

    def _lc(self, x: Operand) -> LinearCombination:
        return x if isinstance(x, LinearCombination) else self.constant(x)

    def lc(self, x: Operand) -> LinearCombination:
        """x as a linear combination (constants become multiples of the constant wire)."""
        return self._lc(x)

    # --- constraints -------------------------------------------------------------------------

    @contextmanager
    def scope(self, name: str) -> Iterator[None]:
        """Name the constraints added inside, e.g. ``cs.scope("trade[3].maker")``."""
        self._scope.append(name)
        try:
            yield
        finally:
            self._scope.pop()

    def _where(self) -> str:
        frame = sys._getframe(1)
        while frame is not None and os.path.abspath(frame.f_code.co_filename) == _THIS_FILE:
            frame = frame.f_back
        line = f"{os.path.relpath(frame.f_code.co_filename)}:{frame.f_lineno}" if frame else "?"
        return "/".join(self._scope) + (" " if self._scope else "") + f"at {line}"

    def enforce(self, a: Operand, b: Operand, c: Operand, label: str | None = None) -> None:
        """Add the constraint a·b = c; when solving, check it now."""
        a, b, c = self._lc(a), self._lc(b), self._lc(c)
        where = label or "/".join(self._scope)
        if self.solving and self.evaluate(a) * self.evaluate(b) % FR != self.evaluate(c):
            prefix = f"{label} " if label else ""
            raise UnsatisfiedConstraint(len(self.constraints), prefix + self._where())
        self.constraints.append((a.terms, b.terms, c.terms))
        self.labels.append(where)

    def mul(self, a: Operand, b: Operand) -> LinearCombination:
        """The product a·b: free when either side is constant, else one constraint."""
        a, b = self._lc(a), self._lc(b)
        ka, kb = a.constant_value(), b.constant_value()
        if ka is not None:
            return b.scale(ka)
        if kb is not None:
            return a.scale(kb)
        out = self._new_wire("internal", self.evaluate(a) * self.evaluate(b) if self.solving else None)
        self.enforce(a, b, out)
        return out

    def assert_equal(self, a: Operand, b: Operand, label: str | None = None) -> None:
        """Constrain a = b (one linear constraint, none if both are the same constant)."""
        diff = self._lc(a) - self._lc(b)
        k = diff.constant_value()
        if k is not None:
            if k != 0:
                raise UnsatisfiedConstraint(len(self.constraints), f"constants differ {self._where()}")
            return
        self.enforce(diff, self.one, 0, label)

    def assert_bool(self, x: Operand, label: str | None = None) -> None:
        """Constrain x ∈ {0, 1}."""
        x = self._lc(x)
        self.enforce(x, x - 1, 0, label)

    def inverse(self, x: Operand) -> LinearCombination:
        """1/x, constrained by x·inv = 1 (so x = 0 is unsatisfiable)."""
        x = self._lc(x)
        (inv,) = self.hint(lambda v: inv_mod(v, FR) if v else 0, x)
        self.enforce(x, inv, self.one)
        return inv

    # --- results -----------------------------------------------------------------------------

    def _order(self) -> list[int]:
        """Provisional wire ids in iden3 order."""
        rank = {"one": 0, "output": 1, "public": 2, "private": 3, "internal": 4}
        return sorted(range(self.n_wires), key=lambda w: (rank[self.kinds[w]], w))

    def to_r1cs(self) -> R1CS:
        order = self._order()
        new_id = [0] * self.n_wires
        for new, old in enumerate(order):
            new_id[old] = new

        def remap(terms: Terms) -> Terms:
            return {new_id[w]: c for w, c in terms.items()}

        counts = {k: self.kinds.count(k) for k in ("output", "public", "private")}
        return R1CS(
            n_wires=self.n_wires,
            n_outputs=counts["output"],
            n_pub_inputs=counts["public"],
            n_prv_inputs=counts["private"],
            constraints=[(remap(a), remap(b), remap(c)) for a, b, c in self.constraints],
            labels=list(self.labels),
        )

    def witness(self) -> list[int]:
        """All wire values in iden3 order (solving mode only)."""
        if not self.solving:
            raise RuntimeError("a witness needs an assignment")
        return [self.values[w] for w in self._order()]


Circuit = Callable[[ConstraintSystem], None]
F = TypeVar("F", bound=Callable[..., Any])


def scoped(name: str) -> Callable[[F], F]:
    """Run a gadget function (taking the constraint system first) inside ``cs.scope(name)``."""

    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(cs: ConstraintSystem, *args: Any, **kwargs: Any) -> Any:
            with cs.scope(name):
                return fn(cs, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def compile_circuit(define: Circuit) -> R1CS:
    """Build the R1CS of a circuit (no values needed)."""
    cs = ConstraintSystem()
    define(cs)
    return cs.to_r1cs()


def solve(define: Circuit, assignment: Mapping[str, int | Sequence[int]]) -> list[int]:
    """Run a circuit on input values and return the full witness.

    Raises :class:`UnsatisfiedConstraint` naming the first constraint the inputs break.
    """
    cs = ConstraintSystem(assignment)
    define(cs)
    return cs.witness()
