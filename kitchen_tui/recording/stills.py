"""PNG stills from the SVG screenshots Textual writes, drawn by resvg (`kitchen-tui[png]`).

resvg keeps every cell of Textual's SVG in its place, spaces between spans included (cairosvg
and rsvg-convert lose them and fall back to a proportional font). The SVG asks for Fira Code from
the web; offline, a still is drawn in DejaVu Sans Mono (Debian's fonts-dejavu-core; elsewhere
resvg takes the nearest font it finds), its window title in DejaVu Sans instead of arial.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from kitchen_tui.errors import UsageError

STILL_FORMATS = ("svg", "png")
PNG_EXTRA = "pip install 'kitchen-tui[png]'"
MONOSPACE_FONT = "DejaVu Sans Mono"
# Textual's title is the one text drawn centred; it asks for arial, which Linux rarely has.
TITLE_CSS = 'text[text-anchor="middle"] { font-family: "DejaVu Sans" }'


def parse_still_formats(text: str) -> tuple[str, ...]:
    """`svg,png` as the formats to save, in that order; a UsageError of one line otherwise."""
    asked = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [part for part in asked if part not in STILL_FORMATS]
    if not asked or unknown:
        raise UsageError(
            f"--stills-format takes svg, png or svg,png, got {text!r}"
            + (f" ({', '.join(unknown)} is not a format)" if unknown else "")
        )
    formats = tuple(f for f in STILL_FORMATS if f in asked)
    if "png" in formats:
        check_png()
    return formats


def check_png() -> None:
    """A one-line UsageError naming the extra when the PNG renderer is not installed."""
    if importlib.util.find_spec("resvg_py") is None:
        raise UsageError(f"PNG stills need resvg, which is not installed: {PNG_EXTRA}")


def svg_to_png(svg: Path, png: Path | None = None) -> Path:
    """Draw the SVG file `svg` as a PNG of the same pixel size; by default beside it."""
    import resvg_py

    data = resvg_py.svg_to_bytes(
        svg_path=str(svg), monospace_family=MONOSPACE_FONT, style_sheet=TITLE_CSS
    )
    target = png if png is not None else svg.with_suffix(".png")
    target.write_bytes(bytes(data))
    return target


def finish_still(svg: Path, formats: Sequence[str]) -> list[Path]:
    """After Textual wrote `svg`: the PNG beside it if asked, and the SVG gone if not asked."""
    written = [svg] if "svg" in formats else []
    if "png" in formats:
        written.append(svg_to_png(svg))
        if "svg" not in formats:
            svg.unlink()
    return written


def still_names(svg: Path, formats: Sequence[str]) -> str:
    """The files a still of these formats leaves, for a message: `a.svg and a.png`."""
    return " and ".join(str(svg.with_suffix(f".{name}")) for name in formats)


def finish_in_background(
    svg: Path, formats: Sequence[str], on_problem: Callable[[str], None]
) -> threading.Thread | None:
    """`finish_still` off the UI thread (a PNG takes about 0.3 s); a problem goes to `on_problem`.

    The thread is not a daemon: a still begun before the app quits is still written.
    """
    if tuple(formats) == ("svg",):
        return None

    def work() -> None:
        try:
            finish_still(svg, formats)
        except (OSError, ValueError) as error:  # resvg raises ValueError for a bad SVG
            reason = error.strerror if isinstance(error, OSError) and error.strerror else error
            on_problem(f"Could not draw {svg.with_suffix('.png').name}: {reason}")

    thread = threading.Thread(target=work, name=f"still-{svg.name}")
    thread.start()
    return thread
