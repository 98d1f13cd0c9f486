"""Two numeric namespaces with the same function names: ``SCALAR`` (Python floats, the math
module) and ``ARRAY`` (numpy arrays). A third, ``nodens.NODES``, runs the same rules on graph
nodes, so that a derivative is itself a graph (derivatives of derivatives).

The op table writes every rule once against a namespace ``m``; a ``Value`` evaluates it with
``m = SCALAR`` (fast: no numpy call per scalar op) and a ``Tensor`` with ``m = ARRAY``. The
tensor rules (VJPs, JVPs) also use ``ARRAY``'s array helpers (``unbroadcast``,
``broadcast_to``, ``scatter_add`` …), which ``NODES`` provides as differentiable ops. Domain
checks live here, once per namespace, so ``log(-1)`` fails with the same ``DomainError`` for
both node types. NaN in gives NaN out everywhere (as numpy), also through max, min and step.

Selections. relu, step, clip and max/min pick some inputs and ignore the others; the local
derivative of an input not picked is an *exact* zero that passes no gradient at all, even an
infinite one: sqrt(relu(x)) at x < 0 has gradient 0 (as in PyTorch), not 0·∞ = NaN.
``select(cond)`` makes that derivative: ``SCALAR`` gives 1.0 or ``UNSELECTED`` (a 0.0 whose
product with anything is 0.0), ``ARRAY`` a boolean mask that the tensor VJP applies with
``where`` instead of a multiplication.
"""

from __future__ import annotations

import math

import numpy as np

from .errors import DomainError

inf = math.inf
nan = math.nan


def _log_error(x) -> DomainError:
    return DomainError(
        f"log({x!r}) is undefined: log needs inputs > 0. "
        "Clamp or shift the input first, e.g. log(x + 1e-12) or log(clip(x, 1e-12, None))."
    )


def _sqrt_error(x) -> DomainError:
    return DomainError(
        f"sqrt({x!r}) is undefined for real numbers: sqrt needs inputs >= 0. "
        "Use sqrt(abs(x)) or clamp the input first."
    )


def _zero_pow_error(n) -> DomainError:
    return DomainError(
        f"0 ** {n!r} is undefined (it divides by zero): a base of 0 needs a non-negative exponent. "
        "Add a small epsilon to the base if this is a normalisation."
    )


def _neg_pow_error(a, n) -> DomainError:
    return DomainError(
        f"{a!r} ** {n!r} is not a real number: a negative base needs an integer exponent. "
        "Use abs(x) ** p, or check the sign of the base."
    )


_add_reduce = np.add.reduce


def is_basic_index(idx) -> bool:
    """Whether ``x[idx]`` is numpy basic indexing (ints, slices, None, ...): no entry twice."""
    items = idx if isinstance(idx, tuple) else (idx,)
    return all(isinstance(i, (int, np.integer, slice)) or i is None or i is Ellipsis for i in items)


class _Unselected(float):
    """0.0 on an edge an op did not select: ``UNSELECTED * g == 0.0`` for every g, inf and NaN too."""

    __slots__ = ()

    def __mul__(self, other):
        return 0.0

    __rmul__ = __mul__

    def __repr__(self) -> str:
        return "0.0"


UNSELECTED = _Unselected(0.0)


