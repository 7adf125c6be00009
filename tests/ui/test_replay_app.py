"""`kitchen-tui replay` in the app: a real trace, cut by a kill, animated up to the cut."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from kitchen_tui.protocol.orders import Order
from kitchen_tui.protocol.settings import KitchenSettings
from kitchen_tui.recording.replay import ReplayKitchen, load_trace
from kitchen_tui.stream.client import KitchenProcess
from kitchen_tui.ui.app import KitchenApp
from kitchen_tui.ui.widgets.key_overlay import KeyOverlay
from tests.conftest import Watcher, trace_seconds
from tests.ui.fakes import FakeClock

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def cut_trace(path: Path) -> None:
    """A real async kitchen: two quick orders served, then killed with the LLM call still out."""
    kitchen = KitchenProcess(KitchenSettings(mode="async"), trace=path)
    kitchen.start(wait=True)
    try:
        watcher = Watcher(kitchen)
        kitchen.order([Order("F1", "redis"), Order("D1", "postgres"), Order("S1", "llm")])
        watcher.wait_type("served", timeout=15, id="D1")
        watcher.wait_type("served", timeout=15, id="F1")
        pid = kitchen.pid
        assert pid is not None
        os.killpg(pid, signal.SIGKILL)
        watcher.wait_for(lambda e: e["type"] == "died", timeout=10, what="died")
    finally:
        kitchen.stop(grace=0.2)


async def test_a_cut_trace_replays_in_the_app_up_to_the_cut(tmp_path: Path) -> None:
    path = tmp_path / "cut.trace"
    cut_trace(path)
    trace = load_trace(path)
    clock = FakeClock()
    kitchen = ReplayKitchen(trace.events, clock=clock)
    app = KitchenApp(KitchenSettings(), kitchen=kitchen, clock=clock, paused=True, replay=str(path))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        clock.advance(0.05)
        app.step_frame()
        await pilot.pause()
        bar = str(app.query_one("#scene-bar").render())
        assert "0.1 s played at 1x" in bar or "0.0 s played at 1x" in bar, bar  # progress
        for _ in range(int(trace_seconds(trace) / 0.05) + 3):
            clock.advance(0.05)
            app.step_frame()
        await pilot.pause()
        ledger = app.scene.board.ledger
        assert kitchen.finished
        assert ledger.served == 2
        assert {t.id: t.state for t in ledger.tickets.values()}["S1"] == "rail"
        assert ledger.settings["mode"] == "async"
        bar = str(app.query_one("#scene-bar").render())
        assert "REPLAY" in bar and "the end" in bar, bar  # it showed no progress and no end

        # Nothing cooks in a replay: order and settings keys say so and send nothing.
        await pilot.press("k", "s", "m")
        overlay = app.query_one(KeyOverlay)
        assert list(overlay.pressed)[-2:] == [
            ("s", "replay: nothing to send"),
            ("m", "replay: nothing to send"),
        ]
        assert kitchen.commands["order"] == 0 and kitchen.commands["settings"] == 0
        await pilot.press("plus")
        assert kitchen.speed == 2.0
        await pilot.press("x")  # rewinds to the first event
        app.step_frame()
        assert app.scene.board.ledger.served == 0
