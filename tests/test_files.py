"""The one file reader: every scenario, scene and theme file meets the same checks, each
problem is one line, and nothing blocks (a FIFO), never ends (/dev/zero) or recurses away."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from kitchen_tui import files
from kitchen_tui.errors import UsageError
from kitchen_tui.talk.scenario import load_scenario
from kitchen_tui.talk.scene_file import load_scene_file
from kitchen_tui.ui.themes import resolve_theme
from tests.conftest import usage_error

pytestmark = pytest.mark.timeout(30)

LOADERS: dict[str, Callable[[str], object]] = {
    "scenario": load_scenario,
    "scene": load_scene_file,
    "theme": resolve_theme,
}
GOOD_THEME = '[colors]\nprimary = "#4aa8ff"\n'


def one_line_error(load: Callable[[str], object], path: Path | str) -> str:
    message = usage_error(load, str(path))
    assert str(path) in message
    return message


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.toml"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("what", LOADERS)
def test_a_fifo_is_refused_without_waiting_for_a_writer(what: str, fifo: Path) -> None:
    assert f"is a FIFO, not a {what} file" in one_line_error(LOADERS[what], fifo)


@pytest.mark.parametrize("what", LOADERS)
def test_a_device_that_never_ends_is_refused(what: str) -> None:
    assert f"is a device, not a {what} file" in one_line_error(LOADERS[what], "/dev/zero")


@pytest.mark.parametrize("what", LOADERS)
def test_a_directory_is_refused(what: str, tmp_path: Path) -> None:
    folder = tmp_path / "talks.toml"
    folder.mkdir()
    assert f"is a directory, not a {what} file" in one_line_error(LOADERS[what], folder)


@pytest.mark.parametrize("what", LOADERS)
def test_a_huge_file_is_refused_before_it_is_parsed(what: str, tmp_path: Path) -> None:
    path = tmp_path / "huge.toml"
    with path.open("w") as file:  # 18.9 MB, as in the report: a valid TOML comment
        file.write("# " + "x" * 18_900_000 + "\n")
    message = one_line_error(LOADERS[what], path)
    assert f"too large for a {what} file (limit {files.MAX_TEXT_BYTES:,} bytes)" in message


@pytest.mark.parametrize("what", LOADERS)
def test_text_that_is_not_utf8_names_its_line(what: str, tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(b"# ok\ntitle = 'caf\xe9'\n")
    message = one_line_error(LOADERS[what], path)
    assert f"latin1.toml:2: not UTF-8 text (byte 17): save the {what} file as UTF-8" in message


@pytest.mark.parametrize("what", LOADERS)
@pytest.mark.parametrize("nesting", ["[" * 500 + "]" * 500, "{a = " * 500 + "1" + "}" * 500])
def test_deep_nesting_is_one_line_not_a_recursion_error(
    what: str, nesting: str, tmp_path: Path
) -> None:
    path = tmp_path / "deep.toml"
    path.write_text(f"a = {nesting}\n")
    message = one_line_error(LOADERS[what], path)
    assert "deep.toml: invalid TOML: arrays or tables nested too deep" in message


def test_a_missing_file_and_an_unreadable_one() -> None:
    assert "no such theme file" in one_line_error(resolve_theme, "/nonexistent/dusk.toml")
    with pytest.raises(UsageError, match=r"^/proc/1/mem: cannot read: "):
        files.read_bytes("/proc/1/mem", "trace")


# --- theme names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("file_name", "name_line", "expected"),
    [
        ("my theme.toml", "", "its file name 'my theme' is not a theme name"),
        ("solar.v2.toml", "", "its file name 'solar.v2' is not a theme name"),
        ("dusk.toml", 'name = "a.b{c}"\n', "name 'a.b{c}' is not a theme name"),
        ("dusk.toml", 'name = "2dark"\n', "name '2dark' is not a theme name"),
        ("dusk.toml", 'name = "\\u001b[2J"\n', "name '\\\\x1b[2J' is not a theme name"),
        ("dusk.toml", 'name = ["x"]\n', 'name must be a string, like name = "dusk"'),
    ],
)
def test_a_theme_name_textual_cannot_use_is_one_line(
    file_name: str, name_line: str, expected: str, tmp_path: Path
) -> None:
    path = tmp_path / file_name
    path.write_text(name_line + GOOD_THEME)
    message = one_line_error(resolve_theme, path)
    assert message.startswith(f"theme file {path}: ") and expected in message


def test_a_good_theme_name_from_the_file_or_the_stem(tmp_path: Path) -> None:
    (tmp_path / "solar_v2.toml").write_text(GOOD_THEME)
    (tmp_path / "x.toml").write_text('name = "dusk-2"\n' + GOOD_THEME)
    assert resolve_theme(str(tmp_path / "solar_v2.toml")).name == "solar_v2"
    assert resolve_theme(str(tmp_path / "x.toml")).name == "dusk-2"


# --- as a user meets it ------------------------------------------------------------------------


@pytest.mark.parametrize("command", [[], ["play", "three-tables"], ["race"]])
def test_the_cli_refuses_a_fifo_theme_at_once(command: list[str], fifo: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "kitchen_tui", *command, "--theme", str(fifo)],
        capture_output=True,
        text=True,
        timeout=20,
        stdin=subprocess.DEVNULL,
    )
    assert run.returncode == 2
    assert run.stderr == f"kitchen-tui: {fifo}: is a FIFO, not a theme file\n"
