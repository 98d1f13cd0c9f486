"""The options of a picture (``draw``, ``draw_steps``, ``stepper``), checked once."""

from __future__ import annotations

from dataclasses import dataclass

RANKDIRS = ("AUTO", "LR", "TB", "RL", "BT")


@dataclass(frozen=True)
class Options:
    rankdir: str          # "AUTO" or a graphviz rankdir
    show_grad: bool
    edge_labels: bool
    digits: int
    highlight: frozenset  # ids of the nodes outlined in red
    params: frozenset | None
    colors: bool
    max_nodes: int | str | None
    focus: tuple
    title: str
    notes: dict           # id(node) → text
    size: str | None
    legend: bool
    names: dict           # node → name


def options(rankdir="auto", show_grad=True, edge_labels=True, digits=4, highlight=(), params=None,
            colors=True, max_nodes="auto", focus=None, title="", notes=None, size="auto",
            legend=True, names=None) -> Options:
    """The options, checked: a wrong one is a ValueError that names it and what it accepts."""
    rankdir = str(rankdir).upper()
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(r if r != 'AUTO' else 'auto' for r in RANKDIRS)} "
                         f"(LR: left to right, TB: top down, auto: chosen to fit the page), got {rankdir!r}")
    if not isinstance(digits, int) or digits < 1:
        raise ValueError(f"digits must be a positive int (significant digits), got {digits!r}")
    if max_nodes != "auto" and max_nodes is not None and (
            not isinstance(max_nodes, int) or isinstance(max_nodes, bool) or max_nodes < 1):
        raise ValueError("max_nodes must be a positive int, 'auto' (as many as fit the page) or None "
                         f"(no limit), got {max_nodes!r}")
    if size not in ("auto", None) and not isinstance(size, str):
        raise ValueError(f"size must be 'auto' (the page width), None (natural size) or a DOT size "
                         f"such as '10,8' (inches), got {size!r}")
    focus = () if focus is None else (focus,) if hasattr(focus, "parents") else tuple(focus)
    highlight = frozenset(id(n) for n in highlight) | frozenset(id(n) for n in focus)
    params = None if params is None else frozenset(id(p) for p in params)
    notes = {id(node): str(text) for node, text in (notes or {}).items()}
    return Options(rankdir, bool(show_grad), bool(edge_labels), digits, highlight, params, bool(colors),
                   max_nodes, focus, str(title), notes, size, bool(legend), dict(names or {}))
