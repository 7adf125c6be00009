"""Every key, driven through Pilot: what it sends to the kitchen and what it changes on screen."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.pilot import Pilot
from textual.widgets import Static

from kitchen_tui.protocol.orders import Order
from kitchen_tui.protocol.settings import KitchenSettings
from kitchen_tui.talk.catalog import BUILTIN_SCENARIOS
from kitchen_tui.talk.scenario import load_scenario, parse_scenario
from kitchen_tui.ui.app import KitchenApp
from kitchen_tui.ui.help_screen import HelpScreen
from kitchen_tui.ui.keys import ALL_KEYS, TALK_ONLY
from kitchen_tui.ui.widgets.died_banner import DiedBanner
from kitchen_tui.ui.widgets.kitchen_view import KitchenView
from kitchen_tui.ui.widgets.too_small import TooSmall
from tests.ui.fakes import FakeClock, FakeKitchen

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # Textual runs on asyncio


@dataclass
class Rig:
    app: KitchenApp
    pilot: Pilot[None]
    kitchen: FakeKitchen
    clock: FakeClock

    async def frame(self, seconds: float = 0.1) -> None:
        """Let `seconds` pass on the kitchen's clock, then draw one frame."""
        self.clock.advance(seconds)
        self.app.step_frame()
        await self.pilot.pause()

    def text(self, widget_id: str) -> str:
        view = self.app.query_one(f"#{widget_id}", KitchenView)
        return "\n".join(view.render_line(y).text for y in range(view.size.height))


@contextlib.asynccontextmanager
async def running(tmp_path: Path, size: tuple[int, int] = (120, 36)) -> AsyncIterator[Rig]:
    clock = FakeClock()
    kitchen = FakeKitchen(clock)
    app = KitchenApp(
        KitchenSettings(), kitchen=kitchen, clock=clock, paused=True, screenshot_dir=tmp_path
    )
    async with app.run_test(size=size) as pilot:
        rig = Rig(app, pilot, kitchen, clock)
        await pilot.pause()
        await rig.frame()
        yield rig


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    async with running(tmp_path) as rig:
        yield rig


ORDER_KEYS = [
    ("s", "llm", "S1"),
    ("f", "redis", "F1"),
    ("d", "postgres", "D1"),
    ("a", "chat", "A1"),
    ("c", "pdf", "C1"),
    ("b", "sneaky", "B1"),
]


@pytest.mark.parametrize(("key", "dish", "ticket"), ORDER_KEYS)
async def test_order_keys_send_an_order_that_shows_at_the_front_desk(
    rig: Rig, key: str, dish: str, ticket: str
) -> None:
    await rig.pilot.press(key)
    assert rig.kitchen.sent("order") == [[Order(ticket, dish)]]
    await rig.frame()
    assert ticket in rig.text("front-desk")
    assert ticket in rig.text("kitchen-header")


async def test_a_narrow_header_makes_room_for_the_keys_echo(tmp_path: Path) -> None:
    """At 100 columns (a recording's usual size) the echo of the key just pressed is whole:
    the backend and then the cooks give way; the mode, the prep shelf and the speed stay."""
    async with running(tmp_path, size=(100, 30)) as rig:
        assert "backend asyncio" in rig.text("kitchen-header")
        rig.kitchen.answer = False  # a pending change makes the fields longer
        await rig.pilot.press("m", "r")
        await rig.frame()
        header = rig.text("kitchen-header")
        assert header.rstrip().endswith("> R1..R10 rush of chat messages")
        for field in ("mode async -> sync", "prep shelf off", "speed 1x"):
            assert field in header
        assert "backend" not in header


async def test_ids_count_up_per_dish(rig: Rig) -> None:
    await rig.pilot.press("f", "f", "s", "f")
    ids = [orders[0].id for orders in rig.kitchen.sent("order")]
    assert ids == ["F1", "F2", "S1", "F3"]


async def test_rush_sends_ten_messages_at_once(rig: Rig) -> None:
    await rig.pilot.press("r")
    (orders,) = rig.kitchen.sent("order")
    assert [o.id for o in orders] == [f"R{i}" for i in range(1, 11)]
    assert {o.dish for o in orders} == {"message"}
    await rig.frame()
    assert len(rig.app.scene.board.front_desk) == 10
    assert "10 waiting" in str(rig.app.query_one("#front-desk").border_subtitle)


