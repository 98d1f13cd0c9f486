"""``explain(x, L)``: the chain-rule sum behind ``x.grad``, written out with the numbers.

    dL/dx = Σ_c dL/dc · ∂c/∂x

d is a total derivative (of the output L, what a node's ``grad`` holds), ∂ a local one (of one
edge, what the op table gives). Unlabelled nodes are named by their short ids (t1, t2, …, the
same ones the pictures show), defined on the last line: ``where t1 = x*w``.
"""

from __future__ import annotations

import math

from .. import engine
from .edges import edge_contributions, edge_locals
from .picture import backward_ran
from .text import Names, fmt, is_array, neg, paren, plain, summary, total


def explain(node, root, digits: int = 4) -> str:
    """The chain-rule sum behind ``node.grad``, with the numbers:

        dL/dx = Σ_c dL/dc · ∂c/∂x = (one term per edge from x to a child c) = … = x.grad

    ``root`` is the output L backward ran from (a node does not know its children; the graph
    of root does). Raises ValueError if node is not in that graph.
    """
    nodes = engine.topological_order(root)
    names = Names(nodes, digits)
    if not any(n is node for n in nodes):
        raise ValueError(f"{names(node)} is not part of the graph that computed {names(root)}")
    L, x = paren(names(root)), paren(names(node))
    lines = []
    if not backward_ran([root]):
        lines.append(f"(note: {L}.grad is {_shown(root.grad, digits)}: run {L}.backward() first; "
                     "the numbers below are the current grads)")
    if node is root:
        lines.append(f"d{L}/d{L} = {_shown(root.grad, digits)}: the seed of backward "
                     "(1 for a scalar output), not a sum")
        return "\n".join(lines)
    terms = [(child, j) for child in nodes for j, p in enumerate(child.parents) if p is node]
    values = [edge_contributions(child)[j] for child, j in terms]
    arrays = any(is_array(v) for v in values if v is not None)
    lines.append(f"d{L}/d{x} = Σ_c d{L}/dc · ∂c/∂{x}   (over the {len(terms)} edge(s) from {x} to a node c "
                 "that uses it" + ("; for tensors each term is a vector-Jacobian product)" if arrays else ")"))
    pad = " " * (len(f"d{L}/d{x} ") - 1)
    legend = names.legend([root] + [c for c, _ in terms])
    lines.append(pad + "= " + " + ".join(f"d{L}/d{paren(names(c))} · ∂{paren(names(c))}/∂{x}"
                                         for c, _ in terms) + (f"   where {legend}" if legend else ""))
    lines += [pad + "= " + line for line in _numbers(terms, values, digits)]
    lines.append(f"{x}.grad = {_shown(node.grad, digits)}")
    if not arrays and _differs(total([v for v in values if v is not None]), node.grad):
        lines.append(f"(note: {x}.grad differs from the sum: a leaf's grad accumulates over "
                     "backward() calls; zero it before each one)")
    return "\n".join(lines)


def _numbers(terms: list, values: list, digits: int) -> list[str]:
    """The sum's lines with numbers: each term dL/dc · ∂c/∂x as a product (numbers) or as the
    vector-Jacobian product it is (arrays), then the terms, then the total."""
    if any(v is None or is_array(v) for v in values):
        known = [v for v in values if v is not None]
        shown = " + ".join("?" if v is None else _term(summary(v, digits)) for v in values)
        return [shown, summary(total(known), digits) if known else "?"]
    products = " + ".join(f"{fmt(child.grad, digits)} · {neg(fmt(edge_locals(child)[j], digits))}"
                          for child, j in terms)
    lines = [products]
    if len(values) > 1:
        lines.append(" + ".join(neg(fmt(v, digits)) for v in values))
    lines.append(fmt(total(values), digits))
    return lines


def _shown(x, digits: int) -> str:
    return "None" if x is None else fmt(x, digits)


def _term(text: str) -> str:
    return f"({text})" if text.startswith("min ") else text


def _differs(value, grad) -> bool:
    """Whether a sum of numbers and a node's grad differ by more than rounding."""
    if value is None or grad is None:
        return False
    value, grad = float(plain(value)), float(plain(grad))
    if value == grad or (math.isnan(value) and math.isnan(grad)):
        return False
    return not math.isclose(value, grad, rel_tol=1e-9, abs_tol=1e-12)
