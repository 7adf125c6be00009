"""Scenario files: the built-ins, the TOML format, and one clear line for every mistake."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import pytest

from kitchen_tui import files
from kitchen_tui.errors import UsageError
from kitchen_tui.protocol.menu import MENU, Dish, Step
from kitchen_tui.protocol.orders import Order
from kitchen_tui.protocol.settings import MAX_COOKS, KitchenSettings
from kitchen_tui.talk import scenario as scenario_module
from kitchen_tui.talk.catalog import BUILTIN_SCENARIOS, BUILTIN_SCENES
from kitchen_tui.talk.scenario import (
    Scenario,
    full_menu,
    load_scenario,
    parse_scenario,
)
from tests.conftest import nominal_seconds, usage_error


def parse(text: str) -> Scenario:
    return parse_scenario(text, "three.toml")


def error_of(text: str) -> str:
    return usage_error(parse_scenario, text, "three.toml")


# --- built-ins -------------------------------------------------------------------------------


def test_builtin_scenarios_keep_the_order_of_keys_1_to_5() -> None:
    assert BUILTIN_SCENARIOS == (
        "three-tables",
        "ten-chats",
        "pdf-embed",
        "hidden-blocker",
        "chat-pipeline",
    )


@pytest.mark.parametrize(
    ("folder", "names"), [("scenarios", BUILTIN_SCENARIOS), ("scenes", BUILTIN_SCENES)]
)
def test_builtin_names_match_the_shipped_files(folder: str, names: tuple[str, ...]) -> None:
    shipped = resources.files("kitchen_tui.talk") / folder
    toml = {item.name for item in shipped.iterdir() if item.name.endswith(".toml")}
    assert toml == {f"{name}.toml" for name in names}


@pytest.mark.parametrize("name", BUILTIN_SCENARIOS)
def test_every_builtin_loads_with_a_title_and_orders(name: str) -> None:
    scenario = load_scenario(name)
    assert scenario.name == name
    assert 0 < len(scenario.title) <= 60
    assert scenario.orders
    assert [order.at for order in scenario.orders] == sorted(order.at for order in scenario.orders)
    menu = full_menu(scenario)
    assert all(order.dish in menu for order in scenario.orders)


def test_three_tables_is_the_lessons_shape() -> None:
    scenario = load_scenario("three-tables")
    assert scenario.settings.mode == "sync"
    assert scenario.orders == (
        Order("A", "llm", 0.0),
        Order("B", "redis", 0.0),
        Order("C", "postgres", 0.0),
    )
    # The figures the lesson quotes: 2 s, 50 ms and 80 ms.
    assert [nominal_seconds(MENU[order.dish]) for order in scenario.orders] == [2.0, 0.05, 0.08]


def test_ten_chats() -> None:
    scenario = load_scenario("ten-chats")
    assert scenario.settings.mode == "sync"
    assert [order.id for order in scenario.orders] == [f"M{n}" for n in range(1, 11)]
    assert {(order.dish, order.at) for order in scenario.orders} == {("message", 0.0)}


def test_pdf_embed() -> None:
    scenario = load_scenario("pdf-embed")
    assert scenario.settings.mode == "async"
    assert scenario.settings.prep_shelf is False
    assert scenario.orders[0] == Order("P", "pdf", 0.0)
    trickle = scenario.orders[1:]
    assert {order.dish for order in trickle} == {"redis"}
    assert len(trickle) >= 20
    assert trickle[-1].at >= 15.0  # small orders keep arriving while the PDF cooks


def test_hidden_blocker() -> None:
    scenario = load_scenario("hidden-blocker")
    assert scenario.settings.mode == "async"
    sneaky = [order for order in scenario.orders if order.dish == "sneaky"]
    assert len(sneaky) == 1 and 0.5 <= sneaky[0].at <= 1.5
    others = {order.dish for order in scenario.orders} - {"sneaky"}
    assert others == {"redis", "postgres"}
    assert max(order.at for order in scenario.orders) > sneaky[0].at  # orders after it, too


def test_chat_pipeline() -> None:
    scenario = load_scenario("chat-pipeline")
    assert scenario.settings.mode == "async"
    assert {order.dish for order in scenario.orders} == {"chat"}
    assert 2 <= len(scenario.orders) <= 10
    assert len({order.at for order in scenario.orders}) == len(scenario.orders)  # staggered


# --- the format ------------------------------------------------------------------------------


def test_empty_file_is_a_default_kitchen_named_after_the_file() -> None:
    scenario = parse_scenario("", "demo/quiet.toml")
    assert scenario.name == "quiet"
    assert scenario.title == "quiet"
    assert scenario.settings == KitchenSettings()
    assert scenario.orders == ()
    assert scenario.dishes == {}


def test_settings_keys() -> None:
    scenario = parse_scenario(
        'title = "Busy"\nmode = "threads"\nprep_shelf = true\ncooks = 8\n'
        "front_desk = 50\nshelf_size = 2\nspeed = 0.5\n",
        "busy.toml",
    )
    assert scenario.title == "Busy"
    assert scenario.settings == KitchenSettings(
        mode="threads", prep_shelf=True, cooks=8, shelf_size=2, front_desk=50, speed=0.5
    )


def test_shelf_size_absent_means_one_worker_per_cpu() -> None:
    assert load_scenario("three-tables").settings.shelf_size == 0


def test_count_and_every_expand_into_numbered_orders() -> None:
    scenario = parse_scenario(
        '[[orders]]\nid = "M"\ndish = "redis"\nat = 1.0\ncount = 31\nevery = 0.1\n', "x.toml"
    )
    assert [order.id for order in scenario.orders[:3]] == ["M1", "M2", "M3"]
    assert scenario.orders[-1] == Order("M31", "redis", 4.0)  # rounded: no 4.000000000000001
    assert scenario.orders[10].at == 2.0


def test_count_without_every_arrives_all_at_once() -> None:
    scenario = parse_scenario('[[orders]]\nid = "T1"\ndish = "llm"\ncount = 3\n', "x.toml")
    assert scenario.orders == (Order("T1-1", "llm"), Order("T1-2", "llm"), Order("T1-3", "llm"))


def test_ids_default_to_the_dish_numbered_across_the_file() -> None:
    scenario = parse_scenario(
        '[[orders]]\ndish = "redis"\ncount = 2\n[[orders]]\ndish = "llm"\n'
        '[[orders]]\ndish = "redis"\nat = 1\n',
        "x.toml",
    )
    assert [order.id for order in scenario.orders] == ["redis1", "redis2", "llm1", "redis3"]


def test_orders_are_sorted_by_arrival_and_ties_keep_file_order() -> None:
    scenario = parse_scenario(
        '[[orders]]\nid = "late"\ndish = "llm"\nat = 2\n'
        '[[orders]]\nid = "B"\ndish = "redis"\n[[orders]]\nid = "A"\ndish = "redis"\n',
        "x.toml",
    )
    assert [order.id for order in scenario.orders] == ["B", "A", "late"]
    assert all(isinstance(order.at, float) for order in scenario.orders)


def test_custom_dishes() -> None:
    scenario = parse_scenario(
        "[[orders]]\nid = 'L'\ndish = 'lookup'\n"
        "[dishes.lookup]\nlabel = 'Session lookup'\n"
        "steps = [{ kind = 'wait', seconds = 0.05, label = 'GET session' },\n"
        "         { kind = 'cpu', seconds = 1, error = 'boom' }]\n",
        "x.toml",
    )
    lookup = Dish(
        "lookup",
        "Session lookup",
        (Step("wait", 0.05, "GET session"), Step("cpu", 1.0, "cpu", error="boom")),
    )
    assert scenario.dishes == {"lookup": lookup}
    assert scenario.orders == (Order("L", "lookup"),)
    menu = full_menu(scenario)
    assert menu["lookup"] == lookup
    assert menu["llm"] == MENU["llm"]
    assert "lookup" not in MENU  # merging copies, never changes the shared menu


def test_custom_dish_label_defaults_to_its_name() -> None:
    scenario = parse("[dishes.nap]\nsteps = [{ kind = 'blocking', seconds = 0 }]\n")
    assert scenario.dishes["nap"].label == "nap"


def test_load_from_a_path(tmp_path: Path) -> None:
    path = tmp_path / "lunch.toml"
    path.write_text('title = "Lunch rush"\n[[orders]]\nid = "A"\ndish = "chat"\n')
    scenario = load_scenario(str(path))
    assert (scenario.name, scenario.title) == ("lunch", "Lunch rush")
    assert scenario.orders == (Order("A", "chat"),)


# --- errors: each one line, naming the file, the place and what is expected -------------------


def test_invalid_toml_names_line_and_column() -> None:
    message = error_of('title = "x"\n\n[[orders]]\nid  "A"\n')
    assert message.startswith("three.toml:4:5: invalid TOML: ")
    assert "(at line" not in message


def test_invalid_toml_at_end_of_document() -> None:
    message = error_of('title = "x"\nmode')
    assert message.startswith("three.toml:2:5: invalid TOML: ")


def test_unknown_dish_lists_the_menu() -> None:
    text = '[[orders]]\ndish = "llm"\n[[orders]]\ndish = "redis"\n[[orders]]\ndish = "lama"\n'
    message = error_of(text)
    assert message.startswith(
        "three.toml: orders[2].dish: unknown dish 'lama' (menu: llm, redis, postgres, "
    )
    assert "or define it under [dishes])" in message


def test_unknown_dish_lists_custom_dishes_too() -> None:
    message = error_of(
        "[[orders]]\ndish = 'lookpu'\n[dishes.lookup]\nsteps = [{kind='wait', seconds=1}]\n"
    )
    assert "sneaky, lookup, or define it under [dishes]); did you mean 'lookup'?" in message


def test_missing_dish() -> None:
    assert error_of('[[orders]]\nid = "A"\n') == (
        "three.toml: orders[0].dish: missing: every order needs a dish"
    )


def test_bad_mode() -> None:
    assert error_of('mode = "fast"') == (
        "three.toml: mode: expected one of sync, threads, async, got 'fast'"
    )


def test_negative_step_seconds() -> None:
    message = error_of("[dishes.lookup]\nsteps = [{ kind = 'wait', seconds = -1 }]\n")
    assert message == (
        "three.toml: dishes.lookup.steps[0].seconds: expected a number from 0 to 3600, got -1"
    )


def test_nan_and_inf_are_not_numbers_we_accept() -> None:
    assert error_of("speed = nan").endswith("expected a number from 0.1 to 10, got nan")
    assert error_of("speed = inf").endswith("got inf")


def test_unknown_key_suggests_the_right_one() -> None:
    assert error_of("prep_shelves = true") == (
        "three.toml: prep_shelves: unknown key; did you mean 'prep_shelf'?"
    )


def test_unknown_key_without_a_close_match_lists_the_keys() -> None:
    message = error_of("[[orders]]\ndish = 'llm'\nwhen = 3\n")
    assert message.startswith("three.toml: orders[0].when: unknown key (expected one of: id, dish")


def test_unknown_step_key() -> None:
    message = error_of("[dishes.x]\nsteps = [{ kind = 'cpu', seconds = 1, lable = 'y' }]\n")
    assert message == "three.toml: dishes.x.steps[0].lable: unknown key; did you mean 'label'?"


def test_wrong_types() -> None:
    assert error_of('cooks = "forty"') == (
        f"three.toml: cooks: expected an integer from 1 to {MAX_COOKS}, got 'forty'"
    )
    assert error_of("cooks = 4.0").endswith("got 4.0")
    assert error_of("title = 3").startswith("three.toml: title: expected a non-empty string")
    assert error_of('orders = "A"') == (
        "three.toml: orders: expected an array of tables ([[orders]]), got 'A'"
    )
    assert error_of("[[orders]]\ndish = 'llm'\nat = '1s'\n") == (
        "three.toml: orders[0].at: expected a number from 0 to 3600, got '1s'"
    )
    assert error_of("[[orders]]\ndish = 3\n") == (
        "three.toml: orders[0].dish: expected a dish name, got 3"
    )
    assert error_of("dishes = 3") == (
        "three.toml: dishes: expected a table of dishes ([dishes.NAME]), got 3"
    )


def test_booleans_must_be_booleans() -> None:
    assert error_of("prep_shelf = 1") == "three.toml: prep_shelf: expected true or false, got 1"
    assert error_of('prep_shelf = "yes"').endswith("got 'yes'")


def test_a_boolean_is_not_a_number() -> None:
    assert error_of("cooks = true") == (
        f"three.toml: cooks: expected an integer from 1 to {MAX_COOKS}, got true"
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("cooks = 0", "cooks: expected an integer from 1 to 1000, got 0"),
        ("cooks = 1001", "cooks: expected an integer from 1 to 1000, got 1001"),
        ("front_desk = 0", "front_desk: expected an integer from 1 to 1000000, got 0"),
        ("shelf_size = 65", "shelf_size: expected an integer from 1 to 64, got 65"),
        ("shelf_size = 0", "shelf_size: expected an integer from 1 to 64, got 0"),
        ("speed = 0.01", "speed: expected a number from 0.1 to 10, got 0.01"),
        ("speed = 11", "speed: expected a number from 0.1 to 10, got 11"),
    ],
)
def test_settings_ranges(line: str, expected: str) -> None:
    assert error_of(line) == f"three.toml: {expected}"


@pytest.mark.parametrize("count", ["0", "100001", "2.5", "'3'"])
def test_count_must_be_an_integer_in_range(count: str) -> None:
    message = error_of(f"[[orders]]\ndish = 'redis'\ncount = {count}\n")
    assert message == (
        f"three.toml: orders[0].count: expected an integer from 1 to 100000, got {count}"
    )


def test_expansion_may_not_run_past_the_time_limit() -> None:
    message = error_of("[[orders]]\ndish = 'redis'\ncount = 100\nevery = 60\n")
    assert message == (
        "three.toml: orders[0].every: the last copy would arrive at 5940 s, past 3600 s"
    )


def test_too_many_orders_in_all(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scenario_module, "MAX_ORDERS", 10)  # the real limit, 100000, is slow
    text = "[[orders]]\ndish = 'redis'\ncount = 6\n" * 2
    assert error_of(text) == "three.toml: orders[1].count: more than 10 orders in all"


def test_bad_step_kind() -> None:
    message = error_of("[dishes.x]\nsteps = [{ kind = 'io', seconds = 1 }]\n")
    assert message == (
        "three.toml: dishes.x.steps[0].kind: expected one of wait, cpu, blocking, got 'io'"
    )


def test_step_seconds_past_the_limit() -> None:
    message = error_of("[dishes.x]\nsteps = [{ kind = 'wait', seconds = 3601 }]\n")
    assert message.endswith("steps[0].seconds: expected a number from 0 to 3600, got 3601")


def test_step_needs_kind_and_seconds() -> None:
    message = error_of("[dishes.x]\nsteps = [{ kind = 'wait' }]\n")
    assert message == (
        "three.toml: dishes.x.steps[0].seconds: missing: every step needs a kind and seconds"
    )


def test_dish_needs_steps() -> None:
    assert error_of("[dishes.x]\nlabel = 'X'\n") == (
        "three.toml: dishes.x.steps: missing: a dish needs at least one step"
    )
    assert error_of("[dishes.x]\nsteps = []\n") == (
        "three.toml: dishes.x.steps: expected 1 to 100 steps, got 0"
    )


def test_step_error_must_be_text() -> None:
    message = error_of("[dishes.x]\nsteps = [{ kind = 'wait', seconds = 1, error = true }]\n")
    assert message.startswith("three.toml: dishes.x.steps[0].error: expected a non-empty string")


def test_labels_are_one_line() -> None:
    message = error_of('title = "two\\nlines"')
    assert message == "three.toml: title: expected one line of printable text"


def test_a_custom_dish_may_not_take_a_menu_name() -> None:
    message = error_of("[dishes.llm]\nsteps = [{ kind = 'wait', seconds = 0.1 }]\n")
    assert message.startswith("three.toml: dishes.llm: name taken by the built-in menu (llm, ")
    assert message.endswith("); pick another")


def test_dish_names_are_plain() -> None:
    message = error_of('[dishes."my dish"]\nsteps = [{ kind = "wait", seconds = 1 }]\n')
    assert message.startswith("three.toml: dishes: expected a dish name: letters, digits")
    assert message.endswith("got 'my dish'")


def test_duplicate_ids_after_expansion() -> None:
    text = "[[orders]]\nid = 'M'\ndish = 'redis'\ncount = 3\n[[orders]]\nid = 'M2'\ndish = 'llm'\n"
    assert error_of(text) == (
        "three.toml: orders[1].id: duplicate order id 'M2' (also made by orders[0])"
    )


def test_duplicate_plain_ids() -> None:
    text = "[[orders]]\nid = 'A'\ndish = 'redis'\n[[orders]]\nid = 'A'\ndish = 'llm'\n"
    assert "orders[1].id: duplicate order id 'A'" in error_of(text)


def test_order_ids_are_plain() -> None:
    message = error_of("[[orders]]\nid = 'a b'\ndish = 'llm'\n")
    assert message.startswith("three.toml: orders[0].id: expected an order id: letters, digits")


def test_missing_scenario_names_the_builtins(tmp_path: Path) -> None:
    missing = str(tmp_path / "x.toml")
    with pytest.raises(UsageError) as caught:
        load_scenario(missing)
    assert str(caught.value) == (
        f"no such scenario {missing!r}: not a built-in (three-tables, ten-chats, pdf-embed,"
        f" hidden-blocker, chat-pipeline) and no file at {missing}"
    )


def test_missing_scenario_suggests_a_builtin() -> None:
    with pytest.raises(UsageError, match=r"no file at three-table; did you mean 'three-tables'\?"):
        load_scenario("three-table")


def test_a_directory_is_not_a_scenario(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        load_scenario(str(tmp_path))
    assert str(caught.value) == f"{tmp_path}: is a directory, not a scenario file"


def test_an_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secret.toml"
    path.write_text("mode = 'sync'\n")

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "open", refuse)  # chmod 0 does not stop root
    with pytest.raises(UsageError) as caught:
        load_scenario(str(path))
    assert str(caught.value) == f"{path}: cannot read: Permission denied"


def test_a_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "blob.toml"
    path.write_bytes(b"mode = '\xff'\n")
    with pytest.raises(UsageError, match=r"blob.toml:1: not UTF-8 text \(byte 8\): save the"):
        load_scenario(str(path))


def test_a_file_error_names_the_path_as_given(tmp_path: Path) -> None:
    path = tmp_path / "typo.toml"
    path.write_text("mode = 'fast'\n")
    with pytest.raises(UsageError) as caught:
        load_scenario(str(path))
    assert str(caught.value).startswith(f"{path}: mode: expected one of")


def test_a_huge_file_is_refused_before_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files, "MAX_TEXT_BYTES", 10)
    path = tmp_path / "big.toml"
    path.write_text("title = 'a long enough title'\n")
    with pytest.raises(UsageError, match=r"big.toml: too large for a scenario file \(limit 10"):
        load_scenario(str(path))
