"""`kitchen-tui serve`: the app, a talk or a race in a browser tab, one kitchen per tab."""

from __future__ import annotations

import argparse
import errno
import importlib.util
import ipaddress
import socket
import sys

from kitchen_tui.errors import UsageError

SERVE_EXTRA = "pip install 'kitchen-tui[serve]'"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
USAGE = (
    "kitchen-tui serve [--host ADDRESS] [--port N] "
    "[APP OPTIONS | play NAME [OPTIONS] | race [OPTIONS] | replay FILE [OPTIONS]]"
)


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"takes a number from 1 to 65535, got {text!r}")
    return int(text)


def _parser() -> argparse.ArgumentParser:
    from kitchen_tui.cli.options import _Parser

    parser = _Parser(
        prog="kitchen-tui serve",
        usage=USAGE,
        description="Serve the app in a browser tab (textual-serve): each tab gets its own app "
        "and kitchen; closing the tab ends them, ctrl+c ends them all. Every other option is "
        "the app's own, as on the command line without `serve`.",
    )
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"the address to listen on (default {DEFAULT_HOST}: this machine only)",
    )
    parser.add_argument("--port", type=_port, default=DEFAULT_PORT, help="default 8000")
    return parser


def run_serve(args: list[str]) -> int:
    serve, app_args = _parser().parse_known_args(args)
    title = _check_app(app_args)
    if importlib.util.find_spec("textual_serve") is None:
        raise UsageError(f"serve needs textual-serve, which is not installed: {SERVE_EXTRA}")
    warning = None
    if not _is_loopback(serve.host):
        warning = (
            f"kitchen-tui serve: warning: --host {serve.host} listens beyond this machine:"
            " anyone on that network can drive the kitchen"
        )
    from kitchen_tui.cli.web_server import KitchenServer

    argv = [sys.executable, "-m", "kitchen_tui", *app_args]
    server = KitchenServer(argv, serve.host, serve.port, title, warning=warning)
    try:
        server.serve()
    except OSError as error:
        raise UsageError(_listen_problem(error, serve.host, serve.port)) from None
    return 0


def _check_app(app_args: list[str]) -> str:
    """Check the served command line as the app would, before any tab opens; its title."""
    from kitchen_tui.cli import SCREEN_COMMANDS, build_screen
    from kitchen_tui.cli.options import build_parser

    options = build_parser().parse_args(app_args)
    command = options.command or "app"
    if command not in SCREEN_COMMANDS:
        raise UsageError(
            f"serve opens the app, play, replay or race in a browser, not {command} (see {USAGE})"
        )
    if getattr(options, "trace", None):
        raise UsageError(
            "serve takes no --trace: every tab would write the same file"
            " (record a trace in a terminal, then `serve replay FILE`)"
        )
    build_screen(options)  # a bad scenario, scene, theme or mode fails here, in one line
    what = {"app": "the kitchen", "play": f"the talk {getattr(options, 'scene', '')}"}
    return f"Kitchen TUI: {what.get(command, command)}"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _listen_problem(error: OSError, host: str, port: int) -> str:
    if error.errno == errno.EADDRINUSE:
        return f"--port {port}: already in use on {host}; stop what holds it or pick another port"
    if isinstance(error, socket.gaierror):
        return f"--host {host}: no such host ({error.strerror or error})"
    if error.errno == errno.EADDRNOTAVAIL:
        return f"--host {host}: not an address of this machine"
    if error.errno == errno.EACCES:
        return f"--port {port}: not allowed for this user; use a port above 1023"
    return f"cannot listen on {host}:{port}: {error.strerror or error}"
