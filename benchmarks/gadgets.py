"""Constraint count of each gadget next to circomlib's for the same function.

    python benchmarks/gadgets.py [--only NAME ...] [--no-circom]

circomlib's counts come from compiling small test templates with ``circom2 --r1cs --O2`` (its
fullest simplification); the table goes to stdout and the counts to
benchmarks/results/gadgets.json as {gadget: {"zkclear": n, "circomlib": m}} (m is null where
circomlib has no such gadget).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from circuits.cs import ConstraintSystem  # noqa: E402
from circuits.gadgets import babyjub  # noqa: E402
from circuits.gadgets.babyjub_var import edwards_add, edwards_double, fixed_base_mul, scalar_mul  # noqa: E402
from circuits.gadgets.bits import assert_signed_range, to_bits, to_bits_strict  # noqa: E402
from circuits.gadgets.compare import is_equal, is_less_equal, is_less_than, is_zero, select  # noqa: E402
from circuits.gadgets.eddsa_var import eddsa_verify_var  # noqa: E402
from circuits.gadgets.fixed_point import mul_div_var  # noqa: E402
from circuits.gadgets.merkle import merkle_root_var  # noqa: E402
from circuits.gadgets.poseidon import poseidon_var  # noqa: E402
from circuits.gadgets.poseidon_constants import MAX_INPUTS  # noqa: E402
from circuits.gadgets.sha256 import sha256_var  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "gadgets.json"
MERKLE_CAPACITY_BITS = 20


@dataclass
class Case:
    name: str
    define: Callable[[ConstraintSystem], object]
    circom: str | None  # a circom 2 program: includes and ``component main``


def _inp(cs: ConstraintSystem, name: str, n: int | None = None):
    return cs.private_input(name, n)


def _point(cs: ConstraintSystem, name: str):
    x, y = cs.private_input(name, 2)
    return x, y


def _merkle_circom(depth: int) -> str:
    return f"""
