"""Scene files (a scenario plus a timed script) and the scene player, on a fake clock."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from kitchen_tui.errors import UsageError
from kitchen_tui.talk.catalog import BUILTIN_SCENES
from kitchen_tui.talk.player import Cue, ScenePlayer, SceneSetup
from kitchen_tui.talk.scenario import full_menu
from kitchen_tui.talk.scene_file import load_scene_file, parse_scene_file
from kitchen_tui.talk.script import (
    Caption,
    ChartAction,
    Marker,
    ModeAction,
    OrderAction,
    PauseAction,
    PrepShelfAction,
    ResetAction,
    SceneFile,
    StreamAction,
    settings_after,
)
from tests.conftest import usage_error
from tests.ui.fakes import FakeClock

TALK = """
title = "Talk"
mode = "sync"
[[script]]
at = 0.0
marker = "One"
[[script]]
at = 0.2
caption = "first words"
[[script]]
at = 0.5
action = "order"
dish = "llm"
[[script]]
at = 1.0
action = "pause"
[[script]]
at = 1.0
caption = "after the pause"
[[script]]
at = 2.0
marker = "Two"
[[script]]
at = 2.0
action = "mode"
mode = "async"
[[script]]
at = 2.0
action = "prep_shelf"
on = true
[[script]]
at = 3.0
action = "order"
dish = "redis"
id = "R"
count = 3
every = 0.5
"""


def parse(text: str) -> SceneFile:
    return parse_scene_file(text, "talk.toml")


def error_of(text: str) -> str:
    return usage_error(parse, text)


def with_step(body: str, before: str = 'at = 0.0\nmarker = "One"') -> str:
    return f"[[script]]\n{before}\n[[script]]\n{body}\n"


def labels(cues: list[Cue]) -> list[str]:
    """Each cue as a short word, so a test reads like the script."""
    words: list[str] = []
    for cue in cues:
        if isinstance(cue, Marker):
            words.append(f"marker {cue.label}")
        elif isinstance(cue, Caption):
            words.append(f"caption {cue.text}")
        elif isinstance(cue, SceneSetup):
            words.append(f"setup {cue.scene.number}")
        else:
            words.append(type(cue).__name__)
    return words


# --- the format --------------------------------------------------------------------------------


def test_a_talk_is_cut_into_scenes_at_its_markers() -> None:
    talk = parse(TALK)
    assert talk.name == "talk" and talk.title == "Talk"
    assert talk.scenario.settings.mode == "sync"
    assert [scene.title for scene in talk.scenes] == ["One", "Two"]
    one, two = talk.scenes
    assert [type(step) for step in one.steps] == [Caption, OrderAction, PauseAction, Caption]
    assert [type(step) for step in two.steps] == [ModeAction, PrepShelfAction, OrderAction]
    assert (one.start, two.start, two.length) == (0.0, 2.0, 1.0)
    # Scene two starts as scene one left the kitchen; its own steps then change it.
    assert two.settings.mode == "sync"
    assert len(list(talk.steps())) == 9


def test_order_steps_expand_like_scenario_orders() -> None:
    named = parse(TALK).scenes[1].steps[-1]
    assert isinstance(named, OrderAction)
    orders = named.orders(lambda dish: "unused")
    assert [(o.id, o.dish, o.at) for o in orders] == [
        ("R1", "redis", 0.0),
        ("R2", "redis", 0.5),
        ("R3", "redis", 1.0),
    ]
    numbered = OrderAction(at=0, index=0, dish="llm", count=2)
    count = iter(range(7, 9))
    assert [o.id for o in numbered.orders(lambda dish: f"{dish}{next(count)}")] == [
        "llm7",
        "llm8",
    ]
    assert [o.id for o in OrderAction(at=0, index=0, dish="llm", id="T1", count=2).orders(str)] == [
        "T1-1",
        "T1-2",
    ]


def test_scenario_keys_and_dishes_still_work_in_a_scene_file() -> None:
    text = """
