"""From and to PyTorch: ``to_torch(model)`` gives an equivalent ``torch.nn`` module, ``from_torch``
brings one back, with the same weights, the same train()/eval() mode in every module, and
outputs and gradients that agree to float64 rounding (the tests check 1e-12).

Layer by layer (ours ↔ torch.nn):

    Linear(nin, nout)            ↔ Linear(nin, nout):  weight = Wᵀ (torch keeps (out, in), we keep
                                   (in, out): Z = X W + b = X weightᵀ + bias), bias = b
    Sequential, TensorMLP        → Sequential  (← imports as Sequential: a TensorMLP is its layers)
    Sigmoid, Tanh, ReLU          ↔ Sigmoid, Tanh, ReLU
    LeakyReLU(alpha=α)           ↔ LeakyReLU(negative_slope=α)
    ELU(alpha=α)                 ↔ ELU(alpha=α)
    Identity, LinearActivation(k=1) ↔ Identity
    Softmax(axis=a), LogSoftmax  ↔ Softmax(dim=a), LogSoftmax(dim=a)
    Dropout(p)                   ↔ Dropout(p)
    BatchNorm1d(n, eps, momentum, affine) ↔ BatchNorm1d(n, eps, momentum, affine): γ = weight,
                                   β = bias, running_mean, running_var
    LinearActivation(k ≠ 1)      ↔ TorchLinearActivation(k): y = k·x        (defined here: torch
    Step(k)                      ↔ TorchStep(k): y = [x ≥ k], y' = 0          has no such module)

Exported modules are float64 (``.float()`` makes float32); imported weights become float64
(float32 → float64 is exact). Shared modules and parameters stay shared both ways.

Conventions, checked against PyTorch: BatchNorm's momentum is PyTorch's, running ← (1 − momentum)·
running + momentum·batch (Keras' momentum is the weight of the *old* value: its 0.99 is our 0.01);
training normalises with the biased batch variance and stores the unbiased one, σ²·N/(N − 1), in
running_var, as PyTorch does. torch's ``num_batches_tracked`` is exported as 0 and ignored on import
(it is only read when momentum is None).

What cannot match: Dropout's masks — each library draws its own random numbers, so in training
mode only the distribution agrees (eval mode, or p = 0, agree exactly). Without a counterpart
(each raises, naming the module): custom-function ``Activation``s and plain functions, the scalar
``MLP``/``Layer``/``Neuron``, and on import any torch module not listed above, BatchNorm1d with
``momentum=None`` or ``track_running_stats=False``, and ``Softmax()`` without ``dim``.

torch is optional: ``import nn`` never imports it; the bridge imports it when called and raises an
ImportError naming ``pip install torch`` when it is missing.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from autodiff import Tensor
from autodiff.errors import AutodiffError

from . import layers as L
from . import scalar
from .module import Module

__all__ = ["to_torch", "from_torch", "UnsupportedModuleError"]


class UnsupportedModuleError(AutodiffError, TypeError):
    """A module has no counterpart on the other side of the bridge (the message lists those that do)."""


def _torch():
    try:
        import torch
    except ImportError:
        raise ImportError("the PyTorch bridge (nn.to_torch, nn.from_torch) needs PyTorch, which is not "
                          "installed: pip install torch") from None
    return torch


def __getattr__(name: str) -> Any:
    # the two torch modules are built on first use (torch is optional), and found here by name
    # so that pickling an exported model can look them up as nn.torch_bridge.TorchStep
    if name in ("TorchStep", "TorchLinearActivation"):
        return _torch_modules(_torch())[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@functools.cache
def _torch_modules(torch) -> dict[str, type]:
    """TorchStep and TorchLinearActivation: our Step(k) and LinearActivation(k) in torch."""

    class StepFunction(torch.autograd.Function):
        # [x − k ≥ 0] is our step's forward (ops.STEP on x − k); its derivative is 0, so the
        # gradient is an exact zero tensor, as ours, not None (autograd's "no path")
        @staticmethod
        def forward(ctx, x, k):
            return (x - k >= 0).to(x.dtype)

        @staticmethod
        def backward(ctx, grad):
            return torch.zeros_like(grad), None

    class TorchStep(torch.nn.Module):
        """y = 1 if x ≥ k else 0, elementwise;  y' = 0  (nn.Step exported: torch has no such module)."""

        def __init__(self, k: float = 0.0) -> None:
            super().__init__()
            self.k = float(k)

        def forward(self, x):
            return StepFunction.apply(x, self.k)

        def extra_repr(self) -> str:
            return f"k={self.k}"

    class TorchLinearActivation(torch.nn.Module):
        """y = k·x;  y' = k  (nn.LinearActivation(k) exported: torch has no such module)."""

        def __init__(self, k: float = 1.0) -> None:
            super().__init__()
            self.k = float(k)

        def forward(self, x):
            return x * self.k

        def extra_repr(self) -> str:
            return f"k={self.k}"

    classes = {"TorchStep": TorchStep, "TorchLinearActivation": TorchLinearActivation}
    for name, cls in classes.items():
        cls.__module__, cls.__qualname__ = __name__, name
    return classes


