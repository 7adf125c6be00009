"""The stats panel: what went wrong with the stream itself is said on screen."""

from __future__ import annotations

from pathlib import Path

import pytest

from kitchen_tui.protocol.orders import Order
from tests.ui.test_keys import running

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # Textual runs on asyncio


async def test_lines_of_the_stream_that_were_no_event_are_counted_on_screen(
    tmp_path: Path,
) -> None:
    async with running(tmp_path) as rig:
        assert "unreadable" not in rig.text("stats")
        malformed = {"type": "malformed", "seq": None, "count": 2, "line": "not json"}
        rig.kitchen.push([{**malformed, "t": rig.clock.now}])
        await rig.frame()
        rig.kitchen.push([{**malformed, "t": rig.clock.now, "count": 1}])
        await rig.frame(0.5)  # the panel redraws 4 times a second
        assert "3 unreadable lines skipped" in rig.text("stats")
        assert rig.app.scene.board.ledger.malformed == 3


async def test_a_dish_that_does_not_fit_the_table_is_counted_not_dropped(tmp_path: Path) -> None:
    dishes = ["llm", "redis", "postgres", "chat", "pdf", "sneaky"]
    async with running(tmp_path) as rig:
        orders = [Order(id=f"T{i}", dish=dish, at=0.0) for i, dish in enumerate(dishes, 1)]
        rig.kitchen.order(orders)
        for i, dish in enumerate(dishes, 1):
            split = {"front_desk": 0.0, "cook": 0.0, "rail": 0.05, "shelf": 0.0, "ready": 0.0}
            seat = {"mode": "async", "cook": None, "prep_shelf": False, "deadline_t": None}
            fixes = {"fix_blocking": "inline", "fix_cpu": "inline"}
            rig.kitchen.push(
                [
                    {
                        **{"type": "seated", "seq": None, "t": rig.clock.now, "id": f"T{i}"},
                        **{"n": i, **seat, **fixes},
                    },
                    {
                        **{"type": "served", "seq": None, "t": rig.clock.now, "id": f"T{i}"},
                        **{"n": i, "dish": dish, "latency_s": 0.05, "real_latency_s": 0.05},
                        "split": split,
                    },
                ]
            )
        await rig.frame(0.5)
        text = rig.text("stats")
        assert rig.app.scene.board.ledger.served == len(dishes)
        shown = [dish for dish in dishes if f"\n{dish} " in f"\n{text}"]
        missing = len(dishes) - len(shown)
        assert missing > 0, "the panel at 120x36 has no room for six dishes: the case under test"
        assert f"+{missing} more dishes: see report" in text
