"""The op table's one-input functions as plain functions: ``autodiff.tanh(x)``.

On a Value or Tensor they build a graph node (same as ``x.tanh()``); on a plain float they
return a float and on a numpy array an array, evaluated by the same forward rule.
"""

from __future__ import annotations

import numbers

import numpy as np

from . import ops
from .mathns import ARRAY, SCALAR
from .tensor import Tensor
from .value import Value


def _function(name: str, op: ops.Op):
    def fn(x, *params):
        if isinstance(x, (Value, Tensor)):
            return getattr(x, name)(*params)
        if isinstance(x, numbers.Real) and not isinstance(x, bool):
            return op.f(SCALAR, float(x), *params)
        if isinstance(x, np.ndarray) and x.dtype.kind in "biuf":
            return op.f(ARRAY, x.astype(np.float64, copy=False), *params)
        raise TypeError(f"{name}() needs a Value, a Tensor, a real number or a numeric array, "
                        f"got {type(x).__name__}")

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"{op.formula}\n\nA Value/Tensor gives a graph node; a float or array gives a number."
    return fn


_ONE_INPUT = ops.UNARY_FUNCTIONS + ("clip",)
for _name in _ONE_INPUT:
    globals()[_name] = _function(_name, ops.OPS[_name])

__all__ = list(_ONE_INPUT)
