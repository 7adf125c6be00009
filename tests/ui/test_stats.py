"""The stats panel: what went wrong with the stream itself is said on screen."""

from __future__ import annotations

from pathlib import Path

import pytest

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
