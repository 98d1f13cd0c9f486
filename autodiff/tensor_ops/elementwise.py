"""The elementwise section of the tensor registry: the op table of ``ops.py``, not written again.

Each entry's rules come from its local-derivative rule ``df`` (the numbers a ``Value`` puts on
its edges):

    VJP:  ∂L/∂xᵢ = unbroadcast(G · ∂y/∂xᵢ, xᵢ.shape)
    JVP:  ẏ = Σᵢ ∂y/∂xᵢ · ẋᵢ

For a selection (relu, step, clip, max/min) the product is a mask instead: an exact 0 where the
input is not selected, even for an infinite G or ẋ.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from .. import ops
from ..mathns import ARRAY
from .registry import TENSOR_OPS, TensorOp


def _selected(m, g, local):
    """g where local is non-zero, times local; an exact 0 elsewhere."""
    if getattr(local, "dtype", None) == np.bool_:  # a mask (an array, or a 0-d input's numpy bool)
        return m.where(local, g, 0.0)
    return m.where(m.value(local) != 0, g, 0.0) * local


def _times(m, g, local, x):
    """unbroadcast(g · local, x.shape), with no multiply when local is the constant ±1."""
    if local.__class__ is float and (local == 1.0 or local == -1.0):
        gx = g if local == 1.0 else -g  # add, sub, neg
    else:
        gx = g * local
    return gx if gx.shape == x.shape else m.unbroadcast(gx, x.shape)


def _times_selected(m, g, local, x):
    gx = _selected(m, g, local)
    return gx if gx.shape == x.shape else m.unbroadcast(gx, x.shape)


def elementwise(op: ops.Op) -> TensorOp:
    """The tensor form of an op-table entry: the same forward rule, rules from the same ``df``."""
    df = op.df
    times = _times_selected if op.selects else _times

    def vjp(m, g, y, xs, params, needs, saved):
        if len(xs) == 2:  # written out: the hot path of every binary op (measured: see README)
            la, lb = df(m, y, *xs, *params)
            a, b = xs
            if la.__class__ is float and la == 1.0 and a.shape == g.shape:
                ga = g if needs[0] else None  # add, sub: no multiply, no call
            else:
                ga = times(m, g, la, a) if needs[0] else None
            if lb.__class__ is float and lb == 1.0 and b.shape == g.shape:
                gb = g if needs[1] else None
            else:
                gb = times(m, g, lb, b) if needs[1] else None
            return [ga, gb]
        if len(xs) == 1:  # (clip's array bounds may broadcast y beyond x: times sums that back)
            return [times(m, g, df(m, y, xs[0], *params)[0], xs[0])]
        locals_ = df(m, y, *xs, *params)
        return [times(m, g, local, x) if need else None for local, x, need in zip(locals_, xs, needs)]

    def jvp(m, dxs, y, xs, params, saved):
        dy = None
        for local, dx in zip(df(m, y, *xs, *params), dxs):
            if dx is not None:
                term = _selected(m, dx, local) if op.selects else dx * local
                dy = term if dy is None else dy + term
        return dy if dy.shape == y.shape else m.broadcast_to(dy, y.shape)

    return TensorOp(op.name, partial(op.f, ARRAY), vjp, jvp, op.formula, elementwise=op)


# every op-table entry with a fixed number of inputs (the n-ary Value.sum/dot have none)
TENSOR_OPS.update((name, elementwise(op)) for name, op in ops.OPS.items() if op.arity > 0)
