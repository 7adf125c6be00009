"""`kitchen-tui record`: a take of the app at a fixed size, written as an asciicast v2 file."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

from kitchen_tui.cli.gif import cast_theme, describe, gif_look
from kitchen_tui.cli.options import check_remedies, remedy_changes
from kitchen_tui.cli.run_files import claim_outputs, file_path
from kitchen_tui.cli.talk import talk_with_options
from kitchen_tui.cli.talk_options import parse_size, stills_dir, trace_path
from kitchen_tui.errors import UsageError
from kitchen_tui.outputs import stdout_writes
from kitchen_tui.recording.cast import CastSummary, record
from kitchen_tui.recording.gif import check_gif_output, make_gif
from kitchen_tui.talk.scenario import load_scenario
from kitchen_tui.talk.script import PauseAction, SceneFile
from kitchen_tui.ui.glyphs import counted

START_S = 3.0  # Python, Textual and the kitchen process starting up in the pty
TAIL_S = 3.0  # after the last step: let the last orders finish on camera
LATE_QUIT_S = 30.0  # past the script's own length: q for a talk that did not end by itself
AUTOPLAY_S = 1.5  # a pause step in a recording goes on by itself after this long
SCENARIO_S = 10.0
QUIT_GRACE_S = 8.0  # after the quit key, this long for the app to exit before a hang-up


def run_record(options: argparse.Namespace) -> int:
    """Every option is checked before the take starts: a bad one leaves no cast behind."""
    from kitchen_tui.ui.themes import resolve_theme

    width, height = parse_size(options.size)
    command, seconds, title = _command(options)
    resolve_theme(options.theme)
    out = file_path(options.out, "--out", "take.cast")
    gif = file_path(options.gif, "--gif", "take.gif") if options.gif else None
    look = gif_look(options) if gif is not None else None  # a bad theme fails here
    if gif is not None:
        check_gif_output(gif, options.force)
    stills = None if options.stills is None else Path(options.stills)
    outputs = [("--out", out), ("--trace", trace_path(options.trace)), ("--gif", gif)]
    claim_outputs(options, outputs, stills)
    stills_dir(options.stills)
    try:
        with _stopped_by_signals():
            summary = record(
                command,
                out,
                width,
                height,
                timeout=seconds + QUIT_GRACE_S,
                keys=[(seconds, "q")],
                title=title,
                force=options.force,
                theme=cast_theme(options.theme),
            )
    except KeyboardInterrupt:
        print(f"kitchen-tui: interrupted; {out} keeps the take up to here", file=sys.stderr)
        raise
    except TakeStopped as stopped:
        name = signal.Signals(stopped.number).name
        print(f"kitchen-tui: stopped by {name}; {out} keeps the take up to here", file=sys.stderr)
        return 128 + stopped.number
    how = "timed out" if summary.timed_out else f"exit {summary.exit_code}"
    with stdout_writes():
        print(
            f"wrote {out}: {width}x{height}, {summary.duration:.1f} s, "
            f"{counted(summary.markers, 'marker')}, {counted(summary.input_events, 'key')}"
            f" ({how})"
        )
    if summary.timed_out or summary.exit_code != 0:
        print(_why_it_ended(summary, out, seconds + QUIT_GRACE_S), file=sys.stderr)
        return summary.exit_code or 1
    if gif is not None and look is not None:
        made = make_gif(out, gif, look, force=options.force)
        with stdout_writes():
            print(describe(made))
    return 0


class TakeStopped(Exception):
    """SIGTERM or SIGHUP to the recorder: the take ends as ctrl+c ends it."""

    def __init__(self, number: int) -> None:
        super().__init__(number)
        self.number = number


@contextlib.contextmanager
def _stopped_by_signals() -> Iterator[None]:
    """Inside, SIGTERM and SIGHUP raise TakeStopped: the recorder then ends its app and keeps
    the cast, where Python's default ended the recorder alone and left its app running."""

    def stop(number: int, _frame: object) -> None:
        raise TakeStopped(number)

    before = {number: signal.signal(number, stop) for number in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for number, handler in before.items():
            signal.signal(number, handler)


def _why_it_ended(summary: CastSummary, out: Path, timeout: float) -> str:
    """One line on why the take failed: the app's own error line when it said one."""
    if summary.error is not None:
        return summary.error
    if summary.timed_out:
        return f"kitchen-tui: the take did not end within {timeout:.0f} s; {out} keeps it"
    return f"kitchen-tui: the app ended with exit code {summary.exit_code}; {out} shows why"


def _command(options: argparse.Namespace) -> tuple[list[str], float, str]:
    """The command to record, how long the take runs before the quit key, and its title."""
    base = [sys.executable, "-m", "kitchen_tui"]
    screen = ["--theme", options.theme, *(["--ascii"] if options.ascii else [])]
    speed = ["--speed", f"{options.speed:g}"] if options.speed is not None else []
    # The take's own outputs were checked and claimed here: the child may write them.
    trace = ["--trace", options.trace, "--force"] if options.trace else []
    fixes = _remedy_arguments(options)
    if options.workers is not None:  # the kitchen being recorded runs that many workers
        fixes += ["--workers", str(options.workers)]
    if options.scene is not None:
        talk = talk_with_options(options)  # a bad scene fails here, before the take
        command = [*base, "play", options.scene, "--no-hold", "--autoplay", f"{AUTOPLAY_S:g}"]
        command.append("--quit-at-end")  # the take ends on the talk's last picture
        command += [*screen, *speed, *trace, *fixes]
        if options.stills:
            command += ["--stills", options.stills, *([] if trace else ["--force"])]
            command += ["--stills-format", ",".join(options.stills_format)]
        if options.seconds:
            return command, options.seconds, talk.title
        # The talk quits by itself at its end; q comes only if it has not by then.
        return command, script_seconds(talk, options.speed) + LATE_QUIT_S, talk.title
    if options.stills:
        raise UsageError("--stills needs --scene: markers come from a scene file")
    name = options.scenario or "three-tables"
    scenario = load_scenario(name)
    check_remedies(scenario.settings.changed(remedy_changes(options, scenario.settings)))
    command = [*base, "--scenario", name, *screen, *speed, *trace, *fixes]
    return command, options.seconds or SCENARIO_S, scenario.title


def _remedy_arguments(options: argparse.Namespace) -> list[str]:
    """The remedy options, passed on to the command being recorded."""
    arguments = []
    if options.fix_blocking is not None:
        arguments += ["--fix-blocking", options.fix_blocking]
    if options.fix_cpu is not None:
        arguments += ["--fix-cpu", options.fix_cpu]
    if options.prep_shelf is not None:
        arguments.append("--prep-shelf" if options.prep_shelf else "--no-prep-shelf")
    for name in ("patience", "deadline"):
        if getattr(options, name) is not None:
            arguments += [f"--{name}", f"{getattr(options, name):g}"]
    return arguments


def script_seconds(talk: SceneFile, speed: float | None) -> float:
    """Real seconds a take of the whole talk needs, start-up and the last orders included."""
    steps = list(talk.steps())
    story = steps[-1].at if steps else 0.0
    pace = speed or talk.scenario.settings.speed
    pauses = sum(1 for step in steps if isinstance(step, PauseAction))
    return START_S + story / pace + pauses * AUTOPLAY_S + TAIL_S
