"""Neuron, Layer and MLP over Values: the lecture notes' picture, one neuron at a time.

A neuron takes the weighted sum of its inputs plus its bias and passes it through an activation
(seed 001, "Hidden layer"; seed 003, "Definitions"; seed 004, "The Neuron"):

    z = Σᵢ wᵢ xᵢ + b,        a = σ(z)

The weighted sum is one n-ary node (``Value.dot``) with an edge to every wᵢ, xᵢ and b carrying its
local derivative (∂z/∂wᵢ = xᵢ, ∂z/∂xᵢ = wᵢ, ∂z/∂b = 1), so ``backward()`` reproduces seed 003's
delta rule: δ = ∂C/∂z, ∂C/∂wᵢ = δ·xᵢ, ∂C/∂b = δ, δ_prev = Σ_k δ_k w_k σ'(z_prev).

A layer is a list of neurons fed the same inputs; an MLP is a list of layers. Calling any of them
on a list of numbers (or Values) returns Values: a single Value when the layer has one output,
otherwise a list. Parameters are named ``layers.0.neurons.3.w.1`` (layer 0, neuron 3, weight 1)
and each weight's ``label`` is the short form ``L0.n3.w1``, which graph pictures show.

These are for seeing every number; for real datasets use the Tensor layers (``nn.layers``).
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autodiff import Value
from autodiff.errors import ShapeError

from . import activations as A
from . import init as _init
from .activations import softmax
from .checks import layer_sizes, name_key, positive_int
from .module import Module
from .rng import rng_or_seed

__all__ = ["Neuron", "Layer", "MLP", "softmax", "ACTIVATIONS"]

ACTIVATIONS = A.ACTIVATIONS  # the one registry's names (nn.activations); softmax is nn.activations.softmax


# --- activations: looked up in the one registry (nn.activations) ------------------------------------
def _activation(activation: str | Callable[[Value], Value] | None,
                whole_layer_ok: bool) -> tuple[str, Callable[..., Any], bool]:
    """(the name the repr shows, σ, whether σ takes the whole layer's list of weighted sums).

    An elementwise σ that is one op of the table is that op's Value method itself: a neuron then
    makes three Python calls less: a forward pass of micrograd's demo MLP (2-16-16-1, ReLU) takes
    ~15% longer through the registry's general function, which also takes lists, numbers, arrays."""
    if activation is None:
        activation = "identity"
    if callable(activation):
        return getattr(activation, "__name__", type(activation).__name__), activation, False
    entry = A.resolve(activation)
    if entry.whole_layer and not whole_layer_ok:
        raise ValueError(f"{entry.name} normalises over a whole layer: use it as a Layer's or MLP's "
                         "(output) activation, not a single Neuron's")
    fn = getattr(Value, entry.name) if entry.table_op else entry.fn
    return name_key(activation), fn, entry.whole_layer


# --- helpers ----------------------------------------------------------------------------------------
def _inputs(x: Any, nin: int, who: str) -> list[Value]:
    """The inputs as a list of nin Values; plain numbers become leaves labelled x0, x1, …"""
    if isinstance(x, (Value, numbers.Real)):
        x = [x]
    elif isinstance(x, np.ndarray) and x.ndim > 1:
        raise ShapeError(f"{who} takes one sample (a list of {nin} numbers), got an array of shape "
                         f"{x.shape}: loop over its rows, or use the Tensor layers for batches")
    try:
        xs = list(x)
    except TypeError:
        raise TypeError(f"{who} takes a list of {nin} numbers or Values, got {type(x).__name__}") from None
    if len(xs) != nin:
        raise ShapeError(f"{who} expects {nin} input{'s' if nin != 1 else ''}, got {len(xs)}")
    out = []
    for i, v in enumerate(xs):
        if isinstance(v, Value):
            out.append(v)
            continue
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise TypeError(f"{who} input {i} must be a number or a Value, got {type(v).__name__} {v!r:.40}")
        f = float(v)
        if math.isnan(f):
            raise ValueError(f"{who} input {i} is NaN")
        out.append(Value(f, label=f"x{i}"))
    return out


_SHORT = [(re.compile(r"layers\.(\d+)"), r"L\1"), (re.compile(r"neurons\.(\d+)"), r"n\1"),
          (re.compile(r"\bw\.(\d+)"), r"w\1")]


def _label(module: Module) -> None:
    """Label each parameter with its short name: layers.0.neurons.3.w.1 -> L0.n3.w1."""
    for name, p in module.named_parameters():
        for pattern, short in _SHORT:
            name = pattern.sub(short, name)
        p.label = name


# --- the three modules --------------------------------------------------------------------------------
class Neuron(Module):
    """One neuron: a = σ(Σᵢ wᵢxᵢ + b) (seeds 001, 003, 004).

    ``init`` draws the weights (a name from ``nn.init``, a number, or ``f(shape, rng=...)``; by
    default uniform(−1, 1), seed 004) and ``bias_init`` the bias (default 0; seed 001 uses 1).
    ``weights=``/``bias=`` set them explicitly instead. Parameters: ``w`` (list of Values), ``b``.
    """

    def __init__(self, nin: int, activation: str | Callable[[Value], Value] = "tanh", *,
                 init: str | float | Callable = "uniform", bias_init: str | float | Callable = "zeros",
                 rng: int | np.random.Generator | None = None, seed: int | None = None,
                 weights: Sequence[float] | None = None, bias: float | None = None) -> None:
        self.nin = positive_int(nin, "nin")
        self.activation, self._act, _ = _activation(activation, whole_layer_ok=False)
        if weights is None or bias is None:
            gen = rng_or_seed(rng, seed)
        if weights is None:
            weights = _init.draw(init, (self.nin,), gen, "weight")
        if bias is None:
            bias = float(_init.draw(bias_init, (1,), gen, "bias")[0])
        weights = [float(w) for w in weights]
        if len(weights) != self.nin:
            raise ShapeError(f"Neuron({self.nin}) needs {self.nin} weights, got {len(weights)}")
        self.w = [Value(w) for w in weights]
        self.b = Value(float(bias))
        _label(self)

    def weighted_sum(self, x: Sequence) -> Value:
        """z = Σᵢ wᵢxᵢ + b, one ``dot`` node (inputs must already be Values or numbers)."""
        return Value.dot(self.w, x, self.b)

    def forward(self, x: Sequence | float | Value) -> Value:
        """a = σ(z)."""
        return self._act(self.weighted_sum(_inputs(x, self.nin, "Neuron")))

    def extra_repr(self) -> str:
        return f"{self.nin}, activation={self.activation}"


class Layer(Module):
    """``nout`` neurons sharing the same ``nin`` inputs: aⱼ = σ(Σᵢ wⱼᵢ xᵢ + bⱼ), j = 1..nout.

    The weights are drawn once as a (nin, nout) array (so Glorot/He see the true fans) and
    neuron j takes column j. ``activation="softmax"`` normalises the nout weighted sums together
    (seed 001). Returns a single Value when ``nout == 1``, else a list of Values."""

    def __init__(self, nin: int, nout: int, activation: str | Callable[[Value], Value] = "tanh", *,
                 init: str | float | Callable = "uniform", bias_init: str | float | Callable = "zeros",
                 rng: int | np.random.Generator | None = None, seed: int | None = None) -> None:
        self.nin, self.nout = positive_int(nin, "nin"), positive_int(nout, "nout")
        self.activation, self._act, self._whole_layer = _activation(activation, whole_layer_ok=True)
        gen = rng_or_seed(rng, seed)
        W = _init.draw(init, (self.nin, self.nout), gen, "weight")
        b = _init.draw(bias_init, (self.nout,), gen, "bias")
        per_neuron = "linear" if self._whole_layer else activation
        self.neurons = [Neuron(self.nin, per_neuron, weights=W[:, j], bias=b[j]) for j in range(self.nout)]
        _label(self)

    def forward(self, x: Sequence | float | Value) -> Value | list[Value]:
        xs = _inputs(x, self.nin, "Layer")
        if self._whole_layer:
            outs = self._act([n.weighted_sum(xs) for n in self.neurons])
        else:
            outs = [n._act(n.weighted_sum(xs)) for n in self.neurons]
        return outs[0] if len(outs) == 1 else outs

    def extra_repr(self) -> str:
        return f"{self.nin} → {self.nout}, activation={self.activation}"

    def __repr__(self) -> str:
        return f"Layer({self.extra_repr()})"


class MLP(Module):
    """A multi-layer perceptron: nin inputs, then one Layer per entry of ``sizes``.

    Hidden layers use ``activation``, the last layer ``output_activation`` (default "linear", for
    regression as seed 003 advises; "sigmoid" for a binary output, "softmax" for classes).
    All layers draw from one generator (``rng``/``seed``), so a seed fixes every weight.

    >>> net = MLP(2, [4, 1], activation="tanh", output_activation="sigmoid", seed=0)
    >>> net
    MLP(2 → 4 → 1, activation=tanh, output=sigmoid)
    >>> net.num_parameters()
    17
    """

    def __init__(self, nin: int, sizes: Sequence[int], activation: str | Callable[[Value], Value] = "tanh",
                 output_activation: str | Callable[[Value], Value] = "linear", *,
                 init: str | float | Callable = "uniform", bias_init: str | float | Callable = "zeros",
                 rng: int | np.random.Generator | None = None, seed: int | None = None) -> None:
        self.nin = positive_int(nin, "nin")
        self.sizes = sizes = layer_sizes(sizes, "MLP")
        gen = rng_or_seed(rng, seed)
        dims = [self.nin, *sizes]
        last = len(sizes) - 1
        self.layers = [Layer(dims[i], dims[i + 1], activation if i < last else output_activation,
                             init=init, bias_init=bias_init, rng=gen) for i in range(len(sizes))]
        self.activation = self.layers[0].activation if last > 0 else None
        self.output_activation = self.layers[-1].activation
        _label(self)

    def forward(self, x: Sequence | float | Value) -> Value | list[Value]:
        # numbers become Value leaves once here, not once per neuron
        out: Any = _inputs(x, self.nin, "MLP")
        for layer in self.layers:
            out = layer(out)
        return out

    def extra_repr(self) -> str:
        arch = " → ".join(str(d) for d in [self.nin, *self.sizes])
        hidden = f", activation={self.activation}" if self.activation is not None else ""
        return f"{arch}{hidden}, output={self.output_activation}"

    def __repr__(self) -> str:
        return f"MLP({self.extra_repr()})"
