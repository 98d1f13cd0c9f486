"""Write your own op: micrograd's central exercise, as one entry in the same op table.

    >>> import autodiff
    >>> softplus = autodiff.define_op(
    ...     "my_softplus",
    ...     f=lambda m, x: m.log(1.0 + m.exp(x)),         # the forward rule: y = log(1 + eˣ)
    ...     df=lambda m, y, x: (m.sigmoid(x),),           # ∂y/∂x, one per input
    ...     formula="y = log(1 + eˣ);  y' = σ(x)")
    >>> x = autodiff.Value(0.5, label="x")
    >>> y = softplus(x); y.backward()
    >>> round(x.grad, 6)                                 # σ(0.5)
    0.622459

The rules are written against a numeric namespace ``m`` (``m.exp``, ``m.log``, ``m.sqrt``,
``m.tanh``, ``m.sigmoid``, ``m.where`` …, and the arithmetic operators), exactly as the built-in
entries in ``ops.py`` are, so one definition gives everything the built-in ops have: the op on a
Value, on a Tensor (broadcasting, gradients summed back), on floats and arrays; its name and
formula in ``draw`` and ``explain``; ``gradcheck``; forward mode (``jvp``, from ``df``); and
derivatives of derivatives (the same ``df`` evaluated on graph nodes).
"""

from __future__ import annotations

import inspect
import keyword
from collections.abc import Callable

from . import ops
from .functional import attach_methods, function_for
from .tensor_ops import TENSOR_OPS, elementwise

DEFINED: set[str] = set()
"""The names define_op added (the library's own ops are the rest of the table)."""


def define_op(name: str, f: Callable, df: Callable, formula: str = "", *, method: bool = False,
              selects: bool = False) -> Callable:
    """Add a primitive with one or two inputs to the op table and return its function.

    ``f(m, x1[, x2]) -> y`` is the forward rule; ``df(m, y, x1[, x2]) -> (∂y/∂x1[, ∂y/∂x2])`` the
    local derivatives, a tuple with one entry per input (``y`` is the forward value, handy when
    the derivative is written with it, as tanh' = 1 − y²). ``formula`` is the text pictures show.
    ``method=True`` also makes a one-input op a method of Value and Tensor (``x.softplus()``).
    ``selects=True`` declares a selection (like relu: local derivatives 0 where an input is not
    picked) whose zeros pass no gradient even when it is infinite. The name must be an
    identifier that names no built-in op; defining a name ``define_op`` defined before replaces
    that op (re-running a notebook cell works; graphs already built keep the old rules). The rules
    are checked on a sample point; if they fail there, the name is left undefined."""
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        raise ValueError(f"define_op: the name must be a Python identifier, got {name!r}")
    if name in DEFINED:
        _forget(name)
    if name in ops.OPS or name in TENSOR_OPS:
        raise ValueError(f"define_op: an op named {name!r} exists already; pick another name")
    arity = _arity(f, "f", offset=1)
    if arity not in (1, 2) or _arity(df, "df", offset=2) != arity:
        raise TypeError(f"define_op: f(m, x) or f(m, a, b), and df(m, y, x) or df(m, y, a, b) with the "
                        f"same inputs; got f with {arity} input(s)")
    op = ops.register(name, arity, f, df, formula or f"y = {name}(x)", selects=selects,
                      api="method" if method and arity == 1 else "function")
    TENSOR_OPS[name] = elementwise(op)
    if method and arity == 1:
        attach_methods(op)
    fn = function_for(op)
    _check_on_a_sample(fn, name, arity)
    DEFINED.add(name)
    return fn


def _arity(rule: Callable, what: str, offset: int) -> int:
    try:
        params = inspect.signature(rule).parameters.values()
    except (TypeError, ValueError):
        raise TypeError(f"define_op: {what} must be a function") from None
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) - offset


def _check_on_a_sample(fn: Callable, name: str, arity: int) -> None:
    """Run the new op once forward and backward on a Value, so a mistake shows now, not later."""
    from .value import Value

    xs = [Value(0.3), Value(0.7)][:arity]
    try:
        y = fn(*xs)
        y.backward()
    except Exception as e:  # noqa: BLE001 - whatever the rule does wrong, say where it came from
        _forget(name)
        raise TypeError(f"define_op({name!r}): the rules fail on a sample input: {type(e).__name__}: {e}") from e


def _forget(name: str) -> None:
    """Remove an op define_op made: its table entries, its methods, its name in DEFINED."""
    from .tensor import Tensor
    from .value import Value

    ops.OPS.pop(name, None)
    TENSOR_OPS.pop(name, None)
    DEFINED.discard(name)
    for cls in (Value, Tensor):
        if name in cls.__dict__:
            delattr(cls, name)
