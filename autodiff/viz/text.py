"""Numbers and names as the pictures, the step captions and ``explain`` write them.

A node is named by its label; an unlabelled constant by its value; any other unlabelled node by
a short id that stays the same in every picture and explanation of one graph: ``t1, t2, …`` for
the nodes an op made, in an order they could have been computed in (a Wengert list's
temporaries: parents first, left to right), and
``c1, c2, …`` for unlabelled array leaves. ``Names.definition`` gives the op behind an id:
``t3 = x*w``.

Totals and locals are written apart: dL/dx is the total derivative of the output L (what
``x.grad`` holds), ∂c/∂x the local derivative of one edge (what the op table gives).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

INFIX = {"+": " + ", "-": " - ", "*": "*", "/": "/", "@": " @ ", "**": "**"}


def plain(x):
    """x's number(s): a gradient built as a graph node (``backward(create_graph=True)``) is shown
    by its data."""
    return x.data if hasattr(x, "parents") else x


def is_array(x) -> bool:
    """Whether x holds an array (shown by shape and a summary) rather than one number.

    This is the one place the pictures tell the two kinds of data apart: a Tensor's box shows
    its shape, dtype and a summary, its edges a vector-Jacobian product; a Value's box and edges
    show plain numbers."""
    return isinstance(plain(x), np.ndarray)


def fmt(x, digits: int = 4) -> str:
    """x with ``digits`` significant digits; -0 is shown as 0, arrays as ``summary`` does."""
    x = plain(x)
    if isinstance(x, np.ndarray) and x.ndim > 0:
        return summary(x, digits)
    x = float(x)
    if x == 0:
        return "0"  # -0.0 only confuses a reader
    return f"{x:.{digits}g}"


def summary(a, digits: int = 4, max_values: int = 6) -> str:
    """The values of a small array (at most ``max_values``), else ``min … mean … max``."""
    a = np.asarray(plain(a))
    if a.size == 0:
        return "[]"
    if a.ndim == 0:
        return fmt(a.item(), digits) if a.dtype.kind in "fiub" else str(a.item())
    if a.size <= max_values:
        text = np.array2string(a, separator=", ", max_line_width=10**6,
                               formatter={"all": lambda v: fmt(v, digits)})
        return " ".join(text.split())
    if a.dtype.kind not in "fiub":
        return f"{a.size} values"
    return f"min {fmt(a.min(), digits)} mean {fmt(a.mean(), digits)} max {fmt(a.max(), digits)}"


def shape_text(node) -> str:
    """``(2, 3) float64`` for a node holding an array, '' for a number."""
    return f"{tuple(node.data.shape)} {node.data.dtype}" if is_array(node.data) else ""


def fsum(values: Iterable[float]) -> float:
    """Σ values correctly rounded (math.fsum), or as IEEE arithmetic has it where fsum refuses:
    inf + (-inf) = nan, and a sum past the largest float = ±inf."""
    values = [float(plain(v)) for v in values]
    try:
        return math.fsum(values)
    except (OverflowError, ValueError):
        return sum(values)


def total(values: list):
    """The sum of numbers (fsum) or of arrays; None if nothing is known."""
    if not values:
        return None
    if any(is_array(v) for v in values):
        return sum((np.asarray(plain(v), dtype=float) for v in values[1:]),
                   np.array(plain(values[0]), dtype=float))
    return fsum(values)


def sum_text(terms: list[str], values: list, digits: int, always_total: bool = False) -> str:
    """``t1 + t2 + t3 + … = Σ values`` (three terms shown at most); one term alone is just itself
    (``always_total``: ``t1 = value``)."""
    shown_total = fmt(fsum(values), digits)
    if len(terms) == 1:
        return f"{terms[0]} = {shown_total}" if always_total else terms[0]
    shown = " + ".join(t if " " in t else neg(t) for t in terms[:3])
    return f"{shown}{' + …' if len(terms) > 3 else ''} = {shown_total}"


def paren(text: str) -> str:
    """text, in parentheses unless it is one name."""
    return text if text.replace("_", "").replace(".", "").isalnum() else f"({text})"


def neg(text: str) -> str:
    """A negative number in parentheses, so ``a · (-2)`` reads as a product."""
    return f"({text})" if text.startswith("-") else text


def op_text(node, digits: int = 4) -> str:
    """What an op's node shows: the operator, and the exponent of a constant power (kept on the
    node as ``op_params``)."""
    if node.op == "pow" and node.op_params:
        return f"**{fmt(node.op_params[0], digits)}"
    return node.op or "?"


def formula(node) -> str:
    """The op's rule (forward; derivative), shown when the mouse is over the op in an SVG."""
    entry = node.op_entry
    return entry.formula if entry is not None else node.op


