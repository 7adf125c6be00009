"""Named moments of real kitchens, for snapshot tests and the README screenshots.

Each state replays a recorded trace (tests/ui/fixtures) into the app in paused mode with a fixed
clock, stopped at one instant: the same picture on every run, drawn from real events.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from textual.pilot import Pilot

from kitchen_tui.protocol.events import Event
from kitchen_tui.protocol.settings import KitchenSettings
from kitchen_tui.ui.app import KitchenApp
from tests.ui.fakes import FakeClock, FakeKitchen, fixture_trace

RunBefore = Callable[[Pilot[None]], Awaitable[None]]


@dataclass(frozen=True)
class State:
    """A trace, the moment to stop at (an event, plus seconds), and how to show it."""

    trace: str
    event: tuple[str, str | None]  # (type, ticket id or None): the first such event
    after: float
    size: tuple[int, int] = (120, 36)
    theme: str = "dark"
    ascii: bool = False
    keys: tuple[str, ...] = ()
    die: bool = False
    notes: str = field(default="", compare=False)


STATES: dict[str, State] = {
    "empty": State("empty", ("hello", None), 0.5, notes="a kitchen with no orders yet"),
    "sync-stall": State(
        "sync-stall",
        ("step_started", "S1"),
        1.3,
        notes="sync: the LLM wait holds the only cook; the queue grows",
    ),
    "async-rail": State(
        "async-rail",
        ("arrived", "R1"),
        1.0,
        notes="async: ten chats await the LLM on the rail; quick orders flow",
    ),
    "async-stall": State(
        "async-stall",
        ("step_started", "B1"),
        0.7,
        notes="async: a blocking call holds the loop; everything stops",
    ),
    "async-stall-after": State(
        "async-stall", ("stall", "B1"), 0.5, notes="after the stall: its victims, counted"
    ),
    "prep-shelf": State(
        "prep-shelf",
        ("shelf_in", "C2"),
        1.2,
        notes="PDF jobs on the prep shelf; small orders stay fast",
    ),
    "threads": State("threads", ("arrived", "S1"), 1.0, notes="threads: four cooks, all busy"),
    "walk-outs": State(
        "walk-outs",
        ("walked_out", "S3"),
        0.6,
        notes="sync, customers who wait 1.5 s: they walk out; the cook cooks on for nobody",
    ),
    "help": State("empty", ("hello", None), 0.5, keys=("question_mark",), notes="the help page"),
    "theme-dark": State("async-stall", ("step_started", "B1"), 0.7, theme="dark"),
    "theme-light": State("async-stall", ("step_started", "B1"), 0.7, theme="light"),
    "theme-projector": State("async-stall", ("step_started", "B1"), 0.7, theme="projector"),
    "small-80x24": State("sync-stall", ("step_started", "S1"), 1.3, size=(80, 24)),
    "ascii": State("sync-stall", ("step_started", "S1"), 1.3, size=(80, 24), ascii=True),
    "too-small": State("empty", ("hello", None), 0.5, size=(60, 20)),
    "died": State("empty", ("hello", None), 0.5, die=True),
}


def moment(trace: list[Event], kind: str, ticket: str | None) -> float:
    for event in trace:
        if event["type"] == kind and (ticket is None or event.get("id") == ticket):
            return float(event["t"])
    raise LookupError(f"no {kind} event for {ticket} in the trace")


def build(name: str, screenshot_dir: Path = Path("screenshots")) -> tuple[KitchenApp, RunBefore]:
    """The app stopped at the state's moment, and the steps that bring it there."""
    state = STATES[name]
    trace = fixture_trace(state.trace)
    clock = FakeClock(moment(trace, *state.event) + state.after)
    kitchen = FakeKitchen(clock, trace=trace, answer=False)
    app = KitchenApp(
        KitchenSettings(),
        theme=state.theme,
        ascii=state.ascii,
        screenshot_dir=screenshot_dir,
        kitchen=kitchen,
        clock=clock,
        paused=True,
    )

    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.pause()
        if state.die:
            kitchen.die()
        app.step_frame()
        await pilot.pause()
        if state.keys:
            await pilot.press(*state.keys)
        await pilot.pause()

    return app, run_before
