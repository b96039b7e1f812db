"""Poseidon Merkle trees: native sparse tree, in-circuit membership and update, arities 2 and 4."""

import random

import pytest

from circuits.field import FR
from circuits.gadgets.merkle import (
    MerklePath,
    SparseMerkleTree,
    assert_membership,
    merkle_root_var,
    merkle_update_var,
    rehash_trees,
    root_from_path,
)
from circuits.gadgets.poseidon import poseidon
from circuits.r1cs import UnsatisfiedConstraint
from tests.gadgets.harness import check_r1cs, evaluate, n_constraints

DEPTH = 3
RNG = random.Random(11)


def filled_tree(arity):
    tree = SparseMerkleTree(DEPTH, arity)
    for index in [6, 7, *RNG.sample(range(arity**DEPTH), 6)]:
        tree.set(index, RNG.randrange(1, FR))
    return tree


def membership(arity, depth=DEPTH):
    def define(cs):
        flat = cs.private_input("siblings", depth * (arity - 1))
        siblings = [flat[i * (arity - 1) : (i + 1) * (arity - 1)] for i in range(depth)]
        assert_membership(
            cs, cs.public_input("root"), cs.private_input("leaf"), cs.private_input("index"), siblings, arity
        )

    return define


def update(arity):
    def define(cs):
        flat = cs.private_input("siblings", DEPTH * (arity - 1))
        siblings = [flat[i * (arity - 1) : (i + 1) * (arity - 1)] for i in range(DEPTH)]
        new_root = merkle_update_var(
            cs,
            cs.public_input("old_root"),
            cs.private_input("old_leaf"),
            cs.private_input("new_leaf"),
            cs.private_input("index"),
            siblings,
            arity,
        )
        cs.public_output(new_root, "new_root")
        return new_root

    return define


def witness(tree, index):
    path = tree.path(index)
    return {"root": tree.root, "leaf": tree.get(index), "index": index, "siblings": sum(path.siblings, ())}


def test_native_tree_by_hand():
    tree = SparseMerkleTree(2, arity=2)
    tree.set(2, 7)
    empty1 = poseidon([0, 0])
    assert tree.empty[1] == empty1
    assert tree.root == poseidon([empty1, poseidon([7, 0])])
    assert tree.path(2) == MerklePath(2, ((0,), (empty1,)))
    with pytest.raises(ValueError):
        tree.set(4, 1)


@pytest.mark.parametrize("arity", [2, 4])
def test_every_leaf_proves_membership(arity):
    tree = filled_tree(arity)
    for index in range(arity**DEPTH):
        assert root_from_path(tree.get(index), tree.path(index), arity) == tree.root
    for index in RNG.sample(range(arity**DEPTH), 4):
        evaluate(membership(arity), witness(tree, index))
    check_r1cs(membership(arity), witness(tree, 5))


@pytest.mark.parametrize("arity", [2, 4])
def test_wrong_sibling_leaf_or_index_is_rejected(arity):
    tree = filled_tree(arity)
    honest = witness(tree, 6)
    siblings = list(honest["siblings"])
    siblings[RNG.randrange(len(siblings))] += 1
    for forged in (
        {**honest, "siblings": siblings},
        {**honest, "leaf": honest["leaf"] + 1},
        {**honest, "index": 7},
        {**honest, "index": 6 + arity**DEPTH},  # same digits modulo the tree: out of range
    ):
        with pytest.raises(UnsatisfiedConstraint):
            evaluate(membership(arity), forged)


@pytest.mark.parametrize("arity", [2, 4])
def test_update_matches_native(arity):
    tree = filled_tree(arity)
    index = 5
    path, old_leaf = tree.path(index), tree.get(index)
    old_root = tree.root
    tree.set(index, 12345)
    v = {
        "old_root": old_root,
        "old_leaf": old_leaf,
        "new_leaf": 12345,
        "index": index,
        "siblings": sum(path.siblings, ()),
    }
    assert evaluate(update(arity), v) == tree.root
    check_r1cs(update(arity), v)
    with pytest.raises(UnsatisfiedConstraint):
        evaluate(update(arity), {**v, "old_leaf": old_leaf + 1})


