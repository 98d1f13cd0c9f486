"""Tensor functions of several inputs, or of an input and a constant: where, broadcast_to,
scatter_add, concatenate, stack, affine and the fused softmax_cross_entropy. Each is one op of the
registry (``tensor_ops``).

With ``tensor_methods.py`` this module is part of Tensor's own implementation, split from
``tensor.py`` by size: like the class, it reads a tensor's storage ``_data`` directly (the public
``data`` is a property whose call would cost every affine layer and loss on the hot path)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np

from . import tensor_ops as T
from .errors import DomainError, ShapeError, TensorIndexError
from .tensor import Tensor, apply, index_part, lift


def as_tensors(xs: Sequence, what: str) -> tuple:
    """Each of xs as a Tensor (numbers and arrays become constant leaves); TypeError otherwise."""
    out = tuple(x if x.__class__ is Tensor else lift(x) for x in xs)
    if not out or any(t is None for t in out):
        raise TypeError(f"{what} needs a non-empty sequence of Tensors or arrays")
    return out


def where(cond, a, b) -> Tensor:
    """A where cond else B, elementwise (cond a constant: a boolean array, list or Tensor; A and B
    broadcast against it). The gradient goes to A where cond holds and to B elsewhere, exact zeros
    to the other, as in PyTorch's ``torch.where``."""
    mask = cond._data if isinstance(cond, Tensor) else np.asarray(cond)
    if mask.dtype != bool:
        raise TypeError(f"where(cond, a, b): cond must be boolean (e.g. x > 0), got dtype {mask.dtype}")
    a, b = as_tensors((a, b), "where")
    return apply(T.WHERE, (a, b), mask)


def broadcast_to(x, shape) -> Tensor:
    """x stretched to ``shape`` by numpy's broadcasting rules (PyTorch's ``expand``); the gradient
    is summed back over the stretched axes."""
    (x,) = as_tensors((x,), "broadcast_to")
    shape = tuple(shape) if isinstance(shape, (tuple, list)) else (shape,)
    try:
        np.broadcast_to(x._data, shape)  # a view: only the check
    except ValueError:
        raise ShapeError(f"cannot broadcast shape {x.shape} to {shape}") from None
    return apply(T.BROADCAST_TO, (x,), shape)


def scatter_add(values, index, shape) -> Tensor:
    """zeros(shape) with ``values`` added at ``index`` (repeated indices add up): the adjoint of
    indexing, ``scatter_add(y, idx, x.shape)`` being how ∂L/∂x gathers ∂L/∂(x[idx]) = y."""
    (v,) = as_tensors((values,), "scatter_add")
    shape = tuple(shape)
    index = tuple(map(index_part, index)) if isinstance(index, tuple) else index_part(index)
    try:
        expected = np.zeros(shape)[index].shape
    except IndexError as e:
        raise TensorIndexError(f"index {index!r} does not fit shape {shape}: {e}") from None
    if np.broadcast_shapes(v.shape, expected) != expected:
        raise ShapeError(f"scatter_add: values of shape {v.shape} do not fit the {expected} entries "
                         f"that index {index!r} picks from shape {shape}")
    return apply(T.SCATTER_ADD, (v,), index, shape)


_NO = object()


def _joining_axis(axis, dim, what: str):
    """numpy's ``axis=`` or PyTorch's ``dim=`` (not both) of concatenate/cat and stack."""
    if dim is _NO:
        return axis
    if axis != 0:
        raise TypeError(f"{what}: give axis= (numpy) or dim= (PyTorch), not both")
    return dim


def concatenate(tensors: Sequence, axis: int | None = 0, *, dim=_NO) -> Tensor:
    """Join tensors along an existing axis (``axis=None``: flattened first); each gets back its
    slice of the gradient. ``cat(tensors, dim=0)`` is PyTorch's name for the same."""
    ts = as_tensors(tensors, "concatenate")
    return apply(T.CONCATENATE, ts, _joining_axis(axis, dim, "concatenate"))


