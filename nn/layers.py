"""Tensor layers: whole minibatches at once, every forward built from autodiff Tensor ops.

A batch is a Tensor X of shape (N, nin): one sample per row. A dense layer computes

    Z = X @ W + b,      W of shape (nin, nout),  b of shape (nout,)   (broadcast over the rows)

which is the introductory notes' Y = X̃ W with the bias row of W kept apart as b, and the
neural-network notes' a⁽ⁱ⁾ = σ(Θ⁽ⁱ⁻¹⁾ a⁽ⁱ⁻¹⁾) transposed so that samples are rows. Backward comes
from the op table: ∂L/∂W = Xᵀ G, ∂L/∂b = Σ_rows G, ∂L/∂X = G Wᵀ — the introductory notes' delta
rule, one matrix product each.

Modules here: ``Linear``, ``Sequential``, the activations as modules (``Sigmoid``, ``Tanh``,
``ReLU``, ``LeakyReLU``, ``ELU``, ``Step``, ``LinearActivation``/``Identity``, ``Softmax``,
``LogSoftmax``), ``Dropout``, ``BatchNorm1d`` and ``TensorMLP``, the tensor twin of
``nn.scalar.MLP`` (same signature).
"""

from __future__ import annotations

import inspect
import numbers
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from autodiff import Tensor, affine
from autodiff.errors import ShapeError

from . import activations as A
from . import init as _init
from .checks import layer_sizes, name_key, positive_int
from .module import Module
from .rng import own_or_global, rng_from, rng_or_seed

__all__ = [
    "Linear", "Sequential", "Activation", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "ELU", "Step",
    "LinearActivation", "Identity", "Softmax", "LogSoftmax", "Dropout", "BatchNorm1d", "TensorMLP",
    "activation_module",
]






def _as_tensor(x: Any, who: str) -> Tensor:
    if isinstance(x, Tensor):
        return x
    try:
        return Tensor(x)
    except TypeError as e:
        raise TypeError(f"{who} takes a Tensor or an array of numbers, got {type(x).__name__}: {e}") from None




# --- the dense layer --------------------------------------------------------------------------
class Linear(Module):
    """A dense (fully connected) layer: Z = X @ W + b, W of shape (nin, nout), b of shape (nout,).

    ``init`` draws W (a name from ``nn.init``, a number, or ``f(shape, rng=...)``; default Glorot
    uniform, as the deep-learning notes), ``bias_init`` draws b (default zeros; the notes on neural
    networks set biases to 1). ``rng``
    or ``seed`` (an int or a numpy Generator) fixes the numbers. Parameters: ``W``, ``b`` (None
    without bias). Input: (N, nin) — or (nin,) for one sample, giving (nout,)."""

    renamed = {"weight": "it is W, of shape (in, out): PyTorch's weight, (out, in), is W.T",
               "bias": "it is b"}  # said by the AttributeError for a PyTorch name (nn.hints)

    def __init__(self, nin: int, nout: int, bias: bool = True, *,
                 init: str | float | Callable = "xavier_uniform", bias_init: str | float | Callable = "zeros",
                 rng: int | np.random.Generator | None = None, seed: int | None = None) -> None:
        self.nin, self.nout = positive_int(nin, "nin"), positive_int(nout, "nout")
        gen = rng_or_seed(rng, seed)
        self.W = Tensor(_init.draw(init, (self.nin, self.nout), gen, "weight"), requires_grad=True, label="W")
        self.b = (Tensor(_init.draw(bias_init, (self.nout,), gen, "bias"), requires_grad=True, label="b")
                  if bias else None)

    def forward(self, x: Any) -> Tensor:
        """Z = X @ W + b."""
        x = _as_tensor(x, "Linear")
        if x.ndim == 0 or x.shape[-1] != self.nin:
            raise ShapeError(f"Linear({self.nin} → {self.nout}) expects inputs with {self.nin} features "
                             f"on the last axis, got shape {x.shape}")
        return affine(x, self.W, self.b)  # one node, one VJP (autodiff.affine)

    def extra_repr(self) -> str:
        return f"{self.nin} → {self.nout}" + ("" if self.b is not None else ", bias=False")


