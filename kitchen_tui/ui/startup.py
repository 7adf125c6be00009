"""A quick first frame: the start-up work Textual would otherwise do twice or at a bad moment."""

from __future__ import annotations

import gc
from typing import Any

from textual.app import App

from kitchen_tui.ui.themes import THEME_NAMES, resolve_theme

UI_GC_THRESHOLDS = (5_000, 10, 10)


class QuickStartApp(App[None]):
    """A Textual app whose first frame comes without the start-up work it does not need."""

    # run() held garbage collection back: settle it after the first frame. Not so under
    # run_test: a test process keeps its own collector.
    _collection_held = False

    def run(self, *args: Any, **kwargs: Any) -> Any:  # what the app exited with
        self._collection_held = True
        hold_collection()
        try:
            return super().run(*args, **kwargs)
        finally:
            settle_collection()

    def _on_mount(self) -> None:
        if self._collection_held:
            self.call_after_refresh(settle_collection)


def register_themes(app: App[Any], chosen: str) -> list[str]:
    """Register the built-in themes and the chosen one (a name or a file) and make it the
    app's theme; the theme names `t` cycles through, in order.

    Setting `App.theme` before the app runs makes Textual parse and apply every style sheet a
    second time right after the first (a queued `refresh_css`): about 25 ms of the first
    frame. Set quietly instead, the first parse already uses this theme's variables; the app
    only needs the classes that theme switching would have set.
    """
    wanted = resolve_theme(chosen)  # UsageError for a bad name or file, before any drawing
    for name in THEME_NAMES:
        app.register_theme(resolve_theme(name))
    app.register_theme(wanted)
    app.set_reactive(App.theme, wanted.name)
    app.set_class(True, f"-theme-{wanted.name}")
    app.set_class(wanted.dark, "-dark-mode")
    app.set_class(not wanted.dark, "-light-mode")
    # What the theme watcher would have done before the style sheet is first parsed:
    app.stylesheet.set_variables(app.get_css_variables())
    app._refresh_truecolor_filter(app.ansi_theme)
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
