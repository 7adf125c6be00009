"""The giving-up talk plays through on a real kitchen, as `kitchen-tui play giving-up --no-hold`
does, and each scene shows what its captions say: the sync kitchen loses customers and cooks on
for them, its backlog outlasting the rush, and its deadline never fires; async with to_thread
has its queued tickets cancelled by the deadline and serves newcomers promptly one deadline
after the rush; async on one loop is not rescued by the deadline, and its backlog outlasts the
rush. The stats panel and the report's account of the written trace (a ledger fed each
scene's events, as `report` feeds one) count the same customers.

The talk's script plays at twice its pace (its scene file with `speed = 2`): the claims are
about shape (who walked out, what timed out, whether newcomers wait), not how long a slide
lasts; the dishes' story seconds, the patience and the deadline keep their proportions."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import kitchen_tui.talk
from kitchen_tui.protocol.events import Event
from kitchen_tui.protocol.settings import KitchenSettings
from kitchen_tui.recording.trace_file import load_trace
from kitchen_tui.stream.headless import RunResult
from kitchen_tui.stream.ledger import Ledger
from kitchen_tui.stream.tickets import Ticket
from kitchen_tui.talk.scenario import Scenario
from kitchen_tui.talk.scene_file import parse_scene_file
from kitchen_tui.talk.script import Caption, SceneFile, StreamAction
from kitchen_tui.ui.app import KitchenApp
from kitchen_tui.ui.director import TalkDirector
from kitchen_tui.ui.live_session import LiveSession
from kitchen_tui.ui.widgets.stats_panel import StatsPanel
from tests.ui.test_restart import anyio_backend, until

pytestmark = [pytest.mark.anyio, pytest.mark.slow, pytest.mark.timeout(300)]
__all__ = ["anyio_backend"]

SPEED = 2.0  # story seconds a real second
SCENE = Path(kitchen_tui.talk.__file__).parent / "scenes" / "giving-up.toml"
PATIENCE, DEADLINE = 6.0, 4.0  # the scene file's, story seconds
MESSAGE_S, SNEAKY_S = 1.84, 1.0  # each dish's own time, story seconds


async def test_the_giving_up_talk_shows_what_its_captions_say(tmp_path: Path) -> None:
    text = SCENE.read_text().replace('mode = "sync"\n', f'mode = "sync"\nspeed = {SPEED}\n', 1)
    talk = parse_scene_file(text, str(SCENE))
    settings = talk.scenario.settings
    assert (settings.speed, settings.patience, settings.deadline) == (SPEED, PATIENCE, DEADLINE)
    trace = tmp_path / "giving-up.jsonl"
    app = KitchenApp(settings, talk=talk, hold_at_markers=False, trace=trace)
    shown: dict[int, Ledger] = {}  # each scene's account, as the stats panel read it

    def seen(check: bool) -> bool:
        ledger = app.scene.board.ledger
        shown.setdefault(id(ledger), ledger)
        return check

    async with app.run_test(size=(120, 36)) as pilot:
        director = app.director
        assert isinstance(director, TalkDirector)
        await until(
            pilot,
            lambda: seen(director.player is not None and director.player.finished),
            timeout=200 / SPEED,
        )
        await pilot.press("l")  # the last scene's customers stop coming
        board, session = app.scene.board, app.session
        assert isinstance(session, LiveSession)
        await until(pilot, lambda: seen(session.stream is None and board.in_flight == 0), 60)
        await until(pilot, lambda: seen(board.ledger.reconciler.idle_beats >= 2), timeout=30)
        await pilot.pause(0.6)  # the panel redraws four times a second
        stats = app.query_one(StatsPanel)
        panel = "\n".join(strip.text for strip in stats.build(stats.size.width, 40))
        last = board.ledger
    cut = _scenes(load_trace(trace).events)
    every = zip(cut, _report_ledgers(cut), strict=True)
    scenes = [(events, ledger) for events, ledger in every if ledger.tickets]
    assert len(scenes) == 3, [len(events) for events, _ in scenes]  # a stretch with customers
    ledgers = [ledger for _, ledger in scenes]
    on_screen = [ledger for ledger in shown.values() if ledger.tickets]
    assert len(on_screen) == 3
    for report, live in zip(ledgers, on_screen, strict=True):
        assert _counts(live) == _counts(report)  # the stats panel's account, the report's
        assert live.giving_up.wasted_s == pytest.approx(report.giving_up.wasted_s)
    summary = _summary(ledgers[2], settings)  # what `report` prints for the last scene
    for label, key in (("served", "served"), ("walked out", "walked_out")):
        assert re.search(rf"{label}\s+{summary[key]}\b", panel), (label, panel)
    assert re.search(rf"timed out\s+{summary['timed_out']}\b", panel), panel
    assert _counts(last) == _counts(ledgers[2])

    sync, threads, loop = ledgers
    _sync_scene(sync, _drops(scenes[0][0]))
    # The captions come once what they say is on screen (the script's story seconds, counted
    # from the scene's first stream step and its first stream event).
    started = _stream_starts(scenes[0][0])[0]
    walked = min(e["t"] for e in scenes[0][0] if e["type"] == "walked_out")
    assert (walked - started) * SPEED < _caption_at(talk, "lose patience") - _stream_at(talk, 0)
    prompt_after = (_caption_at(talk, "served promptly") - _stream_at(talk, 3)) / SPEED
    _to_thread_scene(threads, _drops(scenes[1][0]), prompt_after, scenes[1][0][-1]["t"])
    _loop_scene(loop, _drops(scenes[2][0]))


def _sync_scene(ledger: Ledger, drops: list[float]) -> None:
    """One cook past its pace: customers walk out and are cooked for all the same; after the
    rate drops, the backlog left at the desk is cooked first; the deadline never fires."""
    lost = ledger.giving_up
    assert lost.walked_out > 0 and lost.uneaten > 0 and lost.wasted_s > 0
    assert lost.timed_out == 0  # gunicorn's timeout runs from the cook's taking a ticket
    (drop,) = drops  # 1 a second, then 0.25
    left = [t for t in _tickets(ledger, "message") if t.arrived < drop]
    behind = [t for t in left if t.seated is None or t.seated > drop]
    assert len(behind) >= 2, "the front desk still held tickets when the rush ended"
    cleared = max(t.seated or t.done or 0.0 for t in behind)
    assert (cleared - drop) * SPEED > 2 * MESSAGE_S  # a newcomer waits that long for a cook
    assert any(t.walked_out_t is not None and t.state == "uneaten" for t in behind)


def _to_thread_scene(ledger: Ledger, drops: list[float], prompt_after: float, end: float) -> None:
    """The blocking calls queue for the thread limiter's tokens inside their handlers; the
    deadline cancels them there; a deadline after the rush, newcomers are served in their
    dish's own time."""
    lost = ledger.giving_up
    assert lost.timed_out > 0 and lost.by_how.get("cancelled", 0) > 0
    assert "desk" not in lost.by_where  # they waited inside the handler, not at the door
    (drop,) = drops  # 80 a second, then 4
    served_by = end - 1.5 * SNEAKY_S / SPEED  # those still cooking at the next reset aside
    after = [t for t in _tickets(ledger, "sneaky") if drop + prompt_after < t.arrived < served_by]
    assert len(after) >= 10
    assert all(t.state == "served" for t in after), {t.state for t in after}
    assert max(t.latency_s or 0.0 for t in after) < 1.5 * SNEAKY_S


