"""Fuzzing every file format (scenario, scene, theme, trace) and every option of the command
line: each input ends in a result or in one line with exit code 2, never a traceback or a hang.

In process, with bounded examples, so the whole run takes seconds: the command line goes through
`main()` up to the point where it would start a kitchen, a take or a screen, and stops there.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kitchen_tui import cli
from kitchen_tui.cli.options import build_parser
from kitchen_tui.errors import UsageError
from kitchen_tui.recording.replay import TraceFile, load_trace
from kitchen_tui.talk.scenario import load_scenario
from kitchen_tui.talk.scene_file import load_scene_file
from kitchen_tui.ui.board import Board
from kitchen_tui.ui.themes import resolve_theme

pytestmark = pytest.mark.timeout(240)

FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
LOADERS: dict[str, Callable[[str], object]] = {
    "scenario": load_scenario,
    "scene": load_scene_file,
    "theme": resolve_theme,
}
# Keys each format knows, so that examples reach past "unknown key" into the checks behind it.
KEYS = [
    *("title", "mode", "prep_shelf", "cooks", "front_desk", "shelf_size", "speed", "backend"),
    *("fix_blocking", "fix_cpu", "orders", "dishes", "script", "id", "dish", "at", "count"),
    *("every", "label", "steps", "kind", "seconds", "error", "marker", "caption", "order"),
    *("pause", "reset", "name", "dark", "colors", "variables", "primary", "background"),
    *("ticket-queued", "llm", "redis", "wait", "cpu", "blocking", "sync", "async", "x y"),
]
NASTY_TEXT = st.sampled_from(
    ["", "sync", "async", "llm", "#4aa8ff", "\x1b]0;PWNED\x07\x1b[2J", "²", "a.b{c}", "\u202e"]
) | st.text(max_size=12)

toml_scalars = (
    st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.booleans()
    | NASTY_TEXT
)
toml_values = st.recursive(
    toml_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=4)
    ),
    max_leaves=12,
)


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return (
            "nan"
            if math.isnan(value)
            else ("inf" if value > 0 else "-inf")
            if math.isinf(value)
            else repr(value)
        )
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    assert isinstance(value, dict)
    return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


@st.composite
def toml_documents(draw: st.DrawFn) -> bytes:
    """A TOML document of known and unknown keys, tables and arrays of tables, or now and then
    bytes that are not TOML at all, or TOML nested deeper than any file."""
    kind = draw(st.sampled_from(["doc", "doc", "doc", "bytes", "deep"]))
    if kind == "bytes":
        return draw(st.binary(max_size=200))
    if kind == "deep":
        depth = draw(st.integers(min_value=100, max_value=2_000))
        return f"a = {'[' * depth}{']' * depth}\n".encode()
    top = draw(st.dictionaries(st.sampled_from(KEYS), toml_values, max_size=6))
    lines = [f"{json.dumps(k)} = {toml_value(v)}" for k, v in top.items()]
    for table in draw(st.lists(st.sampled_from(["orders", "script", "dishes.x", "colors"]))):
        header = f"[{table}]" if "." in table or table == "colors" else f"[[{table}]]"
        body = draw(st.dictionaries(st.sampled_from(KEYS), toml_values, max_size=5))
        lines += [header, *(f"{json.dumps(k)} = {toml_value(v)}" for k, v in body.items())]
    return ("\n".join(lines) + "\n").encode()


def one_line_or_result(call: Callable[[], object]) -> None:
    try:
        call()
    except UsageError as error:
        assert "\n" not in str(error) and str(error)


@pytest.mark.parametrize("what", LOADERS)
@FUZZ
@given(document=toml_documents())
def test_any_file_of_each_format_is_read_or_refused_in_one_line(
    what: str, document: bytes, tmp_path: Path
) -> None:
    path = tmp_path / "fuzzed.toml"
    path.write_bytes(document)
    one_line_or_result(lambda: LOADERS[what](str(path)))


# --- traces ------------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | NASTY_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(NASTY_TEXT, inner, max_size=3),
    max_leaves=8,
)


@pytest.fixture(scope="module")
def real_events(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """The events of a real kitchen: the prep shelf and a stall included."""
    from tests.conftest import kitchen_tui

    folder = tmp_path_factory.mktemp("fuzz")
    args = ["report", "--scenario", "pdf-embed", "--speed", "10", "--trace", "t.trace"]
    run = kitchen_tui(*args, cwd=folder)
    assert run.returncode == 0, run.stderr
    return [json.loads(line) for line in (folder / "t.trace").read_text().splitlines()]


@st.composite
def spoiled_lines(draw: st.DrawFn, events: list[dict[str, Any]]) -> bytes:
    """A real event with a key dropped or its value replaced, or a line that is no event."""
    event = dict(draw(st.sampled_from(events)))
    how = draw(st.sampled_from(["drop", "replace", "replace", "add", "raw"]))
    if how == "raw":
        return draw(st.binary(max_size=80)).replace(b"\n", b" ")
    key = draw(st.sampled_from(sorted(event)))
    if how == "drop":
        del event[key]
    elif how == "replace":
        event[key] = draw(json_values)
    else:
        event[draw(NASTY_TEXT)] = draw(json_values)
    return json.dumps(event).encode()


@FUZZ
@given(data=st.data())
def test_any_trace_replays_or_is_refused_in_one_line(
    real_events: list[dict[str, Any]], data: st.DataObject, tmp_path: Path
) -> None:
    """Whatever its lines, a trace reaches the board (the screen's account) only as events it
    can apply: nothing raises but a one-line UsageError, and every text is printable."""
    lines = [json.dumps(e).encode() for e in real_events]
    for _ in range(data.draw(st.integers(min_value=1, max_value=6))):
        at = data.draw(st.integers(min_value=0, max_value=len(lines)))
        lines.insert(at, data.draw(spoiled_lines(real_events)))
    path = tmp_path / "fuzzed.trace"
    path.write_bytes(b"\n".join(lines) + data.draw(st.sampled_from([b"\n", b""])))
    one_line_or_result(lambda: load_trace(path))
    try:
        events = list(TraceFile(path))
    except UsageError as error:
        assert "\n" not in str(error)
        return
    Board().apply_all(events)
    texts = [v for e in events for v in e.values() if isinstance(v, str)]
    assert all(text.isprintable() for text in texts)


# --- the command line --------------------------------------------------------------------------


class WouldRun(Exception):
    """Every option passed its checks: the command would now start its kitchen, take or app."""


def _commands() -> dict[str, list[str]]:
    """Each command's options, read from the parser itself: a new option is fuzzed too."""
    parser = build_parser()
    top = [o for a in parser._actions for o in a.option_strings if o.startswith("--")]
    found = {"app": top}
    for action in parser._actions:
        choices = getattr(action, "choices", None)
        for name, sub in choices.items() if isinstance(choices, dict) else ():
            if name in ("serve", "gif"):
                continue  # textual-serve and agg: commands of their own, tested with them
            found[name] = [o for a in sub._actions for o in a.option_strings if o.startswith("--")]
    return {k: [o for o in v if o not in ("--help", "--version")] for k, v in found.items()}


COMMANDS = _commands()
POSITIONAL = {"replay": ["run.trace", "nope.trace", "fifo", "/dev/zero"], "play": ["three-tables"]}
VALUES = st.sampled_from(
    [
        *("0", "1", "2", "-1", "10", "0.1", "1e9", "nan", "inf", "²0x30", "100x30", "5x5", ""),
        *("sync", "async", "threads", "sync,async", "trio", "asyncio", "svg", "png", "svg,png"),
        *("three-tables", "ten-chats", "nope", "dark", "light", "fifo", "/dev/zero", "/dev/full"),
        *("out.cast", "run.trace", "mine.toml", "stills", "/proc/st", "nodir/x", ".", "inline"),
        *("to_thread", "await", "checkpoints", "prep_shelf", "job", "\x1b[2J"),
    ]
)


@st.composite
def command_lines(
    draw: st.DrawFn,
    commands: dict[str, list[str]],
    positional: dict[str, list[str]],
    values: st.SearchStrategy[str],
    second: dict[str, list[str]] | None = None,
) -> list[str]:
    """A command, its positional arguments, then up to a few of its options, some with a
    value: `commands` gives each command's options."""
    command = draw(st.sampled_from(sorted(commands)))
    argv = [] if command == "app" else [command]
    if command in positional:
        argv.append(draw(st.sampled_from(positional[command])))
    if command in (second or {}) and draw(st.booleans()):
        argv.append(draw(st.sampled_from((second or {})[command])))
    for option in draw(st.lists(st.sampled_from(commands[command]), max_size=5)):
        argv.append(option)
        if draw(st.booleans()):
            argv.append(draw(values))
    return argv


@pytest.fixture
def no_running(monkeypatch: pytest.MonkeyPatch) -> None:
    """main() as a user runs it, up to the moment something would start."""

    def would_run(*args: object, **kwargs: object) -> object:
        raise WouldRun

    import kitchen_tui.cli.record as record_cli
    import kitchen_tui.cli.report as report_cli
    import kitchen_tui.cli.sweep as sweep_cli
    from kitchen_tui.ui.startup import QuickStartApp

    monkeypatch.setattr(report_cli, "run_scenario", would_run)
    monkeypatch.setattr(record_cli, "record", would_run)
    monkeypatch.setattr(sweep_cli, "sweep", would_run)  # real kitchens, minutes a sweep
    monkeypatch.setattr(QuickStartApp, "run", would_run)


@FUZZ
@given(argv=command_lines(COMMANDS, POSITIONAL, VALUES))
def test_any_command_line_runs_or_is_one_line_and_exit_2(
    argv: list[str],
    no_running: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    if not Path("fifo").exists():
        os.mkfifo("fifo")
        Path("mine.toml").write_text('title = "mine"\n[[orders]]\nid = "A"\ndish = "redis"\n')
        Path("run.trace").write_text(
            '{"v": 1, "seq": 0, "type": "hello", "t": 1.0, "pid": 1, "backend": "asyncio",'
            ' "settings": {}, "menu": {}}\n'
        )
    capsys.readouterr()
    try:
        code = cli.main(argv)
    except WouldRun:
        return
    err = capsys.readouterr().err
    assert code == 2, (argv, code, err)
    assert err.startswith("kitchen-tui: ") and err.count("\n") == 1, (argv, err)
