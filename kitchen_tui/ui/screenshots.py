"""Screenshots and stills of the app: an SVG of the screen with every panel up to date."""

from __future__ import annotations

import time
from pathlib import Path

from kitchen_tui.ui.frame import Frame
from kitchen_tui.ui.pictures import Pictures
from kitchen_tui.ui.startup import QuickStartApp


class ScreenshotApp(QuickStartApp):
    """ctrl+s, and a talk's stills: SVG (and PNG) files that never overwrite an earlier one
    (a talk's, with --force, may); how each is written and fails: pictures.py."""

    frame: Frame
    _screenshot_dir: Path
    _pictures: Pictures

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
        self._pictures.write(self, folder, name, announce=announce)
