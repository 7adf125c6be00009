"""The caption's costs on screen, live, are the account's and, once the step is done, the
report's: a real kitchen's stream replayed into the app by its own clock."""

from __future__ import annotations

from pathlib import Path

import pytest

from kitchen_tui.protocol.orders import Order
from kitchen_tui.protocol.settings import KitchenSettings
from kitchen_tui.stream.headless import run_scenario
from kitchen_tui.ui.app import KitchenApp
from tests.conftest import dish, scenario
from tests.ui.fakes import FakeClock, FakeKitchen

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(120)]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # Textual runs on asyncio


async def test_the_slice_count_on_screen_is_live_and_ends_as_the_reports(tmp_path: Path) -> None:
    settings = KitchenSettings.from_json({"mode": "async", "fix_cpu": "checkpoints"})
    orders = [Order("P", "crunch"), Order("r", "redis", 0.2)]
    plan = scenario(orders, [dish("crunch", ("cpu", 0.6))])
    result = run_scenario(plan, settings)
    progress = [e for e in result.events if e["type"] == "cpu_progress"]
    middle = progress[len(progress) // 2]
    clock = FakeClock(float(middle["t"]) + 1e-6)
    kitchen = FakeKitchen(clock, trace=result.events, answer=False)
    app = KitchenApp(settings, kitchen=kitchen, clock=clock, paused=True, screenshot_dir=tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        app.step_frame()
        await pilot.pause()
        live = str(app.caption.text)
        assert f"({middle['slices']} slices, longest gap" in live, live
        assert "pays +" in live, live
        clock.advance(float(result.events[-1]["t"]) - clock.now + 0.01)
        app.step_frame()
        await pilot.pause()
        summary = result.summary()["remedies"]
        assert isinstance(summary, dict)
        done = str(app.caption.text)
        assert f"({summary['slices']} slices, longest gap" in done, done
        assert summary["slices"] > middle["slices"]
        gap_ms = float(summary["longest_gap_s"]) / settings.speed * 1000
        assert f"longest gap {gap_ms:.1f} ms" in done, done