cat = concatenate


def stack(tensors: Sequence, axis: int = 0, *, dim=_NO) -> Tensor:
    """Join equally shaped tensors along a new axis (``dim=`` as in PyTorch)."""
    ts = as_tensors(tensors, "stack")
    return apply(T.STACK, ts, _joining_axis(axis, dim, "stack"))


def affine(x, w, b=None) -> Tensor:
    """X @ W + b as one node (a dense layer's pre-activation, W of shape (nin, nout)).

    Same numbers as ``x @ w + b``, one node and one VJP instead of two."""
    if x.__class__ is not Tensor or w.__class__ is not Tensor or (b is not None and b.__class__ is not Tensor):
        x, w, *rest = as_tensors((x, w) if b is None else (x, w, b), "affine")
        b = rest[0] if rest else None
    if b is None:
        return x @ w
    if not (x._data.ndim == 2 and w._data.ndim == 2 and b._data.ndim == 1) and _widens(x, w, b):
        return x @ w + b  # a bias that broadcasts x @ W wider: two nodes, the fused op keeps its shape
    return apply(T.AFFINE, (x, w, b))


def _widens(x, w, b) -> bool:
    """Whether adding b makes x @ w's shape larger (then affine is x @ w + b as two nodes)."""
    a_shape, w_shape = x.shape, w.shape
    if len(a_shape) == 1 and len(w_shape) == 1:
        xw = ()
    elif len(w_shape) == 1:
        xw = a_shape[:-1]
    elif len(a_shape) == 1:
        xw = w_shape[:-2] + w_shape[-1:]
    else:
        try:
            xw = np.broadcast_shapes(a_shape[:-2], w_shape[:-2]) + (a_shape[-2], w_shape[-1])
        except ValueError:
            return False  # the op reports the shapes that do not fit
    try:
        return np.broadcast_shapes(xw, b.shape) != xw
    except ValueError:
        return False


def softmax_cross_entropy(logits, target, reduction: str = "mean") -> Tensor:
    """Cross-entropy of softmax(logits) against ``target``, as one node:

        C = −s Σₙ Σ_c t_{nc} log softmax(zₙ)_c,   s = 1/N ("mean", N = rows) or 1 ("sum")

    ``target``: integer class labels of shape logits.shape[:-1], or target weights (one-hot or
    probabilities) of the logits' shape. Same numbers as log_softmax + pick + mean, one VJP
    instead of four: ∂C/∂z = s(softmax(z) − onehot)."""
    z = logits if logits.__class__ is Tensor else as_tensors((logits,), "softmax_cross_entropy")[0]
    shape = z._data.shape
    if not shape:
        raise ShapeError("softmax_cross_entropy needs logits with a class axis, got a scalar")
    t = target._data if isinstance(target, Tensor) else np.asarray(target)
    kind = t.dtype.kind
    if kind in "iu" and t.shape == shape[:-1]:
        if kind == "i" and t.size and t.min() < 0:  # labels ≥ K are caught by the op's indexing
            raise DomainError(T.label_range_message(shape[-1], t))
    elif kind in "biuf" and t.shape == shape:
        t = t.astype(z._data.dtype, copy=False)
    else:
        raise ShapeError(f"softmax_cross_entropy: logits of shape {shape} need integer labels of shape "
                         f"{shape[:-1]} or targets of shape {shape}, got {t.dtype} {t.shape}")
    if reduction == "mean":
        rows = math.prod(shape[:-1])
        if rows == 0:  # numpy's and PyTorch's mean of nothing: NaN, with a warning
            warnings.warn("softmax_cross_entropy: the mean over 0 rows is NaN", RuntimeWarning, stacklevel=2)
        scale = 1.0 / rows if rows else math.nan
    elif reduction == "sum":
        scale = 1.0
    else:
        raise ValueError(f"reduction must be 'mean' or 'sum', got {reduction!r}")
    return apply(T.SOFTMAX_CROSS_ENTROPY, (z,), t, scale)
