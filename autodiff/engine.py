"""The engine: reverse topological order and the chain-rule sum, shared by Value and Tensor.

    ∂f/∂x_i = Σ_{j : x_i ∈ Pa(x_j)} ∂f/∂x_j · ∂x_j/∂x_i

A node type takes part by meeting the ``Node`` protocol below (Value and Tensor do); nothing
here, nor in ``nn`` or the pictures, asks which node type it holds.

No recursion anywhere: graphs a million nodes deep work.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from . import grad_mode
from .errors import NonFiniteError, RepeatedBackwardWarning


class Node(Protocol):
    """What every graph node offers (Value and Tensor), and all the rest of the library uses.

    ``data``, ``grad``, ``label``; ``parents`` (tuple of nodes, empty for a leaf); ``op`` (the
    name of the op that made it, '' for a leaf), ``op_entry`` (that op's table entry) and
    ``op_params`` (its constant parameters, e.g. the exponent of x**3 or relu's α);
    ``local_grads`` (∂node/∂parent per parent: floats for a Value, arrays for an elementwise
    Tensor op, None where a Tensor edge carries a vector-Jacobian product instead);
    ``requires_grad``; ``has_grad`` (a backward pass reached it since it was made or zeroed);
    ``empty_grad`` (class attribute: an intermediate's grad when a backward pass starts, 0.0 or
    None) and:
    ``zero_grad()`` (forget the gradient: has_grad is False), ``accumulate(g)`` (grad += g), ``contributions()``
    ([(parent, grad · ∂node/∂parent)], the chain rule's terms along each edge),
    ``propagate()`` (accumulate every contribution: the hot path of backward),
    ``propagate_nodes()`` (the same with graph nodes: ``backward(create_graph=True)``) and
    ``tangent_from(parent_tangents)`` (forward mode over the recorded graph: Σᵢ ∂node/∂xᵢ ẋᵢ).
    """

    data: Any
    grad: Any
    label: str
    parents: tuple
    op_params: tuple
    empty_grad: Any

    @property
    def op(self) -> str: ...

    @property
    def op_entry(self) -> Any: ...

    @property
    def local_grads(self) -> Any: ...

    @property
    def requires_grad(self) -> bool: ...

    @property
    def has_grad(self) -> bool: ...

    def zero_grad(self) -> None: ...

    def accumulate(self, g) -> None: ...

    def contributions(self) -> list: ...

    def propagate(self) -> None: ...

    def propagate_nodes(self) -> None: ...

    def tangent_from(self, parent_tangents: list) -> Any: ...


_EMIT = object()  # on the DFS stack: "the entry below me has all its parents done"


def _backward_order(root, reset: bool, stop: frozenset = frozenset()) -> list:
    """The nodes with parents reachable from root, root first, each before all of its parents.

    Iterative depth-first search for a postorder, no recursion: a node is pushed back with the
    ``_EMIT`` marker above it and its parents above that, so it is emitted once every parent
    has been. No object is allocated per node (the garbage collector, which runs on
    allocations, stays idle however large the graph). Leaves are skipped: they have nothing to
    propagate. With ``reset``, each interior node's grad is reset as it is first reached. The
    nodes in ``stop`` are treated as leaves (the search does not go past them).
    """
    visited = set(stop)  # a stop node counts as seen: never entered, at no cost per edge
    order = []
    stack = [root]
    push, pop, seen, emit = stack.append, stack.pop, visited.add, order.append
    while stack:
        node = pop()
        if node is _EMIT:
            emit(pop())
            continue
        if node in visited:
            continue
        seen(node)
        if reset:
            node.grad = node.empty_grad
        push(node)
        push(_EMIT)
        for parent in node.parents:
            if parent.parents and parent not in visited:
                push(parent)
    order.reverse()
    return order


def topological_order(root) -> list:
    """Every node reachable from root (leaves included), root first, each before its parents.

    This is the order backward visits nodes in."""
    order = _backward_order(root, reset=False) if root.parents else []
    seen = set(order)
    leaves = []
    for node in order:
        for parent in node.parents:
            if parent not in seen:
                seen.add(parent)
                leaves.append(parent)
    return order + leaves if order else [root]


def backward(root, seed, create_graph: bool = False) -> None:
    """Run the chain rule from ``root`` (whose gradient is ``seed``) back to every leaf.

    With ``create_graph`` every contribution is computed with graph nodes (``propagate_nodes``),
    so the leaves' gradients are graphs that can be differentiated again."""
    if not root.parents:
        root.accumulate(seed)
        return
    if not grad_mode.PLAIN[0] and grad_mode.counters():
        _count_sweep(root, frozenset())
    if create_graph:
        order = _backward_order(root, reset=True)
        root.grad = seed
        for node in order:
            node.propagate_nodes()
        return
    for parent in root.parents:
        if parent.parents:
            break
    else:  # every parent a leaf (one op on inputs): nothing to sort
        root.grad = seed
        root.propagate()
        return
    order = _backward_order(root, reset=True)
    root.grad = seed
    for node in order:
        node.propagate()


def warn_repeated_backward(root) -> None:
    """Gradients accumulate into leaves (as in PyTorch), so a second backward() over the same graph
    adds them again: right when meant (summing over passes), a silent doubling when not. Called
    when root already has a gradient; warns if a leaf still holds a non-zero one (not after
    zero_grad, nor after a micrograd-style ``p.grad = 0``)."""
    if not any(not n.parents and n.requires_grad and n.has_grad and _any_nonzero(n.grad)
               for n in topological_order(root)):
        return
    warnings.warn("backward() ran on this graph before: the leaves' gradients accumulate and are now "
                  "added twice. Call zero_grad() (or optimizer.zero_grad()) between passes, or build "
                  "the graph again; if you meant to accumulate, silence this with "
                  "warnings.simplefilter('ignore', autodiff.RepeatedBackwardWarning)",
                  RepeatedBackwardWarning, stacklevel=3)


def gradients(root, seed, inputs, create_graph: bool = False) -> list:
    """∂root/∂x for each node x in ``inputs`` (seeded with ``seed``), touching no node's ``grad``:
    the functional form of backward (``torch.autograd.grad``). An input may be any node of the
    graph, a leaf or not; the sweep stops there. An input root does not depend on gets its
    ``empty_grad`` (0.0 or None). With ``create_graph`` the gradients are graphs."""
    stop = frozenset(inputs)
    order = [] if root in stop or not root.parents else _backward_order(root, reset=False, stop=stop)
    if not grad_mode.PLAIN[0] and grad_mode.counters():
        _count_sweep(root, stop)
    touched = {root: None}
    for node in order:
        for parent in node.parents:
            touched[parent] = None
    for x in inputs:
        touched[x] = None
    saved = [(node, node.grad) for node in touched]
    try:
        for node in touched:
            node.grad = node.empty_grad
        root.grad = seed
        for node in order:
            if create_graph:
                node.propagate_nodes()
            else:
                node.propagate()
        return [x.grad for x in inputs]
    finally:
        for node, g in saved:
            node.grad = g


def _count_sweep(root, stop) -> None:
    from .forward import count

    count("reverse_sweeps")
    count("backward_ops", len(_backward_order(root, reset=False, stop=stop)) if root.parents else 0)


@dataclass
class BackwardStep:
    """One step of backward: ``node``'s gradient just became final (``grad``), and each
    ``(parent, contribution)`` pair, contribution = node.grad × ∂node/∂parent (a VJP for a
    Tensor), was just added into that parent's grad."""

    index: int
    node: object
    grad: object
    contributions: list


def backward_steps(root, seed) -> Iterator[BackwardStep]:
    """Run backward exactly as ``backward`` does, yielding after each node (for pictures and
    teaching). Leaves' grads are final once the generator is exhausted."""
    if not root.parents:
        root.accumulate(seed)
        return
    order = _backward_order(root, reset=True)
    root.grad = seed
    for i, node in enumerate(order):
        contributions = node.contributions()
        for parent, c in contributions:
            parent.accumulate(c)
        yield BackwardStep(i, node, node.grad, contributions)


def check_finite(root) -> None:
    """Raise NonFiniteError naming where the first NaN/inf came from.

    Values are checked in forward order (inputs first): the first non-finite value is the op
    that overflowed or left its domain. If every value is finite, gradients are checked in
    backward order (the root first): the first non-finite gradient is where backward made it."""
    order = topological_order(root)
    for node in reversed(order):
        if not _finite(node.data):
            raise NonFiniteError(f"the value of {_describe(node)} is not finite: {_short(node.data)}. "
                                 + _HINT)
    for i, node in enumerate(order):
        if node.grad is not None and not _finite(node.grad):
            via = next((c for c in order[:i] if any(p is node for p in c.parents)), None)
            through = f", made non-finite by the edge from '{via.op}'" if via is not None else ""
            raise NonFiniteError(f"the gradient of {_describe(node)} (data={_short(node.data)}) is not "
                                 f"finite: {_short(node.grad)}{through}. " + _HINT)


_HINT = ("Look for log/sqrt/division near 0 or overflow (exp of a large input) at or upstream of "
         "it; autodiff.gradcheck can localise the op.")


def _describe(node) -> str:
    if node.label:
        return f"the node '{node.label}' ({f'made by {node.op!r}' if node.op else 'a leaf'})"
    return f"the node made by '{node.op}'" if node.op else "an unlabelled leaf"


def _finite(x) -> bool:
    return math.isfinite(x) if isinstance(x, float) else _all_finite(x)


def _any_nonzero(g) -> bool:
    import numpy as np

    return bool(np.any(np.asarray(g.data if hasattr(g, "parents") else g) != 0))


def _all_finite(a) -> bool:
    import numpy as np

    return bool(np.isfinite(a).all())


def _short(x) -> str:
    s = repr(x)
    return s if len(s) < 60 else s[:57] + "..."
