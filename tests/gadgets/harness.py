"""Test harness for gadgets: run on values, count constraints, and play a cheating prover.

A prover's only freedom is the values of hint wires (everything else is fixed by the inputs or
by a constraint's product), so :class:`CheatingCS` replaces chosen hint outputs and lets the
constraints, checked as they are added, reject the forged witness.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from circuits.cs import ConstraintSystem, Hint, LinearCombination, Operand, compile_circuit, solve
from circuits.field import FR

Tamper = Callable[[int, list[int]], list[int] | None]


class CheatingCS(ConstraintSystem):
    """Solves like ConstraintSystem, but ``tamper(hint_index, honest_values)`` may replace a hint's
    values (return None to keep them)."""

    def __init__(self, assignment: Mapping[str, int | Sequence[int]], tamper: Tamper) -> None:
        super().__init__(assignment)
        self.tamper = tamper
        self.hint_calls = 0

    def hint(self, fn: Hint, *args: Operand, n_out: int = 1) -> list[LinearCombination]:
        index = self.hint_calls
        self.hint_calls += 1

        def forged(*values: int) -> list[int]:
            honest = fn(*values)
            honest = [honest] if isinstance(honest, int) else [int(v) for v in honest]
            replaced = self.tamper(index, honest)
            return honest if replaced is None else replaced

        return super().hint(forged, *args, n_out=n_out)


def run_cheating(define: Callable[[ConstraintSystem], Any], assignment: Mapping, tamper: Tamper) -> None:
    define(CheatingCS(assignment, tamper))


def hint_values(define: Callable[[ConstraintSystem], Any], assignment: Mapping) -> list[list[int]]:
    """The honest values of every hint, in call order (to aim a tamper)."""
    seen: list[list[int]] = []

    def record(_: int, values: list[int]) -> None:
        seen.append(list(values))

    run_cheating(define, assignment, record)
    return seen


def evaluate(define: Callable[[ConstraintSystem], Any], assignment: Mapping) -> Any:
    """Run ``define`` on values, returning what it returns with LinearCombinations evaluated."""
    cs = ConstraintSystem(assignment)
    return _values(define(cs))


def _values(result: Any) -> Any:
    if isinstance(result, LinearCombination):
        return result.value
    if isinstance(result, (list, tuple)):
        return type(result)(_values(r) for r in result)
    return result


def n_constraints(define: Callable[[ConstraintSystem], Any]) -> int:
    cs = ConstraintSystem()
    define(cs)
    return len(cs.constraints)


def check_r1cs(define: Callable[[ConstraintSystem], None], assignment: Mapping) -> None:
    """The compiled R1CS accepts the solved witness (the two modes agree)."""
    compile_circuit(define).check(solve(define, assignment))


def first_broken(cs: ConstraintSystem, values: Sequence[int]) -> int | None:
    """Index of the first of ``cs``'s constraints that the wire values (provisional order) break."""

    def dot(terms: dict[int, int]) -> int:
        return sum(k * values[w] for w, k in terms.items())

    for i, (a, b, c) in enumerate(cs.constraints):
        if (dot(a) * dot(b) - dot(c)) % FR:
            return i
    return None