async def test_m_cycles_sync_threads_async(rig: Rig) -> None:
    modes = []
    for _ in range(3):
        await rig.pilot.press("m")
        await rig.frame()
        modes.append(rig.app.scene.board.mode)
    assert [c["mode"] for c in rig.kitchen.sent("settings")] == ["sync", "threads", "async"]
    assert modes == ["sync", "threads", "async"]


async def test_the_line_cook_lane_follows_the_mode(rig: Rig) -> None:
    # The lane is drawn once before the kitchen's hello: it must not keep that first picture.
    assert "loop free" in rig.text("line-cook")
    await rig.pilot.press("m")
    await rig.frame()
    assert "cook idle" in rig.text("line-cook")
    await rig.pilot.press("m")
    await rig.frame()
    assert "0 of 40 cooks busy" in rig.text("line-cook")


async def test_m_shows_the_asked_mode_before_the_kitchen_confirms(rig: Rig) -> None:
    rig.kitchen.answer = False
    await rig.pilot.press("m")
    assert "async -> sync" in rig.text("kitchen-header")
    await rig.pilot.press("m", "m")  # round to async again: nothing would change
    assert "mode async  prep shelf off" in rig.text("kitchen-header")  # not "async -> async"


async def test_p_toggles_the_prep_shelf(rig: Rig) -> None:
    await rig.pilot.press("p")
    await rig.frame()
    await rig.pilot.press("p")
    await rig.frame()
    assert rig.kitchen.sent("settings") == [{"prep_shelf": True}, {"prep_shelf": False}]
    await rig.pilot.press("p")
    await rig.frame()
    assert str(rig.app.query_one("#prep-shelf").border_subtitle).startswith("on")


async def test_plus_and_minus_step_the_speed_within_limits(rig: Rig) -> None:
    for _ in range(8):
        await rig.pilot.press("plus")
        await rig.frame()
    assert [c["speed"] for c in rig.kitchen.sent("settings")][-1] == 10.0
    assert "10x" in rig.text("kitchen-header")
    for _ in range(10):
        await rig.pilot.press("minus")
        await rig.frame()
    speeds = [c["speed"] for c in rig.kitchen.sent("settings")]
    assert speeds[-1] == 0.1
    assert all(0.1 <= s <= 10 for s in speeds)


@pytest.mark.parametrize("number", [1, 2, 3, 4, 5])
async def test_number_keys_play_a_builtin_scenario_after_a_reset(rig: Rig, number: int) -> None:
    """As the user has set the kitchen: three tables in async, or the PDF with the shelf open,
    can be played from the keyboard (the keys once set the scenario's own mode and shelf)."""
    scenario = load_scenario(BUILTIN_SCENARIOS[number - 1])
    await rig.pilot.press("m", "p", "plus")  # sync, the shelf open, 2x
    await rig.frame()
    chosen = dict(rig.kitchen.settings.to_json())
    settings_sent = len(rig.kitchen.sent("settings"))
    rig.kitchen.commands.clear()
    await rig.pilot.press(str(number))
    # The reset goes first; orders wait for the kitchen to confirm it.
    assert rig.kitchen.commands[0] == ("reset", None)
    assert rig.kitchen.sent("order") == []
    await rig.frame()
    (orders,) = rig.kitchen.sent("order")
    assert tuple(orders) == scenario.orders
    assert rig.kitchen.sent("settings") == [], "a scenario key changed the user's settings"
    assert settings_sent == 3 and rig.kitchen.settings.to_json() == chosen
    assert (chosen["mode"], chosen["prep_shelf"], chosen["speed"]) == ("sync", True, 2.0)
    await rig.frame(0.0)
    assert scenario.name in rig.text("kitchen-header")


async def test_x_resets_a_live_kitchen_and_clears_the_board(rig: Rig) -> None:
    await rig.pilot.press("f", "s")
    await rig.frame()
    assert rig.app.scene.board.in_flight == 2
    await rig.pilot.press("x")
    assert rig.kitchen.sent("reset") == [None]
    await rig.frame()
    assert rig.app.scene.board.in_flight == 0
    assert "nobody waiting" in rig.text("front-desk")


async def test_a_dead_kitchen_shows_a_banner_and_x_restarts_it(rig: Rig) -> None:
    rig.kitchen.die()
    await rig.frame()
    banner = rig.app.query_one(DiedBanner)
    assert banner.display
    said = str(banner.render())
    assert "signal 9" in said
    # Said once: it read "The kitchen process stopped: the kitchen process killed by signal 9".
    assert said.lower().count("kitchen process") == 1, said
    await rig.pilot.press("x")
    await rig.frame()
    assert rig.kitchen.started == 2
    assert rig.kitchen.stopped >= 1
    assert not banner.display


