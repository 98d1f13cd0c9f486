"""The tensor registry ``TENSOR_OPS``: forward rule + vector-Jacobian product (VJP), one entry each.

It has two sections. The elementwise section is the op table of ``ops.py`` itself, not written
again: each entry's VJP is ``unbroadcast(g · ∂y/∂x_i, x_i.shape)`` with the same local-derivative
rule a ``Value`` puts on its edges. The structural section below holds the ops with no scalar
counterpart: matmul, shape changes, reductions, indexing, joins and the softmax family.

A ``TensorOp`` has

* ``f(*xs, *params) -> y``, or ``-> (y, saved)`` for an op with ``saves=True``: ``saved`` is
  whatever its VJP needs from the forward pass (the softmax of the fused cross-entropy), kept
  on the node and handed back — the one channel from forward to backward (PyTorch's ``ctx``,
  JAX's residuals);
* ``vjp(m, g, y, xs, params, needs, saved) -> list``: for each input i with ``needs[i]``, the
  gradient ∂L/∂x_i = g · ∂y/∂x_i contracted over y (None for inputs that need none: a matmul
  skips the product nobody asked for). ``m`` is the numeric namespace the rule runs on.

A VJP may return g itself, a view of it, or fresh arrays, but never one fresh array for two
inputs: the engine copies g and views before a leaf keeps them, and lets a leaf keep a fresh
array as it is.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from functools import partial

import numpy as np

from . import ops
from .errors import DomainError, ShapeError, TensorIndexError
from .mathns import ARRAY


class TensorOp:
    """One tensor primitive: name, forward rule, VJP rule, the formula; ``elementwise`` is its
    ``ops.Op`` for the elementwise section (None for a structural op); ``saves``: f returns
    ``(y, saved)``."""

    __slots__ = ("name", "f", "vjp", "formula", "elementwise", "saves")

    def __init__(self, name: str, f: Callable, vjp: Callable, formula: str,
                 elementwise: ops.Op | None = None, saves: bool = False) -> None:
        self.name = name
        self.f = f
        self.vjp = vjp
        self.formula = formula
        self.elementwise = elementwise
        self.saves = saves

    def __repr__(self) -> str:
        return f"TensorOp({self.name!r}: {self.formula})"


TENSOR_OPS: dict[str, TensorOp] = {}


def _register(name: str, f: Callable, vjp: Callable, formula: str, saves: bool = False) -> TensorOp:
    op = TensorOp(name, f, vjp, formula, saves=saves)
    TENSOR_OPS[name] = op
    return op


_add_reduce = np.add.reduce


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


def elementwise(op: ops.Op) -> TensorOp:
    """The tensor form of an elementwise op-table entry: same forward, same local derivative.

    VJP: ∂L/∂xᵢ = unbroadcast(G · ∂y/∂xᵢ, xᵢ.shape)."""
    df = op.df
    f = partial(op.f, ARRAY)

    def times(g, local, x):
        """unbroadcast(g · local, x.shape), with no multiply when local is the constant ±1."""
        if local.__class__ is float and (local == 1.0 or local == -1.0):
            gx = g if local == 1.0 else -g  # add, sub, neg
        else:
            gx = g * local
        return gx if gx.shape == x.shape else unbroadcast(gx, x.shape)

    if op.selects:  # relu, step, clip, max/min: an exact 0 where not selected, even for g = ∞
        def times(g, local, x):  # noqa: F811
            gx = np.where(local, g, 0.0) if local.dtype == bool else np.where(local != 0, g, 0.0) * local
            return gx if gx.shape == x.shape else unbroadcast(gx, x.shape)

    def vjp(m, g, y, xs, params, needs, saved):
        if len(xs) == 2:  # written out: the hot path of every binary op
            la, lb = df(ARRAY, y, *xs, *params)
            a, b = xs
            if la.__class__ is float and la == 1.0 and a.shape == g.shape:
                ga = g if needs[0] else None  # add, sub: no multiply, no call
            else:
                ga = times(g, la, a) if needs[0] else None
            if lb.__class__ is float and lb == 1.0 and b.shape == g.shape:
                gb = g if needs[1] else None
            else:
                gb = times(g, lb, b) if needs[1] else None
            return [ga, gb]
        if len(xs) == 1:
            return [times(g, df(ARRAY, y, xs[0], *params)[0], xs[0])]  # (clip's array bounds
            # may broadcast y beyond x: times sums that back)
        locals_ = df(ARRAY, y, *xs, *params)
        return [times(g, local, x) if need else None for local, x, need in zip(locals_, xs, needs)]

    return TensorOp(op.name, f, vjp, op.formula, elementwise=op)


# the elementwise section: every op-table entry with a fixed number of inputs
TENSOR_OPS.update((name, elementwise(op)) for name, op in ops.OPS.items() if op.arity > 0)


# --- matmul -----------------------------------------------------------------------------------
def _matmul_f(a, b):
    try:
        return a @ b
    except ValueError:
        raise _matmul_error(a, b) from None


def _matmul_error(a, b) -> ShapeError:
    """Why numpy refused a @ b, in the words of the shapes."""
    if a.ndim == 0 or b.ndim == 0:
        return ShapeError(f"cannot matmul shapes {a.shape} @ {b.shape}: both operands need at least "
                          "one dimension (use * to scale by a scalar)")
    k_a = a.shape[-1]
    k_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if k_a != k_b:
        return ShapeError(f"cannot matmul {a.shape} @ {b.shape}: inner sizes {k_a} and {k_b} differ")
    return ShapeError(f"cannot matmul {a.shape} @ {b.shape}: batch dimensions do not broadcast")


def _matmul_vjp(m, g, y, xs, params, needs, saved):
    a, b = xs
    if a.ndim == 2 and b.ndim == 2:  # the common case, without the batched bookkeeping
        return [g @ b.T if needs[0] else None, a.T @ g if needs[1] else None]
    g2 = g  # put back the axes numpy dropped for 1-D operands (b's first: g may be 0-d)
    if b.ndim == 1:
        g2 = np.expand_dims(g2, -1)
    if a.ndim == 1:
        g2 = np.expand_dims(g2, -2)
    ga = gb = None
    if needs[0]:
        b2 = b[:, None] if b.ndim == 1 else b
        ga = g2 @ np.swapaxes(b2, -1, -2)
        if a.ndim == 1:
            ga = ga.squeeze(-2)
        ga = unbroadcast(ga, a.shape)
    if needs[1]:
        a2 = a[None, :] if a.ndim == 1 else a
        gb = np.swapaxes(a2, -1, -2) @ g2
        if b.ndim == 1:
            gb = gb.squeeze(-1)
        gb = unbroadcast(gb, b.shape)
    return [ga, gb]


MATMUL = _register("@", _matmul_f, _matmul_vjp,
                   "Y = A @ B;  ∂L/∂A = G @ Bᵀ, ∂L/∂B = Aᵀ @ G")


def _affine_f(x, w, b):
    y = _matmul_f(x, w)
    try:
        y += b
    except ValueError:
        raise ShapeError(f"cannot add a bias of shape {b.shape} to x @ W of shape {y.shape}") from None
    return y


def _affine_vjp(m, g, y, xs, params, needs, saved):
    x, w, b = xs
    gx, gw = _matmul_vjp(m, g, y, (x, w), params, needs[:2], saved)
    return [gx, gw, unbroadcast(g, b.shape) if needs[2] else None]


AFFINE = _register("affine", _affine_f, _affine_vjp,
                   "Y = X @ W + b (a layer's pre-activation as one node);  ∂L/∂X = G @ Wᵀ, "
                   "∂L/∂W = Xᵀ @ G, ∂L/∂b = Σ_rows G")


# --- shape changes ----------------------------------------------------------------------------
def _transpose_f(x, axes):
    return np.transpose(x, axes)


def _transpose_vjp(m, g, y, xs, params, needs, saved):
    axes = params[0]
    inverse = None if axes is None else tuple(np.argsort([a % g.ndim for a in axes]))
    return [np.transpose(g, inverse)]


TRANSPOSE = _register("transpose", _transpose_f, _transpose_vjp,
                      "Y = transpose(X, axes);  ∂L/∂X = transpose(G, axes⁻¹)")


def _reshape_f(x, shape):
    try:
        return x.reshape(shape)
    except ValueError:
        raise ShapeError(f"cannot reshape {x.shape} (size {x.size}) into {shape}") from None


RESHAPE = _register("reshape", _reshape_f,
                    lambda m, g, y, xs, params, needs, saved: [g.reshape(xs[0].shape)],
                    "Y = reshape(X);  ∂L/∂X = reshape(G, X.shape)")


# --- reductions -------------------------------------------------------------------------------
# Tensor methods pass ``axes`` already normalised by ``norm_axes``: None (every axis) or a tuple
# of non-negative ints, so the rules below never re-validate.
def norm_axes(axis, ndim):
    """None, or a sorted tuple of distinct non-negative axes; ShapeError for an axis out of range."""
    if axis is None:
        return None
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = []
    for a in axes:
        if isinstance(a, bool) or not isinstance(a, (int, np.integer)):
            raise ShapeError(f"an axis must be an int, got {a!r}")
        if not -ndim <= a < ndim:
            raise ShapeError(f"axis {a} is out of range for a tensor with {ndim} dimensions")
        out.append(int(a) % ndim)
    if len(set(out)) != len(out):
        raise ShapeError(f"axis {axis} repeats an axis")
    return tuple(sorted(out))


def _norm_axis(axis, ndim):
    """Every reduced axis as a tuple (all of them for None)."""
    axes = norm_axes(axis, ndim)
    return tuple(range(ndim)) if axes is None else axes


def _kept_shape(x_shape, axes):
    return tuple(1 if axes is None or i in axes else n for i, n in enumerate(x_shape))


def _expand(g, x_shape, axes, keepdims):
    """Put the reduced axes back (size 1) so g broadcasts against the input."""
    return g if keepdims else g.reshape(_kept_shape(x_shape, axes))


def _spread(g, x_shape, axes, keepdims):
    """g (reduced over ``axes``) copied back out to the input's shape."""
    out = np.empty(x_shape, dtype=g.dtype)
    out[...] = _expand(g, x_shape, axes, keepdims)
    return out


