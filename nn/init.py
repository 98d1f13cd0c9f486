"""Weight initialisation: numpy arrays of a given shape, drawn from a seeded generator.

A weight array has shape ``(nin, nout)``: row i holds the weights leaving input i, column j the
weights entering neuron j (so ``X @ W`` is a layer's weighted sums). Hence

    fan_in = shape[0],   fan_out = shape[1] · shape[2] · …     (a 1-d shape (n,) is one neuron: (n, 1))

Every function takes ``rng``: an int seed, a ``numpy.random.Generator``, or None (the global
generator, seeded by ``autodiff.manual_seed``; see ``nn.rng``).
The same seed gives the same numbers, bit for bit. Functions that draw nothing (``constant``,
``zeros``, ``ones``) accept ``rng`` too, so that any initialiser can be called as
``init(shape, rng=rng)``; ``functools.partial(uniform, a=-0.1, b=0.1)`` is an initialiser too.

Where the numbers come from:
  * uniform(−1, 1) for weights and biases: the notes on backpropagation ("initialized randomly
    between −1 and 1"), and micrograd;
  * uniform(−0.1, 0.1): the introductory notes (their two-layer tanh net on the noisy sine);
  * normal(0, 1): the deep-learning notes (the scheme Glorot and Bengio found makes deep sigmoid
    nets saturate);
  * Glorot/Xavier: the deep-learning notes (Glorot & Bengio 2010, keep the variance of the outputs
    of each layer equal to that of its inputs, forwards and backwards);
  * He/Kaiming (He et al. 2015): the same argument for ReLU layers, which zero half their inputs;
  * biases set to 1: the notes on neural networks ("Randomize the weights of the networks. Biases
    should be set to 1").
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence

import numpy as np

from autodiff.errors import ShapeError

from .checks import finite, lookup, positive_int, real_in
from .rng import rng_from

__all__ = [
    "fans", "uniform", "normal", "xavier_uniform", "xavier_normal", "glorot_uniform", "glorot_normal",
    "kaiming_uniform", "kaiming_normal", "he_uniform", "he_normal", "constant", "zeros", "ones", "get",
    "draw", "INITIALIZERS",
    "rng_from", "real_in", "positive_int",  # at home in nn.rng and nn.checks; kept here for old imports
]


def draw(init: str | float | Callable, shape: tuple[int, ...], rng: np.random.Generator, what: str) -> np.ndarray:
    """Initial values of ``shape`` from ``init`` (a name here, a number, or ``f(shape, rng=...)``),
    checked: the right shape and finite, or an error naming ``what`` (a weight, a bias)."""
    arr = np.asarray(get(init)(shape, rng=rng), dtype=np.float64)
    if arr.shape != shape:
        raise ShapeError(f"the {what} initialiser returned shape {arr.shape}, expected {shape}")
    if not np.isfinite(arr).all():
        raise ValueError(f"the {what} initialiser returned NaN or infinite values")
    return arr


def _shape(shape: int | Sequence[int]) -> tuple[int, ...]:
    if isinstance(shape, numbers.Integral) and not isinstance(shape, bool):
        shape = (int(shape),)
    try:
        items = tuple(shape)
    except TypeError:
        items = (None,)
    if isinstance(shape, str) or not all(isinstance(d, numbers.Integral) and not isinstance(d, bool)
                                         and d >= 0 for d in items):
        raise ShapeError(f"a shape must be an int or a tuple of non-negative ints, got {shape!r:.60}")
    return tuple(int(d) for d in items)


def fans(shape: int | Sequence[int]) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight array of shape (nin, nout): fan_in = nin, fan_out = nout.

    A 1-d shape (n,) is a single neuron's weights: (n, 1). A 0-d shape counts as (1, 1); extra
    trailing dimensions multiply into fan_out."""
    dims = _shape(shape)
    if len(dims) == 0:
        return 1, 1
    if len(dims) == 1:
        return dims[0], 1
    return dims[0], math.prod(dims[1:])


def _positive_fan(shape, which: str) -> int:
    fan_in, fan_out = fans(shape)
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_sum": fan_in + fan_out}[which]
    if n <= 0:
        raise ShapeError(f"cannot scale by {which} of shape {tuple(_shape(shape))}: it is 0")
    return n


# --- plain distributions ---------------------------------------------------------------------
def uniform(shape: int | Sequence[int], a: float = -1.0, b: float = 1.0, *,
            rng: int | np.random.Generator | None = None) -> np.ndarray:
    """w ~ U(a, b), each entry independently. Defaults (−1, 1) as the notes on
    backpropagation; the introductory notes use (−0.1, 0.1)."""
    a, b = finite(a, "uniform: a"), finite(b, "uniform: b")
    if not a <= b:
        raise ValueError(f"uniform needs a <= b, got a={a}, b={b}")
    return rng_from(rng).uniform(a, b, size=_shape(shape))


