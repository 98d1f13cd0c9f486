"""What a network is made of, as its pictures show it: a list of stages, one per layer.

A stage is a dense layer (``Linear``, the scalar ``Layer`` or ``Neuron``) with the activation that
follows it folded in, or a module that stands on its own (``Dropout``, ``BatchNorm1d``, any other
module or function). Each stage knows its sizes, its parameters (name, shape, the nodes holding
them) and, for a dense layer, its weights as a (nin, nout) matrix and its biases: the numbers a
neuron-level picture puts on its edges and units. Only the node protocol is read (``data``,
``grad``, ``has_grad``), so Value and Tensor layers are read alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from autodiff.viz.text import plain

from . import activations as A
from .layers import Activation, BatchNorm1d, Dropout, Linear, Sequential
from .module import Module
from .scalar import MLP, Layer, Neuron


@dataclass
class Param:
    """One parameter of a stage: its name, its shape, and the nodes that hold its numbers (one
    Tensor, or the Values of a scalar layer, in row-major order of ``shape``)."""

    name: str
    shape: tuple
    nodes: list

    def count(self) -> int:
        return int(np.prod(self.shape, dtype=int))

    def values(self) -> np.ndarray:
        return np.concatenate([np.ravel(plain(n.data)) for n in self.nodes]).reshape(self.shape)

    def grads(self) -> np.ndarray | None:
        """dL/dθ for every number, None if backward has not reached this parameter."""
        if not any(n.has_grad for n in self.nodes):
            return None
        flat = [np.ravel(plain(n.grad)) if n.has_grad else np.zeros(np.size(n.data)) for n in self.nodes]
        return np.concatenate(flat).reshape(self.shape)

    def grad_norm(self) -> float | None:
        """‖dL/dθ‖ = √(Σ (dL/dθᵢ)²), None before backward."""
        g = self.grads()
        return None if g is None else float(np.sqrt(np.sum(np.square(g))))


@dataclass
class Stage:
    """One layer of a picture: ``kind`` (Linear, Layer, Dropout, …), ``path`` (its name among
    ``model.named_modules()``), sizes, parameters, the activation folded into it (its name as
    shown and the op it makes) and any extra text."""

    kind: str
    path: str
    module: object
    nin: int | None = None
    nout: int | None = None
    params: list[Param] = field(default_factory=list)
    activation: str = ""
    act_op: str = ""
    extra: str = ""

    @property
    def dense(self) -> bool:
        """Whether the stage is a dense layer (weights w and biases b), drawn neuron by neuron."""
        return [p.name for p in self.params][:1] in (["W"], ["w"]) and self.nin is not None

    def weights(self) -> Param:
        return self.params[0]

    def biases(self) -> Param | None:
        return self.params[1] if len(self.params) > 1 else None


def stages(model) -> list[Stage]:
    """The stages of a TensorMLP, Sequential, Linear, or scalar MLP, Layer or Neuron."""
    if isinstance(model, Sequential):
        return _sequence(model.layers, "")
    if isinstance(model, MLP):
        return [_layer(layer, f"layers.{i}") for i, layer in enumerate(model.layers)]
    if isinstance(model, Layer):
        return [_layer(model, "")]
    if isinstance(model, Neuron):
        return [_neuron(model, "")]
    if isinstance(model, Module):
        return _sequence([model], "", top=True)
    raise TypeError(f"draw_network needs an nn model (TensorMLP, Sequential, Linear, MLP, Layer or "
                    f"Neuron), got {type(model).__name__}")


def _sequence(layers: list, prefix: str, top: bool = False) -> list[Stage]:
    """The stages of modules run one after another; an activation joins the stage before it."""
    out: list[Stage] = []
    for i, layer in enumerate(layers):
        path = prefix if top else f"{prefix}layers.{i}"
        if isinstance(layer, Sequential):
            out += _sequence(layer.layers, f"{path}.")
        elif isinstance(layer, Activation) or not isinstance(layer, Module):  # a function, too
            _fold(out, layer, path)
        else:
            out.append(_module(layer, path, out[-1].nout if out else None))
    return out


def _fold(out: list[Stage], act, path: str) -> None:
    """An activation (module or function) joins the stage before it, or stands alone."""
    name = getattr(act, "name", None) or getattr(act, "__name__", type(act).__name__)
    extra = act.extra_repr() if isinstance(act, Module) else ""
    shown = f"{name} ({extra})" if extra else name
    if out and not out[-1].activation and out[-1].kind not in ("Dropout", "activation"):
        out[-1].activation, out[-1].act_op = shown, name
        return
    width = out[-1].nout if out else None
    out.append(Stage("activation", path, act, width, width, activation=shown, act_op=name))


def _module(m, path: str, width: int | None) -> Stage:
    """A Linear, Dropout, BatchNorm1d or other module as a stage of its own."""
    if isinstance(m, Linear):
        params = [Param("W", m.W.shape, [m.W])] + ([Param("b", m.b.shape, [m.b])] if m.b is not None else [])
        return Stage("Linear", path, m, m.nin, m.nout, params)
    if isinstance(m, Dropout):
        return Stage("Dropout", path, m, width, width, extra=f"p = {m.p:g}, in training only")
    if isinstance(m, BatchNorm1d):
        params = [Param(name, p.shape, [p]) for name, p in (("γ", m.weight), ("β", m.bias)) if p is not None]
        return Stage("BatchNorm1d", path, m, m.num_features, m.num_features, params)
    params = [Param(name, np.shape(p.data), [p]) for name, p in m.named_parameters()]
    return Stage(type(m).__name__, path, m, width, None, params)


def _layer(layer: Layer, path: str) -> Stage:
    """A scalar Layer: its neurons' weights as one (nin, nout) matrix (column j: neuron j)."""
    ws = [n.w[i] for i in range(layer.nin) for n in layer.neurons]
    bs = [n.b for n in layer.neurons]
    return Stage("Layer", path, layer, layer.nin, layer.nout,
                 [Param("w", (layer.nin, layer.nout), ws), Param("b", (layer.nout,), bs)],
                 layer.activation, _op_of(layer.activation))