def _count(shape, axis):
    n = 1
    for a in _norm_axis(axis, len(shape)):
        n *= shape[a]
    return n


SUM = _register("sum", lambda x, axes, keepdims: x.sum(axis=axes, keepdims=keepdims),
                lambda m, g, y, xs, params, needs, saved: [_spread(g, xs[0].shape, *params)],
                "y = Σ x (over axis);  ∂L/∂x = G broadcast back")

MEAN = _register("mean", lambda x, axes, keepdims, n: x.sum(axis=axes, keepdims=keepdims) / n,
                 lambda m, g, y, xs, params, needs, saved: [_spread(g / params[2], xs[0].shape, *params[:2])],
                 "y = (1/n) Σ x;  ∂L/∂x = G/n broadcast back")


def _extreme_vjp(m, g, y, xs, params, needs, saved):
    # ties share the gradient equally (as HIPS autograd and torch.amax)
    x = xs[0]
    axes, keepdims = params
    mask = x == _expand(y, x.shape, axes, keepdims)
    share = mask / mask.sum(axis=axes, keepdims=True)
    return [share * np.where(mask, _expand(g, x.shape, axes, keepdims), 0.0)]  # exact 0 off the max


MAX = _register("max", lambda x, axes, keepdims: x.max(axis=axes, keepdims=keepdims), _extreme_vjp,
                "y = max x;  ∂y/∂xᵢ = 1/k for the k maximal entries, else 0")