# --- the walk, shared by both directions -------------------------------------------------------
class _Converter:
    """One conversion: a module tree walked from the top, each module and parameter converted once
    (a shared one stays shared), each converted module given its source's training flag.

    A direction supplies ``rules()`` (leaf class → converter), ``children(m)`` (a container's
    (path step, child) pairs, else None), ``container(items)``, ``make_param(p, transpose, label)``,
    and ``describe(m)``/``why_not(m)`` for the error naming an unsupported module. ``path`` is how
    the user reaches a module: ``model[1]``, ``model.fc1``."""

    verb = "convert"

    def __init__(self, torch) -> None:
        self.torch = torch
        self.done: dict[Any, Any] = {}

    def module(self, m: Any, path: str) -> Any:
        if id(m) in self.done:
            return self.done[id(m)]
        children = self.children(m)
        if children is not None:
            out = self.container([self.module(c, path + step) for step, c in children])
        else:
            rule = self.rules().get(type(m))
            if rule is None:
                raise UnsupportedModuleError(f"cannot {self.verb} {path} ({self.describe(m)}): "
                                             f"{self.why_not(m)}")
            try:
                out = rule(m, self)
            except ValueError as e:
                raise ValueError(f"cannot {self.verb} {path} ({self.describe(m)}): {e}") from None
        out.training = bool(getattr(m, "training", True))
        self.done[id(m)] = out
        return out

    def param(self, p: Any, transpose: bool = False, label: str = "") -> Any:
        key = (id(p), transpose)
        if key not in self.done:
            self.done[key] = self.make_param(p, transpose, label)
        return self.done[key]


# --- ours → torch ---------------------------------------------------------------------------------
def _linear_to_torch(m: L.Linear, c: _Converter):
    # skip_init: no random initial weights are drawn (torch's global generator is left alone)
    out = c.torch.nn.utils.skip_init(c.torch.nn.Linear, m.nin, m.nout, bias=m.b is not None,
                                     dtype=c.torch.float64)
    out.weight = c.param(m.W, transpose=True)
    if m.b is not None:
        out.bias = c.param(m.b)
    return out


def _batchnorm_to_torch(m: L.BatchNorm1d, c: _Converter):
    torch = c.torch
    out = torch.nn.BatchNorm1d(m.num_features, eps=m.eps, momentum=m.momentum,
                               affine=m.weight is not None, dtype=torch.float64)
    if m.weight is not None:
        out.weight, out.bias = c.param(m.weight), c.param(m.bias)
    out.running_mean = torch.tensor(np.asarray(m.running_mean), dtype=torch.float64)
    out.running_var = torch.tensor(np.asarray(m.running_var), dtype=torch.float64)
    return out


def _linear_activation_to_torch(m: L.LinearActivation, c: _Converter):
    if m.k == 1.0:
        return c.torch.nn.Identity()
    return _torch_modules(c.torch)["TorchLinearActivation"](m.k)