async def test_a_dead_worker_shows_a_banner_and_x_restarts_it_not_the_kitchen(rig: Rig) -> None:
    message = "worker 2 (pid 4343) was killed by signal 9"
    died = {"type": "worker_died", "seq": 5, "t": 1.0, "worker": 2, "pid": 4343, "code": -9}
    rig.kitchen.push([{**died, "message": message, "failed": 3}])
    await rig.frame()
    banner = rig.app.query_one(DiedBanner)
    said = str(banner.render())
    assert banner.display and message in said.lower() and "3 tickets failed" in said
    assert "serves on with the other workers" in said
    # The roll call found one more it had taken as it died: the banner counts it in.
    lost = {**died, "type": "worker_lost", "seq": 6, "message": message, "failed": 4, "lost": 1}
    rig.kitchen.push([lost])
    await rig.frame()
    said = " ".join(str(banner.render()).split())
    assert "4 tickets failed (1 taken off the front desk as it died)" in said, said
    await rig.pilot.press("x")
    assert rig.kitchen.sent("restart_worker") == [2]
    assert rig.kitchen.sent("reset") == [] and rig.kitchen.started == 1
    rig.kitchen.push([{"type": "worker_up", "seq": 7, "t": 2.0, "worker": 2, "pid": 4444}])
    await rig.frame()
    assert not banner.display
    # A roll call's count that comes after the worker is back shows no banner again.
    rig.kitchen.push([{**lost, "seq": 8, "failed": 5, "lost": 2}])
    await rig.frame()
    assert not banner.display


async def test_t_cycles_the_themes(rig: Rig) -> None:
    seen = [rig.app.theme]
    for _ in range(3):
        await rig.pilot.press("t")
        seen.append(rig.app.theme)
    assert seen == ["dark", "light", "projector", "dark"]
    assert rig.app.has_class("-theme-dark")


async def test_space_freezes_the_picture_and_unfreezing_shows_the_truth(rig: Rig) -> None:
    await rig.pilot.press("space")
    await rig.pilot.press("f")
    await rig.frame()
    assert "F1" not in rig.text("front-desk")  # frozen: the kitchen runs, the picture holds
    assert "FROZEN" in rig.text("kitchen-header")
    assert "1 event held" in rig.text("kitchen-header")
    await rig.pilot.press("f")
    await rig.frame()
    assert "2 events held" in rig.text("kitchen-header")
    await rig.pilot.press("space")
    await rig.pilot.pause()
    assert "F1" in rig.text("front-desk") and "F2" in rig.text("front-desk")
    assert "FROZEN" not in rig.text("kitchen-header")


async def test_ctrl_s_saves_an_svg_and_says_where(rig: Rig, tmp_path: Path) -> None:
    await rig.pilot.press("ctrl+s")
    await rig.pilot.pause()
    (svg,) = tmp_path.glob("*.svg")
    assert svg.read_text().startswith("<svg")
    assert any(str(svg) in n.message for n in rig.app._notifications)


async def test_ctrl_s_on_a_full_disk_says_so_leaves_no_half_svg_and_the_app_goes_on(
    rig: Rig, tmp_path: Path
) -> None:
    """A screenshot the user asked for is no output of the run: a notice, not the end of it.
    A file-size limit makes the write fail as a full disk would (EFBIG for ENOSPC)."""
    import resource

    limit = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1000, limit[1]))
    try:
        await rig.pilot.press("ctrl+s")
        await rig.pilot.pause()
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limit)
    assert not list(tmp_path.glob("*.svg")), "a cut SVG was left behind"
    said = [n.message for n in rig.app._notifications]
    assert any("Could not save the screenshot" in m and "File too large" in m for m in said)
    assert rig.app.is_running and rig.app.return_code is None


