"""Grad mode: whether ops record the graph (``no_grad``, ``enable_grad``), per thread and per task.

The mode lives in a ``contextvars.ContextVar``, so it belongs to the thread (and to the asyncio
task) that set it: one thread predicting under ``no_grad()`` never stops another from training.

Reading a ContextVar on every op would cost ~5% of a scalar op, so the ops read one flag first:
``RECORDING[0]`` is True while no thread or task anywhere is inside ``no_grad()`` (the usual
case), and then the graph is recorded without asking further. Only while some context has
switched recording off do ops consult their own context's value (``recording()``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_enabled: ContextVar[bool] = ContextVar("autodiff_grad_enabled", default=True)

RECORDING = [True]
"""Fast path for the ops: True while no context anywhere is inside ``no_grad()``."""

_lock = threading.Lock()
_disabled_blocks = 0  # how many no_grad() blocks are open, over all threads and tasks


def recording() -> bool:
    """Whether an op run now, in this thread/task, records its edges (the ops' one question)."""
    return RECORDING[0] or _enabled.get()


def is_grad_enabled() -> bool:
    """True unless inside ``no_grad()`` (in this thread or asyncio task)."""
    return _enabled.get()


def _open_block() -> None:
    global _disabled_blocks
    with _lock:
        _disabled_blocks += 1
        RECORDING[0] = False


def _close_block() -> None:
    global _disabled_blocks
    with _lock:
        _disabled_blocks -= 1
        RECORDING[0] = _disabled_blocks == 0


@contextmanager
def no_grad() -> Iterator[None]:
    """Ops inside build no graph: results have no parents and backward stops at them.

    Affects only the thread (or asyncio task) that enters the block."""
    previous = _enabled.get()
    _open_block()
    _enabled.set(False)
    try:
        yield
    finally:
        _enabled.set(previous)
        _close_block()


@contextmanager
def enable_grad() -> Iterator[None]:
    """Undo an enclosing ``no_grad()`` for the ops inside (this thread or task only)."""
    previous = _enabled.get()
    _enabled.set(True)
    try:
        yield
    finally:
        _enabled.set(previous)
