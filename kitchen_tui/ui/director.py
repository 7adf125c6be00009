"""The talk's director (`kitchen-tui play`): the script's cues become the keys' own commands.

Once a frame it asks the scene player what is due and has it done: orders, mode, prep shelf,
speed and resets go through the dispatcher exactly as key presses do (echoed, shown in the key
overlay, recorded as the keys a speaker would press); it shows the captions and the scene bar,
marks the recording at each scene, and saves a still of each scene when its point is on
screen: at its end, with its last caption, just before the next scene is set up (the last
scene's once its orders are done, or at the latest when the talk quits).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from kitchen_tui.protocol.settings import KitchenSettings
from kitchen_tui.talk.player import Cue, ScenePlayer, SceneSetup
from kitchen_tui.talk.script import (
    ChartAction,
    Marker,
    ModeAction,
    OrderAction,
    PrepShelfAction,
    RemedyAction,
    ResetAction,
    Scene,
    SceneFile,
    SpeedAction,
    StreamAction,
)
from kitchen_tui.ui.commands import (
    Again,
    Command,
    Reset,
    RunStream,
    SetMode,
    SetRemedy,
    SetShelf,
    SetSpeed,
    orders_of,
    speed_to,
)
from kitchen_tui.ui.keys import TALK_FOOTER, Key
from kitchen_tui.ui.live_session import SCENE_SETTINGS, LiveSession, chosen
from kitchen_tui.ui.session import Stage, TalkOptions

STILL_HOLD_S = 0.1  # the script waits this long while a scene's still is written
END_LINGER_S = 1.5  # a recording shows the talk's last picture this long before it quits


class TalkDirector:
    """Plays a talk's script on a live kitchen, as a speaker at the keys would."""

    footer = TALK_FOOTER

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
        self._stilled = 0  # the scenes whose still is saved, 1 to this number
        self._deferred: list[Cue] = []  # cues held back while a scene's still is written
        self._writing = False
        self._scene_orders: set[str] = set()  # ids the current scene ordered
        self._ending = False
        self._orders_waiting = 0  # order cues held until the kitchen confirms a reset

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
        if self._writing:
            return  # the picture holds while the scene's still is written
        ended, caption = player.scene, player.caption
        cues, self._deferred = self._deferred or player.poll(), []
        for index, cue in enumerate(cues):
            if isinstance(cue, Marker | SceneSetup) and self._still_of(ended, cue):
                self._deferred = cues[index:]
                self._stage.caption.show(caption)  # the ended scene's words, in its still
                return
            self._cue(cue)
        self._stage.caption.show(player.caption)
        self._stage.scene_bar.show(*self._scene_text(player))
        if player.finished and self._scene_served():
            self._still_of(player.scene, None)
            if self._options.quit_at_end and not self._ending:
                self._ending = True
                self._stage.later(END_LINGER_S, self._end_take)

    def close(self) -> None:
        """The talk quits: the last scene's still, if its orders never all came back."""
        player, folder = self.player, self._options.stills_dir
        if player is None or folder is None:
            return
        name = self._still_name(player.scene)
        if name is not None:
            self._stage.save_svg_now(folder, name)

    def _scene_served(self) -> bool:
        """Every order of the current scene is served, failed or 86'd: its point is made."""
        tickets = self._session.frame.scene.board.ledger.tickets.values()
        done = {ticket.id for ticket in tickets if ticket.is_done}
        return not self._orders_waiting and self._scene_orders <= done

    def _scene_text(self, player: ScenePlayer) -> tuple[str, str]:
        """Which scene, and what the speaker may press (the bar never cuts the second)."""
        scene = player.scene
        where = f"SCENE {scene.number}/{len(player.talk.scenes)}  {scene.title}"
        if player.finished:
            return where, "   -- the end: x plays it again, q quits"
        if player.waiting:
            return where, "   -- waiting: space goes on"
        return where, f"   {player.speed:g}x"

    def _cue(self, cue: Cue) -> None:
        session = self._session
        match cue:
            case SceneSetup(settings=settings):
                self._scene_orders.clear()
                session.reset_then(partial(self._set_up, settings))
            case Marker(label=label):
                self._scene_orders.clear()
                self._stage.show_chart("live")
                self._stage.cast.marker(label)
                self._dispatcher.echo(f"> scene: {label}")
            case SpeedAction(speed=speed):
                self._dispatcher.run(speed_to(speed, session.speed()), scripted=True)
            case ResetAction():
                self._dispatcher.run(Reset(), scripted=True)
            case ChartAction(chart=chart):
                self._stage.show_chart(chart)
            case OrderAction() | ModeAction() | RemedyAction() | PrepShelfAction() | StreamAction():
                if isinstance(cue, OrderAction):
                    self._orders_waiting += 1
                session.when_reset(partial(self._act, cue))

    def _act(
        self, step: OrderAction | ModeAction | RemedyAction | PrepShelfAction | StreamAction
    ) -> None:
        command: Command
        match step:
            case StreamAction(rate=rate, mix=mix):
                command = RunStream(rate, dict(mix))
            case OrderAction(dish=dish):
                self._orders_waiting -= 1
                orders = step.orders(self._stage.numbers.next_id)
                self._scene_orders.update(order.id for order in orders)
                command = orders_of(dish, orders)
            case ModeAction(mode=mode):
                command = SetMode(mode)
            case RemedyAction(setting=setting, value=value):
                command = SetRemedy(setting, value)
            case PrepShelfAction(on=on):
                command = SetShelf(on)
        self._dispatcher.run(command, scripted=True)

    def _set_up(self, settings: KitchenSettings) -> None:
        """A scene's starting settings, on a kitchen that was just reset: no customers but
        those the scene's own stream steps send, and the live chart."""
        self._session.configure(**chosen(settings, SCENE_SETTINGS))
        if self._session.stream is not None:
            self._session.run_stream(None)
        self._stage.show_chart("live")

    def _still_of(self, ended: Scene, next_cue: Cue | None) -> bool:
        """Save the still of the scene that just ended, once; True while it is being written.
        A jump (n, x) ends no scene: nothing is saved for it."""
        folder = self._options.stills_dir
        if folder is None or isinstance(next_cue, SceneSetup):
            return False
        if isinstance(next_cue, Marker) and next_cue == ended.marker:
            return False  # the first marker: no scene has ended yet
        name = self._still_name(ended)
        if name is None:
            return False
        self._stage.save_svg(folder, name, announce=False)
        self._writing = True
        self._stage.later(STILL_HOLD_S, self._written)
        return True

    def _still_name(self, scene: Scene) -> str | None:
        """The still's file name for `scene`, noted as taken; None when it was taken already."""
        folder = self._options.stills_dir
        if folder is None or scene.number <= self._stilled:
            return None
        self._stilled = scene.number
        safe = "".join(c if c.isalnum() else "-" for c in scene.title.lower()).strip("-")[:40]
        name = f"{scene.number:02d}-{safe or 'scene'}.svg"
        self.stills.append(folder / name)
        return name

    def _written(self) -> None:
        self._writing = False

    def _end_take(self) -> None:
        self._stage.cast.key("q")  # the take ends with the quit key, as a speaker's would
        self._stage.end_take()

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
