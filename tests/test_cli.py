"""The command line, run as a user runs it: a subprocess, its stdout, stderr and exit code."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kitchen_tui import __version__
from tests.conftest import kitchen_tui

HEADERS = ["order", "dish", "arrived", "served", "latency", "model"]
# Where time went, in the words the timeline's legend uses too (I/O, not "rail": in sync the
# wait blocks the cook and the rail lane stays empty).
PARTS = ["desk", "ready", "cook", "I/O", "shelf"]

pytestmark = pytest.mark.timeout(60)


def test_report_json_is_the_documented_object() -> None:
    run = kitchen_tui("report", "--scenario", "three-tables", "--mode", "async", "--json")
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert set(report) >= {"orders", "summary"}
    orders = {order["id"]: order for order in report["orders"]}
    assert list(orders) == ["A", "B", "C"]
    for order in orders.values():
        assert {"id", "dish", "latency_s", "predicted_s", "outcome", "split"} <= set(order)
        assert order["outcome"] == "served"
        assert order["latency_s"] == pytest.approx(order["predicted_s"], abs=0.01)
    assert [orders[k]["dish"] for k in "ABC"] == ["llm", "redis", "postgres"]
    assert [orders[k]["predicted_s"] for k in "ABC"] == pytest.approx([2.0, 0.05, 0.08])
    summary = report["summary"]
    assert (summary["served"], summary["failed"], summary["refused"]) == (3, 0, 0)
    assert {"p50_s", "p95_s", "max_s", "wall_s"} <= set(summary)
    assert report["settings"]["mode"] == "async"
    assert run.stderr == ""


@pytest.mark.parametrize(
    ("args", "cooks"), [(["--mode", "sync"], 1), (["--mode", "threads", "--cooks", "3"], 3)]
)
def test_report_json_counts_the_cooks_that_served(args: list[str], cooks: int) -> None:
    """Sync has one cook whatever `cooks` says (it is kept for a switch to threads)."""
    run = kitchen_tui("report", "--scenario", "three-tables", *args, "--json", "--speed", "10")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["settings"]["cooks"] == cooks


def test_report_text_has_a_row_per_order_and_a_summary_line() -> None:
    run = kitchen_tui("report", "--scenario", "three-tables")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    for order_id, dish in (("A", "llm"), ("B", "redis"), ("C", "postgres")):
        rows = [line for line in lines if re.match(rf"{order_id}\s+{dish}\s+\d", line)]
        assert len(rows) == 1, run.stdout
    (summary,) = [line for line in lines if line.startswith("served ")]
    assert re.search(r"served 3, failed 0, 86'd 0\s+p50 \d+\.\d{3}", summary), summary
    assert "wall" in summary
    # In sync each order held the only cook in turn (2 s + 50 ms + 80 ms), A longest: the
    # stalls the line cook lane and the stats panel show, not "loop stall 0.000".
    stalls = re.search(r"stalls (\d+\.\d{3})  longest (\d+\.\d{3})", summary)
    assert stalls is not None, summary
    assert float(stalls[1]) == pytest.approx(2.13, abs=0.03)
    assert float(stalls[2]) == pytest.approx(2.0, abs=0.02)


@pytest.mark.parametrize("columns", [None, "80"], ids=["piped", "80 columns"])
def test_report_text_keeps_every_header_and_dish_whole(columns: str | None) -> None:
    """Piped (rich alone would squeeze it into 80 columns) or in an 80-column terminal."""
    run = kitchen_tui("report", "--scenario", "three-tables", "--speed", "10", columns=columns)
    assert run.returncode == 0, run.stderr
    assert "…" not in run.stdout
    (header,) = [line for line in run.stdout.splitlines() if line.startswith("order")]
    assert header.split() == [*HEADERS, *PARTS]
    assert re.search(r"^C\s+postgres\s+\d", run.stdout, re.MULTILINE)
    if columns is None:
        assert run.stdout.startswith("Three tables, one slow order  sync")
        assert len(run.stdout.splitlines()) == 6  # a title, a header, three rows, a summary
    else:
        assert max(len(line) for line in run.stdout.splitlines()) <= 80


SMALL_DESK = """
title = "A small front desk"
mode = "sync"
front_desk = 1
[[orders]]
id = "R"
dish = "redis"
count = 3
[[orders]]
id = "X"
dish = "flaky"
at = 0.2
[dishes.flaky]
label = "Flaky API"
steps = [{ kind = "wait", seconds = 0.01, label = "call API", error = "timeout" }]
"""


def test_report_says_why_each_order_that_was_not_served(tmp_path: Path) -> None:
    (tmp_path / "desk.toml").write_text(SMALL_DESK)
    run = kitchen_tui("report", "--scenario", "desk.toml", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    rows = {line.split()[0]: line.split() for line in lines[2:6]}
    assert rows["R3"][2:5] == ["0.000", "86'd", "-"] and rows["R3"][5] == "86'd"  # the model too
    assert rows["X"][3] == "failed" and len(rows["X"]) == 6  # its latency, no split
    assert lines[6:8] == ["R3 86'd: front desk full (1 waiting)", "X failed: call API: timeout"]
    assert lines[8].startswith("served 2, failed 1, 86'd 1")


BAD_FILES = {
    "malformed.toml": 'mode = "sync"\n[[orders]\n',
    "negative.toml": '[dishes.x]\nsteps = [{ kind = "wait", seconds = -1 }]\n',
    "absurd.toml": '[dishes.x]\nsteps = [{ kind = "wait", seconds = 1e9 }]\n',
    "lobster.toml": '[[orders]]\ndish = "lobster"\n',
}


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--scenario", "no-such-scenario"], "no such scenario 'no-such-scenario'"),
        (["--scenario", "three-tables", "--mode", "turbo"], "--mode: invalid choice: 'turbo'"),
        (["--scenario", "three-tables", "--backend", "curio"], "invalid choice: 'curio'"),
        (["--scenario", "three-tables", "--speed", "0.01"], "speed must be from 0.1 to 10"),
        (["--scenario", "three-tables", "--speed", "11"], "speed must be from 0.1 to 10"),
        (["--scenario", "three-tables", "--speed", "fast"], "--speed takes a number, got 'fast'"),
        (["--scenario", "three-tables", "--cooks=-3"], "--cooks must be from 1 to"),
        (["--scenario", "three-tables", "--cooks", "-3"], "--cooks must be from 1 to"),
        (["--scenario", "malformed.toml"], "malformed.toml:2:9: invalid TOML"),
        (["--scenario", "negative.toml"], "steps[0].seconds: expected a number from 0 to 3600"),
        (["--scenario", "absurd.toml"], "steps[0].seconds: expected a number from 0 to 3600"),
        (["--scenario", "lobster.toml"], "orders[0].dish: unknown dish 'lobster'"),
        ([], "report needs a scenario"),
    ],
    ids=lambda value: value if isinstance(value, str) else " ".join(value) or "none",
)
def test_bad_input_is_one_line_and_exit_code_2(args: list[str], says: str, tmp_path: Path) -> None:
    for name, text in BAD_FILES.items():
        (tmp_path / name).write_text(text)
    run = kitchen_tui("report", *args, cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    assert run.stdout == ""
    lines = run.stderr.splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("kitchen-tui: ")
    assert says in lines[0]
    assert "Traceback" not in run.stderr


def test_help_works() -> None:
    installed = Path(sys.executable).with_name("kitchen-tui")
    command = [str(installed)] if installed.exists() else [sys.executable, "-m", "kitchen_tui"]
    run = subprocess.run([*command, "--help"], capture_output=True, text=True, timeout=30)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("usage: kitchen-tui")
    for word in ("report", "--mode", "--scenario", "--speed", "--backend"):
        assert word in run.stdout
    # A scenario's own mode applies when --mode is not given: the help must not say async.
    assert "(default: async)" not in run.stdout
    assert "the scenario's mode" in " ".join(run.stdout.split())
    report = kitchen_tui("report", "--help")
    assert report.returncode == 0 and "--json" in report.stdout


def test_version() -> None:
    run = kitchen_tui("--version")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == f"kitchen-tui {__version__}"


def test_report_counts_a_remedy_s_single_call_in_the_singular() -> None:
    args = ("--scenario", "hidden-blocker", "--fix-blocking", "to_thread", "--speed", "10")
    run = kitchen_tui("report", *args)
    assert run.returncode == 0, run.stderr
    costs = [line for line in run.stdout.splitlines() if line.startswith("to_thread:")]
    assert len(costs) == 1 and costs[0].startswith("to_thread: 1 call, "), run.stdout
