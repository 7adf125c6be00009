"""The words and figures the lanes print."""

from __future__ import annotations

import pytest

from kitchen_tui.ui.glyphs import counted


@pytest.mark.parametrize(
    ("count", "noun", "says"),
    [(0, "event", "0 events"), (1, "worker", "1 worker"), (2, "cook", "2 cooks")],
)
def test_counted_is_singular_for_one(count: int, noun: str, says: str) -> None:
    assert counted(count, noun) == says
