"""The app's customers and their figures: the rate dial's keys, the g key and the chart."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kitchen_tui.ui.keys import KEY_BY_ACTION
from kitchen_tui.ui.queueing_view import QueueingView
from kitchen_tui.ui.screenshots import ScreenshotApp
from kitchen_tui.ui.stream_dial import Dial, mix_words, next_mix, remixed, toggled, turned

if TYPE_CHECKING:
    from kitchen_tui.ui.dispatcher import Dispatcher
    from kitchen_tui.ui.scene import Scene
    from kitchen_tui.ui.session import Session
    from kitchen_tui.ui.widgets.live_chart import LiveChart


class LoadApp(ScreenshotApp):
    """l, > and < turn the rate dial, L chooses its dish; g shows the queueing figures; a talk
    shows its chart."""

    scene: Scene
    session: Session
    dispatcher: Dispatcher
    queueing: QueueingView
    _chart: LiveChart

    def _place_queueing(self) -> None:
        for name, on in self.queueing.classes().items():
            self.set_class(on, name)

    def show_chart(self, chart: str) -> None:
        capacity = chart == "capacity"
        if capacity:  # a talk's slide: shown whatever the size, in the timeline's room too
            self.queueing.wanted = True
            self._place_queueing()
        self._chart.show(self.scene.history.capacity_points() if capacity else None)
        self.set_class(capacity, "-capacity-chart")

    def action_toggle_queueing(self) -> None:
        shown = self.queueing.toggle()
        self._place_queueing()
        echo = f"> queueing figures {'shown' if shown else 'hidden'}"
        self.dispatcher.report(echo, KEY_BY_ACTION["toggle_queueing"])

    def _dial(self) -> Dial:
        ledger = self.scene.board.ledger
        running, speed = self.session.stream, self.session.speed()
        return Dial(running, self.scene.stream_mix, ledger.menu, ledger.settings, speed)

    def action_stream(self) -> None:
        running = self.session.stream
        if running is not None:  # stopped: l starts the same customers again (a talk's too)
            self.scene.stream_mix = dict(running.mix)
        self.dispatcher.run(toggled(self._dial()))

    def action_stream_rate(self, direction: int) -> None:
        self.dispatcher.run(turned(self._dial(), direction))

    def action_stream_mix(self) -> None:
        """L: the customers' next dish or mix; a running stream switches to it at once."""
        running = self.session.stream
        mix = next_mix(running.mix if running else self.scene.stream_mix)
        self.scene.stream_mix = mix
        if running is not None:
            self.dispatcher.run(remixed(self._dial(), running))
        else:
            echo = f"> the stream's dish: {mix_words(mix)} (l starts it)"
            self.dispatcher.report(echo, KEY_BY_ACTION["stream_mix"])