# --- containers ------------------------------------------------------------------------------
class Sequential(Module):
    """Modules (or plain functions Tensor → Tensor) applied one after another:
    ``Sequential(Linear(2, 4), Tanh(), Linear(4, 1))(X)``. Index it, iterate it, ``append`` to it."""

    def __init__(self, *layers: Module | Callable[[Any], Any]) -> None:
        if len(layers) == 1 and isinstance(layers[0], (list, tuple)):
            layers = tuple(layers[0])
        for i, layer in enumerate(layers):
            if isinstance(layer, type):
                raise TypeError(f"Sequential: item {i} is the class {layer.__name__}, not a layer: "
                                f"write {layer.__name__}() (with parentheses)")
            if not callable(layer):
                raise TypeError(f"Sequential: item {i} is not a module or a function, got "
                                f"{type(layer).__name__} {layer!r:.60}")
        self.layers = list(layers)

    def forward(self, x: Any) -> Any:
        for layer in self.layers:
            x = layer(x)
        return x

    def append(self, layer: Module | Callable[[Any], Any]) -> Sequential:
        if not callable(layer):
            raise TypeError(f"Sequential.append needs a module or a function, got {type(layer).__name__}")
        self.layers.append(layer)
        return self

    def __getitem__(self, i: int) -> Any:
        return self.layers[i]

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.layers)

    def __repr__(self) -> str:
        name = type(self).__name__
        extra = self.extra_repr()
        lines = [f"{name}(" + (extra if extra else "")]
        for i, layer in enumerate(self.layers):
            text = repr(layer) if isinstance(layer, Module) else getattr(layer, "__name__", repr(layer))
            lines.append(f"  ({i}): " + text.replace("\n", "\n  "))
        return "\n".join(lines) + "\n)"


# --- activations as modules -------------------------------------------------------------------
class Activation(Module):
    """An activation function as a module (no parameters): ``Activation(fn)`` applies ``fn``."""

    name = "activation"

    def __init__(self, fn: Callable[[Any], Any] | None = None) -> None:
        if fn is not None:
            if not callable(fn):
                raise TypeError(f"Activation needs a function, got {type(fn).__name__}")
            self._fn = fn
            self.name = getattr(fn, "__name__", type(fn).__name__)

    def forward(self, x: Any) -> Any:
        return self._fn(x)

    def _fn(self, x: Any) -> Any:
        raise NotImplementedError

    def __repr__(self) -> str:
        extra = self.extra_repr()
        if type(self) is Activation:
            return f"Activation({self.name})"
        return f"{type(self).__name__}({extra})"


_CLASSES: dict[str, type[Activation]] = {}  # each registry entry's module class, by the entry's name


def _module_class(class_name: str, activation: str, base: type[Activation] = Activation, *,
                  show_defaults: bool = True) -> type[Activation]:
    """The module class of a registry entry (``nn.activations.REGISTRY``): its constructor takes
    the activation's parameters (alpha, k, axis; positional or by keyword, with the function's
    defaults) and keeps each as an attribute; calling the module applies the function with them.
    The repr shows the parameters (with ``show_defaults=False``, those not at their default)."""
    entry = A.resolve(activation)
    params = entry.params
    signature = inspect.Signature(
        [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        + [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=d) for n, d in params])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        given = signature.bind(self, *args, **kwargs).arguments
        for name, default in params:
            setattr(self, name, type(default)(given.get(name, default)))

    def _fn(self, x: Any) -> Any:
        return entry.fn(x, *(getattr(self, name) for name, _ in params))

    def extra_repr(self) -> str:
        return ", ".join(f"{name}={getattr(self, name)}" for name, default in params
                         if show_defaults or getattr(self, name) != default)

    __init__.__signature__ = signature
    summary = (entry.fn.__doc__ or "").strip().splitlines()[0]
    doc = f"The activation ``nn.activations.{entry.name}`` as a module: {summary}"
    cls = type(class_name, (base,), {"__doc__": doc, "__module__": __name__, "name": entry.name,
                                     "__init__": __init__, "_fn": _fn, "extra_repr": extra_repr})
    _CLASSES[entry.name] = cls
    return cls


