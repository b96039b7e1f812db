"""Poseidon Merkle trees of arity 2 or 4: a native sparse tree with paths, and in-circuit membership
and single-leaf update along one path.

A node hashes its children in order, ``poseidon(children)``; an empty leaf is 0. A path lists, per
level from the leaves up, the arity - 1 siblings in order (the node's own slot left out); the
slot at each level is the leaf index's base-arity digit. Arity 4 costs about 153 constraints per
binary level of capacity against 242 for arity 2 (Poseidon(4) is 297 constraints, Poseidon(2) 240).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

from circuits.cs import ConstraintSystem, LinearCombination, Operand
from circuits.gadgets.bits import to_bits
from circuits.gadgets.compare import select
from circuits.gadgets.poseidon import poseidon, poseidon_var

ARITIES = (2, 4)


def _check_shape(depth: int, arity: int) -> None:
    if arity not in ARITIES:
        raise ValueError(f"arity must be one of {ARITIES}, got {arity}")
    if depth < 1:
        raise ValueError(f"depth must be at least 1, got {depth}")


def _digits(index: int, depth: int, arity: int) -> list[int]:
    if not 0 <= index < arity**depth:
        raise ValueError(f"index {index} outside a tree of {arity}^{depth} leaves")
    return [(index // arity**level) % arity for level in range(depth)]


@dataclass(frozen=True)
class MerklePath:
    """The siblings of a leaf, per level from the bottom, arity - 1 each."""

    index: int
    siblings: tuple[tuple[int, ...], ...]


def root_from_path(leaf: int, path: MerklePath, arity: int = 4) -> int:
    """Native: the root that ``leaf`` at ``path.index`` with these siblings hashes up to."""
    node = leaf
    for digit, siblings in zip(_digits(path.index, len(path.siblings), arity), path.siblings, strict=True):
        if len(siblings) != arity - 1:
            raise ValueError(f"each level needs {arity - 1} siblings, got {len(siblings)}")
        children = list(siblings)
        children.insert(digit, node)
        node = poseidon(children)
    return node


HashMany = Callable[[Sequence[Sequence[int]]], list[int]]
"""Hashes rows of field elements (every row of one length) in one call: row i → poseidon(row i)."""


def poseidon_rows(rows: Sequence[Sequence[int]]) -> list[int]:
    """The native :data:`HashMany`: :func:`poseidon` of each row."""
    return [poseidon(row) for row in rows]


@cache
def empty_subtrees(depth: int, arity: int) -> tuple[int, ...]:
    """The hash of an empty subtree per level, from the leaves (0) up to the root."""
    empty = [0]
    for _ in range(depth):
        empty.append(poseidon([empty[-1]] * arity))
    return tuple(empty)


class SparseMerkleTree:
    """A Poseidon Merkle tree of ``arity^depth`` leaves, all 0 until set; only set nodes are stored.

    Writes are lazy: a write stores the leaf (or the inputs its hash is made of) and marks its path
    stale; reading a node, the root or a path first rehashes every stale node, a level at a time, each
    level in one call to ``hash_many`` (a compiled batch hasher may be plugged in; results are the same).
    """

    def __init__(self, depth: int, arity: int = 4, hash_many: HashMany = poseidon_rows) -> None:
        _check_shape(depth, arity)
        self.depth, self.arity, self.hash_many = depth, arity, hash_many
        self.empty = empty_subtrees(depth, arity)
        self._nodes: dict[tuple[int, int], int] = {}
        self._stale: set[int] = set()  # leaves written since the last rehash
        self._leaf_inputs: dict[int, tuple[int, ...]] = {}  # leaves whose hash is still to be taken

    def copy(self) -> SparseMerkleTree:
        """An independent tree with the same leaves (stored nodes are copied, not rehashed)."""
        twin = copy.copy(self)
        twin._nodes = dict(self._nodes)
        twin._stale = set(self._stale)
        twin._leaf_inputs = dict(self._leaf_inputs)
        return twin

    def node(self, level: int, position: int) -> int:
        self._rehash()
        return self._nodes.get((level, position), self.empty[level])

    @property
    def root(self) -> int:
        return self.node(self.depth, 0)

    def get(self, index: int) -> int:
        _digits(index, self.depth, self.arity)
        return self.node(0, index)

    def path(self, index: int) -> MerklePath:
        _digits(index, self.depth, self.arity)
        self._rehash()
        siblings = []
        position = index
        for level in range(self.depth):
            first = position - position % self.arity
            siblings.append(
                tuple(self._stored(level, p) for p in range(first, first + self.arity) if p != position)
            )
            position //= self.arity
        return MerklePath(index, tuple(siblings))

    def set(self, index: int, value: int) -> None:
        """Write a leaf (its path is rehashed when next read)."""
        _digits(index, self.depth, self.arity)
        self._nodes[(0, index)] = value
        self._leaf_inputs.pop(index, None)
        self._stale.add(index)

    def set_hashed(self, index: int, inputs: Sequence[int]) -> None:
        """Write the leaf ``poseidon(inputs)``, hashed with the path when next read."""
        _digits(index, self.depth, self.arity)
        self._leaf_inputs[index] = tuple(inputs)
        self._stale.add(index)

    def _stored(self, level: int, position: int) -> int:
        return self._nodes.get((level, position), self.empty[level])

    def _rehash(self) -> None:
        """Hash the pending leaves, then every node above a written leaf, one batch per level."""
        if not self._stale:
            return
        by_width: dict[int, list[int]] = {}
        for index, inputs in self._leaf_inputs.items():
            by_width.setdefault(len(inputs), []).append(index)
        for indices in by_width.values():
            hashes = self.hash_many([self._leaf_inputs[i] for i in indices])
            self._nodes.update(((0, i), h) for i, h in zip(indices, hashes, strict=True))
        self._leaf_inputs.clear()
        positions = self._stale
        for level in range(self.depth):
            parents = sorted({p // self.arity for p in positions})
            rows = [
                [self._stored(level, c) for c in range(parent * self.arity, (parent + 1) * self.arity)]
                for parent in parents
            ]
            hashes = self.hash_many(rows)
            self._nodes.update(((level + 1, p), h) for p, h in zip(parents, hashes, strict=True))
            positions = parents
        self._stale = set()


def _slot_indicators(
    cs: ConstraintSystem, digit_bits: Sequence[LinearCombination]
) -> list[LinearCombination]:
    """[digit == j] for each slot j: free for arity 2, one product for arity 4."""
    if len(digit_bits) == 1:
        (b,) = digit_bits
        return [1 - b, b]
    b0, b1 = digit_bits
    both = cs.mul(b0, b1)
    return [1 - b0 - b1 + both, b0 - both, b1 - both, both]


class _Level:
    """One level of a path in-circuit: slot indicators, siblings, and each slot's value when the
    node is elsewhere (siblings[j] if the node is further right, siblings[j-1] if further left)."""

    def __init__(
        self, cs: ConstraintSystem, onehot: list[LinearCombination], siblings: list[LinearCombination]
    ):
        self.cs, self.onehot, self.siblings = cs, onehot, siblings
        self.others = [siblings[0]]
        left_of_node = onehot[0]  # [digit < j]
        for j in range(1, len(siblings)):
            self.others.append(siblings[j] + cs.mul(left_of_node, siblings[j - 1] - siblings[j]))
            left_of_node = left_of_node + onehot[j]
        self.total = sum(siblings, cs.constant(0))

    def children(self, node: LinearCombination) -> list[LinearCombination]:
        """The children in order with ``node`` in its slot; the last slot is the remainder of the
        (linear) total, so arity k costs k - 1 products here plus k - 2 shared ones."""
        cs = self.cs
        slots = [
            other + cs.mul(e, node - sib)
            for other, e, sib in zip(self.others, self.onehot[:-1], self.siblings, strict=True)
        ]
        slots.append(node + self.total - sum(slots, cs.constant(0)))
        return slots


def _levels(
    cs: ConstraintSystem, index: Operand, siblings: Sequence[Sequence[Operand]], arity: int
) -> list[_Level]:
    """Index digits (range-checked to the tree) and siblings, per level."""
    _check_shape(len(siblings), arity)
    width = arity.bit_length() - 1
    bits = to_bits(cs, index, len(siblings) * width)
    levels = []
    for level, sibs in enumerate(siblings):
        if len(sibs) != arity - 1:
            raise ValueError(f"each level needs {arity - 1} siblings, got {len(sibs)}")
        onehot = _slot_indicators(cs, bits[level * width : (level + 1) * width])
        levels.append(_Level(cs, onehot, [cs.lc(x) for x in sibs]))
    return levels


def merkle_root_var(
    cs: ConstraintSystem, leaf: Operand, index: Operand, siblings: Sequence[Sequence[Operand]], arity: int = 4
) -> LinearCombination:
    """In-circuit: the root ``leaf`` at ``index`` hashes up to (index range-checked to the tree)."""
    node = cs.lc(leaf)
    for level in _levels(cs, index, siblings, arity):
        node = poseidon_var(cs, level.children(node))
    return node


def assert_membership(
    cs: ConstraintSystem,
    root: Operand,
    leaf: Operand,
    index: Operand,
    siblings: Sequence[Sequence[Operand]],
    arity: int = 4,
    when: Operand | None = None,
) -> None:
    """Constrain ``leaf`` to sit at ``index`` under ``root`` (only when ``when`` = 1 if given)."""
    computed = merkle_root_var(cs, leaf, index, siblings, arity)
    if when is None:
        cs.assert_equal(computed, root, "merkle root")
    else:
        cs.enforce(when, computed - cs.lc(root), 0, "merkle root when")


def merkle_update_var(
    cs: ConstraintSystem,
    old_root: Operand,
    old_leaf: Operand,
    new_leaf: Operand,
    index: Operand,
    siblings: Sequence[Sequence[Operand]],
    arity: int = 4,
    when: Operand | None = None,
) -> LinearCombination:
    """Constrain ``old_leaf`` at ``index`` under ``old_root`` and return the root after writing
    ``new_leaf`` there: both walks share the index digits and the siblings. With ``when`` = 0
    nothing is checked and ``old_root`` comes back unchanged."""
    old, new = cs.lc(old_leaf), cs.lc(new_leaf)
    for level in _levels(cs, index, siblings, arity):
        old = poseidon_var(cs, level.children(old))
        new = poseidon_var(cs, level.children(new))
    if when is None:
        cs.assert_equal(old, old_root, "old merkle root")
        return new
    cs.enforce(when, old - cs.lc(old_root), 0, "old merkle root when")
    return select(cs, when, new, old_root)
