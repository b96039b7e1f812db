"""Poseidon Merkle trees of arity 2 or 4: a native sparse tree with paths, and in-circuit membership
and single-leaf update along one path.

A node hashes its children in order, ``poseidon(children)``; an empty leaf is 0. A path lists, per
level from the leaves up, the arity - 1 siblings in order (the node's own slot left out); the
slot at each level is the leaf index's base-arity digit. Arity 4 costs about 153 constraints per
binary level of capacity against 242 for arity 2 (Poseidon(4) is 297 constraints, Poseidon(2) 240).
"""

from __future__ import annotations

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


class _Node:
    """A node of a tree, never changed once linked in: a leaf (``children`` None) holds its value or
    the inputs its value hashes; an inner node its children (None = an empty subtree). ``value`` is
    the node's hash, filled in when first needed; copies of a tree share nodes and so these hashes."""

    __slots__ = ("children", "inputs", "value")

    def __init__(self, children: tuple[_Node | None, ...] | None, inputs: tuple[int, ...] | None,
                 value: int | None) -> None:  # fmt: skip
        self.children, self.inputs, self.value = children, inputs, value


class SparseMerkleTree:
    """A Poseidon Merkle tree of ``arity^depth`` leaves, all 0 until set; only set nodes are stored.

    The tree is persistent: a write replaces the nodes on its path (the old ones stay valid for
    copies, so :meth:`copy` costs nothing) and leaves their hashes to be taken when a node, the root or
    a path is next read; then every node not yet hashed is, a level at a time, each level in one call
    to ``hash_many`` (a compiled batch hasher may be plugged in; results are the same).
    """

    def __init__(self, depth: int, arity: int = 4, hash_many: HashMany = poseidon_rows) -> None:
        _check_shape(depth, arity)
        self.depth, self.arity, self.hash_many = depth, arity, hash_many
        self.empty = empty_subtrees(depth, arity)
        self._root: _Node | None = None

    def copy(self) -> SparseMerkleTree:
        """An independent tree with the same leaves, sharing the (unchangeable) nodes."""
        twin = object.__new__(SparseMerkleTree)  # every fill copies a tree: skip copy.copy's protocol
        twin.__dict__.update(self.__dict__)
        return twin

    def node(self, level: int, position: int) -> int:
        self._rehash()
        node = self._root
        for digit in reversed(_digits(position, self.depth - level, self.arity)):
            if node is None:
                break
            node = node.children[digit]
        return self.empty[level] if node is None else node.value

    @property
    def root(self) -> int:
        return self.node(self.depth, 0)

    def get(self, index: int) -> int:
        return self.node(0, index)

    def path(self, index: int) -> MerklePath:
        digits = _digits(index, self.depth, self.arity)
        self._rehash()
        siblings = []
        node = self._root
        for level in reversed(range(self.depth)):
            digit = digits[level]
            children = (None,) * self.arity if node is None else node.children
            siblings.append(
                tuple(self._value(c, level) for slot, c in enumerate(children) if slot != digit)
            )
            node = children[digit]
        return MerklePath(index, tuple(reversed(siblings)))

    def set(self, index: int, value: int) -> None:
        """Write a leaf (its path is rehashed when next read)."""
        self._replace(index, _Node(None, None, value))

    def set_hashed(self, index: int, inputs: Sequence[int]) -> None:
        """Write the leaf ``poseidon(inputs)``, hashed with the path when next read."""
        self._replace(index, _Node(None, tuple(inputs), None))

    def _replace(self, index: int, leaf: _Node) -> None:
        digits = _digits(index, self.depth, self.arity)
        above: list[_Node | None] = []  # the old nodes from the root down to the leaf's parent
        node = self._root
        for level in reversed(range(self.depth)):
            above.append(node)
            node = None if node is None else node.children[digits[level]]
        for level, parent in enumerate(reversed(above)):
            children = [None] * self.arity if parent is None else list(parent.children)
            children[digits[level]] = leaf
            leaf = _Node(tuple(children), None, None)
        self._root = leaf

    def _value(self, node: _Node | None, level: int) -> int:
        return self.empty[level] if node is None else node.value

    def _rehash(self) -> None:
        rehash_trees([self])


def rehash_trees(trees: Sequence[SparseMerkleTree]) -> None:
    """Hash every node of these trees that has no hash yet, a level at a time from the leaves up
    across all of them: one ``hash_many`` call a level and row width, however many trees (they
    must share the hasher). Nodes shared by copies are hashed once."""
    levels: list[list[tuple[_Node, tuple[int, ...]]]] = []  # per level: (node, the tree's empty hashes)
    seen: set[int] = set()
    for tree in trees:
        if tree.hash_many is not trees[0].hash_many:
            raise ValueError("trees hashed together must share one hasher")
        if tree._root is None or tree._root.value is not None:
            continue
        stack = [(tree._root, tree.depth)]
        while stack:
            node, level = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            levels.extend([] for _ in range(level + 1 - len(levels)))
            levels[level].append((node, tree.empty))
            if level:
                stack.extend((c, level - 1) for c in node.children if c is not None and c.value is None)
    for level, entries in enumerate(levels):
        by_width: dict[int, list[tuple[_Node, Sequence[int]]]] = {}
        for node, empty in entries:
            below = empty[level - 1] if level else 0
            row = node.inputs if level == 0 else [below if c is None else c.value for c in node.children]
            by_width.setdefault(len(row), []).append((node, row))
        for group in by_width.values():
            for (node, _), value in zip(group, trees[0].hash_many([row for _, row in group]), strict=True):
                node.value = value


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
