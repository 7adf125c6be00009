"""The rate dial on a real kitchen: l starts customers, > and < turn the rate, they keep coming
through a mode switch and a new kitchen process, and the queueing panel shows the ledger's
figures, Little's law holding on them under steady load."""

from __future__ import annotations

import os
import signal
import time

import pytest

from kitchen_tui.protocol.settings import KitchenSettings
from kitchen_tui.stream.client import KitchenProcess
from kitchen_tui.stream.figure_history import FigureHistory, stream_rate
from kitchen_tui.stream.ledger import Ledger
from kitchen_tui.stream.queueing import queue_figures
from kitchen_tui.ui.app import KitchenApp
from kitchen_tui.ui.glyphs import seconds_text
from kitchen_tui.ui.live_session import LiveSession
from kitchen_tui.ui.widgets.queue_panel import QueuePanel
from kitchen_tui.ui.widgets.stats_panel import rate_text
from tests.ui.test_restart import anyio_backend, until

pytestmark = [pytest.mark.anyio, pytest.mark.slow, pytest.mark.timeout(120)]
__all__ = ["anyio_backend"]  # the fixture: asyncio, as the app runs

WINDOW_REAL_S = 5.0  # the queueing figures' window in the Little's law test


def _header(app: KitchenApp) -> str:
    return app._header.render_line(0).text


async def test_the_dial_starts_turns_and_stops_a_stream_that_outlives_a_new_kitchen() -> None:
    app = KitchenApp(KitchenSettings(mode="async"))
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: bool(app.scene.board.settings))
        session = app.session
        assert isinstance(session, LiveSession)
        await pilot.press("l")  # half the loop's 25 chats a second

        def ledger() -> Ledger:  # a restart brings a new one
            return app.scene.board.ledger

        await until(pilot, lambda: stream_rate(ledger()) == 12.5)
        assert "stream 12.5/s message" in _header(app)
        await pilot.press("greater_than_sign", "greater_than_sign", "less_than_sign")
        await until(pilot, lambda: stream_rate(ledger()) == 16.0)
        await until(pilot, lambda: len(ledger().flow.arrivals) >= 10)
        await pilot.press("m")  # sync: the same customers keep coming
        await until(pilot, lambda: ledger().settings.get("mode") == "sync")
        before = len(ledger().flow.arrivals)
        await until(pilot, lambda: len(ledger().flow.arrivals) >= before + 10)
        assert isinstance(session.kitchen, KitchenProcess) and session.kitchen.pid is not None
        os.killpg(session.kitchen.pid, signal.SIGKILL)
        await until(pilot, lambda: session.died is not None)
        await pilot.press("x")  # a new kitchen: the stream goes to it too
        await until(pilot, lambda: stream_rate(ledger()) == 16.0)
        await until(pilot, lambda: len(ledger().flow.arrivals) >= 10)
        await pilot.press("l")
        await until(pilot, lambda: ledger().flow.stream is None)
        assert "stream 16/s" not in _header(app).split(">")[0]


async def test_the_queueing_panel_shows_the_ledgers_figures_and_littles_law_holds() -> None:
    """LLM orders (2 s of waiting, no CPU) at 10 a story second, at 10x: a steady kitchen of
    about 20 orders, whose live L and X x W agree within 5 % once the window is full. The
    window is 5 real seconds here, not 10: 50 story seconds, some 500 orders, still many
    times the 2 s each one stays, in half the wait."""
    app = KitchenApp(KitchenSettings(mode="async", speed=10.0))
    app.scene.history = FigureHistory(window_s=WINDOW_REAL_S)
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: bool(app.scene.board.settings))
        session = app.session
        assert isinstance(session, LiveSession)
        from kitchen_tui.ui.commands import RunStream

        app.dispatcher.run(RunStream(10.0, {"llm": 1}))
        started = time.monotonic()
        await until(pilot, lambda: time.monotonic() - started > WINDOW_REAL_S + 1, timeout=30)
        await pilot.press("space")  # freeze the picture: no new reading from here on
        await pilot.pause(0.3)
        figures = app.scene.history.latest
        assert figures is not None and figures.window_s == pytest.approx(50.0, rel=0.05)
        assert figures.in_kitchen == pytest.approx(20.0, rel=0.2)
        assert figures.answered_x_latency == pytest.approx(figures.in_kitchen, rel=0.05)
        # The panel prints the figures the history read off the ledger, which `queue_figures`
        # gives again from the ledger for the same window (within a few events that reached the
        # ledger after the reading, stamped before it).
        ledger, now = app.scene.board.ledger, app.scene.now
        again = queue_figures(ledger, app.scene.history.read_at, app.scene.history.window_s)
        assert again is not None
        for name in ("offered_per_s", "throughput_per_s", "in_kitchen", "answered_x_latency"):
            assert getattr(again, name) == pytest.approx(getattr(figures, name), rel=0.03), name
        panel = app.query_one(QueuePanel)
        text = " ".join(panel.render_line(y).text for y in range(panel.size.height))
        for shown in (
            rate_text(figures.offered_per_s),
            rate_text(figures.throughput_per_s),
            f"{figures.in_kitchen:.1f}",
            f"{figures.answered_x_latency:.1f}",
            seconds_text(figures.p50_s),
            seconds_text(figures.p99_s),
        ):
            assert shown in text, (shown, text)
        assert now >= app.scene.history.read_at


async def test_the_dish_key_chooses_what_the_customers_order_and_the_panel_says_it() -> None:
    """L before a stream: the next stream's dish (the panel says what l will send); L while one
    runs: the customers order the new mix at once, at the same share of what the kitchen can
    serve. Async, one loop: the chat pipeline has 40 ms of CPU, 25 a second, so l starts 12.5;
    the mix of nine messages and a PDF has 0.9 x 40 ms + 0.1 x 15 s = 1.536 s of CPU an order,
    0.65 a second, and half of that is 0.33, the dial's step 0.32."""
    app = KitchenApp(KitchenSettings(mode="async"))
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: bool(app.scene.board.settings))
        panel = app.query_one(QueuePanel)

        def panel_text() -> str:
            return " ".join(panel.render_line(y).text for y in range(panel.size.height))

        await pilot.press("L")
        assert app.scene.stream_mix == {"chat": 1}
        await until(pilot, lambda: "off" in panel_text() and "chat" in panel_text())
        await pilot.press("l")
        ledger = app.scene.board.ledger
        await until(pilot, lambda: stream_rate(ledger) == 12.5)
        assert ledger.flow.stream is not None and ledger.flow.stream["mix"] == {"chat": 1}
        assert "stream 12.5/s chat" in _header(app)
        await pilot.press("L")
        await until(pilot, lambda: stream_rate(ledger) == 0.32)
        assert ledger.flow.stream is not None
        assert ledger.flow.stream["mix"] == {"message": 9, "pdf": 1}
        await until(pilot, lambda: "message:9 pdf:1" in panel_text())
        assert "stream 0.32/s message:9 pdf:1" in _header(app)
        await pilot.press("l")  # stopped; l again starts the same customers
        await until(pilot, lambda: ledger.flow.stream is None)
        assert app.scene.stream_mix == {"message": 9, "pdf": 1}