MIN = _register("min", lambda x, axes, keepdims: x.min(axis=axes, keepdims=keepdims), _extreme_vjp,
                "y = min x;  ∂y/∂xᵢ = 1/k for the k minimal entries, else 0")


def degrees_of_freedom(n: int, ddof) -> float:
    """n − ddof, the divisor of the variance; ≤ 0 gives inf/NaN with a warning (as numpy)."""
    d = n - ddof
    if d <= 0:
        warnings.warn(f"degrees of freedom n − ddof = {n} − {ddof} <= 0: the variance is inf or NaN",
                      RuntimeWarning, stacklevel=4)
        return 0.0
    return float(d)


def _centred(x, axes):
    return x - x.sum(axis=axes, keepdims=True) / _count(x.shape, axes)


def _var_f(x, axes, keepdims, d):
    c = _centred(x, axes)
    with np.errstate(divide="ignore", invalid="ignore"):  # d = 0 was warned about once, above
        return (c * c).sum(axis=axes, keepdims=keepdims) / d


def _var_vjp(m, g, y, xs, params, needs, saved):
    axes, keepdims, d = params
    with np.errstate(divide="ignore", invalid="ignore"):
        return [_expand(g, xs[0].shape, axes, keepdims) * (2.0 / d) * _centred(xs[0], axes)]


