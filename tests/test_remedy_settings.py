"""The remedies as settings: fix_blocking and fix_cpu in files, scenes and on the command line;
`prep_shelf` still means fix_cpu = "prep_shelf"; a remedy that means nothing in a mode is one
line and exit code 2."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from kitchen_tui.errors import UsageError
from kitchen_tui.protocol.settings import (
    BLOCKING_FIXES,
    CPU_FIXES,
    MODES,
    KitchenSettings,
    remedy_problem,
)
from kitchen_tui.talk.scenario import parse_scenario
from kitchen_tui.talk.scene_file import parse_scene_file
from kitchen_tui.talk.script import RemedyAction
from tests.conftest import kitchen_tui, usage_error

pytestmark = pytest.mark.timeout(60)


def test_prep_shelf_is_the_older_spelling_of_fix_cpu_prep_shelf() -> None:
    on = KitchenSettings(prep_shelf=True)
    assert (on.fix_cpu, on.prep_shelf, on.uses_shelf) == ("prep_shelf", True, True)
    assert replace(on, prep_shelf=False).fix_cpu == "inline"  # type: ignore[call-arg]
    job = KitchenSettings(fix_cpu="job")
    assert replace(job, prep_shelf=False).fix_cpu == "job"  # type: ignore[call-arg]
    assert (job.prep_shelf, job.uses_shelf) == (False, True)
    assert on.changed({"prep_shelf": False}) == KitchenSettings()


def test_settings_survive_json_and_old_traces_still_read() -> None:
    chosen = KitchenSettings(mode="async", fix_blocking="await", fix_cpu="checkpoints")
    assert KitchenSettings.from_json(chosen.to_json()) == chosen
    assert chosen.to_json()["prep_shelf"] is False  # readers of older streams still find it
    old = {"mode": "sync", "prep_shelf": True, "cooks": 4, "shelf_size": 0, "front_desk": 10}
    read = KitchenSettings.from_json({**old, "speed": 1.0})
    assert (read.mode, read.fix_blocking, read.fix_cpu, read.cooks) == (
        "sync",
        "inline",
        "prep_shelf",
        4,
    )


@pytest.mark.parametrize("mode", MODES)
def test_only_async_has_a_loop_for_loop_remedies(mode: str) -> None:
    fits = {
        (blocking, cpu): remedy_problem(mode, blocking, cpu) is None
        for blocking in BLOCKING_FIXES
        for cpu in CPU_FIXES
    }
    if mode == "async":
        assert all(fits.values())
        return
    allowed = {(b, c) for b in ("inline",) for c in ("inline", "prep_shelf", "job")}
    assert {key for key, ok in fits.items() if ok} == allowed
    settings = KitchenSettings(mode=mode, fix_blocking="await", fix_cpu="checkpoints")  # type: ignore[arg-type]
    assert (settings.blocking_fix, settings.cpu_fix) == ("inline", "inline")


def scenario_error(text: str) -> str:
    return usage_error(parse_scenario, text, "fix.toml")


def test_scenario_files_set_the_remedies() -> None:
    text = 'fix_blocking = "to_thread"\nfix_cpu = "job"\n'
    settings = parse_scenario(text, "fix.toml").settings
    assert (settings.fix_blocking, settings.fix_cpu) == ("to_thread", "job")
    assert parse_scenario("prep_shelf = true\n", "old.toml").settings.fix_cpu == "prep_shelf"
    both = 'prep_shelf = true\nfix_cpu = "prep_shelf"\n'
    assert parse_scenario(both, "old.toml").settings.fix_cpu == "prep_shelf"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('fix_cpu = "chekpoints"', "fix.toml: fix_cpu: expected one of inline, checkpoints"),
        ('fix_blocking = "to_thred"', "did you mean 'to_thread'?"),
        (
            'mode = "sync"\nfix_cpu = "checkpoints"',
            "fix.toml: fix_cpu: 'checkpoints' needs an event loop, and sync mode runs plain def",
        ),
        ('mode = "threads"\nfix_blocking = "await"', "fix.toml: fix_blocking: 'await' needs"),
        ('prep_shelf = true\nfix_cpu = "job"', "prep_shelf = true disagrees with fix_cpu = 'job'"),
    ],
)
def test_a_remedy_mistake_in_a_file_is_one_line(text: str, says: str) -> None:
    assert says in scenario_error(text)


SCENE = """
mode = "async"
[[script]]
at = 0.0
marker = "Fixed"
[[script]]
at = 0.1
action = "fix_blocking"
fix_blocking = "await"
[[script]]
at = 0.2
action = "fix_cpu"
fix_cpu = "checkpoints"
"""


def test_scenes_set_each_remedy() -> None:
    talk = parse_scene_file(SCENE, "talk.toml")
    steps = [step for step in talk.steps() if isinstance(step, RemedyAction)]
    assert [(s.setting, s.value) for s in steps] == [
        ("fix_blocking", "await"),
        ("fix_cpu", "checkpoints"),
    ]
    restarted = talk.starting_with(replace(talk.scenario.settings, fix_cpu="job"))
    assert restarted.scenes[0].settings.fix_cpu == "job"


def test_a_scene_may_not_leave_a_remedy_its_mode_cannot_serve() -> None:
    text = SCENE + '[[script]]\nat = 0.3\naction = "mode"\nmode = "sync"\n'
    with pytest.raises(UsageError) as caught:
        parse_scene_file(text, "talk.toml")
    assert str(caught.value).startswith(
        "talk.toml: script[3]: leaves fix_blocking 'await', which needs an event loop"
    )


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (
            ["report", "--scenario", "three-tables", "--mode", "sync", "--fix-cpu", "checkpoints"],
            "--fix-cpu checkpoints needs an event loop, and sync mode",
        ),
        (["--mode", "threads", "--fix-blocking", "to_thread"], "--fix-blocking to_thread needs"),
        (
            ["report", "--scenario", "three-tables", "--prep-shelf", "--fix-cpu", "job"],
            "--prep-shelf disagrees with --fix-cpu job",
        ),
        (
            ["play", "three-tables", "--fix-blocking", "await"],
            "--fix-blocking await needs an event loop, and the three-tables talk opens in sync"
            " mode; play it with --fix-blocking inline, or leave the remedies to its scenes",
        ),
        (
            ["play", "capacity", "--fix-cpu", "checkpoints"],
            "the capacity talk is in sync mode at script[",
        ),
        (
            ["record", "--scene", "three-tables", "--out", "x.cast", "--fix-cpu", "to_thread"],
            "--fix-cpu to_thread needs",
        ),
        (["race", "--modes", "sync,async", "--fix-cpu", "checkpoints"], "--fix-cpu checkpoints"),
        (["race", "--fix-blocking", "inline,await,to_thread"], "--fix-blocking takes one or two"),
    ],
    ids=lambda value: value if isinstance(value, str) else " ".join(value[:3]),
)
def test_a_remedy_mistake_on_the_command_line_is_one_line(
    args: list[str], says: str, tmp_path: Path
) -> None:
    run = kitchen_tui(*args, cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("kitchen-tui: "), run.stderr
    assert says in lines[0]
    assert not (tmp_path / "x.cast").exists()
