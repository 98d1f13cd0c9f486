"""Ops that move entries without arithmetic: transpose, reshape, broadcast_to, indexing and its
adjoint scatter_add, concatenate, stack, and where (pick from a or b by a constant mask).

Each is linear, so its JVP is the op itself applied to the tangent, and its VJP the adjoint op
applied to the gradient: getitem ↔ scatter_add, broadcast_to ↔ unbroadcast (a sum).
"""

from __future__ import annotations

import numpy as np

from ..errors import ShapeError, TensorIndexError
from ..mathns import ARRAY
from .registry import register, tangent


# --- transpose and reshape --------------------------------------------------------------------
def _inverse(axes, ndim):
    return None if axes is None else tuple(np.argsort([a % ndim for a in axes]))


TRANSPOSE = register(
    "transpose", lambda x, axes: np.transpose(x, axes),
    lambda m, g, y, xs, params, needs, saved: [m.transpose(g, _inverse(params[0], g.ndim))],
    lambda m, dxs, y, xs, params, saved: m.transpose(dxs[0], params[0]),
    "Y = transpose(X, axes);  ∂L/∂X = transpose(G, axes⁻¹);  Ẏ = transpose(Ẋ, axes)")


def _reshape_f(x, shape):
    try:
        return x.reshape(shape)
    except ValueError:
        raise ShapeError(f"cannot reshape {x.shape} (size {x.size}) into {shape}") from None


RESHAPE = register(
    "reshape", _reshape_f,
    lambda m, g, y, xs, params, needs, saved: [g.reshape(xs[0].shape)],
    lambda m, dxs, y, xs, params, saved: dxs[0].reshape(y.shape),
    "Y = reshape(X);  ∂L/∂X = reshape(G, X.shape);  Ẏ = reshape(Ẋ)")

BROADCAST_TO = register(
    "broadcast_to", ARRAY.broadcast_to,
    lambda m, g, y, xs, params, needs, saved: [m.unbroadcast(g, xs[0].shape)],
    lambda m, dxs, y, xs, params, saved: m.broadcast_to(dxs[0], params[0]),
    "Y = X stretched to a shape;  ∂L/∂X = G summed over the stretched axes;  Ẏ = Ẋ stretched")


# --- indexing and its adjoint -----------------------------------------------------------------
def _getitem_f(x, idx):
    try:
        return x[idx]
    except IndexError as e:
        raise TensorIndexError(f"index {idx!r} does not fit a tensor of shape {x.shape}: {e}") from None


GETITEM = register(
    "getitem", _getitem_f,
    lambda m, g, y, xs, params, needs, saved: [m.scatter_add(g, params[0], xs[0].shape)],
    lambda m, dxs, y, xs, params, saved: dxs[0][params[0]],
    "Y = X[idx];  ∂L/∂X = scatter-add of G into zeros at idx;  Ẏ = Ẋ[idx]")

SCATTER_ADD = register(
    "scatter_add", ARRAY.scatter_add,
    lambda m, g, y, xs, params, needs, saved: [g[params[0]]],
    lambda m, dxs, y, xs, params, saved: m.scatter_add(dxs[0], *params),
    "Y = zeros(shape) with X added at idx (the adjoint of X[idx]);  ∂L/∂X = G[idx];  Ẏ = scatter_add(Ẋ)")


# --- joins ------------------------------------------------------------------------------------
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
    flat = axis is None  # the inputs were flattened first
    out, start = [], 0
    for x, need in zip(xs, needs):
        n = x.size if flat else x.shape[axis]
        if need:
            part = g[start:start + n] if flat else g[(slice(None),) * (axis % g.ndim) + (slice(start, start + n),)]
            out.append(part.reshape(x.shape) if flat else part)
        else:
            out.append(None)
        start += n
    return out


def _concat_jvp(m, dxs, y, xs, params, saved):
    axis = params[0]
    parts = [tangent(dx, x, m) for dx, x in zip(dxs, xs)]
    return m.concatenate([p.reshape(-1) for p in parts] if axis is None else parts, axis=0 if axis is None else axis)


CONCATENATE = register(
    "concatenate", _join(np.concatenate, "concatenate"), _concat_vjp, _concat_jvp,
    "Y = [X₁ X₂ …] along axis;  ∂L/∂Xᵢ = the matching slice of G;  Ẏ = [Ẋ₁ Ẋ₂ …]")


def _stack_vjp(m, g, y, xs, params, needs, saved):
    lead = (slice(None),) * (params[0] % g.ndim)
    return [g[lead + (i,)] if need else None for i, need in enumerate(needs)]


STACK = register(
    "stack", _join(np.stack, "stack"), _stack_vjp,
    lambda m, dxs, y, xs, params, saved: m.stack([tangent(dx, x, m) for dx, x in zip(dxs, xs)], axis=params[0]),
    "Y = stack(X₁, X₂, …) on a new axis;  ∂L/∂Xᵢ = G[…, i, …];  Ẏ = stack(Ẋ₁, Ẋ₂, …)")


# --- where: a selection by a constant mask ------------------------------------------------------
def _where_vjp(m, g, y, xs, params, needs, saved):
    mask = params[0]
    a, b = xs
    return [m.unbroadcast(m.where(mask, g, 0.0), a.shape) if needs[0] else None,
            m.unbroadcast(m.where(mask, 0.0, g), b.shape) if needs[1] else None]


def _where_jvp(m, dxs, y, xs, params, saved):
    da, db = dxs
    dy = m.where(params[0], 0.0 if da is None else da, 0.0 if db is None else db)
    return dy if dy.shape == y.shape else m.broadcast_to(dy, y.shape)


WHERE = register(
    "where", lambda a, b, mask: np.where(mask, a, b), _where_vjp, _where_jvp,
    "Y = A where mask else B (mask a constant);  ∂L/∂A = G where mask else 0, ∂L/∂B = G elsewhere")