_EXPORT = {
    L.Linear: _linear_to_torch,
    L.BatchNorm1d: _batchnorm_to_torch,
    L.Dropout: lambda m, c: c.torch.nn.Dropout(m.p),
    L.Sigmoid: lambda m, c: c.torch.nn.Sigmoid(),
    L.Tanh: lambda m, c: c.torch.nn.Tanh(),
    L.ReLU: lambda m, c: c.torch.nn.ReLU(),
    L.LeakyReLU: lambda m, c: c.torch.nn.LeakyReLU(negative_slope=m.alpha),
    L.ELU: lambda m, c: c.torch.nn.ELU(alpha=m.alpha),
    L.Identity: lambda m, c: c.torch.nn.Identity(),
    L.LinearActivation: _linear_activation_to_torch,
    L.Softmax: lambda m, c: c.torch.nn.Softmax(dim=m.axis),
    L.LogSoftmax: lambda m, c: c.torch.nn.LogSoftmax(dim=m.axis),
    L.Step: lambda m, c: _torch_modules(c.torch)["TorchStep"](m.k),
}
"""Our module class → its torch module (exact classes: a subclass may compute something else)."""

_EXPORT_CONTAINERS = (L.Sequential, L.TensorMLP)


class _Exporter(_Converter):
    verb = "export"

    def rules(self) -> dict:
        return _EXPORT

    def children(self, m: Any) -> list[tuple[str, Any]] | None:
        if type(m) in _EXPORT_CONTAINERS:
            return [(f"[{i}]", layer) for i, layer in enumerate(m.layers)]
        return None

    def container(self, items: list) -> Any:
        return self.torch.nn.Sequential(*items)

    def make_param(self, p: Tensor, transpose: bool, label: str) -> Any:
        arr = np.asarray(p.data, dtype=np.float64)
        data = self.torch.tensor(arr.T if transpose else arr, dtype=self.torch.float64)
        return self.torch.nn.Parameter(data, requires_grad=bool(p.requires_grad))

    def describe(self, m: Any) -> str:
        if not isinstance(m, Module):
            return f"the plain function {getattr(m, '__name__', m)!r}"
        text = repr(m)
        return text if "\n" not in text else type(m).__name__

    def why_not(self, m: Any) -> str:
        names = ", ".join(cls.__name__ for cls in (*_EXPORT_CONTAINERS, *_EXPORT))
        if isinstance(m, (scalar.MLP, scalar.Layer, scalar.Neuron)):
            reason = ("the scalar networks compute one Value at a time; build the same network as "
                      "nn.TensorMLP (same signature) to export it")
        elif isinstance(m, L.Activation) or not isinstance(m, Module):
            reason = "a function of your own has no torch module; use one of the activation modules"
        else:
            reason = f"{type(m).__name__} has no torch counterpart in the bridge"
        return f"{reason}. The bridge exports {names}"


def to_torch(model: Module):
    """An equivalent ``torch.nn`` module: float64, the same weights (copied; ``weight = Wᵀ``), the
    same train()/eval() mode in every module. Linear, Sequential, TensorMLP (→ torch.nn.Sequential),
    the activation modules, BatchNorm1d and Dropout export; anything else raises
    UnsupportedModuleError naming it. Needs torch (ImportError naming ``pip install torch``).

    ``nn.to_torch(nn.Sequential(nn.Linear(2, 3), nn.LeakyReLU(0.1)))`` is
    ``torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.LeakyReLU(negative_slope=0.1))``.
    """
    torch = _torch()
    if isinstance(model, torch.nn.Module):
        raise TypeError(f"to_torch exports an nn model; {type(model).__name__} is already a torch "
                        "module (from_torch imports one)")
    return _Exporter(torch).module(model, "model")


# --- torch → ours ---------------------------------------------------------------------------------
def _linear_from_torch(m, c: _Converter) -> L.Linear:
    # constant initial values from a fixed seed: building the layer draws nothing from the
    # global generator; the weights are replaced next
    out = L.Linear(m.in_features, m.out_features, bias=m.bias is not None, init=0.0, bias_init=0.0, seed=0)
    out.W = c.param(m.weight, transpose=True, label="W")
    out.b = c.param(m.bias, label="b") if m.bias is not None else None
    return out


def _batchnorm_from_torch(m, c: _Converter) -> L.BatchNorm1d:
    if m.momentum is None:
        raise ValueError("momentum=None (a cumulative average of every batch) has no counterpart: "
                         "nn.BatchNorm1d keeps an exponential average; give momentum= a number")
    if not m.track_running_stats:
        raise ValueError("track_running_stats=False (batch statistics in eval mode too) has no "
                         "counterpart: nn.BatchNorm1d keeps running statistics")
    out = L.BatchNorm1d(m.num_features, eps=m.eps, momentum=m.momentum, affine=m.affine)
    if m.affine:
        out.weight, out.bias = c.param(m.weight, label="gamma"), c.param(m.bias, label="beta")
    out.running_mean = _numpy(m.running_mean)
    out.running_var = _numpy(m.running_var)
    return out


