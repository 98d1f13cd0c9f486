"""What travels on each edge: which parent an engine contribution goes to, and parallel edges.

An edge parent → child carries the chain rule's term dL/dchild · ∂child/∂parent (a
vector-Jacobian product for a Tensor op), the node protocol's ``contributions()``.
"""

from __future__ import annotations

import numpy as np

from .text import is_array


def edge_indices(node, contributions) -> list[int]:
    """For each (parent, contribution) pair, the index of the edge in node.parents it travels on
    (a node that uses x twice, as x*x does, has two edges to x and two contributions)."""
    slots: dict[int, list[int]] = {}
    for j in reversed(range(len(node.parents))):  # reversed, so pop() hands out the first edge first
        slots.setdefault(id(node.parents[j]), []).append(j)
    return [slots[id(p)].pop() if slots.get(id(p)) else -1 for p, _ in contributions]


def parallel_edges(node) -> list[tuple[object, list[int]]]:
    """node's edges grouped by parent, parents in order of first use: ``x*x`` → [(x, [0, 1])].

    Parallel edges (one parent used k times by one op) are drawn as one edge labelled ×k that
    carries their sums, the local derivative ∂c/∂x = Σ_k ∂c/∂x_k (x + x for x*x) and the
    contribution; k separate edges say the same but make dot's layout slow."""
    groups: dict[int, tuple[object, list[int]]] = {}
    for j, parent in enumerate(node.parents):
        groups.setdefault(id(parent), (parent, []))[1].append(j)
    return list(groups.values())


def out_degrees(nodes: list) -> dict:
    """id(node) → the number of edges from node to the children (among ``nodes``) that use it:
    how many contributions its gradient is the sum of."""
    uses: dict = {}
    for node in nodes:
        for p in node.parents:
            uses[id(p)] = uses.get(id(p), 0) + 1
    return uses


def edge_contributions(node) -> list:
    """The contribution on each edge of node (same order as node.parents), None where none was
    sent (a parent that needs no gradient, or a node backward has not reached)."""
    out = [None] * len(node.parents)
    if node.grad is None:
        return out
    contributions = node.contributions()
    for j, (_, c) in zip(edge_indices(node, contributions), contributions):
        if j >= 0:
            out[j] = c
    return out


def edge_locals(node) -> list:
    """∂node/∂parent on each edge where it is a number, else None (a Tensor edge carries a
    vector-Jacobian product; an elementwise op's local derivative is an array)."""
    local = node.local_grads
    if local is None:
        return [None] * len(node.parents)
    return [None if is_array(v) else v for v in local]


def snapshot(x):
    """A copy of an array contribution: it may become (and later be updated in place as) a
    parent's grad array."""
    return np.array(x, copy=True) if isinstance(x, np.ndarray) else x
