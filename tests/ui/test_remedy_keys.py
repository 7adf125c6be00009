"""The remedy keys through Pilot: B and P cycle the remedies, the header shows them, and the
caption strip says in one sentence what they trade (or that a mode has no loop for one)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kitchen_tui.protocol.settings import BLOCKING_FIXES, CPU_FIXES
from kitchen_tui.ui.remedy_words import TRADES
from tests.ui.test_keys import running

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # Textual runs on asyncio


@pytest.mark.parametrize(
    ("key", "setting", "fixes"),
    [("B", "fix_blocking", BLOCKING_FIXES), ("P", "fix_cpu", CPU_FIXES)],
)
async def test_a_remedy_key_cycles_its_remedies(
    key: str, setting: str, fixes: tuple[str, ...], tmp_path: Path
) -> None:
    async with running(tmp_path) as rig:
        for expected in (*fixes[1:], fixes[0]):
            await rig.pilot.press(key)
            await rig.frame()
            sent = [changes for kind, changes in rig.kitchen.commands if kind == "settings"]
            assert sent[-1] == {setting: expected}
            assert getattr(rig.kitchen.settings, setting) == expected
            if expected != "inline":
                assert f"{expected}: {TRADES[(setting, expected)]}" in str(rig.app.caption.text)
                header = rig.text("kitchen-header")
                assert f"{setting.removeprefix('fix_')} {expected}" in header, header
        assert rig.app.caption.text is None  # every remedy back to inline: nothing to say


async def test_a_loop_remedy_in_sync_mode_says_it_is_served_inline(tmp_path: Path) -> None:
    async with running(tmp_path) as rig:
        await rig.pilot.press("P")  # checkpoints
        await rig.frame()
        await rig.pilot.press("m")  # sync
        await rig.frame()
        assert rig.app.caption.text == (
            "fix_cpu checkpoints: no event loop in sync mode, served inline"
        )
