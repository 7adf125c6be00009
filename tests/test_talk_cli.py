"""Bad input to the talk commands: one line on stderr, exit code 2, nothing runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import kitchen_tui

pytestmark = pytest.mark.timeout(60)


CASES = [
    (["replay", "missing.trace"], "no such trace file"),
    (["replay", "notes.txt"], "not a kitchen trace"),
    (["replay", "good.trace", "--speed", "50"], "speed must be from"),
    (["play", "no-such-talk"], "no such scene"),
    (["play", "notes.txt"], "notes.txt"),
    (["play", "three-tables", "--theme", "nope"], "nope"),
    (["record", "--scene", "three-tables", "--out", "nodir/demo.cast"], "no such directory"),
    (["record", "--scene", "three-tables", "--out", "exists.cast"], "--force"),
    (["record", "--scene", "three-tables", "--out", "d.cast", "--size", "100by30"], "--size"),
    (["record", "--scene", "three-tables", "--out", "d.cast", "--size", "5x5"], "--size"),
    (["record", "--scene", "nope", "--out", "d.cast"], "no such scene"),
    (["record", "--out", "d.cast", "--scene", "a", "--scenario", "b"], "not allowed with"),
    (["race", "--modes", "sync"], "--modes"),
    (["race", "--modes", "sync,fast"], "--modes"),
    (["race", "--modes", "async,async"], "same remedies"),
    (["race", "--modes", "sync,sync", "--fix-cpu", "prep_shelf"], "same remedies"),
    (["race", "--scenario", "nope"], "nope"),
    (["race", "--trace", "nodir/race.trace"], "no such directory"),
    (["race", "--trace", "/dev/full"], "must name a file in a folder"),  # no /dev/full.sync
    (["race", "--trace", "."], "must name a file in a folder"),  # a traceback once
    (["race", "--trace", "newdir/"], "names a folder"),
    (["--trace", "nodir/x.trace"], "no such directory"),
    (["report", "--scenario", "three-tables", "--trace", "newdir/"], "names a folder"),
    (["record", "--out", "newdir/"], "names a folder"),  # it wrote a cast named newdir
    (["record", "--out", "d.cast", "--gif", "newdir/"], "names a folder"),
    (["report", "--scenario", "three-tables", "--trace", "nodir/x.trace"], "no such directory"),
]


@pytest.mark.parametrize(("args", "says"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_bad_input_is_one_line_and_exit_2(args: list[str], says: str, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello\n")
    (tmp_path / "exists.cast").write_text("keep me\n")
    (tmp_path / "good.trace").write_text('{"v": 1, "type": "hello", "t": 1.0}\n')
    run = kitchen_tui(*args, cwd=tmp_path)
    assert run.returncode == 2, (run.stdout, run.stderr)
    assert run.stderr.count("\n") == 1, run.stderr
    assert says in run.stderr
    assert run.stdout == ""
    assert (tmp_path / "exists.cast").read_text() == "keep me\n"
    assert not (tmp_path / "d.cast").exists()


def test_report_writes_a_trace_that_replays(tmp_path: Path) -> None:
    from kitchen_tui.recording.replay import load_trace
    from kitchen_tui.ui.board import Board

    run = kitchen_tui(
        "report",
        "--scenario",
        "three-tables",
        "--mode",
        "async",
        "--speed",
        "10",
        "--trace",
        "run.trace",
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    board = Board()
    board.apply_all(load_trace(tmp_path / "run.trace").events)
    assert board.ledger.served == 3
    assert board.ledger.settings["mode"] == "async"


def test_a_race_traces_each_kitchen_under_its_mode(tmp_path: Path) -> None:
    from kitchen_tui.cli.talk_options import race_trace_paths

    paths = race_trace_paths(str(tmp_path / "race.trace"), ["sync", "async"])
    assert paths == [tmp_path / "race.sync.trace", tmp_path / "race.async.trace"]
    twins = race_trace_paths(str(tmp_path / "t.trace"), ["async A", "async B"])
    assert twins == [tmp_path / "t.async-A.trace", tmp_path / "t.async-B.trace"]
    assert race_trace_paths(None, ["sync", "async"]) == [None, None]


def test_a_race_of_one_mode_needs_a_remedy_to_tell_its_kitchens_apart() -> None:
    import argparse

    from kitchen_tui.cli.race import race_sides
    from kitchen_tui.protocol.settings import KitchenSettings

    options = argparse.Namespace(fix_blocking=None, fix_cpu="inline,prep_shelf", workers=None)
    left, right = race_sides(options, KitchenSettings(), ("async", "async"))
    assert (left.mode, left.fix_cpu) == ("async", "inline")
    assert (right.mode, right.fix_cpu) == ("async", "prep_shelf")
    # Or the workers: one kitchen process against four.
    options = argparse.Namespace(fix_blocking=None, fix_cpu=None, workers="1,4")
    left, right = race_sides(options, KitchenSettings(), ("async", "async"))
    assert (left.workers, right.workers) == (1, 4)
