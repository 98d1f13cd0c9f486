"""Tensor programs: the tensor rules run on stand-ins for arrays that write down each numpy call.

A ``Traced`` value stands for an array of the program and carries the array it has on the
example. Each operator, method and numpy function applied to it (numpy hands them over through
``__array_ufunc__`` and ``__array_function__``) is computed on the example and written down as a
statement of the program. So a tensor rule, run unchanged with ``m = mathns.ARRAY`` on these
stand-ins, comes out as the very numpy calls it makes on arrays, in the same order, as straight
code: ``W̄1 = X.T @ z̄1``. What depends on the inputs only through their shapes (a branch on
``g.shape``, ``np.arange(n)``, the seed's ones and all that follows from constants alone) is
computed once, now.

A rule that reads a value to decide something (``if bad.any()``, ``float(loss)``) cannot be
written down this way: the stand-in refuses (``Untraceable``) and the program calls that rule
itself instead (``y = f_log(x)``), which is always right, only less inlined.
"""

from __future__ import annotations

import itertools
import keyword
import re

import numpy as np

from . import codegen, mathns
from .codegen import ASSIGN, EXPR, INPLACE, SETITEM, Stmt
from .errors import ShapeError, TraceError
from .mathns import ARRAY
from .symbolic import (
    ATTR,
    BIN,
    CALL,
    CONST,
    LIST,
    METHOD,
    NEG,
    SUBSCRIPT,
    TUPLE,
    VAR,
    Expr,
    Untraceable,
    python,
    var,
)
from .tensor import Tensor

_BAKED = frozenset(("shape", "ndim", "size", "dtype", "itemsize", "nbytes", "strides"))
_VIEWS = frozenset(("T", "mT", "real", "imag"))
_LITERAL = (int, float, bool, type(None))


class Traced:
    """An array of the traced program: its expression (a variable) and its value on the example.

    It reports the example's class (``x.__class__ is np.ndarray`` holds where it holds for the
    array), so a rule's type tests take the branch they take on arrays."""

    __slots__ = ("expr", "example", "rec")

    def __init__(self, expr: Expr, example, rec) -> None:
        self.expr, self.example, self.rec = expr, example, rec

    @property
    def __class__(self):  # noqa: D105 (see the class docstring)
        return self.example.__class__

    def __repr__(self) -> str:
        return f"<traced {self.expr.name}: {type(self.example).__name__} {np.shape(self.example)}>"

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return self.rec.call(getattr(ufunc, method), inputs, kwargs, ufunc.__name__ + ("" if method == "__call__"
                                                                                      else "_" + method))

    def __array_function__(self, func, types, args, kwargs):
        return self.rec.call(func, args, kwargs, func.__name__)

    def __getattr__(self, name):
        value = getattr(self.example, name)
        if name in _BAKED:
            return value  # depends on shapes and dtypes only, which every call checks
        if name in _VIEWS and isinstance(value, np.ndarray):
            return self.rec.emit(Expr(ATTR, name, (self.expr,)), value)
        if callable(value) and not name.startswith("_"):
            return lambda *args, **kwargs: self.rec.method(self, name, args, kwargs)
        raise Untraceable(f"a rule read the attribute {name!r} of a traced array")

    # a value read to decide something cannot be written down: the caller falls back
    def _refuse(self, *args, **kwargs):
        raise Untraceable("a rule read a traced value (bool, float, int, iteration or conversion)")

    __bool__ = __float__ = __int__ = __index__ = __complex__ = __iter__ = __contains__ = __array__ = _refuse
    __hash__ = object.__hash__

    def __len__(self) -> int:
        return len(self.example)

    def __getitem__(self, index):
        return self.rec.emit(Expr(SUBSCRIPT, args=(self.expr, self.rec.operand(index))),
                             self.example[self.rec.example(index)])

    def __setitem__(self, index, value):
        self.example[self.rec.example(index)] = self.rec.example(value)
        self.rec.mutate(Stmt(SETITEM, (self.expr,), self.rec.operand(value), index=self.rec.operand(index)))

    def __neg__(self):
        return self.rec.emit(Expr(NEG, "-", (self.expr,)), -self.example)

    def __pos__(self):
        return self


