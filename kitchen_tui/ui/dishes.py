"""The dishes keys order, in one table: key, id letter, words on screen; times from the menu."""

from __future__ import annotations

from dataclasses import dataclass

from kitchen_tui.protocol.menu import MENU, STEP_KINDS, Dish


@dataclass(frozen=True)
class DishWords:
    """A dish as the screen names it: `s` orders a "slow LLM order", numbered S1, S2, ..."""

    dish: str
    key: str
    prefix: str  # the letter its order ids start with
    words: str  # the header's echo: "> S1 slow LLM order"
    # What the help adds in brackets; {wait}, {cpu}, {blocking} and {steps} come from the menu.
    detail: str
    footer: str = ""  # a short label puts the key in the footer (it must fit 80 columns)

    @property
    def title(self) -> str:
        return self.words[:1].upper() + self.words[1:]

    @property
    def help(self) -> str:
        return f"{self.words} ({self.detail.format(**menu_figures(MENU[self.dish]))})"


DISH_WORDS = (
    DishWords("llm", "s", "S", "slow LLM order", "{wait} of waiting", "LLM"),
    DishWords("redis", "f", "F", "fast Redis order", "{wait} of I/O", "Redis"),
    DishWords("postgres", "d", "D", "Postgres order", "{wait} of I/O"),
    DishWords("chat", "a", "A", "AI chat pipeline", "{steps} steps in a row"),
    DishWords("pdf", "c", "C", "CPU-heavy PDF job", "{cpu} of CPU", "PDF"),
    DishWords("sneaky", "b", "B", "sneaky blocking call", "{blocking}", "Blocker"),
)
WORDS_BY_DISH = {words.dish: words for words in DISH_WORDS}

# The rush: ten chat messages at once, numbered R1..R10.
RUSH_DISH = "message"
RUSH_SIZE = 10
RUSH_WORDS = "rush of chat messages"
_PREFIXES = {**{words.dish: words.prefix for words in DISH_WORDS}, RUSH_DISH: "R"}
_COUNT_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def dish_words(dish: str) -> str:
    """How the screen names an order of `dish`: a scenario's own dishes by their name."""
    known = WORDS_BY_DISH.get(dish)
    return known.words if known is not None else dish


def id_prefix(dish: str) -> str:
    return _PREFIXES.get(dish, dish[:1].upper())


def menu_figures(dish: Dish) -> dict[str, str]:
    """The dish's nominal seconds of each step kind, as help text reads them (2 s, 50 ms)."""
    figures: dict[str, str] = {
        kind: nominal_text(sum(step.seconds for step in dish.steps if step.kind == kind))
        for kind in STEP_KINDS
    }
    count = len(dish.steps)
    figures["steps"] = _COUNT_WORDS[count] if count < len(_COUNT_WORDS) else str(count)
    return figures


def nominal_text(seconds: float) -> str:
    """A duration as a menu states it: 2 s, 50 ms."""
    if seconds >= 1:
        return f"{seconds:g} s"
    return f"{seconds * 1000:g} ms"


class OrderNumbers:
    """Order ids as keys hand them out: the dish's letter and a count per letter (F1, F2, S1)."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}

    def next_id(self, dish: str) -> str:
        prefix = id_prefix(dish)
        self._counts[prefix] = self._counts.get(prefix, 0) + 1
        return f"{prefix}{self._counts[prefix]}"
