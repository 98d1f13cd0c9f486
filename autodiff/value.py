"""Value: a scalar node on Python floats.

Every Value records its ``parents`` and, on each edge, the local derivative ∂self/∂parent
(``local_grads``), computed at forward time from the op table. Because the edges hold numbers,
not closures, a graph has no reference cycles: it is freed by reference counting the moment the
last output is dropped, and Python's cycle collector never has to collect it (it still scans the
live nodes now and then while a large graph is being built: ~12% of a training step).
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable

from . import engine, forward, grad_mode, ops
from .errors import ShapeError
from .mathns import SCALAR

_new = object.__new__
_PLAIN = grad_mode.PLAIN


class _NoGrad(float):
    """The 0.0 a Value's ``grad`` starts at (and returns to with ``zero_grad()``): no backward pass
    has reached it since. Adding any contribution gives a plain float, so ``has_grad`` is then True."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "0.0"


NO_GRAD = _NoGrad(0.0)


def _as_float(data, what: str = "Value") -> float:
    if isinstance(data, bool) or not isinstance(data, numbers.Real):
        hint = ""
        if isinstance(data, Value):
            hint = " (it is already a Value: use it directly, or Value(v.data) for a fresh leaf)"
        elif isinstance(data, str):
            hint = " (convert text first, e.g. Value(float(s)))"
        elif hasattr(data, "__len__"):
            hint = " (a Value holds one number: for arrays use autodiff.Tensor)"
        raise TypeError(f"{what} needs a real number (int or float), got {type(data).__name__}"
                        f" {data!r:.60}{hint}")
    try:
        return float(data)
    except OverflowError:
        raise OverflowError(f"{what}: {str(data)[:20]}… is too large for a float (the largest is "
                            f"about 1.8e308)") from None


def _lift(other):
    """A plain number on either side of an operator becomes a constant leaf."""
    cls = other.__class__
    if cls is Value:
        return other
    if cls is float or cls is int:
        return _leaf(float(other))
    if isinstance(other, numbers.Real) and not isinstance(other, bool):
        return _leaf(float(other))
    return None


def _leaf(data: float) -> Value:
    v = _new(Value)
    v.data = data
    v.grad = 0.0  # (an op's result or a lifted constant: only Value(...) starts at NO_GRAD)
    v.label = ""
    v._op = None
    v.op_params = ()
    v.parents = ()
    v.local_grads = ()
    return v


def _finish(v: Value, parents: tuple, args) -> None:
    """The slow path of every node builder, taken while a mode block (no_grad, a forward-mode
    level, op counting) is open anywhere: edges only if this context records, then the tangents
    of this context's forward levels (``args``: the rule's data arguments)."""
    if grad_mode.recording():
        v.parents = parents
        v.local_grads = v._op.df(SCALAR, v.data, *args, *v.op_params)
    else:
        v.parents = ()
        v.local_grads = ()
    if grad_mode.levels() or grad_mode.counters():
        forward.node_made(v, v._op, parents, v.op_params, None, args)


def apply(op: ops.Op, parents: tuple, *params) -> Value:
    """Run one op-table entry on Values: forward value, and the local derivatives on the edges."""
    # written out like apply_unary/_binary/_nary rather than calling one shared node builder: the
    # extra call costs ~12% of every op (measured), and these four are the whole hot path
    xs = [p.data for p in parents]
    y = op.f(SCALAR, *xs, *params)
    v = _new(Value)
    v.data = y
    v.grad = 0.0  # (an op's result or a lifted constant: only Value(...) starts at NO_GRAD)
    v.label = ""
    v._op = op
    v.op_params = params
    if _PLAIN[0]:
        v.parents = parents
        v.local_grads = op.df(SCALAR, y, *xs, *params)
    else:
        _finish(v, parents, xs)
    return v


