"""The mode ops run in: recording the graph or not (``no_grad``, ``enable_grad``), the forward-mode
levels whose tangents they push (``forward_level``), and op counters (``counting``).

All of it lives in ``contextvars.ContextVar``s, so it belongs to the thread (and the asyncio task)
that set it: one thread predicting under ``no_grad()`` never stops another from training.

Reading ContextVars on every op would cost ~5% of a scalar op, so the ops read one flag first:
``PLAIN[0]`` is True while no thread or task anywhere is inside any of these blocks (the usual
case); then an op records its edges and nothing else, without asking further. Only while some
block is open anywhere do ops take their slow path and consult their own context.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_enabled: ContextVar[bool] = ContextVar("autodiff_grad_enabled", default=True)
_levels: ContextVar[tuple] = ContextVar("autodiff_forward_levels", default=())
_counters: ContextVar[tuple] = ContextVar("autodiff_counters", default=())
_reverse_depth: ContextVar[int] = ContextVar("autodiff_reverse_depth", default=0)

PLAIN = [True]
"""The ops' fast path: True while no context anywhere is inside a no_grad / forward-level /
counting block, so an op just records its edges."""

_lock = threading.Lock()
_open_blocks = 0  # how many such blocks are open, over all threads and tasks


def recording() -> bool:
    """Whether an op run now, in this thread/task, records its edges."""
    return PLAIN[0] or _enabled.get()


def is_grad_enabled() -> bool:
    """True unless inside ``no_grad()`` (in this thread or asyncio task)."""
    return _enabled.get()


def levels() -> tuple:
    """The forward-mode levels open in this context, outermost first."""
    return _levels.get()


def counters() -> tuple:
    """The op counters open in this context."""
    return _counters.get()


def reverse_depth() -> int:
    """How many reverse-mode transforms (``grad``, ``jacrev`` …) enclose the current code."""
    return _reverse_depth.get()


@contextmanager
def _special_block() -> Iterator[None]:
    """While open anywhere, every op takes its slow path (see the module docstring)."""
    global _open_blocks
    with _lock:
        _open_blocks += 1
        PLAIN[0] = False
    try:
        yield
    finally:
        with _lock:
            _open_blocks -= 1
            PLAIN[0] = _open_blocks == 0


@contextmanager
def _set(var: ContextVar, value) -> Iterator[None]:
    previous = var.get()
    var.set(value)
    try:
        yield
    finally:
        var.set(previous)  # (not reset(token): a generator may close in another context)


@contextmanager
def no_grad() -> Iterator[None]:
    """Ops inside build no graph: results have no parents and backward stops at them.

    Affects only the thread (or asyncio task) that enters the block."""
    with _special_block(), _set(_enabled, False):
        yield


@contextmanager
def enable_grad() -> Iterator[None]:
    """Undo an enclosing ``no_grad()`` for the ops inside (this thread or task only)."""
    with _set(_enabled, True):
        yield


@contextmanager
def forward_level(level) -> Iterator[None]:
    """Ops inside push tangents for ``level`` too (innermost: last in ``levels()``)."""
    with _special_block(), _set(_levels, _levels.get() + (level,)):
        yield


@contextmanager
def without_level(level) -> Iterator[None]:
    """Ops inside do not push ``level``'s tangents (while that level's own tangents are computed
    with ops: only the levels outside it may see those ops)."""
    with _set(_levels, tuple(lv for lv in _levels.get() if lv is not level)):
        yield


@contextmanager
def counting_with(counter) -> Iterator[None]:
    with _special_block(), _set(_counters, _counters.get() + (counter,)):
        yield


@contextmanager
def reverse_transform() -> Iterator[None]:
    """Marks code run by a reverse-mode transform (its results may be differentiated again)."""
    with _set(_reverse_depth, _reverse_depth.get() + 1):
        yield
