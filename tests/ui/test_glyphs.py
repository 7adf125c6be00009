"""The words and figures the lanes print."""

from __future__ import annotations

import pytest

from kitchen_tui.ui.glyphs import counted, ms_text


@pytest.mark.parametrize(
    ("count", "noun", "says"),
    [(0, "event", "0 events"), (1, "worker", "1 worker"), (2, "cook", "2 cooks")],
)
def test_counted_is_singular_for_one(count: int, noun: str, says: str) -> None:
    assert counted(count, noun) == says


def test_a_duration_is_never_wider_than_six_cells_so_its_label_keeps_its_word() -> None:
    assert [ms_text(s) for s in (0.05, 1.0, 11.42, 125.4)] == ["50 ms", "1.00 s", "11.4 s", "125 s"]
    assert max(len(ms_text(s / 10)) for s in range(0, 9999)) <= 6  # 'longest' was cut to 'longe.'
