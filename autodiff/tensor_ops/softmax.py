"""The softmax family, numerically stable (each row shifted by its max first): softmax,
log_softmax, logsumexp, and the fused softmax cross-entropy (the classifier's loss as one node)."""

from __future__ import annotations

import math

import numpy as np

from ..errors import DomainError
from .reduce import all_axes
from .registry import register


def finite_shift(m):
    """Row maxima with ±inf replaced by 0: rows of ±inf are shifted by 0 (inf − inf is NaN)."""
    return np.where(np.isfinite(m), m, 0.0)


def _logsumexp(x, axis, keepdims=True):
    m = x.max(axis=axis, keepdims=True)
    if not np.isfinite(m).all():
        m = finite_shift(m)
    out = m + np.log(np.exp(x - m).sum(axis=axis, keepdims=True))
    return out if keepdims else out.squeeze(axis)


def _softmax_f(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


SOFTMAX = register(
    "softmax", _softmax_f,
    lambda m, g, y, xs, params, needs, saved: [y * (g - (g * y).sum(axis=params[0], keepdims=True))],
    lambda m, dxs, y, xs, params, saved: y * (dxs[0] - (dxs[0] * y).sum(axis=params[0], keepdims=True)),
    "yᵢ = e^{xᵢ}/Σⱼe^{xⱼ};  ∂L/∂xᵢ = yᵢ(Gᵢ − Σⱼ Gⱼyⱼ);  ẏᵢ = yᵢ(ẋᵢ − Σⱼ yⱼẋⱼ)")

LOG_SOFTMAX = register(
    "log_softmax", lambda x, axis: x - _logsumexp(x, axis),
    lambda m, g, y, xs, params, needs, saved: [g - m.exp(y) * g.sum(axis=params[0], keepdims=True)],
    lambda m, dxs, y, xs, params, saved: dxs[0] - (m.exp(y) * dxs[0]).sum(axis=params[0], keepdims=True),
    "yᵢ = xᵢ − log Σⱼe^{xⱼ};  ∂L/∂xᵢ = Gᵢ − softmax(x)ᵢ Σⱼ Gⱼ;  ẏᵢ = ẋᵢ − Σⱼ softmax(x)ⱼẋⱼ")


def _kept(m, t, ndim, axis, keepdims):
    return t if keepdims else m.expand_dims(t, all_axes(axis, ndim))


def _lse_vjp(m, g, y, xs, params, needs, saved):
    x = xs[0]
    axis, keepdims = params
    return [_kept(m, g, x.ndim, axis, keepdims) * m.exp(x - _kept(m, y, x.ndim, axis, keepdims))]


def _lse_jvp(m, dxs, y, xs, params, saved):
    x = xs[0]
    axis, keepdims = params
    return (m.exp(x - _kept(m, y, x.ndim, axis, keepdims)) * dxs[0]).sum(axis=axis, keepdims=keepdims)


LOGSUMEXP = register("logsumexp", lambda x, axis, keepdims: _logsumexp(x, axis, keepdims), _lse_vjp, _lse_jvp,
                     "y = log Σ e^{xᵢ};  ∂y/∂xᵢ = softmax(x)ᵢ;  ẏ = Σ softmax(x)ᵢẋᵢ")


# --- softmax cross-entropy as one node (one pass forward, one back) -----------------------------
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
        loss, e, s = _sce_loss(z, finite_shift(m), target, scale)
    e /= s
    return np.asarray(loss), e


def _onehot(target, k):
    """Integer labels as one-hot rows (targets of the logits' shape are returned as they are)."""
    return np.eye(k)[target] if target.dtype.kind in "iu" else target


def _sce_slope(m, z, target, saved):
    """∂C/∂z / s = softmax(z)·Σ_c t_c − t (= softmax − onehot for labels)."""
    p = m.softmax(z, -1) if saved is None else saved
    t = _onehot(target, z.shape[-1])
    return p * t.sum(axis=-1, keepdims=True) - t


def _sce_vjp(m, g, y, xs, params, needs, saved):
    target, scale = params
    gs = g * scale
    if saved is not None and target.dtype.kind in "iu":  # arrays: one multiply, one subtraction
        # C order whatever the logits' layout (a permuted view gives p permuted strides): only
        # then is the reshape in _rows_and_labels a view, so the subtraction lands in d
        d = np.multiply(saved, gs, order="C")
        rows, n, labels = _rows_and_labels(d, target)
        rows[n, labels] -= gs
        return [d]
    return [_sce_slope(m, xs[0], target, saved) * gs]


def _sce_jvp(m, dxs, y, xs, params, saved):
    target, scale = params
    return (_sce_slope(m, xs[0], target, saved) * dxs[0]).sum() * scale


SOFTMAX_CROSS_ENTROPY = register(
    "softmax_cross_entropy", _sce_f, _sce_vjp, _sce_jvp,
    "C = −s Σₙ Σ_c t_{nc} log softmax(zₙ)_c  (s = 1/N for the mean);  "
    "∂C/∂z_{nc} = s(softmax(zₙ)_c Σ_c' t_{nc'} − t_{nc})",
    saves=True)
