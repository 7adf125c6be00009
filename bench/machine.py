"""The line every benchmark prints first: which machine, which versions, how busy it was."""

from __future__ import annotations

import os
import platform
from importlib.metadata import version


def machine() -> str:
    return (
        f"nproc {os.cpu_count()}, Python {platform.python_version()}, anyio {version('anyio')},"
        f" load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
