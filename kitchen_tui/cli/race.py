"""`kitchen-tui race`: one order stream, two kitchens, side by side."""

from __future__ import annotations

import argparse

from kitchen_tui.cli.options import check_backend
from kitchen_tui.cli.talk_options import parse_modes, race_trace_paths
from kitchen_tui.talk.scenario import load_scenario


def run_race(options: argparse.Namespace) -> int:
    from kitchen_tui.ui.race import RaceApp, racer_names
    from kitchen_tui.ui.themes import resolve_theme

    modes = parse_modes(options.modes)
    check_backend(options.backend)
    scenario = load_scenario(options.scenario or "three-tables")
    resolve_theme(options.theme)
    traces = race_trace_paths(options.trace, racer_names(modes))
    app = RaceApp(
        scenario,
        modes,
        backend=options.backend,
        theme=options.theme,
        ascii=options.ascii,
        traces=traces,
    )
    app.run()
    return 0