def _binary(op: str, fn):
    def forward(self, other):
        return self.rec.binary(op, fn, self, other)

    def reflected(self, other):
        return self.rec.binary(op, fn, other, self)

    def inplace(self, other):
        return self.rec.inplace(op, self, other)

    return forward, reflected, inplace


for _op, _fn, _name in (("+", np.add, "add"), ("-", np.subtract, "sub"), ("*", np.multiply, "mul"),
                        ("/", np.divide, "truediv"), ("@", np.matmul, "matmul"), ("**", np.power, "pow")):
    _f, _r, _i = _binary(_op, _fn)
    setattr(Traced, f"__{_name}__", _f)
    setattr(Traced, f"__r{_name}__", _r)
    setattr(Traced, f"__i{_name}__", _i)
for _op, _fn, _name in (("<", np.less, "lt"), ("<=", np.less_equal, "le"), (">", np.greater, "gt"),
                        (">=", np.greater_equal, "ge"), ("==", np.equal, "eq"), ("!=", np.not_equal, "ne")):
    setattr(Traced, f"__{_name}__", _binary(_op, _fn)[0])
del _op, _fn, _name, _f, _r, _i
_REDUCE = {"sum": np.add.reduce, "max": np.maximum.reduce, "min": np.minimum.reduce}
_INPLACE = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide, "@": np.matmul, "**": np.power}


def _identifier(hint: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_]", "_", hint) or "fn"
    name = "_" + name if name[0].isdigit() else name
    return name + "_" if keyword.iskeyword(name) else name


