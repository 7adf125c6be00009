"""Scene files: a scenario plus a timed script, cut into scenes, for talks and demos.

A scene file is a scenario TOML file (every scenario key works) with a `[[script]]` array. Each
step happens `at` story seconds after the start of the file and does exactly one thing::

    title = "Three tables"
    mode = "sync"

    [[script]]
    at = 0.0
    marker = "Sync: one cook"   # starts a scene; the script starts with one
    [[script]]
    at = 0.2
    caption = "One cook finishes each order before starting the next."
    [[script]]
    at = 0.5
    action = "order"            # order | mode | prep_shelf | speed | pause | reset
    dish = "llm"                # order: dish, and optionally id, count, every
    [[script]]
    at = 3.0
    action = "mode"             # mode: mode = "sync" | "threads" | "async"
    mode = "async"              # prep_shelf: on = true | false; speed: speed = 0.1..10
    [[script]]
    at = 3.1
    action = "pause"            # the script waits here until the speaker continues

Steps are in time order (steps at the same time keep their file order). A scene is a marker and
the steps up to the next marker; each scene should set the kitchen up itself (reset, mode, prep
shelf) so that it can be restarted or jumped to. Errors are one line naming the file and the
place, with 0-based indexes: `talk.toml: script[3].action: unknown action 'ordr' (...)`.

`ScenePlayer` walks a scene file in story time from an injectable clock and says which steps are
due; it imports nothing from Textual, so the app calls it once a frame and performs the steps.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from kitchen_tui.protocol.orders import Order
from kitchen_tui.protocol.settings import MAX_SPEED, MIN_SPEED, MODES, KitchenSettings, Mode
from kitchen_tui.talk.catalog import BUILTIN_SCENES
from kitchen_tui.talk.scenario import (
    MAX_AT_SECONDS,
    MAX_LABEL,
    Scenario,
    _describe,
    _Parser,
    full_menu,
)
from kitchen_tui.talk.tomlfile import did_you_mean, load_toml, parse_toml

if sys.version_info >= (3, 11):
    pass
else:  # pragma: no cover - exercised on 3.10 only
    pass

# Scene names for `play`, in the order a talk would use them.

ActionName = Literal["order", "mode", "prep_shelf", "speed", "pause", "reset"]
ACTIONS: tuple[ActionName, ...] = ("order", "mode", "prep_shelf", "speed", "pause", "reset")
MAX_CAPTION = 120  # one line under the kitchen on an 80-column screen, with room to wrap once
MAX_SCRIPT_STEPS = 1000
MAX_ORDER_COUNT = 1000  # orders one step may send: a scene is a demo, not a load test

# Clock readings are sums of float frame times: a step due within a nanosecond is due now.
_DUE_SLACK_S = 1e-9
_ACTION_KEYS: dict[ActionName, tuple[str, ...]] = {
    "order": ("dish", "id", "count", "every"),
    "mode": ("mode",),
    "prep_shelf": ("on",),
    "speed": ("speed",),
    "pause": (),
    "reset": (),
}


# --- the script --------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class _Step:
    at: float  # story seconds after the start of the file
    index: int  # its place in the file's [[script]] array, for messages


@dataclass(frozen=True, kw_only=True)
class Marker(_Step):
    """The start of a scene: a title the speaker (and the recording) can jump to."""

    label: str


@dataclass(frozen=True, kw_only=True)
class Caption(_Step):
    """A line of narration shown under the kitchen until the next caption or scene."""

    text: str


@dataclass(frozen=True, kw_only=True)
class OrderAction(_Step):
    """Customers placing orders, as if the speaker had pressed the dish's key `count` times."""

    dish: str
    id: str | None = None
    count: int = 1
    every: float = 0.0

    def orders(self, next_id: Callable[[str], str]) -> list[Order]:
        """The orders to send now; `next_id(dish)` numbers them when the step names no id."""
        if self.id is None:
            ids = [next_id(self.dish) for _ in range(self.count)]
        elif self.count == 1:
            ids = [self.id]
        else:
            sep = "-" if self.id[-1].isdigit() else ""  # T1 -> T1-1, not T11
            ids = [f"{self.id}{sep}{n}" for n in range(1, self.count + 1)]
        # Offsets ride on the order command, so the kitchen spaces arrivals exactly.
        return [Order(id_, self.dish, round(n * self.every, 9)) for n, id_ in enumerate(ids)]


@dataclass(frozen=True, kw_only=True)
class ModeAction(_Step):
    """Switching how the kitchen serves: sync, threads or async."""

    mode: Mode


