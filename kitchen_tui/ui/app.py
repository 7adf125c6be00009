"""The Kitchen TUI app: keys become kitchen commands; one frame tick draws the event stream.

The kitchen runs in its own process. Once a frame the app drains the events it sent, applies
them to the board, reads the clock once and lets each widget decide whether it changed. Nothing
shown is estimated: every time is the clock minus an event's stamp, every count an event.

What differs between a live kitchen and a replay is the session (session.py); a talk's script
is played by its director (director.py); keys and the script make the same commands, which one
dispatcher performs (dispatcher.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.screen import Screen

from kitchen_tui.errors import UsageError
from kitchen_tui.protocol.settings import BLOCKING_FIXES, CPU_FIXES, MODES, KitchenSettings
from kitchen_tui.recording.channel import CastChannel
from kitchen_tui.talk.catalog import BUILTIN_SCENARIOS
from kitchen_tui.talk.scenario import Scenario, load_scenario
from kitchen_tui.ui.board import Board
from kitchen_tui.ui.commands import (
    Again,
    PlayScenario,
    SetMode,
    SetRemedy,
    SetShelf,
    order_of,
    rush,
    speed_step,
    workers_step,
)
from kitchen_tui.ui.dishes import OrderNumbers
from kitchen_tui.ui.dispatcher import Dispatcher
from kitchen_tui.ui.frame import Frame
from kitchen_tui.ui.keys import ALL_KEYS, KEY_BY_ACTION, KITCHEN_FOOTER, QUIT_TOO
from kitchen_tui.ui.link import KitchenLink
from kitchen_tui.ui.load_app import LoadApp
from kitchen_tui.ui.palette import StylePalette
from kitchen_tui.ui.pictures import Pictures
from kitchen_tui.ui.queueing_view import QueueingView
from kitchen_tui.ui.remedy_words import remedy_trade, served_remedies
from kitchen_tui.ui.scene import Scene
from kitchen_tui.ui.session import TalkOptions, director_for, session_for
from kitchen_tui.ui.startup import register_themes
from kitchen_tui.ui.themes import VARIABLE_DEFAULTS
from kitchen_tui.ui.widgets.caption_strip import CaptionStrip
from kitchen_tui.ui.widgets.died_banner import DiedBanner
from kitchen_tui.ui.widgets.key_hints import KeyHints
from kitchen_tui.ui.widgets.key_overlay import KeyOverlay
from kitchen_tui.ui.widgets.kitchen_header import KitchenHeader
from kitchen_tui.ui.widgets.kitchen_view import KitchenView
from kitchen_tui.ui.widgets.line_cook import LineCook
from kitchen_tui.ui.widgets.live_chart import LiveChart
from kitchen_tui.ui.widgets.prep_shelf import PrepShelf
from kitchen_tui.ui.widgets.queue_panel import QueuePanel
from kitchen_tui.ui.widgets.scene_bar import SceneBar
from kitchen_tui.ui.widgets.served_strip import ServedStrip
from kitchen_tui.ui.widgets.stats_panel import StatsPanel
from kitchen_tui.ui.widgets.ticket_lane import TicketLane
from kitchen_tui.ui.widgets.timeline import Timeline
from kitchen_tui.ui.widgets.too_small import MIN_HEIGHT, MIN_WIDTH, TooSmall
from kitchen_tui.ui.write_failure import stop_on_write_failure

if TYPE_CHECKING:
    from kitchen_tui.talk.script import SceneFile

# The tick. Textual paints on its own 60 Hz timer and now and then two ticks share a paint:
# 50 ticks a second kept 1,000 tickets at 36-39 fps at 200x50 (40 ticks: 28-36 fps).
FRAME_S = 1 / 50
# ctrl+s writes here, never into a clone's own screenshots/ (the README's pictures).
SCREENSHOT_DIR = Path("kitchen-screenshots")
TEXTUAL_TWINS = ("Theme", "Quit", "Screenshot")  # Textual's system commands ours replace


class KitchenApp(LoadApp):
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
        screenshot_dir: Path = SCREENSHOT_DIR,
        kitchen: KitchenLink | None = None,
        clock: Callable[[], float] = time.perf_counter,
        paused: bool = False,
        *,
        replay: str | None = None,
        talk: SceneFile | None = None,
        hold_at_markers: bool = True,
        autoplay: float | None = None,
        stills_dir: Path | None = None,
        quit_at_end: bool = False,
        still_formats: tuple[str, ...] = ("svg",),
        overwrite_stills: bool = False,
        trace: Path | None = None,
        cast: CastChannel | None = None,
    ) -> None:
        super().__init__()
        self._screenshot_dir = screenshot_dir
        self._pictures = Pictures(still_formats, overwrite_stills)  # ctrl+s and talk stills
        self.clock = clock
        self._paused = paused
        self.scene = Scene(Board(), clock(), ascii=ascii, paused=paused)
        self._themes = register_themes(self, theme)
        self.scene.theme = self.theme
        self._make_widgets()
        self.cast = cast if cast is not None else CastChannel.from_env()
        self.frame = Frame(self.scene, self._header, [*self._views, self._chart], self._banner)
        self.dispatcher = Dispatcher(self.scene, self._header, self._key_overlay, self.cast)
        self.numbers = OrderNumbers()
        self.session = session_for(
            self.frame,
            settings,
            backend=backend,
            trace=trace,
            kitchen=kitchen,
            scenario=scenario,
            replay=replay,
            clock=clock,
        )
        options = TalkOptions(hold_at_markers, autoplay, stills_dir, quit_at_end)
        self.director = director_for(talk, self.session, self, options)
        self._hints.hints = tuple(self.director.footer)  # a talk's footer lists its own keys
        self._narrated = talk is not None  # a talk's captions use the strip; else the remedies
        self.dispatcher.performers = (self.director, self.session)

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
            QueuePanel(scene, id="queueing"),
        ]
        self.queueing = QueueingView()
        self._chart = LiveChart(scene, id="chart")
        self._palette = StylePalette(self)
        self.scene_bar = SceneBar(id="scene-bar")
        self.caption = CaptionStrip(id="caption")
        self._key_overlay = KeyOverlay(id="key-overlay")
        self._hints = KeyHints(scene, KITCHEN_FOOTER)
        for view in (*self._views, self._hints):
            view.palette = self._palette

    def compose(self) -> ComposeResult:
        header, front, cook, rail, shelf, served, timeline, stats, queueing = self._views
        yield header
        yield self.scene_bar
        yield self._banner
        with Vertical(id="kitchen"):
            with Horizontal(id="lanes"):
                yield from (front, cook, rail, shelf)
            yield served
            with Horizontal(id="bottom"):
                yield timeline
                yield self._chart
                with Vertical(id="side"):
                    yield from (stats, queueing)
        yield self.caption
        yield self._key_overlay
        yield self._too_small
        yield self._hints

    def on_mount(self) -> None:
        self.set_class(self.scene.ascii, "-ascii")
        self.scene_bar.show(self.session.title)
        self._show_trade()
        if not self._paused:
            self.set_interval(FRAME_S, self.step_frame, name="frame")
        # Spawning the kitchen waits for the first frame: the window shows up at once.
        self.call_after_refresh(self._open_kitchen)

    def on_resize(self, event: Resize) -> None:
        self._too_small.explain(event.size.width, event.size.height)
        self.queueing.size = (event.size.width, event.size.height)
        self._place_queueing()
        self.call_after_refresh(self._place_key_overlay)

    def _place_key_overlay(self) -> None:
        """Over the stats panel, inside its border: never over the lanes, where the keys' effect
        shows (it covered the rail), nor over the timeline's right end, which is now."""
        stats = self.query_one("#stats").region
        if stats.width <= 4:
            return
        overlay = self._key_overlay.styles
        overlay.margin = (stats.y + 1, self.size.width - stats.right + 1, 0, 0)
        overlay.max_width = stats.width - 2

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Below 80x24 the kitchen is hidden: no key may act on it unseen, only quit."""
        size = self.size
        fits = size.width >= MIN_WIDTH and size.height >= MIN_HEIGHT
        return fits or action == "quit"

    def on_unmount(self) -> None:
        self.session.close()

    def _open_kitchen(self) -> None:
        self.dispatcher.echo(self.session.open())
        self.director.open()

    # -- the frame -------------------------------------------------------------------------------

    def step_frame(self) -> None:
        """One frame: run the script, drain the kitchen, apply what came, redraw what changed."""
        self.director.frame()
        self.frame.step(stop_on_write_failure(self, self.session.drain()), self.clock())
        if self.session.title:  # a replay's progress (a talk's director keeps its own bar)
            self.scene_bar.show(self.session.title)
        self._show_trade()

    # -- the kitchen's keys: each makes a command, and the dispatcher performs it ----------------

    def action_order(self, dish: str) -> None:
        self.dispatcher.run(order_of(dish, self.numbers))

    def action_rush(self) -> None:
        self.dispatcher.run(rush(self.numbers))

    def action_cycle_mode(self) -> None:
        mode = str(self.session.setting("mode"))
        following = MODES[(MODES.index(mode) + 1) % len(MODES)] if mode in MODES else MODES[0]
        self.dispatcher.run(SetMode(following))
        self._show_trade()

    def action_toggle_shelf(self) -> None:
        self.dispatcher.run(SetShelf(not bool(self.session.setting("prep_shelf"))))

    def action_cycle_remedy(self, setting: str) -> None:
        fixes = BLOCKING_FIXES if setting == "fix_blocking" else CPU_FIXES
        now = str(self.session.setting(setting) or "inline")
        following = fixes[(fixes.index(now) + 1) % len(fixes)] if now in fixes else fixes[0]
        key = KEY_BY_ACTION[f"cycle_remedy('{setting}')"]
        self.dispatcher.run(SetRemedy(setting, following, key))
        self._show_trade()

    def _show_trade(self) -> None:
        """Outside a talk, the caption strip says what the remedies in use trade."""
        if self._narrated:
            return
        blocking = str(self.session.setting("fix_blocking") or "inline")
        cpu = str(self.session.setting("fix_cpu") or "inline")
        mode = str(self.session.setting("mode"))
        trade = remedy_trade(blocking, cpu, mode)
        board = self.scene.board
        served = served_remedies(blocking, cpu, mode)  # no costs for a remedy served inline
        costs = board.ledger.remedies.costs(*served, board.shelf.values(), board.shelf_workers)
        costs = costs if trade else ""
        self.caption.show(f"{trade} ({costs})" if costs else trade, trade=True)

    def action_speed(self, direction: int) -> None:
        self.dispatcher.run(speed_step(self.session.speed(), direction))

    def action_scenario(self, number: int) -> None:
        try:
            scenario = load_scenario(BUILTIN_SCENARIOS[number - 1])
        except UsageError as error:
            self.notify(str(error), title="Scenario", severity="error")
            return
        self.dispatcher.run(PlayScenario(scenario, KEY_BY_ACTION[f"scenario({number})"]))

    def action_reset(self) -> None:
        self.dispatcher.run(Again())

    def action_workers(self, direction: int) -> None:
        self.dispatcher.run(workers_step(int(str(self.session.setting("workers") or 1)), direction))

    # -- the screen ------------------------------------------------------------------------------

    def _report(self, action: str, echo: str) -> None:
        self.dispatcher.report(echo, KEY_BY_ACTION.get(action))

    def action_next_theme(self) -> None:
        names = self._themes
        current = self.scene.theme
        following = names[(names.index(current) + 1) % len(names)] if current in names else names[0]
        self.theme = following
        self.scene.theme = following
        self._report("next_theme", f"> theme {following}")

    def action_next_scene(self) -> None:
        self._report("next_scene", self.director.next_scene())

    def action_toggle_captions(self) -> None:
        self._report("toggle_captions", self.director.toggle_captions())

    def action_toggle_keys(self) -> None:
        on = self._key_overlay.toggle()
        self._report("toggle_keys", f"> key overlay {'on' if on else 'off'}")

    def action_freeze(self) -> None:
        """Space: unfreezes a frozen picture; in a talk, goes on from a pause; else freezes."""
        went_on = self.director.go_on(self.scene.frozen)
        if went_on is not None:
            self._report("freeze", went_on)
            return
        frozen = not self.scene.frozen
        self.frame.freeze(frozen)
        self._report("freeze", "> picture frozen" if frozen else "> picture live")
        if not frozen:
            self.step_frame()  # show the truth at once: everything that happened meanwhile

    def later(self, seconds: float, then: Callable[[], object]) -> None:
        """`then` after `seconds`; with paused frames (tests), after the next refresh."""
        if self._paused:
            self.call_after_refresh(then)
        else:
            self.set_timer(seconds, then)

    def action_help(self) -> None:
        from kitchen_tui.ui.help_screen import HelpScreen  # and its style sheet, on first use

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(ascii=self.scene.ascii, settings=self.scene.board.settings))

    async def action_quit(self) -> None:
        self.end_take()

    def end_take(self) -> None:
        self.director.close()
        self.session.close()  # before exit: the kitchen must never outlive the window
        self.exit(return_code=self.return_code or 0)  # a failed last still keeps its code

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        # Textual's own Theme (its twenty themes, which the kitchen's colours ignore), Quit and
        # Screenshot would stand beside ours: only ours, which the header and the panels follow.
        for command in super().get_system_commands(screen):
            if command.title not in TEXTUAL_TWINS:
                yield command
        for key in ALL_KEYS:
            if not self.director.offers(key):
                continue  # captions and scenes belong to a talk
            yield SystemCommand(
                f"{key.title} ({key.shown})", key.help, partial(self.run_action, key.action)
            )
