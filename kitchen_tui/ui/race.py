"""The race: one order stream served by two kitchens at once, each in its own process.

Both kitchens get the same orders with the same arrival instant; the screen shows each one
compactly (header, lanes, served, stats) and a line per dish comparing their measured p50s.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer

from kitchen_tui.protocol.orders import Order
from kitchen_tui.protocol.settings import KitchenSettings
from kitchen_tui.talk.scenario import Scenario
from kitchen_tui.ui.board import Board
from kitchen_tui.ui.commands import SendOrders, order_of, rush
from kitchen_tui.ui.dishes import OrderNumbers
from kitchen_tui.ui.frame import Frame
from kitchen_tui.ui.keys import ORDER_KEYS, QUIT_TOO
from kitchen_tui.ui.link import KitchenLink
from kitchen_tui.ui.live_session import LiveSession
from kitchen_tui.ui.palette import StylePalette
from kitchen_tui.ui.scene import Scene
from kitchen_tui.ui.startup import QuickStartApp, register_themes
from kitchen_tui.ui.themes import VARIABLE_DEFAULTS
from kitchen_tui.ui.widgets.died_banner import DiedBanner
from kitchen_tui.ui.widgets.kitchen_header import KitchenHeader
from kitchen_tui.ui.widgets.kitchen_view import KitchenView
from kitchen_tui.ui.widgets.line_cook import LineCook
from kitchen_tui.ui.widgets.race_diff import RaceDiff
from kitchen_tui.ui.widgets.served_strip import ServedStrip
from kitchen_tui.ui.widgets.stats_panel import StatsPanel
from kitchen_tui.ui.widgets.ticket_lane import TicketLane
from kitchen_tui.ui.write_failure import stop_on_write_failure

FRAME_S = 1 / 30
LEAD_S = 0.5  # both kitchens get the orders this long before they arrive: a fair start


class Racer:
    """One of the two kitchens: its session, and the frame that draws it."""

    def __init__(
        self, name: str, session: LiveSession, frame: Frame, views: list[KitchenView]
    ) -> None:
        self.name = name
        self.session = session
        self.frame = frame
        self.scene = frame.scene
        self.views = views

    @classmethod
    def build(
        cls,
        name: str,
        settings: KitchenSettings,
        kitchen: KitchenLink | None,
        now: float,
        *,
        ascii: bool,
        backend: str,
        trace: Path | None,
    ) -> Racer:
        scene = Scene(Board(), now, ascii=ascii)
        header = KitchenHeader(scene)
        views: list[KitchenView] = [
            header,
            TicketLane(scene, "front_desk"),
            LineCook(scene),
            TicketLane(scene, "rail"),
            ServedStrip(scene),
            StatsPanel(scene),
        ]
        frame = Frame(scene, header, views, DiedBanner(classes="racer-died"))
        session = LiveSession(frame, settings, backend=backend, trace=trace, kitchen=kitchen)
        return cls(name, session, frame, views)

    @property
    def ready(self) -> bool:
        """The kitchen said hello: orders sent now arrive when they are meant to."""
        return bool(self.scene.board.settings)


class RaceApp(QuickStartApp):
    """Two kitchens, the same orders, and the difference."""

    TITLE = "Kitchen TUI: race"
    CSS_PATH = "race.tcss"  # the layout; each widget declares its own style sheet
    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(k.key, k.action, k.footer or k.title, show=bool(k.footer)) for k in ORDER_KEYS),
        Binding("x", "again", "Again"),
        Binding("t", "next_theme", "Theme", show=False),
        Binding("q", "quit", "Quit"),
        Binding(QUIT_TOO, "quit", "Quit", show=False, priority=True),
    ]

    def __init__(
        self,
        scenario: Scenario,
        modes: tuple[str, str],
        backend: str = "asyncio",
        theme: str = "dark",
        ascii: bool = False,
        kitchens: Sequence[KitchenLink] | None = None,
        clock: Callable[[], float] = time.perf_counter,
        paused: bool = False,
        traces: Sequence[Path | None] = (None, None),
        sides: tuple[KitchenSettings, KitchenSettings] | None = None,
    ) -> None:
        """`sides`, when given, are each kitchen's whole settings (mode and remedies)."""
        super().__init__()
        self.scenario = scenario
        self.modes = modes
        self._clock = clock
        self._paused = paused
        self._numbers = OrderNumbers()
        # Orders wait until both kitchens are up (or both confirmed a reset): a fair start.
        self._held: list[tuple[list[Order], str]] = []
        self._resetting: set[int] = set()
        self._themes = register_themes(self, theme)
        if sides is None:
            sides = (
                replace(scenario.settings, mode=modes[0]),  # type: ignore[arg-type]
                replace(scenario.settings, mode=modes[1]),  # type: ignore[arg-type]
            )
        links = list(kitchens) if kitchens is not None else [None, None]
        names = racer_names(sides)
        self.racers = [
            Racer.build(name, side, link, clock(), ascii=ascii, backend=backend, trace=trace)
            for name, side, link, trace in zip(names, sides, links, traces, strict=True)
        ]
        self._palette = StylePalette(self)
        for racer in self.racers:
            for view in racer.views:
                view.palette = self._palette
        self.diff = RaceDiff((names[0], names[1]), scenario.title, id="race-diff")
        self._ascii = ascii

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(VARIABLE_DEFAULTS)

    def compose(self) -> ComposeResult:
        with Horizontal(id="race"):
            for index, racer in enumerate(self.racers):
                header, front, cook, rail, served, stats = racer.views
                with Vertical(classes="racer", id=f"racer-{index}"):
                    yield header
                    yield racer.frame.banner
                    with Horizontal(classes="race-lanes"):
                        yield from (front, cook, rail)
                    yield served
                    yield stats
        yield self.diff
        yield Footer()

    def on_mount(self) -> None:
        self.set_class(self._ascii, "-ascii")
        if not self._paused:
            self.set_interval(FRAME_S, self.step_frame, name="frame")
        self.call_after_refresh(self._start)

    def on_unmount(self) -> None:
        self._stop()

    def _start(self) -> None:
        for racer in self.racers:
            racer.session.open()
            if self.scenario.dishes:
                racer.session.define_dishes(self.scenario.dishes.values())
        self._held.append((list(self.scenario.orders), "> scenario"))

    def _stop(self) -> None:
        for racer in self.racers:
            racer.session.close()

    def step_frame(self) -> None:
        now = self._clock()
        for racer in self.racers:
            racer.frame.step(stop_on_write_failure(self, racer.session.drain()), now)
        if self._held and not self._resetting and all(r.ready for r in self.racers):
            held, self._held = self._held, []
            for orders, words in held:
                self._send(orders, words)
        left, right = self.racers
        self.diff.tick(left.scene.board.ledger, right.scene.board.ledger)

    # -- the same orders to both ---------------------------------------------------------------

    def _send(self, orders: list[Order], echo: str) -> None:
        if not orders:
            return
        t0 = self._clock() + LEAD_S  # one arrival instant, in both kitchens
        for racer in self.racers:
            racer.session.order(orders, t0=t0)
            racer.scene.last_command = echo
            racer.frame.header.tick()

    def action_order(self, dish: str) -> None:
        self._send_or_hold(order_of(dish, self._numbers))

    def action_rush(self) -> None:
        self._send_or_hold(rush(self._numbers))

    def _send_or_hold(self, command: SendOrders) -> None:
        orders, echo = list(command.orders), f"{command.echo} to both kitchens"
        if self._held or self._resetting:
            self._held.append((orders, echo))
        else:
            self._send(orders, echo)

    def action_again(self) -> None:
        """Reset both kitchens (a dead one is replaced), and once each confirms, send the
        scenario again."""
        for index, racer in enumerate(self.racers):
            self._resetting.add(index)
            racer.session.reset_then(partial(self._resetting.discard, index))
        self._held.append((list(self.scenario.orders), "> again"))

    def action_next_theme(self) -> None:
        names = self._themes
        following = names[(names.index(self.theme) + 1) % len(names)]
        self.theme = following

    async def action_quit(self) -> None:
        self._stop()
        self.exit()


def racer_names(sides: tuple[KitchenSettings, KitchenSettings]) -> list[str]:
    """Each kitchen's name on screen: its mode, any remedy and its workers past one (`async`,
    `async to_thread`, `sync x4`); two of the same become `async A` and `async B`."""
    names = [
        " ".join(
            [
                side.mode,
                *(fix for fix in (side.fix_blocking, side.fix_cpu) if fix != "inline"),
                *([f"x{side.workers}"] if side.workers > 1 else []),
            ]
        )
        for side in sides
    ]
    if names[0] == names[1]:
        return [f"{names[0]} A", f"{names[1]} B"]
    return names