@dataclass(frozen=True, kw_only=True)
class PrepShelfAction(_Step):
    """Turning the prep shelf (worker processes for CPU steps) on or off."""

    on: bool


@dataclass(frozen=True, kw_only=True)
class SpeedAction(_Step):
    """Slow motion or fast forward: story seconds per real second, for kitchen and script."""

    speed: float


@dataclass(frozen=True, kw_only=True)
class PauseAction(_Step):
    """The speaker talking: the script holds here until they press space."""


@dataclass(frozen=True, kw_only=True)
class ResetAction(_Step):
    """Clearing the pass: every ticket in flight is cancelled, the settings stay."""


ScriptStep = (
    Marker
    | Caption
    | OrderAction
    | ModeAction
    | PrepShelfAction
    | SpeedAction
    | PauseAction
    | ResetAction
)


@dataclass(frozen=True)
class Scene:
    """One part of a talk: a marker and the script steps up to the next marker."""

    number: int  # 1-based, as the speaker counts
    marker: Marker
    steps: tuple[ScriptStep, ...]
    # What the kitchen is set to when the scene starts, had the talk run from the top.
    settings: KitchenSettings

    @property
    def title(self) -> str:
        return self.marker.label

    @property
    def start(self) -> float:
        return self.marker.at

    @property
    def length(self) -> float:
        """Story seconds from the marker to the scene's last step."""
        return (self.steps[-1].at if self.steps else self.start) - self.start


@dataclass(frozen=True)
class SceneFile:
    """A talk: the scenario that sets the kitchen up, and its script cut into scenes."""

    scenario: Scenario
    scenes: tuple[Scene, ...] = field(default_factory=tuple)

    @property
    def name(self) -> str:
        return self.scenario.name

    @property
    def title(self) -> str:
        return self.scenario.title

    def steps(self) -> Iterator[ScriptStep]:
        """Every step in time order, markers included."""
        for scene in self.scenes:
            yield scene.marker
            yield from scene.steps


# --- loading -----------------------------------------------------------------------------------


def load_scene_file(name_or_path: str) -> SceneFile:
    """A built-in by name (it wins over a file of the same name: use `./name`), or a TOML file."""
    doc, source = load_toml(name_or_path, kind="scene", builtins=BUILTIN_SCENES, folder="scenes")
    return _scene_file(doc, source)


def parse_scene_file(text: str, source: str) -> SceneFile:
    """Parse and check a scene file; `source` names the file in errors and gives the name."""
    return _scene_file(parse_toml(text, source), source)


def _scene_file(doc: dict[str, Any], source: str) -> SceneFile:
    parser = _ScriptParser(source)
    scenario = parser.scenario(doc, Path(source).stem, extra_keys=("script",))
    steps = parser.script(doc.get("script"), tuple(full_menu(scenario)))
    return SceneFile(scenario, _cut_into_scenes(steps, scenario.settings))


def _cut_into_scenes(steps: list[ScriptStep], start: KitchenSettings) -> tuple[Scene, ...]:
    """Group steps by marker, carrying the settings forward so each scene knows its start."""
    scenes: list[Scene] = []
    settings = start
    for step in steps:
        if isinstance(step, Marker):
            scenes.append(Scene(len(scenes) + 1, step, (), settings))
            continue
        last = scenes[-1]
        scenes[-1] = replace(last, steps=(*last.steps, step))
        settings = _settle(settings, step)
    return tuple(scenes)


def _settle(settings: KitchenSettings, step: ScriptStep) -> KitchenSettings:
    """The settings after `step`: only mode, prep shelf and speed actions change them."""
    if isinstance(step, ModeAction):
        return replace(settings, mode=step.mode)
    if isinstance(step, PrepShelfAction):
        return replace(settings, prep_shelf=step.on)
    if isinstance(step, SpeedAction):
        return replace(settings, speed=step.speed)
    return settings