def test_conditional_membership():
    tree = filled_tree(4)

    def define(cs):
        flat = cs.private_input("siblings", DEPTH * 3)
        siblings = [flat[i * 3 : (i + 1) * 3] for i in range(DEPTH)]
        assert_membership(
            cs, cs.public_input("root"), cs.private_input("leaf"), 3, siblings, when=cs.private_input("on")
        )

    v = {**witness(tree, 3), "leaf": 999}
    v.pop("index")
    evaluate(define, {**v, "on": 0})
    with pytest.raises(UnsatisfiedConstraint):
        evaluate(define, {**v, "on": 1})


def test_cost_per_level():
    """Arity 4 is cheaper per binary level of capacity: 305/2 against 242 (plus one root check)."""
    assert n_constraints(membership(2, 1)) == 242 + 1
    assert n_constraints(membership(4, 1)) == 305 + 1
    assert n_constraints(update(4)) == DEPTH * (2 * (297 + 3) + 2 + 1 + 2) + 1 + 1


def test_root_from_path_checks_shape():
    with pytest.raises(ValueError):
        root_from_path(1, MerklePath(0, ((1, 2),)), arity=2)
    with pytest.raises(ValueError):
        n_constraints(lambda cs: merkle_root_var(cs, 1, 0, [[1, 2]], arity=3))


def test_conditional_update():
    tree = filled_tree(2)
    path = tree.path(3)

    def define(cs):
        siblings = [[s] for s in cs.private_input("siblings", DEPTH)]
        return merkle_update_var(
            cs,
            cs.public_input("old_root"),
            cs.private_input("old_leaf"),
            77,
            3,
            siblings,
            2,
            when=cs.private_input("on"),
        )

    v = {"old_root": tree.root, "old_leaf": tree.get(3), "siblings": [s for (s,) in path.siblings]}
    assert evaluate(define, {**v, "on": 0, "old_leaf": 5}) == tree.root
    with pytest.raises(UnsatisfiedConstraint):
        evaluate(define, {**v, "on": 1, "old_leaf": 5})
    old_root = tree.root
    tree.set(3, 77)
    assert evaluate(define, {**v, "old_root": old_root, "on": 1}) == tree.root


def full_levels(leaves: dict[int, int], depth: int, arity: int) -> list[list[int]]:
    """Every node, level by level from the leaves, hashed over all leaves (the plain definition)."""
    levels = [[leaves.get(i, 0) for i in range(arity**depth)]]
    while len(levels[-1]) > 1:
        below = levels[-1]
        levels.append([poseidon(below[i : i + arity]) for i in range(0, len(below), arity)])
    return levels


def full_root(leaves: dict[int, int], depth: int, arity: int) -> int:
    return full_levels(leaves, depth, arity)[-1][0]


@pytest.mark.parametrize("arity,depth", [(2, 4), (4, 2)])
def test_lazy_writes_equal_the_full_tree(arity, depth):
    """Random writes (overwrites, zeros, hashed leaves) with reads in between: the root, every
    leaf and every path agree with a tree hashed in full from its leaves."""
    rng = random.Random(arity)
    tree, leaves = SparseMerkleTree(depth, arity), {}
    for step in range(24):
        index = rng.randrange(min(6, arity**depth)) if step % 3 else rng.randrange(arity**depth)
        if step % 4 == 1:
            inputs = [rng.randrange(FR) for _ in range(rng.choice([2, 5]))]
            tree.set_hashed(index, inputs)
            leaves[index] = poseidon(inputs)
        else:
            leaves[index] = rng.choice([0, rng.randrange(FR)])
            tree.set(index, leaves[index])
        if step % 5 == 4:  # reads between writes
            assert tree.root == full_root(leaves, depth, arity)
            probe = rng.randrange(arity**depth)
            assert tree.get(probe) == leaves.get(probe, 0)
            assert root_from_path(leaves.get(probe, 0), tree.path(probe), arity) == tree.root
    assert tree.root == full_root(leaves, depth, arity)
    for index in range(arity**depth):
        assert tree.get(index) == leaves.get(index, 0)
        assert root_from_path(tree.get(index), tree.path(index), arity) == tree.root
    for level, nodes in enumerate(full_levels(leaves, depth, arity)):
        assert [tree.node(level, p) for p in range(len(nodes))] == nodes


