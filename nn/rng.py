"""Random numbers: every seeded thing in ``nn`` (weights, dropout masks, shuffles, splits, datasets)
draws from a ``numpy.random.Generator`` made here, so the same seed gives the same numbers, bit for bit.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["rng_from", "rng_or_seed"]


def rng_from(rng: int | np.random.Generator | None = None) -> np.random.Generator:
    """A ``numpy.random.Generator`` from an int seed, a Generator (returned as is), or None.

    None gives a fresh, unpredictable generator; an int gives ``np.random.default_rng(seed)``, so
    the same seed always gives the same stream. Passing one Generator to several calls continues
    a single stream (the calls then get different numbers)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        return np.random.default_rng()
    if isinstance(rng, bool) or not isinstance(rng, numbers.Integral):
        raise TypeError(f"a seed must be an int, a numpy.random.Generator or None, got "
                        f"{type(rng).__name__} {rng!r:.60}")
    if rng < 0:
        raise ValueError(f"a seed must be a non-negative int, got {rng}")
    return np.random.default_rng(int(rng))


def rng_or_seed(rng: int | np.random.Generator | None, seed: int | None) -> np.random.Generator:
    """The generator a layer draws from, given its ``rng=`` or ``seed=`` (not both)."""
    if rng is not None and seed is not None:
        raise ValueError("give either rng= or seed=, not both (rng also accepts an int seed)")
    return rng_from(seed if rng is None else rng)
