"""The Kitchen TUI app: keys become kitchen commands; one frame tick draws the event stream.

The kitchen runs in its own process. Once a frame the app drains the events it sent, applies
them to the board, reads the clock once and lets each widget decide whether it changed. Nothing
shown is estimated: every time is the clock minus an event's stamp, every count an event.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import fields
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.dom import DOMNode
from textual.events import Resize
from textual.screen import Screen

from kitchen_tui.errors import UsageError
from kitchen_tui.protocol.events import Event
from kitchen_tui.protocol.orders import Order
from kitchen_tui.protocol.settings import MAX_SPEED, MIN_SPEED, MODES, KitchenSettings
from kitchen_tui.recording.channel import CastChannel
from kitchen_tui.stream.headless import LEAD_S
from kitchen_tui.talk.catalog import BUILTIN_SCENARIOS
from kitchen_tui.talk.scenario import Scenario, load_scenario
from kitchen_tui.ui.board import Board
from kitchen_tui.ui.dishes import RUSH_DISH, RUSH_SIZE, RUSH_WORDS, OrderNumbers, dish_words
from kitchen_tui.ui.keys import ALL_KEYS, KEY_BY_ACTION, QUIT_TOO, Key, typed
from kitchen_tui.ui.link import KitchenLink
from kitchen_tui.ui.palette import StylePalette
from kitchen_tui.ui.scene import Scene
from kitchen_tui.ui.startup import QuickStartApp, register_themes
from kitchen_tui.ui.themes import VARIABLE_DEFAULTS
from kitchen_tui.ui.widgets.caption_strip import CaptionStrip
from kitchen_tui.ui.widgets.died_banner import DiedBanner
from kitchen_tui.ui.widgets.key_hints import KeyHints
from kitchen_tui.ui.widgets.key_overlay import KeyOverlay
from kitchen_tui.ui.widgets.kitchen_header import KitchenHeader
from kitchen_tui.ui.widgets.kitchen_view import KitchenView
from kitchen_tui.ui.widgets.line_cook import LineCook
from kitchen_tui.ui.widgets.prep_shelf import PrepShelf
from kitchen_tui.ui.widgets.scene_bar import SceneBar
from kitchen_tui.ui.widgets.served_strip import ServedStrip
from kitchen_tui.ui.widgets.stats_panel import StatsPanel
from kitchen_tui.ui.widgets.ticket_lane import TicketLane
from kitchen_tui.ui.widgets.timeline import Timeline
from kitchen_tui.ui.widgets.too_small import MIN_HEIGHT, MIN_WIDTH, TooSmall

if TYPE_CHECKING:  # talk mode's types: the module itself loads with the first talk
    from kitchen_tui.talk.player import Cue, ScenePlayer
    from kitchen_tui.talk.script import (
        ModeAction,
        OrderAction,
        PrepShelfAction,
        RemedyAction,
        SceneFile,
    )

# The tick. Textual paints on its own 60 Hz timer and now and then two ticks share a paint:
# 50 ticks a second kept 1,000 tickets at 36-39 fps at 200x50 (40 ticks: 28-36 fps).
FRAME_S = 1 / 50
SPEEDS = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0)


class KitchenApp(QuickStartApp):
    """A live kitchen: lanes of tickets, the line cook, the timeline and the stats."""

    TITLE = "Kitchen TUI"
    CSS_PATH = "app.tcss"  # the layout; each widget declares its own style sheet
    BINDINGS: ClassVar[list[BindingType]] = [
        *(
            Binding(k.key, k.action, k.footer or k.title, show=bool(k.footer), key_display=k.shown)
            for k in ALL_KEYS
        ),
        Binding(QUIT_TOO, "quit", "Quit", show=False, priority=True),
    ]
    # Textual declares these as plain class attributes (not ClassVar): no annotation here.
    HORIZONTAL_BREAKPOINTS = [  # noqa: RUF012
        (0, "-too-narrow"),
        (MIN_WIDTH, "-wide-enough"),
    ]
    VERTICAL_BREAKPOINTS = [  # noqa: RUF012
        (0, "-too-short"),
        (MIN_HEIGHT, "-tall-enough"),
    ]

    def __init__(
        self,
        settings: KitchenSettings,
        backend: str = "asyncio",
        theme: str = "dark",
        ascii: bool = False,
        scenario: Scenario | None = None,
        screenshot_dir: Path = Path("screenshots"),
        kitchen: KitchenLink | None = None,
        clock: Callable[[], float] = time.perf_counter,
        paused: bool = False,
        *,
        replay: str | None = None,
        talk: SceneFile | None = None,
        hold_at_markers: bool = True,
        autoplay: float | None = None,
        stills_dir: Path | None = None,
        trace: Path | None = None,
        cast: CastChannel | None = None,
    ) -> None:
        super().__init__()
        self._replay = replay  # the trace's name: nothing is cooked, nothing can be sent
        self._talk = talk
        self._hold_at_markers = hold_at_markers
        self._autoplay = autoplay
        self._stills_dir = stills_dir
        self._trace = trace
        self._cast = cast if cast is not None else CastChannel.from_env()
        self.player: ScenePlayer | None = None
        self.stills: list[Path] = []
        self._waiting_since: float | None = None
        self._acting: tuple[Key, bool] | None = None  # the key being obeyed; True: the script
        self._settings = settings
        self._backend = backend
        self._scenario = scenario
        self._screenshot_dir = screenshot_dir
        self._kitchen = kitchen
        self._owns_kitchen = kitchen is None
        self._clock = clock
        self._paused = paused
        self._frozen_events: list[Event] = []
        self._after_reset: list[Callable[[], None]] = []
        # A scenario's orders wait for the kitchen's hello: its clock starts when the kitchen
        # is ready, so no order spends the kitchen's start-up at the front desk.
        self._after_hello: list[Callable[[], None]] = []
        self._kitchen_ready = False
        self._numbers = OrderNumbers()
        self._died: str | None = None
        self._screenshots = 0
        self.scene = Scene(Board(), clock(), ascii=ascii, paused=paused)
        self._themes = register_themes(self, theme)
        self.scene.theme = self.theme
        self._make_widgets()

    # -- building --------------------------------------------------------------------------------

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(VARIABLE_DEFAULTS)

    def _make_widgets(self) -> None:
        # Direct references: the tick touches these 30 times a second, never via a query.
        scene = self.scene
        self._header = KitchenHeader(scene, id="kitchen-header")
        self._banner = DiedBanner(id="died")
        self._too_small = TooSmall(id="too-small")
        self._views: list[KitchenView] = [
            self._header,
            TicketLane(scene, "front_desk", id="front-desk"),
            LineCook(scene, id="line-cook"),
            TicketLane(scene, "rail", id="rail"),
            PrepShelf(scene, id="prep-shelf"),
            ServedStrip(scene, id="served"),
            Timeline(scene, id="timeline"),
            StatsPanel(scene, id="stats"),
        ]
        self._palette = StylePalette(self)
        self._scene_bar = SceneBar(id="scene-bar")
        self._caption = CaptionStrip(id="caption")
        self._key_overlay = KeyOverlay(id="key-overlay")
        self._hints = KeyHints(scene, [(k.shown, k.footer) for k in ALL_KEYS if k.footer])
        for view in (*self._views, self._hints):
            view.palette = self._palette

    def compose(self) -> ComposeResult:
        header, front, cook, rail, shelf, served, timeline, stats = self._views
        yield header
        yield self._scene_bar
        yield self._banner
        with Vertical(id="kitchen"):
            with Horizontal(id="lanes"):
                yield from (front, cook, rail, shelf)
            yield served
            with Horizontal(id="bottom"):
                yield from (timeline, stats)
        yield self._caption
        yield self._key_overlay
        yield self._too_small
        yield self._hints

    def on_mount(self) -> None:
        self.set_class(self.scene.ascii, "-ascii")
        if self._replay is not None:
            self._scene_bar.show(f"REPLAY  {self._replay}  (a recorded kitchen: x rewinds)")
        if not self._paused:
            self.set_interval(FRAME_S, self.step_frame, name="frame")
        # Spawning the kitchen waits for the first frame: the window shows up at once.
        self.call_after_refresh(self._open_kitchen)

    def on_resize(self, event: Resize) -> None:
        self._too_small.explain(event.size.width, event.size.height)

    def on_unmount(self) -> None:
        self._stop_kitchen()

    # -- the kitchen -----------------------------------------------------------------------------

    def _open_kitchen(self) -> None:
        if self._kitchen is None:
            self._kitchen = self._new_kitchen(self._settings)
        if not self._kitchen.alive:
            self._kitchen.start()
        if self._talk is not None:
            from kitchen_tui.talk.player import ScenePlayer

            self._play(self._talk.scenario, self._settings, send_orders=False)
            speed = self._settings.speed
            self.player = ScenePlayer(
                self._talk, self._clock, hold_at_markers=self._hold_at_markers, speed=speed
            )
        elif self._scenario is not None:
            # The command line already laid its options over the scenario's settings.
            self._play(self._scenario, self._settings)

    def _new_kitchen(self, settings: KitchenSettings) -> KitchenLink:
        from kitchen_tui.stream.client import KitchenProcess

        return KitchenProcess(settings, backend=self._backend, trace=self._trace)

    def _stop_kitchen(self) -> None:
        if self._kitchen is not None:
            self._kitchen.stop()

    def _restart_kitchen(self) -> None:
        """A stopped kitchen cannot be reset: start a new one with the last known settings."""
        self._stop_kitchen()
        if self._owns_kitchen or self._kitchen is None:
            self._kitchen = self._new_kitchen(self._current_settings())
        self._kitchen.start()
        self._kitchen_ready = False
        self._died = None
        self._banner.show(None)
        self.scene.board = Board()
        self.scene.asked.clear()
        self._frozen_events.clear()
        self._after_reset.clear()
        self._refresh_views()

    def _current_settings(self) -> KitchenSettings:
        known = {f.name for f in fields(KitchenSettings)}
        last = {k: v for k, v in self.scene.board.settings.items() if k in known}
        try:
            return KitchenSettings.from_json(last) if last else self._settings
        except (TypeError, ValueError):
            return self._settings

    def _play(self, scenario: Scenario, wanted: KitchenSettings, send_orders: bool = True) -> None:
        """Set the kitchen up (dishes, then settings) and send the scenario's orders."""
        kitchen = self._kitchen
        if kitchen is None or self._replay is not None:
            return
        if scenario.dishes:
            kitchen.define_dishes(scenario.dishes.values())
        kitchen.configure(
            mode=wanted.mode,
            fix_blocking=wanted.fix_blocking,
            fix_cpu=wanted.fix_cpu,
            prep_shelf=wanted.prep_shelf,
            cooks=wanted.cooks,
            front_desk=wanted.front_desk,
            speed=wanted.speed,
            shelf_size=wanted.shelf_size,
        )
        if scenario.orders and send_orders:
            orders = scenario.orders
            self._when_ready(lambda: kitchen.order(orders, t0=self._clock() + LEAD_S))
        self._say(f"> {scenario.name}: {scenario.title}")

    # -- the frame -------------------------------------------------------------------------------

    def step_frame(self) -> None:
        """One frame: run the script, drain the kitchen, apply what came, redraw what changed."""
        if self.player is not None:
            self._run_script(self.player)
        events = self._kitchen.drain() if self._kitchen is not None else []
        self._notice(events)
        if self.scene.frozen:
            self._frozen_events.extend(events)
            self.scene.held_events = len(self._frozen_events)
            self._header.tick()
            return
        if self._frozen_events:
            events, self._frozen_events = self._frozen_events + events, []
        board = self.scene.board
        board.apply_all(events)
        if any(e.get("type") == "settings" for e in events):
            self._confirm_asked()
        now = self._clock()
        self.scene.now = now
        board.settle(now)
        self._refresh_views()

    # -- the script (kitchen-tui play) ------------------------------------------------------------

    def _run_script(self, player: ScenePlayer) -> None:
        """Perform the cues that came due, through the same code as the keys."""
        if self._autoplay is not None and player.waiting:
            now = self._clock()
            if self._waiting_since is None:
                self._waiting_since = now
            elif now - self._waiting_since >= self._autoplay:
                player.resume()
        if not player.waiting:
            self._waiting_since = None
        for cue in player.poll():
            self._cue(cue)
        self._caption.show(player.caption)
        self._scene_bar.show(self._scene_text(player))

    def _scene_text(self, player: ScenePlayer) -> str:
        scene = player.scene
        where = f"SCENE {scene.number}/{len(player.talk.scenes)}  {scene.title}"
        if player.finished:
            return f"{where}   -- the end: x plays it again, q quits"
        if player.waiting:
            return f"{where}   -- waiting: space goes on"
        return f"{where}   {player.speed:g}x"

    def _cue(self, cue: Cue) -> None:
        from kitchen_tui.talk.player import SceneSetup
        from kitchen_tui.talk.script import Caption, Marker, PauseAction, ResetAction, SpeedAction

        if isinstance(cue, SceneSetup):
            self._reset_then(partial(self._set_up, cue.settings))
        elif isinstance(cue, Marker):
            self._cast.marker(cue.label)
            self._say(f"> scene: {cue.label}")
            self._take_still(cue.label)
        elif isinstance(cue, Caption | PauseAction | SpeedAction):
            if isinstance(cue, SpeedAction):
                self._by_script("speed(1)", partial(self._configure_speed, cue.speed))
        elif isinstance(cue, ResetAction):
            self._by_script("reset", partial(self._reset_then, lambda: None))
        else:
            self._when_reset(partial(self._script_step, cue))

    def _script_step(self, step: OrderAction | ModeAction | RemedyAction | PrepShelfAction) -> None:
        from kitchen_tui.talk.script import ModeAction, OrderAction, RemedyAction

        if isinstance(step, OrderAction):
            orders = step.orders(self._numbers.next_id)
            action = f"order('{step.dish}')"
            words = dish_words(step.dish)
            if len(orders) > 1:
                words = f"{len(orders)} x {words}"
            self._by_script(action, partial(self._send, orders, words))
        elif isinstance(step, ModeAction):
            self._by_script("cycle_mode", partial(self._set_mode, step.mode))
        elif isinstance(step, RemedyAction):
            words = f"{step.setting} -> {step.value}"
            self._by_script(step.setting, partial(self._configure, step.setting, step.value, words))
        else:
            self._by_script("toggle_shelf", partial(self._set_shelf, step.on))

    def _by_script(self, action: str, do: Callable[[], None]) -> None:
        """Do what a key does, as the key would, and tell the recording which key it was."""
        key = KEY_BY_ACTION.get(action)
        previous, self._acting = self._acting, (key, True) if key is not None else None
        try:
            do()
        finally:
            self._acting = previous
        if key is not None:
            self._cast.key(typed(key))

    def _when_reset(self, then: Callable[[], None]) -> None:
        """Now, or once the reset the kitchen was asked for is done."""
        if self._after_reset:
            self._after_reset.append(then)
        else:
            then()

    def _set_up(self, settings: KitchenSettings) -> None:
        """A scene's starting settings, on a kitchen that was just reset."""
        if self._kitchen is None:
            return
        changes = {
            "mode": settings.mode,
            "fix_blocking": settings.fix_blocking,
            "fix_cpu": settings.fix_cpu,
            "prep_shelf": settings.prep_shelf,
            "cooks": settings.cooks,
            "speed": settings.speed,
        }
        self._kitchen.configure(**changes)
        self.scene.asked.update(changes)

    def _take_still(self, label: str) -> None:
        if self._stills_dir is None:
            return
        number = len(self.stills) + 1
        safe = "".join(c if c.isalnum() else "-" for c in label.lower()).strip("-")[:40]
        name = f"{number:02d}-{safe or 'scene'}.svg"
        self.stills.append(self._stills_dir / name)
        # After the reset and the scene's first orders: the picture the scene starts from.
        if self._paused:
            self.call_after_refresh(self._save_still, name)
        else:
            self.set_timer(0.6, partial(self._save_still, name))

    def _save_still(self, name: str) -> None:
        self._redraw_all()
        self.call_after_refresh(self._write_still, name)

    def _redraw_all(self) -> None:
        for view in self._views:
            view.redraw_now()

    def _write_still(self, name: str) -> None:
        assert self._stills_dir is not None
        try:
            self._stills_dir.mkdir(parents=True, exist_ok=True)
            self.save_screenshot(filename=name, path=str(self._stills_dir))
        except OSError as error:
            self.notify(f"Could not save a still: {error}", severity="error")

    def _refresh_views(self) -> None:
        for view in self._views:
            view.tick()

    def _notice(self, events: Iterable[Event]) -> None:
        """What must not wait for a frozen display: the kitchen's death, and a finished reset."""
        for event in events:
            kind = event.get("type")
            if kind == "died":
                self._died = str(event.get("message", "it ended unexpectedly"))
                self._banner.show(self._died)
            elif kind == "hello":
                self._kitchen_ready = True
                pending, self._after_hello = self._after_hello, []
                for then in pending:
                    then()
            elif kind == "reset" and self._after_reset:
                pending, self._after_reset = self._after_reset, []
                for then in pending:
                    then()

    def _when_ready(self, then: Callable[[], None]) -> None:
        if self._kitchen_ready:
            then()
        else:
            self._after_hello.append(then)

    def _confirm_asked(self) -> None:
        settings = self.scene.board.settings
        for name, wanted in list(self.scene.asked.items()):
            if settings.get(name) == wanted:
                del self.scene.asked[name]

    def _say(self, text: str) -> None:
        """Echo a key's effect in the header at once: the kitchen's answer comes a frame later."""
        self.scene.last_command = text
        self._header.tick()
        if self._acting is not None:
            key, scripted = self._acting
            words = text.removeprefix("> ")
            self._key_overlay.add(key.shown, f"{words} (script)" if scripted else words)

    def _can_send(self) -> bool:
        """False in a replay, where nothing cooks: say so instead of sending."""
        if self._replay is None:
            return True
        self._say("replay: nothing to send")
        return False

    async def run_action(
        self,
        action: str | tuple[str, str, tuple[object, ...]],
        default_namespace: DOMNode | None = None,
        namespaces: Mapping[str, DOMNode] | None = None,
    ) -> bool:
        """Every action, with the key that asked for it remembered for the keystroke overlay."""
        key = KEY_BY_ACTION.get(action) if isinstance(action, str) else None
        previous = self._acting
        if key is not None:
            self._acting = (key, False)
        try:
            return await super().run_action(action, default_namespace, namespaces)
        finally:
            self._acting = previous

    # -- orders ----------------------------------------------------------------------------------

    def _send(self, orders: list[Order], what: str) -> None:
        if self._kitchen is None or not self._can_send():
            return
        self._kitchen.order(orders)
        ids = orders[0].id if len(orders) == 1 else f"{orders[0].id}..{orders[-1].id}"
        self._say(f"> {ids} {what}")

    def action_order(self, dish: str) -> None:
        self._send([Order(self._numbers.next_id(dish), dish)], dish_words(dish))

    def action_rush(self) -> None:
        orders = [Order(self._numbers.next_id(RUSH_DISH), RUSH_DISH) for _ in range(RUSH_SIZE)]
        self._send(orders, RUSH_WORDS)

    # -- kitchen settings ------------------------------------------------------------------------

    def _setting(self, name: str, default: object) -> object:
        """The value last asked for, else what the kitchen last confirmed."""
        if name in self.scene.asked:
            return self.scene.asked[name]
        return self.scene.board.settings.get(name, getattr(self._settings, name, default))

    def _configure(self, name: str, value: object, words: str) -> None:
        if self._kitchen is None or not self._can_send():
            return
        self._kitchen.configure(**{name: value})
        self.scene.asked[name] = value
        self._say(f"> {words}")

    def action_cycle_mode(self) -> None:
        mode = str(self._setting("mode", "async"))
        following = MODES[(MODES.index(mode) + 1) % len(MODES)] if mode in MODES else MODES[0]
        self._set_mode(following)

    def _set_mode(self, mode: str) -> None:
        self._configure("mode", mode, f"mode -> {mode}")

    def action_toggle_shelf(self) -> None:
        self._set_shelf(not bool(self._setting("prep_shelf", False)))

    def _set_shelf(self, on: bool) -> None:
        self._configure("prep_shelf", on, f"prep shelf {'on' if on else 'off'}")

    def action_speed(self, direction: int) -> None:
        from kitchen_tui.recording.replay import ReplayKitchen

        if isinstance(self._kitchen, ReplayKitchen) and self._replay is not None:
            speed = self._kitchen.speed
        else:
            speed = float(self._setting("speed", 1.0))  # type: ignore[arg-type]
        if direction > 0:
            chosen = next((s for s in SPEEDS if s > speed + 1e-9), MAX_SPEED)
        else:
            chosen = next((s for s in reversed(SPEEDS) if s < speed - 1e-9), MIN_SPEED)
        self._configure_speed(chosen)

    def _configure_speed(self, chosen: float) -> None:
        from kitchen_tui.recording.replay import ReplayKitchen

        if self._replay is not None:
            if isinstance(self._kitchen, ReplayKitchen):
                self._kitchen.set_speed(chosen)
                self._say(f"> replay speed {chosen:g}x")
            return
        if self.player is not None:
            self.player.set_speed(chosen)  # the script keeps pace with the kitchen
        self._configure("speed", chosen, f"speed {chosen:g}x")

    def action_scenario(self, number: int) -> None:
        if not self._can_send():
            return
        name = BUILTIN_SCENARIOS[number - 1]
        try:
            scenario = load_scenario(name)
        except UsageError as error:
            self.notify(str(error), title="Scenario", severity="error")
            return
        self._reset_then(partial(self._play, scenario, scenario.settings))

    def action_reset(self) -> None:
        kitchen = self._kitchen
        if kitchen is None:
            return
        if self._replay is not None:
            kitchen.start()  # from the first event again
            self.scene.board = Board()
            self._frozen_events.clear()
            self._refresh_views()
            self._say("> replay from the top")
            return
        if self.player is not None and self._died is None and kitchen.alive:
            self.player.restart_scene()
            self._say(f"> scene {self.player.scene.number} again")
            return
        if self._died is not None or not kitchen.alive:
            self._restart_kitchen()
            self._say("> started a new kitchen")
        else:
            self._reset_then(lambda: None)
            self._say("> reset: everything in flight cancelled")

    def _reset_then(self, then: Callable[[], None]) -> None:
        """Reset, and only once the kitchen confirms it, go on: orders sent earlier would be
        cancelled with the old ones."""
        if self._kitchen is None:
            return
        if self._died is not None or not self._kitchen.alive:
            self._restart_kitchen()
            then()
            return
        self._after_reset.append(then)
        self._kitchen.reset()
        self.scene.asked.clear()

    # -- the screen ------------------------------------------------------------------------------

    def action_next_theme(self) -> None:
        names = self._themes
        current = self.scene.theme
        following = names[(names.index(current) + 1) % len(names)] if current in names else names[0]
        self.theme = following
        self.scene.theme = following
        self._say(f"> theme {following}")

    def action_next_scene(self) -> None:
        if self.player is None:
            self._say("no talk to step through (kitchen-tui play FILE)")
        elif self.player.next_scene():
            self._say(f"> next scene: {self.player.scene.number}")
        else:
            self._say("this is the last scene")

    def action_toggle_captions(self) -> None:
        on = self._caption.toggle()
        self._say(f"> captions {'on' if on else 'off'}")

    def action_toggle_keys(self) -> None:
        on = self._key_overlay.toggle()
        self._say(f"> key overlay {'on' if on else 'off'}")

    def action_freeze(self) -> None:
        """Space: unfreezes a frozen picture; in a talk, goes on from a pause; else freezes."""
        player = self.player
        if player is not None and player.waiting and not self.scene.frozen:
            player.resume()
            self._waiting_since = None
            self._say("> go on")
            return
        self.scene.frozen = not self.scene.frozen
        self._say("> picture frozen" if self.scene.frozen else "> picture live")
        self.scene.held_events = len(self._frozen_events)
        if not self.scene.frozen:
            self.step_frame()  # show the truth at once: everything that happened meanwhile
        self._header.tick()

    def action_snapshot(self) -> None:
        self._redraw_all()
        self.call_after_refresh(self._write_snapshot)

    def _write_snapshot(self) -> None:
        self._screenshots += 1
        name = time.strftime("kitchen-%Y%m%d-%H%M%S") + f"-{self._screenshots}.svg"
        try:
            self._screenshot_dir.mkdir(parents=True, exist_ok=True)
            path = self.save_screenshot(filename=name, path=str(self._screenshot_dir))
        except OSError as error:
            self.notify(f"Could not save the screenshot: {error}", severity="error")
            return
        self.notify(f"Saved to {path}", title="Screenshot")

    def action_help(self) -> None:
        from kitchen_tui.ui.help_screen import HelpScreen  # and its style sheet, on first use

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(ascii=self.scene.ascii))

    async def action_quit(self) -> None:
        self._stop_kitchen()  # before exit: the kitchen must never outlive the window
        self.exit()

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for key in ALL_KEYS:
            yield SystemCommand(
                f"{key.title} ({key.shown})", key.help, partial(self.run_action, key.action)
            )
