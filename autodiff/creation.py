"""Making tensors as PyTorch spells it (``zeros``, ``ones``, ``full``, ``arange``, ``linspace``,
``rand``, ``randn``, ``zeros_like``, ``ones_like``), and the one global random generator.

``manual_seed(s)`` seeds the generator that every random draw uses when it is given no ``seed=``
or ``rng=`` of its own: ``rand``/``randn`` here, and in ``nn`` the initialisers, dropout masks and
data shuffles. Python's ``random.seed`` and numpy's ``np.random.seed`` do not reach it (as they do
not reach PyTorch's): one switch, ``manual_seed``, makes a whole script reproducible.
"""

from __future__ import annotations

import numbers

import numpy as np

from .tensor import Tensor

_GENERATOR = [np.random.default_rng()]


def manual_seed(seed: int) -> np.random.Generator:
    """Seed the global generator (as ``torch.manual_seed``); returns it."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise TypeError(f"manual_seed needs a non-negative int, got {seed!r}")
    _GENERATOR[0] = np.random.default_rng(int(seed))
    return _GENERATOR[0]


def default_generator() -> np.random.Generator:
    """The global generator (``manual_seed`` replaces it): for draws given no seed or rng."""
    return _GENERATOR[0]


def _shape(shape: tuple) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    for n in shape:
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0:
            raise TypeError(f"a shape is non-negative ints, got {shape!r}")
    return tuple(int(n) for n in shape)


def _made(array, requires_grad: bool, label: str) -> Tensor:
    return Tensor.from_numpy(np.asarray(array, dtype=np.float64), requires_grad=requires_grad, label=label)


def zeros(*shape, requires_grad: bool = False, label: str = "") -> Tensor:
    """A tensor of zeros: ``zeros(2, 3)`` or ``zeros((2, 3))``."""
    return _made(np.zeros(_shape(shape)), requires_grad, label)


def ones(*shape, requires_grad: bool = False, label: str = "") -> Tensor:
    """A tensor of ones."""
    return _made(np.ones(_shape(shape)), requires_grad, label)


def full(shape, fill_value: float, *, requires_grad: bool = False, label: str = "") -> Tensor:
    """A tensor of ``shape`` with every entry ``fill_value``."""
    return _made(np.full(_shape((shape,) if isinstance(shape, int) else (tuple(shape),)), float(fill_value)),
                 requires_grad, label)


def arange(start: float, stop: float | None = None, step: float = 1.0, *, requires_grad: bool = False,
           label: str = "") -> Tensor:
    """start, start + step, … below stop (``arange(5)`` is 0 … 4), as floats."""
    return _made(np.arange(start, stop, step, dtype=np.float64), requires_grad, label)


def linspace(start: float, stop: float, steps: int, *, requires_grad: bool = False, label: str = "") -> Tensor:
    """``steps`` evenly spaced numbers from start to stop, both included."""
    return _made(np.linspace(start, stop, steps), requires_grad, label)


def rand(*shape, requires_grad: bool = False, label: str = "") -> Tensor:
    """Uniform on [0, 1), from the global generator (``manual_seed``)."""
    return _made(default_generator().random(_shape(shape)), requires_grad, label)


def randn(*shape, requires_grad: bool = False, label: str = "") -> Tensor:
    """Standard normal, from the global generator (``manual_seed``)."""
    return _made(default_generator().standard_normal(_shape(shape)), requires_grad, label)


def zeros_like(t, *, requires_grad: bool = False, label: str = "") -> Tensor:
    """Zeros of t's shape (t a Tensor or an array)."""
    return zeros(*np.shape(t.data if isinstance(t, Tensor) else t), requires_grad=requires_grad, label=label)


def ones_like(t, *, requires_grad: bool = False, label: str = "") -> Tensor:
    """Ones of t's shape."""
    return ones(*np.shape(t.data if isinstance(t, Tensor) else t), requires_grad=requires_grad, label=label)
