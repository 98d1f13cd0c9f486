"""Neuron, Layer and MLP over Values: the lecture notes' picture, one neuron at a time.

A neuron takes the weighted sum of its inputs plus its bias and passes it through an activation
(the notes on neural networks, "Hidden layer"; the deep-learning notes, "Definitions"; the notes on
backpropagation, "The Neuron"):

    z = Σᵢ wᵢ xᵢ + b,        a = σ(z)

The weighted sum is one n-ary node (``Value.dot``) with an edge to every wᵢ, xᵢ and b carrying its
local derivative (∂z/∂wᵢ = xᵢ, ∂z/∂xᵢ = wᵢ, ∂z/∂b = 1), so ``backward()`` reproduces the
deep-learning notes' delta rule: δ = ∂C/∂z, ∂C/∂wᵢ = δ·xᵢ, ∂C/∂b = δ, δ_prev = Σ_k δ_k w_k σ'(z_prev).

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

from autodiff import Tensor, Value
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


def _micrograd(activation: Any, nonlin: Any, who: str) -> str | Callable[[Value], Value]:
    """The activation of a Neuron or Layer from ``activation=`` or micrograd's ``nonlin=``.

    No activation named: micrograd's meaning, ReLU when ``nonlin`` is True (its default), the
    weighted sum itself when False. A bool given as the activation is read as ``nonlin``
    (micrograd's ``Neuron(3, False)``). Naming an activation and ``nonlin=False`` contradict."""
    if isinstance(activation, (bool, np.bool_)):
        if nonlin is not True:
            raise ValueError(f"{who}: give nonlin= once (a bool in the activation's place means nonlin)")
        activation, nonlin = None, bool(activation)
    if not isinstance(nonlin, (bool, np.bool_)):
        raise TypeError(f"{who}: nonlin is micrograd's switch, True (ReLU) or False (linear), got "
                        f"{type(nonlin).__name__} {nonlin!r:.40}; name other activations with activation=")
    if activation is None:
        return "relu" if nonlin else "linear"
    if not nonlin:
        raise ValueError(f"{who}: nonlin=False (a linear neuron) contradicts activation={activation!r:.40}; "
                         "give one of them")
    return activation


# --- helpers ----------------------------------------------------------------------------------------
def _inputs(x: Any, nin: int, who: str) -> list[Value]:
    """The inputs as a list of nin Values; plain numbers become leaves labelled x0, x1, …"""
    if isinstance(x, (Value, numbers.Real)):
        x = [x]
    elif isinstance(x, Tensor):
        raise TypeError(f"{who} is a scalar network (Values, one sample at a time): give it a list of {nin} "
                        "numbers, e.g. x.tolist() for one sample; for Tensor batches use nn.TensorMLP")
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
    """One neuron: a = σ(Σᵢ wᵢxᵢ + b), the weighted sum of the inputs through an activation.

    As in micrograd, ``Neuron(nin)`` is a ReLU neuron and ``Neuron(nin, nonlin=False)`` a linear
    one (a = z); ``activation=`` names any other σ ("sigmoid", "tanh", a function Value → Value).
    ``init`` draws the weights (a name from ``nn.init``, a number, or ``f(shape, rng=...)``; by
    default uniform(−1, 1), as micrograd and the notes on backpropagation) and ``bias_init`` the
    bias (default 0; the notes on neural networks set it to 1), from ``rng``/``seed`` or else the
    global generator (``autodiff.manual_seed``).
    ``weights=``/``bias=`` set them explicitly instead. Parameters: ``w`` (list of Values), ``b``.
    """

    def __init__(self, nin: int, activation: str | Callable[[Value], Value] | None = None, *,
                 nonlin: bool = True,
                 init: str | float | Callable = "uniform", bias_init: str | float | Callable = "zeros",
                 rng: int | np.random.Generator | None = None, seed: int | None = None,
                 weights: Sequence[float] | None = None, bias: float | None = None) -> None:
        self.nin = positive_int(nin, "nin")
        activation = _micrograd(activation, nonlin, "Neuron")
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

    σ as for ``Neuron``: ReLU by default, linear with micrograd's ``nonlin=False``, or any
    ``activation=``. The weights are drawn once as a (nin, nout) array (so Glorot/He see the
    true fans) and neuron j takes column j. ``activation="softmax"`` normalises the nout weighted
    sums together (the notes on neural networks). Returns a single Value when ``nout == 1``, else
    a list of Values."""

    def __init__(self, nin: int, nout: int, activation: str | Callable[[Value], Value] | None = None, *,
                 nonlin: bool = True,
                 init: str | float | Callable = "uniform", bias_init: str | float | Callable = "zeros",
                 rng: int | np.random.Generator | None = None, seed: int | None = None) -> None:
        self.nin, self.nout = positive_int(nin, "nin"), positive_int(nout, "nout")
        activation = _micrograd(activation, nonlin, "Layer")
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

    Hidden layers use ``activation`` (default "relu"), the last layer ``output_activation``
    (default "linear": scores, or a regression output as the deep-learning notes advise; "sigmoid" for a
    binary output, "softmax" for classes). So ``MLP(2, [16, 16, 1])`` is micrograd's network:
    ReLU hidden units and a linear output. All layers draw from one generator (``rng``/``seed``,
    else the global one of ``autodiff.manual_seed``), so a seed fixes every weight.

    >>> net = MLP(2, [4, 1], activation="tanh", output_activation="sigmoid", seed=0)
    >>> net
    MLP(2 → 4 → 1, activation=tanh, output=sigmoid)
    >>> net.num_parameters()
    17
    """

    def __init__(self, nin: int, sizes: Sequence[int], activation: str | Callable[[Value], Value] = "relu",
                 output_activation: str | Callable[[Value], Value] = "linear", *,
                 init: str | float | Callable = "uniform", bias_init: str | float | Callable = "zeros",
                 rng: int | np.random.Generator | None = None, seed: int | None = None) -> None:
        self.nin = positive_int(nin, "nin")
        self.sizes = sizes = layer_sizes(sizes, "MLP")
        gen = rng_or_seed(rng, seed)
        dims = [self.nin, *sizes]
        last = len(sizes) - 1
        # None is no activation here (a Layer reads None as "micrograd's default, ReLU")
        acts = ["identity" if a is None else a for a in (activation, output_activation)]
        self.layers = [Layer(dims[i], dims[i + 1], acts[0] if i < last else acts[1],
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
