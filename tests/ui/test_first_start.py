"""The first thing a new user sees: `kitchen-tui --scenario three-tables --mode async`, with a
real kitchen process, serves the lesson's figures (the scenario's clock waits for the kitchen)."""

from __future__ import annotations

import time

import pytest

from kitchen_tui.talk.scenario import load_scenario
from kitchen_tui.ui.app import KitchenApp
from tests.conftest import close_enough

pytestmark = [pytest.mark.anyio, pytest.mark.slow, pytest.mark.timeout(60)]

LESSON_ASYNC = {"A": 2.00, "B": 0.05, "C": 0.08}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_three_tables_in_async_serve_the_lessons_figures_from_the_first_start() -> None:
    scenario = load_scenario("three-tables")
    settings = scenario.settings.changed({"mode": "async"})
    for attempt in range(2):  # once more on a noisy machine, same tolerance
        app = KitchenApp(settings, scenario=scenario)
        async with app.run_test(size=(120, 36)) as pilot:
            deadline = time.monotonic() + 20
            ledger = app.scene.board.ledger
            while ledger.served < 3 and time.monotonic() < deadline:
                await pilot.pause(0.05)
                ledger = app.scene.board.ledger
            tickets = {t.id: t for t in ledger.tickets.values()}
        latencies = {name: tickets[name].latency_s for name in LESSON_ASYNC}
        desk = {name: tickets[name].split.get("front_desk", 1.0) for name in LESSON_ASYNC}
        good = all(
            latency is not None and close_enough(latency, LESSON_ASYNC[name])
            for name, latency in latencies.items()
        ) and all(seconds < 0.005 for seconds in desk.values())
        if good or attempt == 1:
            break
    assert good, (latencies, desk)