def apply_unary(op: ops.Op, a: Value) -> Value:
    # apply() specialised to one input without parameters: every activation goes through here.
    x = a.data
    y = op.f(SCALAR, x)
    v = _new(Value)
    v.data = y
    v.grad = 0.0  # (an op's result or a lifted constant: only Value(...) starts at NO_GRAD)
    v.label = ""
    v._op = op
    v.op_params = ()
    if _PLAIN[0]:
        v.parents = (a,)
        v.local_grads = op.df(SCALAR, y, x)
    else:
        _finish(v, (a,), (x,))
    return v


def _binary(op: ops.Op, a: Value, b: Value) -> Value:
    # apply() specialised to two inputs: the hot path of every expression.
    x, z = a.data, b.data
    y = op.f(SCALAR, x, z)
    v = _new(Value)
    v.data = y
    v.grad = 0.0  # (an op's result or a lifted constant: only Value(...) starts at NO_GRAD)
    v.label = ""
    v._op = op
    v.op_params = ()
    if _PLAIN[0]:
        v.parents = (a, b)
        v.local_grads = op.df(SCALAR, y, x, z)
    else:
        _finish(v, (a, b), (x, z))
    return v


class Value:
    """A scalar in a computation graph.

    Attributes: ``data`` (float), ``grad`` (float, ∂root/∂self after ``root.backward()``),
    ``label``, ``op`` (the op that made it, '' for a leaf), ``parents`` (tuple of Values) and
    ``local_grads`` (tuple of floats, ∂self/∂parent for each parent).

    >>> x = Value(2.0, label="x"); y = (x * x).exp(); y.backward(); round(x.grad, 3)
    218.393
    """

    __slots__ = ("data", "grad", "label", "_op", "op_params", "parents", "local_grads")
    # the node protocol (engine.Node): an intermediate's grad at the start of a backward pass. A plain
    # 0.0, not NO_GRAD: += on an exact float stays on CPython's fast path (a float subclass does not)
    empty_grad = 0.0
    requires_grad = True  # every Value takes part in backward

    def __init__(self, data, label: str = "") -> None:
        self.data = data if data.__class__ is float else _as_float(data)
        self.grad = NO_GRAD
        self.label = str(label)
        self._op = None
        self.op_params = ()
        self.parents = ()
        self.local_grads = ()

    # --- arithmetic: both operand orders, Python numbers on either side ------------------------
    def __add__(self, other):
        other = other if other.__class__ is Value else _lift(other)
        return NotImplemented if other is None else _binary(ops.ADD, self, other)

    def __radd__(self, other):
        other = _lift(other)
        return NotImplemented if other is None else _binary(ops.ADD, other, self)

    def __sub__(self, other):
        other = other if other.__class__ is Value else _lift(other)
        return NotImplemented if other is None else _binary(ops.SUB, self, other)

    def __rsub__(self, other):
        other = _lift(other)
        return NotImplemented if other is None else _binary(ops.SUB, other, self)

    def __mul__(self, other):
        other = other if other.__class__ is Value else _lift(other)
        return NotImplemented if other is None else _binary(ops.MUL, self, other)

    def __rmul__(self, other):
        other = _lift(other)
        return NotImplemented if other is None else _binary(ops.MUL, other, self)

    def __truediv__(self, other):
        other = other if other.__class__ is Value else _lift(other)
        return NotImplemented if other is None else _binary(ops.DIV, self, other)

    def __rtruediv__(self, other):
        other = _lift(other)
        return NotImplemented if other is None else _binary(ops.DIV, other, self)

    def __neg__(self):
        return apply_unary(ops.NEG, self)

    def __pos__(self):
        return self

    def __pow__(self, other):
        """``x ** n`` with a number n (one parent) or ``x ** y`` with a Value y (two parents)."""
        cls = other.__class__
        if cls is Value:
            return _binary(ops.POW, self, other)
        if cls is float or cls is int or isinstance(other, numbers.Real) and cls is not bool:
            return apply(ops.POW_CONST, (self,), float(other))
        return NotImplemented

    def __rpow__(self, other):
        other = _lift(other)
        return NotImplemented if other is None else _binary(ops.POW, other, self)

    def __abs__(self):
        return apply_unary(ops.ABS, self)

    def __float__(self) -> float:
        return self.data

    # --- comparisons: of the data, a plain bool (a constant: no gradient), like Tensor's -------
    # A Value stays hashable by identity: sets and dicts of nodes compare hashes, never ==.
    __hash__ = object.__hash__

    def __lt__(self, other):
        other = _lift(other)
        return NotImplemented if other is None else self.data < other.data

    def __le__(self, other):
        other = _lift(other)
        return NotImplemented if other is None else self.data <= other.data

    def __gt__(self, other):
        other = _lift(other)
        return NotImplemented if other is None else self.data > other.data

    def __ge__(self, other):
        other = _lift(other)
        return NotImplemented if other is None else self.data >= other.data

    def __eq__(self, other):
        other = _lift(other)
        return NotImplemented if other is None else self.data == other.data

    def __ne__(self, other):
        other = _lift(other)
        return NotImplemented if other is None else self.data != other.data

    def __bool__(self) -> bool:
        return self.data != 0.0

    # --- the op table's functions (exp, log, tanh, leaky_relu, clip, ...) are attached as methods
    # from the table by functional.py

    # --- n-ary nodes ---------------------------------------------------------------------------
    @staticmethod
    def sum(values: Iterable) -> Value:
        """Σ xᵢ as one node with an edge (local derivative 1) to every term.

        Unlike Python's ``sum``, which builds a chain as deep as the list is long."""
        parents, data = _values(values, "Value.sum")
        try:
            return _nary(ops.SUM, parents, (data,))
        except _NotFloats:
            parents, data = _lifted(parents, "Value.sum")
            return _nary(ops.SUM, parents, (data,))

    @staticmethod
    def dot(weights: Iterable, inputs: Iterable, bias=None) -> Value:
        """Σ wᵢxᵢ (+ b) as one node: a neuron's weighted sum, with an edge to every wᵢ, xᵢ (and b).

        Local derivatives: ∂/∂wᵢ = xᵢ, ∂/∂xᵢ = wᵢ, ∂/∂b = 1."""
        ws, wd = _values(weights, "Value.dot weights")
        xs, xd = _values(inputs, "Value.dot inputs")
        if len(ws) != len(xs):
            raise ShapeError(f"Value.dot needs as many weights as inputs, got {len(ws)} weights "
                             f"and {len(xs)} inputs")
        b = bias if bias is None or bias.__class__ is Value else _lift_or_raise(bias, "Value.dot bias")
        try:
            return _dot(ws, xs, wd, xd, b)
        except _NotFloats:
            (ws, wd), (xs, xd) = _lifted(ws, "Value.dot weights"), _lifted(xs, "Value.dot inputs")
            return _dot(ws, xs, wd, xd, b)

    # --- backward ------------------------------------------------------------------------------
    def backward(self, grad: float | None = None, *, create_graph: bool = False,
                 check_finite: bool = False) -> None:
        """Accumulate ∂self/∂leaf into every leaf's ``grad`` (seed ∂self/∂self = ``grad``, 1 by default).

        Intermediate nodes' grads are reset first, so calling it twice adds the leaves' gradients
        twice but never double-counts inside the graph. With ``create_graph`` (as in PyTorch) the
        gradients are built as graph nodes, so ``x.grad`` can be differentiated again (for a
        second derivative without touching ``.grad``, see ``autodiff.grad``). With
        ``check_finite``, raise ``NonFiniteError`` naming where the first NaN or inf came from.
        """
        seed = 1.0 if grad is None else _as_float(grad, "backward(grad=...)")
        if self.parents and self.grad:  # a fresh root holds 0.0; after a backward, its seed
            engine.warn_repeated_backward(self)
        engine.backward(self, seed, create_graph)
        if check_finite:
            engine.check_finite(self)

    @property
    def op(self) -> str:
        """Name of the op that made this Value ('' for a leaf)."""
        return self._op.name if self._op is not None else ""

    @property
    def op_entry(self) -> ops.Op | None:
        """The op-table entry that made this Value (None for a leaf)."""
        return self._op

    @property
    def has_grad(self) -> bool:
        """Whether a backward pass has reached this Value since it was made or zeroed (an
        optimizer skips a parameter without one, as PyTorch skips ``grad is None``)."""
        return self.grad is not NO_GRAD

    def zero_grad(self) -> None:
        """grad = 0.0, meaning "not reached by a backward pass" (``has_grad`` is False)."""
        self.grad = NO_GRAD

    def propagate(self) -> None:
        """parent.grad += ∂self/∂parent · self.grad for every parent (the engine's hot path)."""
        g = self.grad
        parents = self.parents
        if len(parents) == 2:  # + − × ÷ **, most of any graph: unrolled, no zip (2× faster)
            a, b = parents
            la, lb = self.local_grads
            a.grad += la * g
            b.grad += lb * g  # sequential, so x * x (a is b) sums both terms
        else:
            for parent, local in zip(parents, self.local_grads):
                parent.grad += local * g

    def propagate_nodes(self) -> None:
        """parent.grad = parent.grad + ∂self/∂parent · self.grad, the local derivatives recomputed
        as graph nodes from the op table (``nodens.NODES``): the gradient is itself a graph."""
        g = self.grad
        op = self._op
        args = op.node_args(self.parents) if op.node_args else self.parents
        for parent, local in zip(self.parents, op.df(_nodes(), self, *args, *self.op_params)):
            parent.grad = parent.grad + local * g

    def tangent_from(self, parent_tangents: list) -> float:
        """ẏ = Σᵢ ∂self/∂parentᵢ · ẋᵢ from the recorded edges (None: a zero tangent)."""
        total = 0.0
        for local, dx in zip(self.local_grads, parent_tangents):
            if dx is not None:
                total += local * dx
        return total

    def contributions(self) -> list:
        """[(parent, ∂self/∂parent · self.grad)] for every edge, in parent order."""
        g = self.grad
        return [(parent, local * g) for parent, local in zip(self.parents, self.local_grads)]

    def accumulate(self, g: float) -> None:
        """grad += g."""
        self.grad += g

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        op = f", op={self.op!r}" if self.op else ""
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{label}{op})"


