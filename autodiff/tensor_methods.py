"""Tensor's array methods: shapes, reductions, the softmax family, and PyTorch's spellings.

Every method here is one op of the registry (``tensor_ops``) applied to ``self``. Where numpy
and PyTorch name things differently, both work: ``axis=``/``keepdims=`` (numpy) or
``dim=``/``keepdim=`` (PyTorch); ``ddof=`` (numpy) or ``correction=``/``unbiased=`` (PyTorch);
``reshape`` or ``view``; ``t.size`` is the number of entries as in numpy, and ``t.size()`` the
shape, ``t.size(d)`` one dimension, as in PyTorch. ``transpose(d0, d1)`` swaps two axes as in
PyTorch (numpy's ``transpose(axes)``, a full permutation, is ``permute``).
"""

from __future__ import annotations

import numbers

import numpy as np

from . import tensor as _t  # (a cycle: tensor imports this module; only used at call time)
from . import tensor_ops as T
from .errors import ShapeError

_NO = object()


def _axis(axis, dim, what: str):
    """The reduced axes from numpy's ``axis=`` or PyTorch's ``dim=`` (not both)."""
    if dim is _NO:
        return axis
    if axis is not None:
        raise TypeError(f"{what}: give axis= (numpy) or dim= (PyTorch), not both")
    return dim


def _keep(keepdims, keepdim) -> bool:
    return bool(keepdims if keepdim is _NO else keepdim)


class Size(int):
    """``t.size``: the number of entries (numpy's meaning) that, called, gives the shape
    (``t.size()``) or one dimension (``t.size(d)``), as PyTorch's ``size()`` does."""

    def __new__(cls, shape: tuple):
        n = cls.__base__.__new__(cls, int(np.prod(shape, dtype=np.int64)))
        n.shape = shape
        return n

    def __call__(self, dim: int | None = None):
        if dim is None:
            return self.shape
        if not -len(self.shape) <= dim < len(self.shape):
            raise ShapeError(f"dimension {dim} is out of range for a tensor with {len(self.shape)} dimensions")
        return self.shape[dim]


