"""A job (fix_cpu = "job") on the served strip: its order's quick answer once, and the job as a
job once done, with the job latency the report gives: a real kitchen's stream replayed."""

from __future__ import annotations

from pathlib import Path

import pytest

from kitchen_tui.protocol.orders import Order
from kitchen_tui.protocol.settings import KitchenSettings
from kitchen_tui.stream.headless import run_scenario
from kitchen_tui.ui.glyphs import seconds_text
from kitchen_tui.ui.widgets.kitchen_view import KitchenView
from tests.conftest import dish, scenario
from tests.ui.test_remedy_costs import replayed

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(120)]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # Textual runs on asyncio


def _served(app: object) -> tuple[str, str]:
    lane = app.query_one("#served", KitchenView)  # type: ignore[attr-defined]
    chips = "\n".join(lane.render_line(y).text for y in range(lane.size.height))
    return chips, str(lane.border_title)


async def test_a_job_shows_its_answer_once_and_then_itself_with_its_job_latency(
    tmp_path: Path,
) -> None:
    settings = KitchenSettings.from_json({"mode": "async", "fix_cpu": "job"})
    orders = [Order("C1", "pdf"), Order("F1", "redis", 0.1)]
    result = run_scenario(scenario(orders, [dish("pdf", ("cpu", 0.5))]), settings)
    (row,) = [o for o in result.orders if o.id == "C1"]
    assert row.job_latency_s is not None and row.latency_s is not None
    (done,) = [e for e in result.events if e["type"] == "job_done"]
    async with replayed(result, float(done["t"]) - 0.05, tmp_path) as (app, clock, pilot):
        chips, title = _served(app)
        assert chips.count("C1 pdf") == 1 and "job-1" not in chips, chips
        assert "jobs done 0/1" in title, title
        clock.advance(float(result.events[-1]["t"]) - clock.now + 0.01)
        app.step_frame()
        await pilot.pause()
        chips, title = _served(app)
        assert chips.count("C1 pdf") == 1, chips  # the quick answer, once
        assert f"C1 pdf       {seconds_text(row.latency_s)}" in chips, chips
        assert f"job-1 for C1 {seconds_text(row.job_latency_s)}" in chips, chips
        assert "served 2" in title and "jobs done 1/1" in title, title
