"""Pictures of the screen written to disk: a ctrl+s screenshot, or a talk's still at a marker.

A screenshot the user asked for that cannot be written is a notice, and the app goes on. A still
is an output of the run (--stills): one that cannot be written (a full disk) ends the run with
one line and exit code 1, as a trace does; the stills saved before it are kept.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual.app import App

from kitchen_tui.outputs import write_new
from kitchen_tui.recording.stills import finish_in_background, still_names
from kitchen_tui.ui.write_failure import stop_with_line


@dataclass(frozen=True)
class Pictures:
    """How an app writes its pictures: their formats, and whether a talk's stills may
    overwrite earlier ones (--force)."""

    formats: tuple[str, ...] = ("svg",)
    overwrite_stills: bool = False

    def write(self, app: App[Any], folder: Path, name: str, *, announce: bool) -> None:
        """The screen as it is painted now; `announce`: a numbered screenshot, else a still."""
        try:  # never over an earlier file: a screenshot takes the next number
            path = write_new(
                folder,
                name,
                app.export_screenshot(),
                numbered=announce,
                overwrite=self.overwrite_stills and not announce,
            )
        except OSError as error:
            if announce:
                app.notify(f"Could not save the screenshot: {error}", severity="error")
            else:
                stop_with_line(app, _still_failed(folder, f"{name}: {error.strerror or error}"))
            return
        finish_in_background(path, self.formats, _problem(app, folder, announce))
        if announce:
            shown = still_names(path, self.formats)
            app.notify(f"Saved to {shown}", title="Screenshot")


def _problem(app: App[Any], folder: Path, announce: bool) -> Any:
    """What a PNG that could not be drawn (on a thread) does: a notice, or the run ends."""

    def tell(text: str) -> None:
        with contextlib.suppress(RuntimeError):  # the app has quit meanwhile: nobody to tell
            if announce:
                app.call_from_thread(app.notify, text, severity="error")
            else:
                app.call_from_thread(stop_with_line, app, _still_failed(folder, text))

    return tell


def _still_failed(folder: Path, what: str) -> str:
    return (
        f"kitchen-tui: --stills {folder}: write failed: {what}; the stills saved before it are kept"
    )
