"""Forward mode as the lecture notes write it: every intermediate with its tangent, with numbers.

    >>> from autodiff import tangent_trace, sqrt, exp
    >>> def f(x):
    ...     a = x ** 2
    ...     return sqrt(a + exp(a))
    >>> print(tangent_trace(f, (0.5,), (1.0,)))
    x = 0.5              ẋ = 1
    a = x ** 2 = 0.25    ȧ = ∂a/∂x·ẋ = 1·1 = 1
    b = exp(a) = 1.284   ḃ = ∂b/∂a·ȧ = 1.284·1 = 1.284
    c = a + b = 1.534    ċ = ∂c/∂a·ȧ + ∂c/∂b·ḃ = 1·1 + 1·1.284 = 2.284
    d = sqrt(c) = 1.239  ḋ = ∂d/∂c·ċ = 0.4037·2.284 = 0.9221

Each line is one primitive: its value, then ẏ = Σᵢ ∂y/∂xᵢ · ẋᵢ with the local derivatives the
op table gives (for a tensor op, its JVP rule; the line shows the tangent). ``.draw()`` shows
the graph with each node's tangent.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np

from . import engine, forward, grad_mode
from .transforms import as_input

_INFIX = {"+": "+", "-": "-", "*": "*", "/": "/", "**": "**"}
_LETTERS = "abcdefghijklmnopqrstuvw"


def _dot(name: str) -> str:
    """ẋ: a combining dot over the name's first letter (the notes' notation for a tangent)."""
    return unicodedata.normalize("NFC", name[0] + "\u0307") + name[1:]


def _fmt(x, digits: int) -> str:
    if isinstance(x, np.ndarray):
        return np.array2string(x, precision=digits, threshold=6, separator=", ")
    return f"{x:.{digits}g}"


@dataclass
class TangentTrace:
    """One forward-mode sweep, recorded: ``nodes`` in forward order (inputs first), their
    ``names`` (labels, else x, y, … for inputs and a, b, … for intermediates), ``tangents``
    (node → ẋ), and the ``output`` with its tangent ``output_tangent``."""

    nodes: list
    names: dict
    tangents: dict
    output: object
    output_tangent: object
    digits: int = 4

    def __str__(self) -> str:
        rows = [self._row(node) for node in self.nodes]
        width = max(len(left) for left, _ in rows) + 2
        return "\n".join(f"{left:<{width}}{right}" for left, right in rows)

    def _name(self, node) -> str:
        return self.names.get(id(node)) or _fmt(node.data, self.digits)

    def _tangent(self, node):
        t = self.tangents.get(node)
        return 0.0 if t is None else t

    def _row(self, node) -> tuple[str, str]:
        d, name = self.digits, self._name(node)
        value = _fmt(node.data, d)
        if not node.parents:
            return f"{name} = {value}", f"{_dot(name)} = {_fmt(self._tangent(node), d)}"
        left = f"{name} = {self._expression(node)} = {value}"
        right = f"{_dot(name)} = {_fmt(self._tangent(node), d)}"
        if node.local_grads is not None and len(node.local_grads) == len(node.parents):
            terms = [(p, local) for p, local in zip(node.parents, node.local_grads) if p in self.tangents]
            symbols = " + ".join(f"∂{name}/∂{self._name(p)}·{_dot(self._name(p))}" for p, _ in terms)
            numbers = " + ".join(f"{_fmt(local, d)}·{_fmt(self._tangent(p), d)}" for p, local in terms)
            right = f"{_dot(name)} = {symbols} = {numbers} = {_fmt(self._tangent(node), d)}" if terms else right
        return left, right

    def _expression(self, node) -> str:
        args = [self._name(p) for p in node.parents]
        if node.op in _INFIX and len(args) == 2:
            return f"{args[0]} {_INFIX[node.op]} {args[1]}"
        if node.op == "pow":
            return f"{args[0]} ** {_fmt(node.op_params[0], self.digits)}"
        if node.op == "neg":
            return f"-{args[0]}"
        return f"{node.op}({', '.join(args)})"

    def draw(self, **options):
        """The graph (``autodiff.draw``) with each node's tangent ẋ under its value."""
        from .viz import draw

        notes = {node: f"{_dot(self._name(node))} = {_fmt(self._tangent(node), self.digits)}"
                 for node in self.nodes}
        names = {node: self._name(node) for node in self.nodes if not node.label}
        return draw(self.output, notes=notes, show_grad=False, names=names, **options)


def tangent_trace(f, primals, tangents, *, digits: int = 4) -> TangentTrace:
    """Run f once in forward mode, recording the graph, and return every intermediate with its
    value and tangent (see the module docstring). ``primals``/``tangents`` as for ``jvp``."""
    inputs = [as_input(p, "tangent_trace") for p in primals]
    level = forward.Level()
    with grad_mode.forward_level(level), grad_mode.enable_grad():
        for x, t in zip(inputs, tangents):
            level.tangents[x] = float(t) if np.ndim(t) == 0 and not hasattr(x, "shape") else np.asarray(t, float)
        out = f(*inputs)
    order = list(reversed(engine.topological_order(out)))
    names, used = {}, {x.label for x in order if x.label}
    spare_inputs = iter(n for n in ("x", "y", "z", "u", "v", "w") if n not in used)
    spare = iter(n for n in _LETTERS if n not in used)
    for x in inputs:
        names[id(x)] = x.label or next(spare_inputs, None) or f"x{len(names)}"
    for node in order:
        if id(node) not in names and (node.parents or node.label):
            names[id(node)] = node.label or next(spare, None) or f"t{len(names)}"
    shown = [n for n in order if id(n) in names]
    return TangentTrace(shown, names, level.tangents, out, level.tangents.get(out, 0.0), digits)