def _std_vjp(m, g, y, xs, params, needs, saved):
    # ∂σ/∂xᵢ = (xᵢ − x̄)/(dσ); where σ = 0 (a constant slice) the gradient is 0, as in PyTorch
    axes, keepdims, d = params
    x = xs[0]
    y_k, g_k = _expand(y, x.shape, axes, keepdims), _expand(g, x.shape, axes, keepdims)
    scale = np.divide(g_k, d * y_k, out=np.zeros(np.broadcast(g_k, y_k).shape), where=y_k != 0)
    return [scale * _centred(x, axes)]


VAR = _register("var", _var_f, _var_vjp,
                "y = (1/d) Σ (xᵢ − x̄)²,  d = n − ddof;  ∂y/∂xᵢ = 2(xᵢ − x̄)/d")
STD = _register("std", lambda x, axes, keepdims, d: np.sqrt(_var_f(x, axes, keepdims, d)), _std_vjp,
                "y = √((1/d) Σ (xᵢ − x̄)²);  ∂y/∂xᵢ = (xᵢ − x̄)/(d·y)  (0 where y = 0)")


# --- indexing and joins -----------------------------------------------------------------------
def _is_basic(idx) -> bool:
    items = idx if isinstance(idx, tuple) else (idx,)
    return all(isinstance(i, (int, np.integer, slice)) or i is None or i is Ellipsis for i in items)


def _getitem_f(x, idx):
    try:
        return x[idx]
    except IndexError as e:
        raise TensorIndexError(f"index {idx!r} does not fit a tensor of shape {x.shape}: {e}") from None


def _getitem_vjp(m, g, y, xs, params, needs, saved):
    x = xs[0]
    idx = params[0]
    gx = np.zeros(x.shape, dtype=g.dtype)
    if _is_basic(idx):
        gx[idx] = g
    else:
        np.add.at(gx, idx, g)  # repeated indices each add their share
    return [gx]


GETITEM = _register("getitem", _getitem_f, _getitem_vjp,
                    "Y = X[idx];  ∂L/∂X = scatter-add of G into zeros at idx")


def _join(np_join, verb):
    """np.concatenate or np.stack over the inputs, the axis being the last argument."""
    def f(*args):
        *xs, axis = args
        try:
            return np_join(xs, axis=axis)
        except (ValueError, np.exceptions.AxisError) as e:
            raise ShapeError(f"cannot {verb} shapes {[x.shape for x in xs]} along axis {axis}: {e}") from None
    return f


def _concat_vjp(m, g, y, xs, params, needs, saved):
    axis = params[0]
    if axis is None:  # the inputs were flattened first
        ends = np.cumsum([x.size for x in xs])[:-1]
        parts = [part.reshape(x.shape) for part, x in zip(np.split(g, ends), xs)]
    else:
        parts = np.split(g, np.cumsum([x.shape[axis] for x in xs])[:-1], axis=axis)
    return [part if need else None for part, need in zip(parts, needs)]


CONCATENATE = _register("concatenate", _join(np.concatenate, "concatenate"), _concat_vjp,
                        "Y = [X₁ X₂ …] along axis;  ∂L/∂Xᵢ = the matching slice of G")


def _stack_vjp(m, g, y, xs, params, needs, saved):
    axis = params[0]
    return [np.take(g, i, axis=axis) if need else None for i, need in enumerate(needs)]


STACK = _register("stack", _join(np.stack, "stack"), _stack_vjp,
                  "Y = stack(X₁, X₂, …) on a new axis;  ∂L/∂Xᵢ = G[…, i, …]")


# --- softmax family (numerically stable: shift by the max first) ------------------------------
def _finite_shift(m):
    """Row maxima with ±inf replaced by 0: rows of ±inf are shifted by 0 (inf − inf is NaN)."""
    return np.where(np.isfinite(m), m, 0.0)


def _logsumexp(x, axis, keepdims=True):
    m = x.max(axis=axis, keepdims=True)
    if not np.isfinite(m).all():
        m = _finite_shift(m)
    out = m + np.log(np.exp(x - m).sum(axis=axis, keepdims=True))
    return out if keepdims else out.squeeze(axis)


