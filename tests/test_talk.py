"""Talk mode in the app, headless: a scene file played on a fake clock and a fake kitchen."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from kitchen_tui.protocol.settings import KitchenSettings
from kitchen_tui.recording.channel import CastChannel
from kitchen_tui.talk.player import ScenePlayer
from kitchen_tui.talk.scene_file import load_scene_file, parse_scene_file
from kitchen_tui.talk.script import SceneFile
from kitchen_tui.ui.app import KitchenApp
from kitchen_tui.ui.director import TalkDirector
from kitchen_tui.ui.widgets.key_overlay import KeyOverlay
from tests.ui.fakes import FakeClock, FakeKitchen

TALK = Path(__file__).parent / "ui" / "fixtures" / "short-talk.toml"
SIZE = (100, 30)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Channel(CastChannel):
    """Records what the app tells the recording."""

    def __init__(self) -> None:
        super().__init__(None)
        self.notes: list[tuple[str, str]] = []

    def marker(self, label: str) -> None:
        self.notes.append(("m", label))

    def key(self, key: str) -> None:
        self.notes.append(("i", key))


def talk_app(
    hold: bool = False, stills: Path | None = None, talk: SceneFile | None = None
) -> tuple[KitchenApp, FakeClock, FakeKitchen, Channel]:
    talk = talk or load_scene_file(str(TALK))
    clock = FakeClock()
    kitchen = FakeKitchen(clock, settings=talk.scenario.settings)
    channel = Channel()
    app = KitchenApp(
        talk.scenario.settings,
        kitchen=kitchen,
        clock=clock,
        paused=True,
        talk=talk,
        hold_at_markers=hold,
        stills_dir=stills,
        cast=channel,
    )
    return app, clock, kitchen, channel


def player(app: KitchenApp) -> ScenePlayer:
    assert isinstance(app.director, TalkDirector) and app.director.player is not None
    return app.director.player


async def frames(pilot: Pilot[None], app: KitchenApp, clock: FakeClock, seconds: float) -> None:
    """Step the app's frames by hand through `seconds` of the fake clock."""
    for _ in range(round(seconds / 0.05)):
        clock.advance(0.05)
        app.step_frame()
    await pilot.pause()


@pytest.mark.anyio
async def test_a_talk_sends_its_orders_through_the_keys_path_and_marks_the_cast() -> None:
    app, clock, kitchen, channel = talk_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await frames(pilot, app, clock, 0.5)
        assert [o.id for batch in kitchen.sent("order") for o in batch] == ["F", "D"]
        assert "One cook, two orders" in str(app.query_one("#caption").render())
        await frames(pilot, app, clock, 1.0)
        sent = [o.id for batch in kitchen.sent("order") for o in batch]
        assert sent == ["F", "D", "F", "D"]
        assert ("reset", None) in kitchen.commands
        assert {"mode": "async"} in kitchen.sent("settings")
        assert channel.notes[0] == ("m", "Sync: one cook")
        assert ("m", "Async: the same orders") in channel.notes
        assert [k for code, k in channel.notes if code == "i"] == ["f", "d", "x", "m", "f", "d"]
        assert player(app).finished
        assert "SCENE 2/2" in str(app.query_one("#scene-bar").render())


