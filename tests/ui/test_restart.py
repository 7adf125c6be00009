"""A real kitchen process killed under the app: x starts a new one that knows what the old one
knew (the scenario's own dishes), and the window leaves no process behind."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable

import pytest
from textual.pilot import Pilot

from kitchen_tui.stream.client import KitchenProcess
from kitchen_tui.talk.scenario import parse_scenario
from kitchen_tui.ui.app import KitchenApp
from kitchen_tui.ui.commands import order_of
from kitchen_tui.ui.live_session import LiveSession
from tests.ui.test_keys import LOOKUP

pytestmark = [pytest.mark.anyio, pytest.mark.slow, pytest.mark.timeout(60)]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def until(pilot: Pilot[None], check: Callable[[], bool], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not check() and time.monotonic() < deadline:
        await pilot.pause(0.05)
    assert check()


async def test_x_after_the_kitchen_was_killed_starts_one_that_serves_the_scenarios_dish() -> None:
    scenario = parse_scenario(LOOKUP, "own-dish.toml")
    app = KitchenApp(scenario.settings, scenario=scenario)
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: app.scene.board.ledger.served == 1)
        session = app.session
        assert isinstance(session, LiveSession) and isinstance(session.kitchen, KitchenProcess)
        pid = session.kitchen.pid
        assert pid is not None
        os.killpg(pid, signal.SIGKILL)
        await until(pilot, lambda: session.died is not None)
        await pilot.press("x")
        await until(pilot, lambda: bool(app.scene.board.settings))  # the new kitchen's hello
        assert session.kitchen.pid != pid
        app.dispatcher.run(order_of("lookup", app.numbers))
        ledger = app.scene.board.ledger
        await until(pilot, lambda: ledger.served + ledger.failed == 1)
        assert (ledger.served, ledger.failed) == (1, 0)
        new_pid = session.kitchen.pid
    assert new_pid is not None
    with pytest.raises(ProcessLookupError):
        os.kill(new_pid, 0)
