"""Montgomery multiplication as x86-64 inline assembly with two carry chains (BMI2 ``mulx``, ADX
``adcx``/``adox``): about a third fewer instructions than what LLVM makes of the portable IR.

LLVM never emits ``adcx``/``adox``, so the portable CIOS of :mod:`prover.kernels.arith` spends
an add-with-carry and a move on every partial product. Here each CIOS round adds a·b_i and m·p
with the two chains interleaved, the five accumulator registers rotate instead of shifting,
and the final conditional subtraction is a borrow chain and four ``cmov``. The operands reach
the assembly through a per-function stack slot (the register file cannot hold a, b, the
accumulator and the scratch words at once); p and -1/p mod 2^64 sit in a module constant.
Used only when the CPU has BMI2 and ADX and numba compiles for the host (see :func:`available`).
"""

from __future__ import annotations

from functools import cache

import llvmlite.binding as llvm
from llvmlite import ir
from numba.core import config

from prover.kernels.arith import I64, limbs_of

_I32 = ir.IntType(32)
_ACC = ["$0", "$1", "$2", "$3", "$4"]  # the accumulator words, rotated each round
_LO, _HI, _ZERO, _AB, _P = "$5", "$6", "$7", "$8", "$9"  # _AB: a at 0, b at 32
_CONSTRAINTS = ",".join(
    ["=&r"] * 8 + ["r"] * 2 + ["~{rdx}", "~{dirflag}", "~{fpsr}", "~{flags}", "~{memory}"]
)


@cache
def available() -> bool:
    """True when kernels compile for this machine's CPU (no ``NUMBA_CPU_NAME``) and it has BMI2
    and ADX (importing :mod:`prover.kernels` readies LLVM's assembler for inline assembly)."""
    if config.CPU_NAME is not None or llvm.get_process_triple().split("-")[0] != "x86_64":
        return False
    features = llvm.get_host_cpu_features()
    return bool(features.get("bmi2") and features.get("adx"))


def _round(i: int, acc: list[str]) -> list[str]:
    """Round i of CIOS: acc += a·b_i, then acc := (acc + m·p) / 2^64 with m = -acc_0/p mod 2^64."""
    t = acc
    lines = [f"movq {32 + 8 * i}({_AB}), %rdx"]
    if i == 0:  # the accumulator is still zero: plain products, one carry chain
        lines += [
            f"mulxq 0({_AB}), {t[0]}, {t[1]}",
            f"mulxq 8({_AB}), {_LO}, {t[2]}",
            f"addq {_LO}, {t[1]}",
            f"mulxq 16({_AB}), {_LO}, {t[3]}",
            f"adcq {_LO}, {t[2]}",
            f"mulxq 24({_AB}), {_LO}, {t[4]}",
            f"adcq {_LO}, {t[3]}",
            f"adcq $$0, {t[4]}",
        ]
    else:  # low halves on the OF chain, high halves on the CF chain
        lines.append(f"xorq {_ZERO}, {_ZERO}")
        for j in range(3):
            lines += [
                f"mulxq {8 * j}({_AB}), {_LO}, {_HI}",
                f"adoxq {_LO}, {t[j]}",
                f"adcxq {_HI}, {t[j + 1]}",
            ]
        lines += [
            f"mulxq 24({_AB}), {_LO}, {t[4]}",
            f"adoxq {_LO}, {t[3]}",
            f"adcxq {_ZERO}, {t[4]}",
            f"adoxq {_ZERO}, {t[4]}",
        ]
    lines += [f"movq {t[0]}, %rdx", f"imulq 32({_P}), %rdx", f"xorq {_ZERO}, {_ZERO}"]
    for j in range(4):  # t_0 becomes zero and is dropped: the division by 2^64
        lines += [
            f"mulxq {8 * j}({_P}), {_LO}, {_HI}",
            f"adcxq {_LO}, {t[j]}",
            f"adoxq {_HI}, {t[j + 1]}",
        ]
    lines.append(f"adcxq {_ZERO}, {t[4]}")
    return lines


@cache
def _assembly() -> tuple[str, tuple[int, ...]]:
    """The instruction text and which output operands hold the result limbs, least significant first."""
    acc = list(_ACC)
    lines: list[str] = []
    for i in range(4):
        lines += _round(i, acc)
        acc = acc[1:] + acc[:1]
    # acc[0..3] < 2p: take acc - p unless it borrows
    scratch = [_LO, _HI, _ZERO, "%rdx"]
    for k in range(4):
        lines += [f"movq {acc[k]}, {scratch[k]}", f"{'sbbq' if k else 'subq'} {8 * k}({_P}), {scratch[k]}"]
    lines += [f"cmovncq {scratch[k]}, {acc[k]}" for k in range(4)]
    return "\n".join(lines), tuple(int(name[1:]) for name in acc[:4])


def _constants(builder: ir.IRBuilder, modulus: int) -> ir.Value:
    """A pointer to (p_0, p_1, p_2, p_3, -1/p mod 2^64), a constant of the function's module."""
    name = f"zkclear_mont_{modulus:x}"
    module = builder.module
    if name in module.globals:
        table = module.globals[name]
    else:
        ty = ir.ArrayType(I64, 5)
        table = ir.GlobalVariable(module, ty, name)
        table.initializer = ir.Constant(ty, [*limbs_of(modulus), (-pow(modulus, -1, 1 << 64)) % (1 << 64)])
        table.global_constant = True
        table.linkage = "internal"
    return builder.bitcast(table, I64.as_pointer())


def _operand_slot(builder: ir.IRBuilder) -> ir.Value:
    """An 8-limb stack slot (a, then b) in the function's entry block, shared by all its
    multiplications: each stores its operands just before its assembly reads them."""
    function = builder.function
    slot = getattr(function, "_zkclear_mont_slot", None)
    if slot is None:
        with builder.goto_entry_block():
            slot = builder.bitcast(builder.alloca(ir.ArrayType(I64, 8)), I64.as_pointer())
        function._zkclear_mont_slot = slot
    return slot


def emit_mont_mul_adx(builder: ir.IRBuilder, a: list, b: list, modulus: int) -> list:
    """a·b·2^-256 mod p for a, b < p < 2^254 (limb lists), fully reduced, as inline assembly."""
    text, result = _assembly()
    slot = _operand_slot(builder)
    for k, limb in enumerate([*a, *b]):
        builder.store(limb, builder.gep(slot, [ir.Constant(_I32, k)]))
    signature = ir.FunctionType(ir.LiteralStructType([I64] * 8), [I64.as_pointer()] * 2)
    asm = ir.InlineAsm(signature, text, _CONSTRAINTS, side_effect=False)
    words = builder.call(asm, [slot, _constants(builder, modulus)])
    return [builder.extract_value(words, k) for k in result]