async def test_ctrl_s_with_png_saves_a_png_beside_the_svg(tmp_path: Path) -> None:
    pytest.importorskip("resvg_py", reason="PNG stills need the png extra (the smoke runs lack it)")
    clock = FakeClock()
    app = KitchenApp(
        KitchenSettings(),
        kitchen=FakeKitchen(clock),
        clock=clock,
        paused=True,
        screenshot_dir=tmp_path,
        still_formats=("png",),
    )
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("ctrl+s")
        await pilot.pause()
        for _ in range(300):  # drawn off the UI thread: about 0.3 s, far longer when loaded
            if any(tmp_path.glob("*.png")) and not any(tmp_path.glob("*.svg")):
                break
            await pilot.pause(0.1)
        (png,) = tmp_path.glob("*.png")
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert not any(tmp_path.glob("*.svg")), "png only: the svg it was drawn from is gone"
        assert any(str(png) in n.message for n in app._notifications)


def test_ctrl_s_by_default_never_writes_into_the_clones_own_screenshots() -> None:
    """Run from a clone, ctrl+s wrote into screenshots/, the README's pictures."""
    from kitchen_tui.cli import build_screen
    from kitchen_tui.cli.options import build_parser

    app = build_screen(build_parser().parse_args([]))
    assert isinstance(app, KitchenApp)
    assert app._screenshot_dir.name != "screenshots"
    assert app._screenshot_dir.name == "kitchen-screenshots"


async def test_question_mark_opens_and_closes_help(rig: Rig) -> None:
    await rig.pilot.press("question_mark")
    assert isinstance(rig.app.screen, HelpScreen)
    await rig.pilot.press("escape")
    assert not isinstance(rig.app.screen, HelpScreen)


async def test_the_help_page_fits_120x36_whole_and_explains_the_alarm_levels(rig: Rig) -> None:
    await rig.pilot.press("question_mark")
    await rig.pilot.pause()
    body = rig.app.screen.query_one("#help-body")
    assert body.max_scroll_y == 0, "the help page is cut off: it needs scrolling at 120x36"
    assert "more below" not in str(body.border_subtitle)
    shown = rig.app.screen.query_one("#help-legend", Static)
    legend = " ".join(shown.render_line(y).text for y in range(shown.size.height))
    for caption in ("> 50 ms", "> 250 ms", "> 1 s"):
        assert f"{caption} a stall" in " ".join(legend.split()), legend


