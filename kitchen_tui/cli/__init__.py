"""The command line: `kitchen-tui` runs the app; report, replay, play, record and race."""

from __future__ import annotations

import sys

from kitchen_tui.cli.options import build_parser
from kitchen_tui.errors import UsageError


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        options = build_parser().parse_args(args)
        command = options.command or "app"
        if command == "report":
            from kitchen_tui.cli.report import run_report

            return run_report(options)
        if command in ("replay", "play"):
            from kitchen_tui.cli.talk import run_play, run_replay

            return run_replay(options) if command == "replay" else run_play(options)
        if command == "record":
            from kitchen_tui.cli.record import run_record

            return run_record(options)
        if command == "race":
            from kitchen_tui.cli.race import run_race

            return run_race(options)
        from kitchen_tui.cli.app import run_app

        return run_app(options)
    except UsageError as error:
        print(f"kitchen-tui: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
