"""The live stream and its figures: `python bench/bench_live.py` prints two sets of figures.

1. Little's law on the live figures over a minute of steady load: a real async kitchen, the
   rate dial's own stream (the kitchen's customers thread, seeded Poisson) of the lesson's chat
   message at half the loop's capacity; the queueing figures over the steady minute, read off
   the ledger as the TUI reads them: L against X x W (target: within 1 %), and how late the
   doorman seated customers against their stamped instants.
2. What the live chart costs the UI: the app on a real pseudo-terminal at 120x36 with the same
   stream, the UI process's CPU share and frames a second with the chart and the queueing panel
   shown, then hidden (g), measured from inside the app (target: under 5 % of a core more).

`--only littles` or `--only chart` runs one of them.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_ui import Terminal  # noqa: E402  (bench/bench_ui.py: run as `python bench/bench_live.py`)
from machine import machine  # noqa: E402

STEADY_S = 60.0
WARM_S = 5.0
RATE = 12.5  # chats a story second: half the async loop's 25
CHART_SECONDS = 8.0


def littles() -> dict[str, Any]:
    from kitchen_tui.protocol.commands import SetStream
    from kitchen_tui.protocol.settings import KitchenSettings
    from kitchen_tui.stream.capacity import littles_law
    from kitchen_tui.stream.client import KitchenProcess
    from kitchen_tui.stream.ledger import Ledger
    from kitchen_tui.stream.queueing import queue_figures

    kitchen = KitchenProcess(KitchenSettings(mode="async"))
    kitchen.start(wait=True)
    ledger = Ledger()
    try:
        kitchen.stream(SetStream(RATE, {"message": 1}, seed=11))
        start = time.perf_counter()
        while time.perf_counter() - start < WARM_S + STEADY_S:
            event = kitchen.get(timeout=0.1)
            if event is not None:
                ledger.apply(event)
        kitchen.stream(SetStream(0.0))
        end = time.perf_counter()
        for event in kitchen.drain():
            ledger.apply(event)
    finally:
        kitchen.stop()
    figures = queue_figures(ledger, end, window_s=STEADY_S)
    assert figures is not None
    story = ledger.story
    stays = [
        (story.at(t.arrived), None if t.done is None else story.at(t.done))
        for t in ledger.tickets.values()
    ]
    in_kitchen, x_w = littles_law(stays, story.at(end - STEADY_S), story.at(end))
    late = [t.seated - t.arrived for t in ledger.tickets.values() if t.seated is not None]
    return {
        "window_s": figures.window_s,
        "offered_per_s": figures.offered_per_s,
        "throughput_per_s": figures.throughput_per_s,
        "L": figures.in_kitchen,
        "X_x_W": figures.answered_x_latency,
        "gap": figures.little_gap,
        "L_from_tickets": in_kitchen,
        "X_x_W_from_tickets": x_w,
        "loop_busy": figures.loop_busy,
        "p50_s": figures.p50_s,
        "p99_s": figures.p99_s,
        "seated_after_arrival_median_ms": statistics.median(late) * 1000,
    }


def child(shown: bool, out: Path) -> None:
    """The app with a real kitchen and a stream; the CPU share and fps over CHART_SECONDS."""
    from kitchen_tui.protocol.settings import KitchenSettings
    from kitchen_tui.ui.app import KitchenApp
    from kitchen_tui.ui.commands import RunStream
    from kitchen_tui.ui.compat import on_each_frame

    app = KitchenApp(KitchenSettings(mode="async"))
    stamps: list[float] = []
    on_each_frame(app, lambda: stamps.append(time.perf_counter()))
    marks: dict[str, float] = {}

    def begin() -> None:
        app.dispatcher.run(RunStream(RATE, {"message": 1}))
        if not shown:
            app.action_toggle_queueing()

    def measure() -> None:
        marks["cpu0"], marks["t0"] = time.process_time(), time.perf_counter()
        app.set_timer(CHART_SECONDS, finish)

    def finish() -> None:
        marks["cpu1"], marks["t1"] = time.process_time(), time.perf_counter()
        marks["chart_shown"] = float(app.query_one("#chart").display)
        app.exit()

    app.call_later(lambda: app.set_timer(1.0, begin))
    app.call_later(lambda: app.set_timer(13.0, measure))  # the chart's window is full by then
    app.run()
    frames = [s for s in stamps if marks["t0"] <= s <= marks["t1"]]
    span = marks["t1"] - marks["t0"]
    result = {
        "cpu": (marks["cpu1"] - marks["cpu0"]) / span,
        "fps": len(frames) / span,
        "chart_shown": bool(marks["chart_shown"]),
        "samples": len(app.scene.history.samples),
    }
    out.write_text(json.dumps(result))


def chart_cost() -> dict[str, Any]:
    results = {}
    for shown in (True, False):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "result.json"
            args = [sys.executable, __file__, "--child", "shown" if shown else "hidden", str(out)]
            term = Terminal(args, (120, 36))
            term.finish(timeout=60)
            if not out.exists():
                raise SystemExit(f"the child wrote no result; its output:\n{term.seen[-3000:]!r}")
            results["shown" if shown else "hidden"] = json.loads(out.read_text())
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("littles", "chart"))
    parser.add_argument("--child", nargs=2, metavar=("MODE", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0] == "shown", Path(args.child[1]))
        return
    print(machine())
    if args.only in (None, "littles"):
        f = littles()
        print(
            f"Little's law over {f['window_s']:.0f} s of steady load ({RATE:g} chats/s, async):"
            f" L {f['L']:.2f}, X x W {f['X_x_W']:.2f}, {f['gap'] * 100:.2f} % apart"
            f" (from the tickets: {f['L_from_tickets']:.2f} / {f['X_x_W_from_tickets']:.2f})"
        )
        print(
            f"  offered {f['offered_per_s']:.2f}/s, served {f['throughput_per_s']:.2f}/s,"
            f" loop busy {f['loop_busy'] * 100:.0f} %, p50 {f['p50_s']:.3f} s,"
            f" p99 {f['p99_s']:.3f} s; seated {f['seated_after_arrival_median_ms']:.2f} ms"
            " after the stamped arrival (median)"
        )
    if args.only in (None, "chart"):
        r = chart_cost()
        shown, hidden = r["shown"], r["hidden"]
        print(
            f"UI at 120x36, {RATE:g} chats/s: chart and panel shown {shown['cpu'] * 100:.1f} %"
            f" of a core, {shown['fps']:.0f} fps; hidden {hidden['cpu'] * 100:.1f} %,"
            f" {hidden['fps']:.0f} fps: the chart costs"
            f" {(shown['cpu'] - hidden['cpu']) * 100:+.1f} % of a core"
        )


if __name__ == "__main__":
    main()
