"""Several workers on screen: each worker's line, its held step named, the hand-out rule, and
a line of stats each, from one stream with each worker's events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kitchen_tui.protocol.settings import KitchenSettings
from kitchen_tui.ui.app import KitchenApp
from kitchen_tui.ui.widgets.kitchen_view import KitchenView
from tests.ui.fakes import FakeClock, FakeKitchen

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _events(t: float) -> list[dict[str, Any]]:
    settings = KitchenSettings(mode="async", workers=2).to_json()
    about = {"id": "A", "n": 1}
    step = {**about, "i": 0, "kind": "cpu", "label": "crunch", "where": "loop", "nominal_s": 2.0}
    seated = {"mode": "async", "cook": None, "prep_shelf": False}
    fixes = {"fix_blocking": "inline", "fix_cpu": "inline"}
    return [
        {"type": "hello", "t": t, "pid": 1, "backend": "asyncio", "settings": settings, "menu": {}},
        {"type": "worker_up", "t": t, "worker": 1, "pid": 11},
        {"type": "worker_up", "t": t, "worker": 2, "pid": 12},
        {"type": "arrived", "t": t, **about, "dish": "pdf", "front_desk": 1},
        {"type": "accepted", "t": t, **about, "worker": 2},
        {"type": "seated", "t": t, **about, **seated, **fixes, "worker": 2},
        {"type": "step_started", "t": t, **step, "worker": 2},
    ]


def _text(app: KitchenApp, widget_id: str) -> str:
    view = app.query_one(f"#{widget_id}", KitchenView)
    return "\n".join(view.render_line(y).text for y in range(view.size.height))


@pytest.mark.parametrize("size", [(120, 36), (80, 24)])
async def test_each_worker_has_its_line_and_a_held_loop_names_its_worker(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    clock = FakeClock()
    kitchen = FakeKitchen(clock, answer=False)
    app = KitchenApp(
        KitchenSettings(), kitchen=kitchen, clock=clock, paused=True, screenshot_dir=tmp_path
    )
    async with app.run_test(size=size) as pilot:
        kitchen.push([{"v": 1, "seq": i, **e} for i, e in enumerate(_events(clock()))])
        clock.advance(0.3)
        app.step_frame()
        await pilot.pause()
        cooks = _text(app, "line-cook")
        assert "w1 loop free" in cooks
        assert "w2  LOOP HELD" in cooks and "A crunch" in cooks
        assert "workers 2" in _text(app, "kitchen-header")
        stats = _text(app, "stats")
        assert "w1 served 0, failed 0, open 0" in stats
        assert "w2 served 0, failed 0, open 1" in stats
        if size == (120, 36):  # room for the hand-out rule beside the tickets
            assert "takes all it can while its loop runs" in " ".join(
                _text(app, "front-desk").split()
            )
        died = {"type": "worker_died", "t": clock(), "worker": 1, "pid": 11, "code": -9}
        kitchen.push([{**died, "message": "worker 1 (pid 11) was killed by signal 9", "failed": 0}])
        clock.advance(0.1)
        app.step_frame()
        await pilot.pause()
        assert "w1  DOWN" in _text(app, "line-cook")
        assert "w1 DOWN, served 0, failed 0" in _text(app, "stats")
        # The worker whose loop A held dies and is started again: its line is free, not held.
        died = {**died, "worker": 2, "pid": 12, "message": "worker 2 (pid 12) was killed"}
        again = {"type": "worker_up", "t": clock(), "worker": 2, "pid": 13}
        kitchen.push([{"v": 1, "seq": 100 + i, **e} for i, e in enumerate([died, again])])
        clock.advance(0.1)
        app.step_frame()
        await pilot.pause()
        assert "w2 loop free" in _text(app, "line-cook"), _text(app, "line-cook")


async def test_each_workers_prep_shelf_shows_its_own_busy_slot(tmp_path: Path) -> None:
    """Two workers, each with a shelf of its own: both have a step on their shelf worker 0;
    the lane shows both (it showed one: the slots were keyed by number alone)."""
    clock = FakeClock()
    kitchen = FakeKitchen(clock, answer=False)
    app = KitchenApp(
        KitchenSettings(), kitchen=kitchen, clock=clock, paused=True, screenshot_dir=tmp_path
    )
    t = clock()
    settings = KitchenSettings(mode="async", workers=2, prep_shelf=True, shelf_size=2).to_json()
    events: list[dict[str, Any]] = [
        {"type": "hello", "t": t, "pid": 1, "backend": "asyncio", "settings": settings, "menu": {}},
        {"type": "worker_up", "t": t, "worker": 1, "pid": 11},
        {"type": "worker_up", "t": t, "worker": 2, "pid": 12},
    ]
    for n, worker in ((1, 1), (2, 2)):
        about = {"id": f"C{n}", "n": n}
        seated = {"mode": "async", "cook": None, "prep_shelf": True}
        fixes = {"fix_blocking": "inline", "fix_cpu": "prep_shelf"}
        step = {**about, "i": 0, "kind": "cpu", "label": "embed", "where": "shelf"}
        events += [
            {"type": "arrived", "t": t, **about, "dish": "pdf", "front_desk": 1},
            {"type": "accepted", "t": t, **about, "worker": worker},
            {"type": "seated", "t": t, **about, **seated, **fixes, "worker": worker},
            {"type": "step_started", "t": t, **step, "nominal_s": 15.0, "worker": worker},
            {
                "type": "shelf_in",
                "t": t,
                **about,
                "i": 0,
                "slot": 0,
                "pid": 20 + n,
                "waited_s": 0.0,
                "worker": worker,
            },
        ]
    async with app.run_test(size=(120, 36)) as pilot:
        kitchen.push([{"v": 1, "seq": i, **e} for i, e in enumerate(events)])
        clock.advance(0.3)
        app.step_frame()
        await pilot.pause()
        shelf = _text(app, "prep-shelf")
        assert "w1.1" in shelf and "C1" in shelf, shelf
        assert "w2.1" in shelf and "C2" in shelf, shelf
        assert "2 of 4 idle" in shelf, shelf


@pytest.mark.parametrize("size", [(120, 36), (80, 24)])
async def test_more_workers_than_the_stats_have_room_for_end_on_a_line_for_the_rest(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    """Eight workers: the stats panel had room for four lines and cut the rest off without a
    word (w5 to w8 were not on screen, nor that they were missing). A down worker keeps its
    line; the last line counts the others, together."""
    clock = FakeClock()
    kitchen = FakeKitchen(clock, answer=False)
    app = KitchenApp(
        KitchenSettings(), kitchen=kitchen, clock=clock, paused=True, screenshot_dir=tmp_path
    )
    async with app.run_test(size=size) as pilot:
        t = clock()
        settings = KitchenSettings(mode="async", workers=8).to_json()
        events: list[dict[str, Any]] = [
            {
                "type": "hello",
                "t": t,
                "pid": 1,
                "backend": "asyncio",
                "settings": settings,
                "menu": {},
            },
            *({"type": "worker_up", "t": t, "worker": w, "pid": 10 + w} for w in range(1, 9)),
            {"type": "arrived", "t": t, "id": "F1", "n": 1, "dish": "redis", "front_desk": 1},
            {"type": "accepted", "t": t, "id": "F1", "n": 1, "worker": 8},
            {"type": "worker_died", "t": t, "worker": 8, "pid": 18, "code": -9, "failed": 1},
            {"type": "failed", "t": t, "id": "F1", "n": 1, "dish": "redis", "worker": 8},
        ]
        events[-2]["message"] = "worker 8 (pid 18) was killed by signal 9"
        events[-1].update(error="killed while serving it", latency_s=0.01)
        kitchen.push([{"v": 1, "seq": i, **e} for i, e in enumerate(events)])
        clock.advance(0.3)
        app.step_frame()
        await pilot.pause()
        lines = [line.strip(" │") for line in _text(app, "stats").splitlines()]
        workers = [line for line in lines if line.startswith(("w", "+"))]
        assert "w8 DOWN, served 0, failed 1" in workers, lines
        shown = [line.split()[0] for line in workers[:-1]]
        assert shown[-1] == "w8" and len(shown) == len(set(shown)) < 8, lines
        rest = 8 - len(shown)
        assert workers[-1].startswith(f"+{rest} more: served 0, failed 0"), lines


async def test_at_80x24_every_worker_and_the_loop_held_now_come_before_the_last_stall(
    tmp_path: Path,
) -> None:
    """Four workers at 80x24, a stall over on w1 and B1 holding w2's loop now: the lane showed
    w1 and the last stall's report, and not w2 to w4, nor that B1 held a loop."""
    clock = FakeClock()
    kitchen = FakeKitchen(clock, answer=False)
    app = KitchenApp(
        KitchenSettings(), kitchen=kitchen, clock=clock, paused=True, screenshot_dir=tmp_path
    )
    async with app.run_test(size=(80, 24)) as pilot:
        t = clock()
        settings = KitchenSettings(mode="async", workers=4).to_json()
        seated = {"mode": "async", "cook": None, "prep_shelf": False}
        fixes = {"fix_blocking": "inline", "fix_cpu": "inline"}
        events: list[dict[str, Any]] = [
            {"type": "hello", "t": t, "pid": 1, "backend": "asyncio", "settings": settings},
            *({"type": "worker_up", "t": t, "worker": w, "pid": 10 + w} for w in range(1, 5)),
        ]
        for n, (name, worker, kind, label) in enumerate(
            [("R3", 1, "cpu", "tokenize + prompt"), ("B1", 2, "blocking", "requests.get")], 1
        ):
            about = {"id": name, "n": n, "worker": worker}
            step = {**about, "i": 0, "kind": kind, "label": label, "where": "loop"}
            events += [
                {"type": "arrived", "t": t, **about, "dish": "sneaky", "front_desk": 1},
                {"type": "accepted", "t": t, **about},
                {"type": "seated", "t": t, **about, **seated, **fixes},
                {"type": "step_started", "t": t, **step, "nominal_s": 0.2},
            ]
        finished = {"measured_s": 0.2, "story_s": 0.2, "cpu_s": 0.2, "shelf_s": None}
        step = {"id": "R3", "n": 1, "worker": 1, "i": 0, "kind": "cpu", "where": "loop"}
        events.append({"type": "step_finished", "t": t + 0.2, **step, **finished})
        events[0]["menu"] = {}
        kitchen.push([{"v": 1, "seq": i, **e} for i, e in enumerate(events)])
        clock.advance(0.5)
        app.step_frame()
        await pilot.pause()
        cooks = _text(app, "line-cook")
        assert all(f"w{w} " in cooks for w in range(1, 5)), cooks
        assert "LOOP HELD" in cooks and "B1 requests.get" in cooks, cooks


