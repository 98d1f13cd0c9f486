"""Activation functions σ(x), each built from the autodiff op table (no hand-written gradients).

Every function takes a ``Value``, a ``Tensor`` (applied elementwise) or a list/tuple of Values
(applied to each; returns a list). ``softmax`` and ``log_softmax`` take a Tensor (along ``axis``,
the last one by default) or a list of Values (the scalar MLP's output layer).

The table of the lecture notes on neural networks (σ(x; k) with a parameter k):

    linear      σ(x; k) = k·x                                   σ' = k
    step        σ(x; k) = 1 if x ≥ k else 0   (threshold k)     σ' = 0
    sigmoid     σ(x) = 1/(1 + e⁻ˣ)                              σ' = σ(1 − σ)
    tanh        σ(x) = (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ)                    σ' = 1 − σ²
    relu        σ(x) = max(0, x)                                σ' = 1 if x > 0 else 0
    softmax     σ(i, z) = e^{zᵢ}/Σⱼ e^{zⱼ}

and the deep-learning notes' additions:

    leaky_relu  σ(x) = x if x > 0 else αx   (α = 0.01)          σ' = 1 or α
    elu         σ(x) = x if x > 0 else α(eˣ − 1)   (α = 1)      σ' = 1 or σ + α

``step`` follows the notes on neural networks exactly: the threshold k is the *input* level at
which the output switches from 0 to 1, and x = k gives 1 (x ≥ k). So ``step(p, k=0.5)`` turns a probability into a
class, as those notes suggest; ``step(x)`` (k = 0) is the op table's ``Value.step``/``Tensor.step``.

The registry ``REGISTRY`` holds every activation once, with its other names ("logistic" is
sigmoid), and is the only place ``nn`` looks an activation name up: ``resolve(name)`` gives its
entry, for the scalar ``Neuron``/``Layer``/``MLP``, the tensor ``TensorMLP``, the activation
modules of ``nn.layers`` (generated from the entries) and ``get_activation``.
"""

from __future__ import annotations

import functools
import inspect
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

import autodiff
from autodiff import Tensor, Value

from .checks import lookup

NodeOrList = Value | Tensor | Sequence[Value]

__all__ = [
    "linear", "identity", "step", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "softmax",
    "log_softmax", "get_activation", "resolve", "is_rectifier", "Entry", "REGISTRY", "ACTIVATIONS",
]


def _lift(x: Any) -> Any:
    """A plain number becomes a Value, an ndarray a Tensor; nodes and lists pass through."""
    if isinstance(x, (Value, Tensor, list, tuple)):
        return x
    if isinstance(x, np.ndarray):
        return Tensor(x)
    if isinstance(x, (int, float, np.number)) and not isinstance(x, bool):
        return Value(float(x))
    raise TypeError(f"an activation needs a Value, a Tensor or a list of Values, got "
                    f"{type(x).__name__} {x!r:.60}")


def _each(x: Any, fn: Callable[..., Any], *params: Any) -> Any:
    """fn(node, *params) on a Value or a Tensor, or on each item of a list (giving a list)."""
    x = _lift(x)
    if isinstance(x, (list, tuple)):
        return [fn(_lift(v), *params) for v in x]
    return fn(x, *params)


def linear(x: NodeOrList, k: float = 1.0) -> Any:
    """σ(x; k) = k·x;  σ'(x) = k  (the notes' linear function). With k = 1 it returns x itself."""
    k = float(k)
    if k == 1.0:
        return list(x) if isinstance(x, (list, tuple)) else _lift(x)
    return _each(x, operator.mul, k)


def identity(x: NodeOrList) -> Any:
    """σ(x) = x (the output activation of a regression network)."""
    return linear(x, 1.0)


def step(x: NodeOrList, k: float = 0.0) -> Any:
    """σ(x; k) = 1 if x ≥ k else 0  (the notes' threshold function);  σ' = 0 everywhere.

    Built as step₀(x − k) with the op table's step₀(u) = [u ≥ 0] (in floating point x − k ≥ 0
    exactly when x ≥ k). Its zero derivative means nothing before it learns."""
    k = float(k)
    if k == 0.0:
        return _each(x, autodiff.step)
    return _each(x, lambda v: autodiff.step(v - k))


def sigmoid(x: NodeOrList) -> Any:
    """σ(x) = 1/(1 + e⁻ˣ);  σ'(x) = σ(x)(1 − σ(x))  (stable for large |x|)."""
    return _each(x, autodiff.sigmoid)


def tanh(x: NodeOrList) -> Any:
    """σ(x) = tanh x = (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ);  σ'(x) = 1 − tanh²x."""
    return _each(x, autodiff.tanh)


def relu(x: NodeOrList) -> Any:
    """σ(x) = max(0, x);  σ'(x) = 1 if x > 0 else 0 (0 at x = 0)."""
    return _each(x, autodiff.relu)


def leaky_relu(x: NodeOrList, alpha: float = 0.01) -> Any:
    """σ(x) = x if x > 0 else αx;  σ'(x) = 1 if x > 0 else α  (α = 0.01, as the deep-learning notes)."""
    alpha = float(alpha)
    return _each(x, autodiff.leaky_relu, alpha)


def elu(x: NodeOrList, alpha: float = 1.0) -> Any:
    """σ(x) = x if x > 0 else α(eˣ − 1);  σ'(x) = 1 if x > 0 else αeˣ = σ(x) + α."""
    alpha = float(alpha)
    return _each(x, autodiff.elu, alpha)


