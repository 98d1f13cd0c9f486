"""Which nodes a picture draws when it cannot draw them all.

A picture keeps the nodes nearest the output, each together with its leaves: the output
neuron's weights and bias stay, and the graph is cut further up, where a dashed "… k more
inputs" stub marks each node whose inputs were folded away. ``focus`` keeps only the paths from
some nodes to the output. ``layout_size`` measures the work graphviz's dot does, which bounds
what is drawn (MAX_LAYOUT).
"""

from __future__ import annotations

from .. import engine
from .edges import parallel_edges

MAX_LAYOUT = 800
"""Largest layout size (see layout_size) ``draw`` makes unless max_nodes=None: a fraction of a
second of dot's time. A bigger graph is cut to the nodes nearest the output, with a note."""


def focus_paths(nodes: list, focus: tuple) -> list:
    """The nodes on a path from one of ``focus`` to an output (``nodes`` each before its parents)."""
    targets = {id(f) for f in focus}
    on_path: set[int] = set()
    for node in reversed(nodes):  # parents before children
        if id(node) in targets or any(id(p) in on_path for p in node.parents):
            on_path.add(id(node))
    if not targets <= on_path:
        raise ValueError("focus: a node to focus on is not part of the graph of this root")
    return [n for n in nodes if id(n) in on_path]


def nearest_groups(nodes: list, roots: list) -> list[list]:
    """The nodes in groups, nearest the outputs first: breadth first from the roots, each node
    that an op made followed by its leaves, which are drawn with it (a neuron's weights stay with
    its weighted sum). Only nodes in ``nodes`` are listed; each group reaches a root through the
    groups before it."""
    allowed = {id(n) for n in nodes}
    queued = {id(r) for r in roots if id(r) in allowed}
    queue = [r for r in roots if id(r) in allowed]
    groups = []
    for node in queue:  # the queue grows as it is walked: breadth first, no recursion
        group = [node]
        for parent in node.parents:
            if id(parent) in allowed and id(parent) not in queued:
                queued.add(id(parent))
                (queue if parent.parents else group).append(parent)
        groups.append(group)
    return groups


def first_groups(groups: list[list], count: int) -> list:
    """The nodes of the first ``count`` groups, in order."""
    return [n for g in groups[:count] for n in g]


def cut_to(groups: list[list], max_nodes: int) -> list:
    """The nodes of as many whole groups as fit in max_nodes (part of the first if it alone is larger)."""
    kept: list = []
    for group in groups:
        if len(kept) + len(group) > max_nodes:
            return kept or group[:max_nodes]
        kept += group
    return kept


def largest_fitting(groups: list[list], fits) -> int:
    """The largest count of groups whose nodes satisfy ``fits`` (at least 1): doubling, then
    halving, so a huge graph is measured only near the size that is drawn."""
    if fits(first_groups(groups, len(groups))):
        return len(groups)
    good, bad = 1, 2
    while bad < len(groups) and fits(first_groups(groups, bad)):
        good, bad = bad, bad * 2
    bad = min(bad, len(groups))
    while bad - good > 1:
        middle = (good + bad) // 2
        good, bad = (middle, bad) if fits(first_groups(groups, middle)) else (good, middle)
    return good


def layout_size(root) -> int:
    """The work graphviz's dot does to lay out ``draw(root, max_nodes=None)``, in units of
    nodes: value nodes + op nodes + the length in ranks of every edge.

    dot lays an edge that crosses k ranks out as a chain of k virtual nodes, so its time grows
    with this size (faster than linearly), not with the number of nodes: x*x*…*x with 50
    factors is 99 nodes, but each factor's edge from x is long, 2 600 units in all, and dot
    takes a minute; 500 units take it about 0.1 s."""
    nodes = engine.topological_order(root)
    return kept_layout_size(nodes, {id(n) for n in nodes})


def kept_layout_size(nodes: list, kept: set) -> int:
    """The layout size of the kept nodes (ids in ``kept``; ``nodes`` each before its parents)."""
    rank = ranks(nodes, kept)
    size = 0
    for node in nodes:
        if id(node) in kept:
            size += 1 + (1 if node.parents else 0)
            for parent, _ in parallel_edges(node):
                if id(parent) in kept:
                    size += rank[id(parent)] - rank[id(node)] - 1
    return size


def ranks(nodes: list, kept: set) -> dict[int, int]:
    """id → rank of each kept node, counted from the outputs: rank(parent) ≥ rank(child) + 2
    (the op node sits between), so a parent's edge to op(c) crosses rank(parent) − rank(c) − 1
    ranks; dot's own ranking is never longer."""
    rank: dict[int, int] = {}
    for node in nodes:  # children first, so a node's rank is final when it is reached
        if id(node) not in kept:
            continue
        r = rank.setdefault(id(node), 0)
        for parent in node.parents:
            if id(parent) in kept:
                rank[id(parent)] = max(rank.get(id(parent), 0), r + 2)
    return rank
