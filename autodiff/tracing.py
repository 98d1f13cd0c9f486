"""``trace``: a computation recorded once as the program backprop really runs, and replayed.

Reverse mode *is* a straight-line program: the forward pass, one primitive per line (the Wengert
list: a = x², b = exp a, c = a + b, d = √c), then its adjoint, one line per edge of the graph,
from the output back to the inputs (d̄ = 1, c̄ = d̄·1/(2d), ā = c̄, b̄ = c̄, ā += b̄·b, x̄ = ā·2x).
``trace(f, *inputs)`` runs f once on nodes, records that program, and returns it as a
``Program``: print it to read it, call it on new inputs to run it without building a graph.

Every line comes from the op table: a forward line is the op's rule ``f`` and an adjoint line
the product ``ḡ·∂y/∂x`` of its rule ``df`` (for a Tensor, its VJP), rendered by a namespace
that writes code instead of numbers (``symbolic.SYMBOLIC``; Tensors: ``arraytrace``).

The replay is right only for inputs that take the path the example took. Python control flow
is baked in as it ran (a branch on ``x.data``, a loop count, ``if x > 0``), as in JAX's tracing,
and so is every number computed outside the graph: a leaf that is not an input (its value now),
``.data``/``.item()``/``float(x)``, a comparison such as ``x > 0`` used as a ``where`` mask, an
array made from an input with numpy, a random draw (a dropout mask is the same at every call).
Ops with kinks (relu, abs, max, clip, step) are ops, not branches: they stay right. Side effects
of f (printing, running statistics) happen once, now.
What can be checked is checked on every call: the number of inputs, and for a Tensor input its
shape and dtype (a different shape needs its own trace).
"""

from __future__ import annotations

import functools
import inspect
import itertools
import keyword
import math
import numbers
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import codegen, engine, grad_mode
from .codegen import ACC, ASSIGN, GUARD, Stmt
from .errors import GradError, TraceError
from .mathns import SCALAR
from .symbolic import (
    BIN,
    CALL,
    NEG,
    SELECT,
    SHARE,
    SUBSCRIPT,
    SYMBOLIC,
    TUPLE,
    VAR,
    Expr,
    Untraceable,
    binary,
    operations,
    var,
)
from .tensor import Tensor
from .value import Value


@dataclass
class Step:
    """One line of the forward program: a leaf (``op`` None: an input, or a constant) or an op
    applied to earlier steps. ``needs``: the output's gradient must flow through it."""

    node: object
    op: object = None
    params: tuple = ()
    parents: tuple = ()
    input: int | None = None
    needs: bool = False
    label: str = ""
    var: Expr | None = None
    adj: Expr | None = None


@dataclass(frozen=True)
class TraceCounts:
    """Operations in a traced program: ``forward`` primitives (one line each, after repeated
    subexpressions are merged; ``forward_recorded`` before), and ``adjoint`` floating-point
    operations of the adjoint code (each +, −, ·, /, function call and selection counts 1; a plain
    copy ``b̄ = c̄`` counts 0) in ``adjoint_lines`` statements."""

    forward: int
    forward_recorded: int
    adjoint: int
    adjoint_lines: int


# --- the graph, once per distinct computation -------------------------------------------------
def _params_key(params: tuple) -> tuple:
    """Parameters compared by value when they are plain numbers, else by identity."""
    out = []
    for p in params:
        if p.__class__ in (int, float, bool, str) and p == p or p is None:
            out.append((p.__class__, p))
        elif p.__class__ is tuple:
            out.append(("tuple", _params_key(p)))
        else:
            out.append(("id", id(p)))
    return tuple(out)