async def test_with_a_patience_and_a_deadline_every_help_line_can_be_reached(
    tmp_path: Path,
) -> None:
    """The giving-up letters make the page taller than 120x36: it says so, and the keys
    scroll it down to its last line."""
    clock = FakeClock()
    settings = KitchenSettings(patience=5.0, deadline=3.0)
    app = KitchenApp(settings, kitchen=FakeKitchen(clock, settings=settings), clock=clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        body = app.screen.query_one("#help-body")
        assert body.max_scroll_y > 0
        assert "more below" in str(body.border_subtitle)
        await pilot.press("down")
        await pilot.pause()
        assert body.scroll_y > 0
        await pilot.press("end")
        await pilot.pause()
        assert body.scroll_y == body.max_scroll_y
        shown = app.screen.query_one("#help-legend", Static)
        last = shown.render_line(shown.size.height - 1).text
        assert "cannot be stopped" in last, last  # the legend's last line, on screen
        assert shown.region.bottom <= body.region.bottom - 1, (shown.region, body.region)


@pytest.mark.parametrize("quit_key", ["q", "ctrl+c"])
async def test_q_or_ctrl_c_stops_the_kitchen_and_quits(rig: Rig, quit_key: str) -> None:
    await rig.pilot.press("s")
    await rig.pilot.press(quit_key)
    await rig.pilot.pause()
    assert rig.kitchen.stopped >= 1
    assert not rig.kitchen.alive
    assert rig.app.return_code == 0


def test_every_key_is_bound_and_in_the_command_palette() -> None:
    app = KitchenApp(KitchenSettings(), kitchen=FakeKitchen(FakeClock()), paused=True)
    bound = {binding.key for binding in Binding.make_bindings(app.BINDINGS)}
    assert {key.key for key in ALL_KEYS} <= bound
    assert {"s", "f", "d", "a", "c", "b", "r", "m", "p", "plus", "minus", "x", "t"} <= bound
    assert {"space", "ctrl+s", "question_mark", "q", "1", "2", "3", "4", "5"} <= bound


async def test_palette_commands_run_the_same_actions(rig: Rig) -> None:
    listed = list(rig.app.get_system_commands(rig.app.screen))
    commands = {c.title: c for c in listed}
    for key in ALL_KEYS:
        if key not in TALK_ONLY:
            assert f"{key.title} ({key.shown})" in commands
    # Each thing once: Textual's own Theme (twenty themes the kitchen ignores), Quit and
    # Screenshot are not listed beside ours; a talk's scene and caption keys only in a talk.
    assert not {"Theme", "Quit", "Screenshot"} & set(commands)
    words = [c.title.split(" (")[0].lower() for c in listed]
    assert len(words) == len(set(words)), words
    assert not {f"{key.title} ({key.shown})" for key in TALK_ONLY} & set(commands)
    await commands["Fast Redis order (f)"].callback()
    assert rig.kitchen.sent("order") == [[Order("F1", "redis")]]


async def test_talk_keys_in_the_live_app_say_there_is_no_talk(rig: Rig) -> None:
    for key, says in (("C", "no talk, no captions"), ("n", "no talk to step through")):
        await rig.pilot.press(key)
        await rig.frame(0.0)
        assert says in rig.text("kitchen-header"), rig.text("kitchen-header")


async def test_a_small_terminal_asks_to_be_bigger() -> None:
    clock = FakeClock()
    kitchen = FakeKitchen(clock)
    app = KitchenApp(KitchenSettings(), kitchen=kitchen, clock=clock, paused=True)
    async with app.run_test(size=(70, 20)) as pilot:
        await pilot.pause()
        too_small = app.query_one(TooSmall)
        assert too_small.display and too_small.styles.display == "block"
        assert "Make me bigger" in str(too_small.render())
        assert "70x20" in str(too_small.render())
        assert app.query_one("#kitchen").styles.display == "none"
        # The kitchen is hidden: its keys must not act on it unseen (they did).
        await pilot.press("s", "f", "m", "p", "x", "1", "plus")
        await pilot.pause()
        assert kitchen.sent("order") == [] and kitchen.sent("reset") == []
        assert [
            c for c in kitchen.sent("settings") if set(c) & {"mode", "prep_shelf", "speed"}
        ] == []
        await pilot.press("q")
        await pilot.pause()
        assert not kitchen.alive


LOOKUP = """
title = "Own dish"
mode = "async"
[[orders]]
id = "L1"
dish = "lookup"
[dishes.lookup]
label = "Redis lookup"
steps = [{ kind = "wait", seconds = 0.05, label = "GET session" }]
"""


async def test_a_restarted_kitchen_is_given_the_scenarios_own_dishes_again() -> None:
    scenario = parse_scenario(LOOKUP, "own-dish.toml")
    clock = FakeClock()
    kitchen = FakeKitchen(clock)
    app = KitchenApp(
        scenario.settings, scenario=scenario, kitchen=kitchen, clock=clock, paused=True
    )
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        app.step_frame()
        assert [d.name for d in kitchen.sent("dishes")[0]] == ["lookup"]
        kitchen.die()
        clock.advance(0.1)
        app.step_frame()
        before = len(kitchen.commands)
        await pilot.press("x")  # the dead kitchen is replaced by a new process
        assert kitchen.started == 2
        resent = [payload for name, payload in kitchen.commands[before:] if name == "dishes"]
        assert [[d.name for d in dishes] for dishes in resent] == [["lookup"]]
        kitchen.die()  # and once more, through a scenario key's reset
        clock.advance(0.1)
        app.step_frame()
        before = len(kitchen.commands)
        await pilot.press("1")
        assert kitchen.started == 3
        assert ("dishes", resent[0]) in kitchen.commands[before:]


def test_a_long_echo_gives_way_word_by_word_never_mid_word() -> None:
    from kitchen_tui.ui.widgets.kitchen_header import shortened

    echo = "> hidden-blocker: A blocking call hidden in async code"
    assert shortened(echo, 60) == echo
    assert shortened(echo, 20) == "> hidden-blocker"  # it was '> hidden-blocker: .'
    assert shortened("> Three tables, one slow order", 15) == "> Three."
    assert shortened("> Three tables, one slow order", 17) == "> Three tables."


async def test_the_key_overlay_covers_no_lane_and_not_the_timeline(rig: Rig) -> None:
    await rig.pilot.press("k", "s", "f")
    await rig.frame()
    await rig.pilot.pause()
    overlay = rig.app.query_one("#key-overlay").region
    assert overlay.area > 0
    for lane in ("front-desk", "line-cook", "rail", "prep-shelf", "timeline"):
        region = rig.app.query_one(f"#{lane}").region
        assert not overlay.overlaps(region), (lane, overlay, region)
