"""How the kitchen serves: the mode, the prep shelf, the cooks, the speed. Shared by every part."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from typing import Literal

Mode = Literal["sync", "threads", "async"]
MODES: tuple[Mode, ...] = ("sync", "threads", "async")
BACKENDS = ("asyncio", "trio")

MIN_SPEED = 0.1
MAX_SPEED = 10.0
DEFAULT_COOKS = 40  # anyio's default to_thread limiter: what FastAPI gives plain `def` routes
MAX_COOKS = 1000
DEFAULT_FRONT_DESK = 1000
MAX_FRONT_DESK = 1_000_000
MAX_SHELF = 64


def default_shelf_size() -> int:
    return os.cpu_count() or 1


@dataclass(frozen=True)
class KitchenSettings:
    """The knobs of one kitchen; every one of them may change while orders are in flight."""

    mode: Mode = "async"
    prep_shelf: bool = False
    cooks: int = DEFAULT_COOKS
    shelf_size: int = 0  # 0: one worker per CPU
    front_desk: int = DEFAULT_FRONT_DESK
    speed: float = 1.0

    @property
    def shelf_workers(self) -> int:
        return self.shelf_size or default_shelf_size()

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, object]) -> KitchenSettings:
        return cls(**data)  # type: ignore[arg-type]