def record(root, inputs: list, differentiable: list) -> tuple[list, int]:
    """The steps that compute ``root`` from ``inputs``, each after its parents (the first parent's
    computation first, as the code ran) and each distinct computation once: a node repeating
    an earlier one (same op, parameters and parents, e.g. x**2 written twice) is merged into it.
    Returns (steps, the number of op nodes before merging)."""
    steps, index, merged = [], {}, {}
    slot = {id(x): i for i, x in enumerate(inputs)}
    recorded = 0
    stack = [(root, False)]
    while stack:
        node, ready = stack.pop()
        if id(node) in index:
            continue
        leaf = not node.parents or id(node) in slot
        if not leaf and not ready:
            stack.append((node, True))
            stack.extend((p, False) for p in reversed(node.parents) if id(p) not in index)
            continue
        if leaf:
            i = slot.get(id(node))
            key = ("constant", node.data.hex()) if i is None and node.__class__ is Value else None
            if key in merged:  # the same number lifted twice (x * 2 + x * 2): one constant
                index[id(node)] = merged[key]
                continue
            _check_constant(node, i)
            steps.append(Step(node, input=i, needs=i is not None and differentiable[i]))
            index[id(node)] = len(steps) - 1
            if key is not None:
                merged[key] = index[id(node)]
            continue
        recorded += 1
        parents = tuple(index[id(p)] for p in node.parents)
        key = (id(node.op_entry), _params_key(node.op_params), parents)
        if key in merged:
            index[id(node)] = merged[key]
            continue
        steps.append(Step(node, node.op_entry, node.op_params, parents,
                          needs=any(steps[j].needs for j in parents)))
        index[id(node)] = merged[key] = len(steps) - 1
    return steps, recorded


def _check_constant(node, i) -> None:
    if i is None and node.__class__ is Tensor and node.requires_grad:
        name = f"'{node.label}'" if node.label else f"of shape {node.shape}"
        raise TraceError(f"trace: f uses the tensor {name}, which requires grad but is not an input: its "
                         "value now would be baked into the program. Pass it to trace as an input")


# --- names --------------------------------------------------------------------------------------
def identifier(label: str) -> str:
    """A label as a Python identifier: characters other than letters, digits and _ become _."""
    name = re.sub(r"\W", "_", str(label))
    if not name.isidentifier():
        name = "_" + re.sub(r"[^A-Za-z0-9_]", "_", name)
    return name + "_" if keyword.iskeyword(name) else name


def bar(name: str) -> str:
    """The adjoint's name: x → x̄, W1 → W̄1 (a macron over the first character; NFC, so ā is
    the one character a keyboard gives)."""
    return unicodedata.normalize("NFC", name[0] + "\u0304") + name[1:]


def _letters():
    for k in itertools.count():
        for c in "abcdefghijklmnopqrstuvwxyz":
            yield c if k == 0 else f"{c}{k}"


def parameter_names(f: Callable, n: int) -> list:
    """Names for f's first n positional arguments (``*args`` → args0, args1, …)."""
    names = []
    try:
        params = list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):
        params = []
    for p in params:
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            names.append(p.name)
        elif p.kind == p.VAR_POSITIONAL:
            names.extend(f"{p.name}{i}" for i in range(n - len(names)))
    return (names + [f"x{i}" for i in range(len(names), n)])[:n]


def name_steps(steps: list, input_names: list) -> None:
    """Give each step its variables: ``v<i>``/``g<i>`` in the code, and for reading the node's
    label, the input's name, or the next free letter (a, b, c, …)."""
    taken: set = set()

    def claim(wanted: str) -> str:
        name, k = wanted, 2
        while name in taken:
            name, k = f"{wanted}_{k}", k + 1
        taken.add(name)
        return name

    for s in steps:
        if s.input is not None:
            s.label = claim(identifier(s.node.label or input_names[s.input]))
    free = _letters()
    for s in steps:
        if s.input is None and s.op is not None:
            if s.node.label:
                s.label = claim(identifier(s.node.label))
            else:
                s.label = claim(next(n for n in free if n not in taken))
    for i, s in enumerate(steps):
        label = s.label or f"k{i}"  # a constant leaf is shown as its number; k<i> names it otherwise
        s.var = var(f"x{s.input}" if s.input is not None else f"v{i}", label)
        s.adj = var(f"g{i}", bar(label))