class _ScriptParser(_Parser):
    """Checks a scene file's [[script]]; the value checks are the scenario parser's own, so both
    formats word their errors alike."""

    def script(self, value: object, menu: tuple[str, ...]) -> list[ScriptStep]:
        if value is None:
            raise self.fail("script", "missing: a scene file needs [[script]] steps")
        blocks = self.array(value, "script", "an array of tables ([[script]])")
        if not 1 <= len(blocks) <= MAX_SCRIPT_STEPS:
            raise self.fail("script", f"expected 1 to {MAX_SCRIPT_STEPS} steps, got {len(blocks)}")
        steps: list[ScriptStep] = []
        for index, block in enumerate(blocks):
            step = self.script_step(block, index, menu)
            self.check_order(step, steps[-1] if steps else None)
            steps.append(step)
        return steps

    def check_order(self, step: ScriptStep, previous: ScriptStep | None) -> None:
        path = f"script[{step.index}]"
        if previous is None and not isinstance(step, Marker):
            raise self.fail(path, "the script must start with a marker (the first scene's title)")
        if previous is None or step.at >= previous.at:
            return
        before = f"comes before the previous step at {previous.at:g} s"
        if isinstance(step, Marker):
            raise self.fail(f"{path}.marker", f"marker {step.label!r} at {step.at:g} s {before}")
        raise self.fail(f"{path}.at", f"{step.at:g} s {before}; keep steps in time order")

    def script_step(self, value: object, index: int, menu: tuple[str, ...]) -> ScriptStep:
        path = f"script[{index}]"
        table = self.table(value, path, "a table ([[script]])")
        what = [key for key in ("marker", "caption", "action") if key in table]
        if len(what) != 1:
            found = f"got {' and '.join(what)}" if what else "got none"
            raise self.fail(path, f"a step needs exactly one of marker, caption, action ({found})")
        if "at" not in table:
            raise self.fail(path + ".at", "missing: every step needs a time (seconds)")
        at = self.number(table, "at", path + ".", 0, MAX_AT_SECONDS, 0.0)
        if what[0] == "action":
            return self.action(table, path, at, index, menu)
        self.check_keys(table, path + ".", ("at", what[0]))
        if what[0] == "marker":
            return Marker(at=at, index=index, label=self.words(table, "marker", path, MAX_LABEL))
        return Caption(at=at, index=index, text=self.words(table, "caption", path, MAX_CAPTION))

    def words(self, table: dict[str, object], key: str, path: str, limit: int) -> str:
        value = table[key]
        if isinstance(value, str) and not value.strip():
            raise self.fail(f"{path}.{key}", f"a {key} needs text")
        return self.text(table, key, path + ".", "", limit=limit)

    def action(
        self, table: dict[str, object], path: str, at: float, index: int, menu: tuple[str, ...]
    ) -> ScriptStep:
        name = self.action_name(table["action"], path + ".action")
        self.check_keys(table, path + ".", ("at", "action", *_ACTION_KEYS[name]))
        for key in _ACTION_KEYS[name]:
            if key not in table and key in ("dish", "mode", "on", "speed"):
                raise self.fail(f"{path}.{key}", f"missing: a {name} action needs {key}")
        where = path + "."
        if name == "order":
            return self.order(table, path, at, index, menu)
        if name == "mode":
            return ModeAction(at=at, index=index, mode=self.step_mode(table["mode"], where))
        if name == "prep_shelf":
            return PrepShelfAction(at=at, index=index, on=self.boolean(table, "on", where, False))
        if name == "speed":
            speed = self.number(table, "speed", where, MIN_SPEED, MAX_SPEED, 1.0)
            return SpeedAction(at=at, index=index, speed=speed)
        if name == "pause":
            return PauseAction(at=at, index=index)
        return ResetAction(at=at, index=index)

    def action_name(self, value: object, path: str) -> ActionName:
        for name in ACTIONS:  # returns the Literal itself, so no cast is needed
            if value == name:
                return name
        shown = repr(value) if isinstance(value, str) else "a non-string"
        hint = did_you_mean(value, ACTIONS) if isinstance(value, str) else ""
        raise self.fail(
            path, f"unknown action {shown} (expected one of {', '.join(ACTIONS)}){hint}"
        )

    def step_mode(self, value: object, path: str) -> Mode:
        for mode in MODES:
            if value == mode:
                return mode
        raise self.fail(
            path + "mode", f"expected one of {', '.join(MODES)}, got {_describe(value)}"
        )

    def order(
        self, table: dict[str, object], path: str, at: float, index: int, menu: tuple[str, ...]
    ) -> OrderAction:
        dish = self.order_dish(table, path, menu)
        order_id = self.name(table["id"], path + ".id", "an order id") if "id" in table else None
        count = self.integer(table, "count", path + ".", 1, MAX_ORDER_COUNT, 1)
        every = self.number(table, "every", path + ".", 0, MAX_AT_SECONDS, 0.0)
        return OrderAction(at=at, index=index, dish=dish, id=order_id, count=count, every=every)


# --- the player --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SceneSetup:
    """The speaker jumped to a scene: reset the kitchen and give it the scene's settings."""

    scene: Scene
    settings: KitchenSettings


Cue = ScriptStep | SceneSetup