class SCALAR:
    """Python floats: math-module forms, numerically stable where the naive formula overflows."""

    abs = abs
    min = min
    max = max
    tanh = math.tanh  # stable: math.tanh(±1000) = ±1.0
    expm1 = math.expm1
    log1p = math.log1p

    @staticmethod
    def sin(x: float) -> float:
        return math.sin(x) if x - x == 0 else nan  # sin(±inf) is NaN, as numpy's (math raises)

    @staticmethod
    def cos(x: float) -> float:
        return math.cos(x) if x - x == 0 else nan

    @staticmethod
    def exp(x: float) -> float:
        try:
            return math.exp(x)
        except OverflowError:  # IEEE semantics, as numpy and torch: exp(1000) = inf
            return inf

    @staticmethod
    def log(x: float) -> float:
        if x > 0:
            return math.log(x)
        if x != x:  # NaN in, NaN out
            return x
        raise _log_error(x)

    @staticmethod
    def sqrt(x: float) -> float:
        if x >= 0:
            return math.sqrt(x)
        if x != x:
            return x
        raise _sqrt_error(x)

    @staticmethod
    def pow(a: float, n: float) -> float:
        try:
            r = a**n
        except ZeroDivisionError:
            raise _zero_pow_error(n) from None
        except OverflowError:
            odd = float(n).is_integer() and int(n) % 2 == 1
            return -inf if (a < 0 and odd) else inf
        if r.__class__ is complex:
            raise _neg_pow_error(a, n)
        return r

    @staticmethod
    def pow_d(a: float, e: float) -> float:
        """a ** e for a derivative: 0 ** negative is +inf here (the slope of sqrt at 0), not an error."""
        if a == 0 and e < 0:
            return inf
        return SCALAR.pow(a, e)

    @staticmethod
    def recip(x: float) -> float:
        return 1.0 / x if x else math.copysign(inf, x)

    @staticmethod
    def sigmoid(x: float) -> float:
        if x >= 0:
            return 1.0 / (1.0 + math.exp(-x))
        e = math.exp(x)  # x < 0: exp cannot overflow
        return e / (1.0 + e)

    @staticmethod
    def relu(x: float) -> float:
        return x if not x <= 0 else 0.0  # NaN passes through

    @staticmethod
    def select(cond) -> float:
        """1.0 where an op passes its input through, else an exact zero (see the module docstring)."""
        return 1.0 if cond else UNSELECTED

    @staticmethod
    def share(win, tie) -> float:
        """max/min's slope for one input: 1 if it wins, ½ on a tie, else an exact zero."""
        return 1.0 if win else (0.5 if tie else UNSELECTED)

    @staticmethod
    def unselected(x: float) -> float:
        return UNSELECTED

    @staticmethod
    def positive(x: float) -> float:
        """[x > 0]: relu's slope (an exact 0 at x ≤ 0)."""
        return 1.0 if x > 0 else UNSELECTED

    @staticmethod
    def threshold(x: float) -> float:
        """[x ≥ 0]: the step function of the notes' threshold neuron (1 at x = 0; NaN stays NaN)."""
        return 1.0 if x >= 0 else (0.0 if x == x else x)

    @staticmethod
    def sign(x: float) -> float:
        return 1.0 if x > 0 else (-1.0 if x < 0 else (0.0 if x == x else x))

    @staticmethod
    def where(cond, a, b):
        return a if cond else b

    @staticmethod
    def zeros_like(x: float) -> float:
        return 0.0

    @staticmethod
    def clip(x: float, lo, hi) -> float:
        """min(max(x, lo), hi), as numpy and PyTorch: with lo > hi the result is hi."""
        if lo is not None and x < lo:
            x = float(lo)
        if hi is not None and x > hi:
            return float(hi)
        return x

    @staticmethod
    def maximum(a: float, b: float) -> float:
        return a if a >= b or a != a else b  # a NaN on either side wins, as in numpy

    @staticmethod
    def minimum(a: float, b: float) -> float:
        return a if a <= b or a != a else b


_F64, _BOOL = np.dtype(np.float64), np.dtype(np.bool_)
_MASK_BITS_MIN = 1024  # below this many entries np.where's branches cost less than three passes


def where(cond, a, b):
    """``np.where(cond, a, b)``, the same numbers, with one case made fast: a selection's
    gradient ``where(mask, g, 0.0)`` (relu, clip, max/min: g where picked, an exact +0.0
    elsewhere, even where g is ±∞). np.where branches on every element and a random mask
    mispredicts half of them (measured: 12 µs for 32×100, 233 µs for 256×256); the same result
    is built without a branch from the bits: an all-ones word where the mask is True, AND the
    bits of g (4.3 µs and 64 µs; a plain g·mask would be 2.6 µs but gives NaN for 0·∞).
    (``type(a)``, not ``a.__class__``: a trace's array stand-ins report ndarray as their class;
    they take np.where, which the trace writes down as a call of this function.)"""
    if (b.__class__ is float and type(a) is np.ndarray and a.size >= _MASK_BITS_MIN
            and type(cond) is np.ndarray and a.dtype == _F64 and cond.dtype == _BOOL
            and a.shape == cond.shape and b == 0.0 and math.copysign(1.0, b) == 1.0):
        bits = cond.astype(np.uint64)  # 0 or 1
        np.negative(bits, out=bits)  # 0 or all ones
        out = np.empty(a.shape)  # a fresh array of its own (the VJP contract: no view)
        np.bitwise_and(bits, a.view(np.uint64), out=out.view(np.uint64))
        return out
    return np.where(cond, a, b)