# --- the scalar program -------------------------------------------------------------------------
def _operand(s: Step):
    """A step as an operand: its variable, or a constant leaf's number."""
    return s.var if s.input is not None or s.op is not None else s.node.data


def _rule(s: Step, which: str, *args):
    """op.f or op.df on expressions; a rule that cannot be written so is called instead."""
    rule = getattr(s.op, which)
    try:
        return rule(SYMBOLIC, *args, *s.params)
    except Untraceable:
        fn = functools.partial(rule, SCALAR)
        name = f"{which}_{identifier(s.op.name).strip('_') or 'op'}_{id(fn)}"
        flat = [a for x in args for a in (x if isinstance(x, list) else [x])]  # n-ary rules take lists
        if len(flat) != len(args):
            raise
        call = Expr(CALL, name, (*args, *s.params), obj=fn)
        if which == "f":
            return call
        return [Expr(SUBSCRIPT, args=(call, k)) for k in range(len(s.parents))]


def _forward(steps: list) -> list:
    stmts = []
    for s in steps:
        if s.op is None:
            continue
        args = [_operand(steps[j]) for j in s.parents]
        args = s.op.node_args(args) if s.op.node_args else args
        stmts.append(Stmt(ASSIGN, (s.var,), _rule(s, "f", *args)))
    return stmts


def _polynomial(e, parents: set) -> bool:
    """Whether e uses only +, −, × of finite numbers and the parents, with every parent in it
    (then a finite e has finite parents: inf or NaN in any of them would show in e)."""
    seen, stack = set(), [e]
    while stack:
        x = stack.pop()
        if x.__class__ is Expr:
            if x.kind == VAR:
                seen.add(x.name)
            elif x.kind == NEG or (x.kind == BIN and x.name in "+-*"):
                stack.extend(x.args)
            else:
                return False
        elif not (x.__class__ in (int, float) and math.isfinite(x)):
            return False
    return parents <= seen


def _guard(s: Step, y_expr, locals_: list):
    """A test that is false only when every contribution of this step is an exact zero: its
    adjoint is 0 and each local derivative is finite (a selection passes an exact zero anyway).
    None when that cannot be known cheaply. Skipping those lines is what the hand-written code
    does for a neuron behind a ReLU that did not fire."""
    needs_finite_y = False
    polynomial = None
    for local in locals_:
        if local.__class__ in (int, float):
            if not math.isfinite(local):
                return None
        elif local.__class__ is Expr and local.kind in (SELECT, SHARE):
            continue
        elif local is s.var:
            needs_finite_y = True
        elif local.__class__ is Expr and local.kind == VAR:
            if polynomial is None:
                polynomial = _polynomial(y_expr, {local.name for local in locals_ if local.__class__ is Expr
                                                  and local.kind == VAR and local is not s.var})
            if not polynomial:
                return None
            needs_finite_y = True
        else:
            return None
    if not needs_finite_y:
        return s.adj
    return binary("or", s.adj, binary("-", s.var, s.var))  # y − y: 0 if finite, NaN if not


def _emit(target: Step, c, assigned: set, out: list, pre: list | None) -> None:
    """target's adjoint gets the contribution c (= for the first, += after)."""
    if target.adj.name in assigned:
        out.append(Stmt(ACC, (target.adj,), c))
        return
    if pre is None:
        out.append(Stmt(ASSIGN, (target.adj,), c))
    else:  # inside a guard that may skip it: start from an exact 0 before the guard
        pre.append(Stmt(ASSIGN, (target.adj,), 0.0))
        out.append(Stmt(ACC, (target.adj,), c))
    assigned.add(target.adj.name)