@pytest.mark.anyio
async def test_space_goes_on_at_a_held_marker_and_n_jumps_a_scene() -> None:
    app, clock, kitchen, _ = talk_app(hold=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await frames(pilot, app, clock, 0.5)
        assert player(app).waiting
        assert kitchen.sent("order") == []
        assert "space goes on" in str(app.query_one("#scene-bar").render())
        await pilot.press("space")
        await frames(pilot, app, clock, 0.5)
        assert len(kitchen.sent("order")) == 2
        assert not app.scene.frozen  # space went on; it did not freeze the picture
        await pilot.press("space")
        assert app.scene.frozen  # not waiting: space freezes, as in the live kitchen
        await pilot.press("space")
        await pilot.press("n")
        await frames(pilot, app, clock, 0.1)
        assert player(app).scene.number == 2
        resets = [c for c in kitchen.commands if c[0] == "reset"]
        assert resets


@pytest.mark.anyio
async def test_captions_and_the_key_overlay_toggle() -> None:
    app, clock, _, _ = talk_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await frames(pilot, app, clock, 0.3)
        caption = app.query_one("#caption")
        overlay = app.query_one("#key-overlay")
        assert isinstance(overlay, KeyOverlay)
        assert ("f", "F fast Redis order (script)") in overlay.pressed
        assert caption.display
        await pilot.press("C")
        assert not caption.display
        await pilot.press("k")
        assert overlay.display
        await pilot.press("s", "m")
        shown = "\n".join(f"{key}  {words}" for key, words in overlay.pressed)
        assert "slow LLM order" in shown and "mode -> " in shown
        assert "m  mode -> threads" in shown  # the talk started in sync


@pytest.mark.anyio
async def test_speed_keys_change_the_script_pace_and_x_restarts_the_scene() -> None:
    app, clock, kitchen, _ = talk_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await frames(pilot, app, clock, 0.3)
        await pilot.press("plus")
        assert player(app).speed == 2.0
        await pilot.press("x")
        await frames(pilot, app, clock, 0.2)
        assert player(app).scene.number == 1
        assert len([c for c in kitchen.commands if c[0] == "reset"]) == 1


@pytest.mark.anyio
async def test_a_still_shows_each_scene_at_its_end_with_its_caption(tmp_path: Path) -> None:
    """Scene 1's still is taken when scene 2 is due, before its reset: scene 1's orders served,
    its caption and its mode on screen (it was taken 0.6 s into the next scene, which showed
    the previous scene's stall under the next one's name). The last scene's, at the quit."""
    app, clock, kitchen, _ = talk_app(stills=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await frames(pilot, app, clock, 0.3)
        t = clock()
        for n, (order_id, dish) in enumerate((("F", "redis"), ("D", "postgres")), start=1):
            base = {"v": 1, "seq": 0, "story": 0.0, "id": order_id, "n": n, "dish": dish}
            split = {"front_desk": 0.0, "ready": 0.0, "cook": 0.0, "rail": 0.05, "shelf": 0.0}
            kitchen.push([{**base, "type": "served", "t": t, "latency_s": 0.1, "split": split}])
        await frames(pilot, app, clock, 1.2)
        await pilot.pause()
        await asyncio.sleep(0.05)
        first = tmp_path / "01-sync--one-cook.svg"
        assert first.exists()
        words = " ".join(re.sub(r"<[^>]+>", " ", first.read_text()).replace("&#160;", " ").split())
        assert "One cook, two orders" in words  # scene 1's caption
        assert "Now both wait" not in words  # not scene 2's
        assert "mode sync" in words
        assert "served 2" in words, "scene 1's orders, served, are in its still"
        await pilot.press("q")
    names = sorted(p.name for p in tmp_path.glob("*.svg"))
    assert names == ["01-sync--one-cook.svg", "02-async--the-same-orders.svg"]


def _at_marker(marker: int, keys: tuple[str, ...] = ()) -> Any:
    async def run_before(pilot: Pilot[None]) -> None:
        app = pilot.app
        assert isinstance(app, KitchenApp)
        clock = app.clock
        assert isinstance(clock, FakeClock)
        await pilot.pause()
        await frames(pilot, app, clock, 0.6 if marker == 1 else 1.6)
        if keys:
            await pilot.press(*keys)
            await pilot.pause()

    return run_before


@pytest.mark.parametrize("marker", [1, 2])
def test_each_marker_looks_right(snap_compare: Any, marker: int) -> None:
    app, _, _, _ = talk_app()
    assert snap_compare(app, terminal_size=SIZE, run_before=_at_marker(marker))


def test_the_key_overlay_looks_right(snap_compare: Any) -> None:
    app, _, _, _ = talk_app()
    run_before = _at_marker(1, keys=("k", "s", "m"))
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_settings_start_from_the_scene_file() -> None:
    talk = load_scene_file(str(TALK))
    assert talk.scenario.settings.mode == "sync"
    assert KitchenSettings().mode == "async"


SLOWER = """
title = "Slow motion"
mode = "async"
[[script]]
at = 0.0
marker = "Slow motion"
[[script]]
at = 0.1
action = "speed"
speed = 0.5
[[script]]
at = 0.2
action = "speed"
speed = 2.0
"""


@pytest.mark.anyio
async def test_a_scripted_slow_down_is_shown_and_recorded_as_the_slower_key() -> None:
    app, clock, kitchen, channel = talk_app(talk=parse_scene_file(SLOWER, "slower.toml"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await frames(pilot, app, clock, 0.5)
        assert [c["speed"] for c in kitchen.sent("settings") if "speed" in c][-2:] == [0.5, 2.0]
        assert [k for code, k in channel.notes if code == "i"] == ["-", "+"]
        overlay = app.query_one(KeyOverlay)
        assert list(overlay.pressed)[-2:] == [
            ("-", "speed 0.5x (script)"),
            ("+", "speed 2x (script)"),
        ]


@pytest.mark.anyio
async def test_a_long_echo_is_cut_short_in_the_key_overlay_never_the_key() -> None:
    app = talk_app()[0]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        overlay = app.query_one(KeyOverlay)
        await pilot.press("k")
        overlay.add("x", "a very long echo of what the key did, longer than the overlay is wide")
        await pilot.pause()
        lines = [overlay.render_line(y).text for y in range(overlay.size.height)]
        assert any(line.strip("│ ").startswith("x  a very long") for line in lines), lines


LONG_TITLE = """
title = "Long"
mode = "sync"
[[script]]
at = 0.0
marker = "Sync: more chats than one cook can answer, and more"
[[script]]
at = 0.5
caption = "words"
"""


@pytest.mark.anyio
async def test_at_80_columns_the_scene_bar_cuts_the_title_never_what_to_press() -> None:
    """`play giving-up` at 80x24 showed '-- waiting: space goes' (its last word cut off)."""
    talk = parse_scene_file(LONG_TITLE, "long.toml")
    app, clock, _, _ = talk_app(hold=True, talk=talk)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await frames(pilot, app, clock, 0.2)
        bar = str(app.query_one("#scene-bar").render())
        assert bar.endswith("-- waiting: space goes on"), bar
        assert bar.startswith("SCENE 1/1  Sync: more chats") and "…" in bar, bar
        assert len(bar) <= 78  # the bar's width, less its padding
