"""`kitchen-tui serve` for real: the installed server, Debian's Chromium, and no process left."""

from __future__ import annotations

import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import descendants, pid_alive, wait_until
from tests.ui.serving import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    KEEP_SCREEN_BYTES,
    SCRIPT,
    TabScreen,
    chromium,
    free_port,
    listening_addresses,
    served,
)

pytestmark = pytest.mark.slow
GONE_S = 15.0  # the server's grace to quit an app (3 s), then the kitchen's own, on a busy machine


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium()() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


def _open_tab(browser: Any, port: int) -> tuple[Any, TabScreen]:
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.add_init_script(KEEP_SCREEN_BYTES)
    page.goto(f"http://127.0.0.1:{port}/")
    return page, TabScreen(page)


def _focus_terminal(page: Any) -> None:
    """Click the terminal and wait until its key input (xterm.js's textarea) has the focus."""
    page.click("#terminal")
    page.wait_for_function(
        "document.activeElement?.classList.contains('xterm-helper-textarea')", timeout=10_000
    )


def _kitchens_below(pid: int) -> set[int]:
    """The app processes and kitchens the server started, as /proc lists them now."""
    return descendants(pid)


def _all_gone(pids: set[int]) -> bool:
    return not any(pid_alive(pid) for pid in pids)


@pytest.mark.parametrize(
    ("served_args", "on_screen", "processes"),
    [
        (["--mode", "sync"], ["front desk", "mode sync"], 2),  # the app and its kitchen
        (["race", "--modes", "sync,async"], ["mode sync", "mode async", "served 3"], 3),
    ],
    ids=["app", "race"],
)
def test_a_tab_drives_its_own_kitchen_and_closing_it_ends_both(
    browser: Any, served_args: list[str], on_screen: list[str], processes: int
) -> None:
    port = free_port()
    with served("--port", str(port), *served_args) as server:
        assert listening_addresses(port) == {"0100007F"}, "listens beyond 127.0.0.1"
        page, screen = _open_tab(browser, port)
        screen.wait_for("KITCHEN", *on_screen)
        _focus_terminal(page)
        page.keyboard.press("s")
        screen.wait_for("S1", "llm", timeout=15)
        started = _kitchens_below(server.pid)
        assert len(started) >= processes, f"{processes} processes expected, got {started}"
        page.close()
        assert wait_until(lambda: _all_gone(started), GONE_S), (
            f"left running after the tab closed: {[p for p in started if pid_alive(p)]}"
        )
        assert server.poll() is None, "the server goes on for the next tab"


@pytest.mark.parametrize(
    "how",
    [signal.SIGTERM, signal.SIGHUP, signal.SIGINT, signal.SIGKILL],
    ids=lambda how: str(how.name),
)
def test_stopping_the_server_ends_every_tab_s_app_and_kitchen(
    browser: Any, how: signal.Signals
) -> None:
    port = free_port()
    with served("--port", str(port), "play", "three-tables") as server:
        pages = [_open_tab(browser, port) for _ in range(2)]
        for _, screen in pages:
            screen.wait_for("KITCHEN")
        started = _kitchens_below(server.pid)
        assert len(started) >= 4, f"two apps and two kitchens, got {started}"
        server.send_signal(how)
        server.wait(timeout=GONE_S)
        assert wait_until(lambda: _all_gone(started), GONE_S), (
            f"{how.name} to the server left {[p for p in started if pid_alive(p)]}"
        )
        if how != signal.SIGKILL:
            assert server.returncode == 0
        for page, _ in pages:
            page.close()


def _serve(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SCRIPT, "serve", *args], capture_output=True, text=True, timeout=timeout)


def test_a_port_in_use_is_one_line_and_exit_2() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = _serve("--port", str(port))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"kitchen-tui: --port {port}: already in use on 127.0.0.1;"
        " stop what holds it or pick another port"
    ]
    assert result.stdout == "", "nothing claims to serve before it listens"


def test_an_address_of_another_machine_is_one_line_without_the_warning() -> None:
    # 192.0.2.1 is TEST-NET-1, kept for documentation: binding to it fails here, nothing is sent.
    result = _serve("--host", "192.0.2.1", "--port", str(free_port()))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "kitchen-tui: --host 192.0.2.1: not an address of this machine"
    ]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--mode", "fast"], "argument --mode: invalid choice: 'fast'"),
        (["play", "no-such-talk"], "no-such-talk"),
        (["--theme", "no-such-theme"], "no-such-theme"),
        (["report"], "serve opens the app, play, replay or race in a browser, not report"),
        (["--trace", "t.trace"], "serve takes no --trace"),
        (["--port", "70000"], "argument --port: takes a number from 1 to 65535, got '70000'"),
    ],
)
def test_a_bad_served_command_line_is_one_line_before_anything_listens(
    args: list[str], says: str
) -> None:
    result = _serve(*args)
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and says in lines[0], lines


def test_another_address_only_when_asked_and_with_a_warning() -> None:
    port = free_port()
    with served("--host", "0.0.0.0", "--port", str(port)) as server:
        assert listening_addresses(port) == {"00000000"}
        server.send_signal(signal.SIGTERM)
        _, stderr = server.communicate(timeout=GONE_S)
    assert stderr.splitlines()[0] == (
        "kitchen-tui serve: warning: --host 0.0.0.0 listens beyond this machine:"
        " anyone on that network can drive the kitchen"
    )


def test_the_served_page_points_the_browser_at_the_address_it_asked_for() -> None:
    import urllib.request

    port = free_port()
    with served("--host", "0.0.0.0", "--port", str(port)):
        started = time.monotonic()
        page = urllib.request.urlopen(f"http://localhost:{port}/", timeout=10).read().decode()
        assert time.monotonic() - started < 10
    assert f'data-session-websocket-url="ws://localhost:{port}/ws"' in page
    assert "0.0.0.0" not in page