def _adjoint(steps: list, forward: list) -> tuple[list, set]:
    """ḡ = 1 for the output, then for each step from the last: parent̄ += ḡ·∂y/∂parent.
    Returns the statements and the adjoints they assign."""
    root = steps[-1]
    stmts = [Stmt(ASSIGN, (root.adj,), 1.0)]
    assigned = {root.adj.name}
    y_of = {s.var.name: st.expr for s, st in zip((s for s in steps if s.op is not None), forward)}
    for s in reversed(steps):
        if s.op is None or s.adj.name not in assigned:
            continue
        args = [_operand(steps[j]) for j in s.parents]
        args = s.op.node_args(args) if s.op.node_args else args
        locals_ = list(_rule(s, "df", s.var, *args))
        edges = [(steps[j], local) for j, local in zip(s.parents, locals_) if steps[j].needs]
        guard = _guard(s, y_of[s.var.name], [local for _, local in edges]) if len(edges) >= 3 else None
        body, pre = [], ([] if guard is not None else None)
        for parent, local in edges:
            _emit(parent, binary("*", s.adj, local), assigned, body, pre)
        if guard is None:
            stmts.extend(body)
        else:
            text = f"{s.adj.label} ≠ 0" + (f" or {s.var.label} is not finite" if guard is not s.adj else "")
            stmts.extend(pre)
            stmts.append(Stmt(GUARD, expr=guard, body=body, name=text))
    return stmts, assigned


def adjoint_operations(stmts: list) -> int:
    """Floating-point operations in statements (an accumulation adds one for its +)."""
    return sum(operations(s.expr) + (s.kind == ACC) for s in codegen.flat(stmts))


def count_lines(stmts: list) -> int:
    """Statements, those inside guards included."""
    return len(codegen.flat(stmts))


# --- inputs -------------------------------------------------------------------------------------
def _prepare(inputs: tuple, names: list) -> tuple[list, list]:
    """(the nodes f is called with, which of them get a gradient). A Value, or a Tensor that
    requires grad, is used as it is (f may also reach it through a closure); a number becomes a
    Value; an array, or a Tensor that does not require grad, becomes a Tensor leaf over the same
    memory: data (no gradient returned), but recorded like a parameter so that everything f
    computes from it is part of the program."""
    nodes, differentiable = [], []
    for x, name in zip(inputs, names):
        if isinstance(x, Value) or (isinstance(x, Tensor) and x.requires_grad):
            nodes.append(x)
            differentiable.append(True)
        elif isinstance(x, numbers.Real) and not isinstance(x, bool):
            nodes.append(Value(float(x), label=name))
            differentiable.append(True)
        elif isinstance(x, (Tensor, np.ndarray)):
            arr = np.ascontiguousarray(x.data if isinstance(x, Tensor) else x)
            if arr.dtype.kind not in "biuf":
                raise TypeError(f"trace: input '{name}' has dtype {arr.dtype}; inputs are numbers or numeric arrays")
            t = Tensor.from_numpy(arr, requires_grad=arr.dtype.kind == "f", label=getattr(x, "label", "") or name)
            nodes.append(t)
            differentiable.append(False)
        else:
            raise TypeError(f"trace: input '{name}' is a {type(x).__name__}; inputs are numbers, Values, "
                            "numpy arrays or Tensors")
    if len({id(n) for n in nodes}) != len(nodes):
        raise TraceError("trace: the same node was passed twice as an input; pass each input once")
    kinds = {type(n) for n in nodes}
    if len(kinds) > 1:
        raise TypeError("trace: inputs mix Values and Tensors (numbers and arrays); a program is over one kind")
    return nodes, differentiable


def _check_output(out, scalar: bool):
    if scalar and isinstance(out, Value):
        return
    if not scalar and isinstance(out, Tensor):
        if out.size != 1:
            raise GradError(f"trace: f returned a tensor of shape {out.shape}; a traced program "
                            "differentiates one number (a loss): reduce it first, e.g. .sum() or .mean()")
        return
    want = "a Value" if scalar else "a one-element Tensor"
    raise TraceError(f"trace: f must return {want} computed from its inputs, got {type(out).__name__}")


# --- the program --------------------------------------------------------------------------------
LISTED = 500  # a program printed in full up to this many lines per part; a longer one, its start


