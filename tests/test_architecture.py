"""The kitchen engine never imports Textual (nor the UI): checked statically and for real."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import kitchen_tui

ROOT = Path(kitchen_tui.__file__).resolve().parent.parent

pytestmark = pytest.mark.timeout(120)

IMPORT_ALL = """
import json, pkgutil, importlib, sys
import kitchen_tui.kitchen as kitchen
names = [kitchen.__name__] + [
    info.name for info in pkgutil.walk_packages(kitchen.__path__, kitchen.__name__ + ".")
]
for name in names:
    importlib.import_module(name)
loaded = sorted(
    name for name in sys.modules
    if name == "textual" or name.startswith(("textual.", "kitchen_tui.ui", "kitchen_tui.cli"))
)
print(json.dumps({"imported": names, "forbidden": loaded}))
"""


def test_importing_every_kitchen_module_loads_no_textual() -> None:
    run = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert "kitchen_tui.kitchen.engine" in result["imported"]
    assert "kitchen_tui.kitchen.serve" in result["imported"]
    assert len(result["imported"]) >= 10
    assert result["forbidden"] == []


def test_import_contracts_hold() -> None:
    linter = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    if not Path(linter).exists():
        pytest.skip("import-linter is not installed")
    run = subprocess.run([linter], capture_output=True, text=True, timeout=100, cwd=ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "never imports the UI or Textual KEPT" in run.stdout