class Names:
    """The name of every node of one graph (see the module docstring), from ``nodes`` listed
    each before its parents (``engine.topological_order``); ``given`` ({node: name}) wins."""

    def __init__(self, nodes: list, digits: int = 4, given: dict | None = None) -> None:
        self.digits = digits
        self._ids: dict[int, str] = {}
        made = leaves = 0
        for node in computation_order(nodes):
            if node.label:
                continue
            if node.op:
                made += 1
                self._ids[id(node)] = f"t{made}"
            elif is_array(node.data) and node.data.size > 1:
                leaves += 1
                self._ids[id(node)] = f"c{leaves}"
        for node, name in (given or {}).items():
            self._ids[id(node)] = str(name)

    def __call__(self, node) -> str:
        if id(node) in self._ids:
            return self._ids[id(node)]
        if node.label:
            return node.label
        if not node.op:
            return fmt(node.data, self.digits)  # a constant is named by its value
        return f"a node made by {node.op}"  # not in this graph

    def short_id(self, node) -> str:
        """The id of an unlabelled node made by an op ('' for any other node)."""
        return self._ids.get(id(node), "") if not node.label else ""

    def definition(self, node) -> str:
        """``t3 = x*w``: a node's name, its op and its parents' names (one op deep)."""
        args = [self(p) for p in node.parents]
        if node.op in INFIX and len(args) == 2:
            body = f"{_operand(args[0])}{INFIX[node.op]}{_operand(args[1])}"
        elif node.op == "pow" and node.op_params and len(args) == 1:
            body = f"{_operand(args[0])}**{fmt(node.op_params[0], self.digits)}"
        elif node.op == "neg" and len(args) == 1:
            body = f"-{_operand(args[0])}"
        elif len(args) > 4:
            body = f"{node.op}({', '.join(args[:3])}, … {len(args)} inputs)"
        else:
            body = f"{node.op}({', '.join(args)})"
        return f"{self(node)} = {body}"

    def legend(self, nodes: Iterable) -> str:
        """``t1 = x*w, t2 = t1 + b`` for the nodes among ``nodes`` that have a short id."""
        seen, parts = set(), []
        for node in nodes:
            if self.short_id(node).startswith("t") and id(node) not in seen:
                seen.add(id(node))
                parts.append(self.definition(node))
        return ", ".join(parts)


def computation_order(nodes: list) -> list:
    """``nodes`` (each listed before its parents) in an order they could have been computed in:
    every node after its parents, a node's parents from the first (left to right in the
    expression). Depth first from the outputs, with a stack: no recursion."""
    used = {id(p) for n in nodes for p in n.parents}
    done: set[int] = set()
    out = []
    for root in (n for n in nodes if id(n) not in used):
        stack = [(root, False)]
        while stack:
            node, parents_done = stack.pop()
            if id(node) in done:
                continue
            if parents_done:
                done.add(id(node))
                out.append(node)
                continue
            stack.append((node, True))
            stack.extend((p, False) for p in reversed(node.parents) if id(p) not in done)
    return out


def _operand(name: str) -> str:
    return name if " " not in name and not name.startswith("-") else f"({name})"
