"""Forward mode: tangents pushed through each op as it runs, from the same op table.

For y = f(x₁ … xₙ) the tangent is the chain rule read forwards,

    ẏ = Σᵢ ∂y/∂xᵢ · ẋᵢ

with the local derivatives ∂y/∂xᵢ of the op table (a Value's edge numbers) or, for a tensor op,
its JVP rule beside its VJP. One forward sweep gives f and one directional derivative J·ẋ;
reverse mode gives one row ȳᵀJ per backward sweep: forward mode is cheaper when a function has
fewer inputs than outputs, reverse mode when it has fewer outputs (a loss: one).

A ``Level`` is one sweep: while it is open (``grad_mode.forward_level``), every op made in this
thread/task records its result's tangent in ``level.tangents``, keyed by node. Levels nest (a
jvp inside a jvp) without confusing their tangents: each has its own dict, and a level's tangents
are computed with graph ops that only the levels outside it can see.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

from . import grad_mode
from .mathns import ARRAY, SCALAR


class Level:
    """One forward-mode sweep: the tangent of every node made while it is open (None: zero).

    ``differentiable``: tangents are computed with graph ops (so a reverse transform around the
    sweep can differentiate them); otherwise with plain numbers."""

    __slots__ = ("tangents", "differentiable")

    def __init__(self, differentiable: bool = False) -> None:
        self.tangents: dict = {}
        self.differentiable = differentiable


@dataclass
class OpCounts:
    """What a computation cost, counted by the library: primitive evaluations forward
    (``forward_ops``), tangent rules (``tangent_ops``, one per op per forward-mode sweep), VJP
    evaluations (``backward_ops``), and the sweeps of each kind."""

    forward_ops: int = 0
    tangent_ops: int = 0
    backward_ops: int = 0
    forward_sweeps: int = 0
    reverse_sweeps: int = 0

    @property
    def primitive_evaluations(self) -> int:
        """Every rule evaluated: forward values, tangents and VJPs."""
        return self.forward_ops + self.tangent_ops + self.backward_ops


@contextmanager
def count_ops():
    """``with count_ops() as c: ...`` counts, in this thread/task, every op evaluated inside."""
    counts = OpCounts()
    with grad_mode.counting_with(counts):
        yield counts


def count(field: str, n: int = 1) -> None:
    """Add n to ``field`` of every counter open in this context (cheap when none is)."""
    for c in grad_mode.counters():
        setattr(c, field, getattr(c, field) + n)


def node_made(node, op, inputs: tuple, params: tuple, saved, args) -> None:
    """Called by the node types' slow path for every new node: counters, then tangents."""
    count("forward_ops")
    levels = grad_mode.levels()
    for i, level in enumerate(levels):
        dxs = [level.tangents.get(x) for x in inputs]
        if any(dx is not None for dx in dxs):
            count("tangent_ops")
            as_nodes = level.differentiable or i > 0  # an outer level must see this level's ops
            level.tangents[node] = _tangent(level, node, op, inputs, params, saved, args, dxs, as_nodes)


def _tangent(level, node, op, inputs, params, saved, args, dxs, as_nodes):
    if as_nodes:
        from .nodens import NODES  # (nodens imports the node types, which import this module)

        with grad_mode.without_level(level):
            if args is not None:  # a Value: Σ ∂y/∂xᵢ ẋᵢ with the local derivatives as nodes
                node_args = op.node_args(inputs) if op.node_args else inputs
                return _sum_products(op.df(NODES, node, *node_args, *params), dxs)
            return op.jvp(NODES, dxs, node, inputs, params, None)
    if args is not None:
        locals_ = node.local_grads if node.parents else op.df(SCALAR, node.data, *args, *params)
        return _sum_products(locals_, [_number(dx) for dx in dxs])
    return op.jvp(ARRAY, [None if dx is None else _number(dx) for dx in dxs], node.data,
                  [x.data for x in inputs], params, saved)


def _sum_products(locals_, dxs):
    total = None
    for local, dx in zip(locals_, dxs):
        if dx is not None:
            term = local * dx
            total = term if total is None else total + term
    return total


def _number(x):
    """A tangent's numbers (a tangent handed in as a node is used as its value)."""
    return x.data if hasattr(x, "parents") else x


def depending_on(root, sources) -> list:
    """The nodes of root's graph that depend on any of ``sources``, in forward order (parents
    first): the only ones a forward sweep from those sources gives a tangent."""
    from .engine import topological_order

    reached = set(sources)
    out = []
    for node in reversed(topological_order(root)):
        if node.parents and node not in reached and any(p in reached for p in node.parents):
            reached.add(node)
            out.append(node)
    return out


def push_through(order: list, seeds: dict) -> dict:
    """Tangents pushed forward from ``seeds`` ({node: tangent}) through recorded nodes in
    ``order`` (``depending_on``): one forward sweep over the graph, each node's ``tangent_from``,
    no op run again — the forward half of forward-over-reverse when the reverse graph is kept."""
    tangents = dict(seeds)
    get = tangents.get
    for node in order:
        tangents[node] = node.tangent_from([get(p) for p in node.parents])
    count("tangent_ops", len(order))
    return tangents
