"""A quick first frame: the start-up work Textual would otherwise do twice or at a bad moment."""

from __future__ import annotations

import gc
from typing import Any

from textual import on
from textual.app import App
from textual.events import Mount

from kitchen_tui.ui.compat import set_first_theme, survive_a_lost_terminal
from kitchen_tui.ui.signals import EndsOnSignals
from kitchen_tui.ui.themes import THEME_NAMES, resolve_theme

UI_GC_THRESHOLDS = (5_000, 10, 10)


class QuickStartApp(EndsOnSignals):
    """A Textual app whose first frame comes without the start-up work it does not need."""

    # run() held garbage collection back: settle it after the first frame. Not so under
    # run_test: a test process keeps its own collector.
    _collection_held = False

    def run(self, *args: Any, **kwargs: Any) -> Any:  # what the app exited with
        survive_a_lost_terminal()
        self._collection_held = True
        hold_collection()
        try:
            return super().run(*args, **kwargs)
        finally:
            settle_collection()

    @on(Mount)
    def _settle_collection_after_first_frame(self) -> None:
        if self._collection_held:
            self.call_after_refresh(settle_collection)


def register_themes(app: App[Any], chosen: str) -> list[str]:
    """Register the built-in themes and the chosen one (a name or a file) and make it the
    app's theme, without the second style sheet parse `App.theme` would queue (see compat.py);
    the theme names `t` cycles through, in order."""
    wanted = resolve_theme(chosen)  # UsageError for a bad name or file, before any drawing
    for name in THEME_NAMES:
        app.register_theme(resolve_theme(name))
    app.register_theme(wanted)
    set_first_theme(app, wanted)
    return [*THEME_NAMES, *([wanted.name] if wanted.name not in THEME_NAMES else [])]


def hold_collection() -> None:
    """No garbage collection until the first frame is out.

    Start-up allocates tens of thousands of objects that live as long as the app (style
    sheets, widgets, Textual's own tables); a full collection in the middle of it walked
    them all and held the first frame back 36 to 38 ms, in the kitchen's first render.
    """
    gc.disable()


def settle_collection() -> None:
    """After the first frame: what exists now lives as long as the app, so later collections
    skip it; then collect as usual, young objects every 5,000 allocations instead of 700.

    Every frame makes and drops thousands of strips and segments. With CPython's defaults,
    frames alive at a collection were promoted and later walked again by full collections
    (up to 47 ms each, a lost frame): 1,000 tickets at 200x50 ran at 30 fps. At 5,000 the
    same work ran at 37 to 39 fps, the longest pause 22 to 41 ms, no full collection in 6 s.
    """
    gc.freeze()
    gc.set_threshold(*UI_GC_THRESHOLDS)
    gc.enable()
