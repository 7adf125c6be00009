"""What the app needs from a kitchen: the client's interface, so tests can hand in a fake."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from kitchen_tui.protocol.commands import SetStream
from kitchen_tui.protocol.events import Event
from kitchen_tui.protocol.menu import Dish
from kitchen_tui.protocol.orders import Order


class KitchenLink(Protocol):
    """The parent's side of a kitchen process (see kitchen_tui.stream.client.KitchenProcess)."""

    def start(self) -> None: ...

    def order(self, orders: Sequence[Order], t0: float | None = None) -> None: ...

    def define_dishes(self, dishes: Iterable[Dish]) -> None: ...

    def configure(self, **changes: object) -> None: ...

    def reset(self) -> None: ...

    def restart_worker(self, worker: int) -> None: ...

    def set_workers(self, count: int) -> None: ...

    def stream(self, stream: SetStream) -> None: ...

    def drain(self, limit: int | None = None) -> list[Event]: ...

    def stop(self) -> None: ...

    @property
    def alive(self) -> bool: ...
