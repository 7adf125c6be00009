"""The commands: what the parent writes, the kitchen parses back to the same value, once."""

from __future__ import annotations

import json

import pytest

from kitchen_tui.errors import UsageError
from kitchen_tui.protocol.commands import (
    ChangeSettings,
    Command,
    DefineDishes,
    MalformedCommand,
    PlaceOrders,
    Reset,
    RestartWorker,
    SetWorkers,
    Shutdown,
    parse_command,
)
from kitchen_tui.protocol.menu import MENU
from kitchen_tui.protocol.orders import Order
from kitchen_tui.protocol.pool_commands import Retire, RollCall
from kitchen_tui.protocol.settings import COOKS, FRONT_DESK, SHELF_PER_CPU, SHELF_SIZE, Range
from kitchen_tui.talk.scenario import parse_scenario

COMMANDS: list[Command] = [
    PlaceOrders((Order("A", "llm"), Order("B", "redis", 0.5)), t0=1234.5),
    PlaceOrders((Order("C", "postgres"),)),
    DefineDishes(tuple(MENU.values())),
    ChangeSettings(mode="threads", cooks=3, speed=0.5),
    ChangeSettings(prep_shelf=True, shelf_size=0, front_desk=2),
    Reset(),
    Shutdown(),
    RestartWorker(2),
    SetWorkers(4),
    Retire(),
    RollCall(3),
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: type(c).__name__)
def test_a_command_parses_back_to_itself(command: Command) -> None:
    line = (json.dumps(command.to_json()) + "\n").encode()
    assert parse_command(line) == command


def test_settings_name_only_what_they_change() -> None:
    assert ChangeSettings(mode="sync").to_json() == {"cmd": "settings", "mode": "sync"}
    assert ChangeSettings.of({"speed": 2}).changes() == {"speed": 2.0}


@pytest.mark.parametrize(
    ("line", "says"),
    [
        (b"{not json", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"cmd": "dance"}', "no command named 'dance'"),
        (b'{"orders": []}', "no command named None"),
        (b'{"cmd": "order", "orders": {}}', "`orders` must be a list"),
        (b'{"cmd": "order", "orders": [], "t0": "now"}', "`t0` must be a number"),
        (b'{"cmd": "dishes", "dishes": [{"name": "half a dish"}]}', "a dish needs label, steps"),
        (b'{"cmd": "dishes", "dishes": ["x"]}', "a dish must be an object"),
        (
            b'{"cmd": "dishes",'
            b' "dishes": [{"name": "x", "label": "x", "steps": [{"kind": "cpu"}]}]}',
            "x: a step needs seconds, label",
        ),
        (
            b'{"cmd": "dishes", "dishes": [{"name": "x", "label": "x",'
            b' "steps": [{"kind": "cpu", "seconds": "ten", "label": "z"}]}]}',
            "dishes: could not convert string to float",
        ),
        (
            b'{"cmd": "dishes", "dishes": [{"name": "x", "label": "x",'
            b' "steps": [{"kind": "nap", "seconds": 1, "label": "z"}]}]}',
            "x: a step is nap",
        ),
        (b'{"cmd": "settings", "mode": "turbo"}', "`mode` must be one of sync, threads, async"),
        (b'{"cmd": "settings", "cooks": 0}', "`cooks` must be from 1"),
        (b'{"cmd": "settings", "cooks": true}', "`cooks` must be from 1"),
        (b'{"cmd": "settings", "prep_shelf": 1}', "`prep_shelf` must be true or false"),
        (b'{"cmd": "settings", "speed": 1000}', "`speed` must be from"),
        (b'{"cmd": "settings", "colour": "red"}', "no setting named colour"),
        (b"\xff\xfe", "not JSON"),
        (b'{"cmd": "restart_worker", "worker": 0}', "`worker` must be from 1 to 16, got 0"),
        (b'{"cmd": "workers", "count": 17}', "`count` must be from 1 to 16, got 17"),
        (b'{"cmd": "workers"}', "`count` must be from 1 to 16, got None"),
    ],
)
def test_a_malformed_line_says_what_is_wrong(line: bytes, says: str) -> None:
    with pytest.raises(MalformedCommand) as caught:
        parse_command(line)
    assert says in str(caught.value)


@pytest.mark.parametrize(
    ("order", "read", "says"),
    [
        ({"id": "A"}, Order("A", "?"), "order A: `dish` must be a name"),
        ({"dish": "llm"}, Order("#2", "llm"), "each order needs an id"),
        ({"id": "A", "dish": "llm", "at": -1}, Order("A", "llm"), "`at`"),
        ({"id": 5, "dish": "llm", "at": 0.5, "x": 1}, Order("5", "llm", 0.5), None),
    ],
)
def test_an_order_that_cannot_be_read_is_one_that_fails_alone(
    order: dict[str, object], read: Order, says: str | None
) -> None:
    """The orders beside it in the line are read as they are."""
    line = json.dumps({"cmd": "order", "orders": [{"id": "R", "dish": "redis"}, order]})
    command = parse_command(line)
    assert isinstance(command, PlaceOrders)
    first, second = command.orders
    assert first == Order("R", "redis")
    assert (second.id, second.dish, second.at) == (read.id, read.dish, read.at)
    assert (second.problem is None) if says is None else (says in str(second.problem))


@pytest.mark.parametrize(
    ("name", "allowed"), [("cooks", COOKS), ("shelf_size", SHELF_SIZE), ("front_desk", FRONT_DESK)]
)
def test_the_kitchen_and_a_scenario_file_take_the_same_range_of_a_count(
    name: str, allowed: Range
) -> None:
    for value in (allowed.low, allowed.high):
        assert ChangeSettings.of({name: value}).changes() == {name: value}
        assert getattr(parse_scenario(f"{name} = {value}", "s.toml").settings, name) == value
    for value in (allowed.low - 1, allowed.high + 1):
        if name == "shelf_size" and value == SHELF_PER_CPU:
            continue  # the kitchen takes it: the settings a scenario without one sends
        with pytest.raises(MalformedCommand, match=f"`{name}` must be from {allowed.low}"):
            ChangeSettings.of({name: value})
        with pytest.raises(UsageError, match=f"{name}: expected an integer from {allowed.low}"):
            parse_scenario(f"{name} = {value}", "s.toml")


def test_the_kitchen_takes_shelf_size_0_as_one_worker_per_cpu() -> None:
    assert ChangeSettings.of({"shelf_size": SHELF_PER_CPU}).shelf_size == SHELF_PER_CPU
    assert parse_scenario("", "s.toml").settings.shelf_size == SHELF_PER_CPU
