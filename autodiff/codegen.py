"""Straight-line programs: the statements a trace records, printed as Python and compiled.

A program is a list of ``Stmt`` over ``symbolic.Expr`` expressions. ``source`` prints it as one
Python function and ``build`` compiles that function. This is the only place the library turns
text into code, and the text is ours alone:

* every identifier in it was made by the tracer (``v12``, ``g3``, ``k0``, SCALAR's and numpy's
  function names) and is checked here against ``[A-Za-z_][A-Za-z0-9_]*``; labels a user gives
  nodes appear only in the *printed* program (``symbolic.pretty``), never in this code;
* every literal is a number printed by ``symbolic.number_text`` (digits, '.', 'e', signs), or
  ``None``/``True``/``False``; any other constant (an array, a string, a slice) is passed in
  the function's namespace under a generated name, never written into the text;
* the finished source is checked once more: ASCII only, no quote, no backslash, no '#'.
"""

from __future__ import annotations

import keyword
import math
import re
from dataclasses import dataclass, field

from .errors import TraceError
from .symbolic import BIN, CALL, CONST, TUPLE, VAR, Expr, pretty, python

ASSIGN, ACC, INPLACE, SETITEM, EXPR, GUARD = range(6)
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
CHAIN = 200  # a longer a + b + c + … is split into statements (the compiler recurses on nesting)


@dataclass(eq=False)
class Stmt:
    """One statement. ``kind``: ASSIGN (``t = e``, or ``t1, t2 = e`` for several targets, and
    ``t, = e`` when ``name`` is "unpack" and there is one), ACC
    (``t = t + e``, printed ``t += e``), INPLACE (``t op= e``, op in ``name``), SETITEM
    (``t[index] = e``), EXPR (``e`` for its effect) or GUARD (``if e:`` then ``body``)."""

    kind: int
    targets: tuple = ()
    expr: object = None
    name: str = ""
    index: object = None
    body: list = field(default_factory=list)


def _line(s: Stmt, text) -> str:
    """One statement as text, ``text`` printing an expression (``python`` or ``pretty``)."""
    t = ", ".join(text(x) for x in s.targets)
    if s.kind == ASSIGN and s.name == "unpack":
        return f"{t}, = {text(s.expr)}" if len(s.targets) == 1 else f"{t} = {text(s.expr)}"
    if s.kind == ASSIGN:
        return f"{t} = {text(s.expr)}"
    if s.kind == ACC:
        if text is python:
            return f"{t} = {python(Expr(BIN, '+', (s.targets[0], s.expr)))}"
        return f"{t} += {text(s.expr)}"
    if s.kind == INPLACE:
        return f"{t} {s.name}= {text(s.expr)}"
    if s.kind == SETITEM:
        index = text(s.index)
        if s.index.__class__ is Expr and s.index.kind == TUPLE and s.index.args:
            index = index[1:-1].rstrip(",")  # t[a, b] = …, not t[(a, b)] = …
        return f"{t}[{index}] = {text(s.expr)}"
    if s.kind == EXPR:
        return text(s.expr)
    raise ValueError(f"unknown statement kind {s.kind}")


def lines(stmts: list, text, indent: str = "") -> list:
    """The statements as lines of text (guards indented), without recursion."""
    out = []
    stack = [(s, indent) for s in reversed(stmts)]
    while stack:
        s, pad = stack.pop()
        if s.kind == GUARD:
            out.append(f"{pad}if {text(s.expr) if text is python or not s.name else s.name}:")
            stack.extend((b, pad + "    ") for b in reversed(s.body))
        else:
            out.append(pad + _line(s, text))
    return out


def flat(stmts: list) -> list:
    """The statements with each guard replaced by its body (what may run)."""
    out, stack = [], list(reversed(stmts))
    while stack:
        s = stack.pop()
        if s.kind == GUARD:
            stack.extend(reversed(s.body))
        else:
            out.append(s)
    return out


def printed(stmts: list, indent: str = "") -> list:
    """The statements in the notes' notation."""
    return lines(stmts, pretty, indent)


# --- the code ----------------------------------------------------------------------------------
def _split_chain(s: Stmt) -> list:
    """``t = a + b + … (n terms)`` as statements of at most CHAIN terms, added in the same order."""
    e = s.expr
    if s.kind != ASSIGN or e.__class__ is not Expr or e.kind != BIN or e.name != "+":
        return [s]
    spine = []
    while e.__class__ is Expr and e.kind == BIN and e.name == "+":
        spine.append(e.args[1])
        e = e.args[0]
    if len(spine) <= CHAIN:
        return [s]
    spine.append(e)
    spine.reverse()  # first term, then each added term in order
    (t,) = s.targets
    out, acc = [], spine[0]
    for i, term in enumerate(spine[1:], 1):
        acc = Expr(BIN, "+", (acc, term))
        if i % CHAIN == 0:
            out.append(Stmt(ASSIGN, (t,), acc))
            acc = t
    if acc is not t:
        out.append(Stmt(ASSIGN, (t,), acc))
    return out


def _collect(stmts: list, namespace: dict) -> None:
    """Check every identifier and bind every function and constant the statements name."""
    stack = []
    for s in stmts:
        stack.extend((*s.targets, s.expr, s.index, *s.body))
    seen, checked = set(), set()
    while stack:
        x = stack.pop()
        if x.__class__ is not Expr or id(x) in seen:
            if x.__class__ is Stmt:
                stack.extend((*x.targets, x.expr, x.index, *x.body))
            continue
        seen.add(id(x))
        if x.kind in (VAR, CALL, CONST) or x.kw:
            for name in [x.name] + [k for k, _ in x.kw]:
                if name not in checked:
                    if not _IDENT.fullmatch(name) or keyword.iskeyword(name):
                        raise TraceError(f"internal: {name!r} is not a generated identifier")
                    checked.add(name)
        if x.kind in (CALL, CONST):
            bound = namespace.setdefault(x.name, x.obj)
            if bound is not x.obj:
                raise TraceError(f"internal: the name {x.name!r} is bound to two objects")
        stack.extend(x.args)
        stack.extend(v for _, v in x.kw)


def source(name: str, params: list, stmts: list, returns: Expr, namespace: dict) -> str:
    """The program as the text of one Python function; fills ``namespace`` with what it names."""
    flat = [piece for s in stmts for piece in _split_chain(s)]
    _collect(flat + [Stmt(EXPR, expr=returns)], namespace)
    namespace.setdefault("inf", math.inf)
    namespace.setdefault("nan", math.nan)
    for p in [name, *params]:
        if not _IDENT.fullmatch(p) or keyword.iskeyword(p):
            raise TraceError(f"internal: {p!r} is not a generated identifier")
    body = lines(flat, python, "    ") + [f"    return {python(returns)}"]
    text = f"def {name}({', '.join(params)}):\n" + "\n".join(body) + "\n"
    if not text.isascii() or any(c in text for c in "'\"\\#"):
        raise TraceError("internal: generated code may hold only identifiers, numbers and operators")
    return text


def build(name: str, text: str, namespace: dict):
    """Compile ``text`` (from ``source``) and return the function it defines."""
    # The only compile/exec in the library. Nothing a user types reaches it: the text is made by
    # ``source`` from a recorded graph, out of generated identifiers and numeric literals (checked
    # there), and user data (labels, arrays, strings) can only enter through ``namespace`` as
    # values, never as code.
    code = compile(text, f"<autodiff.trace {name}>", "exec")
    exec(code, namespace)  # noqa: S102  (defines the one function; see the comment above)
    return namespace[name]
