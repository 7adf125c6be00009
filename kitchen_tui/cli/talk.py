"""`kitchen-tui replay` and `kitchen-tui play`: a recorded kitchen, and a talk on stage."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from kitchen_tui.cli.run_files import claim_outputs
from kitchen_tui.cli.talk_options import stills_dir, trace_path
from kitchen_tui.errors import UsageError
from kitchen_tui.protocol.settings import KitchenSettings, RemedyProblem
from kitchen_tui.talk.scene_file import load_scene_file
from kitchen_tui.talk.script import SceneFile, ScriptStep

if TYPE_CHECKING:
    from kitchen_tui.ui.app import KitchenApp


def build_replay(options: argparse.Namespace) -> KitchenApp:
    """The app, its options checked (a UsageError of one line otherwise); not yet running."""
    from kitchen_tui.recording.replay import ReplayKitchen
    from kitchen_tui.ui.app import KitchenApp
    from kitchen_tui.ui.themes import resolve_theme

    kitchen = ReplayKitchen.from_file(options.file, speed=options.speed)  # UsageError if bad
    resolve_theme(options.theme)
    app = KitchenApp(
        settings=KitchenSettings(),
        theme=options.theme,
        ascii=options.ascii,
        kitchen=kitchen,
        replay=str(options.file),
    )
    return app


def talk_with_options(options: argparse.Namespace) -> SceneFile:
    """The scene file `play` (or `record`) names, with the remedies the options choose."""
    from kitchen_tui.cli.options import limit_changes, remedy_changes

    talk = load_scene_file(options.scene)  # UsageError for a bad name or file
    base = talk.scenario.settings
    changes = {**remedy_changes(options, base), **limit_changes(options)}
    if getattr(options, "workers", None) is not None:
        changes["workers"] = options.workers
    if not changes:
        return talk
    settings = base.changed(changes)
    clash = talk.remedy_clash(settings)
    if settings.remedy_problem is not None or clash is not None:
        raise UsageError(_clash_words(talk, settings, clash))
    return talk.starting_with(settings)


def _clash_words(
    talk: SceneFile, settings: KitchenSettings, clash: tuple[ScriptStep, RemedyProblem] | None
) -> str:
    """A remedy option the talk cannot keep: where the talk has no loop, and what to pass."""
    problem = settings.remedy_problem
    if problem is not None:
        where = f"opens in {settings.mode} mode"
    else:
        assert clash is not None
        step, problem = clash
        where = f"is in {problem.mode} mode at script[{step.index}]"
    flag = "--" + problem.setting.replace("_", "-")
    return (
        f"{flag} {problem.value} needs an event loop, and the {talk.name} talk {where};"
        f" play it with {flag} {problem.instead}, or leave the remedies to its scenes"
    )


def build_play(options: argparse.Namespace) -> KitchenApp:
    """The app, its options checked (a UsageError of one line otherwise); not yet running."""
    from kitchen_tui.cli.options import check_backend
    from kitchen_tui.ui.app import KitchenApp
    from kitchen_tui.ui.themes import resolve_theme

    check_backend(options.backend)
    talk = talk_with_options(options)
    resolve_theme(options.theme)
    trace = trace_path(options.trace)
    stills = None if options.stills is None else Path(options.stills)
    claim_outputs(options, [("--trace", trace)], stills=stills)
    settings = talk.scenario.settings
    if options.speed is not None:
        settings = replace(settings, speed=options.speed)
    app = KitchenApp(
        settings=settings,
        backend=options.backend,
        theme=options.theme,
        ascii=options.ascii,
        talk=talk,
        hold_at_markers=not options.no_hold,
        autoplay=options.autoplay,
        quit_at_end=options.quit_at_end,
        stills_dir=stills_dir(options.stills),
        still_formats=options.stills_format,
        overwrite_stills=options.force,
        trace=trace,
    )
    return app