Sigmoid = _module_class("Sigmoid", "sigmoid")
Tanh = _module_class("Tanh", "tanh")
ReLU = _module_class("ReLU", "relu")
LeakyReLU = _module_class("LeakyReLU", "leaky_relu")
ELU = _module_class("ELU", "elu")
Step = _module_class("Step", "step")
LinearActivation = _module_class("LinearActivation", "linear", show_defaults=False)
Identity = _module_class("Identity", "identity", base=LinearActivation)
Identity.k = 1.0  # the identity is the linear activation with k = 1
Softmax = _module_class("Softmax", "softmax", show_defaults=False)
LogSoftmax = _module_class("LogSoftmax", "log_softmax", base=Softmax, show_defaults=False)


def activation_module(activation: str | Callable[[Any], Any] | Module | None, **params: Any) -> Module:
    """A module for an activation given by name (``"leaky_relu"``, with ``alpha=...``), by a
    function (wrapped in ``Activation``), as a module (returned as is), or None (identity).
    "linear" with k = 1 (its default) is ``Identity()``."""
    if isinstance(activation, Module):
        return activation
    if activation is None:
        return Identity()
    if isinstance(activation, str):
        module = _CLASSES[A.resolve(activation).name](**params)
        return Identity() if type(module) is LinearActivation and module.k == 1.0 else module
    if callable(activation):
        return Activation(activation)
    raise TypeError(f"an activation is a name, a function, a Module or None, got {type(activation).__name__}")


def _activation_name(activation: Any) -> str:
    """The activation's name as a TensorMLP shows it: the name given, or the module's or function's."""
    if activation is None:
        return "identity"
    if isinstance(activation, str):
        return name_key(activation)
    return getattr(activation, "name", None) or getattr(activation, "__name__", "custom")


def _adds_nothing(activation: Any) -> bool:
    """Whether an output activation is the identity, so TensorMLP adds no module for it."""
    return activation is A.identity or activation is A.linear or isinstance(activation_module(activation), Identity)


# --- regularisation and normalisation ------------------------------------------------------------
class Dropout(Module):
    """Inverted dropout: in training, each entry is zeroed with probability p and the survivors are
    scaled by 1/(1 − p),

        y = x ⊙ m / (1 − p),   mᵢ ~ Bernoulli(1 − p)    so  E[y] = x;

    in eval mode (``model.eval()``) y = x, nothing to rescale at test time. The masks come from
    the module's own generator (``rng``/``seed``) or, without one, from the global generator at
    each forward pass (``autodiff.manual_seed``), so a seeded run is repeatable either way."""

    def __init__(self, p: float = 0.5, *, rng: int | np.random.Generator | None = None,
                 seed: int | None = None) -> None:
        if not (isinstance(p, numbers.Real) and 0.0 <= p <= 1.0):
            raise ValueError(f"Dropout probability p must be in [0, 1], got {p!r}")
        self.p = float(p)
        self._rng = own_or_global(rng, seed)

    def forward(self, x: Any) -> Tensor:
        x = _as_tensor(x, "Dropout")
        if not self.training or self.p == 0.0:
            return x
        if self.p == 1.0:
            return x * np.zeros(x.shape)
        keep = rng_from(self._rng).random(x.shape) >= self.p
        return x * (keep / (1.0 - self.p))

    def extra_repr(self) -> str:
        return f"p={self.p}"


