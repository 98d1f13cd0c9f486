"""The op table's functions as plain functions: ``autodiff.tanh(x)``, ``autodiff.maximum(a, b)``.

On a Value or Tensor they build a graph node (same as ``x.tanh()``); on plain floats they
return a float and on numpy arrays an array, evaluated by the same forward rule. A two-input
function takes a Tensor if either operand is one, else a Value if either is one (the other
operand, a number or an array, becomes a constant).
"""

from __future__ import annotations

import numbers

import numpy as np

from . import ops
from . import tensor as _tensor
from . import value as _value
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


def _is_number(x) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _binary_function(name: str, op: ops.Op):
    tensor_op = _tensor.ELEMENTWISE[name]

    def fn(a, b):
        if isinstance(a, Tensor) or isinstance(b, Tensor):
            if isinstance(a, Value) or isinstance(b, Value):
                raise TypeError(f"{name}() got a Value and a Tensor: use Tensors for both "
                                "(Tensor(v.data)) or Values for both")
            return _tensor.apply(tensor_op, (_as_tensor(a, name), _as_tensor(b, name)))
        if isinstance(a, Value) or isinstance(b, Value):
            return _value.apply(op, (_as_value(a, name), _as_value(b, name)))
        if _is_number(a) and _is_number(b):
            return op.f(SCALAR, float(a), float(b))
        return op.f(ARRAY, *np.broadcast_arrays(_as_array(a, name), _as_array(b, name)))

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"{op.formula}\n\nOn Values/Tensors a graph node; on numbers or arrays a number or an array."
    return fn


def _as_tensor(x, name: str) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(_as_array(x, name))


def _as_value(x, name: str) -> Value:
    if isinstance(x, Value):
        return x
    if _is_number(x):
        return Value(float(x))
    raise TypeError(f"{name}() with a Value needs a Value or a real number as the other operand, "
                    f"got {type(x).__name__}")


def _as_array(x, name: str) -> np.ndarray:
    arr = np.asarray(x)
    if arr.dtype.kind not in "biuf" or isinstance(x, bool):
        raise TypeError(f"{name}() needs Values, Tensors, real numbers or numeric arrays, got "
                        f"{type(x).__name__}")
    return arr.astype(np.float64, copy=False)


_ONE_INPUT = ops.UNARY_FUNCTIONS + ("clip",)
for _name in _ONE_INPUT:
    globals()[_name] = _function(_name, ops.OPS[_name])
for _name in ops.BINARY_FUNCTIONS:
    globals()[_name] = _binary_function(_name, ops.OPS[_name])

__all__ = list(_ONE_INPUT + ops.BINARY_FUNCTIONS)
