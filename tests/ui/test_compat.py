"""The fence round Textual's private side (kitchen_tui/ui/compat.py): loud on an upgrade."""

from __future__ import annotations

import gc
import hashlib
import inspect
import os
import signal

import pytest
from textual.app import App
from textual.drivers.linux_driver import LinuxDriver
from textual.filter import ANSIToTruecolor

from kitchen_tui.ui.compat import (
    SIGCONT_SOURCE,
    WATCH_THEME_SOURCE,
    WRITER_RUN_SOURCE,
    on_each_frame,
    resume_only_when_suspended,
    set_first_theme,
    survive_a_lost_terminal,
)
from kitchen_tui.ui.startup import QuickStartApp
from kitchen_tui.ui.themes import resolve_theme

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def test_textuals_theme_watcher_is_the_one_set_first_theme_copies() -> None:
    source = inspect.getsource(App._watch_theme)
    digest = hashlib.sha256(source.encode()).hexdigest()[:16]
    assert digest == WATCH_THEME_SOURCE, (
        "Textual's App._watch_theme changed: make compat.set_first_theme do what it does now"
        " (without the refresh_css it queues), then update WATCH_THEME_SOURCE"
    )
    assert callable(getattr(App, "_refresh_truecolor_filter", None)), (
        "Textual no longer has App._refresh_truecolor_filter: see compat.set_first_theme"
    )


def test_textuals_suspend_and_resume_are_the_ones_resume_only_when_suspended_guards() -> None:
    source = inspect.getsource(LinuxDriver._sigtstp_application)
    source += inspect.getsource(LinuxDriver._sigcont_application)
    assert hashlib.sha256(source.encode()).hexdigest()[:16] == SIGCONT_SOURCE, (
        "Textual's LinuxDriver SIGTSTP/SIGCONT handlers changed: check that"
        " compat.resume_only_when_suspended still knows when the app is suspended"
        " (_must_signal_resume), then update SIGCONT_SOURCE"
    )


def _theme_state(app: App[None]) -> tuple[object, ...]:
    themed = sorted(c for c in app.classes if c.startswith("-theme-") or c.endswith("-mode"))
    filters = [f for f in app._filters if isinstance(f, ANSIToTruecolor)]
    return (
        app.theme,
        themed,
        app.get_css_variables(),
        app.screen.styles.background,  # drawn from the first parse's variables
        [(f._terminal_theme, f.enabled) for f in filters],
    )


async def test_the_first_theme_set_quietly_is_the_theme_textual_would_set() -> None:
    light = resolve_theme("light")
    quiet, loud = App[None](), App[None]()
    for app in (quiet, loud):
        app.register_theme(light)
    set_first_theme(quiet, light)
    async with quiet.run_test() as pilot:
        await pilot.pause()
        quietly = _theme_state(quiet)
    async with loud.run_test() as pilot:
        loud.theme = light.name  # through Textual's own watcher
        await pilot.pause()
        assert _theme_state(loud) == quietly


async def test_the_collector_held_by_run_is_settled_after_the_first_frame() -> None:
    app = QuickStartApp()
    app._collection_held = True  # as run() leaves it
    gc.disable()
    try:
        async with app.run_test() as pilot:
            await pilot.pause()
            assert gc.isenabled()
    finally:
        gc.enable()


def test_each_widget_declares_the_style_sheet_beside_it() -> None:
    import importlib
    from pathlib import Path

    from textual.dom import DOMNode

    import kitchen_tui.ui.widgets as widgets

    folder = Path(widgets.__file__).parent
    for tcss in sorted(folder.glob("*.tcss")):
        module = importlib.import_module(f"kitchen_tui.ui.widgets.{tcss.stem}")
        declared = [
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and issubclass(value, DOMNode)
            and value.__module__ == module.__name__
            and value.__dict__.get("DEFAULT_CSS") == tcss.read_text()
        ]
        assert declared, f"no widget of {tcss.stem}.py declares {tcss.name} as its DEFAULT_CSS"


async def test_each_frame_handed_to_the_terminal_is_seen() -> None:
    app = App[None]()
    frames: list[int] = []
    on_each_frame(app, lambda: frames.append(1))
    async with app.run_test() as pilot:
        await pilot.pause()
        app.refresh()
        await pilot.pause()
    assert frames, "Textual no longer paints through App._display: see compat.on_each_frame"


def test_textuals_writer_thread_is_the_one_survive_a_lost_terminal_wraps() -> None:
    from textual.drivers._writer_thread import WriterThread

    survive_a_lost_terminal()
    source = inspect.getsource(WriterThread.run.wrapped)  # type: ignore[attr-defined]
    assert hashlib.sha256(source.encode()).hexdigest()[:16] == WRITER_RUN_SOURCE, (
        "Textual's WriterThread.run changed: check compat.survive_a_lost_terminal still fits"
    )


def test_a_writer_whose_terminal_is_gone_still_stops() -> None:
    """Its first failed write ended the thread; 30 more writes filled its queue and stop(),
    at the app's exit, blocked for ever: a process left behind after a killed `record`."""
    import threading

    from textual.drivers._writer_thread import MAX_QUEUED_WRITES, WriterThread

    survive_a_lost_terminal()
    with open("/dev/full", "w") as gone:  # every write fails, as on a hung-up terminal
        writer = WriterThread(gone)
        writer.start()

        def exit_the_app() -> None:
            for _ in range(MAX_QUEUED_WRITES * 3):
                writer.write("x" * 10_000)
            writer.stop()

        exiting = threading.Thread(target=exit_the_app, daemon=True)
        exiting.start()
        exiting.join(timeout=10)
        assert not exiting.is_alive(), "the app's exit blocked on the writer's queue"


class _Driver:
    """Textual's Linux driver as far as its SIGCONT handling goes."""

    def __init__(self) -> None:
        self._must_signal_resume = False
        self.resumed = 0

    def _sigcont_application(self, *_: object) -> None:
        self.resumed += 1


class _App:
    def __init__(self) -> None:
        self._driver = _Driver()


def test_sigcont_resumes_the_terminal_only_after_a_suspend() -> None:
    """A closed terminal's SIGCONT (no ctrl+z before it) must not start the terminal again."""
    app, before = _App(), signal.getsignal(signal.SIGCONT)
    try:
        resume_only_when_suspended(app)  # type: ignore[arg-type]
        os.kill(os.getpid(), signal.SIGCONT)  # Python runs the handler before the next line
        assert app._driver.resumed == 0
        app._driver._must_signal_resume = True  # what its SIGTSTP handler sets
        os.kill(os.getpid(), signal.SIGCONT)
        assert app._driver.resumed == 1
    finally:
        signal.signal(signal.SIGCONT, before)