@dataclass
class Listing:
    """What ``print(program)`` shows, printed only when asked. Of a long program (a training
    step has tens of thousands of lines) only the first ``LISTED`` lines of each part are kept."""

    forward: list
    adjoint: list
    returns: str
    constants: tuple = ()

    def __post_init__(self) -> None:
        self.more = (max(0, len(self.forward) - LISTED), max(0, len(self.adjoint) - LISTED))
        self.forward, self.adjoint = self.forward[:LISTED], self.adjoint[:LISTED]

    def text(self, c: TraceCounts) -> str:
        merged = c.forward_recorded - c.forward
        note = f" ({c.forward_recorded} recorded, {merged} repeated computation{'s' * (merged > 1)} done once)" \
            if merged else ""
        ops = lambda n: f"{n} operation{'s' * (n != 1)}"  # noqa: E731
        more = [[f"    … {n} more statements (program.python has them all)"] if n else [] for n in self.more]
        lines = [*self.constants, f"forward: {ops(c.forward)}{note}", *codegen.printed(self.forward, "    "),
                 *more[0], f"adjoint: {ops(c.adjoint)}", *codegen.printed(self.adjoint, "    "), *more[1],
                 self.returns]
        return "\n".join(lines) + "\n"


class Program:
    """A traced computation: its forward and adjoint code, runnable without building a graph.

    ``program(*inputs)`` → ``(output, gradients)``: numbers (or arrays) in, the output and a
    tuple with one gradient per input out (None for a data input, e.g. a numpy array of
    targets). ``print(program)`` shows the code in the notes' notation; ``program.python`` is
    the exact code that runs; ``program.counts`` its operation counts. ``program.replay()``
    runs it on the traced input nodes' current data and adds the gradients into their ``grad``,
    as ``backward()`` would (so an optimizer can step on them)."""

    def __init__(self, inputs, differentiable, names, listing, text, fn, counts, check) -> None:
        self.inputs = tuple(inputs)
        self.names = tuple(names)
        self._listing = listing
        self.python = text
        self.counts = counts
        self._fn = fn
        self._check = check
        self._differentiable = tuple(differentiable)

    def __call__(self, *args):
        if len(args) != len(self.inputs):
            raise TypeError(f"this program takes {len(self.inputs)} input(s) ({', '.join(self.names)}), "
                            f"got {len(args)}")
        return self._fn(*self._check(args))

    def replay(self):
        """Run on the inputs' current data; add each gradient into its input's ``grad``; return
        the output (a number or an array)."""
        out, grads = self(*(x.data for x in self.inputs))
        for x, g, d in zip(self.inputs, grads, self._differentiable):
            if d:
                x.accumulate(g)
        return out

    @functools.cached_property
    def source(self) -> str:
        """The program in the notes' notation: forward lines, then adjoint lines."""
        return self._listing.text(self.counts)

    def __str__(self) -> str:
        return self.source

    def __repr__(self) -> str:
        c = self.counts
        return (f"<Program of {', '.join(self.names)}: {c.forward} forward operations, "
                f"{c.adjoint} adjoint operations>")


def _scalar_args(args: tuple) -> tuple:
    if all(a.__class__ is float for a in args):
        return args
    out = []
    for i, a in enumerate(args):
        if isinstance(a, bool) or not isinstance(a, numbers.Real):
            hint = " (pass its number, v.data)" if isinstance(a, Value) else ""
            raise TypeError(f"input {i} of this program must be a real number, got {type(a).__name__}{hint}")
        out.append(float(a))
    return tuple(out)


def return_text(out: str, grads: list) -> str:
    """The printed program's last line: the output and the inputs' adjoints."""
    return f"return {out}, " + (grads[0] if len(grads) == 1 else f"({', '.join(grads)})")