include "poseidon.circom";
include "switcher.circom";
include "bitify.circom";
template Path(depth) {{
    signal input leaf; signal input index; signal input siblings[depth]; signal output root;
    component bits = Num2Bits(depth); bits.in <== index;
    component sw[depth]; component h[depth]; signal node[depth + 1]; node[0] <== leaf;
    for (var i = 0; i < depth; i++) {{
        sw[i] = Switcher(); sw[i].sel <== bits.out[i]; sw[i].L <== node[i]; sw[i].R <== siblings[i];
        h[i] = Poseidon(2); h[i].inputs[0] <== sw[i].outL; h[i].inputs[1] <== sw[i].outR;
        node[i + 1] <== h[i].out;
    }}
    root <== node[depth];
}}
component main = Path({depth});
"""


def _merkle(arity: int) -> Callable[[ConstraintSystem], object]:
    depth = MERKLE_CAPACITY_BITS // (arity.bit_length() - 1)

    def define(cs: ConstraintSystem) -> object:
        flat = _inp(cs, "siblings", depth * (arity - 1))
        siblings = [flat[i * (arity - 1) : (i + 1) * (arity - 1)] for i in range(depth)]
        return merkle_root_var(cs, _inp(cs, "leaf"), _inp(cs, "index"), siblings, arity)

    return define


def _main(include: str, main: str) -> str:
    return f'include "{include}";\ncomponent main = {main};\n'


SIGNED_RANGE_CIRCOM = """
include "bitify.circom";
template SignedRange64() { signal input in; component b = Num2Bits(64); b.in <== in + (1 << 63); }
component main = SignedRange64();
"""


def cases() -> list[Case]:
    base8 = f"[{babyjub.BASE8[0]}, {babyjub.BASE8[1]}]"
    out = [
        Case(
            "num2bits_64", lambda cs: to_bits(cs, _inp(cs, "x"), 64), _main("bitify.circom", "Num2Bits(64)")
        ),
        Case(
            "num2bits_strict_254",
            lambda cs: to_bits_strict(cs, _inp(cs, "x")),
            _main("bitify.circom", "Num2Bits_strict()"),
        ),
        Case("signed_range_64", lambda cs: assert_signed_range(cs, _inp(cs, "x"), 64), SIGNED_RANGE_CIRCOM),
        Case(
            "less_than_64",
            lambda cs: is_less_than(cs, _inp(cs, "a"), _inp(cs, "b"), 64),
            _main("comparators.circom", "LessThan(64)"),
        ),
        Case(
            "less_eq_64",
            lambda cs: is_less_equal(cs, _inp(cs, "a"), _inp(cs, "b"), 64),
            _main("comparators.circom", "LessEqThan(64)"),
        ),
        Case("is_zero", lambda cs: is_zero(cs, _inp(cs, "x")), _main("comparators.circom", "IsZero()")),
        Case(
            "is_equal",
            lambda cs: is_equal(cs, _inp(cs, "a"), _inp(cs, "b")),
            _main("comparators.circom", "IsEqual()"),
        ),
        Case(
            "select",
            lambda cs: select(cs, _inp(cs, "s"), _inp(cs, "a"), _inp(cs, "b")),
            _main("mux1.circom", "Mux1()"),
        ),
        Case("mul_div_64", lambda cs: mul_div_var(cs, _inp(cs, "a"), _inp(cs, "b"), _inp(cs, "d")), None),
    ]
    out += [
        Case(
            f"poseidon_{n}",
            lambda cs, n=n: poseidon_var(cs, _inp(cs, "x", n)),
            _main("poseidon.circom", f"Poseidon({n})"),
        )
        for n in range(1, MAX_INPUTS + 1)
    ]
    out += [
        Case(
            f"merkle_path_2^{MERKLE_CAPACITY_BITS}_binary", _merkle(2), _merkle_circom(MERKLE_CAPACITY_BITS)
        ),
        Case(f"merkle_path_2^{MERKLE_CAPACITY_BITS}_4ary", _merkle(4), _merkle_circom(MERKLE_CAPACITY_BITS)),
        Case(
            "babyjub_add",
            lambda cs: edwards_add(cs, _point(cs, "p"), _point(cs, "q")),
            _main("babyjub.circom", "BabyAdd()"),
        ),
        Case(
            "babyjub_double",
            lambda cs: edwards_double(cs, _point(cs, "p")),
            _main("babyjub.circom", "BabyDbl()"),
        ),
        Case(
            "scalar_mul_any_254",
            lambda cs: scalar_mul(cs, _inp(cs, "e", 254), _point(cs, "p")),
            _main("escalarmulany.circom", "EscalarMulAny(254)"),
        ),
        Case(
            "scalar_mul_fix_253",
            lambda cs: fixed_base_mul(cs, _inp(cs, "e", 253)),
            _main("escalarmulfix.circom", f"EscalarMulFix(253, {base8})"),
        ),
        Case(
            "eddsa_poseidon_verify",
            lambda cs: eddsa_verify_var(
                cs, _inp(cs, "M"), _point(cs, "A"), _point(cs, "R8"), _inp(cs, "S"), when=_inp(cs, "enabled")
            ),
            _main("eddsaposeidon.circom", "EdDSAPoseidonVerifier()"),
        ),
        Case(
            "sha256_440_bits",
            lambda cs: sha256_var(cs, _inp(cs, "m", 440)),
            _main("sha256/sha256.circom", "Sha256(440)"),
        ),
        Case(
            "sha256_512_bits",
            lambda cs: sha256_var(cs, _inp(cs, "m", 512)),
            _main("sha256/sha256.circom", "Sha256(512)"),
        ),
    ]
    return out


def zkclear_count(case: Case) -> int:
    cs = ConstraintSystem()
    case.define(cs)
    return len(cs.constraints)


def circom_count(source: str, workdir: Path) -> int:
    """Compile with circom2 (a WASI build that reaches files only below its working directory, so it
    runs from a directory above both the sources and circomlib) and count the constraints."""
    modules = (ROOT / "node_modules").resolve()
    cli, library = modules / "circom2" / "cli.js", modules / "circomlib" / "circuits"
    source_file = workdir / "main.circom"
    source_file.write_text("pragma circom 2.0.0;\n" + source)
    top = Path(os.path.commonpath([workdir.resolve(), modules]))
    done = subprocess.run(
        ["node", str(cli), str(source_file), "--r1cs", "--O2", "-o", str(workdir), "-l", str(library)],
        cwd=top,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise RuntimeError(f"circom2 failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    # circom's own summary: with --O2 it may drop input wires, leaving a header that counts
    # more inputs than wires, so the count is read from its report rather than the .r1cs
    counts = re.findall(r"(?:non-linear|linear) constraints: (\d+)", _plain(done.stdout))
    if len(counts) != 2 or not (workdir / "main.r1cs").is_file():
        raise RuntimeError(f"unexpected circom2 output:\n{done.stdout[-2000:]}")
    return sum(map(int, counts))


def _plain(text: str) -> str:
    """Without terminal colour codes."""
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="gadget names to measure")
    parser.add_argument("--no-circom", action="store_true", help="skip compiling circomlib's templates")
    args = parser.parse_args()
    selected = [c for c in cases() if not args.only or c.name in args.only]
    results: dict[str, dict[str, int | None]] = {}
    print(f"{'gadget':<30} {'zkclear':>9} {'circomlib':>10}")
    with tempfile.TemporaryDirectory() as tmp:
        for case in selected:
            ours = zkclear_count(case)
            theirs = None
            if case.circom is not None and not args.no_circom:
                workdir = Path(tmp) / case.name.replace("^", "")
                workdir.mkdir()
                theirs = circom_count(case.circom, workdir)
            results[case.name] = {"zkclear": ours, "circomlib": theirs}
            shown = "-" if theirs is None else str(theirs)
            flag = "" if theirs is None or ours <= theirs else "  (more than circomlib)"
            print(f"{case.name:<30} {ours:>9} {shown:>10}{flag}", flush=True)
    if not args.only and not args.no_circom:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")
        print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
