"""Outputs: nothing overwritten without --force, no two outputs (or an output and an input) the
same file, a FIFO with no reader refused at once, a full disk one line that stops the run and
keeps what was written; `record` checks every option before it writes anything."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from kitchen_tui.errors import UsageError
from kitchen_tui.outputs import check_outputs, write_new
from kitchen_tui.recording.cast import record
from kitchen_tui.recording.replay import load_trace
from tests.conftest import kitchen_tui, processes_in_group, wait_until

pytestmark = pytest.mark.timeout(90)


def one_line(run: subprocess.CompletedProcess[str], code: int = 2) -> str:
    assert run.returncode == code, (run.stdout, run.stderr)
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr, run.stderr
    return run.stderr


KEPT = "keep me\n"
REFUSED = [
    (["report", "--scenario", "mine.toml", "--trace", "mine.toml", "--force"], "same file"),
    (["report", "--scenario", "./mine.toml", "--trace", "link.toml"], "same file"),
    (["record", "--out", "s.cast", "--trace", "s.cast", "--force"], "same file"),
    (["record", "--scenario", "mine.toml", "--out", "mine.toml", "--force"], "same file"),
    (["replay", "old.trace", "--theme", "old.trace"], "old.trace"),
    (
        ["gif", "take.gif", "./take.gif", "--force"],
        "GIF take.gif is the same file as CAST take.gif",
    ),
    (["--trace", "old.trace"], "refusing to overwrite old.trace: pass --force"),
    (["report", "--scenario", "three-tables", "--trace", "old.trace"], "refusing to overwrite"),
    (["play", "three-tables", "--trace", "old.trace"], "refusing to overwrite"),
    (["race", "--trace", "race.trace"], "refusing to overwrite race.sync.trace"),
    (["play", "three-tables", "--stills", "stills"], "refusing to overwrite the stills"),
    (["record", "--scene", "three-tables", "--out", "d.cast", "--stills", "stills"], "stills"),
    (["record", "--out", "d.cast", "--size", "²0x30"], "--size takes COLUMNSxROWS"),
    (["record", "--out", "d.cast", "--theme", "nope"], "unknown theme 'nope'"),
    (["record", "--scene", "three-tables", "--out", "d.cast", "--stills", "/proc/st"], "/proc"),
    (["record", "--out", "d.cast", "--trace", "old.trace"], "refusing to overwrite old.trace"),
    (["report", "--scenario", "three-tables", "--trace", "fifo"], "a FIFO that no process reads"),
    (["--trace", "fifo"], "--trace fifo: a FIFO that no process reads"),
]


@pytest.mark.parametrize(("args", "says"), REFUSED, ids=[" ".join(a) for a, _ in REFUSED])
def test_an_output_that_must_not_be_written_is_refused_first(
    args: list[str], says: str, tmp_path: Path
) -> None:
    mine = tmp_path / "mine.toml"
    mine.write_text('title = "mine"\n[[orders]]\nid = "A"\ndish = "redis"\n')
    (tmp_path / "link.toml").hardlink_to(mine)
    for name in ("old.trace", "race.sync.trace"):
        (tmp_path / name).write_text(KEPT)
    (tmp_path / "stills").mkdir()
    (tmp_path / "stills" / "01-three-tables.svg").write_text(KEPT)
    os.mkfifo(tmp_path / "fifo")
    before = {p.name: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert says in one_line(kitchen_tui(*args, cwd=tmp_path))
    after = {p.name: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert after == before  # nothing written, nothing lost, no leftover cast


def test_force_lets_a_trace_be_overwritten(tmp_path: Path) -> None:
    old = tmp_path / "old.trace"
    old.write_text(KEPT)
    args = ["report", "--scenario", "three-tables", "--mode", "async", "--speed", "10"]
    args += ["--trace", "old.trace"]
    run = kitchen_tui(*args, "--force", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert load_trace(old).events[0]["type"] == "hello"


def test_a_trace_into_a_fifo_with_a_reader_is_written_whole(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    args = ["report", "--scenario", "three-tables", "--mode", "async", "--speed", "10"]
    args += ["--trace", "fifo"]
    run = kitchen_tui(*args, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    reader.join(timeout=10)
    events = [json.loads(line) for line in got[0].splitlines()]
    assert events[0]["type"] == "hello"
    assert sum(event["type"] == "served" for event in events) == 3


def test_outputs_and_inputs_compared_by_their_real_file(tmp_path: Path) -> None:
    a = tmp_path / "a.trace"
    with pytest.raises(UsageError, match="same file as --out"):
        check_outputs([("--out", a), ("--trace", tmp_path / "sub" / ".." / "a.trace")])
    check_outputs([("--out", a), ("--trace", tmp_path / "b.trace")])  # two new files: fine


def test_a_screenshot_never_overwrites_an_earlier_one(tmp_path: Path) -> None:
    first = write_new(tmp_path / "shots", "kitchen-20261201-201500.svg", "one", numbered=True)
    second = write_new(tmp_path / "shots", "kitchen-20261201-201500.svg", "two", numbered=True)
    assert (first.name, second.name) == (
        "kitchen-20261201-201500-1.svg",
        "kitchen-20261201-201500-2.svg",
    )
    assert (first.read_text(), second.read_text()) == ("one", "two")
    with pytest.raises(FileExistsError):  # a still keeps its name, and is never written over
        write_new(tmp_path / "shots", first.name, "three")
    assert first.read_text() == "one"


# --- a full disk -------------------------------------------------------------------------------


def test_report_on_a_full_disk_is_one_line_and_exit_1(tmp_path: Path) -> None:
    run = kitchen_tui("report", "--scenario", "three-tables", "--trace", "/dev/full", cwd=tmp_path)
    message = one_line(run, code=1)
    assert message == (
        "kitchen-tui: --trace /dev/full: write failed: No space left on device;"
        " what was written is kept\n"
    )


def test_record_on_a_full_disk_is_one_line_and_exit_1(tmp_path: Path) -> None:
    run = kitchen_tui("record", "--out", "/dev/full", "--force", "--seconds", "2", cwd=tmp_path)
    assert "--out /dev/full: write failed: No space left on device" in one_line(run, code=1)


def test_the_live_app_on_a_full_disk_stops_with_one_line(tmp_path: Path) -> None:
    """In a real terminal (a pty): the app leaves its screen, says why, and exits 1."""
    command = [sys.executable, "-m", "kitchen_tui", "--trace", "/dev/full"]
    summary = record(command, tmp_path / "app.cast", 100, 30, timeout=30)
    assert summary.exit_code == 1 and not summary.timed_out
    screen = (tmp_path / "app.cast").read_text()
    assert "--trace /dev/full: write failed: No space left on device" in screen
    assert "Traceback" not in screen
    assert wait_until(lambda: processes_in_group(summary.pid) == [], timeout=5)
