"""The tree follows the two processes: checked statically (import-linter) and for real."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import kitchen_tui

PACKAGE = Path(kitchen_tui.__file__).resolve().parent
ROOT = PACKAGE.parent

pytestmark = pytest.mark.timeout(120)


def _modules_of(package: str) -> set[str]:
    folder = PACKAGE / package.removeprefix("kitchen_tui.").replace(".", "/")
    return {
        ".".join((package, *path.relative_to(folder).with_suffix("").parts)).removesuffix(
            ".__init__"
        )
        for path in folder.rglob("*.py")
        if path.name != "__init__.py" or path.parent != folder
    }


def _modules_the_kitchen_process_loads() -> set[str]:
    """Start the real kitchen process, let it shut down (stdin closes), list what it imported."""
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "kitchen_tui.kitchen.serve", "{}"],
        input=b"",
        capture_output=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr.decode(errors="replace")[-2000:]
    names = re.findall(r"\|\s+(kitchen_tui[\w.]*)\s*$", run.stderr.decode(), flags=re.M)
    return set(names) | {"kitchen_tui.kitchen.serve"}  # run as __main__, so not listed


def test_the_kitchen_process_loads_its_package_and_the_protocol_only() -> None:
    loaded = _modules_the_kitchen_process_loads()
    project = {name for name in loaded if name.count(".") >= 2}
    allowed = ("kitchen_tui.kitchen.", "kitchen_tui.protocol.")
    assert {name for name in project if not name.startswith(allowed)} == set()
    # Every module of the kitchen package runs in the kitchen process: nothing else is in it.
    assert _modules_of("kitchen_tui.kitchen") <= loaded


def test_no_module_is_over_400_lines() -> None:
    long = {
        str(path.relative_to(ROOT)): lines
        for path in PACKAGE.rglob("*.py")
        if (lines := len(path.read_text().splitlines())) > 400
    }
    assert long == {}


def test_import_contracts_hold() -> None:
    linter = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    if not Path(linter).exists():
        pytest.skip("import-linter is not installed")
    run = subprocess.run([linter], capture_output=True, text=True, timeout=100, cwd=ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "The kitchen process loads only the protocol of the project KEPT" in run.stdout
    assert "No package but the UI and the CLI imports Textual KEPT" in run.stdout
