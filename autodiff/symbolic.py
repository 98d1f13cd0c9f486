"""The fourth namespace: the op table's rules rendered as expressions instead of numbers.

``SYMBOLIC`` has the names of ``mathns.SCALAR``. Given an ``Expr`` argument, each function returns
an ``Expr`` recording the call instead of computing it, and so do the operators of ``Expr``; on
plain numbers it computes, with ``SCALAR`` itself. So ``op.df(SYMBOLIC, y, a, b)`` is the local
derivatives of an op as formulas in the names y, a, b: the rule of ``ops.py``, not a second copy.

Two printers turn an expression into text:

* ``python(e)``: Python that calls ``SCALAR``'s own functions (``exp``, ``relu``, ``pow`` …), so
  code made of it computes exactly what ``Value`` computes, bit for bit;
* ``pretty(e)``: the notes' notation, ``x²``, ``√c``, ``1/(2d)``, ``ā·2x``, ``z̄·[z > 0]``.

Selections (relu, step, clip, max/min) give a local derivative of 1 or an *exact* zero (see
``mathns``). Here ``select(c)`` times g is the gate ``g if c else 0.0``, printed ``g·[c]``.

Both printers walk an expression with an explicit stack (no recursion), so a sum of a million
terms prints as well as ``a + b``.
"""

from __future__ import annotations

import math
import re

from .mathns import SCALAR

# kinds of expression
VAR, CONST, BIN, NEG, CALL, COND, GATE, SELECT, SHARE = range(9)
# and for the array code of traced tensor programs (see arraytrace.py)
METHOD, ATTR, SUBSCRIPT, TUPLE, LIST = range(9, 14)

_ARITH = frozenset("+-*/@") | {"**"}
_COMPARE = frozenset(("<", "<=", ">", ">=", "==", "!="))


class Untraceable(Exception):
    """A rule did something a program cannot write down (e.g. a Python branch on a traced
    value); the tracer then calls the rule itself instead."""


class Expr:
    """A node of an expression: a variable, a constant, an operator or a call on sub-expressions.

    ``kind`` is one of the constants above; ``name`` the variable's identifier, the operator or
    the function's name; ``args`` the operands; ``obj`` a constant's value or a call's function;
    ``label`` a variable's display name; ``kw`` a call's keyword arguments as (key, Expr) pairs."""

    __slots__ = ("kind", "name", "args", "obj", "label", "kw")
    __hash__ = object.__hash__  # == builds an expression: a set of Exprs compares by identity

    def __init__(self, kind: int, name: str = "", args: tuple = (), obj=None, label: str = "", kw: tuple = ()):
        self.kind, self.name, self.args, self.obj, self.label, self.kw = kind, name, args, obj, label, kw

    def __repr__(self) -> str:
        return f"Expr({python(self)})"

    def __bool__(self):
        raise Untraceable("a rule branched on a traced value (bool of an expression)")

    def __float__(self):
        raise Untraceable("a rule converted a traced value to a number")

    # --- arithmetic: both operand orders, exact identities only -----------------------------------
    def __add__(self, o):
        return binary("+", self, o)

    def __radd__(self, o):
        return binary("+", o, self)

    def __sub__(self, o):
        return binary("-", self, o)

    def __rsub__(self, o):
        return binary("-", o, self)

    def __mul__(self, o):
        return binary("*", self, o)

    def __rmul__(self, o):
        return binary("*", o, self)

    def __truediv__(self, o):
        return binary("/", self, o)

    def __rtruediv__(self, o):
        return binary("/", o, self)

    def __pow__(self, o):
        return binary("**", self, o)

    def __rpow__(self, o):
        return binary("**", o, self)

    def __neg__(self):
        return Expr(NEG, "-", (self,))

    def __pos__(self):
        return self

    def __lt__(self, o):
        return binary("<", self, o)

    def __le__(self, o):
        return binary("<=", self, o)

    def __gt__(self, o):
        return binary(">", self, o)

    def __ge__(self, o):
        return binary(">=", self, o)

    def __eq__(self, o):
        return binary("==", self, o)

    def __ne__(self, o):
        return binary("!=", self, o)