class BatchNorm1d(Module):
    """Batch normalisation over the rows of an (N, n) batch (Ioffe & Szegedy 2015):

        training:  μ = (1/N) Σᵢ xᵢ,  σ² = (1/N) Σᵢ (xᵢ − μ)²        (batch statistics, biased σ²)
        eval:      μ, σ² = running_mean, running_var
        x̂ = (x − μ)/√(σ² + ε),   y = γ x̂ + β      (γ = ``weight`` = 1, β = ``bias`` = 0 initially)

    In training the running statistics (buffers, saved with the model) are updated as PyTorch does:
    running ← (1 − momentum)·running + momentum·batch, using the *unbiased* variance
    σ²·N/(N − 1) for running_var. Gradients flow through μ and σ² (they depend on the batch)."""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1, affine: bool = True) -> None:
        self.num_features = positive_int(num_features, "num_features")
        if not eps > 0:
            raise ValueError(f"BatchNorm1d eps must be > 0, got {eps!r}")
        if not 0.0 <= momentum <= 1.0:
            raise ValueError(f"BatchNorm1d momentum must be in [0, 1], got {momentum!r}")
        self.eps = float(eps)
        self.momentum = float(momentum)
        n = self.num_features
        self.weight = Tensor(np.ones(n), requires_grad=True, label="gamma") if affine else None
        self.bias = Tensor(np.zeros(n), requires_grad=True, label="beta") if affine else None
        self.register_buffer("running_mean", np.zeros(n))
        self.register_buffer("running_var", np.ones(n))

    def forward(self, x: Any) -> Tensor:
        x = _as_tensor(x, "BatchNorm1d")
        if x.ndim != 2 or x.shape[1] != self.num_features:
            raise ShapeError(f"BatchNorm1d({self.num_features}) expects a batch of shape (N, "
                             f"{self.num_features}), got {x.shape}")
        if self.training:
            n = x.shape[0]
            if n < 2:
                raise ValueError("BatchNorm1d in training mode needs at least 2 samples per batch to "
                                 f"estimate a variance, got {n}; use model.eval() to predict one sample")
            mean = x.mean(axis=0, keepdims=True)
            centred = x - mean
            var = (centred * centred).mean(axis=0, keepdims=True)
            x_hat = centred / (var + self.eps).sqrt()
            m = self.momentum
            self.running_mean = (1.0 - m) * self.running_mean + m * mean.data.reshape(-1)
            self.running_var = (1.0 - m) * self.running_var + m * var.data.reshape(-1) * (n / (n - 1))
        else:
            x_hat = (x - self.running_mean) / np.sqrt(self.running_var + self.eps)
        if self.weight is not None:
            return x_hat * self.weight + self.bias
        return x_hat

    def extra_repr(self) -> str:
        return f"{self.num_features}, eps={self.eps:g}, momentum={self.momentum:g}"


# --- the tensor MLP ----------------------------------------------------------------------------
class TensorMLP(Sequential):
    """A multi-layer perceptron over Tensors, with the scalar ``nn.MLP``'s signature and defaults
    (ReLU hidden layers, a linear output, as micrograd's MLP):

        TensorMLP(64, [100, 30, 10], activation="leaky_relu", output_activation="linear", seed=0)

    is Linear(64→100), LeakyReLU, Linear(100→30), LeakyReLU, Linear(30→10) (no activation: logits
    for ``cross_entropy``). ``activation``/``output_activation`` are names, functions
    or modules; ``init`` defaults to He uniform after ReLU-family activations and Glorot uniform
    otherwise (the deep-learning notes). ``dropout`` > 0 adds Dropout after each hidden activation,
    ``batchnorm=True`` a BatchNorm1d before it. One generator (``rng``/``seed``) draws every weight."""

    def __init__(self, nin: int, sizes: Sequence[int] | int, activation: str | Callable | Module = "relu",
                 output_activation: str | Callable | Module | None = "linear", *,
                 init: str | float | Callable | None = None, bias_init: str | float | Callable = "zeros",
                 rng: int | np.random.Generator | None = None, seed: int | None = None,
                 dropout: float = 0.0, batchnorm: bool = False) -> None:
        self.nin = positive_int(nin, "nin")
        self.sizes = sizes = layer_sizes(sizes, "TensorMLP")
        own = own_or_global(rng, seed)
        gen = rng_from(own)
        if init is None:
            init = "he_uniform" if A.is_rectifier(_activation_name(activation)) else "xavier_uniform"
        dims = [self.nin, *sizes]
        layers: list[Any] = []
        for i in range(len(sizes)):
            layers.append(Linear(dims[i], dims[i + 1], init=init, bias_init=bias_init, rng=gen))
            if i < len(sizes) - 1:
                if batchnorm:
                    layers.append(BatchNorm1d(dims[i + 1]))
                layers.append(activation_module(activation))
                if dropout:
                    layers.append(Dropout(dropout, rng=own))  # None: the global generator at each pass
            elif not _adds_nothing(output_activation):
                layers.append(activation_module(output_activation))
        self.activation = _activation_name(activation) if len(sizes) > 1 else None
        self.output_activation = _activation_name(output_activation)
        super().__init__(*layers)

    def extra_repr(self) -> str:
        arch = " → ".join(str(d) for d in [self.nin, *self.sizes])
        hidden = f", activation={self.activation}" if self.activation is not None else ""
        return f"{arch}{hidden}, output={self.output_activation}"
