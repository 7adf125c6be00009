"""The command line: `kitchen-tui` runs the app; report, sweep, replay, play, record, gif, race,
serve."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from kitchen_tui.cli.options import build_parser
from kitchen_tui.errors import UsageError, WriteFailed

if TYPE_CHECKING:
    from textual.app import App

SCREEN_COMMANDS = ("app", "play", "replay", "race")  # the commands that open a Textual app


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        if args[:1] == ["serve"]:  # its own parser: the rest is the served app's command line
            from kitchen_tui.cli.serve import run_serve

            return run_serve(args[1:])
        options = build_parser().parse_args(_negatives_joined(args))
        command = options.command or "app"
        if command == "report":
            from kitchen_tui.cli.report import run_report

            return run_report(options)
        if command == "record":
            from kitchen_tui.cli.record import run_record

            return run_record(options)
        if command == "sweep":
            from kitchen_tui.cli.sweep import run_sweep

            return run_sweep(options)
        if command == "gif":
            from kitchen_tui.cli.gif import run_gif

            return run_gif(options)
        app = build_screen(options)
        app.run()
        return _closed(app)
    except UsageError as error:
        return _fail(error, 2)
    except WriteFailed as error:
        return _fail(error, 1)
    except KeyboardInterrupt:
        return 130


def _negatives_joined(args: list[str]) -> list[str]:
    """`--rates -1,2` as `--rates=-1,2`: argparse takes a value that starts with a dash for an
    option unless it is one plain negative number, and said "expected one argument" instead of
    what is wrong with the value. A dash and a digit never starts an option of ours."""
    joined: list[str] = []
    for arg in args:
        if joined and joined[-1].startswith("--") and "=" not in joined[-1] and _negative(arg):
            joined[-1] = f"{joined[-1]}={arg}"
        else:
            joined.append(arg)
    return joined


def _negative(arg: str) -> bool:
    return len(arg) > 1 and arg[0] == "-" and (arg[1].isdigit() or arg[1] == ".")


def _closed(app: App[Any]) -> int:
    """The app's exit code, after the one line it ended with, if any (a full disk)."""
    from kitchen_tui.ui.write_failure import closing_line

    line = closing_line(app)
    if line is not None:
        print(line, file=sys.stderr)
    return app.return_code or 0


def _fail(error: Exception, code: int) -> int:
    """The one line a run ends with, on stderr (and to `record`, when this is a take)."""
    from kitchen_tui.recording.channel import tell_recorder

    line = f"kitchen-tui: {error}"
    print(line, file=sys.stderr)
    tell_recorder(line)
    return code


def build_screen(options: argparse.Namespace) -> App[Any]:
    """The Textual app of one of SCREEN_COMMANDS, its options checked; not yet running."""
    command = options.command or "app"
    if command in ("replay", "play"):
        from kitchen_tui.cli.talk import build_play, build_replay

        return build_replay(options) if command == "replay" else build_play(options)
    if command == "race":
        from kitchen_tui.cli.race import build_race

        return build_race(options)
    from kitchen_tui.cli.app import build_app

    return build_app(options)
