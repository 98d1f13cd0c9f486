"""``NODES``: the third numeric namespace, in which the rules run on graph nodes.

The op table's local-derivative rules and the tensor VJP/JVP rules are written once against a
namespace ``m``. Run with ``m = NODES`` on the graph's own nodes, every ``m.exp(x)``,
``m.where(...)``, ``g @ b.T`` builds new nodes instead of numbers, so a gradient comes out as a
graph that can be differentiated again (``backward(create_graph=True)``, ``grad(grad(f))``) and a
tangent as one that forward mode can push through.

Each function takes nodes (Value or Tensor), numbers or arrays: on a node it applies the op, on
plain numbers it falls back to ``SCALAR``/``ARRAY``. What a rule computes from the numbers alone
(a sign, relu's mask, which entry of a max won) is a constant: its derivative is zero, so it is
returned as a number or an array, not a node.
"""

from __future__ import annotations

import numpy as np

from . import functional as F
from . import tensor as _tensor
from . import tensor_functions as TF
from . import value as _value
from .mathns import ARRAY, SCALAR
from .ops import OPS
from .tensor import Tensor
from .tensor_ops import TENSOR_OPS
from .value import Value

_NODE = (Value, Tensor)


def _is_node(x) -> bool:
    return isinstance(x, _NODE)


def _data(x):
    return x.data if isinstance(x, _NODE) else x


def _numbers(x):
    """The numeric namespace for x's numbers: SCALAR for a Value or a float, ARRAY otherwise."""
    return SCALAR if isinstance(x, (Value, float, int, bool)) else ARRAY


def _on_node(name: str):
    """m.name(x): the op on a node, the numeric function on a number or an array."""
    method = getattr(F, name)

    def fn(x, *params):
        return method(x, *params) if _is_node(x) else getattr(_numbers(x), name)(x, *params)

    fn.__name__ = name
    return fn


def _constant(name: str):
    """m.name(x) computed on x's numbers: a constant (its derivative is zero)."""
    def fn(*xs):
        data = [_data(x) for x in xs]
        return getattr(_numbers(xs[0]), name)(*data)

    fn.__name__ = name
    return fn


def _apply(name: str, *xs):
    """An op-table entry by name on nodes: a Value node if any input is a Value, else a Tensor."""
    if any(isinstance(x, Value) for x in xs):
        return _value.apply(OPS[name], tuple(x if isinstance(x, Value) else Value(float(x)) for x in xs))
    return _tensor.apply(TENSOR_OPS[name], tuple(x if isinstance(x, Tensor) else Tensor(x) for x in xs))


class NODES:
    """The rules' namespace on graph nodes (see the module docstring)."""

    for _name in ("exp", "log", "sqrt", "abs", "sin", "cos", "tanh", "sigmoid", "relu", "clip"):
        locals()[_name] = staticmethod(_on_node(_name))
    for _name in ("sign", "positive", "threshold", "unselected", "zeros_like"):
        locals()[_name] = staticmethod(_constant(_name))
    del _name

    value = staticmethod(_data)

    @staticmethod
    def select(cond):
        return _numbers(_data(cond)).select(_data(cond))

    @staticmethod
    def share(win, tie):
        return _numbers(_data(win)).share(_data(win), _data(tie))

    @staticmethod
    def recip(x):
        return _apply("recip", x) if _is_node(x) else _numbers(x).recip(x)

    @staticmethod
    def pow(a, n):
        return a ** n if _is_node(a) or _is_node(n) else _numbers(a).pow(a, n)

    @staticmethod
    def pow_d(a, e):
        return a ** e if _is_node(a) or _is_node(e) else _numbers(a).pow_d(a, e)

    @staticmethod
    def maximum(a, b):
        return F.maximum(a, b)

    @staticmethod
    def minimum(a, b):
        return F.minimum(a, b)

    @staticmethod
    def where(cond, a, b):
        c = _data(cond)
        if not (_is_node(a) or _is_node(b)):
            return np.where(c, a, b) if isinstance(c, np.ndarray) else (a if c else b)
        if isinstance(a, Value) or isinstance(b, Value):
            return a if c else b
        return TF.where(np.asarray(c, dtype=bool), a, b)

    # --- the tensor rules' array helpers, as differentiable ops ----------------------------------
    @staticmethod
    def zeros(shape):
        return np.zeros(shape)

    @staticmethod
    def transpose(x, axes=None):
        return _tensor.apply(TENSOR_OPS["transpose"], (x,), axes) if _is_node(x) else np.transpose(x, axes)

    @staticmethod
    def swapaxes(x, a1, a2):
        if not _is_node(x):
            return np.swapaxes(x, a1, a2)
        axes = list(range(x.ndim))
        axes[a1], axes[a2] = axes[a2], axes[a1]
        return NODES.transpose(x, tuple(axes))

    @staticmethod
    def expand_dims(x, axis):
        return x.reshape(np.expand_dims(np.empty(x.shape, bool), axis).shape) if _is_node(x) \
            else np.expand_dims(x, axis)

    @staticmethod
    def squeeze(x, axis):
        return x.reshape(np.squeeze(np.empty(x.shape, bool), axis).shape) if _is_node(x) else np.squeeze(x, axis)

    @staticmethod
    def broadcast_to(x, shape):
        return TF.broadcast_to(x, shape) if _is_node(x) else ARRAY.broadcast_to(x, shape)

    @staticmethod
    def unbroadcast(g, shape):
        """g summed back to ``shape`` over the axes broadcasting added or stretched."""
        if not _is_node(g):
            return ARRAY.unbroadcast(g, shape)
        if g.shape == shape:
            return g
        extra = g.ndim - len(shape)
        if extra:
            g = g.sum(axis=tuple(range(extra)))
        stretched = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
        return g.sum(axis=stretched, keepdims=True) if stretched else g

    @staticmethod
    def scatter_add(g, idx, shape):
        return TF.scatter_add(g, idx, shape) if _is_node(g) else ARRAY.scatter_add(g, idx, shape)

    @staticmethod
    def concatenate(xs, axis=0):
        return TF.concatenate(xs, axis) if any(map(_is_node, xs)) else np.concatenate(xs, axis)

    @staticmethod
    def stack(xs, axis=0):
        return TF.stack(xs, axis) if any(map(_is_node, xs)) else np.stack(xs, axis)

    @staticmethod
    def softmax(x, axis):
        return x.softmax(axis) if _is_node(x) else ARRAY.softmax(x, axis)