def _scalar_program(steps: list, n_inputs: int, recorded: int) -> tuple:
    """(the listing to print, the Python source, its namespace, counts) of a Value program."""
    forward = _forward(steps)
    adjoint, assigned = _adjoint(steps, forward)
    by_input = {s.input: s for s in steps if s.input is not None}
    grads = [by_input[i].adj if i in by_input and by_input[i].adj.name in assigned else 0.0
             for i in range(n_inputs)]
    out = _operand(steps[-1])
    returns = Expr(TUPLE, args=(out, Expr(TUPLE, args=tuple(grads))))
    namespace: dict = {}
    text = codegen.source("program", [f"x{i}" for i in range(n_inputs)], forward + adjoint, returns, namespace)
    counts = TraceCounts(len(forward), recorded, adjoint_operations(adjoint), count_lines(adjoint))
    pretty_grads = [g.label if g.__class__ is Expr else "0" for g in grads]
    shown_out = out.label if out.__class__ is Expr else codegen.pretty(out)
    listing = Listing(forward, adjoint, return_text(shown_out, pretty_grads))
    return listing, text, namespace, counts


def _close(a, b) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = max(1.0, float(np.max(np.abs(b[np.isfinite(b)]), initial=0.0)))
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-9, atol=1e-12 * scale, equal_nan=True))


def _verify(fn, check, nodes, differentiable, root, seed) -> None:
    """The program, run on the example, must give what the graph and backward() gave."""
    out, grads = fn(*check(tuple(x.data for x in nodes)))
    wanted = [x for x, d in zip(nodes, differentiable) if d]
    reference = iter(engine.gradients(root, seed, wanted))
    for x, g, d in zip(nodes, grads, differentiable):
        if not d:
            continue
        r = next(reference)
        r = (0.0 if isinstance(x, Value) else np.zeros(x.shape)) if r is None else r
        if not _close(g, r):
            raise TraceError(f"internal: the traced program's gradient for '{x.label}' differs from "
                             "backward()'s on the example; please report it")
    if not _close(out, root.data):
        raise TraceError("internal: the traced program's output differs from f's on the example; please report it")


def trace(f: Callable, *inputs) -> Program:
    """Run ``f(*inputs)`` once on graph nodes and return the program backprop runs for it.

    ``inputs``: numbers (or Values) for a scalar program; numpy arrays or Tensors for a tensor
    program. A Value, or a Tensor with ``requires_grad=True``, is used as it is and gets a
    gradient; an array, or a Tensor without ``requires_grad``, is data (e.g. a minibatch and its
    labels): it varies from call to call but gets no gradient. f returns one number: a Value,
    or a one-element Tensor.

    The program (see ``Program``) replays f for new inputs without building a graph. It is right
    for inputs that take the same path through f as the example: Python branches, loop counts
    and every number computed outside the graph are baked in (see the module docstring). Tensor
    shapes and dtypes are fixed: a call with another shape raises ``ShapeError``.

    >>> p = trace(lambda x: (x**2).exp(), 0.5)
    >>> print(p.source.splitlines()[1:3])
    ['    a = x²', '    b = exp(a)']
    >>> out, (dx,) = p(1.0); round(dx, 6)   # 2x·exp(x²) at x = 1
    5.436564
    """
    names = parameter_names(f, len(inputs))
    nodes, differentiable = _prepare(inputs, names)
    with grad_mode.enable_grad():  # a trace records even inside no_grad() (f's own blocks still count)
        out = f(*nodes)
    scalar = isinstance(nodes[0], Value) if nodes else not isinstance(out, Tensor)
    _check_output(out, scalar)
    steps, recorded = record(out, nodes, differentiable)
    name_steps(steps, names)
    if scalar:
        listing, text, namespace, counts = _scalar_program(steps, len(nodes), recorded)
        check, seed = _scalar_args, 1.0
    else:
        from . import arraytrace  # (it imports this module)

        listing, text, namespace, counts, check = arraytrace.tensor_program(steps, nodes, differentiable, recorded)
        seed = np.ones(out.shape)
    fn = codegen.build("program", text, namespace)
    _verify(fn, check, nodes, differentiable, out, seed)
    shown = {s.input: s.label for s in steps if s.input is not None}
    shown_names = [shown.get(i, identifier(names[i])) for i in range(len(nodes))]
    return Program(nodes, differentiable, shown_names, listing, text, fn, counts, check)
