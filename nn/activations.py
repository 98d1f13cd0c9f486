"""Activation functions σ(x), each built from the autodiff op table (no hand-written gradients).

Every function takes a ``Value``, a ``Tensor`` (applied elementwise) or a list/tuple of Values
(applied to each; returns a list). ``softmax`` and ``log_softmax`` take a Tensor (along ``axis``,
the last one by default) or a list of Values (the scalar MLP's output layer).

Seed 001's table (σ(x; k) with a parameter k):

    linear      σ(x; k) = k·x                                   σ' = k
    step        σ(x; k) = 1 if x ≥ k else 0   (threshold k)     σ' = 0
    sigmoid     σ(x) = 1/(1 + e⁻ˣ)                              σ' = σ(1 − σ)
    tanh        σ(x) = (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ)                    σ' = 1 − σ²
    relu        σ(x) = max(0, x)                                σ' = 1 if x > 0 else 0
    softmax     σ(i, z) = e^{zᵢ}/Σⱼ e^{zⱼ}

and seed 003's additions:

    leaky_relu  σ(x) = x if x > 0 else αx   (α = 0.01)          σ' = 1 or α
    elu         σ(x) = x if x > 0 else α(eˣ − 1)   (α = 1)      σ' = 1 or σ + α

``step`` follows seed 001 exactly: the threshold k is the *input* level at which the output
switches from 0 to 1, and x = k gives 1 (x ≥ k). So ``step(p, k=0.5)`` turns a probability into a
class, as seed 001 suggests; ``step(x)`` (k = 0) is the op table's ``Value.step``/``Tensor.step``.

``get_activation(name)`` looks an activation up by name ("tanh", "leaky_relu", ...) for layers
and MLP constructors; it passes callables through.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autodiff import Tensor, Value

Node = Value | Tensor
NodeOrList = Value | Tensor | Sequence[Value]

__all__ = [
    "linear", "identity", "step", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "softmax",
    "log_softmax", "get_activation", "ACTIVATIONS",
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


def _elementwise(x: Any, fn: Callable[[Any], Any]) -> Any:
    x = _lift(x)
    if isinstance(x, (list, tuple)):
        return [fn(_lift(v)) for v in x]
    return fn(x)


def linear(x: NodeOrList, k: float = 1.0) -> Any:
    """σ(x; k) = k·x;  σ'(x) = k  (seed 001's linear function). With k = 1 it returns x itself."""
    k = float(k)
    if k == 1.0:
        return list(x) if isinstance(x, (list, tuple)) else _lift(x)
    return _elementwise(x, lambda v: v * k)


def identity(x: NodeOrList) -> Any:
    """σ(x) = x (the output activation of a regression network)."""
    return linear(x, 1.0)


def step(x: NodeOrList, k: float = 0.0) -> Any:
    """σ(x; k) = 1 if x ≥ k else 0  (seed 001's threshold function);  σ' = 0 everywhere.

    Built as step₀(x − k) with the op table's step₀(u) = [u ≥ 0] (in floating point x − k ≥ 0
    exactly when x ≥ k). Its zero derivative means nothing before it learns."""
    k = float(k)
    if k == 0.0:
        return _elementwise(x, lambda v: v.step())
    return _elementwise(x, lambda v: (v - k).step())


def sigmoid(x: NodeOrList) -> Any:
    """σ(x) = 1/(1 + e⁻ˣ);  σ'(x) = σ(x)(1 − σ(x))  (seeds 001, 002, 004; stable for large |x|)."""
    return _elementwise(x, lambda v: v.sigmoid())


def tanh(x: NodeOrList) -> Any:
    """σ(x) = tanh x = (eˣ − e⁻ˣ)/(eˣ + e⁻ˣ);  σ'(x) = 1 − tanh²x  (seeds 001, 002)."""
    return _elementwise(x, lambda v: v.tanh())


def relu(x: NodeOrList) -> Any:
    """σ(x) = max(0, x);  σ'(x) = 1 if x > 0 else 0 (0 at x = 0)  (seed 001)."""
    return _elementwise(x, lambda v: v.relu())


def leaky_relu(x: NodeOrList, alpha: float = 0.01) -> Any:
    """σ(x) = x if x > 0 else αx;  σ'(x) = 1 if x > 0 else α  (seed 003, α = 0.01)."""
    alpha = float(alpha)
    return _elementwise(x, lambda v: v.leaky_relu(alpha))