class TensorMethods:
    """The array methods of ``Tensor`` (see the module docstring)."""

    __slots__ = ()

    # --- facts -------------------------------------------------------------------------------------
    @property
    def size(self) -> Size:
        """Number of entries (``t.size``); ``t.size()`` is the shape, ``t.size(d)`` one dimension."""
        return Size(self.shape)

    def numel(self) -> int:
        """Number of entries (PyTorch's name for ``size``)."""
        return int(self._data.size)

    def dim(self) -> int:
        """Number of dimensions (PyTorch's name for ``ndim``)."""
        return self._data.ndim

    def float(self):
        """The tensor as floats: itself when it holds floats (float64 here throughout, where
        PyTorch's ``float()`` means float32), else a float64 constant (``(pred == y).float()``)."""
        if self._data.dtype.kind == "f":
            return self
        return _t.Tensor.from_numpy(self._data.astype(np.float64))

    double = float

    def long(self):
        """The tensor as int64 (class labels), a constant outside the graph."""
        return _t.Tensor.from_numpy(self._data.astype(np.int64))

    def tolist(self):
        """The values as (nested) Python lists, or a number for a 0-d tensor."""
        return self._data.tolist()

    # --- shape changes -------------------------------------------------------------------------------
    @property
    def T(self):
        """The transpose (all axes reversed)."""
        return _t.apply(T.TRANSPOSE, (self,), None)

    def transpose(self, *dims):
        """``t.transpose(d0, d1)`` swaps two axes (PyTorch); ``t.transpose()`` reverses them all;
        ``t.transpose((2, 0, 1))``, one sequence, is numpy's full permutation (``permute``)."""
        if not dims:
            return self.T
        if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
            return self.permute(*dims[0])
        if len(dims) != 2:
            raise TypeError(f"transpose takes two axes to swap (PyTorch), got {len(dims)}: for a full "
                            f"permutation use permute{tuple(dims)}")
        perm = list(range(self.ndim))
        d0, d1 = (_check_axis(d, self.ndim) for d in dims)
        perm[d0], perm[d1] = perm[d1], perm[d0]
        return _t.apply(T.TRANSPOSE, (self,), tuple(perm))

    def permute(self, *axes):
        """The axes in a new order: ``t.permute(2, 0, 1)`` (``numpy.transpose(t, axes)``)."""
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        if sorted(_check_axis(a, self.ndim) for a in axes) != list(range(self.ndim)):
            raise ShapeError(f"permute axes {axes} are not a permutation of {self.ndim} axes")
        return _t.apply(T.TRANSPOSE, (self,), tuple(axes))

    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return _t.apply(T.RESHAPE, (self,), shape)

    def view(self, *shape):
        """``reshape`` (PyTorch's name; here always a new node, never shared storage)."""
        return self.reshape(*shape)

    def flatten(self):
        return self.reshape(-1)

    def unsqueeze(self, dim: int):
        """A new axis of size 1 at ``dim`` (``t[:, None]`` for dim=1)."""
        shape = list(self.shape)
        shape.insert(_check_axis(dim, self.ndim + 1), 1)
        return self.reshape(*shape)

    def squeeze(self, dim=None):
        """Without the axes of size 1 (only ``dim`` if given, as PyTorch: a no-op when its size is not 1)."""
        if dim is None:
            shape = [n for n in self.shape if n != 1]
        else:
            d = _check_axis(dim, self.ndim)
            shape = [n for i, n in enumerate(self.shape) if i != d or n != 1]
        return self.reshape(*shape)

    # --- reductions ----------------------------------------------------------------------------------
    def sum(self, axis=None, keepdims: bool = False, *, dim=_NO, keepdim=_NO):
        """Σ over ``axis`` (an int, a tuple, or None for all axes)."""
        axes = T.norm_axes(_axis(axis, dim, "sum"), self.ndim)
        return _t.apply(T.SUM, (self,), axes, _keep(keepdims, keepdim))

    def mean(self, axis=None, keepdims: bool = False, *, dim=_NO, keepdim=_NO):
        """(1/n) Σ over ``axis``."""
        axis = _axis(axis, dim, "mean")
        axes = T.norm_axes(axis, self.ndim)
        n = T.count(self.shape, axes)
        if n == 0:
            raise ShapeError(f"mean() over an empty selection (shape {self.shape}, axis {axis}) is undefined")
        return _t.apply(T.MEAN, (self,), axes, _keep(keepdims, keepdim), n)

    def max(self, axis=None, keepdims: bool = False, *, dim=_NO, keepdim=_NO):
        """The largest entries over ``axis`` — the values only (PyTorch's ``max(dim)`` also returns
        indices: here they are ``argmax``); ties share the gradient equally."""
        return self._extreme(T.MAX, _axis(axis, dim, "max"), _keep(keepdims, keepdim))

    def min(self, axis=None, keepdims: bool = False, *, dim=_NO, keepdim=_NO):
        """The smallest entries over ``axis`` (values only; indices: ``argmin``)."""
        return self._extreme(T.MIN, _axis(axis, dim, "min"), _keep(keepdims, keepdim))

    def _extreme(self, op, axis, keepdims):
        axes = T.norm_axes(axis, self.ndim)
        if self._data.size == 0:
            raise ShapeError(f"{op.name}() of an empty tensor (shape {self.shape}) is undefined")
        return _t.apply(op, (self,), axes, keepdims)

    def argmax(self, axis=None, keepdims: bool = False, *, dim=_NO, keepdim=_NO):
        """Index of the largest entry along ``axis`` (of the flattened tensor for None): a
        constant integer tensor, outside the graph; the first one on a tie, as numpy."""
        return self._arg(np.argmax, _axis(axis, dim, "argmax"), _keep(keepdims, keepdim))

    def argmin(self, axis=None, keepdims: bool = False, *, dim=_NO, keepdim=_NO):
        """Index of the smallest entry along ``axis`` (see ``argmax``)."""
        return self._arg(np.argmin, _axis(axis, dim, "argmin"), _keep(keepdims, keepdim))

    def _arg(self, fn, axis, keepdims):
        if self._data.size == 0:
            raise ShapeError(f"{fn.__name__}() of an empty tensor (shape {self.shape}) is undefined")
        if axis is not None and not isinstance(axis, (int, np.integer)):
            raise ShapeError(f"{fn.__name__} takes one axis (an int) or None, got {axis!r}")
        if axis is not None:
            _check_axis(axis, self.ndim)
        return _t.Tensor.from_numpy(np.asarray(fn(self._data, axis=axis, keepdims=keepdims)))

    def var(self, axis=None, keepdims: bool = False, ddof=None, *, dim=_NO, keepdim=_NO,
            correction=None, unbiased=None):
        """(1/(n − ddof)) Σ (x − x̄)² over ``axis``. The default is numpy's ddof=0 (the population
        variance, as the notes use); PyTorch's default is the sample variance, ddof=1: ask for it
        with ``ddof=1``, ``correction=1`` or ``unbiased=True``. n − ddof ≤ 0 gives inf/NaN with a
        RuntimeWarning, as numpy."""
        return self._spread_op(T.VAR, _axis(axis, dim, "var"), _keep(keepdims, keepdim),
                               _ddof(ddof, correction, unbiased, "var"))

    def std(self, axis=None, keepdims: bool = False, ddof=None, *, dim=_NO, keepdim=_NO,
            correction=None, unbiased=None):
        """√var (same ``ddof``/``correction``/``unbiased``, default ddof=0); the gradient on a
        constant slice (σ = 0) is 0, as in PyTorch."""
        return self._spread_op(T.STD, _axis(axis, dim, "std"), _keep(keepdims, keepdim),
                               _ddof(ddof, correction, unbiased, "std"))

    def _spread_op(self, op, axis, keepdims, ddof):
        axes = T.norm_axes(axis, self.ndim)
        d = T.degrees_of_freedom(T.count(self.shape, axes), ddof)
        return _t.apply(op, (self,), axes, keepdims, d)

    # --- softmax family ------------------------------------------------------------------------------
    def softmax(self, axis: int = -1, *, dim=_NO):
        """e^{xᵢ}/Σⱼe^{xⱼ} along ``axis`` (shifted by the max: no overflow)."""
        axis = _axis(axis if dim is _NO else None, dim, "softmax")
        T.all_axes(axis, self.ndim)
        return _t.apply(T.SOFTMAX, (self,), axis)

    def log_softmax(self, axis: int = -1, *, dim=_NO):
        """xᵢ − log Σⱼe^{xⱼ} along ``axis``, stably."""
        axis = _axis(axis if dim is _NO else None, dim, "log_softmax")
        T.all_axes(axis, self.ndim)
        return _t.apply(T.LOG_SOFTMAX, (self,), axis)

    def logsumexp(self, axis: int = -1, keepdims: bool = False, *, dim=_NO, keepdim=_NO):
        """log Σ e^{xᵢ} along ``axis``, stably."""
        axis = _axis(axis if dim is _NO else None, dim, "logsumexp")
        T.all_axes(axis, self.ndim)
        return _t.apply(T.LOGSUMEXP, (self,), axis, _keep(keepdims, keepdim))


def _check_axis(a, ndim: int) -> int:
    if isinstance(a, bool) or not isinstance(a, (int, np.integer)):
        raise ShapeError(f"an axis must be an int, got {a!r}")
    if not -ndim <= a < max(ndim, 1):
        raise ShapeError(f"axis {a} is out of range for a tensor with {ndim} dimensions")
    return int(a) % max(ndim, 1)


def _ddof(ddof, correction, unbiased, what: str):
    """numpy's ddof, from ddof= or PyTorch's correction= / unbiased= (at most one of them)."""
    given = [(k, v) for k, v in (("ddof", ddof), ("correction", correction), ("unbiased", unbiased))
             if v is not None]
    if len(given) > 1:
        raise TypeError(f"{what}: give one of ddof=, correction= or unbiased=, not {' and '.join(k for k, _ in given)}")
    if unbiased is not None:
        if not isinstance(unbiased, (bool, np.bool_)):
            raise TypeError(f"{what}(unbiased=...) needs True or False, got {unbiased!r}")
        return 1 if unbiased else 0
    value = 0 if not given else given[0][1]
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{what}({given[0][0]}=...) needs a number, got {type(value).__name__}")
    return value
