"""The live chart draws the figures' own history, and says how to get it without the extra."""

from __future__ import annotations

import sys

import pytest

from kitchen_tui.protocol.settings import KitchenSettings
from kitchen_tui.ui.app import KitchenApp
from kitchen_tui.ui.widgets.live_chart import NO_PLOT, LiveChart
from tests.test_queueing import _hello, _order
from tests.ui.fakes import FakeClock, FakeKitchen
from tests.ui.test_restart import anyio_backend

pytestmark = [pytest.mark.anyio]
__all__ = ["anyio_backend"]


async def test_the_chart_draws_each_sample_of_the_figures() -> None:
    clock = FakeClock(1000.0)
    kitchen = FakeKitchen(clock, answer=False)
    app = KitchenApp(KitchenSettings(mode="threads"), kitchen=kitchen, clock=clock, paused=True)
    events = [_hello(cooks=2)]
    for n in range(40):
        events += _order(n + 1, 0.25 * n, 0.5 + 0.01 * n, cook=n % 2)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        chart = app.query_one(LiveChart)
        assert chart.display  # 120x36: beside the timeline
        for _ in range(100):  # ten seconds of frames, the events as their stamps come due
            clock.advance(0.1)
            kitchen.push([e for e in events if clock.now - 0.1 < e["t"] <= clock.now])
            app.step_frame()
        await pilot.pause()
        samples = list(app.scene.history.samples)
        assert len(samples) >= 15
        xs, p50 = chart.series["p50"]
        # Drawn at most once a second: every sample up to the last redraw, a second at most ago.
        drawn = samples[: len(p50)]
        assert len(samples) - len(drawn) <= 2
        assert p50 == [s.figures.p50_s for s in drawn]
        assert xs == pytest.approx([s.t - drawn[-1].t for s in drawn])  # drawn as it came
        assert chart.series["served/s"][1] == [s.figures.throughput_per_s for s in drawn]
        assert chart.series["offered/s"][1] == [s.figures.offered_per_s for s in drawn]
        # Ten seconds of frames at ten a second, a sample every half second: ten redraws or so.
        assert 8 <= chart.redraws <= 11


async def test_without_the_plot_extra_the_chart_says_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "textual_plot", None)  # import textual_plot fails
    monkeypatch.delitem(sys.modules, "kitchen_tui.ui.widgets.chart_plot", raising=False)
    clock = FakeClock()
    app = KitchenApp(KitchenSettings(), kitchen=FakeKitchen(clock), clock=clock, paused=True)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        chart = app.query_one(LiveChart)
        app.step_frame()
        app.show_chart("capacity")  # nothing to draw on: no error either
        await pilot.pause()
        text = " ".join(str(w.render()) for w in chart.query(".chart-missing"))
        assert NO_PLOT in text
