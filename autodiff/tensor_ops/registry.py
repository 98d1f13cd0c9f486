"""``TensorOp`` and the registry ``TENSOR_OPS`` every tensor op is entered in."""

from __future__ import annotations

from collections.abc import Callable


class TensorOp:
    """One tensor primitive.

    * ``f(*xs, *params) -> y``, or ``-> (y, saved)`` when ``saves``: ``saved`` is what the rules
      need from the forward pass, kept on the node and handed back to them;
    * ``vjp(m, g, y, xs, params, needs, saved) -> list``: for each input i with ``needs[i]``,
      ∂L/∂xᵢ = g · ∂y/∂xᵢ contracted over y (None where not needed);
    * ``jvp(m, dxs, y, xs, params, saved) -> dy``: the tangent ẏ = Σᵢ ∂y/∂xᵢ · ẋᵢ, where ``dxs``
      holds ẋᵢ or None (a zero tangent; at least one is given);
    * ``formula``: the rule as text (shown in pictures); ``elementwise``: the ``ops.Op`` of an
      elementwise entry (None for a structural one).

    ``m`` is the namespace the rule runs on: ``mathns.ARRAY`` (numbers: xs, y, g are arrays) or
    ``nodens.NODES`` (nodes: xs and y are the graph's Tensors, g a Tensor, ``saved`` None), so
    that one rule gives both a gradient and a gradient that can be differentiated again.
    """

    __slots__ = ("name", "f", "vjp", "jvp", "formula", "elementwise", "saves")

    def __init__(self, name: str, f: Callable, vjp: Callable, jvp: Callable, formula: str,
                 elementwise=None, saves: bool = False) -> None:
        self.name = name
        self.f = f
        self.vjp = vjp
        self.jvp = jvp
        self.formula = formula
        self.elementwise = elementwise
        self.saves = saves

    def __repr__(self) -> str:
        return f"TensorOp({self.name!r}: {self.formula})"


TENSOR_OPS: dict[str, TensorOp] = {}


def register(name: str, f: Callable, vjp: Callable, jvp: Callable, formula: str, *,
             saves: bool = False) -> TensorOp:
    """Enter a structural op (the elementwise section comes from ``ops.py``, see elementwise.py)."""
    op = TensorOp(name, f, vjp, jvp, formula, saves=saves)
    TENSOR_OPS[name] = op
    return op


def tangent(dx, like, m):
    """ẋ, or zeros shaped like x where the tangent is None (a join needs every part)."""
    return m.zeros(like.shape) if dx is None else dx