class ARRAY:
    """numpy arrays: the same names as ``SCALAR``, elementwise."""

    abs = np.abs
    sin = np.sin
    cos = np.cos
    tanh = np.tanh
    expm1 = np.expm1
    log1p = np.log1p
    exp = np.exp
    sign = np.sign
    where = staticmethod(where)
    zeros_like = np.zeros_like

    @staticmethod
    def select(cond) -> np.ndarray:
        """A boolean mask: the tensor VJP passes g where it is True and an exact 0 elsewhere."""
        return cond

    @staticmethod
    def share(win, tie) -> np.ndarray:
        return np.where(win, 1.0, np.where(tie, 0.5, 0.0))

    @staticmethod
    def unselected(x: np.ndarray) -> np.ndarray:
        return np.zeros(np.shape(x), dtype=bool)
    maximum = np.maximum
    minimum = np.minimum

    @staticmethod
    def log(x: np.ndarray) -> np.ndarray:
        bad = x <= 0
        if bad.any():
            raise _log_error(float(x[bad].flat[0]))
        return np.log(x)

    @staticmethod
    def sqrt(x: np.ndarray) -> np.ndarray:
        bad = x < 0
        if bad.any():
            raise _sqrt_error(float(x[bad].flat[0]))
        return np.sqrt(x)

    @staticmethod
    def pow(a: np.ndarray, n) -> np.ndarray:
        n_arr = np.asarray(n)
        zero_neg = (a == 0) & (n_arr < 0)
        if zero_neg.any():
            raise _zero_pow_error(float(np.broadcast_to(n_arr, zero_neg.shape)[zero_neg].flat[0]))
        neg_frac = (a < 0) & (n_arr != np.round(n_arr))
        if neg_frac.any():
            a_b, n_b = np.broadcast_arrays(a, n_arr)
            raise _neg_pow_error(float(a_b[neg_frac].flat[0]), float(n_b[neg_frac].flat[0]))
        with np.errstate(over="ignore"):
            return np.power(a, n)

    @staticmethod
    def pow_d(a: np.ndarray, e) -> np.ndarray:
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            return np.power(a, e)

    # --- array helpers of the tensor rules (NODES has each as a differentiable op) -------------
    transpose = np.transpose
    swapaxes = np.swapaxes
    expand_dims = np.expand_dims
    squeeze = np.squeeze
    concatenate = np.concatenate
    stack = np.stack

    @staticmethod
    def value(x) -> np.ndarray:
        """The numbers of x (x itself here; a node's data in NODES): for masks and constants."""
        return x

    @staticmethod
    def zeros(shape) -> np.ndarray:
        return np.zeros(shape)

    @staticmethod
    def unbroadcast(g: np.ndarray, shape: tuple) -> np.ndarray:
        """Sum ``g`` over the axes numpy broadcasting added or stretched, back to ``shape``.

        If y = a + b broadcast a of shape (3, 1) to (3, 4), each a_i fed 4 outputs, so
        ∂L/∂a_i = Σ_j ∂L/∂y_ij: a sum over the stretched axis."""
        if g.shape == shape:
            return g
        extra = g.ndim - len(shape)
        if extra == 1 and g.shape[1:] == shape:  # a bias (k,) added to rows (n, k): the usual case
            return _add_reduce(g, 0)  # = g.sum(axis=0), without ndarray.sum's Python wrapper
        if extra:
            g = g.sum(axis=tuple(range(extra)))
        stretched = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
        if stretched:
            g = g.sum(axis=stretched, keepdims=True)
        return g

    @staticmethod
    def broadcast_to(x: np.ndarray, shape: tuple) -> np.ndarray:
        """x stretched to ``shape``, as a fresh array (a VJP never returns a read-only view)."""
        out = np.empty(shape, dtype=np.result_type(x, 1.0))
        out[...] = x
        return out

    @staticmethod
    def scatter_add(g: np.ndarray, idx, shape: tuple) -> np.ndarray:
        """zeros(shape) with g added at ``idx`` (repeated indices each add their share)."""
        out = np.zeros(shape, dtype=g.dtype)
        if is_basic_index(idx):
            out[idx] = g
        else:
            np.add.at(out, idx, g)
        return out

    @staticmethod
    def softmax(x: np.ndarray, axis: int) -> np.ndarray:
        e = np.exp(x - x.max(axis=axis, keepdims=True))
        return e / e.sum(axis=axis, keepdims=True)

    @staticmethod
    def recip(x: np.ndarray) -> np.ndarray:
        out = np.full_like(x, inf, dtype=np.result_type(x, 1.0))
        np.copysign(out, x, out=out)  # in place: keeps 0-d arrays arrays
        return np.divide(1.0, x, out=out, where=x != 0)

    @staticmethod
    def sigmoid(x: np.ndarray) -> np.ndarray:
        e = np.exp(-np.abs(x))  # in (0, 1]: never overflows
        r = 1.0 / (1.0 + e)
        return np.where(x >= 0, r, e * r)

    @staticmethod
    def relu(x: np.ndarray) -> np.ndarray:
        return np.maximum(x, 0.0)

    @staticmethod
    def positive(x: np.ndarray) -> np.ndarray:
        return x > 0  # a boolean mask: g * mask is relu's VJP without a float temporary

    @staticmethod
    def threshold(x: np.ndarray) -> np.ndarray:
        return np.heaviside(x, 1.0)  # 1 at x = 0, NaN stays NaN

    @staticmethod
    def clip(x: np.ndarray, lo, hi) -> np.ndarray:
        return np.clip(x, lo, hi)