def elu(x: NodeOrList, alpha: float = 1.0) -> Any:
    """σ(x) = x if x > 0 else α(eˣ − 1);  σ'(x) = 1 if x > 0 else αeˣ = σ(x) + α  (seed 003)."""
    alpha = float(alpha)
    return _elementwise(x, lambda v: v.elu(alpha))


def _values(x: Sequence, what: str) -> list[Value]:
    vs = [_lift(v) for v in x]
    if not vs:
        raise ValueError(f"{what} of an empty list is undefined")
    if not all(isinstance(v, Value) for v in vs):
        raise TypeError(f"{what} of a list needs Values or numbers, got "
                        f"{sorted({type(v).__name__ for v in vs})}")
    return vs


def _tensor_or_shifted(x: Any, name: str) -> Tensor | list[Value]:
    """A Tensor (arrays become one), or the list of Values shifted by their max data value m
    (a constant, so the shift adds no gradient path: zᵢ − m)."""
    if isinstance(x, np.ndarray):
        return Tensor(x)
    if isinstance(x, Tensor):
        return x
    if isinstance(x, Value):
        raise TypeError(f"{name} needs a vector: a Tensor or a list of Values, got a single Value")
    vs = _values(x, name)
    m = max(v.data for v in vs)
    return [v - m for v in vs]


def softmax(x: Tensor | Sequence[Value], axis: int = -1) -> Any:
    """σ(i, z) = e^{zᵢ}/Σⱼ e^{zⱼ}  (seed 001), along ``axis`` of a Tensor or over a list of Values.

    Computed as e^{zᵢ − m}/Σⱼ e^{zⱼ − m} with m = maxⱼ zⱼ (the same number, but e^{…} ≤ 1 cannot
    overflow). m is a constant: the shift cancels, so no gradient flows through it. Seed 003's
    version adds δ = 10⁻⁹ to the denominator; with the shift the denominator is ≥ 1 and we leave
    it out. Jacobian: ∂σᵢ/∂zⱼ = σᵢ(δᵢⱼ − σⱼ)."""
    x = _tensor_or_shifted(x, "softmax")
    if isinstance(x, Tensor):
        return x.softmax(axis=axis)
    exps = [v.exp() for v in x]
    total = Value.sum(exps)
    return [e / total for e in exps]


def log_softmax(x: Tensor | Sequence[Value], axis: int = -1) -> Any:
    """log σ(i, z) = zᵢ − log Σⱼ e^{zⱼ} = (zᵢ − m) − log Σⱼ e^{zⱼ − m},  m = maxⱼ zⱼ (stable).

    The log of a probability without ever forming a probability that could underflow to 0;
    cross-entropy from logits is built on it. ∂/∂zⱼ log σᵢ = δᵢⱼ − σⱼ."""
    shifted = _tensor_or_shifted(x, "log_softmax")
    if isinstance(shifted, Tensor):
        return shifted.log_softmax(axis=axis)
    log_total = Value.sum([s.exp() for s in shifted]).log()
    return [s - log_total for s in shifted]


ACTIVATIONS: dict[str, Callable[..., Any]] = {
    "linear": linear, "identity": identity, "none": identity,
    "step": step, "threshold": step,
    "sigmoid": sigmoid, "logistic": sigmoid,
    "tanh": tanh,
    "relu": relu,
    "leaky_relu": leaky_relu, "lrelu": leaky_relu, "leakyrelu": leaky_relu,
    "elu": elu,
    "softmax": softmax,
    "log_softmax": log_softmax,
}
"""Activations by (lower-case) name; aliases included ("logistic" = "sigmoid", "lrelu" = "leaky_relu")."""


def get_activation(activation: str | Callable[..., Any] | None, **params: Any) -> Callable[..., Any]:
    """The activation function for a name (case-insensitive), a callable (returned as is) or None
    (the identity). Keyword ``params`` are bound: ``get_activation("leaky_relu", alpha=0.1)``,
    ``get_activation("step", k=0.5)``."""
    if activation is None:
        fn: Callable[..., Any] = identity
    elif callable(activation):
        fn = activation
    elif isinstance(activation, str):
        key = activation.strip().lower().replace("-", "_")
        if key not in ACTIVATIONS:
            names = ", ".join(sorted(ACTIVATIONS))
            raise ValueError(f"unknown activation {activation!r}: use a callable or one of {names}")
        fn = ACTIVATIONS[key]
    else:
        raise TypeError(f"an activation is a name, a callable or None, got {type(activation).__name__}")
    return functools.partial(fn, **params) if params else fn
