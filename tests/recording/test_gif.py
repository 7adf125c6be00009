"""GIFs through the agg wheel: a real take drawn, decoded with Pillow, frame by frame."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import PackageNotFoundError
from pathlib import Path
from typing import cast

import pytest
from PIL import Image

from kitchen_tui.cli.gif import agg_palette
from kitchen_tui.errors import UsageError
from kitchen_tui.recording import gif
from kitchen_tui.recording.gif import GifLook, make_gif

SERVED = (0x6B, 0xD8, 0x8A)  # the dark theme's ticket-served: the ✓ badges of served orders
BACKGROUND = (0x10, 0x13, 0x18)


def _kitchen(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kitchen_tui", *args], capture_output=True, text=True, timeout=120
    )


def _frames(path: Path) -> list[Image.Image]:
    image = Image.open(path)
    frames = []
    for number in range(getattr(image, "n_frames", 1)):
        image.seek(number)
        frames.append(image.convert("RGB"))
    return frames


def _pixels(frame: Image.Image) -> list[tuple[int, int, int]]:
    return cast(list[tuple[int, int, int]], list(frame.get_flattened_data()))


def _has(frame: Image.Image, colour: tuple[int, int, int], tolerance: int = 12) -> bool:
    return any(
        all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))
        for pixel in _pixels(frame)
    )


def _share(frame: Image.Image, colour: tuple[int, int, int]) -> float:
    pixels = _pixels(frame)
    return sum(1 for pixel in pixels if pixel == colour) / len(pixels)


@pytest.mark.slow
def test_a_recorded_take_becomes_a_gif_that_ends_on_the_served_orders(tmp_path: Path) -> None:
    cast, out = tmp_path / "take.cast", tmp_path / "take.gif"
    done = _kitchen(
        "record", "--scenario", "three-tables", "--seconds", "4.5", "--out", str(cast),
        "--gif", str(out),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].startswith(f"wrote {out}: 860x608 px")
    frames = _frames(out)
    assert len(frames) >= 10, "an animation, not a still"
    assert frames[0].size == (860, 608)  # 100x30 cells at agg's 14 px font
    assert not _has(frames[0], SERVED), "nothing is served on the first frame"
    last = frames[-1]
    assert _has(last, SERVED), "the last frame shows the three served orders"
    assert _share(last, BACKGROUND) < 0.97, "the last frame is the kitchen, not a blank screen"


def _cast(tmp_path: Path, *outputs: str) -> Path:
    path = tmp_path / "synthetic.cast"
    lines = [json.dumps({"version": 2, "width": 20, "height": 5})]
    lines += [json.dumps([0.1 * (n + 1), "o", text]) for n, text in enumerate(outputs)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_take_that_leaves_the_alternate_screen_ends_before_it(tmp_path: Path) -> None:
    bar = "\x1b[?1049h\x1b[2;1H" + "█" * 20  # a full row of ink, in the alternate screen
    cast = _cast(tmp_path, bar, "\x1b[?1049l\x1b[?25h", "\x1b[?1000l")
    (tmp_path / "scratch").mkdir()
    copy = gif._ending_on_the_app(cast, tmp_path / "scratch")
    events = [json.loads(line) for line in copy.read_text().splitlines()[1:]]
    assert [e[2] for e in events] == [bar]
    out = tmp_path / "synthetic.gif"
    make_gif(cast, out, GifLook())
    last = _frames(out)[-1]
    ink = sum(1 for pixel in _pixels(last) if pixel != last.getpixel((0, 0)))
    assert ink > 20 * 8 * 14, f"the last frame holds the bar, not the blank screen ({ink} px)"


def test_a_take_that_goes_on_after_the_app_is_kept_whole(tmp_path: Path) -> None:
    cast = _cast(tmp_path, "\x1b[?1049hthe app", "\x1b[?1049l", "$ echo done\r\ndone\r\n")
    assert gif._ending_on_the_app(cast, tmp_path) == cast


def test_gif_options_reach_agg(tmp_path: Path) -> None:
    cast = _cast(tmp_path, "\x1b[?1049h\x1b[1;1Hkitchen")
    small, large = tmp_path / "small.gif", tmp_path / "large.gif"
    make_gif(cast, small, GifLook(font_size=10))
    summary = make_gif(cast, large, GifLook(font_size=20, palette=agg_palette("projector")))
    assert summary.width > 1.8 * Image.open(small).width
    assert _frames(large)[-1].getpixel((0, 0)) == (255, 255, 255)  # the projector's white


def test_the_gif_command_refuses_to_overwrite_and_names_bad_input(tmp_path: Path) -> None:
    cast = _cast(tmp_path, "kitchen")
    out = tmp_path / "out.gif"
    assert _kitchen("gif", str(cast), str(out)).returncode == 0
    for args, says in [
        ([str(cast), str(out)], f"refusing to overwrite {out}: pass --force"),
        ([str(tmp_path / "none.cast"), str(tmp_path / "n.gif")], "none.cast: no such cast file"),
        ([str(cast), str(tmp_path / "x.png")], "x.png: a GIF file ends in .gif"),
        ([str(cast), str(tmp_path / "y.gif"), "--font-size", "2"], "takes pixels from 6 to 72"),
        ([str(out), str(tmp_path / "z.gif")], "agg could not draw"),
    ]:
        done = _kitchen("gif", *args)
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 2 and len(lines) == 1 and says in lines[0], (args, lines)
    assert _kitchen("gif", str(cast), str(out), "--force").returncode == 0


def test_without_the_gif_extra_the_error_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> None:
        raise PackageNotFoundError(name)

    monkeypatch.setattr("kitchen_tui.recording.gif.metadata.distribution", missing)
    monkeypatch.setattr("kitchen_tui.recording.gif.shutil.which", lambda name: None)
    with pytest.raises(UsageError, match=r"GIFs need agg.*pip install 'kitchen-tui\[gif\]'"):
        gif.agg_binary()


def test_the_gif_takes_the_colours_the_cast_keeps_else_the_dark_theme(tmp_path: Path) -> None:
    from kitchen_tui.cli.gif import cast_theme

    plain = _cast(tmp_path, "\x1b[1;1Hkitchen")
    themed = tmp_path / "themed.cast"
    header, *events = plain.read_text().splitlines()
    head = {**json.loads(header), "theme": cast_theme("projector")}
    themed.write_text("\n".join([json.dumps(head), *events]) + "\n", encoding="utf-8")
    for cast_file, background in [(plain, BACKGROUND), (themed, (255, 255, 255))]:
        out = cast_file.with_suffix(".gif")
        assert _kitchen("gif", str(cast_file), str(out)).returncode == 0
        assert _frames(out)[-1].getpixel((1, 1)) == background, cast_file.name
    overridden = tmp_path / "overridden.gif"
    assert _kitchen("gif", str(themed), str(overridden), "--theme", "dark").returncode == 0
    assert _frames(overridden)[-1].getpixel((1, 1)) == BACKGROUND, "--theme wins over the cast's"