def var(name: str, label: str = "") -> Expr:
    """A program variable: ``name`` in the executed code, ``label`` in the printed program."""
    return Expr(VAR, name, label=label or name)


def is_number(x) -> bool:
    return x.__class__ in (float, int, bool)


def binary(op: str, a, b):
    """a op b, keeping the exact identities e·1 = e, e·(−1) = −e and the selections' gates."""
    if op == "*":
        for s, g in ((a, b), (b, a)):
            if s.__class__ is Expr and s.kind in (SELECT, SHARE):
                return _gate(s, g)
        if is_number(b) and b == 1:
            return a
        if is_number(a) and a == 1:
            return b
        if is_number(b) and b == -1:
            return -a
        if is_number(a) and a == -1:
            return -b
    for x in (a, b):
        if x.__class__ is Expr and x.kind in (SELECT, SHARE):
            raise Untraceable(f"a selection used in '{op}' (only its product with a gradient is defined)")
    return Expr(BIN, op, (a, b))


def _gate(s: Expr, g):
    """select(c)·g = g where c else an exact 0 (also for g = ±inf, NaN); share splits a tie in ½."""
    if s.kind == SELECT:
        (c,) = s.args
        if c.__class__ is not Expr:
            return g if c else 0.0
        return Expr(GATE, args=(g, c))
    win, tie = s.args
    return Expr(COND, args=(win, g, _gate(Expr(SELECT, args=(tie,)), 0.5 * g)))


# --- the namespace ----------------------------------------------------------------------------
def _function(name: str):
    """m.name(...): SCALAR's function on numbers, a call expression on expressions."""
    numeric = getattr(SCALAR, name)

    def fn(*args):
        if any(a.__class__ is Expr for a in args):
            return Expr(CALL, name, args, obj=numeric)
        return numeric(*args)

    fn.__name__ = name
    return staticmethod(fn)


class SYMBOLIC:
    """The rules' namespace on expressions (see the module docstring)."""

    for _name in ("exp", "log", "sqrt", "sin", "cos", "tanh", "expm1", "log1p", "abs", "sign", "sigmoid",
                  "relu", "recip", "threshold", "clip", "maximum", "minimum", "min", "max"):
        locals()[_name] = _function(_name)
    del _name
    _pow = _function("pow")
    _pow_d = _function("pow_d")

    @staticmethod
    def pow(a, n):
        return a if is_number(n) and n == 1 else SYMBOLIC._pow(a, n)  # a**1.0 is a, exactly

    @staticmethod
    def pow_d(a, e):
        return a if is_number(e) and e == 1 else SYMBOLIC._pow_d(a, e)

    @staticmethod
    def where(cond, a, b):
        if cond.__class__ is not Expr:
            return a if cond else b
        return Expr(COND, args=(cond, a, b))

    @staticmethod
    def select(cond):
        """1 where cond holds, else an exact zero (``mathns.SCALAR.select``)."""
        return Expr(SELECT, args=(cond,))

    @staticmethod
    def share(win, tie):
        """max/min's slope: 1 if win, ½ on a tie, else an exact zero (``mathns.SCALAR.share``)."""
        return Expr(SHARE, args=(win, tie))

    @staticmethod
    def positive(x):
        return SYMBOLIC.select(x > 0)

    @staticmethod
    def unselected(x):
        return SYMBOLIC.select(False)

    @staticmethod
    def zeros_like(x):
        return 0.0


# --- printing ---------------------------------------------------------------------------------
COND_P, OR_P, COMPARE_P, ADD_P, MUL_P, UNARY_P, POW_P, ATOM_P = 1, 2, 6, 10, 11, 12, 13, 15
_PREC = {"+": ADD_P, "-": ADD_P, "*": MUL_P, "/": MUL_P, "@": MUL_P, "**": POW_P}
_PRETTY_OPS = {"*": "·", "<=": "≤", ">=": "≥", "==": "=", "!=": "≠"}
_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_LITERAL = re.compile(r"-?(?:\d+\.?\d*(?:e[+-]?\d+)?|\d+)")