mode = "threads"
cooks = 4
[dishes.slow]
steps = [{ kind = "wait", seconds = 1.0 }]
[[orders]]
dish = "slow"
[[script]]
at = 0
marker = "Go"
[[script]]
at = 1
action = "order"
dish = "slow"
"""
    talk = parse(text)
    assert talk.scenario.settings.cooks == 4
    assert [order.dish for order in talk.scenario.orders] == ["slow"]
    assert "slow" in full_menu(talk.scenario)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('mode = "sync"', "talk.toml: script: missing: a scene file needs [[script]] steps"),
        ("scrpt = 1", "talk.toml: scrpt: unknown key; did you mean 'script'?"),
        (
            with_step('at = 1\naction = "ordr"'),
            "talk.toml: script[1].action: unknown action 'ordr' (expected one of order, mode,"
            " fix_blocking, fix_cpu, prep_shelf, speed, stream, chart, pause, reset);"
            " did you mean 'order'?",
        ),
        (with_step('at = 1\ncaption = "  "'), "talk.toml: script[1].caption: a caption needs text"),
        (
            with_step('at = 1\naction = "stream"'),
            "talk.toml: script[1].rate: missing: a stream action needs rate",
        ),
        (
            with_step('at = 1\naction = "stream"\nrate = -2'),
            "talk.toml: script[1].rate: expected a number from 0 to 1000, got -2",
        ),
        (
            with_step('at = 1\naction = "stream"\nrate = 1\nmix = { pizza = 1 }'),
            "talk.toml: script[1].mix: unknown dish 'pizza' (menu: llm, redis, postgres, chat,"
            " message, pdf, sneaky)",
        ),
        (
            with_step('at = 1\naction = "chart"\nchart = "pie"'),
            "talk.toml: script[1].chart: expected one of live, capacity, got 'pie'",
        ),
        (
            with_step('at = 1\nmarker = "Async"', before='at = 2.0\nmarker = "Sync"'),
            "talk.toml: script[1].marker: marker 'Async' at 1 s comes before the previous step"
            " at 2 s",
        ),
        (
            with_step('at = 1\ncaption = "late"', before='at = 2.0\nmarker = "Sync"'),
            "talk.toml: script[1].at: 1 s comes before the previous step at 2 s; keep steps in"
            " time order",
        ),
        (
            '[[script]]\nat = 0\ncaption = "hi"',
            "talk.toml: script[0]: the script must start with a marker (the first scene's title)",
        ),
        (
            with_step('at = 1\ncaption = "x"\nmarker = "y"'),
            "talk.toml: script[1]: a step needs exactly one of marker, caption, action"
            " (got marker and caption)",
        ),
        (with_step("at = 1"), "talk.toml: script[1]: a step needs exactly one of marker,"),
        (with_step('caption = "x"'), "talk.toml: script[1].at: missing"),
        (with_step('at = "soon"\ncaption = "x"'), "talk.toml: script[1].at: expected a number"),
        (
            with_step('at = 1\ncaption = "x"\ndish = "llm"'),
            "talk.toml: script[1].dish: unknown key",
        ),
        (
            with_step('at = 1\naction = "order"\ndish = "lm"'),
            "talk.toml: script[1].dish: unknown dish 'lm'",
        ),
        (with_step('at = 1\naction = "order"'), "talk.toml: script[1].dish: missing"),
        (
            with_step('at = 1\naction = "order"\ndish = "llm"\ncount = 0'),
            "talk.toml: script[1].count: expected an integer from 1 to 1000",
        ),
        (
            with_step('at = 1\naction = "mode"\nmode = "fast"'),
            "talk.toml: script[1].mode: expected one of sync, threads, async, got 'fast'",
        ),
        (
            with_step('at = 1\naction = "prep_shelf"\non = "yes"'),
            "talk.toml: script[1].on: expected true or false",
        ),
        (
            with_step('at = 1\naction = "speed"\nspeed = 50'),
            "talk.toml: script[1].speed: expected a number from 0.1 to 10",
        ),
        (
            with_step('at = 1\naction = "pause"\nmode = "sync"'),
            "talk.toml: script[1].mode: unknown key",
        ),
        (
            with_step('at = 1\ncaption = "two\\nlines"'),
            "talk.toml: script[1].caption: expected one line of printable text",
        ),
        ("[[script]]\nat = 0\nmarker = [", "talk.toml:3:"),
        ("script = 3", "talk.toml: script: expected an array of tables"),
    ],
)
def test_mistakes_are_one_line_naming_the_place(text: str, expected: str) -> None:
    assert error_of(text).startswith(expected)


def test_a_missing_file_names_the_builtins(tmp_path: Path) -> None:
    with pytest.raises(
        UsageError, match=r"no such scene 'three-tabels'.*did you mean 'three-tables'"
    ):
        load_scene_file("three-tabels")
    with pytest.raises(UsageError, match="is a directory, not a scene file"):
        load_scene_file(str(tmp_path))
    path = tmp_path / "mine.toml"
    path.write_text('[[script]]\nat = 0\nmarker = "Mine"\n')
    assert load_scene_file(str(path)).scenes[0].title == "Mine"


# --- the built-in scenes -----------------------------------------------------------------------


@pytest.mark.parametrize("name", BUILTIN_SCENES)
def test_every_builtin_tells_short_scenes(name: str) -> None:
    talk = load_scene_file(name)
    assert talk.name == name
    # Two scenes: the problem and its cure; the remedy talks show each cure in turn.
    scenes = {"hidden-blocker": 3, "pdf-embed": 4, "capacity": 5, "giving-up": 3}
    assert len(talk.scenes) == scenes.get(name, 2)
    for scene in talk.scenes:
        assert scene.length < 25
        assert any(isinstance(step, Caption) for step in scene.steps)
        # Customers come in each scene (orders, or a steady stream), but for a chart slide.
        sends = (OrderAction, StreamAction, ChartAction)
        assert any(isinstance(step, sends) for step in scene.steps)
    # Every later scene sets its own kitchen up, so it can be restarted or jumped to.
    assert all(isinstance(scene.steps[0], ResetAction) for scene in talk.scenes[1:])
    # Numbers on screen are measured; captions never state one.
    captions = [step.text for step in talk.steps() if isinstance(step, Caption)]
    assert not any(char.isdigit() for text in captions for char in text)


@pytest.mark.parametrize(
    ("name", "setting", "fixes"),
    [
        ("hidden-blocker", "fix_blocking", ["inline", "to_thread", "await"]),
        ("pdf-embed", "fix_cpu", ["inline", "checkpoints", "prep_shelf", "job"]),
    ],
)
def test_the_remedy_talks_fix_the_same_order_scene_by_scene(
    name: str, setting: str, fixes: list[str]
) -> None:
    talk = load_scene_file(name)
    served = []
    for scene in talk.scenes:
        settings = scene.settings
        for step in scene.steps:
            settings = settings_after(settings, step)
        served.append(getattr(settings, setting))
        assert settings.mode == "async"
    assert served == fixes
    dishes = [[s.dish for s in scene.steps if isinstance(s, OrderAction)] for scene in talk.scenes]
    problem = "sneaky" if setting == "fix_blocking" else "pdf"
    assert all(problem in scene_dishes for scene_dishes in dishes)


@pytest.mark.parametrize(
    ("name", "first", "second"),
    [
        ("three-tables", ("sync", False), ("async", False)),
        ("ten-chats", ("sync", False), ("async", False)),
        ("hidden-blocker", ("async", False), ("async", False)),
        ("pdf-embed", ("async", False), ("async", False)),
    ],
)
def test_each_builtin_scene_ends_in_the_kitchen_its_lesson_needs(
    name: str, first: tuple[str, bool], second: tuple[str, bool]
) -> None:
    talk = load_scene_file(name)
    settings = talk.scenes[1].settings
    ends = [settings]
    for step in talk.scenes[1].steps:
        if isinstance(step, ModeAction):
            settings = replace(settings, mode=step.mode)
        if isinstance(step, PrepShelfAction):
            settings = settings.changed({"prep_shelf": step.on})
    ends.append(settings)
    assert (ends[0].mode, ends[0].prep_shelf) == first
    assert (ends[1].mode, ends[1].prep_shelf) == second


# --- the player --------------------------------------------------------------------------------


def test_the_player_hands_out_steps_when_their_time_comes() -> None:
    clock = FakeClock()
    player = ScenePlayer(parse(TALK), clock)
    assert labels(player.poll()) == ["marker One"]
    clock.advance(0.3)
    assert labels(player.poll()) == ["caption first words"]
    assert player.caption == "first words"
    clock.advance(0.1)
    assert player.poll() == []
    clock.advance(0.1)
    assert labels(player.poll()) == ["OrderAction"]
    assert player.story_time == pytest.approx(0.5)


def test_a_pause_step_holds_the_script_until_space() -> None:
    clock = FakeClock()
    player = ScenePlayer(parse(TALK), clock)
    clock.advance(5.0)  # one late frame: everything up to the pause, nothing past it
    assert labels(player.poll()) == [
        "marker One",
        "caption first words",
        "OrderAction",
        "PauseAction",
    ]
    assert player.waiting and player.story_time == 1.0
    clock.advance(30.0)
    assert player.poll() == []
    assert player.story_time == 1.0
    player.resume()
    assert labels(player.poll()) == ["caption after the pause"]  # same time: at once
    clock.advance(1.0)
    assert labels(player.poll()) == ["marker Two", "ModeAction", "PrepShelfAction"]
    assert player.scene.number == 2 and player.caption is None


def test_holding_at_markers_waits_for_the_speaker_at_each_scene() -> None:
    clock = FakeClock()
    player = ScenePlayer(parse(TALK), clock, hold_at_markers=True)
    clock.advance(1.0)
    assert labels(player.poll()) == ["marker One"]
    assert player.waiting
    player.resume()
    clock.advance(0.3)
    assert labels(player.poll()) == ["caption first words"]


def test_speed_scales_story_time_and_a_speed_step_rescales_the_rest_of_a_frame() -> None:
    text = (
        with_step('at = 1.0\naction = "speed"\nspeed = 2.0')
        + '[[script]]\nat = 3.0\ncaption = "x"\n'
    )
    clock = FakeClock()
    player = ScenePlayer(parse(text), clock)
    clock.advance(1.5)  # 1 s at speed 1 reaches the speed step; the other 0.5 s counts double
    assert labels(player.poll()) == ["marker One", "SpeedAction"]
    assert player.speed == 2.0 and player.story_time == pytest.approx(2.0)
    clock.advance(0.5)
    assert labels(player.poll()) == ["caption x"]
    player.set_speed(0.5)
    clock.advance(1.0)
    player.poll()
    assert player.story_time == pytest.approx(3.5)


def test_set_speed_counts_the_time_before_it_at_the_old_pace() -> None:
    clock = FakeClock()
    player = ScenePlayer(parse(TALK), clock)
    player.poll()
    clock.advance(0.1)
    player.set_speed(4.0)
    clock.advance(0.1)
    player.poll()
    assert player.story_time == pytest.approx(0.1 + 0.4)


def test_next_and_restart_jump_to_a_marker_on_a_fresh_kitchen() -> None:
    clock = FakeClock()
    talk = parse(TALK)
    player = ScenePlayer(talk, clock)
    clock.advance(0.6)
    player.poll()
    assert player.next_scene()
    cues = player.poll()
    assert labels(cues) == ["setup 2", "marker Two", "ModeAction", "PrepShelfAction"]
    setup = cues[0]
    assert isinstance(setup, SceneSetup) and setup.settings == talk.scenes[1].settings
    assert not player.next_scene()  # the last scene
    clock.advance(1.0)
    assert labels(player.poll()) == ["OrderAction"]
    assert player.finished
    player.restart_scene()
    assert not player.finished
    assert labels(player.poll())[:2] == ["setup 2", "marker Two"]


def test_a_jump_forgets_a_pause_and_the_old_caption() -> None:
    clock = FakeClock()
    player = ScenePlayer(parse(TALK), clock)
    clock.advance(1.0)
    player.poll()
    assert player.waiting and player.caption == "first words"
    player.restart_scene()
    assert not player.waiting and player.caption is None
    clock.advance(0.25)
    assert labels(player.poll()) == ["setup 1", "marker One", "caption first words"]
    assert player.story_time == pytest.approx(0.25)


def test_a_held_marker_sets_its_scene_up_before_it_waits() -> None:
    """At the async scene's marker the speaker talks over an async kitchen, reset, with the
    scene's caption: not over the sync scene's kitchen and its stall (as the stills showed)."""
    clock = FakeClock()
    player = ScenePlayer(load_scene_file("three-tables"), clock, hold_at_markers=True)
    player.poll()
    player.resume()
    clock.advance(6.0)
    cues = labels(player.poll())
    start = cues.index("marker Async: the same three tables")
    assert cues[start:] == [
        "marker Async: the same three tables",
        "ResetAction",
        "ModeAction",
        "caption Same orders. Now each ticket parks on the rail while its I/O is out.",
    ]
    assert player.waiting and player.scene.number == 2
    assert player.caption is not None and player.caption.startswith("Same orders")
    player.resume()
    clock.advance(0.5)
    assert labels(player.poll()) == ["OrderAction"] * 3


@pytest.mark.parametrize("name", BUILTIN_SCENES)
def test_no_builtin_talk_overloads_its_kitchen_while_it_waits_at_a_marker(name: str) -> None:
    """A held marker hands out its scene's setup (a stream at the marker's own instant too),
    then waits for the speaker: a stream past the kitchen's capacity would run all that time,
    its backlog growing with every word (giving-up's rushes did)."""
    from kitchen_tui.stream.capacity import capacity

    talk = load_scene_file(name)
    menu = full_menu(talk.scenario)
    for scene in talk.scenes:
        settings = scene.settings
        for step in scene.steps:
            if step.at > scene.start:
                break
            settings = settings_after(settings, step)
            if isinstance(step, StreamAction) and step.rate > 0:
                limit = capacity(step.mix, menu, settings).per_s
                assert step.rate < limit, (scene.title, step.rate, limit)
