"""Kitchen TUI: a terminal kitchen that makes sync vs async visible."""

__version__ = "0.1.0"
