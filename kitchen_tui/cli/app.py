"""`kitchen-tui` with no command: the live kitchen in the terminal."""

from __future__ import annotations

import argparse
from pathlib import Path

from kitchen_tui.cli.options import scenario_and_settings
from kitchen_tui.cli.talk_options import trace_path


def run_app(options: argparse.Namespace) -> int:
    from kitchen_tui.ui.app import KitchenApp
    from kitchen_tui.ui.themes import resolve_theme

    scenario, settings = scenario_and_settings(options)
    resolve_theme(options.theme)  # a bad theme is a usage error before the screen changes
    app = KitchenApp(
        settings=settings,
        backend=options.backend,
        theme=options.theme,
        ascii=options.ascii,
        scenario=scenario,
        screenshot_dir=Path(options.screenshot_dir),
        trace=trace_path(options.trace),
    )
    app.run()
    return 0