def _values(items: Iterable, what: str) -> tuple:
    """(a tuple of Values, their data); plain numbers become constant leaves (numpy scalars,
    whose ``.data`` is a buffer, are caught by ``_nary`` and lifted by the caller's retry)."""
    items = tuple(items)
    try:
        return items, [v.data for v in items]
    except AttributeError:
        return _lifted(items, what)


def _lifted(items: tuple, what: str) -> tuple:
    items = tuple(v if v.__class__ is Value else _lift_or_raise(v, what) for v in items)
    return items, [v.data for v in items]


def _nodes():
    from .nodens import NODES  # (nodens imports this module)

    return NODES


def _dot(ws: tuple, xs: tuple, wd: list, xd: list, b) -> Value:
    if b is None:
        return _nary(ops.DOT, ws + xs, (wd, xd))
    return _nary(ops.DOT, ws + xs + (b,), (wd, xd, b.data))


class _NotFloats(Exception):
    """An n-ary rule got something other than floats (e.g. numpy scalars, whose ``.data`` is a
    buffer): the caller lifts its inputs and tries once more."""


def _nary(op: ops.Op, parents: tuple, args) -> Value:
    """A node over many parents; ``args`` are the rule's list arguments (see ops.DOT)."""
    try:
        y = op.f(SCALAR, *args)
    except TypeError:
        y = None
    if y.__class__ is not float:
        raise _NotFloats
    v = _new(Value)
    v.data = y
    v.grad = 0.0  # (an op's result or a lifted constant: only Value(...) starts at NO_GRAD)
    v.label = ""
    v._op = op
    v.op_params = ()
    if _PLAIN[0]:
        v.parents = parents
        v.local_grads = op.df(SCALAR, y, *args)
    else:
        _finish(v, parents, args)
    return v


def _lift_or_raise(v, what: str = "") -> Value:
    lifted = _lift(v)
    if lifted is None:
        where = f"{what}: " if what else ""
        raise TypeError(f"{where}expected a Value or a real number, got {type(v).__name__} {v!r:.60}")
    return lifted
