"""The graph a picture shows: one or more outputs, every node each before its parents, and two
views of it that change what is drawn but not the numbers.

* ``inputs``: draw back to these nodes only; each is drawn as a leaf (a layer's input, say).
* ``expand``: draw an n-ary ``dot``/``sum`` node as the lecture draws a neuron, a chain of
  ``*`` and ``+`` nodes: z = w₁x₁ + w₂x₂ + … + b becomes p₁ = w₁·x₁, p₂ = w₂·x₂, s₂ = p₁ + p₂, …,
  z = sₙ + b. Each link of the chain gets z's gradient (∂z/∂pᵢ = ∂z/∂sₖ = 1) and the same local
  derivatives the dot node keeps (∂pᵢ/∂wᵢ = xᵢ, ∂pᵢ/∂xᵢ = wᵢ), so every edge sends what the engine
  sent: dL/dz · xᵢ into wᵢ.grad. The last link stands for z (its label, data and grad).

Both views build stand-in nodes that meet the node protocol (``engine.Node``) as far as pictures
read it; the graph's own nodes are never changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from .. import engine
from ..ops import OPS


@dataclass
class Graph:
    """What a picture draws: ``roots`` (the outputs), ``nodes`` (each before its parents, roots
    first) and ``translate`` (a node of the user's graph → the node drawn for it)."""

    roots: list
    nodes: list
    translate: Callable = lambda node: node


class _Sink:
    """A stand-in child of several outputs, so one topological order covers them all."""

    label, op = "", ""

    def __init__(self, parents: tuple) -> None:
        self.parents = parents


def as_roots(root) -> list:
    """One output, or a list or tuple of them, as a list."""
    roots = list(root) if isinstance(root, (list, tuple)) else [root]
    if not roots or not all(hasattr(r, "parents") for r in roots):
        raise TypeError("draw needs a graph node (a Value or a Tensor), or a list of them")
    return roots


def order(roots: list) -> list:
    """Every node reachable from the roots, each before its parents (roots first)."""
    if len(roots) == 1:
        return engine.topological_order(roots[0])
    sink = _Sink(tuple(roots))
    return [n for n in engine.topological_order(sink) if n is not sink]


def graph_of(root, expand=False, inputs: Iterable | None = None) -> Graph:
    """The Graph of ``root`` (a node or a list of nodes), with the views asked for."""
    roots = as_roots(root)
    nodes = order(roots)
    if not expand and inputs is None:
        return Graph(roots, nodes)
    stop = {id(n) for n in (inputs or ())}
    wanted = _expand_set(nodes, expand)
    seen: dict[int, object] = {}
    for node in reversed(_reachable(nodes, roots, stop)):  # parents first
        parents = () if id(node) in stop else tuple(seen[id(p)] for p in node.parents)
        seen[id(node)] = (_chain(node, parents) if id(node) in wanted and parents else Seen(node, parents))

    def translate(node):
        return seen.get(id(node), node)

    shown = [translate(r) for r in roots]
    return Graph(shown, order(shown), translate)


def _reachable(nodes: list, roots: list, stop: set) -> list:
    """The nodes reached from the roots without going past a node in stop (same order)."""
    reached = {id(r) for r in roots}
    out = []
    for node in nodes:  # children before parents: a node is reached before its parents are looked at
        if id(node) not in reached:
            continue
        out.append(node)
        if id(node) not in stop:
            reached.update(id(p) for p in node.parents)
    return out


NARY = ("dot", "sum")


def _expand_set(nodes: list, expand) -> set:
    """The ids of the n-ary nodes to draw as chains: all of them (True), those given, or none."""
    if expand is True:
        return {id(n) for n in nodes if n.op_entry is OPS.get(n.op) and n.op in NARY}
    if not expand:
        return set()
    chosen = [expand] if hasattr(expand, "parents") else list(expand)
    for node in chosen:
        if node.op not in NARY or node.op_entry is not OPS.get(node.op):
            raise ValueError(f"expand: only n-ary {' and '.join(NARY)} nodes of Values can be drawn as "
                             f"a chain of * and + nodes, not a node made by {node.op or 'nothing (a leaf)'!r}")
    return {id(n) for n in chosen}


class Seen:
    """A node of the user's graph as a picture shows it: everything from the node itself, but
    its ``parents`` those of the view (none for an input the picture stops at)."""

    def __init__(self, node, parents: tuple) -> None:
        self.source = node
        self.parents = parents
        self._index = {id(p): v for p, v in zip(node.parents, parents)}

    def __getattr__(self, name):
        return getattr(self.source, name)

    @property
    def local_grads(self):
        return self.source.local_grads if self.parents else ()

    def contributions(self) -> list:
        if not self.parents:
            return []
        return [(self._index[id(p)], c) for p, c in self.source.contributions()]


class Chain:
    """One link of the lecture's chain for an n-ary node (``*`` of a weight and an input, or
    ``+``): plain numbers, the n-ary node's gradient."""

    requires_grad = True
    op_params = ()

    def __init__(self, op: str, parents: tuple, data, local: tuple, of) -> None:
        self.op, self.op_entry, self.parents = op, OPS[op], parents
        self.data, self.local_grads = data, local
        self.grad, self.has_grad, self.label = of.grad, of.has_grad, ""

    def contributions(self) -> list:
        return [(p, local * self.grad) for p, local in zip(self.parents, self.local_grads)]


def _chain(node, parents: tuple):
    """The last link of node's chain (standing for node), built from its drawn parents."""
    if node.op == "dot":
        n = len(parents) // 2
        ws, xs = parents[:n], parents[n:2 * n]
        terms = [Chain("*", (w, x), w.data * x.data, (x.data, w.data), node) for w, x in zip(ws, xs)]
        terms += list(parents[2 * n:])  # the bias
    else:
        terms = list(parents)
    link = terms[0]
    for term in terms[1:]:
        link = Chain("+", (link, term), link.data + term.data, (1.0, 1.0), node)
    if link is terms[0] and not isinstance(link, Chain):  # one term alone: nothing to expand
        return Seen(node, parents)
    link.label, link.data = node.label, node.data  # the last link is the node itself
    return link