def test_copies_are_independent():
    """A copy shares nodes (and their hashes) but no write: each sees only its own."""
    tree = filled_tree(4)
    before = tree.root
    twin = tree.copy()
    twin.set(6, 1)
    twin.set_hashed(9, [1, 2, 3])
    assert tree.root == before and tree.get(6) != 1 and tree.get(9) != poseidon([1, 2, 3])
    twin_root = twin.root
    tree.set(6, 2)  # written after the copy hashed the shared nodes
    assert twin.root == twin_root and twin.get(6) == 1 and tree.get(6) == 2
    assert tree.root != before and tree.root != twin_root
    third = twin.copy()
    third.set(6, 2)
    third.set(9, tree.get(9))
    assert third.root == tree.root


def test_hashes_by_levels_in_one_call_each():
    """Pending writes are hashed a level at a time: one call of the hasher per level and leaf width."""
    calls = []

    def counting(rows):
        calls.append(len(rows))
        return [poseidon(row) for row in rows]

    tree = SparseMerkleTree(3, 4, counting)
    for index in (0, 5, 17, 63):
        tree.set_hashed(index, [index, 1])
    tree.set(40, 7)
    assert tree.root == full_root({0: poseidon([0, 1]), 5: poseidon([5, 1]), 17: poseidon([17, 1]),
                                   63: poseidon([63, 1]), 40: 7}, 3, 4)  # fmt: skip
    assert calls == [4, 5, 4, 1]  # the leaves; nodes 0, 1, 4, 10, 15; 0, 1, 2, 3; the root
    calls.clear()
    assert tree.root and tree.path(5) and calls == []  # nothing left to hash


def test_trees_hashed_together_take_one_call_a_level_and_equal_each_alone():
    """Several trees (of other depths, one a copy sharing pending nodes) hashed together: the roots
    each would have alone, one hasher call per level for all of them, shared nodes hashed once."""
    calls = []

    def counting(rows):
        calls.append(len(rows))
        return [poseidon(row) for row in rows]

    first, second = SparseMerkleTree(2, 4, counting), SparseMerkleTree(3, 4, counting)
    first.set(1, 11)
    first.set(14, 12)
    second.set(60, 13)
    twin = first.copy()  # shares first's pending nodes
    twin.set(2, 14)
    rehash_trees([first, second, twin])
    assert calls == [4, 3, 1]  # level 1: first's 2 (one shared with twin), twin's new 1, second's 1; level
    # 2: first's root, twin's root, second's node; level 3: second's root
    assert first.root == full_root({1: 11, 14: 12}, 2, 4)
    assert twin.root == full_root({1: 11, 14: 12, 2: 14}, 2, 4)
    assert second.root == full_root({60: 13}, 3, 4)
    assert calls == [4, 3, 1]  # nothing was left to hash


def test_trees_hashed_together_must_share_a_hasher():
    native = SparseMerkleTree(2, 4)
    other = SparseMerkleTree(2, 4, lambda rows: [poseidon(row) for row in rows])
    native.set(0, 1)
    other.set(0, 1)
    with pytest.raises(ValueError, match="one hasher"):
        rehash_trees([native, other])
