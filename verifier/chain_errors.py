"""Contract reverts as readable errors: custom errors of zkclear's contracts, Error(string), Panic."""

from __future__ import annotations

from functools import cache

from eth_abi import decode as abi_decode
from eth_utils import keccak

from verifier.contract_artifacts import CONTRACT_NAMES, load_artifact

ERROR_STRING_SELECTOR = bytes.fromhex("08c379a0")  # Error(string)
PANIC_SELECTOR = bytes.fromhex("4e487b71")  # Panic(uint256)


class ChainError(RuntimeError):
    """Talking to the chain failed: no connection, bad configuration, a failed transaction."""


class ContractRevert(ChainError):
    """A call or transaction reverted: ``name`` is the custom error (or "Error", "Panic"), with values."""

    def __init__(self, name: str, args: tuple[object, ...] = ()) -> None:
        self.name = name
        self.args_values = args
        shown = ", ".join(str(a) for a in args)
        super().__init__(f"reverted: {name}({shown})")


@cache
def _custom_errors() -> dict[bytes, tuple[str, list[str]]]:
    errors = {}
    for contract in CONTRACT_NAMES:
        for entry in load_artifact(contract)["abi"]:
            if entry["type"] == "error":
                types = [i["type"] for i in entry["inputs"]]
                selector = keccak(text=f"{entry['name']}({','.join(types)})")[:4]
                errors[selector] = (entry["name"], types)
    return errors


def decode_revert(data: bytes) -> ContractRevert:
    """Name the revert from its return data (empty data: a bare revert, or an out-of-gas failure)."""
    selector, body = data[:4], data[4:]
    try:
        if selector == ERROR_STRING_SELECTOR:
            return ContractRevert("Error", tuple(abi_decode(["string"], body)))
        if selector == PANIC_SELECTOR:
            return ContractRevert("Panic", (hex(abi_decode(["uint256"], body)[0]),))
        if selector in _custom_errors():
            name, types = _custom_errors()[selector]
            return ContractRevert(name, tuple(abi_decode(types, body)))
    except Exception:  # malformed revert data: fall through and show it raw
        pass
    return ContractRevert("UnknownRevert", (data.hex() or "no data",))
