"""Random numbers: the one place in ``nn`` that turns a ``seed=``/``rng=`` into a generator.

Every random draw in ``nn`` — initial weights, dropout masks, shuffles, splits, datasets — comes
from a ``numpy.random.Generator`` resolved here:

    an int seed        ``np.random.default_rng(seed)``: the same seed, the same numbers, bit for bit
    a Generator        used as it is (several calls given one Generator continue one stream)
    None               the global generator, ``autodiff.default_generator()``

so ``autodiff.manual_seed(s)`` (as ``torch.manual_seed``) makes a whole script repeatable, while
a module given its own ``seed=`` keeps its own stream. Python's ``random.seed`` and
``np.random.seed`` do not reach any of it (nor do they reach PyTorch's generator).

A draw made later (a dropout mask, an epoch's shuffle) resolves None *when it draws*, so a
``manual_seed`` called after the model was built still governs it.
"""

from __future__ import annotations

import numbers

import numpy as np

import autodiff

__all__ = ["rng_from", "rng_or_seed", "own_or_global"]


def rng_from(rng: int | np.random.Generator | None = None) -> np.random.Generator:
    """A ``numpy.random.Generator`` from an int seed, a Generator (returned as is), or None (the
    global generator of ``autodiff.manual_seed``, as it is at this call)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        return autodiff.default_generator()
    if isinstance(rng, bool) or not isinstance(rng, numbers.Integral):
        raise TypeError(f"a seed must be an int, a numpy.random.Generator or None, got "
                        f"{type(rng).__name__} {rng!r:.60}")
    if rng < 0:
        raise ValueError(f"a seed must be a non-negative int, got {rng}")
    return np.random.default_rng(int(rng))


def own_or_global(rng: int | np.random.Generator | None, seed: int | None) -> np.random.Generator | None:
    """The module's own generator from its ``rng=`` or ``seed=`` (not both), or None when it has
    none: it then draws from the global generator each time (``rng_from(None)`` at the draw)."""
    if rng is not None and seed is not None:
        raise ValueError("give either rng= or seed=, not both (rng also accepts an int seed)")
    own = seed if rng is None else rng
    return None if own is None else rng_from(own)


def rng_or_seed(rng: int | np.random.Generator | None, seed: int | None) -> np.random.Generator:
    """The generator a layer draws its initial weights from, given its ``rng=`` or ``seed=`` (not
    both); the global generator when neither is given."""
    return rng_from(own_or_global(rng, seed))