def number_text(x, pretty: bool = False) -> str:
    """A number as a literal: repr for code (finite floats, ints, bools), short for print."""
    if x is None or x.__class__ is bool:
        return repr(x)
    if x.__class__ is float and not math.isfinite(x):
        if pretty:
            return "NaN" if x != x else ("∞" if x > 0 else "-∞")
        return "nan" if x != x else ("inf" if x > 0 else "-inf")  # names bound by the code generator
    if pretty and float(x).is_integer() and abs(x) < 1e15:
        return str(int(x))
    text = repr(x)
    if not _LITERAL.fullmatch(text):  # nothing but digits, '.', 'e' and signs reaches the code
        raise ValueError(f"not a numeric literal: {text!r}")
    return text


def _children(e) -> tuple:
    if e.__class__ is not Expr:
        return ()
    return e.args + tuple(v for _, v in e.kw) if e.kw else e.args


def render(e, leaf, node) -> str:
    """Text of ``e`` bottom-up without recursion: ``leaf(x)`` gives (text, precedence) of a
    number or a variable, ``node(e, parts)`` of an expression from its operands' (text, prec)."""
    if e.__class__ is not Expr or e.kind < BIN:
        return leaf(e)[0]
    done: dict = {}
    stack = [e]
    while stack:
        x = stack.pop()
        key = id(x)
        if key in done:
            continue
        kids = x.args + tuple(v for _, v in x.kw) if x.kw else x.args
        pending = [k for k in kids if k.__class__ is Expr and k.kind >= BIN and id(k) not in done]
        if pending:
            stack.append(x)
            stack.extend(pending)
            continue
        done[key] = node(x, [done[id(k)] if k.__class__ is Expr and k.kind >= BIN else leaf(k) for k in kids])
    return done[id(e)][0]


def wrap(part: tuple, need: int) -> str:
    text, prec = part
    return text if prec >= need else f"({text})"


def binary_text(op: str, a: tuple, b: tuple, symbol: str) -> tuple:
    """An operator's text, its operands in parentheses where Python's precedence needs them."""
    if op in _COMPARE:
        return f"{wrap(a, COMPARE_P + 1)} {symbol} {wrap(b, COMPARE_P + 1)}", COMPARE_P
    if op == "or":
        return f"{wrap(a, OR_P + 1)} or {wrap(b, OR_P + 1)}", OR_P
    p = _PREC[op]
    if op == "**":
        return f"{wrap(a, POW_P + 1)}{symbol}{wrap(b, UNARY_P)}", POW_P
    return f"{wrap(a, p)} {symbol} {wrap(b, p + 1)}", p


def _python_leaf(x) -> tuple:
    if x.__class__ is Expr:
        return (x.name, ATOM_P)
    text = number_text(x)
    return text, (UNARY_P if text.startswith("-") else ATOM_P)


def _python_node(e: Expr, parts: list) -> tuple:
    k = e.kind
    if k == BIN:
        return binary_text(e.name, parts[0], parts[1], e.name)
    if k == NEG:
        return f"-{wrap(parts[0], UNARY_P)}", UNARY_P
    if k == CALL:
        return f"{e.name}({_arguments(e, parts, 0)})", ATOM_P
    if k == COND:
        c, a, b = (wrap(p, COND_P + 1) for p in parts)
        return f"{a} if {c} else {b}", COND_P
    if k == GATE:
        g, c = (wrap(p, COND_P + 1) for p in parts)
        return f"{g} if {c} else 0.0", COND_P
    return _array_node(e, parts)


def _receiver(e: Expr, part: tuple) -> str:
    """The object of ``.attr`` or ``[...]``: a variable as it is, anything else in parentheses."""
    return part[0] if e.args[0].__class__ is Expr and part[1] == ATOM_P else f"({part[0]})"


def _arguments(e: Expr, parts: list, start: int) -> str:
    n = len(e.args)
    positional = [p[0] for p in parts[start:n]]
    keywords = [f"{key}={p[0]}" for (key, _), p in zip(e.kw, parts[n:])]
    return ", ".join(positional + keywords)