class Recorder:
    """The statements of a tensor program, written as the rules run on ``Traced`` values.

    ``commit``/``rollback`` delimit one rule: a rule that fails to trace leaves no statement."""

    def __init__(self) -> None:
        self.stmts: list = []
        self.count = itertools.count()
        self.names: dict = {}   # key → (identifier, object) of every function and constant named
        self.taken: set = set()
        self.cse: dict = {}     # code of an expression → the Traced holding it
        self.mark = 0

    # --- names of functions and constants -------------------------------------------------------
    def bind(self, key, obj, hint: str) -> str:
        if key in self.names:
            return self.names[key][0]
        name, k = _identifier(hint), 2
        base = name
        while name in self.taken:
            name, k = f"{base}_{k}", k + 1
        self.taken.add(name)
        self.names[key] = (name, obj)
        return name

    def constant(self, value) -> Expr:
        """A constant the code names (an array, a slice, a string): passed in, never written out."""
        name = self.bind(("const", id(value)), value, f"k{len(self.names)}")
        return Expr(CONST, name, obj=value, label=name)

    def operand(self, x):
        """x as an operand of an expression: a Traced's variable, a literal, or a named constant."""
        if type(x) is Traced:
            return x.expr
        if x.__class__ in _LITERAL and (x.__class__ is not float or x == x and abs(x) != float("inf")):
            return x
        if x.__class__ in (tuple, list):
            items = tuple(self.operand(v) for v in x)
            return Expr(TUPLE if x.__class__ is tuple else LIST, args=items)
        return self.constant(x)

    def example(self, x):
        if type(x) is Traced:
            return x.example
        if x.__class__ in (tuple, list):
            return x.__class__(self.example(v) for v in x)
        if x.__class__ is dict:
            return {k: self.example(v) for k, v in x.items()}
        return x

    # --- statements ----------------------------------------------------------------------------
    def new(self, example) -> Traced:
        return Traced(var(f"t{next(self.count)}"), example, self)

    def named(self, t, v: Expr):
        """The value t under the program's name v: a temporary is renamed (every statement that
        reads it then reads v), anything else (an input, another step's value) gets ``v = t``."""
        if type(t) is not Traced:
            return t
        if t.expr.name.startswith("t"):
            t.expr.name, t.expr.label = v.name, v.label
            return t
        named = Traced(v, t.example, self)
        self.stmts.append(Stmt(ASSIGN, (v,), t.expr))
        return named

    def emit(self, expr: Expr, example) -> Traced:
        """t = expr (or the variable that already holds the same expression)."""
        key = python(expr)
        if key in self.cse:
            return self.cse[key]
        t = self.new(example)
        self.stmts.append(Stmt(ASSIGN, (t.expr,), expr))
        self.cse[key] = t
        return t

    def mutate(self, stmt: Stmt) -> None:
        """A statement that changes an array in place: no expression seen so far may be reused."""
        self.stmts.append(stmt)
        self.cse.clear()

    def call(self, fn, args, kwargs, hint: str):
        """fn(*args, **kwargs) on traced values, for a numpy function or ufunc (method)."""
        outs = kwargs.get("out", ())
        if not any(type(a) is Traced for a in (*args, *kwargs.values(), *outs)):
            return fn(*args, **kwargs)
        if any(type(o) is not Traced for o in (outs if isinstance(outs, tuple) else (outs,))):
            raise Untraceable("a numpy call writes into an array that is not the program's")
        if fn is np.where:
            fn = mathns.where  # the same numbers; a selection's gradient without a branch per entry
        result = fn(*self.example(args), **self.example(kwargs))
        owner = getattr(fn, "__self__", None)  # a ufunc's method is a new object each time: key by its ufunc
        key = ("fn", id(owner), hint) if isinstance(owner, np.ufunc) else ("fn", id(fn))
        name = self.bind(key, fn, hint)
        kw = tuple((k, self.operand(v if k != "out" or len(v) != 1 else v[0])) for k, v in kwargs.items())
        expr = Expr(CALL, name, tuple(self.operand(a) for a in args), obj=self.names[key][1], kw=kw)
        if "out" in kwargs:
            self.mutate(Stmt(EXPR, expr=expr))
            out = kwargs["out"]
            return out[0] if isinstance(out, tuple) and len(out) == 1 else out
        return self.wrap(expr, result)

    def wrap(self, expr: Expr, result):
        if isinstance(result, (np.ndarray, np.generic)):
            return self.emit(expr, result)
        if isinstance(result, (np.dtype, type)) or (isinstance(result, tuple) and all(
                isinstance(v, int) for v in result)):
            return result  # a dtype or a shape: fixed for the program
        raise Untraceable(f"a rule's numpy call returned a {type(result).__name__}")

    def method(self, obj: Traced, name: str, args, kwargs):
        if name in _REDUCE and isinstance(obj.example, np.ndarray) and not args and set(kwargs) <= {"axis", "keepdims"}:
            # x.sum(axis=…) is np.add.reduce(x, axis=…) (numpy's own _methods._sum), without the wrapper
            return self.call(_REDUCE[name], (obj,), kwargs, _REDUCE[name].__self__.__name__ + "_reduce")
        if "out" in kwargs:
            raise Untraceable("a method writes into an array given as out=")
        result = getattr(obj.example, name)(*self.example(args), **self.example(kwargs))
        if name == "reshape" and np.shape(result) == np.shape(obj.example):
            return obj  # a view with the same shape reads and writes the same numbers
        kw = tuple((k, self.operand(v)) for k, v in kwargs.items())
        expr = Expr(METHOD, name, (obj.expr, *(self.operand(a) for a in args)), kw=kw)
        if result is None:
            self.mutate(Stmt(EXPR, expr=expr))
            return None
        return self.wrap(expr, result)

    def binary(self, op: str, fn, a, b):
        return self.emit(Expr(BIN, op, (self.operand(a), self.operand(b))), fn(self.example(a), self.example(b)))

    def inplace(self, op: str, t: Traced, other):
        value = _INPLACE[op](t.example, self.example(other), out=t.example if isinstance(t.example, np.ndarray)
                             else None)
        t.example = value
        self.mutate(Stmt(INPLACE, (t.expr,), self.operand(other), name=op))
        return t

    def commit(self) -> None:
        self.mark = len(self.stmts)

    def rollback(self) -> None:
        del self.stmts[self.mark:]
        self.cse.clear()


