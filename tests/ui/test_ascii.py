"""--ascii draws with ASCII only: no box drawing, no block glyphs, anywhere on screen."""

from __future__ import annotations

import asyncio
import re

import pytest

from tests.ui.states import STATES, build


def _screen_text(name: str) -> str:
    async def shoot() -> str:
        app, run_before = build(name)
        async with app.run_test(size=STATES[name].size) as pilot:
            await run_before(pilot)
            return app.export_screenshot()

    svg = asyncio.run(shoot())
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    body = "".join(texts[1:])  # the first text is the window title
    return re.sub(r"&#(\d+);", lambda m: chr(int(m.group(1))), body).replace("\xa0", " ")


@pytest.mark.parametrize("name", ["ascii"])
def test_ascii_mode_draws_only_ascii(name: str) -> None:
    text = _screen_text(name)
    assert "COOK BUSY" in text
    assert [c for c in set(text) if ord(c) > 126] == []
