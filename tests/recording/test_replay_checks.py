"""A trace is outside input: each event is checked against the protocol before it is applied, its
text made printable, and the file streamed, so a long trace starts at once in bounded memory."""

from __future__ import annotations

import json
import time
import tracemalloc
from pathlib import Path

import pytest

from kitchen_tui.errors import UsageError
from kitchen_tui.protocol.checked import event_problem, printable, printable_event
from kitchen_tui.protocol.settings import KitchenSettings
from kitchen_tui.recording.replay import ReplayKitchen, TraceFile, load_trace
from kitchen_tui.stream.client import _plain_text
from kitchen_tui.ui.app import KitchenApp
from kitchen_tui.ui.widgets.stats_panel import StatsPanel
from tests.conftest import kitchen_tui
from tests.ui.fakes import FakeClock

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


TITLE_AND_CLEAR = "\x1b]0;PWNED\x07\x1b[2J"


@pytest.fixture(scope="module")
def real_trace(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, object]]:
    """The events of a real run: three tables served in async."""
    folder = tmp_path_factory.mktemp("trace")
    args = ["report", "--scenario", "three-tables", "--mode", "async", "--speed", "10"]
    args += ["--trace", "run.trace"]
    run = kitchen_tui(*args, cwd=folder)
    assert run.returncode == 0, run.stderr
    return [json.loads(line) for line in (folder / "run.trace").read_text().splitlines()]


def first(events: list[dict[str, object]], kind: str) -> dict[str, object]:
    return next(e for e in events if e["type"] == kind)


def spoiled(events: list[dict[str, object]]) -> list[tuple[str, dict[str, object]]]:
    """Lines that are JSON but not events, as the issue found them, and why each is not one."""
    served, step = first(events, "served"), first(events, "step_started")
    without = {k: v for k, v in served.items() if k != "id"}
    return [
        ("served: missing 'id'", without),
        ("died: missing 'message'", {"v": 1, "seq": None, "type": "died", "t": 1.0, "code": 1}),
        ("settings: missing 'settings'", {"v": 1, "seq": 5, "type": "settings", "t": 1.0}),
        ("'split' is not a table", {**served, "split": 3}),
        ("'latency_s' is not a number", {**served, "latency_s": "fast"}),
        ("'n' is not a whole number", {**step, "n": "1"}),
        ("'kind' is not one of wait, cpu, blocking", {**step, "kind": "nap"}),
        ("nested too deep", {**step, "label": [[[[[[[[[["x"]]]]]]]]]]}),
        ("'settings' are not the kitchen's settings", {**events[0], "settings": {"speed": 0}}),
        ("unknown event type 'party'", {"v": 1, "type": "party", "t": 1.0}),
    ]


def test_every_event_of_a_real_trace_fits_the_protocol(real_trace: list[dict[str, object]]) -> None:
    assert [event_problem(e) for e in real_trace if event_problem(e)] == []


def test_every_recorded_trace_of_the_tests_still_reads() -> None:
    """Traces recorded before version 1 gained a key (remedies, thread tokens) stay readable:
    a key added later goes in checked.ADDED_LATER, and its readers take it as optional."""
    fixtures = sorted(Path(__file__).parent.parent.glob("**/fixtures/*.jsonl"))
    assert fixtures
    for path in fixtures:
        assert load_trace(path).events


def test_json_that_is_not_an_event_is_named_with_its_line(
    real_trace: list[dict[str, object]], tmp_path: Path
) -> None:
    for why, bad in spoiled(real_trace):
        path = tmp_path / "bad.trace"
        lines = [json.dumps(e) for e in real_trace]
        lines.insert(3, json.dumps(bad))
        path.write_text("\n".join(lines) + "\n")
        with pytest.raises(UsageError) as caught:
            load_trace(path)
        assert str(caught.value).startswith(f"{path}:4: not a kitchen event (")
        assert why in str(caught.value)


