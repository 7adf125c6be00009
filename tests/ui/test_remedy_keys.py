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
        await rig.pilot.press("B")  # to_thread: both served inline, and no thread's costs
        await rig.frame()
        assert rig.app.caption.text == (
            "fix_cpu checkpoints, fix_blocking to_thread: no event loop in sync mode, served inline"
        )
        for _ in range(4):  # checkpoints -> to_thread -> prep_shelf: one that sync serves
            await rig.pilot.press("P")
            await rig.frame()
            if rig.kitchen.settings.fix_cpu == "prep_shelf":
                break
        caption = str(rig.app.caption.text)
        assert caption.startswith(
            "fix_blocking to_thread: no event loop in sync mode, served inline;"
            f" prep_shelf: {TRADES[('fix_cpu', 'prep_shelf')]}"
        ), caption
        assert "token" not in caption.split(";", 1)[1], caption  # the shelf's costs only


def _step(kind: str, t: float, n: int, ticket: str, where: str) -> dict[str, object]:
    return {
        "v": 1,
        "seq": None,
        "type": kind,
        "t": t,
        "story": 0.0,
        "id": ticket,
        "n": n,
        "i": 0,
        "kind": "cpu",
        "label": "embed",
        "where": where,
        "nominal_s": 15.0,
    }


async def test_a_checkpointed_ticket_computes_in_slices_and_the_lane_says_the_loop_is_shared(
    tmp_path: Path,
) -> None:
    """Its glyph is not the held loop's `!`, and the lane does not call the loop free."""
    async with running(tmp_path) as rig:
        await rig.pilot.press("P", "c")  # checkpoints, then a PDF order
        await rig.frame()
        now = rig.clock.now
        seated = {
            **_step("seated", now, 1, "C1", "loop"),
            "mode": "async",
            "cook": None,
            "prep_shelf": False,
            "fix_blocking": "inline",
            "fix_cpu": "checkpoints",
        }
        rig.kitchen.push([seated, _step("step_started", now, 1, "C1", "slices")])
        await rig.frame()
        lane = rig.text("line-cook")
        assert "loop shared" in lane and "1 in slices" in lane, lane
        assert "loop free" not in lane and "LOOP HELD" not in lane, lane
        assert "¦  C1" in lane and "!" not in lane, lane
        finished = {
            **_step("step_finished", rig.clock.now, 1, "C1", "slices"),
            **{"measured_s": 0.1, "story_s": 0.1, "cpu_s": 0.09, "shelf_s": None},
        }
        rig.kitchen.push([finished])
        await rig.frame()
        assert "loop free" in rig.text("line-cook")


@pytest.mark.parametrize("size", [(120, 36), (80, 24), (120, 44)])
async def test_a_remedy_caption_is_shortened_at_a_word_and_leaves_the_stats_their_rows(
    size: tuple[int, int], tmp_path: Path
) -> None:
    """B and P set: the trade took four rows and the stats panel's table (only "in async p50
    p95 max" left), and its third line was cut mid-sentence ("..., the CPU"). The strip shows
    whole words within its lines (one on a short terminal), an ellipsis saying it shortened."""
    async with running(tmp_path, size) as rig:
        await rig.pilot.press("B", "P")
        await rig.frame()
        await rig.pilot.pause()
        caption = rig.app.caption
        full = str(caption.text)
        shown = str(caption.render())
        lines = shown.splitlines()
        assert len(lines) <= (1 if size[1] < 40 else 2), lines
        assert caption.size.height == len(lines), (caption.size, lines)
        words = full.split()
        flat = " ".join(lines).removesuffix("…").split()
        assert flat == words[: len(flat)], (flat, words)  # whole words, in order
        assert shown.endswith("…") == (len(flat) < len(words)), shown