def _array_node(e: Expr, parts: list) -> tuple:
    k = e.kind
    if k == METHOD:
        return f"{_receiver(e, parts[0])}.{e.name}({_arguments(e, parts, 1)})", ATOM_P
    if k == ATTR:
        return f"{_receiver(e, parts[0])}.{e.name}", ATOM_P
    if k == SUBSCRIPT:
        index = e.args[1]
        unpack = index.__class__ is Expr and index.kind == TUPLE and index.args  # x[a, b], not x[(a, b)]
        inner = parts[1][0][1:-1].rstrip(",") if unpack else parts[1][0]
        return f"{_receiver(e, parts[0])}[{inner}]", ATOM_P
    if k == TUPLE:
        items = [p[0] for p in parts]
        return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})", ATOM_P
    if k == LIST:
        return f"[{', '.join(p[0] for p in parts)}]", ATOM_P
    raise Untraceable(f"cannot print a {('select', 'share')[k - SELECT]} on its own")


def python(e) -> str:
    """``e`` as Python source (functions by SCALAR's names, which the code generator binds)."""
    return render(e, _python_leaf, _python_node)


# --- the notes' notation ----------------------------------------------------------------------
def _pretty_leaf(x) -> tuple:
    if x.__class__ is Expr:
        return (x.label, ATOM_P)
    text = number_text(x, pretty=True)
    return text, (UNARY_P if text.startswith("-") else ATOM_P)


def _is_var(part: tuple) -> bool:
    return part[1] == ATOM_P and part[0].replace("̄", "").isidentifier()


def _pretty_call(e: Expr, parts: list) -> tuple:
    name = e.name
    if name in ("pow", "pow_d") and is_number(e.args[1]) and float(e.args[1]).is_integer():
        return f"{wrap(parts[0], ATOM_P)}{number_text(e.args[1], True).translate(_SUPERSCRIPT)}", POW_P
    if name == "sqrt":
        return f"√{wrap(parts[0], ATOM_P)}", UNARY_P
    if name == "recip":
        return f"1/{wrap(parts[0], ATOM_P)}", MUL_P
    if name == "abs":
        return f"|{parts[0][0]}|", ATOM_P
    return f"{name}({_arguments(e, parts, 0)})", ATOM_P


def _pretty_product(e: Expr, parts: list) -> tuple:
    a, b = e.args
    if is_number(a) and b.__class__ is Expr and b.kind == CALL and b.name == "recip" and a != 0 \
            and (1 / a).is_integer():  # 0.5·recip(d) is the notes' 1/(2d)
        n = number_text(1 / a, True)
        inner = parts[1][0][2:]  # the text after "1/"
        return f"1/({n}{inner if _is_var((inner, ATOM_P)) else '·' + inner})", UNARY_P
    if is_number(a) and float(a).is_integer() and _is_var(parts[1]):
        return f"{parts[0][0]}{parts[1][0]}", UNARY_P  # 2x: read as one factor, ā · 2x
    return binary_text("*", parts[0], parts[1], "·")


def _pretty_node(e: Expr, parts: list) -> tuple:
    k = e.kind
    if k == BIN:
        if e.name == "*":
            return _pretty_product(e, parts)
        if e.name == "+" and is_number(e.args[0]) and e.args[0] == 0:
            return parts[1][0], ADD_P  # Σ written from 0.0 (sum, dot): shown from its first term
        return binary_text(e.name, parts[0], parts[1], _PRETTY_OPS.get(e.name, e.name))
    if k == NEG:
        return f"-{wrap(parts[0], UNARY_P)}", UNARY_P
    if k == CALL:
        return _pretty_call(e, parts)
    if k == COND:
        c, a, b = (wrap(p, COND_P + 1) for p in parts)
        return f"({a} if {c} else {b})", ATOM_P
    if k == GATE:
        return f"{wrap(parts[0], MUL_P)}·[{parts[1][0]}]", MUL_P
    if k == ATTR and e.name == "T":
        return f"{_receiver(e, parts[0])}ᵀ", ATOM_P
    return _python_node(e, parts)


def pretty(e) -> str:
    """``e`` in the notes' notation (for reading; ``python`` gives the code that runs)."""
    return render(e, _pretty_leaf, _pretty_node)


def operations(e) -> int:
    """Floating-point operations in ``e``: each operator, function call and selection counts 1."""
    count, stack, seen = 0, [e], set()
    while stack:
        x = stack.pop()
        if x.__class__ is not Expr or id(x) in seen or x.kind in (VAR, CONST):
            continue
        seen.add(id(x))
        count += 1
        stack.extend(_children(x))
    return count
