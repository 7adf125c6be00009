"""The race: both kitchens on screen, the same orders to both, and their difference."""

from __future__ import annotations

from typing import Any

import pytest

from kitchen_tui.protocol.settings import KitchenSettings
from kitchen_tui.talk.scenario import load_scenario
from kitchen_tui.ui.race import RaceApp
from kitchen_tui.ui.widgets.died_banner import DiedBanner
from kitchen_tui.ui.widgets.race_diff import ms_text
from tests.ui.fakes import FakeClock, FakeKitchen

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def served(
    kitchen: FakeKitchen, n: int, order_id: str, dish: str, t0: float, latency: float
) -> None:
    """What a kitchen says when it serves an order that arrived at t0."""
    base = {"v": 1, "story": 0.0, "id": order_id, "n": n}
    kitchen.push(
        [
            {
                **base,
                "seq": 100 + n,
                "type": "seated",
                "t": t0,
                "mode": kitchen.settings.mode,
                "cook": 0,
            },
            {
                **base,
                "seq": 200 + n,
                "type": "served",
                "t": t0 + latency,
                "latency_s": latency,
                "split": {"rail": latency},
            },
        ]
    )


def race_app() -> tuple[RaceApp, FakeClock, FakeKitchen, FakeKitchen]:
    clock = FakeClock()
    sync = FakeKitchen(clock, settings=KitchenSettings(mode="sync"))
    loop = FakeKitchen(clock, settings=KitchenSettings(mode="async"))
    app = RaceApp(
        load_scenario("three-tables"),
        ("sync", "async"),
        kitchens=[sync, loop],
        clock=clock,
        paused=True,
    )
    return app, clock, sync, loop


async def test_the_race_sends_the_same_orders_and_shows_the_difference() -> None:
    app, clock, sync, loop = race_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        app.step_frame()
        ids = [[o.id for batch in k.sent("order") for o in batch] for k in (sync, loop)]
        assert ids == [["A", "B", "C"], ["A", "B", "C"]]
        await pilot.press("f")
        sent = [k.sent("order")[-1] for k in (sync, loop)]
        assert sent[0] == sent[1] and sent[0][0].dish == "redis"
        t0 = clock()
        served(sync, 2, "B", "redis", t0, 2.047)
        served(loop, 2, "B", "redis", t0, 0.052)
        clock.advance(2.1)
        app.step_frame()
        await pilot.pause()
        assert app.diff.lines == ["redis (1 vs 1): 2,047 ms vs 52 ms   async 39x faster"]
        headers = [racer.views[0] for racer in app.racers]
        assert [h.scene.board.ledger.settings["mode"] for h in headers] == ["sync", "async"]
        assert app.racers[0].scene.board.ledger.served == 1

        # x: both kitchens reset; the scenario goes again only once both confirmed it.
        before = [len(k.sent("order")) for k in (sync, loop)]
        await pilot.press("x")
        assert [len(k.sent("reset")) for k in (sync, loop)] == [1, 1]
        assert [len(k.sent("order")) for k in (sync, loop)] == before
        app.step_frame()
        assert [[o.id for o in k.sent("order")[-1]] for k in (sync, loop)] == [["A", "B", "C"]] * 2


def test_ms_text() -> None:
    assert ms_text(0.052) == "52 ms"
    assert ms_text(2.0474) == "2,047 ms"


def _frames(app: RaceApp, clock: FakeClock, sync: FakeKitchen, loop: FakeKitchen) -> Any:
    async def run_before(pilot: Any) -> None:
        await pilot.pause()
        app.step_frame()
        t0 = clock()
        served(sync, 2, "B", "redis", t0, 2.047)
        served(loop, 2, "B", "redis", t0, 0.052)
        served(loop, 3, "C", "postgres", t0, 0.081)
        clock.advance(1.0)
        app.step_frame()
        await pilot.pause()

    return run_before


def test_the_race_looks_right(snap_compare: Any) -> None:
    app, clock, sync, loop = race_app()
    assert snap_compare(app, terminal_size=(120, 36), run_before=_frames(app, clock, sync, loop))


async def test_a_dead_kitchen_in_the_race_is_shown_and_x_restarts_it() -> None:
    app, clock, sync, loop = race_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        app.step_frame()
        assert [len(k.sent("order")) for k in (sync, loop)] == [1, 1]
        loop.die()
        clock.advance(0.1)
        app.step_frame()
        await pilot.pause()
        banners = [app.query_one(f"#racer-{i}").query_one(DiedBanner) for i in (0, 1)]
        assert [bool(b.display) for b in banners] == [False, True]
        assert "signal 9" in str(banners[1].render())

        # x: the dead kitchen starts again, the live one resets; the scenario goes to both.
        await pilot.press("x")
        assert (loop.started, sync.started) == (2, 1)
        assert len(sync.sent("reset")) == 1 and loop.sent("reset") == []
        for _ in range(2):
            clock.advance(0.1)
            app.step_frame()
        await pilot.pause()
        assert not banners[1].display
        assert [[o.id for o in k.sent("order")[-1]] for k in (sync, loop)] == [["A", "B", "C"]] * 2
        await pilot.press("f")  # later orders go to both at once, held for nobody
        assert [k.sent("order")[-1][0].id for k in (sync, loop)] == ["F1", "F1"]


def test_with_two_orders_the_comparison_is_of_their_middle_not_the_lower() -> None:
    """One postgres order waited 2 s behind the LLM in sync, the next did not: a nearest-rank
    p50 of two picked the lower and read 'postgres: 81 ms vs 81 ms, about the same'."""
    from kitchen_tui.stream.ledger import Ledger
    from kitchen_tui.ui.widgets.race_diff import difference_lines

    sync, loop = Ledger(), Ledger()
    for ledger, values in ((sync, (2.13, 0.081)), (loop, (0.081, 0.081))):
        for value in values:
            ledger.latencies["postgres"].add(value)
    (line,) = difference_lines(sync, loop, ("sync", "async"))
    assert line == "postgres (2 vs 2): 1,106 ms vs 81 ms   async 14x faster"


async def test_the_scenario_title_reads_whole_above_the_comparison() -> None:
    app, _, _, _ = race_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        app.step_frame()
        await pilot.pause()
        title = load_scenario("three-tables").title
        assert app.diff.border_title == f"{title}: median per dish: sync vs async"
        assert [racer.scene.last_command for racer in app.racers] == ["> scenario"] * 2
        # Each half's header has room for the short echo whole, where the title was cut.
        header = app.racers[0].views[0]
        assert "> scenario " in "".join(s.text for s in header.render_lines(header.region))
