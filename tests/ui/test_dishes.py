"""The one table of dish words: keys, help and echoes name a dish alike; times from the menu."""

from __future__ import annotations

from kitchen_tui.protocol.menu import MENU, Dish, Step
from kitchen_tui.ui.dishes import DISH_WORDS, OrderNumbers, dish_words, menu_figures
from kitchen_tui.ui.keys import ORDER_KEYS


def test_every_dish_key_orders_a_dish_of_the_menu_and_says_its_time() -> None:
    assert {words.dish for words in DISH_WORDS} <= set(MENU)
    helps = {key.key: key.help for key in ORDER_KEYS}
    assert helps["s"] == "slow LLM order (2 s of waiting)"
    assert helps["f"] == "fast Redis order (50 ms of I/O)"
    assert helps["c"] == "CPU-heavy PDF job (15 s of CPU)"
    assert helps["a"] == "AI chat pipeline (six steps in a row)"
    assert len(MENU["chat"].steps) == 6


def test_the_figures_are_read_from_the_dish() -> None:
    dish = Dish("x", "X", (Step("wait", 0.25, "a"), Step("cpu", 3.0, "b"), Step("wait", 0.5, "c")))
    assert menu_figures(dish) == {
        "wait": "750 ms",
        "cpu": "3 s",
        "blocking": "0 ms",
        "steps": "three",
    }


def test_a_scenarios_own_dish_is_named_by_its_name_and_numbered_by_its_letter() -> None:
    assert dish_words("lookup") == "lookup"
    numbers = OrderNumbers()
    assert [numbers.next_id(d) for d in ("redis", "lookup", "redis", "message")] == [
        "F1",
        "L1",
        "F2",
        "R1",
    ]
