"""The footer: the problems and their fixes (B and P among them) fit 80 columns; a short line
drops the least needed hints first (quit, then help) and keeps the others in their places."""

from __future__ import annotations

from pathlib import Path

import pytest

from kitchen_tui.ui.keys import KITCHEN_FOOTER, TALK_FOOTER, Hint
from kitchen_tui.ui.widgets.key_hints import PALETTE_HINT, KeyHints, fitting
from tests.ui.test_keys import running

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # Textual runs on asyncio


def _labels(hints: list[Hint]) -> list[str]:
    return [f"{hint.keys} {hint.label}" for hint in hints]


def test_every_most_needed_hint_fits_80_columns() -> None:
    kept = fitting(KITCHEN_FOOTER, 80)
    assert {h for h in KITCHEN_FOOTER if h.need == 0} <= set(kept)
    assert "B/P Fix" in _labels(kept) and "? Help" in _labels(kept)
    assert kept == [h for h in KITCHEN_FOOTER if h in kept]  # the table's order
    assert "q Quit" not in _labels(kept)  # the least needed: q and ctrl+c quit anyway
    assert _labels(fitting(KITCHEN_FOOTER, 120)) == _labels(list(KITCHEN_FOOTER))


def test_a_less_needed_hint_never_takes_a_more_needed_ones_place() -> None:
    hints = (Hint("a", "Long label here", 0), Hint("b", "B", 1), Hint("c", "Longer C", 0))
    room = len(PALETTE_HINT) + 2 + len(" a Long label here ") + len(" b B ")
    assert _labels(fitting(hints, room)) == ["a Long label here"]  # c would not fit: b waits
    # A talk's footer keeps its own order of need: the first ones stay.
    assert fitting(TALK_FOOTER, 40) == list(TALK_FOOTER[: len(fitting(TALK_FOOTER, 40))])


@pytest.mark.parametrize(("size", "quit_shown"), [((80, 24), False), ((120, 36), True)])
async def test_the_footer_on_screen(
    size: tuple[int, int], quit_shown: bool, tmp_path: Path
) -> None:
    async with running(tmp_path, size) as rig:
        footer = rig.app.query_one(KeyHints)
        text = footer.render_line(0).text
        assert len(text) == size[0]
        for words in (" s LLM ", " b Blocker ", " m Mode ", " p Shelf ", " B/P Fix ", " ? Help "):
            assert words in text, text
        assert (" q Quit " in text) is quit_shown
        assert text.rstrip().endswith(PALETTE_HINT)
