"""The op table's functions and methods, made from the table in this one place.

Every entry with ``api="method"`` becomes a method of both node types (``x.tanh()``,
``x.leaky_relu(0.1)``, ``x.clip(0, 1)``) and a function ``autodiff.tanh(x)``; every entry with
``api="function"`` a two-input function ``autodiff.maximum(a, b)``. Adding such an entry to
``ops.py`` is all it takes to get them.

On a Value or Tensor the functions build a graph node; on plain floats they return a float and
on numpy arrays an array, evaluated by the same forward rule. A two-input function takes a
Tensor if either operand is one, else a Value if either is one (the other operand, a number or
an array, becomes a constant).
"""

from __future__ import annotations

import inspect
import numbers

import numpy as np

from . import ops
from . import tensor as _tensor
from . import tensor_functions as TF
from . import value as _value
from .mathns import ARRAY, SCALAR
from .tensor import Tensor
from .tensor_ops import TENSOR_OPS
from .value import Value


def _is_number(x) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _bind(op: ops.Op, args: tuple, kwargs: dict) -> tuple:
    """The op's constant parameters from a call, defaults filled in, numbers as floats."""
    if not kwargs:  # the usual calls: x.leaky_relu(), x.leaky_relu(0.1)
        if not args:
            return tuple(d for _, d in op.params)
        if len(args) == len(op.params):
            return tuple(v if v.__class__ is float else float(v) if _is_number(v) else v for v in args)
    names = [n for n, _ in op.params]
    if len(args) > len(names):
        raise TypeError(f"{op.name}() takes at most {len(names)} parameter(s) ({', '.join(names)}), "
                        f"got {len(args)}")
    values = dict(op.params)
    values.update(zip(names, args))
    for key, v in kwargs.items():
        if key not in values:
            raise TypeError(f"{op.name}() got an unexpected keyword argument {key!r}; its parameters "
                            f"are {', '.join(names)}")
        values[key] = v
    return tuple(float(v) if _is_number(v) else v for v in values.values())


def _signature(op: ops.Op, first: str) -> inspect.Signature:
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    return inspect.Signature([inspect.Parameter(first, kind)]
                             + [inspect.Parameter(n, kind, default=d) for n, d in op.params])


def _method(op: ops.Op, on_value: bool):
    """``x.name(...)`` for one node type. The functions it calls are bound once, here: a method
    is on every op's path, and a module attribute lookup per call costs ~2% of a scalar op."""
    if on_value:
        apply_unary, apply = _value.apply_unary, _value.apply
        if not op.params:
            def method(self):
                return apply_unary(op, self)
        else:
            def method(self, *args, **kwargs):
                return apply(op, (self,), *_bind(op, args, kwargs))
    else:
        apply, tensor_op = _tensor.apply, TENSOR_OPS[op.name]
        if not op.params:
            def method(self):
                return apply(tensor_op, (self,))
        else:
            def method(self, *args, **kwargs):
                return apply(tensor_op, (self,), *_bind(op, args, kwargs))
    method.__name__ = method.__qualname__ = op.name
    method.__doc__ = op.formula + ("" if on_value else "  (elementwise)")
    method.__signature__ = _signature(op, "self")
    return method


def _function(op: ops.Op):
    """``autodiff.name(x, ...)``: the method on a node, the forward rule on numbers and arrays."""
    def fn(x, *args, **kwargs):
        params = _bind(op, args, kwargs)
        if isinstance(x, Value):
            return _value.apply(op, (x,), *params)
        if isinstance(x, Tensor):
            return _tensor.apply(TENSOR_OPS[op.name], (x,), *params)
        if _is_number(x):
            return op.f(SCALAR, float(x), *params)
        if isinstance(x, np.ndarray) and x.dtype.kind in "biuf":
            return op.f(ARRAY, x.astype(np.float64, copy=False), *params)
        raise TypeError(f"{op.name}() needs a Value, a Tensor, a real number or a numeric array, "
                        f"got {type(x).__name__}")

    fn.__name__ = fn.__qualname__ = op.name
    fn.__doc__ = f"{op.formula}\n\nA Value/Tensor gives a graph node; a float or array gives a number."
    fn.__signature__ = _signature(op, "x")
    return fn


def _binary_function(op: ops.Op):
    name = op.name
    tensor_op = TENSOR_OPS[name]

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


def where(cond, a, b):
    """a where cond else b. On Tensors (or arrays with a Tensor operand) elementwise, cond a
    boolean array or Tensor: the gradient goes to a where cond holds and to b elsewhere. With
    Values cond is one truth value (``x > 0``) and the result is a or b itself."""
    if isinstance(a, Tensor) or isinstance(b, Tensor) or isinstance(cond, Tensor):
        return TF.where(cond, a, b)
    if isinstance(a, Value) or isinstance(b, Value):
        return _as_value(a if cond else b, "where")
    return np.where(cond, a, b) if isinstance(cond, np.ndarray) else (a if cond else b)


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


def function_for(op: ops.Op):
    """The function of an op-table entry with one or two inputs (``autodiff.tanh``,
    ``autodiff.maximum``): a node on nodes, a number or an array on numbers or arrays."""
    return _function(op) if op.arity == 1 else _binary_function(op)


def attach_methods(op: ops.Op) -> None:
    """Make a one-input entry a method of both node types (``x.tanh()``)."""
    setattr(Value, op.name, _method(op, on_value=True))
    setattr(Tensor, op.name, _method(op, on_value=False))


for _name in ops.METHODS:
    attach_methods(ops.OPS[_name])
    globals()[_name] = function_for(ops.OPS[_name])
for _name in ops.BINARY_FUNCTIONS:
    globals()[_name] = function_for(ops.OPS[_name])

__all__ = [*ops.METHODS, *ops.BINARY_FUNCTIONS, "where"]
