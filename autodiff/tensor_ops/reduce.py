"""Reductions: sum, mean, max, min, var, std over an axis, a tuple of axes or all of them.

Tensor methods pass ``axes`` already normalised by ``norm_axes``: None (every axis) or a sorted
tuple of non-negative ints, so the rules below never re-validate.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..errors import ShapeError
from .registry import register


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


def all_axes(axis, ndim):
    """Every reduced axis as a tuple (all of them for None)."""
    axes = norm_axes(axis, ndim)
    return tuple(range(ndim)) if axes is None else axes


def count(shape, axis) -> int:
    """How many entries a reduction over ``axis`` takes together."""
    n = 1
    for a in all_axes(axis, len(shape)):
        n *= shape[a]
    return n


def _kept_shape(x_shape, axes):
    return tuple(1 if axes is None or i in axes else n for i, n in enumerate(x_shape))


def expand(g, x_shape, axes, keepdims):
    """Put the reduced axes back (size 1) so g broadcasts against the input."""
    return g if keepdims else g.reshape(_kept_shape(x_shape, axes))


# --- sum and mean -------------------------------------------------------------------------------
SUM = register(
    "sum", lambda x, axes, keepdims: x.sum(axis=axes, keepdims=keepdims),
    lambda m, g, y, xs, params, needs, saved: [m.broadcast_to(expand(g, xs[0].shape, *params), xs[0].shape)],
    lambda m, dxs, y, xs, params, saved: dxs[0].sum(axis=params[0], keepdims=params[1]),
    "y = Σ x (over axis);  ∂L/∂x = G broadcast back;  ẏ = Σ ẋ")

MEAN = register(
    "mean", lambda x, axes, keepdims, n: x.sum(axis=axes, keepdims=keepdims) / n,
    lambda m, g, y, xs, params, needs, saved: [
        m.broadcast_to(expand(g / params[2], xs[0].shape, *params[:2]), xs[0].shape)],
    lambda m, dxs, y, xs, params, saved: dxs[0].sum(axis=params[0], keepdims=params[1]) / params[2],
    "y = (1/n) Σ x;  ∂L/∂x = G/n broadcast back;  ẏ = (1/n) Σ ẋ")


# --- max and min: ties share equally (as HIPS autograd and torch.amax) --------------------------
def _winners(m, x, y, axes, keepdims):
    """(mask of the extreme entries, each one's share 1/k): constants, from the numbers."""
    xv = m.value(x)
    mask = xv == expand(m.value(y), xv.shape, axes, keepdims)
    return mask, mask / mask.sum(axis=axes, keepdims=True)


def _extreme_vjp(m, g, y, xs, params, needs, saved):
    x = xs[0]
    mask, share = _winners(m, x, y, *params)
    return [share * m.where(mask, expand(g, x.shape, *params), 0.0)]  # an exact 0 off the extreme


def _extreme_jvp(m, dxs, y, xs, params, saved):
    mask, share = _winners(m, xs[0], y, *params)
    return (share * m.where(mask, dxs[0], 0.0)).sum(axis=params[0], keepdims=params[1])


MAX = register("max", lambda x, axes, keepdims: x.max(axis=axes, keepdims=keepdims), _extreme_vjp,
               _extreme_jvp, "y = max x;  ∂y/∂xᵢ = 1/k for the k maximal entries, else 0")
MIN = register("min", lambda x, axes, keepdims: x.min(axis=axes, keepdims=keepdims), _extreme_vjp,
               _extreme_jvp, "y = min x;  ∂y/∂xᵢ = 1/k for the k minimal entries, else 0")


# --- var and std --------------------------------------------------------------------------------
def degrees_of_freedom(n: int, ddof) -> float:
    """n − ddof, the divisor of the variance; ≤ 0 gives inf/NaN with a warning (as numpy)."""
    d = n - ddof
    if d <= 0:
        warnings.warn(f"degrees of freedom n − ddof = {n} − {ddof} <= 0: the variance is inf or NaN",
                      RuntimeWarning, stacklevel=4)
        return 0.0
    return float(d)


def _centred(x, axes):
    return x - x.sum(axis=axes, keepdims=True) / count(x.shape, axes)


def _var_f(x, axes, keepdims, d):
    c = _centred(x, axes)
    with np.errstate(divide="ignore", invalid="ignore"):  # d = 0 was warned about once, above
        return (c * c).sum(axis=axes, keepdims=keepdims) / d


def _var_vjp(m, g, y, xs, params, needs, saved):
    axes, keepdims, d = params
    with np.errstate(divide="ignore", invalid="ignore"):
        return [expand(g, xs[0].shape, axes, keepdims) * (2.0 / d) * _centred(xs[0], axes)]


def _var_jvp(m, dxs, y, xs, params, saved):
    axes, keepdims, d = params  # Σ(xᵢ − x̄)(ẋᵢ − mean ẋ) = Σ(xᵢ − x̄)ẋᵢ, as Σ(xᵢ − x̄) = 0
    with np.errstate(divide="ignore", invalid="ignore"):
        return (_centred(xs[0], axes) * dxs[0]).sum(axis=axes, keepdims=keepdims) * (2.0 / d)


def _std_scale(m, g, y, x_shape, axes, keepdims, d):
    """g/(d·σ), with 0 where σ = 0 (a constant slice: PyTorch's choice)."""
    y_k, g_k = expand(y, x_shape, axes, keepdims), expand(g, x_shape, axes, keepdims)
    nonzero = m.value(y_k) != 0
    return m.where(nonzero, g_k / (d * m.where(nonzero, y_k, 1.0)), 0.0)


def _std_vjp(m, g, y, xs, params, needs, saved):
    x = xs[0]
    return [_std_scale(m, g, y, x.shape, *params) * _centred(x, params[0])]


def _std_jvp(m, dxs, y, xs, params, saved):
    nonzero = m.value(y) != 0  # σ̇ = v̇/(2σ), 0 where σ = 0
    return m.where(nonzero, _var_jvp(m, dxs, y, xs, params, saved) / (2.0 * m.where(nonzero, y, 1.0)), 0.0)


VAR = register("var", _var_f, _var_vjp, _var_jvp,
               "y = (1/d) Σ (xᵢ − x̄)²,  d = n − ddof;  ∂y/∂xᵢ = 2(xᵢ − x̄)/d")
STD = register("std", lambda x, axes, keepdims, d: np.sqrt(_var_f(x, axes, keepdims, d)), _std_vjp, _std_jvp,
               "y = √((1/d) Σ (xᵢ − x̄)²);  ∂y/∂xᵢ = (xᵢ − x̄)/(d·y)  (0 where y = 0)")
