"""The caption's costs on screen, live, are the account's and, once the step is done, the
report's; a to_thread step's ticket says where it is (a worker thread, or waiting for a token):
a real kitchen's stream replayed into the app by its own clock."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from kitchen_tui.protocol.orders import Order
from kitchen_tui.protocol.settings import THREAD_TOKENS, KitchenSettings
from kitchen_tui.stream.headless import RunResult, run_scenario
from kitchen_tui.ui.app import KitchenApp
from kitchen_tui.ui.glyphs import STATE_LOOKS, TOKEN_NOTE
from kitchen_tui.ui.widgets.kitchen_view import KitchenView
from tests.conftest import dish, scenario
from tests.ui.fakes import FakeClock, FakeKitchen

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(120)]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # Textual runs on asyncio


@contextlib.asynccontextmanager
async def replayed(
    result: RunResult, at: float, tmp_path: Path
) -> AsyncIterator[tuple[KitchenApp, FakeClock, Pilot[None]]]:
    """The app fed `result`'s stream up to real time `at`, one frame drawn."""
    clock = FakeClock(at)
    kitchen = FakeKitchen(clock, trace=result.events, answer=False)
    app = KitchenApp(
        result.settings, kitchen=kitchen, clock=clock, paused=True, screenshot_dir=tmp_path
    )
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        app.step_frame()
        await pilot.pause()
        yield app, clock, pilot


async def test_the_slice_count_on_screen_is_live_and_ends_as_the_reports(tmp_path: Path) -> None:
    settings = KitchenSettings.from_json({"mode": "async", "fix_cpu": "checkpoints"})
    orders = [Order("P", "crunch"), Order("r", "redis", 0.2)]
    plan = scenario(orders, [dish("crunch", ("cpu", 0.6))])
    result = run_scenario(plan, settings)
    progress = [e for e in result.events if e["type"] == "cpu_progress"]
    middle = progress[len(progress) // 2]
    async with replayed(result, float(middle["t"]) + 1e-6, tmp_path) as (app, clock, pilot):
        live = str(app.caption.text)
        assert f"({middle['slices']} slices, longest gap" in live, live
        assert "pays +" in live, live
        clock.advance(float(result.events[-1]["t"]) - clock.now + 0.01)
        app.step_frame()
        await pilot.pause()
        summary = result.summary()["remedies"]
        assert isinstance(summary, dict)
        done = str(app.caption.text)
        assert f"({summary['slices']} slices, longest gap" in done, done
        assert summary["slices"] > middle["slices"]
        gap_ms = float(summary["longest_gap_s"]) / settings.speed * 1000
        assert f"longest gap {gap_ms:.1f} ms" in done, done


def _rail_text(app: KitchenApp) -> tuple[str, str]:
    """The rail lane's chips and its subtitle, as drawn."""
    lane = app.query_one("#rail", KitchenView)
    chips = "\n".join(lane.render_line(y).text for y in range(lane.size.height))
    return chips, str(lane.border_subtitle)


async def test_a_cpu_step_on_a_thread_is_shown_on_a_thread_not_awaiting_io(
    tmp_path: Path,
) -> None:
    settings = KitchenSettings.from_json({"mode": "async", "fix_cpu": "to_thread"})
    orders = [Order("P", "crunch"), Order("r", "redis", 0.2)]
    result = run_scenario(scenario(orders, [dish("crunch", ("cpu", 0.6))]), settings)
    (began,) = [e for e in result.events if e["type"] == "thread_in"]
    async with replayed(result, float(began["t"]) + 0.1, tmp_path) as (app, _clock, _pilot):
        ticket = next(t for t in app.scene.board.ledger.tickets.values() if t.id == "P")
        assert ticket.state == "thread" and ticket.step_kind == "cpu"
        chips, subtitle = _rail_text(app)
        look = STATE_LOOKS["thread"]
        assert f" {look.glyph}  P" in chips and TOKEN_NOTE not in chips, chips
        assert subtitle == "1 on a thread", subtitle  # not "1 awaiting I/O"
        assert "awaiting I/O" not in look.caption
    # The report agrees: served with the remedy, its step on a worker thread.
    (row,) = [o for o in result.orders if o.id == "P"]
    assert row.ticket is not None and row.ticket.fix_cpu == "to_thread"
    wheres = {e["where"] for e in result.events if e["type"] == "step_started" and e["id"] == "P"}
    assert wheres == {"thread"}


async def test_calls_waiting_for_a_token_say_so_and_match_the_limiter(tmp_path: Path) -> None:
    settings = KitchenSettings.from_json({"mode": "async", "fix_blocking": "to_thread"})
    orders = [Order(f"b{i:02}", "block") for i in range(THREAD_TOKENS + 5)]
    result = run_scenario(scenario(orders, [dish("block", ("blocking", 0.4))]), settings)
    beat = next(e for e in result.events if e["type"] == "heartbeat" and e["token_waiting"])
    async with replayed(result, float(beat["t"]) + 1e-6, tmp_path) as (app, _clock, _pilot):
        on_threads = [t for t in app.scene.board.ledger.tickets.values() if t.state == "thread"]
        waiting = [t for t in on_threads if t.thread_step != t.step_index]
        assert len(on_threads) == len(orders) and len(waiting) == beat["token_waiting"] == 5
        chips, subtitle = _rail_text(app)
        title = str(app.query_one("#rail", KitchenView).border_title)
        # Only those holding a token are on threads, as the limiter (and the caption) count.
        busy, limit, token_waiting = app.scene.board.ledger.remedies.tokens or (0, 0, 0)
        assert subtitle == f"{busy} on threads", subtitle
        assert title == f"rail · {token_waiting} {TOKEN_NOTE}", title
        caption = str(app.caption.text)
        assert f"threads {busy}/{limit}, {token_waiting} waiting for a token" in caption, caption
        drawn = {t.id: t in waiting for t in on_threads if f" {t.id} " in chips}
        assert drawn and any(drawn.values()), chips  # some waiting ones are on screen
        for line in chips.splitlines():
            shown = [key for key in drawn if f" {key} " in line]
            assert all((TOKEN_NOTE in line) == drawn[key] for key in shown), line
        assert app.scene.board.ledger.remedies.tokens == (THREAD_TOKENS, THREAD_TOKENS, 5)