def normal(shape: int | Sequence[int], mean: float = 0.0, std: float = 1.0, *,
           rng: int | np.random.Generator | None = None) -> np.ndarray:
    """w ~ N(mean, std²), each entry independently (the deep-learning notes: the classic N(0, 1) scheme)."""
    mean, std = finite(mean, "normal: mean"), real_in(std, "normal: std")
    return rng_from(rng).normal(mean, std, size=_shape(shape))


# --- Glorot / Xavier (the deep-learning notes) -------------------------------------------------
def xavier_uniform(shape: int | Sequence[int], gain: float = 1.0, *,
                   rng: int | np.random.Generator | None = None) -> np.ndarray:
    """Glorot uniform (the deep-learning notes): w ~ U(−a, a),  a = gain · √(6 / (fan_in + fan_out)).

    Its variance a²/3 = gain² · 2/(fan_in + fan_out) balances the forward and backward signals."""
    bound = real_in(gain, "xavier_uniform: gain") * math.sqrt(6.0 / _positive_fan(shape, "fan_sum"))
    return rng_from(rng).uniform(-bound, bound, size=_shape(shape))


def xavier_normal(shape: int | Sequence[int], gain: float = 1.0, *,
                  rng: int | np.random.Generator | None = None) -> np.ndarray:
    """Glorot normal (the deep-learning notes): w ~ N(0, σ²),  σ = gain · √(2 / (fan_in + fan_out))."""
    std = real_in(gain, "xavier_normal: gain") * math.sqrt(2.0 / _positive_fan(shape, "fan_sum"))
    return rng_from(rng).normal(0.0, std, size=_shape(shape))


# --- He / Kaiming ------------------------------------------------------------------------------
def kaiming_uniform(shape: int | Sequence[int], gain: float = math.sqrt(2.0), mode: str = "fan_in", *,
                    rng: int | np.random.Generator | None = None) -> np.ndarray:
    """He uniform: w ~ U(−a, a),  a = gain · √(3 / fan),  gain = √2 for ReLU (so a = √(6 / fan_in)).

    Variance gain²/fan = 2/fan_in: a ReLU halves its input's second moment, the √2 gives it back.
    ``mode`` is "fan_in" (keep forward variance) or "fan_out" (keep backward variance)."""
    bound = real_in(gain, "kaiming_uniform: gain") * math.sqrt(3.0 / _positive_fan(shape, _mode(mode)))
    return rng_from(rng).uniform(-bound, bound, size=_shape(shape))


def kaiming_normal(shape: int | Sequence[int], gain: float = math.sqrt(2.0), mode: str = "fan_in", *,
                   rng: int | np.random.Generator | None = None) -> np.ndarray:
    """He normal: w ~ N(0, σ²),  σ = gain / √fan,  gain = √2 for ReLU (so σ = √(2 / fan_in))."""
    std = real_in(gain, "kaiming_normal: gain") / math.sqrt(_positive_fan(shape, _mode(mode)))
    return rng_from(rng).normal(0.0, std, size=_shape(shape))


def _mode(mode: str) -> str:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")
    return mode


glorot_uniform = xavier_uniform
glorot_normal = xavier_normal
he_uniform = kaiming_uniform
he_normal = kaiming_normal


# --- constants -------------------------------------------------------------------------------
def constant(shape: int | Sequence[int], value: float = 0.0, *,
             rng: int | np.random.Generator | None = None) -> np.ndarray:
    """w = value everywhere (the notes on neural networks set every bias to 1). ``rng`` is accepted
    and unused."""
    return np.full(_shape(shape), finite(value, "constant: value"))


def zeros(shape: int | Sequence[int], *, rng: int | np.random.Generator | None = None) -> np.ndarray:
    """w = 0 everywhere (fine for biases; for weights every neuron would stay identical)."""
    return np.zeros(_shape(shape))


def ones(shape: int | Sequence[int], *, rng: int | np.random.Generator | None = None) -> np.ndarray:
    """w = 1 everywhere (the biases of the notes on neural networks)."""
    return np.ones(_shape(shape))


INITIALIZERS: dict[str, Callable[..., np.ndarray]] = {
    "uniform": uniform, "normal": normal,
    "xavier_uniform": xavier_uniform, "xavier_normal": xavier_normal,
    "glorot_uniform": xavier_uniform, "glorot_normal": xavier_normal,
    "kaiming_uniform": kaiming_uniform, "kaiming_normal": kaiming_normal,
    "he_uniform": kaiming_uniform, "he_normal": kaiming_normal,
    "zeros": zeros, "ones": ones,
}
"""Initialisers by name, each with its default parameters."""


def get(init: str | float | Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    """An initialiser ``f(shape, rng=...) -> ndarray`` from a name, a number (a constant) or a callable."""
    if callable(init):
        return init
    if isinstance(init, numbers.Real) and not isinstance(init, bool):
        value = finite(init, "a constant initialiser")
        return lambda shape, rng=None: constant(shape, value)
    if isinstance(init, str):
        return lookup(INITIALIZERS, init, "initialiser", "a number, a callable f(shape, rng=...)")
    raise ValueError(f"an initialiser is a name, a number or a callable f(shape, rng=...), got "
                     f"{type(init).__name__} {init!r:.60}")
