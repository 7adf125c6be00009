"""w and W under a real kitchen: between several workers the master starts or retires one and
the kitchen goes on; to or from one worker the screen says a new kitchen starts, and why."""

from __future__ import annotations

import pytest

from kitchen_tui.protocol.settings import KitchenSettings
from kitchen_tui.stream.client import KitchenProcess
from kitchen_tui.ui.app import KitchenApp
from kitchen_tui.ui.live_session import LiveSession
from kitchen_tui.ui.widgets.kitchen_view import KitchenView
from tests.ui.test_restart import until

pytestmark = [pytest.mark.anyio, pytest.mark.slow, pytest.mark.timeout(90)]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _header(app: KitchenApp) -> str:
    view = app.query_one("#kitchen-header", KitchenView)
    return " ".join("\n".join(view.render_line(y).text for y in range(view.size.height)).split())


async def test_w_and_w_say_when_a_new_kitchen_starts_and_keep_it_between_several() -> None:
    app = KitchenApp(KitchenSettings(mode="sync"))
    async with app.run_test(size=(120, 36)) as pilot:
        session = app.session
        assert isinstance(session, LiveSession)
        await until(pilot, lambda: bool(app.scene.board.settings))
        assert isinstance(session.kitchen, KitchenProcess)
        alone = session.kitchen.pid

        def live(count: int) -> bool:
            board = app.scene.board  # a new kitchen, a new board
            up = [w for w, state in board.ledger.pool.workers.items() if state.alive]
            return board.workers == count and len(up) == count

        await pilot.press("w")
        said = "> 2 workers, a new kitchen: in flight cancelled (one kitchen has no master)"
        assert said in _header(app)
        await until(pilot, lambda: live(2))
        assert "> 2 workers, a new kitchen" in _header(app)  # beside the new kitchen's fields
        master = session.kitchen.pid
        assert master != alone
        await pilot.press("w")
        await until(pilot, lambda: live(3))
        assert session.kitchen.pid == master  # the same kitchen, one worker more
        assert "> 3 workers" in _header(app)
        await pilot.press("W")
        await until(pilot, lambda: app.scene.board.workers == 2)
        assert session.kitchen.pid == master
        await pilot.press("W")
        assert "> 1 worker, a new kitchen" in _header(app)
        await until(pilot, lambda: app.scene.board.settings.get("workers") == 1)
        assert session.kitchen.pid not in (alone, master)
