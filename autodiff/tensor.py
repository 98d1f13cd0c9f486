"""Tensor: a numpy-array node on the same op table and engine as Value.

Each Tensor made by an op records its ``parents`` and the op (``TensorOp``) whose
vector-Jacobian product carries the gradient back along each edge. Elementwise ops reuse the
local-derivative rules of ``ops.py`` that ``Value`` uses; gradients of broadcast inputs are
summed back to each input's shape.
"""

from __future__ import annotations

import numbers

import numpy as np

from . import engine, forward, grad_mode
from . import tensor_ops as T
from .errors import AutodiffError, GradError, ShapeError
from .mathns import ARRAY
from .tensor_methods import TensorMethods
from .value import Value

_new = object.__new__
_PLAIN = grad_mode.PLAIN
_OPS = T.TENSOR_OPS
_ADD, _SUB, _MUL, _DIV, _POW = (_OPS[k] for k in ("+", "-", "*", "/", "**"))
_NEEDS1 = (True,)
_ONE = np.ones(())


def _as_array(data, dtype=None, copy: bool = True) -> np.ndarray:
    """``data`` as a float64 (or ``dtype``) array; a copy unless ``copy=False`` and no conversion is needed."""
    if isinstance(data, Tensor):
        raise TypeError("Tensor(...) got a Tensor: use it directly, t.detach() for a graph-free "
                        "copy, or Tensor(t.data) for a new leaf")
    try:
        arr = np.array(data, dtype=dtype, copy=copy or None)
    except (ValueError, TypeError) as e:
        raise TypeError(f"Tensor needs numbers (a scalar, nested lists of equal length, or a numeric "
                        f"array), got {type(data).__name__}: {e}") from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"Tensor needs real numbers, got an array of dtype {arr.dtype} "
                        f"(kind {arr.dtype.kind!r}) from {type(data).__name__} {data!r:.60}; "
                        "convert strings/objects to numbers first")
    if dtype is None and arr.dtype != np.float64:
        arr = arr.astype(np.float64)
    return arr


def lift(x) -> Tensor | None:
    """An operand that is not a Tensor (a number or an array) becomes a constant leaf."""
    if x.__class__ is Tensor:
        return x
    if isinstance(x, (numbers.Real, np.ndarray, list, tuple)) and not isinstance(x, bool):
        return _leaf(_as_array(x))
    if isinstance(x, Value):
        raise TypeError("cannot combine a Value (a scalar node) with a Tensor: they are separate graphs. "
                        "Use Tensors throughout (Tensor(v.data), or a 0-d Tensor for a scalar), or "
                        "Values throughout (Value(t.item()) for a one-element tensor)")
    return None


def _leaf(arr: np.ndarray, requires_grad: bool = False) -> Tensor:
    t = _new(Tensor)
    t._data = arr
    t._version = 0
    t.grad = None
    t.requires_grad = requires_grad
    t.label = ""
    t.parents = ()
    t._op = None
    t.op_params = ()
    return t


def apply(op: T.TensorOp, inputs: tuple, *params) -> Tensor:
    """Run one tensor op: forward value now, and (if any input needs a gradient) the edge.

    The edge keeps a version stamp, the sum of the inputs' data versions: assigning to an input's
    ``data`` before backward changes the sum (versions only grow), and backward raises."""
    try:
        if len(inputs) == 2:  # the common arities written out: this runs once per node
            a, b = inputs
            y = op.f(a._data, b._data, *params)
            needs_grad = a.requires_grad or b.requires_grad
            stamp = a._version + b._version
        elif len(inputs) == 1:
            a = inputs[0]
            y = op.f(a._data, *params)
            needs_grad = a.requires_grad
            stamp = a._version
        else:
            y = op.f(*[t._data for t in inputs], *params)
            needs_grad, stamp = False, 0
            for t in inputs:
                needs_grad = needs_grad or t.requires_grad
                stamp += t._version
    except ValueError as e:
        if isinstance(e, AutodiffError):
            raise
        shapes = " and ".join(str(t._data.shape) for t in inputs)
        raise ShapeError(f"cannot apply '{op.name}' to shapes {shapes}: they do not broadcast "
                         f"together ({e})") from None
    saved = None
    if op.saves:
        y, saved = y
    out = _new(Tensor)
    out._data = y if y.__class__ is np.ndarray else np.asarray(y)
    out._version = 0
    out.grad = None
    out.label = ""
    if needs_grad and _PLAIN[0]:
        out.requires_grad = True
        out.parents = inputs
        out._op = op
        out.op_params = params
        out._stamp = stamp
        out._saved = saved
    elif _PLAIN[0]:
        out.requires_grad = False
        out.parents = ()
        out._op = None
        out.op_params = ()
    else:
        _finish(out, op, inputs, params, saved, needs_grad, stamp)
    return out


