"""The built-in scenarios and scenes by name: all the command line needs before a file is read.

Kept apart from the parsers so that `kitchen-tui --help` and a plain start do not load them.
"""

from __future__ import annotations

# Keys 1-5 in the TUI, in this order.
BUILTIN_SCENARIOS: tuple[str, ...] = (
    "three-tables",
    "ten-chats",
    "pdf-embed",
    "hidden-blocker",
    "chat-pipeline",
)

# The lesson's order: the talk a speaker gives.
BUILTIN_SCENES: tuple[str, ...] = (
    "three-tables",
    "hidden-blocker",
    "pdf-embed",
    "ten-chats",
    "capacity",
    "giving-up",
)