def _neuron(neuron: Neuron, path: str) -> Stage:
    return Stage("Neuron", path, neuron, neuron.nin, 1,
                 [Param("w", (neuron.nin, 1), list(neuron.w)), Param("b", (1,), [neuron.b])],
                 neuron.activation, _op_of(neuron.activation))


def _op_of(activation: str) -> str:
    """The op an activation makes on each weighted sum: its own table op, or '' (the identity
    makes no node, softmax works on the whole layer, a function of your own is unknown)."""
    try:
        entry = A.resolve(activation)
    except (TypeError, ValueError):
        return ""
    return entry.name if entry.table_op else ""


def find(model, stages_: list[Stage], which) -> tuple[object, str, str]:
    """(module, the op its activation makes, its path) for ``which``: a stage's index, a stage's
    path, or the path of any module inside (e.g. ``layers.1.neurons.0``)."""
    if isinstance(which, int) and not isinstance(which, bool):
        if not -len(stages_) <= which < len(stages_):
            raise ValueError(f"expand={which}: the network has {len(stages_)} layers (0 to {len(stages_) - 1})")
        st = stages_[which]
        return st.module, st.act_op, st.path or type(st.module).__name__
    for st in stages_:
        if st.path == which:
            return st.module, st.act_op, which
    modules = dict(model.named_modules())
    if which in modules:
        m = modules[which]
        return m, _op_of(getattr(m, "activation", "") or ""), which
    shown = ", ".join(repr(p) for p in list(modules)[1:8])
    raise ValueError(f"expand={which!r} is not a layer of this network: give a layer's index or a "
                     f"module's name, e.g. {shown}")
