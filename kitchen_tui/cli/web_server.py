"""The browser's side of `kitchen-tui serve`: textual-serve's server, with a leash on every tab.

Each websocket (a browser tab) gets its own app process, which starts its own kitchen. As it
comes, textual-serve left an app running when the server was killed (measured: orphaned,
spinning at full CPU, deaf to SIGTERM). Here every app process
- starts in a session of its own, so ctrl+c in the server's terminal reaches only the server,
  which then quits every app itself and kills the process group of any that does not go;
- dies with the server (PR_SET_PDEATHSIG: the kernel sends SIGKILL however the server ends),
  and its kitchen dies with it (the kitchen's own lifeline), prep shelf workers with that.
Built on textual-serve 1.x internals (AppService's process and task): pinned below 2.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import sys
from collections.abc import Sequence
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

QUIT_GRACE_S = 3.0  # a tab closed or the server stopping: this long to quit, then SIGKILL
_PR_SET_PDEATHSIG = 1
_prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up here: after fork, only called


def _die_with_server(server_pid: int) -> None:
    """In the new app process, before exec: SIGKILL when the server dies, even if it is gone."""
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != server_pid:  # the server died before the lifeline was tied
        os._exit(1)


class KitchenSession(AppService):
    """One browser tab's app process (and through it, its kitchen), started without a shell."""

    def __init__(self, argv: Sequence[str], **kwargs: Any) -> None:
        super().__init__(" ".join(argv), **kwargs)
        self.argv = list(argv)

    async def _open_app_process(
        self, width: int = 80, height: int = 24
    ) -> asyncio.subprocess.Process:
        server_pid = os.getpid()
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=self._build_environment(width=width, height=height),
            start_new_session=True,
            preexec_fn=lambda: _die_with_server(server_pid),
        )
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    async def stop(self) -> None:
        """Ask the app to quit; after QUIT_GRACE_S, kill its process group. Safe to call twice."""
        task, self._task = self._task, None
        process = self._process
        if task is None or process is None:
            return
        await self._download_manager.cancel_app_downloads(app_service_id=self.app_service_id)
        await self.send_meta({"type": "quit"})
        try:
            await asyncio.wait_for(process.wait(), QUIT_GRACE_S)
        except asyncio.TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            await process.wait()
        await task  # the app's last output and its stderr, read to the end
        await self.remote_close()


class KitchenServer(Server):
    """textual-serve's server for one command line, every tab a KitchenSession."""

    def __init__(
        self, argv: Sequence[str], host: str, port: int, title: str, warning: str | None = None
    ) -> None:
        super().__init__(" ".join(argv), host=host, port=port, title=title)
        self.argv = list(argv)
        self.warning = warning  # said once it listens: for a bad address, the error alone
        self.sessions: set[KitchenSession] = set()
        self.url = f"http://{f'[{host}]' if ':' in host else host}:{port}"

    async def on_startup(self, app: web.Application) -> None:
        pass  # textual-serve prints its logo here, before the port is even bound

    def _announce(self, *_: object) -> None:
        """Once the server listens (aiohttp calls its `print` then), one line says where."""
        if self.warning:
            print(self.warning, file=sys.stderr, flush=True)
        print(
            f"{self.title} on {self.url}: each tab gets its own kitchen; ctrl+c stops them all",
            flush=True,
        )

    async def on_shutdown(self, app: web.Application) -> None:
        await asyncio.gather(*(session.stop() for session in list(self.sessions)))

    @aiohttp_jinja2.template("app_index.html")
    async def handle_index(self, request: web.Request) -> dict[str, Any]:
        # The addresses the page uses, from the one the browser asked for: right through
        # --host 0.0.0.0 too, where textual-serve would send the browser to 0.0.0.0.
        origin = f"{request.scheme}://{request.host}"
        ws_scheme = "wss" if request.scheme == "https" else "ws"
        return {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": f"{ws_scheme}://{request.host}/ws",
            "config": {"static": {"url": f"{origin}/static/"}},
            "application": {"name": self.title},
        }

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        websocket = web.WebSocketResponse(heartbeat=15)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        await websocket.prepare(request)
        session = KitchenSession(
            self.argv,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=self.download_manager,
        )
        self.sessions.add(session)
        try:
            await session.start(width, height)
            await self._process_messages(websocket, session)
        finally:
            await asyncio.shield(session.stop())
            self.sessions.discard(session)
        return websocket

    def serve(self, debug: bool = False) -> None:
        """Serve until ctrl+c, SIGTERM or SIGHUP; then every session ends before the server."""
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(number, self.request_exit)
        web.run_app(
            self._make_app(),
            host=self.host,
            port=self.port,
            handle_signals=False,
            loop=loop,
            print=self._announce,
            access_log=None,  # a line per request would scroll the speaker's terminal
            shutdown_timeout=QUIT_GRACE_S + 2.0,
        )
