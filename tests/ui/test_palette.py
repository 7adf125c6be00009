"""The kitchen's colours come from the theme in use, and start-up sets that theme up front."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from textual.color import Color

from kitchen_tui.protocol.settings import KitchenSettings
from kitchen_tui.ui.app import KitchenApp
from kitchen_tui.ui.palette import LOOKS, StylePalette
from kitchen_tui.ui.startup import UI_GC_THRESHOLDS
from kitchen_tui.ui.themes import THEME_NAMES, resolve_theme
from kitchen_tui.ui.widgets.kitchen_view import KitchenView
from tests.ui.fakes import FakeClock, FakeKitchen

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def app_with(theme: str) -> KitchenApp:
    clock = FakeClock()
    return KitchenApp(
        KitchenSettings(), theme=theme, kitchen=FakeKitchen(clock), clock=clock, paused=True
    )


def palette_of(app: KitchenApp) -> StylePalette:
    palette = app.query_one("#front-desk", KitchenView).palette
    assert palette is not None
    return palette


def rgb(value: str) -> tuple[int, int, int]:
    return Color.parse(value).rgb


@pytest.mark.parametrize("theme", THEME_NAMES)
async def test_every_colour_is_the_theme_variable_its_role_names(theme: str) -> None:
    app = app_with(theme)
    async with app.run_test(size=(120, 36)):
        variables = app.theme_variables
        for role, (text, background, bold) in LOOKS.items():
            style = palette_of(app).part_style(role)
            assert style.color is not None and style.color.triplet is not None
            assert tuple(style.color.triplet) == rgb(variables[text]), role
            if background is None:
                assert style.bgcolor is None, role
            else:
                assert style.bgcolor is not None and style.bgcolor.triplet is not None
                assert tuple(style.bgcolor.triplet) == rgb(variables[background]), role
            assert style.bold is (True if bold else None), role


async def test_the_palette_follows_a_theme_change() -> None:
    app = app_with("dark")
    async with app.run_test(size=(120, 36)) as pilot:
        before = palette_of(app).part_style("ticket--queued")
        await pilot.press("t")  # to the light theme
        await pilot.pause()
        after = palette_of(app).part_style("ticket--queued")
    light = resolve_theme("light").variables["ticket-queued"]
    assert before != after
    assert after.color is not None and after.color.triplet is not None
    assert tuple(after.color.triplet) == rgb(light)


def test_the_chosen_theme_is_in_place_before_the_style_sheet_is_read() -> None:
    app = app_with("light")
    assert app.theme == "light"
    assert app.has_class("-theme-light") and app.has_class("-light-mode")
    assert not app.has_class("-dark-mode")
    background = resolve_theme("light").background
    assert background is not None
    assert rgb(app.theme_variables["background"]) == rgb(background)  # what the sheet reads


@pytest.fixture
def collection_restored() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)
    gc.enable()


def test_no_collection_before_the_first_frame_then_startup_objects_are_frozen(
    collection_restored: None,
) -> None:
    app = app_with("dark")
    seen: dict[str, object] = {}

    def on_mount() -> None:
        seen["enabled at mount"] = gc.isenabled()
        app.call_after_refresh(lambda: app.call_after_refresh(after_first_frame))

    def after_first_frame() -> None:
        seen["enabled after the first frame"] = gc.isenabled()
        seen["frozen"] = gc.get_freeze_count()
        seen["thresholds"] = gc.get_threshold()
        app.exit()

    gc.unfreeze()
    app.call_later(on_mount)
    app.run(headless=True, size=(120, 36))
    assert seen == {
        "enabled at mount": False,
        "enabled after the first frame": True,
        "frozen": seen["frozen"],
        "thresholds": UI_GC_THRESHOLDS,
    }
    assert isinstance(seen["frozen"], int) and seen["frozen"] > 0
    assert gc.isenabled()
