"""The accept board: what each worker tells the front desk through memory they share."""

from __future__ import annotations

import mmap
import os
import struct
import tempfile

_SLOT = struct.Struct("qq")  # tickets taken off the socket so far, tickets it would take now
# A worker whose event loop runs takes whatever comes (uvicorn accepts eagerly): no count.
UNLIMITED = 1 << 40


class AcceptBoard:
    """The listening socket's bookkeeping a kernel keeps for free: who took how many, who waits.

    One slot per worker (numbered from 1), written only by that worker's loop thread, read by
    the front desk when an order arrives: the desk's count of tickets waiting is what it sent
    less what the workers took, and a ticket a waiting worker will take at once takes no place.
    Aligned 8-byte words, so a reader never sees half a write.
    """

    def __init__(self, slots: int, fd: int | None = None) -> None:
        size = _SLOT.size * (slots + 1)
        if fd is None:
            fd = _shared_file()
            os.ftruncate(fd, size)
        self.fd = fd
        self.slots = slots
        self._map = mmap.mmap(fd, size)

    def publish(self, slot: int, accepted: int, ready: int) -> None:
        _SLOT.pack_into(self._map, slot * _SLOT.size, accepted, ready)

    def read(self, slot: int) -> tuple[int, int]:
        accepted, ready = _SLOT.unpack_from(self._map, slot * _SLOT.size)
        return int(accepted), int(ready)

    def totals(self) -> tuple[int, int]:
        """Tickets taken by every worker, and how many they would take right now (capped)."""
        accepted = ready = 0
        for slot in range(1, self.slots + 1):
            taken, free = _SLOT.unpack_from(self._map, slot * _SLOT.size)
            accepted += taken
            ready = min(UNLIMITED, ready + free)
        return accepted, ready


def _shared_file() -> int:
    """An anonymous file to map: memfd on Linux, an unlinked temporary file elsewhere."""
    create = getattr(os, "memfd_create", None)
    if create is not None:
        return int(create("kitchen-accept-board", 0))
    handle, path = tempfile.mkstemp(prefix="kitchen-accept-board-")
    os.unlink(path)
    return handle
