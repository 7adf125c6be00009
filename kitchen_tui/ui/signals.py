"""SIGTERM and SIGHUP end a Textual app the way its quit key does: the terminal restored
(alternate screen, mouse mode, cursor) and the kitchen stopped. Python's default for either
signal ends the process on the spot, with the terminal left in the app's modes."""

from __future__ import annotations

import asyncio
import signal
from typing import Any

from textual import on
from textual.app import App
from textual.events import Mount

from kitchen_tui.ui.compat import resume_only_when_suspended

ENDING_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class EndsOnSignals(App[Any]):
    """An app that exits cleanly on SIGTERM or SIGHUP, with the shell's code for the signal."""

    @on(Mount)
    def _end_on_signals(self) -> None:
        if self.is_headless:  # under run_test: the test runner keeps its own handlers
            return
        loop = asyncio.get_running_loop()
        for number in ENDING_SIGNALS:
            loop.add_signal_handler(number, self._ended_by, number)
        resume_only_when_suspended(self)

    def _ended_by(self, number: int) -> None:
        self.exit(return_code=128 + number)  # unmounting stops the kitchen, then the driver
