"""How the main states look: recorded kitchens replayed at a fixed instant (see states.py).

Update after a deliberate change with `pytest tests/ui/test_snapshots.py --snapshot-update`,
and look at the report before accepting it.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.ui.states import STATES, build

SNAPSHOT_STATES = [
    "empty",
    "sync-stall",
    "async-rail",
    "async-stall",
    "async-stall-after",
    "prep-shelf",
    "threads",
    "walk-outs",
    "help",
    "theme-dark",
    "theme-light",
    "theme-projector",
    "small-80x24",
    "ascii",
    "too-small",
    "died",
]


@pytest.mark.parametrize("name", SNAPSHOT_STATES)
def test_state_looks_right(snap_compare: Any, name: str) -> None:
    app, run_before = build(name)
    assert snap_compare(app, terminal_size=STATES[name].size, run_before=run_before)


def test_every_state_has_a_snapshot() -> None:
    assert set(SNAPSHOT_STATES) == set(STATES)