def _values(x: Sequence, what: str) -> list[Value]:
    vs = [_lift(v) for v in x]
    if not vs:
        raise ValueError(f"{what} of an empty list is undefined")
    if not all(isinstance(v, Value) for v in vs):
        raise TypeError(f"{what} of a list needs Values or numbers, got "
                        f"{sorted({type(v).__name__ for v in vs})}")
    return vs


def _shifted(x: Any, name: str) -> list[Value]:
    """A list of Values shifted by their largest data value m: zᵢ − m (m a constant, so the shift
    adds no gradient path)."""
    if isinstance(x, Value):
        raise TypeError(f"{name} needs a vector: a Tensor or a list of Values, got a single Value")
    vs = _values(x, name)
    m = max(v.data for v in vs)
    return [v - m for v in vs]


def softmax(x: Tensor | Sequence[Value], axis: int = -1) -> Any:
    """σ(i, z) = e^{zᵢ}/Σⱼ e^{zⱼ}, along ``axis`` of a Tensor or over a list of Values.

    Computed as e^{zᵢ − m}/Σⱼ e^{zⱼ − m} with m = maxⱼ zⱼ (the same number, but e^{…} ≤ 1 cannot
    overflow). m is a constant: the shift cancels, so no gradient flows through it. The deep-learning
    notes' version adds δ = 10⁻⁹ to the denominator; with the shift the denominator is ≥ 1 and we leave
    it out. Jacobian: ∂σᵢ/∂zⱼ = σᵢ(δᵢⱼ − σⱼ)."""
    if isinstance(x, (Tensor, np.ndarray)):  # the Tensor op, along an axis
        return _lift(x).softmax(axis=axis)
    exps = [v.exp() for v in _shifted(x, "softmax")]
    total = Value.sum(exps)
    return [e / total for e in exps]


def log_softmax(x: Tensor | Sequence[Value], axis: int = -1) -> Any:
    """log σ(i, z) = zᵢ − log Σⱼ e^{zⱼ} = (zᵢ − m) − log Σⱼ e^{zⱼ − m},  m = maxⱼ zⱼ (stable).

    The log of a probability without ever forming a probability that could underflow to 0;
    cross-entropy from logits is built on it. ∂/∂zⱼ log σᵢ = δᵢⱼ − σⱼ."""
    if isinstance(x, (Tensor, np.ndarray)):  # the Tensor op, along an axis
        return _lift(x).log_softmax(axis=axis)
    shifted = _shifted(x, "log_softmax")
    log_total = Value.sum([s.exp() for s in shifted]).log()
    return [s - log_total for s in shifted]


# --- the registry ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Entry:
    """One activation and how networks use it.

    fn           σ(x, **params) on a Value, a Tensor, a list of Values, a number or an array
    aliases      its other names ("logistic" for sigmoid)
    table_op     σ at its default parameters is the op table's op of the same name, so a scalar
                 neuron may call that op's Value method directly (one Python call less per neuron)
    whole_layer  σ normalises a layer's outputs together (softmax), not each output on its own
    rectifier    a ReLU-family σ: TensorMLP draws He-initialised weights for the layer before it
    """

    fn: Callable[..., Any]
    aliases: tuple[str, ...] = ()
    table_op: bool = False
    whole_layer: bool = False
    rectifier: bool = False

    @property
    def name(self) -> str:
        return self.fn.__name__

    @property
    def params(self) -> tuple[tuple[str, Any], ...]:
        """(name, default) of σ's parameters after x: (("alpha", 0.01),) for leaky_relu."""
        return tuple((p.name, p.default) for p in list(inspect.signature(self.fn).parameters.values())[1:])


REGISTRY: tuple[Entry, ...] = (
    Entry(linear),
    Entry(identity, aliases=("none",)),
    Entry(step, aliases=("threshold",), table_op=True),
    Entry(sigmoid, aliases=("logistic",), table_op=True),
    Entry(tanh, table_op=True),
    Entry(relu, table_op=True, rectifier=True),
    Entry(leaky_relu, aliases=("lrelu", "leakyrelu"), table_op=True, rectifier=True),
    Entry(elu, table_op=True, rectifier=True),
    Entry(softmax, whole_layer=True),
    Entry(log_softmax, whole_layer=True),
)
"""Every activation, once. An activation name anywhere in ``nn`` is read here, by ``resolve``."""

_BY_NAME: dict[str, Entry] = {name: e for e in REGISTRY for name in (e.name, *e.aliases)}

ACTIVATIONS: dict[str, Callable[..., Any]] = {name: e.fn for name, e in _BY_NAME.items()}
"""Activation functions by (lower-case) name, aliases included ("logistic" = "sigmoid")."""


def resolve(name: str) -> Entry:
    """The registry's entry for an activation name (case-insensitive, '-' read as '_'), or a
    ValueError listing the names."""
    if not isinstance(name, str):
        raise TypeError(f"an activation is a name, a callable or None, got {type(name).__name__}")
    return lookup(_BY_NAME, name, "activation", "a callable")


def is_rectifier(name: str) -> bool:
    """Whether ``name`` names a ReLU-family activation (relu, leaky_relu, elu and their aliases)."""
    try:
        return resolve(name).rectifier
    except ValueError:  # a name of your own: no default to pick for it
        return False


def get_activation(activation: str | Callable[..., Any] | None, **params: Any) -> Callable[..., Any]:
    """The activation function for a name (case-insensitive), a callable (returned as is) or None
    (the identity). Keyword ``params`` are bound: ``get_activation("leaky_relu", alpha=0.1)``,
    ``get_activation("step", k=0.5)``."""
    if activation is None:
        fn: Callable[..., Any] = identity
    elif callable(activation):
        fn = activation
    else:
        fn = resolve(activation).fn
    return functools.partial(fn, **params) if params else fn
