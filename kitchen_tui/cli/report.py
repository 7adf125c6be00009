"""`kitchen-tui report`: serve a scenario for real, headless, and print what each order met."""

from __future__ import annotations

import argparse
import json
import sys

from rich.console import Console
from rich.table import Table

from kitchen_tui.cli.options import scenario_and_settings
from kitchen_tui.cli.talk_options import trace_path
from kitchen_tui.errors import UsageError
from kitchen_tui.kitchen.headless import OrderResult, RunResult, run_scenario
from kitchen_tui.kitchen.ledger import PARTS

PART_TITLES = {
    "front_desk": "desk",
    "ready": "ready",
    "cook": "cook",
    "rail": "rail",
    "shelf": "shelf",
}


def run_report(options: argparse.Namespace) -> int:
    scenario, settings = scenario_and_settings(options)
    if scenario is None:
        raise UsageError("report needs a scenario: --scenario NAME|FILE (try three-tables)")
    try:
        trace = trace_path(options.trace)
        result = run_scenario(scenario, settings, backend=options.backend, trace=trace)
    except RuntimeError as error:
        print(f"kitchen-tui: {error}", file=sys.stderr)
        return 1
    if options.json:
        print(json.dumps(report_json(result), indent=2))
    else:
        print_report(result, Console())
    return 0


def report_json(result: RunResult) -> dict[str, object]:
    return {
        "scenario": result.scenario.name,
        "title": result.scenario.title,
        "backend": result.backend,
        "settings": result.settings.to_json(),
        "orders": [_order_json(order) for order in result.orders],
        "summary": result.summary(),
    }


def _order_json(order: OrderResult) -> dict[str, object]:
    ticket = order.ticket
    return {
        "id": order.id,
        "dish": order.dish,
        "outcome": order.outcome,
        "arrived_s": order.arrived_s,
        "served_s": order.served_s,
        "latency_s": order.latency_s,
        "predicted_s": order.predicted.latency,
        "predicted_outcome": _predicted_outcome(order),
        "split": ticket.split if ticket else {},
        "error": ticket.error if ticket else None,
    }


def _predicted_outcome(order: OrderResult) -> str:
    if order.predicted.refused:
        return "refused"
    return "failed" if order.predicted.failed else "served"


def print_report(result: RunResult, console: Console) -> None:
    settings = result.settings
    shelf = f"prep shelf {settings.shelf_workers}" if settings.prep_shelf else "no prep shelf"
    cooks = f", {settings.cooks} cooks" if settings.mode == "threads" else ""
    console.print(
        f"[b]{result.scenario.title}[/b]  {settings.mode}{cooks}, {shelf}, "
        f"{result.backend}, speed {settings.speed:g}  (seconds are story seconds)"
    )
    console.print(_orders_table(result))
    console.print(_summary_line(result))


def _orders_table(result: RunResult) -> Table:
    table = Table(box=None, header_style="bold", pad_edge=False)
    for title in ("order", "dish", "arrived", "served", "latency", "model", *PART_TITLES.values()):
        table.add_column(title, justify="left" if title in ("order", "dish") else "right")
    for order in result.orders:
        table.add_row(*_order_cells(order))
    return table


def _order_cells(order: OrderResult) -> list[str]:
    ticket = order.ticket
    predicted = _seconds(order.predicted.latency) if not order.predicted.refused else "86'd"
    if ticket is None or order.outcome != "served":
        reason = "86'd" if order.outcome == "refused" else order.outcome
        detail = ticket.error if ticket and ticket.error else ""
        return [order.id, order.dish, _seconds(order.arrived_s), reason, detail, predicted]
    split = [_seconds(ticket.split.get(part)) for part in PARTS]
    return [
        order.id,
        order.dish,
        _seconds(order.arrived_s),
        _seconds(order.served_s),
        _seconds(order.latency_s),
        predicted,
        *split,
    ]


def _summary_line(result: RunResult) -> str:
    s = result.summary()
    return (
        f"served {s['served']}, failed {s['failed']}, 86'd {s['refused']}   "
        f"p50 {_seconds(s['p50_s'])}  p95 {_seconds(s['p95_s'])}  max {_seconds(s['max_s'])}   "
        f"loop stall {_seconds(s['loop_stall_s'])}   wall {_seconds(s['wall_s'])}"
    )


def _seconds(value: object) -> str:
    return f"{value:.3f}" if isinstance(value, float | int) else "-"