# --- the program of a tensor graph -----------------------------------------------------------------
class _Inputs:
    """Op parameters that are input arrays (labels, indices) become the inputs' Traced values."""

    def __init__(self, traced: list) -> None:
        self.by_id = {id(t.example): t for t in traced}
        self.arrays = [t.example for t in traced]

    def __call__(self, p, op_name: str):
        if p.__class__ is tuple:
            return tuple(self(q, op_name) for q in p)
        if isinstance(p, np.ndarray):
            if id(p) in self.by_id:
                return self.by_id[id(p)]
            if any(np.may_share_memory(p, a) for a in self.arrays):
                raise TraceError(f"trace: '{op_name}' uses an array made from an input outside the graph (a view "
                                 "of it): its values would be baked into the program. Pass that array to f as "
                                 "an input of its own, unchanged")
        return p


def _forward_step(rec: Recorder, s, args: list, params: tuple):
    """(y, saved) of one op on traced values: the rule written down, or a call of it."""
    rec.commit()
    try:
        out = s.op.f(*args, *params)
        y, saved = out if s.op.saves else (out, None)
        if type(y) is not Traced and any(type(a) is Traced for a in args):
            raise Untraceable("the forward rule's result lost track of its inputs")
        return y, saved
    except Exception:  # the rule cannot be written down: call it (it ran on this example already)
        rec.rollback()
    name = rec.bind(("rule", id(s.op.f)), s.op.f, "f_" + s.op.name)
    result = s.op.f(*rec.example(args), *rec.example(params))
    expr = Expr(CALL, name, tuple(rec.operand(a) for a in (*args, *params)), obj=s.op.f)
    if not s.op.saves:
        return rec.emit(expr, result), None
    y, saved = rec.new(result[0]), rec.new(result[1])
    saved.expr.label = f"{s.var.label}_saved"
    rec.stmts.append(Stmt(ASSIGN, (y.expr, saved.expr), expr))
    return y, saved


def _vjp_step(rec: Recorder, s, g, y, xs: list, params: tuple, needs: list, saved) -> list:
    """∂L/∂x for each input of one op: its VJP rule written down, or a call of it."""
    rec.commit()
    try:
        return list(s.op.vjp(ARRAY, g, y, xs, params, needs, saved))
    except Exception:  # as in _forward_step
        rec.rollback()
    name = rec.bind(("rule", id(s.op.vjp)), s.op.vjp, "vjp_" + s.op.name)
    ns = Expr(CONST, rec.bind(("ns",), ARRAY, "ARRAY"), obj=ARRAY, label="ARRAY")
    args = (g, y, tuple(xs), params, tuple(needs), saved)
    result = s.op.vjp(ARRAY, *rec.example(args))
    targets = [rec.new(r) for r in result]
    rec.stmts.append(Stmt(ASSIGN, tuple(t.expr for t in targets),
                          Expr(CALL, name, (ns, *(rec.operand(a) for a in args)), obj=s.op.vjp), name="unpack"))
    return [t if r is not None else None for t, r in zip(targets, result)]


def _fresh_gradient(rec: Recorder, g, node, used: set):
    """An input's gradient as the program returns it: a new array on every call, never a view
    or an array returned twice (the caller may change it in place)."""
    if g is None:
        return Expr(CALL, rec.bind(("fn", id(np.zeros)), np.zeros, "zeros"), (rec.operand(node.shape),), obj=np.zeros)
    if type(g) is not Traced:
        return Expr(METHOD, "copy", (rec.constant(g),))
    shared = g.expr.name in used or getattr(g.example, "base", None) is not None or g.expr.name.startswith("x")
    used.add(g.expr.name)
    return Expr(METHOD, "copy", (g.expr,)) if shared else g.expr


def _checker(nodes: list):
    """The per-call check of a tensor program's inputs: shapes and dtypes as traced (arrays laid
    out in C order, as the example was: a rule's views are then views again)."""
    specs = [(n.shape, n.dtype, n.label) for n in nodes]
    fast = [(n.shape, n.dtype, np.empty(n.shape, n.dtype).strides) for n in nodes]
    ndarray = np.ndarray

    def check(args: tuple):
        for a, (shape, dtype, strides) in zip(args, fast):
            if a.__class__ is not ndarray or a.shape != shape or a.dtype is not dtype or a.strides != strides:
                return convert(args)
        return args

    def convert(args: tuple) -> list:
        out = []
        for a, (shape, dtype, name) in zip(args, specs):
            arr = a if a.__class__ is np.ndarray else np.asarray(a.data if isinstance(a, Tensor) else a)
            if arr.shape != shape:
                raise ShapeError(f"input '{name}' has shape {arr.shape}, but this program was traced with shape "
                                 f"{shape}: shapes are part of a traced program; trace f again for this shape")
            if arr.dtype != dtype:
                if arr.dtype.kind != dtype.kind and not (dtype.kind in "iu" and arr.dtype.kind in "iu"):
                    raise TypeError(f"input '{name}' has dtype {arr.dtype}, but this program was traced with {dtype}")
                arr = arr.astype(dtype)
            out.append(arr if arr.flags.c_contiguous else np.ascontiguousarray(arr))
        return out

    return check


