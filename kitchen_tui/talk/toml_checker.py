"""The value checks every file a user writes goes through, worded alike for every format.

`TomlChecker` takes the tables `tomllib` parsed and checks keys, types and ranges; each failure
is a `UsageError` of one line naming the file and the key path, with 0-based array indexes
(`three.toml: orders[2].dish: ...`). The scenario and scene-file checkers build on it.
"""

from __future__ import annotations

import re
from typing import TypeVar

from kitchen_tui.errors import UsageError
from kitchen_tui.talk.tomlfile import did_you_mean

MAX_LABEL = 60  # labels and titles are drawn on one line of a ticket or a header
MAX_ID = 24

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*\Z")

Choice = TypeVar("Choice", bound=str)


def describe(value: object) -> str:
    """A value as the user wrote it in TOML, short enough for one line."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    text = repr(value) if isinstance(value, (str, int, float)) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


class TomlChecker:
    """Checks the values of one parsed TOML document; `source` names the file in errors.

    `path` arguments are key paths as the user reads them; where a method takes a `key` too,
    `path` is the table's prefix (`"orders[0]."`, or `""` at the top) and the key is added.
    """

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, path: str, message: str) -> UsageError:
        return UsageError(f"{self.source}: {path}: {message}")

    def check_keys(self, table: dict[str, object], path: str, allowed: tuple[str, ...]) -> None:
        for key in table:
            if key not in allowed:
                hint = did_you_mean(key, allowed) or f" (expected one of: {', '.join(allowed)})"
                raise self.fail(f"{path}{key}", f"unknown key{hint}")

    def table(self, value: object, path: str, expected: str) -> dict[str, object]:
        if not isinstance(value, dict):
            raise self.fail(path, f"expected {expected}, got {describe(value)}")
        return value

    def array(self, value: object, path: str, expected: str) -> list[object]:
        if not isinstance(value, list):
            raise self.fail(path, f"expected {expected}, got {describe(value)}")
        return value

    def number(
        self, table: dict[str, object], key: str, path: str, low: float, high: float, default: float
    ) -> float:
        value = table.get(key, default)
        # TOML allows nan and inf: both fail the range test. A bool is an int to Python.
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not low <= value <= high
        ):
            raise self.fail(
                path + key, f"expected a number from {low:g} to {high:g}, got {describe(value)}"
            )
        return float(value)

    def limit(self, table: dict[str, object], key: str, path: str, most: float) -> float | None:
        """A patience or deadline: story seconds above 0 (a customer who waits 0 s never
        waits; leave the key out to wait for ever), or None when not given."""
        if key not in table:
            return None
        value = table[key]
        if isinstance(value, int | float) and not isinstance(value, bool) and value <= 0:
            raise self.fail(path + key, f"must be above 0 s (leave it out for none), got {value:g}")
        return self.number(table, key, path, 0, most, 0)

    def integer(
        self, table: dict[str, object], key: str, path: str, low: int, high: int, default: int
    ) -> int:
        value = table.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise self.fail(
                path + key, f"expected an integer from {low} to {high}, got {describe(value)}"
            )
        return value

    def boolean(self, table: dict[str, object], key: str, path: str, default: bool) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(path + key, f"expected true or false, got {describe(value)}")
        return value

    def text(
        self, table: dict[str, object], key: str, path: str, default: str, limit: int = MAX_LABEL
    ) -> str:
        value = table.get(key, default)
        if not isinstance(value, str) or not value.strip() or len(value) > limit:
            expected = f"a non-empty string of at most {limit} characters"
            raise self.fail(path + key, f"expected {expected}, got {describe(value)}")
        if not value.isprintable():  # a newline or escape code would break a one-line ticket
            raise self.fail(path + key, "expected one line of printable text")
        return value

    def name(self, value: object, path: str, what: str) -> str:
        if not isinstance(value, str) or not _NAME.match(value) or len(value) > MAX_ID:
            raise self.fail(
                path,
                f"expected {what}: letters, digits, '-' or '_', at most {MAX_ID} characters,"
                f" got {describe(value)}",
            )
        return value

    def choice(self, value: object, path: str, choices: tuple[Choice, ...]) -> Choice:
        """One of `choices` (a mode, a step kind): the Literal itself, so no cast is needed."""
        for choice in choices:
            if value == choice:
                return choice
        raise self.fail(path, f"expected one of {', '.join(choices)}, got {describe(value)}")
