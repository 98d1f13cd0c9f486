"""Matrix products: ``@`` (1-D, 2-D, batched) and ``affine`` (a dense layer's X @ W + b)."""

from __future__ import annotations

from ..errors import ShapeError
from .registry import register


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
    g2 = g  # put back the axes matmul dropped for 1-D operands (b's first: g may be 0-d)
    if b.ndim == 1:
        g2 = m.expand_dims(g2, -1)
    if a.ndim == 1:
        g2 = m.expand_dims(g2, -2)
    ga = gb = None
    if needs[0]:
        b2 = m.expand_dims(b, -1) if b.ndim == 1 else b
        ga = g2 @ m.swapaxes(b2, -1, -2)
        ga = m.unbroadcast(m.squeeze(ga, -2) if a.ndim == 1 else ga, a.shape)
    if needs[1]:
        a2 = m.expand_dims(a, 0) if a.ndim == 1 else a
        gb = m.swapaxes(a2, -1, -2) @ g2
        gb = m.unbroadcast(m.squeeze(gb, -1) if b.ndim == 1 else gb, b.shape)
    return [ga, gb]


def _matmul_jvp(m, dxs, y, xs, params, saved):
    (a, b), (da, db) = xs, dxs
    if da is None:
        return a @ db
    return da @ b if db is None else da @ b + a @ db


MATMUL = register("@", _matmul_f, _matmul_vjp, _matmul_jvp,
                  "Y = A @ B;  ∂L/∂A = G @ Bᵀ, ∂L/∂B = Aᵀ @ G;  Ẏ = Ȧ @ B + A @ Ḃ")


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
    return [gx, gw, m.unbroadcast(g, b.shape) if needs[2] else None]


def _affine_jvp(m, dxs, y, xs, params, saved):
    x, w, b = xs
    dx, dw, db = dxs
    terms = [t for t in (None if dx is None else dx @ w, None if dw is None else x @ dw, db) if t is not None]
    dy = terms[0]
    for t in terms[1:]:
        dy = dy + t
    return dy if dy.shape == y.shape else m.broadcast_to(dy, y.shape)


AFFINE = register("affine", _affine_f, _affine_vjp, _affine_jvp,
                  "Y = X @ W + b (a layer's pre-activation as one node);  ∂L/∂X = G @ Wᵀ, "
                  "∂L/∂W = Xᵀ @ G, ∂L/∂b = Σ_rows G;  Ẏ = Ẋ @ W + X @ Ẇ + ḃ")
