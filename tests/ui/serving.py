"""Helpers for the `kitchen-tui serve` tests: a real server on a free port, a real browser tab."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyte
import pytest

from tests.conftest import descendants, pid_alive, wait_until

SCRIPT = shutil.which("kitchen-tui") or str(Path(sys.executable).parent / "kitchen-tui")
CHROMIUM = "/usr/bin/chromium"
# The flags this machine's Chromium needs headless, as root, with no network but loopback.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The page draws on a canvas: keep what the websocket brings, to read the screen with pyte
# exactly as the page's terminal (xterm.js) reads it.
KEEP_SCREEN_BYTES = """
window.__screenBytes = [];
const RealWebSocket = window.WebSocket;
window.WebSocket = function (url, protocols) {
  const socket = new RealWebSocket(url, protocols);
  socket.binaryType = "arraybuffer";
  window.__screenUrl = url;
  socket.addEventListener("message", (event) => {
    if (event.data instanceof ArrayBuffer) window.__screenBytes.push(...new Uint8Array(event.data));
  });
  return socket;
};
window.WebSocket.prototype = RealWebSocket.prototype;
"""
START_S = 30.0  # Python, Textual and a kitchen process starting on a loaded shared machine


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def listening_addresses(port: int) -> set[str]:
    """The local addresses that listen on `port`, from /proc (hex, as the kernel writes them)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table, encoding="ascii") as lines:
            for line in list(lines)[1:]:
                local, state = line.split()[1], line.split()[3]
                address, _, hex_port = local.partition(":")
                if state == "0A" and int(hex_port, 16) == port:
                    found.add(address)
    return found


@contextmanager
def served(*args: str) -> Iterator[subprocess.Popen[str]]:
    """`kitchen-tui serve --port P ARGS` until it listens; killed with all it started at the end."""
    server = subprocess.Popen(
        [SCRIPT, "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    port = int(args[args.index("--port") + 1])
    try:
        if not wait_until(lambda: listening(port) or server.poll() is not None, START_S):
            raise AssertionError(f"serve did not listen on {port} within {START_S} s")
        assert server.poll() is None, f"serve exited: {server.communicate()}"
        yield server
    finally:
        left = descendants(server.pid) | {server.pid}
        for pid in left:
            if pid_alive(pid):
                os.kill(pid, signal.SIGKILL)
        server.wait(timeout=10)


def chromium() -> Any:
    """Playwright's sync API, or a skip that says what is missing."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install chromium (.ci/run does)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed: pip install -e '.[test]'")
    return sync_playwright


class TabScreen:
    """What a tab's terminal shows, read from the bytes its websocket brought."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self._stream: pyte.ByteStream | None = None
        self._screen: pyte.Screen | None = None

    def text(self) -> str:
        if self._stream is None:
            url = self.page.evaluate("window.__screenUrl || ''")
            if "width=" not in url:
                return ""
            query = dict(part.split("=") for part in url.split("?", 1)[1].split("&"))
            self._screen = pyte.Screen(int(query["width"]), int(query["height"]))
            self._stream = pyte.ByteStream(self._screen)
        assert self._screen is not None
        self._stream.feed(bytes(self.page.evaluate("window.__screenBytes.splice(0)")))
        return "\n".join(self._screen.display)

    def wait_for(self, *words: str, timeout: float = START_S) -> str:
        deadline = time.monotonic() + timeout
        text = ""
        while time.monotonic() < deadline:
            text = self.text()
            if all(word in text for word in words):
                return text
            self.page.wait_for_timeout(100)
        raise AssertionError(f"{words} not on the tab's screen within {timeout} s:\n{text}")
