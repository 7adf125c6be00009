"""Where the app reaches past Textual's public API, in one place; tests/ui/test_compat.py fails
loudly when a Textual upgrade changes what this copies.

Setting `App.theme` before the app runs makes Textual parse and apply every style sheet a second
time right after the first (its theme watcher queues a `refresh_css`): about 25 ms of the first
frame. `set_first_theme` does what the watcher does, minus that queued second parse.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from types import FrameType
from typing import Any

from rich.console import RenderableType
from textual.app import App
from textual.screen import Screen
from textual.theme import Theme

# What `LinuxDriver._sigtstp_application` and `_sigcont_application` read like when
# `resume_only_when_suspended` was written against them (Textual 8.2.8), the same 16 digits.
SIGCONT_SOURCE = "b7b86cd9f7f925a3"

# What `App._watch_theme` read like when `set_first_theme` was written from it (Textual 8.2.8):
# the sha256 of its source, first 16 hex digits. A new value means: read it again.
WATCH_THEME_SOURCE = "a6de38d37b42f581"


def set_first_theme(app: App[Any], theme: Theme) -> None:
    """Make the registered `theme` the app's own before its style sheet is first parsed."""
    app.set_reactive(App.theme, theme.name)
    app.set_class(True, f"-theme-{theme.name}")
    app.set_class(theme.dark, "-dark-mode")
    app.set_class(not theme.dark, "-light-mode")
    app.stylesheet.set_variables(app.get_css_variables())
    app._refresh_truecolor_filter(app.ansi_theme)


def on_each_frame(app: App[Any], then: Callable[[], None]) -> None:
    """Call `then` each time the app hands a frame to its terminal (bench/bench_ui.py counts
    them): Textual has no public hook there, so this wraps `App._display`."""
    display = app._display

    def displayed(screen: Screen[Any], renderable: RenderableType | None) -> None:
        display(screen, renderable)
        if renderable is not None:
            then()

    app._display = displayed  # type: ignore[method-assign]


def resume_only_when_suspended(app: App[Any]) -> None:
    """Let SIGCONT resume the app's terminal only after the app suspended it (ctrl+z).

    Textual's Linux driver takes every SIGCONT for a `fg` after ctrl+z and starts the terminal
    afresh. But a closed terminal sends SIGHUP and then SIGCONT: the fresh start gave the driver
    a second output thread that died writing to the gone terminal, and on the way out the app
    waited forever to hand that thread its last write (the app and its kitchen left running).
    """
    driver = app._driver
    resume = getattr(driver, "_sigcont_application", None)
    if driver is None or resume is None:
        return

    def on_sigcont(number: int, frame: FrameType | None) -> None:
        if getattr(driver, "_must_signal_resume", False):  # set by its SIGTSTP handler
            resume(number, frame)

    signal.signal(signal.SIGCONT, on_sigcont)


# What `WriterThread.run` read like when `survive_a_lost_terminal` was written (Textual 8.2.8).
WRITER_RUN_SOURCE = "314021aab4f52726"


def survive_a_lost_terminal() -> None:
    """Textual's writer thread ends at the first write that fails (EIO: the terminal is gone);
    every later write, and the one at exit, then waits for ever on the dead thread's full
    queue: the app left running. `resume_only_when_suspended` keeps a closed terminal's
    SIGCONT from starting a second writer to die that way; this covers the one writer, however
    its terminal went (a killed recorder's pty left the app running). From here a writer whose
    terminal is gone drops what comes, and still ends when told to."""
    from textual.drivers._writer_thread import WriterThread

    if hasattr(WriterThread.run, "wrapped"):
        return
    run = WriterThread.run

    def run_on(self: WriterThread) -> None:
        try:
            run(self)
        except OSError:
            while self._queue.get() is not None:  # until stop(): nothing is written any more
                pass

    run_on.wrapped = run  # type: ignore[attr-defined]
    WriterThread.run = run_on  # type: ignore[method-assign]