def _finish(out: Tensor, op, inputs: tuple, params: tuple, saved, needs_grad: bool, stamp: int) -> None:
    """apply()'s slow path, taken while a mode block (no_grad, a forward-mode level, op counting)
    is open anywhere: edges only if this context records, then this context's tangents."""
    if needs_grad and grad_mode.recording():
        out.requires_grad = True
        out.parents = inputs
        out._op = op
        out.op_params = params
        out._stamp = stamp
        out._saved = saved
    else:
        out.requires_grad = False
        out.parents = ()
        out._op = None
        out.op_params = ()
    if grad_mode.levels() or grad_mode.counters():
        forward.node_made(out, op, inputs, params, saved, None)


def _binary(op: T.TensorOp, a: Tensor, b) -> Tensor:
    if b.__class__ is not Tensor:
        b = lift(b)
        if b is None:
            return NotImplemented
    return apply(op, (a, b))


def _rbinary(op: T.TensorOp, a: Tensor, b) -> Tensor:
    b = lift(b)
    if b is None:
        return NotImplemented
    return apply(op, (b, a))


class Tensor(TensorMethods):
    """An n-dimensional array in a computation graph (numpy underneath, float64 by default).

    ``Tensor(data, requires_grad=False, label="")``. After ``loss.backward()``, every leaf with
    ``requires_grad=True`` holds ∂loss/∂leaf in ``grad`` (same shape as ``data``).
    """

    __slots__ = ("_data", "_version", "grad", "requires_grad", "label", "parents", "_op", "op_params",
                 "_stamp", "_saved")
    empty_grad = None  # the node protocol (engine.Node): an intermediate's grad when backward starts
    __array_ufunc__ = None  # make numpy defer: ndarray + Tensor calls Tensor.__radd__

    def __init__(self, data, requires_grad: bool = False, label: str = "", dtype=None) -> None:
        self._data = _as_array(data, dtype)
        self._version = 0
        self._check_requires_grad(requires_grad)
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self.label = str(label)
        self.parents = ()
        self._op = None
        self.op_params = ()

    def _check_requires_grad(self, requires_grad) -> None:
        if requires_grad and self._data.dtype.kind != "f":
            raise TypeError(f"only floating-point tensors can require gradients, got {self._data.dtype}")

    @classmethod
    def from_numpy(cls, array: np.ndarray, requires_grad: bool = False, label: str = "") -> Tensor:
        """A Tensor sharing ``array``'s memory (no copy, as ``torch.from_numpy``): writes through
        either are seen by both. ``Tensor(array)`` copies instead (as ``torch.tensor``)."""
        if not isinstance(array, np.ndarray):
            raise TypeError(f"Tensor.from_numpy needs a numpy array, got {type(array).__name__}")
        t = _leaf(_as_array(array, array.dtype if array.dtype.kind in "biuf" else None, copy=False))
        t._check_requires_grad(requires_grad)
        t.requires_grad = bool(requires_grad)
        t.label = str(label)
        return t

    # --- the data, and its version ----------------------------------------------------------------
    @property
    def data(self) -> np.ndarray:
        """The values (a numpy array). Assigning to it (``t.data = a``, ``t.data -= lr * g``)
        bumps the tensor's version, so a backward pass that needs the old values raises instead
        of mixing old and new (writes into the array itself, ``t.data[i] = v``, are not seen)."""
        return self._data

    @data.setter
    def data(self, value) -> None:
        self._data = value if value.__class__ is np.ndarray else _as_array(value)
        self._version += 1

    # --- array facts ---------------------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        return self._data.shape

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def dtype(self):
        return self._data.dtype

    @property
    def op(self) -> str:
        """Name of the op that made this tensor ('' for a leaf)."""
        return self._op.name if self._op is not None else ""

    @property
    def op_entry(self):
        """The table entry (``tensor_ops.TensorOp``) that made this tensor (None for a leaf)."""
        return self._op

    @property
    def local_grads(self) -> tuple | None:
        """For an elementwise op, ∂self/∂parent per parent (arrays, before broadcasting is
        summed away); None for other ops, whose edges carry a VJP rule instead (see ``_op``)."""
        op = self._op
        if op is None or op.elementwise is None:
            return None
        return op.elementwise.df(ARRAY, self._data, *(p._data for p in self.parents), *self.op_params)

    def numpy(self) -> np.ndarray:
        """The data array (not a copy)."""
        return self._data

    def item(self) -> float:
        if self._data.size != 1:
            raise ShapeError(f"item() needs a tensor with exactly one element, got shape {self.shape}")
        return self._data.item()

    def detach(self) -> Tensor:
        """The same data as a new leaf with no graph and no gradient."""
        return _leaf(self._data)

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self._data)

    def __iter__(self):
        """The entries along the first axis, each ``self[i]`` (a node: gradients flow back)."""
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(len(self._data)))

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise ValueError(f"the truth value of a tensor of shape {self.shape} is ambiguous: use "
                             "(t > 0).data.any() or .all(), or compare one element")
        return bool(self._data)

    # --- comparisons: constant boolean tensors, outside the graph (no gradient) -----------------
    # == and != compare values elementwise, as in PyTorch; a Tensor stays hashable by identity
    # (sets and dicts of nodes compare hashes first, so they never call ==).
    __hash__ = object.__hash__

    def _compare(self, other, compare):
        if other.__class__ is Tensor:
            other = other._data
        elif not isinstance(other, (numbers.Real, np.ndarray, list, tuple)):
            return NotImplemented
        try:
            return _leaf(np.asarray(compare(self._data, other)))
        except ValueError:
            raise ShapeError(f"cannot compare shapes {self.shape} and {np.shape(other)}: they do not "
                             "broadcast together") from None

    def __lt__(self, other):
        return self._compare(other, np.less)

    def __le__(self, other):
        return self._compare(other, np.less_equal)

    def __gt__(self, other):
        return self._compare(other, np.greater)

    def __ge__(self, other):
        return self._compare(other, np.greater_equal)

    def __eq__(self, other):
        return self._compare(other, np.equal)

    def __ne__(self, other):
        return self._compare(other, np.not_equal)

    def __repr__(self) -> str:
        body = np.array2string(self._data, precision=4, threshold=20, separator=", ",
                               prefix="Tensor(")
        extra = ""
        if self.label:
            extra += f", label={self.label!r}"
        if self._op is not None:
            extra += f", op={self.op!r}"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        return f"Tensor({body}{extra})"

    # --- elementwise arithmetic, with numpy broadcasting ---------------------------------------
    def __add__(self, other):
        return _binary(_ADD, self, other)

    def __radd__(self, other):
        return _rbinary(_ADD, self, other)

    def __sub__(self, other):
        return _binary(_SUB, self, other)

    def __rsub__(self, other):
        return _rbinary(_SUB, self, other)

    def __mul__(self, other):
        return _binary(_MUL, self, other)

    def __rmul__(self, other):
        return _rbinary(_MUL, self, other)

    def __truediv__(self, other):
        return _binary(_DIV, self, other)

    def __rtruediv__(self, other):
        return _rbinary(_DIV, self, other)

    def __neg__(self):
        return apply(_OPS["neg"], (self,))

    def __pos__(self):
        return self

    def __pow__(self, other):
        """``t ** n`` with a number n, or ``t ** u`` with a Tensor/array exponent."""
        if isinstance(other, numbers.Real) and not isinstance(other, bool):
            return apply(_OPS["pow"], (self,), float(other))
        return _binary(_POW, self, other)

    def __rpow__(self, other):
        return _rbinary(_POW, self, other)

    def __abs__(self):
        return apply(_OPS["abs"], (self,))

    # the op table's functions (exp, log, tanh, leaky_relu, clip, ...) are attached as methods
    # from the table by functional.py

    # --- matmul and shapes ---------------------------------------------------------------------
    def __matmul__(self, other):
        other = other if other.__class__ is Tensor else lift(other)
        return NotImplemented if other is None else apply(T.MATMUL, (self, other))

    def __rmatmul__(self, other):
        other = lift(other)
        return NotImplemented if other is None else apply(T.MATMUL, (other, self))

    def matmul(self, other) -> Tensor:
        return self @ other

    def __getitem__(self, idx) -> Tensor:
        """``t[idx]`` with ints, slices, None, ..., integer or boolean arrays/lists/Tensors, alone
        or in a tuple (``t[t[:, 0] > 0, :]``); repeated indices accumulate their gradients."""
        idx = tuple(map(index_part, idx)) if isinstance(idx, tuple) else index_part(idx)
        return apply(T.GETITEM, (self,), idx)

    # --- backward ------------------------------------------------------------------------------
    def backward(self, grad=None, *, create_graph: bool = False, check_finite: bool = False) -> None:
        """Accumulate ∂self/∂leaf into the ``grad`` of every leaf that requires grad.

        A non-scalar tensor needs a seed ``grad`` of its own shape (the vector in the
        vector-Jacobian product), as in PyTorch. With ``create_graph`` the gradients are built
        as graph nodes (Tensors), so they can be differentiated again."""
        if not self.requires_grad:
            raise GradError("backward() on a tensor that does not require grad: no leaf in its graph "
                            "has requires_grad=True (or it was computed under no_grad())")
        if self.parents and self.grad is not None:
            engine.warn_repeated_backward(self)
        if grad is None:
            if self._data.size != 1:
                raise GradError(f"grad can be implicitly created only for scalar outputs, and this "
                                f"tensor has shape {self.shape}: call .sum() or .mean() first, or "
                                f"pass backward(grad) with an array of shape {self.shape}")
            seed = _ONE.astype(self._data.dtype).reshape(self._data.shape)
        else:
            seed = grad._data if grad.__class__ is Tensor else grad
            if seed.__class__ is not np.ndarray or seed.dtype != np.float64:
                seed = _as_array(seed)
            if seed.shape != self._data.shape:
                raise GradError(f"backward(grad): the seed gradient has shape {seed.shape} but the "
                                f"tensor has shape {self.shape}; they must match")
        engine.backward(self, seed, create_graph)
        if check_finite:
            engine.check_finite(self)

    def zero_grad(self) -> None:
        """Forget the accumulated gradient (grad = None)."""
        self.grad = None

    @property
    def has_grad(self) -> bool:
        """Whether a backward pass has reached this tensor since it was made or zeroed (grad is not None)."""
        return self.grad is not None

    def _check_versions(self) -> None:
        if sum(p._version for p in self.parents) != self._stamp:
            raise _modified_error(self)

    def _vjps(self) -> list:
        """∂L/∂parent for each parent (None where a parent needs no gradient)."""
        parents = self.parents
        n = len(parents)
        if n == 1:
            a = parents[0]
            if a._version != self._stamp:
                raise _modified_error(self)
            xs, needs = (a._data,), _NEEDS1
        elif n == 2:
            a, b = parents
            if a._version + b._version != self._stamp:
                raise _modified_error(self)
            xs, needs = (a._data, b._data), (a.requires_grad, b.requires_grad)
        else:
            self._check_versions()
            xs, needs = [p._data for p in parents], [p.requires_grad for p in parents]
        return self._op.vjp(ARRAY, self.grad, self._data, xs, self.op_params, needs, self._saved)

    def propagate_nodes(self) -> None:
        """Each parent's VJP added into its grad, computed with graph nodes (``nodens.NODES``) on
        the forward graph's own nodes: the gradient is itself a graph, differentiable again."""
        if self.grad is None:
            return
        self._check_versions()
        from .nodens import NODES  # (nodens imports this module)

        needs = [p.requires_grad for p in self.parents]
        grads = self._op.vjp(NODES, self.grad, self, self.parents, self.op_params, needs, None)
        for parent, g in zip(self.parents, grads):
            if g is not None:
                parent.grad = g if parent.grad is None else parent.grad + g

    def propagate(self) -> None:
        """Add each parent's VJP into its grad (the engine's hot path)."""
        G = self.grad
        if G is None:
            return
        grads = self._vjps()
        for parent, g in zip(self.parents, grads):
            if g is None:
                continue
            if parent.grad is not None or g.shape != parent._data.shape:
                parent.accumulate(g)
            elif parent.parents or (g is not G and g.base is None and g.dtype == parent._data.dtype):
                parent.grad = g  # an intermediate's first grad, or a fresh array (the VJP contract)
            else:  # G itself or a view of it: a leaf's grad is the user's to change in place
                parent.grad = g.astype(parent._data.dtype)

    def tangent_from(self, parent_tangents: list) -> np.ndarray:
        """ẏ from the parents' tangents (None: zero) by the op's JVP rule, on the recorded data."""
        self._check_versions()
        return self._op.jvp(ARRAY, parent_tangents, self._data, [p._data for p in self.parents],
                            self.op_params, self._saved)

    def contributions(self) -> list:
        """[(parent, ∂L/∂parent)] for every parent that needs a gradient: the VJPs."""
        if self.grad is None:
            return []
        return [(p, g) for p, g in zip(self.parents, self._vjps()) if g is not None]

    def accumulate(self, g: np.ndarray) -> None:
        """grad += g (a leaf's grad never aliases another array)."""
        if g.shape != self._data.shape:  # a VJP rule must return its input's shape: never guess
            raise GradError(f"internal error: a gradient of shape {g.shape} arrived at a tensor of "
                            f"shape {self._data.shape} (op {self.op or 'leaf'!r}); please report it")
        if self.grad is None:
            # a leaf's grad is the user's to modify in place: it never aliases another array
            self.grad = g if self.parents else g.astype(self._data.dtype)
        elif not self.parents:
            self.grad += g
        else:
            self.grad = self.grad + g


def index_part(i):
    """One entry of an index: a Tensor or a list becomes its array; float arrays are refused."""
    if isinstance(i, Tensor):
        i = i._data
    elif isinstance(i, list):
        i = np.asarray(i)
    if isinstance(i, np.ndarray) and i.dtype.kind == "f":
        raise TypeError("tensor indices must be integers or booleans, got floats")
    return i


def _modified_error(node: Tensor) -> GradError:
    changed = [p for p in node.parents if p._version] or list(node.parents)
    names = ", ".join(f"'{p.label}'" if p.label else f"of shape {p.shape}" for p in changed)
    who = f"the tensor {names}" if len(changed) == 1 else f"one of the tensors {names}"
    return GradError(
        f"{who}, an input of '{node.op}', was assigned new data (t.data = ..., or an "
        "optimizer step) after the forward pass and before this backward pass: the gradient would "
        "mix old and new values. Run the forward pass again after changing it (call backward() "
        "before optimizer.step())")