def _leaves(rec: Recorder, steps: list, nodes: list) -> tuple[dict, _Inputs]:
    """Each leaf's value (an input: its Traced; a constant: its array now, frozen) and the map
    from input arrays to the inputs (for op parameters such as labels)."""
    from .tracing import identifier

    value = {i: Traced(s.var, s.node.data, rec) for i, s in enumerate(steps) if s.input is not None}
    by_input = {steps[i].input: t for i, t in value.items()}
    inputs = _Inputs([by_input[k] if k in by_input else Traced(var(f"x{k}", identifier(n.label or f"x{k}")),
                                                               n.data, rec) for k, n in enumerate(nodes)])
    for i, s in enumerate(steps):
        if s.input is None and s.op is None:
            if any(np.may_share_memory(s.node.data, a) for a in inputs.arrays):
                raise TraceError("trace: f reads an input's array through another tensor (a closure over "
                                 "the original, or a view made outside the graph): its values would be baked "
                                 "into the program. Use the argument f is called with")
            value[i] = np.array(s.node.data)
    return value, inputs


def _adjoints(rec: Recorder, steps: list, value: dict, saved: dict, inputs: _Inputs) -> dict:
    """Each step's adjoint, from the output's (1) back: the VJPs written down, each adjoint
    named once its contributions are all in."""
    adj = {len(steps) - 1: np.ones(np.shape(steps[-1].node.data))}
    for i in reversed(range(len(steps))):
        s = steps[i]
        if i not in adj:
            continue
        g = adj[i] = rec.named(adj[i], s.adj)
        needs = [steps[j].needs for j in s.parents]
        if s.op is None or not any(needs):
            continue
        grads = _vjp_step(rec, s, g, value[i], [value[j] for j in s.parents], inputs(s.params, s.op.name),
                          needs, saved[i])
        for j, gj, need in zip(s.parents, grads, needs):
            if need and gj is not None:
                adj[j] = gj if j not in adj else _accumulate(rec, adj[j], gj)
    return adj


def tensor_program(steps: list, nodes: list, differentiable: list, recorded: int) -> tuple:
    """(listing, Python source, namespace, counts, input check) of a Tensor program."""
    from .tracing import Listing, TraceCounts, adjoint_operations, count_lines, return_text

    rec = Recorder()
    value, inputs = _leaves(rec, steps, nodes)
    saved = {}
    for i, s in enumerate(steps):
        if s.op is not None:
            y, saved[i] = _forward_step(rec, s, [value[j] for j in s.parents], inputs(s.params, s.op.name))
            value[i] = rec.named(y, s.var)
    n_forward = len(rec.stmts)
    adj = _adjoints(rec, steps, value, saved, inputs)
    by_input = {s.input: i for i, s in enumerate(steps) if s.input is not None}
    used: set = set()
    grads = [_fresh_gradient(rec, adj.get(by_input.get(k)), n, used) if wanted else None
             for k, (n, wanted) in enumerate(zip(nodes, differentiable))]
    out = rec.operand(value[len(steps) - 1])
    returns = Expr(TUPLE, args=(out, Expr(TUPLE, args=tuple(grads))))
    stmts = inline_temporaries(rec.stmts, returns)
    kept = {id(s) for s in stmts}
    n_forward -= sum(1 for s in rec.stmts[:n_forward] if id(s) not in kept)
    namespace: dict = {}
    text = codegen.source("program", [f"x{k}" for k in range(len(nodes))], stmts, returns, namespace)
    forward, adjoint = stmts[:n_forward], stmts[n_forward:]
    counts = TraceCounts(sum(s.op is not None for s in steps), recorded, adjoint_operations(adjoint),
                         count_lines(adjoint))
    constants = [f"    {name} = {_describe(obj)}" for name, obj in rec.names.values() if name in namespace
                 and not callable(obj) and obj is not ARRAY]
    shown = [g.args[0].label if g.__class__ is Expr and g.kind == METHOD else
             (g.label if g.__class__ is Expr and g.kind == VAR else "0") for g in grads if g is not None]
    out_label = out.label if out.__class__ is Expr else codegen.pretty(out)
    listing = Listing(forward, adjoint, return_text(out_label, shown),
                      ("constants:", *constants) if constants else ())
    return listing, text, namespace, counts, _checker(nodes)


