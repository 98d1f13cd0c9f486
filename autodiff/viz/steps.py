"""Backward, step by step: the engine's own steps as records (``trace_backward``) and as
pictures (``draw_steps``), one per node whose gradient became final."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from .. import engine
from ..errors import GradError
from . import views
from .edges import edge_indices, out_degrees, snapshot
from .options import options as check_options
from .picture import Frame, plan_for, render_graph
from .text import Names, fmt, is_array


@dataclass
class TraceStep:
    """One step of backward, in the engine's order.

    ``node``'s gradient is final (``grad``): it is the sum of the ``received`` contributions,
    one ``(child, dL/dchild · ∂child/∂node)`` per edge from a child (empty for the root, whose
    grad is the seed). In this step each ``(parent, dL/dnode · ∂node/∂parent)`` in ``sent`` is
    added into that parent's grad; the parents listed in ``finalized`` got their last
    contribution, so their grads are now final too (a leaf's grad becomes final this way).
    """

    index: int
    node: object
    grad: object
    received: list
    sent: list
    finalized: list


def default_seed(root):
    """dL/dL = 1: the number 1 for a scalar output, an array of ones for a one-element array."""
    if not is_array(root.data):
        return 1.0
    if root.data.size != 1:
        raise GradError(f"backward from a tensor of shape {tuple(root.shape)} needs a seed "
                        "gradient of that shape (seed=...), or reduce it first, e.g. .sum()")
    return np.ones_like(root.data)


def trace_backward(root, seed=None) -> Iterator[TraceStep]:
    """Run backward on root (seed dL/droot, 1 by default) and yield one TraceStep per engine
    step, in the engine's order.

    This *is* the backward pass (it calls ``engine.backward_steps``): do not also call
    ``root.backward()``, or the leaves' gradients accumulate twice. With fresh leaves (grad 0),
    every node's final grad equals the sum of the contributions it received.
    """
    seed = default_seed(root) if seed is None else seed
    left = out_degrees(engine.topological_order(root))
    received: dict = {}
    for step in engine.backward_steps(root, seed):
        node = step.node
        sent = [(p, snapshot(c)) for p, c in step.contributions]
        finalized = []
        for p, c in sent:
            received.setdefault(id(p), []).append((node, c))
            left[id(p)] -= 1
            if left[id(p)] == 0:
                finalized.append(p)
        yield TraceStep(step.index, node, snapshot(step.grad), list(received.get(id(node), [])),
                        sent, finalized)


def draw_steps(root, seed=None, **options) -> Iterator:
    """Run backward on root and yield one picture (graphviz.Digraph) per engine step.

    In picture i the node whose grad just became final is outlined in red; blue edges carry the
    contributions that were summed into its grad, red edges the contributions it now sends to
    its parents (its grad × local derivative); grey dashed edges are still to come, and a grad
    still being summed is marked "(so far)". ``options`` are those of ``draw`` (but expand and
    inputs); every frame has the same layout. Like ``trace_backward`` this runs backward itself.
    """
    opts = check_options(**options)
    graph = views.graph_of(root)
    names = Names(graph.nodes, opts.digits, opts.names)
    plan = plan_for(graph, opts, names, ("backward step 1 of 1: " + "…" * 60, "red: " + "…" * 60))
    total = sum(1 for n in graph.nodes if n.parents)
    incoming = out_degrees(graph.nodes)
    processed: set = set()
    contributions: dict = {}
    received: dict = {}
    for st in trace_backward(root, seed):
        processed.add(id(st.node))
        for j, (p, c) in zip(edge_indices(st.node, st.sent), st.sent):
            contributions[(id(st.node), j)] = c
            received[id(p)] = received.get(id(p), 0) + 1
        frame = Frame(st, total, processed, contributions, received, incoming)
        yield render_graph(graph, opts, frame, caption(st, total, root, names), plan, names)


def caption(st: TraceStep, total: int, root, names: Names) -> tuple[str, str]:
    """The two lines above step picture ``st``: what became final, and what is sent now."""
    digits = names.digits
    who = names(st.node)
    head = f"backward step {st.index + 1} of {total}: {who}.grad = {fmt(st.grad, digits)} is final"
    if names.short_id(st.node):
        head += f" ({names.definition(st.node)})"
    if st.node is root:
        head += " (the seed)"
    elif st.received:
        head += f" (blue: the {len(st.received)} term(s) summed into it)"
    done = [names(p) for p in st.finalized if not p.parents]
    tail = f"red: {who}.grad × local derivative, added into each parent's grad"
    if done:
        tail += f"; now final: {', '.join(done)}"
    return head, tail