def _loop_scene(ledger: Ledger, drops: list[float]) -> None:
    """The loop is the bottleneck: tickets queue for it before their handler starts, so the
    deadline never fires, customers walk out, and newcomers after the rush still wait."""
    lost = ledger.giving_up
    assert lost.timed_out == 0
    assert lost.walked_out > 0 and lost.uneaten > 0
    answered = [t for t in ledger.tickets.values() if t.state in ("served", "uneaten")]
    late = [t for t in answered if ((t.done or 0.0) - (t.seated or 0.0)) * SPEED > DEADLINE]
    assert late, "answered past the deadline of their handler: no cancel landed"
    (drop,) = drops  # 50 a second, then 4
    newcomers = [t for t in _tickets(ledger, "message") if drop < t.arrived < drop + 2 / SPEED]
    assert newcomers
    for ticket in newcomers:  # each walked out, or waited far past its own 1.84 s
        assert ticket.walked_out_t is not None or (ticket.latency_s or 0.0) > 1.5 * MESSAGE_S


def _scenes(events: tuple[Event, ...]) -> list[list[Event]]:
    """The trace cut at each reset: each stretch's events, from its reset on."""
    cut: list[list[Event]] = [[]]
    for event in events:
        if event["type"] == "reset":
            cut.append([])
        cut[-1].append(event)
    return cut


def _report_ledgers(scenes: list[list[Event]]) -> list[Ledger]:
    """Each scene's account as a headless run keeps it: a ledger of every ticket, fed the
    scene's events (the kitchen's counts carried over a reset, and a late word about a ticket
    from before the reset left out, as the app's board does)."""
    ledgers: list[Ledger] = []
    for events in scenes:
        before = ledgers[-1] if ledgers else None
        base = None if before is None else before.reconciler.carried(before.outcomes)
        ledger = Ledger(kitchen_base=base)
        if before is not None:
            ledger.settings, ledger.menu = before.settings, before.menu
        for event in events:
            n = event.get("n")
            known = event["type"] in ("arrived", "refused") or n is None or n in ledger.tickets
            if known:
                ledger.apply(event)
        ledgers.append(ledger)
    return ledgers


def _summary(ledger: Ledger, settings: KitchenSettings) -> dict[str, object]:
    """`report --json`'s summary of a ledger."""
    return RunResult(Scenario("scene", "scene"), settings, "asyncio", [], ledger, 0.0).summary()


def _counts(ledger: Ledger) -> dict[str, int]:
    """The customers each way, as the stats panel and `report` count them."""
    return {**ledger.outcomes, "walked_out": ledger.giving_up.walked_out}


def _drops(events: list[Event]) -> list[float]:
    """When (real seconds) a scene's stream turned to a lower rate."""
    rates = [(e["t"], float(e["rate"])) for e in events if e["type"] == "stream" and e["rate"]]
    return [
        t for (t, rate), (_, before) in zip(rates[1:], rates[:-1], strict=True) if rate < before
    ]


def _stream_starts(events: list[Event]) -> list[float]:
    return [e["t"] for e in events if e["type"] == "stream" and e["rate"]]


def _caption_at(talk: SceneFile, words: str) -> float:
    """The story second the script shows its caption with `words`."""
    return next(s.at for s in talk.steps() if isinstance(s, Caption) and words in s.text)


def _stream_at(talk: SceneFile, index: int) -> float:
    """The story second of the script's `index`th stream step (0: the first)."""
    return [s.at for s in talk.steps() if isinstance(s, StreamAction) and s.rate][index]


def _tickets(ledger: Ledger, dish: str) -> list[Ticket]:
    return sorted((t for t in ledger.tickets.values() if t.dish == dish), key=lambda t: t.arrived)
