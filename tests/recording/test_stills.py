"""PNG stills: Textual's SVG drawn by resvg, decoded with Pillow and measured cell by cell."""

from __future__ import annotations

import importlib.util
import io
import re
import subprocess
import sys
from pathlib import Path
from typing import cast

import pytest
from PIL import Image
from rich.console import Console
from rich.text import Text

from kitchen_tui.errors import UsageError
from kitchen_tui.recording import stills

RED, BLUE = (255, 0, 0), (0, 0, 255)
CELL_PX = 12.2  # rich's SVG: a cell is 0.61 of its 20 px font size


def _svg(tmp_path: Path, text: Text, width: int = 20) -> Path:
    console = Console(record=True, width=width, file=io.StringIO(), color_system="truecolor")
    console.print(text)
    path = tmp_path / "still.svg"
    path.write_text(console.export_svg(title="a still"), encoding="utf-8")
    return path


def _first_x(image: Image.Image, colour: tuple[int, int, int]) -> int:
    rgb = image.convert("RGB")
    for x in range(rgb.width):
        if any(rgb.getpixel((x, y)) == colour for y in range(rgb.height)):
            return x
    raise AssertionError(f"no pixel of {colour} in the still")


def test_a_png_keeps_the_cells_of_the_svg_spaces_between_spans_included(tmp_path: Path) -> None:
    # A span that starts with spaces (Textual writes them as &#160;): cairosvg drops them and
    # drew the blue 42 px after the red, rsvg-convert loses them too.
    svg = _svg(tmp_path, Text.assemble(("██", "#ff0000"), ("   ██", "#0000ff")))
    png = stills.svg_to_png(svg)
    assert png == svg.with_suffix(".png")
    image = Image.open(png)
    assert image.format == "PNG"
    width, height = (
        float(n) for n in re.findall(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg.read_text())[0]
    )
    assert image.size == (round(width), round(height))
    gap_px = _first_x(image, BLUE) - _first_x(image, RED)
    assert abs(gap_px - 5 * CELL_PX) < 2, f"blue starts {gap_px} px after red, not 5 cells"


def test_a_real_screenshot_is_drawn_in_the_theme_s_colours(tmp_path: Path) -> None:
    screenshot = Path(__file__).parents[2] / "screenshots" / "sync-stall.svg"
    png = stills.svg_to_png(screenshot, tmp_path / "sync-stall.png")
    image = Image.open(png).convert("RGB")
    assert image.size == (1482, 928)
    colours = set(image.get_flattened_data())
    # The header's blue KITCHEN badge, the amber front desk tickets, the red COOK BUSY.
    for fill in re.findall(r"fill: (#[0-9a-f]{6});font-weight: bold", screenshot.read_text())[:3]:
        rgb = tuple(int(fill[i : i + 2], 16) for i in (1, 3, 5))
        assert rgb in colours, f"{fill} of the SVG is nowhere in the PNG"


def test_formats_png_only_leaves_no_svg_and_both_keep_both(tmp_path: Path) -> None:
    svg = _svg(tmp_path, Text("served"))
    assert stills.finish_still(svg, ("svg", "png")) == [svg, svg.with_suffix(".png")]
    assert svg.exists()
    assert stills.finish_still(svg, ("png",)) == [svg.with_suffix(".png")]
    assert not svg.exists()


def test_a_still_is_finished_off_the_calling_thread_and_problems_are_reported(
    tmp_path: Path,
) -> None:
    svg = _svg(tmp_path, Text("served"))
    assert stills.finish_in_background(svg, ("svg",), print) is None
    problems: list[str] = []
    thread = stills.finish_in_background(svg, ("svg", "png"), problems.append)
    assert thread is not None
    thread.join(timeout=30)
    assert svg.with_suffix(".png").stat().st_size > 0 and problems == []
    broken = tmp_path / "broken.svg"
    broken.write_text("<svg", encoding="utf-8")
    thread = stills.finish_in_background(broken, ("png",), problems.append)
    assert thread is not None
    thread.join(timeout=30)
    assert len(problems) == 1 and problems[0].startswith("Could not draw broken.png")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("svg", ("svg",)),
        ("png", ("png",)),
        ("png,svg", ("svg", "png")),
        (" SVG , png ", ("svg", "png")),
    ],
)
def test_still_formats_are_parsed(text: str, expected: tuple[str, ...]) -> None:
    assert stills.parse_still_formats(text) == expected


@pytest.mark.parametrize("text", ["", "jpg", "svg,gif", ","])
def test_a_bad_still_format_is_one_line(text: str) -> None:
    with pytest.raises(UsageError, match=r"--stills-format takes svg, png or svg,png") as error:
        stills.parse_still_formats(text)
    assert "\n" not in str(error.value)


def test_png_without_resvg_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "resvg_py" else real(name, *a)
    )
    with pytest.raises(UsageError, match=r"pip install 'kitchen-tui\[png\]'"):
        stills.parse_still_formats("svg,png")
    assert stills.parse_still_formats("svg") == ("svg",)


@pytest.mark.slow
def test_a_recorded_talk_leaves_png_stills_at_its_markers(tmp_path: Path) -> None:
    talk = Path(__file__).parents[1] / "ui" / "fixtures" / "short-talk.toml"
    stills_dir = tmp_path / "stills"
    command = [sys.executable, "-m", "kitchen_tui", "record", "--scene", str(talk)]
    command += ["--out", str(tmp_path / "talk.cast"), "--stills", str(stills_dir)]
    done = subprocess.run(
        [*command, "--stills-format", "svg,png"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    names = sorted(path.name for path in stills_dir.iterdir())
    assert names == [
        "01-sync--one-cook.png",
        "01-sync--one-cook.svg",
        "02-async--the-same-orders.png",
        "02-async--the-same-orders.svg",
    ]
    for png in stills_dir.glob("*.png"):
        svg = png.with_suffix(".svg").read_text(encoding="utf-8")
        width, height = re.findall(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg)[0]
        image = Image.open(png)
        assert image.format == "PNG" and image.size == (round(float(width)), round(float(height)))
        served = (0x6B, 0xD8, 0x8A)  # the dark theme's ✓ badges: the scene's orders served
        if png.name.startswith("02"):
            assert served in set(
                cast(list[tuple[int, int, int]], image.convert("RGB").get_flattened_data())
            )


def test_a_bad_stills_format_on_play_is_one_line_and_exit_2() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kitchen_tui", "play", "three-tables", "--stills-format", "jpg"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "kitchen-tui: --stills-format takes svg, png or svg,png, got 'jpg' (jpg is not a format)"
    )
