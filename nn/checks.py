"""Checks on what a user passes in: sizes, settings, names. Each returns the value in the form the
library uses, or raises an error that names the argument and says what was expected.

    positive_int(n, what)              an int >= 1 (a layer size, a batch size, a patience)
    layer_sizes(sizes, who)            a non-empty list of them (an MLP's layers; an int is one layer)
    real_in(v, what, lo, hi, ...)      a float in an interval, each end open or closed (a rate)
    finite(v, what)                    a finite float
    numbers_of(x)                      the numbers of a node, of a (nested) list of Values, or an array
    name_key(name)                     a name as every table of names stores it
    lookup(table, name, kind, ...)     table[name_key(name)], or a ValueError listing the choices

Every table of names in ``nn`` (activations, losses, optimizers, metrics, initialisers) is read
through ``lookup``, so "Leaky-ReLU", "leaky_relu" and " LEAKY_RELU " are the same name everywhere.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import numpy as np

from autodiff import Tensor, Value

__all__ = ["positive_int", "layer_sizes", "real_in", "finite", "numbers_of", "name_key", "lookup"]

T = TypeVar("T")


def positive_int(n: Any, what: str) -> int:
    """``n`` as an int, or a ValueError naming ``what`` (a layer size, a feature count)."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"{what} must be a positive int, got {n!r}")
    return int(n)


def layer_sizes(sizes: int | Sequence[int], who: str) -> list[int]:
    """An MLP's layer sizes as a list of positive ints (one int is a single layer); ``who`` names
    the model in the error for an empty list."""
    if isinstance(sizes, numbers.Integral):
        sizes = [sizes]
    out = [positive_int(s, "each layer size") for s in sizes]
    if not out:
        raise ValueError(f"{who} needs at least one layer size, e.g. {who}(2, [4, 1])")
    return out


def real_in(value: Any, what: str, lo: float = 0.0, hi: float = math.inf, *,
            lo_open: bool = False, hi_open: bool = True) -> float:
    """``value`` as a float if it is a real number (numpy scalars too, a bool not) in the interval
    from ``lo`` to ``hi``, each end open or closed; else a TypeError or ValueError naming ``what``.

    The default interval is [0, ∞): a finite number >= 0 (a learning rate). A closed infinite
    end (``hi_open=False``) admits ∞ itself (``max_norm=inf``: measure, never clip). NaN is in
    no interval."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{what} must be a real number, got {type(value).__name__} {value!r:.40}")
    v = float(value)
    above = lo < v if lo_open else lo <= v
    below = v < hi if hi_open else v <= hi
    if not (above and below):
        if hi == math.inf and lo == -math.inf:
            wanted = "a finite number"
        elif hi == math.inf:
            wanted = ("a finite number " if hi_open else "") + (">" if lo_open else ">=") + f" {lo:g}"
        else:
            wanted = f"in {'(' if lo_open else '['}{lo:g}, {hi:g}{')' if hi_open else ']'}"
        raise ValueError(f"{what} must be {wanted}, got {value!r}")
    return v


def finite(value: Any, what: str) -> float:
    """``value`` as a float if it is a finite real number, else an error naming ``what``."""
    return real_in(value, what, -math.inf, math.inf, lo_open=True)


def numbers_of(x: Any, dtype: Any = np.float64) -> np.ndarray:
    """x's numbers as an array of ``dtype`` (None: as they are): a node's data (a Value or a
    Tensor), or a number, an array or a (nested) list of numbers and Values (numpy reads each
    Value through ``float(v)``, its data). Numpy's ValueError or TypeError for what holds no
    numbers, or a ragged list: the caller names the argument."""
    return np.asarray(x.data if isinstance(x, (Value, Tensor)) else x, dtype=dtype)


def name_key(name: str) -> str:
    """A name as the tables store it: trimmed, lower case, '-' read as '_' ("Leaky-ReLU" → "leaky_relu")."""
    return name.strip().lower().replace("-", "_")


def lookup(table: Mapping[str, T], name: str, kind: str, otherwise: str) -> T:
    """``table[name_key(name)]``, or a ValueError: "unknown {kind} {name!r}: use {otherwise} or one
    of {the table's names}"."""
    key = name_key(name)
    if key in table:
        return table[key]
    raise ValueError(f"unknown {kind} {name!r}: use {otherwise} or one of {', '.join(sorted(table))}")