class ScenePlayer:
    """The speaker's remote: walks a talk's script in story time and hands out what is due.

    Story time advances at `speed` story seconds per real second of `clock`. `poll()` returns
    the steps whose time has come, in order; the caller performs them (orders, settings, captions).
    The player itself obeys pause and speed steps, and with `hold_at_markers` waits after every
    marker until `resume()` (space), so the speaker can talk before a scene runs.
    """

    def __init__(
        self,
        talk: SceneFile,
        clock: Callable[[], float] = time.monotonic,
        *,
        hold_at_markers: bool = False,
        speed: float | None = None,
    ) -> None:
        self.talk = talk
        self.hold_at_markers = hold_at_markers
        self._clock = clock
        self._steps = list(talk.steps())
        self._starts = [self._steps.index(scene.marker) for scene in talk.scenes]
        self._cursor = 0  # the next step to hand out
        self._story = 0.0
        self._speed = talk.scenario.settings.speed if speed is None else speed
        self._last = clock()
        self._banked = 0.0  # story seconds that passed before a speed change, not yet spent
        self._waiting = False
        self._scene = 0
        self._caption: str | None = None
        self._pending: list[Cue] = []

    # -- what the screen shows ------------------------------------------------------------------

    @property
    def scene(self) -> Scene:
        return self.talk.scenes[self._scene]

    @property
    def story_time(self) -> float:
        """Story seconds since the start of the file, as the script counts them."""
        return self._story

    @property
    def scene_time(self) -> float:
        return max(0.0, self._story - self.scene.start)

    @property
    def speed(self) -> float:
        return self._speed

    @property
    def waiting(self) -> bool:
        """Held at a pause step or a marker until `resume()`."""
        return self._waiting

    @property
    def caption(self) -> str | None:
        """The caption to show now: the scene's latest, cleared by the next marker."""
        return self._caption

    @property
    def finished(self) -> bool:
        return self._cursor >= len(self._steps) and not self._pending

    # -- the remote -----------------------------------------------------------------------------

    def poll(self) -> list[Cue]:
        """The cues due since the last poll, in order; call it once a frame."""
        now = self._clock()
        budget = self._banked + (now - self._last) * self._speed  # story seconds to spend
        self._last, self._banked = now, 0.0
        due, self._pending = self._pending, []
        while not self._waiting and self._cursor < len(self._steps):
            step = self._steps[self._cursor]
            need = max(0.0, step.at - self._story)
            if need > budget + _DUE_SLACK_S:
                break
            budget = max(0.0, budget - need)
            self._story = max(self._story, step.at)
            self._cursor += 1
            budget = self._obey(step, budget)
            due.append(step)
        if not self._waiting:
            self._story += budget
        return due

    def resume(self) -> None:
        """Space: go on from a pause step or a held marker."""
        self._waiting = False
        self._last = self._clock()

    def set_speed(self, speed: float) -> None:
        """Change the pace from now on (the speaker pressed a speed key)."""
        now = self._clock()
        if not self._waiting:
            self._banked += (now - self._last) * self._speed
        self._last, self._speed = now, speed

    def next_scene(self) -> bool:
        """Jump to the start of the next scene; False on the last one."""
        if self._scene + 1 >= len(self.talk.scenes):
            return False
        self._jump(self._scene + 1)
        return True

    def previous_scene(self) -> bool:
        """Jump to the start of the previous scene; False on the first one."""
        if self._scene == 0:
            return False
        self._jump(self._scene - 1)
        return True

    def restart_scene(self) -> None:
        """Run the current scene again from its marker, on a freshly reset kitchen."""
        self._jump(self._scene)

    def _jump(self, scene: int) -> None:
        self._scene = scene
        self._cursor = self._starts[scene]
        self._story = self.talk.scenes[scene].start
        self._waiting = False
        self._caption = None
        self._speed = self.talk.scenes[scene].settings.speed
        self._last, self._banked = self._clock(), 0.0
        target = self.talk.scenes[scene]
        self._pending = [SceneSetup(target, target.settings)]

    def _obey(self, step: ScriptStep, budget: float) -> float:
        """Apply what a step means to the player itself; the story budget left after it."""
        if isinstance(step, Marker):
            self._scene = self._starts.index(self._cursor - 1)
            self._caption = None
            self._waiting = self.hold_at_markers
        elif isinstance(step, Caption):
            self._caption = step.text
        elif isinstance(step, PauseAction):
            self._waiting = True
        elif isinstance(step, SpeedAction):
            # Time left in this poll was measured at the old pace: rescale it to the new one.
            budget = budget / self._speed * step.speed
            self._speed = step.speed
        return 0.0 if self._waiting else budget
