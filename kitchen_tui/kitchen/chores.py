"""A kitchen's chores beside serving: its hello, its heartbeat and its lag probe."""

from __future__ import annotations

import os
import time
from typing import Any

import anyio

from kitchen_tui.kitchen.collector import QuietCollector
from kitchen_tui.kitchen.events import Emitter
from kitchen_tui.kitchen.frontdesk import FrontDesk, Ticket
from kitchen_tui.kitchen.responses import Responses
from kitchen_tui.kitchen.steps import StepRunner
from kitchen_tui.protocol.menu import Dish
from kitchen_tui.protocol.settings import KitchenSettings

HEARTBEAT_S = 0.25
LAG_PROBE_S = 0.01


class KitchenChores:
    """What a server process does beside its requests: says who it is and that it is alive."""

    emitter: Emitter
    backend: str
    settings: KitchenSettings
    menu: dict[str, Dish]
    collector: QuietCollector
    desk: FrontDesk
    steps: StepRunner
    responses: Responses
    _in_flight: set[Ticket]
    _worst_lag: float

    def hello(self) -> None:
        """The stream's first event: who this kitchen is and what it serves."""
        self.emitter.emit(
            "hello",
            pid=os.getpid(),
            backend=self.backend,
            settings=self.settings.to_json(),
            menu=self._menu_json(),
        )

    def _menu_json(self) -> dict[str, Any]:
        return {name: dish.to_json() for name, dish in self.menu.items()}

    async def _heartbeat(self) -> None:
        while True:
            await anyio.sleep(HEARTBEAT_S)
            self.collector.check()
            lag, self._worst_lag = self._worst_lag, 0.0
            self.emitter.emit(
                "heartbeat",
                front_desk=self.desk.waiting,
                in_flight=len(self._in_flight),
                lag_s=lag,
                loop_busy_s=self.steps.loop_busy_s,
                jobs_open=self.steps.jobs.open,
                jobs_queued=self.steps.jobs.queued,
                walked_out=self.responses.walked_out,
                **self.steps.threads.tokens(),
                **self.responses.counts,
            )

    async def _lag_probe(self) -> None:
        """How late the loop wakes a 10 ms sleeper: a stall felt by every task."""
        while True:
            before = time.perf_counter()
            await anyio.sleep(LAG_PROBE_S)
            lag = time.perf_counter() - before - LAG_PROBE_S
            self._worst_lag = max(self._worst_lag, lag)
