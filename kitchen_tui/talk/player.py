"""The scene player: the speaker's remote, walking a talk's script in story time.

`ScenePlayer` reads an injectable clock and says which steps are due; it imports nothing from
Textual, so the app calls it once a frame and performs the steps.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from kitchen_tui.protocol.settings import KitchenSettings
from kitchen_tui.talk.script import (
    Caption,
    ChartAction,
    Marker,
    ModeAction,
    PauseAction,
    PrepShelfAction,
    RemedyAction,
    ResetAction,
    Scene,
    SceneFile,
    ScriptStep,
    SpeedAction,
    StreamAction,
)

# Steps at a marker's own instant that set its scene up: handed out before the script waits
# there, so the speaker talks over the new scene's kitchen, not the last one's.
SETUP_STEPS = (
    Caption,
    ResetAction,
    ModeAction,
    RemedyAction,
    PrepShelfAction,
    SpeedAction,
    StreamAction,
    ChartAction,
)

# Clock readings are sums of float frame times: a step due within a nanosecond is due now.
_DUE_SLACK_S = 1e-9


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
    The player itself keeps to pause and speed steps, and with `hold_at_markers` waits at every
    marker, once the scene is set up (its reset, settings and caption at the marker's instant),
    until `resume()` (space), so the speaker can talk before a scene runs.
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
        self._hold_at: float | None = None  # a marker's instant: wait once its setup is out
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
            if self._hold_here(step):
                break
            need = max(0.0, step.at - self._story)
            if need > budget + _DUE_SLACK_S:
                break
            budget = max(0.0, budget - need)
            self._story = max(self._story, step.at)
            self._cursor += 1
            budget = self._apply_to_player(step, budget)
            due.append(step)
        if self._hold_at is not None and self._cursor >= len(self._steps):
            self._hold_at, self._waiting = None, True
        if not self._waiting:
            self._story += budget
        return due

    def _hold_here(self, step: ScriptStep) -> bool:
        """At a held marker, wait before the first step that is not its scene's setup."""
        hold = self._hold_at
        if hold is None:
            return False
        if isinstance(step, SETUP_STEPS) and step.at <= hold + _DUE_SLACK_S:
            return False
        self._hold_at, self._waiting = None, True
        return True

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
        self._jump_to(self._scene + 1)
        return True

    def restart_scene(self) -> None:
        """Run the current scene again from its marker, on a freshly reset kitchen."""
        self._jump_to(self._scene)

    def _jump_to(self, scene: int) -> None:
        self._scene = scene
        self._cursor = self._starts[scene]
        self._story = self.talk.scenes[scene].start
        self._waiting = False
        self._hold_at = None
        self._caption = None
        self._speed = self.talk.scenes[scene].settings.speed
        self._last, self._banked = self._clock(), 0.0
        target = self.talk.scenes[scene]
        self._pending = [SceneSetup(target, target.settings)]

    def _apply_to_player(self, step: ScriptStep, budget: float) -> float:
        """Apply what a step means to the player itself; the story budget left after it."""
        if isinstance(step, Marker):
            self._scene = self._starts.index(self._cursor - 1)
            self._caption = None
            self._hold_at = step.at if self.hold_at_markers else None
        elif isinstance(step, Caption):
            self._caption = step.text
        elif isinstance(step, PauseAction):
            self._waiting = True
        elif isinstance(step, SpeedAction):
            # Time left in this poll was measured at the old pace: rescale it to the new one.
            budget = budget / self._speed * step.speed
            self._speed = step.speed
        return 0.0 if self._waiting else budget
