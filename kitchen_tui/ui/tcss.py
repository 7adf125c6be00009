"""A widget's style sheet lives in a .tcss file beside its module and is read into DEFAULT_CSS."""

from __future__ import annotations

from pathlib import Path


def css_beside(module_file: str) -> str:
    """The .tcss file next to `module_file`: Textual reads style sheet files only for apps and
    screens (CSS_PATH), so a widget declares its own by reading it (Textual issue 3823)."""
    return Path(module_file).with_suffix(".tcss").read_text(encoding="utf-8")
