"""A talk's script: the steps a scene file times, and the scenes its markers cut it into.

Each step happens `at` story seconds after the start of the file and does exactly one thing: a
marker starts a scene, a caption narrates, an action drives the kitchen or the player. The
types import nothing from TOML or Textual: scene_file.py builds them, player.py walks them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Literal

from kitchen_tui.errors import UsageError
from kitchen_tui.protocol.orders import Order
from kitchen_tui.protocol.settings import KitchenSettings, Mode, RemedyProblem
from kitchen_tui.talk.scenario import Scenario, copy_ids


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
        else:
            ids = copy_ids(self.id, self.count)
        # Offsets ride on the order command, so the kitchen spaces arrivals exactly.
        return [Order(id_, self.dish, round(n * self.every, 9)) for n, id_ in enumerate(ids)]


@dataclass(frozen=True, kw_only=True)
class ModeAction(_Step):
    """Switching how the kitchen serves: sync, threads or async."""

    mode: Mode


@dataclass(frozen=True, kw_only=True)
class RemedyAction(_Step):
    """Choosing how the kitchen serves a blocking call (fix_blocking) or CPU work (fix_cpu)."""

    setting: Literal["fix_blocking", "fix_cpu"]
    value: str


@dataclass(frozen=True, kw_only=True)
class PrepShelfAction(_Step):
    """Turning the prep shelf (worker processes for CPU steps) on or off."""

    on: bool


@dataclass(frozen=True, kw_only=True)
class SpeedAction(_Step):
    """Slow motion or fast forward: story seconds per real second, for kitchen and script."""

    speed: float


@dataclass(frozen=True, kw_only=True)
class StreamAction(_Step):
    """Customers arriving on their own, `rate` a story second of `mix`, as the rate dial sends
    them (a rate of 0 stops them); they keep coming until a stream step changes them."""

    rate: float
    mix: dict[str, int] = field(default_factory=lambda: {"message": 1})


@dataclass(frozen=True, kw_only=True)
class ChartAction(_Step):
    """What the live chart shows: the last minutes (`live`), or the capacity curves the talk
    has measured so far (`capacity`): latency and throughput against the offered load."""

    chart: Literal["live", "capacity"]


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
    | RemedyAction
    | PrepShelfAction
    | SpeedAction
    | StreamAction
    | ChartAction
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

    def remedy_clash(self, settings: KitchenSettings) -> tuple[ScriptStep, RemedyProblem] | None:
        """Where the talk, started with `settings`, would leave a remedy meaning nothing."""
        return remedy_clash(list(self.steps()), settings)

    def starting_with(self, settings: KitchenSettings) -> SceneFile:
        """The talk from other starting settings (options given to `play`): a UsageError when
        a step would then leave a remedy that means nothing in its mode."""
        steps = list(self.steps())
        check_script_remedies(self.name, steps, settings)
        scenario = replace(self.scenario, settings=settings)
        return SceneFile(scenario, cut_into_scenes(steps, settings))


def cut_into_scenes(steps: list[ScriptStep], start: KitchenSettings) -> tuple[Scene, ...]:
    """Group steps by marker, carrying the settings forward so each scene knows its start."""
    scenes: list[Scene] = []
    settings = start
    for step in steps:
        if isinstance(step, Marker):
            scenes.append(Scene(len(scenes) + 1, step, (), settings))
            continue
        last = scenes[-1]
        scenes[-1] = replace(last, steps=(*last.steps, step))
        settings = settings_after(settings, step)
    return tuple(scenes)


def settings_after(settings: KitchenSettings, step: ScriptStep) -> KitchenSettings:
    """The settings after `step`: only mode, remedy and speed actions change them."""
    if isinstance(step, ModeAction):
        return replace(settings, mode=step.mode)
    if isinstance(step, RemedyAction):
        return settings.changed({step.setting: step.value})
    if isinstance(step, PrepShelfAction):
        return settings.changed({"prep_shelf": step.on})
    if isinstance(step, SpeedAction):
        return replace(settings, speed=step.speed)
    return settings


def check_script_remedies(source: str, steps: list[ScriptStep], settings: KitchenSettings) -> None:
    """No step may leave a remedy that means nothing in the mode it leaves: one UsageError."""
    clash = remedy_clash(steps, settings)
    if clash is not None:
        step, problem = clash
        raise UsageError(
            f"{source}: script[{step.index}]: leaves {problem.setting} {problem.value!r},"
            f" which {problem.reason}"
        )


def remedy_clash(
    steps: list[ScriptStep], settings: KitchenSettings
) -> tuple[ScriptStep, RemedyProblem] | None:
    """The first step that leaves a remedy meaning nothing in its mode, and why; None if none."""
    for step in steps:
        settings = settings_after(settings, step)
        problem = settings.remedy_problem
        if problem is not None:
            return step, problem
    return None