def _softmax_f(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


SOFTMAX = _register(
    "softmax", _softmax_f,
    lambda m, g, y, xs, params, needs, saved: [y * (g - (g * y).sum(axis=params[0], keepdims=True))],
    "yᵢ = e^{xᵢ}/Σⱼe^{xⱼ};  ∂L/∂xᵢ = yᵢ(Gᵢ − Σⱼ Gⱼyⱼ)")

LOG_SOFTMAX = _register(
    "log_softmax", lambda x, axis: x - _logsumexp(x, axis),
    lambda m, g, y, xs, params, needs, saved: [g - np.exp(y) * g.sum(axis=params[0], keepdims=True)],
    "yᵢ = xᵢ − log Σⱼe^{xⱼ};  ∂L/∂xᵢ = Gᵢ − softmax(x)ᵢ Σⱼ Gⱼ")


def _lse_vjp(m, g, y, xs, params, needs, saved):
    x = xs[0]
    axis, keepdims = params
    y_k = y if keepdims else np.expand_dims(y, _norm_axis(axis, x.ndim))
    g_k = g if keepdims else np.expand_dims(g, _norm_axis(axis, x.ndim))
    return [g_k * np.exp(x - y_k)]


LOGSUMEXP = _register("logsumexp", lambda x, axis, keepdims: _logsumexp(x, axis, keepdims), _lse_vjp,
                      "y = log Σ e^{xᵢ};  ∂y/∂xᵢ = softmax(x)ᵢ")


# --- softmax cross-entropy as one node (the classifier's loss: one pass forward, one back) ----
def _rows_and_labels(x, labels):
    """x as (rows, K) and the labels flat, for picking x[n, labels[n]] by plain fancy indexing."""
    flat = labels.reshape(-1)
    return x.reshape(flat.size, x.shape[-1]), np.arange(flat.size), flat


def label_range_message(k, labels) -> str:
    """What is wrong when class labels fall outside 0..k−1 (raised as a DomainError)."""
    return (f"softmax_cross_entropy: class labels must be in 0..{k - 1} (one per row of {k} logits), "
            f"got labels from {int(labels.min())} to {int(labels.max())}")


def _sce_loss(z, m, target, scale):
    """The loss and the unnormalised softmax (e^{z−m} and its row sums), shifting each row by m."""
    e = np.exp(z - m)
    s = e.sum(axis=-1, keepdims=True)
    lse = m + np.log(s)  # log Σ e^z, one per row
    if target.dtype.kind in "iu":  # integer labels: −log softmax(z)[label] = lse − z_label
        rows, n, labels = _rows_and_labels(z, target)
        try:
            picked = rows[n, labels]
        except IndexError:
            raise DomainError(label_range_message(z.shape[-1], target)) from None
        loss = (lse.reshape(-1) - picked).sum()
    else:
        loss = (target * (lse - z)).sum()
    return float(loss) * scale, e, s


def _sce_f(z, target, scale):
    """(the loss, softmax(z)): the softmax is saved for the backward, no second max/exp/sum."""
    m = z.max(axis=-1, keepdims=True)
    loss, e, s = _sce_loss(z, m, target, scale)
    if not math.isfinite(loss):  # ±inf logits: shift those rows as logsumexp does
        loss, e, s = _sce_loss(z, _finite_shift(m), target, scale)
    e /= s
    return np.asarray(loss), e


def _sce_vjp(m, g, y, xs, params, needs, saved):
    target, scale = params
    p = saved
    gs = g * scale
    if target.dtype.kind in "iu":  # ∂C/∂z = s(softmax − onehot)
        # C order, whatever the logits' layout (a permuted view makes p's strides permuted too):
        # only then is the reshape in _rows_and_labels a view, so the subtraction lands in d
        d = np.multiply(p, gs, order="C")
        rows, n, labels = _rows_and_labels(d, target)
        rows[n, labels] -= gs
        return [d]
    # targets t need not sum to 1: ∂C/∂z = s(softmax · Σ_c t_c − t)
    return [(p * target.sum(axis=-1, keepdims=True) - target) * gs]


SOFTMAX_CROSS_ENTROPY = _register(
    "softmax_cross_entropy", _sce_f, _sce_vjp,
    "C = −s Σₙ Σ_c t_{nc} log softmax(zₙ)_c  (s = 1/N for the mean);  ∂C/∂z_{nc} = s(softmax(zₙ)_c Σ_c' t_{nc'} − t_{nc})",
    saves=True)