def test_a_replay_skips_a_bad_line_tells_its_number_and_goes_on(
    real_trace: list[dict[str, object]], tmp_path: Path
) -> None:
    path = tmp_path / "bad.trace"
    bad = [json.dumps(line) for _why, line in spoiled(real_trace)]
    deep = '{"v": 1, "type": "stall", "t": 1.0, "label": ' + "[" * 500 + "]" * 500 + "}"
    lines = [json.dumps(real_trace[0]), *bad, deep, "{oops", *map(json.dumps, real_trace[1:])]
    path.write_text("\n".join(lines) + "\n")
    events = list(TraceFile(path))
    skipped = [e for e in events if e["type"] == "malformed"]
    assert [e["line"].split(":")[1] for e in skipped] == [str(n) for n in range(2, 2 + 12)]
    assert "bad.trace:12: stall: nested too deep" in skipped[-2]["line"]
    assert [e for e in events if e["type"] != "malformed"] == real_trace  # every good line


@pytest.mark.anyio
async def test_the_app_replays_a_spoiled_trace_to_its_end_and_counts_what_it_skipped(
    real_trace: list[dict[str, object]], tmp_path: Path
) -> None:
    path = tmp_path / "bad.trace"
    lines = [json.dumps(e) for e in real_trace]
    for offset, (_why, bad) in enumerate(spoiled(real_trace)):
        lines.insert(2 + 2 * offset, json.dumps(bad))
    path.write_text("\n".join(lines) + "\n")
    clock = FakeClock()
    kitchen = ReplayKitchen.from_file(path, clock=clock)
    app = KitchenApp(KitchenSettings(), kitchen=kitchen, clock=clock, paused=True, replay=str(path))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        for _ in range(80):
            clock.advance(0.05)
            app.step_frame()
        await pilot.pause()
        assert kitchen.finished
        ledger = app.scene.board.ledger
        assert (ledger.served, ledger.malformed) == (3, len(spoiled(real_trace)))
        shown = "\n".join(line.text for line in StatsPanel(app.scene).build(40, 8))
        assert "10 unreadable lines skipped" in shown


# --- printable text ----------------------------------------------------------------------------


def test_a_label_that_would_retitle_and_clear_the_terminal_reaches_the_screen_printable(
    real_trace: list[dict[str, object]], tmp_path: Path
) -> None:
    path = tmp_path / "evil.trace"
    evil = [
        {**e, "label": f"x{TITLE_AND_CLEAR}"} if e["type"] == "step_started" else e
        for e in real_trace
    ]
    path.write_text("".join(json.dumps(e) + "\n" for e in evil))
    labels = {e["label"] for e in TraceFile(path) if e["type"] == "step_started"}
    assert labels == {"x\ufffd]0;PWNED\ufffd\ufffd[2J"}
    assert all(label.isprintable() for label in labels)


def test_one_sanitizer_for_every_string_of_an_event() -> None:
    event = {"type": "died", "message": "a\nb\u202e", "menu": {"k\x1b": ["\x9b2J"]}}
    assert printable_event(event) == {
        "type": "died",
        "message": "a\ufffdb\ufffd",
        "menu": {"k\ufffd": ["\ufffd2J"]},
    }
    assert printable("three tables: A, B & C") == "three tables: A, B & C"
    # The live stream's fast path: plain ASCII without a JSON escape holds only printable text.
    assert _plain_text(b'{"label": "GET session"}\n')
    assert not _plain_text(b'{"label": "\\u001b[2J"}\n')
    assert not _plain_text('{"label": "\u009b2J"}\n'.encode())


# --- a long trace ------------------------------------------------------------------------------


def test_a_long_trace_starts_at_once_in_bounded_memory(
    real_trace: list[dict[str, object]], tmp_path: Path
) -> None:
    """About 40 MB of events: the first frame's events come as fast as from a short trace, and
    reading them holds a few lines in memory, not the file (the whole file took 2.7 GB)."""
    path = tmp_path / "long.trace"
    beat = first(real_trace, "heartbeat")
    start = float(beat["t"])  # type: ignore[arg-type]
    with path.open("w") as file:
        file.write(json.dumps(real_trace[0]) + "\n")
        line = json.dumps(beat)
        for n in range(200_000):
            file.write(line.replace(f'"t": {beat["t"]}', f'"t": {start + n * 0.001}') + "\n")
    assert path.stat().st_size > 30_000_000
    clock = FakeClock()
    tracemalloc.start()
    began = time.perf_counter()
    kitchen = ReplayKitchen.from_file(path, clock=clock)
    kitchen.start()
    clock.advance(0.5)
    drained = kitchen.drain()
    took = time.perf_counter() - began
    _now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(drained) > 200  # the first events of the trace, due by then
    assert took < 2.0, took
    assert peak < 5_000_000, peak