async def test_a_retired_workers_counts_stay_in_the_stats(tmp_path: Path) -> None:
    """W retires the newest worker once it has served its tickets: its line went, and with it
    what it had served, so the workers' lines no longer added up to the kitchen's served."""
    clock = FakeClock()
    kitchen = FakeKitchen(clock, answer=False)
    app = KitchenApp(
        KitchenSettings(), kitchen=kitchen, clock=clock, paused=True, screenshot_dir=tmp_path
    )
    async with app.run_test(size=(120, 36)) as pilot:
        t = clock()
        settings = KitchenSettings(mode="sync", workers=3).to_json()
        about = {"id": "F1", "n": 1, "worker": 3}
        served = {"dish": "redis", "latency_s": 0.05, "real_latency_s": 0.05, "split": {}}
        events: list[dict[str, Any]] = [
            {"type": "hello", "t": t, "pid": 1, "backend": "asyncio", "settings": settings},
            *({"type": "worker_up", "t": t, "worker": w, "pid": 10 + w} for w in range(1, 4)),
            {"type": "arrived", "t": t, **about, "dish": "redis", "front_desk": 1},
            {"type": "accepted", "t": t, **about},
            {"type": "served", "t": t + 0.05, **about, **served},
            {"type": "worker_retired", "t": t + 0.1, "worker": 3, "pid": 13},
        ]
        events[0]["menu"] = {}
        kitchen.push([{"v": 1, "seq": i, **e} for i, e in enumerate(events)])
        clock.advance(0.3)
        app.step_frame()
        await pilot.pause()
        stats = _text(app, "stats")
        assert "w3 " not in stats and "1 retired: served 1, failed 0" in stats, stats
        assert "w1 served 0" in stats and "w2 served 0" in stats
