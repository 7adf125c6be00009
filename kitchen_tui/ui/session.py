"""What the app runs a kitchen through: a session (live or replay) and a director (a talk or none).

`KitchenApp` draws whichever it is given and holds no branch of its own for replays or talks:
a live kitchen restarts, takes settings and dishes (live_session.py); a replay rewinds and sets
its pace (replay_session.py); a talk's director plays the script (director.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from kitchen_tui.protocol.commands import SetStream
from kitchen_tui.protocol.events import Event
from kitchen_tui.protocol.settings import KitchenSettings
from kitchen_tui.talk.scenario import Scenario
from kitchen_tui.ui.commands import Command
from kitchen_tui.ui.frame import Frame
from kitchen_tui.ui.keys import KITCHEN_FOOTER, TALK_ONLY, Hint, Key
from kitchen_tui.ui.link import KitchenLink

if TYPE_CHECKING:  # a talk's types: the player loads with the first talk
    from kitchen_tui.recording.channel import CastChannel
    from kitchen_tui.talk.script import SceneFile
    from kitchen_tui.ui.dishes import OrderNumbers
    from kitchen_tui.ui.dispatcher import Dispatcher
    from kitchen_tui.ui.widgets.caption_strip import CaptionStrip
    from kitchen_tui.ui.widgets.scene_bar import SceneBar


class Session(Protocol):
    """A kitchen on screen: one that cooks, or one that was recorded."""

    @property
    def title(self) -> str:
        """What the scene bar says from the start ("" for nothing)."""
        ...

    def open(self) -> str | None:
        """Start the kitchen (on the first frame); the header's echo, if any."""
        ...

    def close(self) -> None: ...

    def drain(self) -> list[Event]:
        """The events since the last frame."""
        ...

    def perform(self, command: Command) -> str | None: ...

    def setting(self, name: str) -> object:
        """A setting as the keys step from it (m, p): asked for, else confirmed."""
        ...

    def speed(self) -> float: ...

    @property
    def stream(self) -> SetStream | None:
        """The steady stream of customers asked for (None: none)."""
        ...


class Director(Protocol):
    """Who else acts on the kitchen once a frame: a talk's script, or nobody."""

    def open(self) -> None: ...

    def frame(self) -> None: ...

    @property
    def footer(self) -> tuple[Hint, ...]:
        """The keys the footer shows."""
        ...

    def perform(self, command: Command) -> str | None: ...

    def go_on(self, frozen: bool) -> str | None:
        """Space, when the script waits for it: the echo; None leaves space to freeze."""
        ...

    def next_scene(self) -> str: ...

    def toggle_captions(self) -> str: ...

    def close(self) -> None:
        """The app quits: anything still owed (a talk's last still)."""
        ...

    def offers(self, key: Key) -> bool:
        """Whether `key` means anything here (the command palette lists only those)."""
        ...


@dataclass(frozen=True)
class TalkOptions:
    """How a talk is played: held at each marker, going on by itself, stills saved."""

    hold_at_markers: bool = True
    autoplay: float | None = None  # seconds a hold lasts before the script goes on
    stills_dir: Path | None = None
    quit_at_end: bool = False  # a recording: the take ends once the last scene has made its point


class Stage(Protocol):
    """What a talk's director needs of the app it plays on."""

    @property
    def clock(self) -> Callable[[], float]: ...

    @property
    def dispatcher(self) -> Dispatcher: ...

    @property
    def numbers(self) -> OrderNumbers: ...

    @property
    def cast(self) -> CastChannel: ...

    @property
    def caption(self) -> CaptionStrip: ...

    @property
    def scene_bar(self) -> SceneBar: ...

    def later(self, seconds: float, then: Callable[[], object]) -> None: ...

    def save_svg(self, folder: Path, name: str, *, announce: bool) -> None: ...

    def save_svg_now(self, folder: Path, name: str) -> None:
        """The screen as it is, written before returning (the app is about to quit)."""
        ...

    def end_take(self) -> None:
        """Quit, as q does."""
        ...

    def show_chart(self, chart: str) -> None:
        """The live chart's last minutes (`live`), or the capacity measured so far."""
        ...


class NoTalk:
    """No script: the speaker's keys do what they do in any kitchen."""

    footer = KITCHEN_FOOTER

    def open(self) -> None:
        pass

    def frame(self) -> None:
        pass

    def perform(self, command: Command) -> str | None:
        return None

    def go_on(self, frozen: bool) -> str | None:
        return None

    def next_scene(self) -> str:
        return "no talk to step through (kitchen-tui play FILE)"

    def close(self) -> None:
        pass

    def toggle_captions(self) -> str:
        return "no talk, no captions (kitchen-tui play NAME)"

    def offers(self, key: Key) -> bool:
        return key not in TALK_ONLY  # n and C mean nothing without a talk


def session_for(
    frame: Frame,
    settings: KitchenSettings,
    *,
    backend: str,
    trace: Path | None,
    kitchen: KitchenLink | None,
    scenario: Scenario | None,
    replay: str | None,
    clock: Callable[[], float],
) -> Session:
    """A replay of the recorded kitchen `kitchen` when `replay` names its trace, else live."""
    if replay is not None:
        from kitchen_tui.recording.replay import ReplayKitchen
        from kitchen_tui.ui.replay_session import ReplaySession

        if not isinstance(kitchen, ReplayKitchen):
            raise TypeError("a replay is played from a ReplayKitchen")
        return ReplaySession(frame, kitchen, replay)
    from kitchen_tui.ui.live_session import LiveSession

    return LiveSession(
        frame,
        settings,
        backend=backend,
        trace=trace,
        kitchen=kitchen,
        scenario=scenario,
        clock=clock,
    )


def director_for(
    talk: SceneFile | None, session: Session, stage: Stage, options: TalkOptions
) -> Director:
    """The talk's director for a talk on a live kitchen; nobody otherwise."""
    from kitchen_tui.ui.live_session import LiveSession

    if talk is None or not isinstance(session, LiveSession):
        return NoTalk()
    from kitchen_tui.ui.director import TalkDirector  # loads the player with the first talk

    return TalkDirector(talk, session, stage, options)
