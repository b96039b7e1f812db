"""A venue's deployment parameters, fixed at ``init`` and kept in the store: circuit config,
markets at genesis, the oracle key, the batch shape, the liquidator account, the sealing deadline."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from circuits.exchange.batch import BatchShape
from circuits.exchange.config import ExchangeConfig
from circuits.gadgets.babyjub import Point
from rollup.exchange.state import ExchangeState
from rollup.order_checks import MarketSpec


@dataclass(frozen=True)
class Genesis:
    config: ExchangeConfig
    markets: tuple[dict[str, int], ...]
    oracle_pk: Point
    shape: BatchShape
    liquidator: int  # the operator's own account that takes over liquidated positions
    deadline: float = 5.0  # seconds an operation may wait before its partial batch is sealed
    insurance: int = 0

    def state(self) -> ExchangeState:
        return ExchangeState(self.config, [dict(m) for m in self.markets], self.oracle_pk, self.insurance)

    def market_specs(self) -> list[MarketSpec]:
        return [MarketSpec(m, spec["tick"], spec["lot"]) for m, spec in enumerate(self.markets)]

    def to_json(self) -> dict[str, Any]:
        return {
            "config": asdict(self.config), "markets": [dict(m) for m in self.markets],
            "oracle_pk": list(self.oracle_pk), "shape": list(self.shape.slots), "liquidator": self.liquidator,
            "deadline": self.deadline, "insurance": self.insurance,
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Genesis:
        return cls(
            ExchangeConfig(**data["config"]), tuple(data["markets"]), tuple(data["oracle_pk"]),
            BatchShape(tuple(data["shape"])), data["liquidator"], data["deadline"], data["insurance"],
        )  # fmt: skip