def _softmax_axis(m) -> int:
    if m.dim is None:
        raise ValueError("Softmax() without dim= picks its axis from the input's rank (deprecated "
                         "in PyTorch); give dim= explicitly, e.g. Softmax(dim=1)")
    return int(m.dim)


@functools.cache
def _import_rules(torch) -> dict:
    """torch module class → our module (exact classes: a subclass may compute something else)."""
    tnn, own = torch.nn, _torch_modules(torch)
    return {
        tnn.Linear: _linear_from_torch,
        tnn.BatchNorm1d: _batchnorm_from_torch,
        tnn.Dropout: lambda m, c: L.Dropout(m.p),
        tnn.Sigmoid: lambda m, c: L.Sigmoid(),
        tnn.Tanh: lambda m, c: L.Tanh(),
        tnn.ReLU: lambda m, c: L.ReLU(),
        tnn.LeakyReLU: lambda m, c: L.LeakyReLU(m.negative_slope),
        tnn.ELU: lambda m, c: L.ELU(m.alpha),
        tnn.Identity: lambda m, c: L.Identity(),
        tnn.Softmax: lambda m, c: L.Softmax(_softmax_axis(m)),
        tnn.LogSoftmax: lambda m, c: L.LogSoftmax(_softmax_axis(m)),
        own["TorchStep"]: lambda m, c: L.Step(m.k),
        own["TorchLinearActivation"]: lambda m, c: L.LinearActivation(m.k),
    }


def _numpy(t) -> np.ndarray:
    """A float64 copy of a torch tensor's numbers (never sharing its memory)."""
    if not t.dtype.is_floating_point:
        raise ValueError(f"its parameters and buffers must be real floating-point numbers, got {t.dtype}")
    return np.array(t.detach().cpu().double().numpy(), dtype=np.float64, copy=True)


def _torch_name(torch, cls: type) -> str:
    short = f"torch.nn.{cls.__name__}"
    return short if getattr(torch.nn, cls.__name__, None) is cls else f"{cls.__module__}.{cls.__qualname__}"


class _Importer(_Converter):
    verb = "import"

    def rules(self) -> dict:
        return _import_rules(self.torch)

    def children(self, m: Any) -> list[tuple[str, Any]] | None:
        if type(m) is not self.torch.nn.Sequential:
            return None
        # not named_children(), which lists a module used in two slots once: every slot counts
        return [(f"[{name}]" if name.isdigit() else f".{name}", c) for name, c in m._modules.items()]

    def container(self, items: list) -> Module:
        return L.Sequential(*items)

    def make_param(self, p, transpose: bool, label: str) -> Tensor:
        arr = _numpy(p)
        return Tensor(np.ascontiguousarray(arr.T) if transpose else arr,
                      requires_grad=bool(p.requires_grad), label=label)

    def describe(self, m: Any) -> str:
        return _torch_name(self.torch, type(m))

    def why_not(self, m: Any) -> str:
        names = ", ".join(_torch_name(self.torch, cls) for cls in (self.torch.nn.Sequential, *self.rules()))
        return f"it has no counterpart in nn. The bridge imports {names}"


def from_torch(module) -> Module:
    """The ``nn`` model equivalent to a ``torch.nn`` module: float64 copies of its weights (our
    ``W = weightᵀ``), the same train()/eval() mode in every module. torch.nn.Sequential (→
    nn.Sequential), Linear, BatchNorm1d, Dropout, Sigmoid, Tanh, ReLU, LeakyReLU, ELU, Identity,
    Softmax, LogSoftmax (and this bridge's TorchStep, TorchLinearActivation) import; anything else
    raises UnsupportedModuleError naming its type and listing these."""
    torch = _torch()
    if not isinstance(module, torch.nn.Module):
        hint = " (to_torch exports one of ours)" if isinstance(module, Module) else ""
        raise TypeError(f"from_torch imports a torch.nn.Module, got {type(module).__name__}{hint}")
    return _Importer(torch).module(module, "model")
