"""Every key, in every mode, in one sequence, through the real kitchen process: every order sent
is served, failed or 86'd, and the lanes, the stats, the timeline, the served strip and the
report's figures tell what the event stream (the trace) tells."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from kitchen_tui.protocol.orders import Order
from kitchen_tui.protocol.settings import KitchenSettings
from kitchen_tui.recording.trace_file import load_trace
from kitchen_tui.stream.client import KitchenProcess
from kitchen_tui.stream.headless import RunResult
from kitchen_tui.stream.ledger import Ledger
from kitchen_tui.talk.scenario import load_scenario
from kitchen_tui.ui.app import KitchenApp
from kitchen_tui.ui.board import Board
from kitchen_tui.ui.glyphs import ms_text
from kitchen_tui.ui.widgets.kitchen_view import KitchenView

pytestmark = [pytest.mark.anyio, pytest.mark.slow, pytest.mark.timeout(240)]

# Every key of the live app, the scenario keys as two of the five (the others only last longer).
KEYS = [
    *("s", "f", "d", "a", "c", "b", "r"),
    *("p", "f", "b", "p", "plus", "minus", "t", "k", "space", "s", "space"),
    *("question_mark", "escape", "C", "n", "ctrl+s"),
    *("x", "f", "d", "1", "f", "4", "m", "d", "s"),
]
SETTLE_S = 60.0


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def text(app: KitchenApp, widget_id: str) -> str:
    view = app.query_one(f"#{widget_id}", KitchenView)
    return "\n".join(view.render_line(y).text for y in range(view.size.height))


@pytest.mark.parametrize("mode", ["sync", "threads", "async"])
async def test_every_key_in_every_mode_keeps_every_order_and_every_figure_true(
    mode: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[Order] = []
    real_order = KitchenProcess.order

    def spy(self: KitchenProcess, orders: list[Order], t0: float | None = None) -> None:
        sent.extend(orders)
        real_order(self, orders, t0)

    monkeypatch.setattr(KitchenProcess, "order", spy)
    trace = tmp_path / "keys.trace"
    settings = KitchenSettings(mode=mode, speed=10.0, cooks=4)  # type: ignore[arg-type]
    app = KitchenApp(settings, trace=trace, screenshot_dir=tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        deadline = time.monotonic() + 20
        while not app.scene.board.settings and time.monotonic() < deadline:
            await pilot.pause(0.05)
        for key in KEYS:
            await pilot.press(key)
            await pilot.pause(0.05)
        await settle(app, pilot)
        board = app.scene.board
        shown = {name: text(app, name) for name in ("stats", "timeline", "line-cook")}
        strip_title = str(app.query_one("#served").border_title)
    events = load_trace(trace).events

    # Every order the keys sent arrived in the kitchen and came to an end.
    whole = Ledger()
    for event in events:
        whole.apply(event)
    arrived = [e for e in events if e["type"] in ("arrived", "refused")]
    assert len(arrived) == len(sent), (len(arrived), len(sent))
    assert all(ticket.is_done for ticket in whole.tickets.values())

    # The screen's account since the last reset is the trace's account since then.
    replayed = Board()
    replayed.apply_all(events)
    mine, truth = board.ledger, replayed.ledger
    assert (mine.served, mine.failed, mine.refused) == (truth.served, truth.failed, truth.refused)
    assert mine.served > 0
    assert board.in_flight == 0 == replayed.in_flight
    stats = " ".join(shown["stats"].split())
    assert f"served {truth.served} in flight 0" in stats, stats
    assert f"86'd {truth.refused} failed {truth.failed}" in stats, stats
    assert ms_text(truth.holds.held_so_far(truth.last_t or 0.0)) in stats, stats
    assert f"served {truth.served}" in strip_title and f"failed {truth.failed}" in strip_title
    # Each timeline row of a served ticket ends in its ✓; none is left unfinished.
    lines = shown["timeline"].splitlines()
    rows = [line for line in lines[1:-1] if line.strip()]  # between the axis and the legend
    assert rows and all(row.rstrip().endswith(("✓", "✗", "86")) for row in rows), rows
    # The report reads the same ledger: its summary is the stream's.
    result = RunResult(
        load_scenario("three-tables"), settings, "asyncio", [], truth, 0.0, list(events)
    )
    summary = result.summary()
    assert (summary["served"], summary["failed"], summary["refused"]) == (
        truth.served,
        truth.failed,
        truth.refused,
    )
    assert summary["stall_s"] == pytest.approx(truth.holds.total_s)


async def settle(app: KitchenApp, pilot: object) -> None:
    """Until nothing has been in flight for half a second (orders wait for resets to finish)."""
    deadline = time.monotonic() + SETTLE_S
    quiet_since: float | None = None
    while time.monotonic() < deadline:
        await pilot.pause(0.1)  # type: ignore[attr-defined]
        idle = app.scene.board.in_flight == 0 and app.scene.board.ledger.tickets
        if idle:
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since > 0.5:
                await pilot.pause(0.2)  # type: ignore[attr-defined]
                return
        else:
            quiet_since = None
    raise AssertionError(f"still in flight after {SETTLE_S} s: {app.scene.board.in_flight}")