def _accumulate(rec: Recorder, total, g):
    """total + g, a new array (an adjoint may be another's array: never added into in place)."""
    if type(total) is Traced or type(g) is Traced:
        return rec.binary("+", np.add, total, g)
    return total + g


def _describe(obj) -> str:
    if isinstance(obj, (np.ndarray, np.generic)) and np.size(obj) <= 4:
        return repr(np.asarray(obj).tolist())
    if isinstance(obj, np.ndarray):
        return f"an array of shape {obj.shape} ({obj.dtype})"
    return repr(obj) if isinstance(obj, (slice, str)) else type(obj).__name__


def _uses(stmts: list, returns: Expr) -> dict:
    """How often each variable is read (in expressions, indices and as the target of t op= e)."""
    count: dict = {}
    stack = [returns] + [x for s in stmts for x in (s.expr, s.index)]
    stack += [t for s in stmts if s.kind in (INPLACE, SETITEM) for t in s.targets]
    while stack:
        x = stack.pop()
        if x.__class__ is Expr:
            if x.kind == VAR:
                count[x.name] = count.get(x.name, 0) + 1
            stack.extend(x.args)
            stack.extend(v for _, v in x.kw)
    return count


def _replace(e, name: str, by: Expr):
    """e with the variable ``name`` replaced by ``by`` (copies only the path to it)."""
    if e.__class__ is not Expr:
        return e
    if e.kind == VAR:
        return by if e.name == name else e
    stack, order = [e], []
    while stack:  # post-order without recursion: children rebuilt before their parent
        x = stack.pop()
        order.append(x)
        stack.extend(a for a in (*x.args, *(v for _, v in x.kw)) if a.__class__ is Expr and a.kind != VAR)
    new: dict = {}
    for x in reversed(order):
        sub = lambda a: by if a.__class__ is Expr and a.kind == VAR and a.name == name else new.get(id(a), a)  # noqa: E731
        new[id(x)] = Expr(x.kind, x.name, tuple(sub(a) for a in x.args), x.obj, x.label, tuple((k, sub(v)) for k, v in x.kw))
    return new[id(e)]


def inline_temporaries(stmts: list, returns: Expr) -> list:
    """Write a temporary read once into the expression that reads it (``b̄ = c̄ @ W2.T`` rather
    than ``t = W2.T`` then ``b̄ = c̄ @ t``), when no statement in between changes an array in
    place and the temporary itself is never changed: the same calls, in a readable order."""
    count = _uses(stmts, returns)
    out = list(stmts)
    pending: dict = {}  # temporary name → index of its definition in out
    for i, s in enumerate(out):
        if s.kind in (INPLACE, SETITEM, EXPR):
            pending.clear()
            continue
        for name in [n for n in pending if _reads(s, n)]:
            j = pending.pop(name)
            s.expr = _replace(s.expr, name, out[j].expr)
            out[j] = None
        if s.kind == ASSIGN and s.name != "unpack" and len(s.targets) == 1 and s.targets[0].name.startswith("t") \
                and count.get(s.targets[0].name) == 1:
            pending[s.targets[0].name] = i
    return [s for s in out if s is not None]


def _reads(s: Stmt, name: str) -> bool:
    stack = [s.expr]
    while stack:
        x = stack.pop()
        if x.__class__ is Expr:
            if x.kind == VAR and x.name == name:
                return True
            stack.extend(x.args)
            stack.extend(v for _, v in x.kw)
    return False
