"""The test files that assert no duration, rate or latency: CI runs them two at a time
(`pytest -n 2 -m untimed`, pytest-xdist), then every other test alone (`-m "not untimed"`),
so no timing check shares the 2-core machine with another test. A file is listed here only
once read for timing asserts (a latency, a figure beside the model, a bound on wall time);
a new file is timed, and so runs alone, until someone reads it and lists it."""

from __future__ import annotations

UNTIMED = frozenset(
    {
        # The command line, files and outputs: usage errors, refusals, a full disk.
        "tests/test_architecture.py",
        "tests/test_commands.py",
        "tests/test_collector.py",
        "tests/test_cookline.py",
        "tests/test_files.py",
        "tests/test_frontdesk.py",
        "tests/test_full_disk.py",
        "tests/test_fuzz.py",
        "tests/test_fuzz_commands.py",
        "tests/test_outputs.py",
        "tests/test_protocol.py",
        "tests/test_remedy_settings.py",
        "tests/test_scenario.py",
        "tests/test_sketch.py",
        "tests/test_talk_cli.py",
        # Processes and terminals: signals, kills, no process left (bounds of tens of seconds).
        "tests/test_kills.py",
        "tests/test_signals.py",
        "tests/test_worker_deaths.py",  # the count a death cost: no clock read
        "tests/ui/test_tmux.py",  # the app in a real terminal: quits within 3 s (it takes 0.3)
        "tests/ui/test_serve.py",  # the browser tab: quits within 10 s
        # One account on screen: the job strip against the report's figures of the same run.
        "tests/ui/test_job_strip.py",
        # Takes, GIFs and stills: what is drawn, not how fast.
        "tests/recording/test_cast.py",
        "tests/recording/test_gif.py",
        "tests/recording/test_stills.py",
        "tests/recording/test_talk_cast.py",
        # Screens: what each panel shows, against the ledger and the trace.
        "tests/ui/test_ascii.py",
        "tests/ui/test_compat.py",
        "tests/ui/test_dishes.py",
        "tests/ui/test_every_key.py",
        "tests/ui/test_footer.py",
        "tests/ui/test_glyphs.py",
        "tests/ui/test_keys.py",
        "tests/ui/test_palette.py",
        "tests/ui/test_remedy_costs.py",
        "tests/ui/test_remedy_keys.py",
        "tests/ui/test_replay_app.py",
        "tests/ui/test_restart.py",
        "tests/ui/test_snapshots.py",
        "tests/ui/test_worker_lanes.py",
        "tests/ui/test_workers_keys.py",
    }
)
