"""Screenshots and stills of the app: an SVG of the screen with every panel up to date."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

from kitchen_tui.outputs import write_new
from kitchen_tui.recording.stills import finish_in_background, still_names
from kitchen_tui.ui.frame import Frame
from kitchen_tui.ui.startup import QuickStartApp


class ScreenshotApp(QuickStartApp):
    """ctrl+s, and a talk's stills: SVG (and PNG) files that never overwrite an earlier one."""

    frame: Frame
    _screenshot_dir: Path
    _still_formats: tuple[str, ...]

    def action_snapshot(self) -> None:
        name = time.strftime("kitchen-%Y%m%d-%H%M%S.svg")  # numbered by write_new
        self.save_svg(self._screenshot_dir, name, announce=True)

    def save_svg_now(self, folder: Path, name: str) -> None:
        self.frame.redraw_all_now()
        self._write_svg(folder, name, announce=False)

    def save_svg(self, folder: Path, name: str, *, announce: bool) -> None:
        """An SVG of the screen with every panel up to date, once it has been painted."""
        self.frame.redraw_all_now()
        self.call_after_refresh(self._write_svg, folder, name, announce)

    def _write_svg(self, folder: Path, name: str, announce: bool) -> None:
        try:  # never over an earlier file: a screenshot takes the next number, a still is refused
            path = write_new(folder, name, self.export_screenshot(), numbered=announce)
        except OSError as error:
            self.notify(f"Could not save the screenshot: {error}", severity="error")
            return
        finish_in_background(Path(path), self._still_formats, self._still_problem)
        if announce:
            shown = still_names(Path(path), self._still_formats)
            self.notify(f"Saved to {shown}", title="Screenshot")

    def _still_problem(self, text: str) -> None:
        with contextlib.suppress(RuntimeError):  # the app has quit meanwhile: nobody to tell
            self.call_from_thread(self.notify, text, severity="error")
