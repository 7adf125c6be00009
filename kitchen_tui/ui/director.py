"""The talk's director (`kitchen-tui play`): the script's cues become the keys' own commands.

Once a frame it asks the scene player what is due and has it done: orders, mode, prep shelf,
speed and resets go through the dispatcher exactly as key presses do (echoed, shown in the key
overlay, recorded as the keys a speaker would press); it shows the captions and the scene bar,
marks the recording at each scene and saves a still there.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from kitchen_tui.protocol.settings import KitchenSettings
from kitchen_tui.talk.player import Cue, ScenePlayer, SceneSetup
from kitchen_tui.talk.script import (
    Marker,
    ModeAction,
    OrderAction,
    PrepShelfAction,
    RemedyAction,
    ResetAction,
    SceneFile,
    SpeedAction,
)
from kitchen_tui.ui.commands import (
    Again,
    Command,
    Reset,
    SetMode,
    SetRemedy,
    SetShelf,
    SetSpeed,
    orders_of,
    speed_to,
)
from kitchen_tui.ui.keys import Key
from kitchen_tui.ui.live_session import SCENE_SETTINGS, LiveSession, chosen
from kitchen_tui.ui.session import Stage, TalkOptions

STILL_DELAY_S = 0.6  # after the reset and the scene's first orders: the picture it starts from


class TalkDirector:
    """Plays a talk's script on a live kitchen, as a speaker at the keys would."""

    def __init__(
        self, talk: SceneFile, session: LiveSession, stage: Stage, options: TalkOptions
    ) -> None:
        self.talk = talk
        self.player: ScenePlayer | None = None  # from the first frame, when the kitchen is up
        self.stills: list[Path] = []
        self._session = session
        self._stage = stage
        self._dispatcher = stage.dispatcher
        self._options = options
        self._waiting_since: float | None = None

    def open(self) -> None:
        """Set the kitchen up for the talk (its own orders come from the script)."""
        session = self._session
        self._dispatcher.echo(session.play(self.talk.scenario, session.settings, send_orders=False))
        self.player = ScenePlayer(
            self.talk,
            self._stage.clock,
            hold_at_markers=self._options.hold_at_markers,
            speed=session.settings.speed,
        )

    # -- once a frame ----------------------------------------------------------------------------

    def frame(self) -> None:
        """Perform the cues that came due, through the same code as the keys."""
        player = self.player
        if player is None:
            return
        if self._options.autoplay is not None and player.waiting:
            now = self._stage.clock()
            if self._waiting_since is None:
                self._waiting_since = now
            elif now - self._waiting_since >= self._options.autoplay:
                player.resume()
        if not player.waiting:
            self._waiting_since = None
        for cue in player.poll():
            self._cue(cue)
        self._stage.caption.show(player.caption)
        self._stage.scene_bar.show(self._scene_text(player))

    def _scene_text(self, player: ScenePlayer) -> str:
        scene = player.scene
        where = f"SCENE {scene.number}/{len(player.talk.scenes)}  {scene.title}"
        if player.finished:
            return f"{where}   -- the end: x plays it again, q quits"
        if player.waiting:
            return f"{where}   -- waiting: space goes on"
        return f"{where}   {player.speed:g}x"

    def _cue(self, cue: Cue) -> None:
        session = self._session
        match cue:
            case SceneSetup(settings=settings):
                session.reset_then(partial(self._set_up, settings))
            case Marker(label=label):
                self._stage.cast.marker(label)
                self._dispatcher.echo(f"> scene: {label}")
                self._take_still(label)
            case SpeedAction(speed=speed):
                self._dispatcher.run(speed_to(speed, session.speed()), scripted=True)
            case ResetAction():
                self._dispatcher.run(Reset(), scripted=True)
            case OrderAction() | ModeAction() | RemedyAction() | PrepShelfAction():
                session.when_reset(partial(self._act, cue))

    def _act(self, step: OrderAction | ModeAction | RemedyAction | PrepShelfAction) -> None:
        command: Command
        match step:
            case OrderAction(dish=dish):
                command = orders_of(dish, step.orders(self._stage.numbers.next_id))
            case ModeAction(mode=mode):
                command = SetMode(mode)
            case RemedyAction(setting=setting, value=value):
                command = SetRemedy(setting, value)
            case PrepShelfAction(on=on):
                command = SetShelf(on)
        self._dispatcher.run(command, scripted=True)

    def _set_up(self, settings: KitchenSettings) -> None:
        """A scene's starting settings, on a kitchen that was just reset."""
        self._session.configure(**chosen(settings, SCENE_SETTINGS))

    def _take_still(self, label: str) -> None:
        folder = self._options.stills_dir
        if folder is None:
            return
        safe = "".join(c if c.isalnum() else "-" for c in label.lower()).strip("-")[:40]
        name = f"{len(self.stills) + 1:02d}-{safe or 'scene'}.svg"
        self.stills.append(folder / name)
        self._stage.later(
            STILL_DELAY_S, partial(self._stage.save_svg, folder, name, announce=False)
        )

    # -- the speaker's keys ----------------------------------------------------------------------

    def perform(self, command: Command) -> str | None:
        """x runs the scene again; + and - keep the script at the kitchen's pace."""
        player = self.player
        if player is None:
            return None
        match command:
            case Again() if self._session.alive:
                player.restart_scene()
                return f"> scene {player.scene.number} again"
            case SetSpeed(speed=speed):
                player.set_speed(speed)  # and the kitchen's too: not handled here
        return None

    def go_on(self, frozen: bool) -> str | None:
        """Space at a marker or a pause: the script goes on (a frozen picture unfreezes first)."""
        player = self.player
        if player is None or not player.waiting or frozen:
            return None
        player.resume()
        self._waiting_since = None
        return "> go on"

    def toggle_captions(self) -> str:
        on = self._stage.caption.toggle()
        return f"> captions {'on' if on else 'off'}"

    def offers(self, key: Key) -> bool:
        return True

    def next_scene(self) -> str:
        if self.player is None:
            return "the talk has not started yet"
        if self.player.next_scene():
            return f"> next scene: {self.player.scene.number}"
        return "this is the last scene"
