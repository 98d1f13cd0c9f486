"""Pictures of a computation graph: every node's data and grad, every edge's local derivative.

    draw(root)              a graphviz.Digraph (shows inline in Jupyter; save() or .pipe() to files)
    draw_steps(root)        one picture per step of backward, in the engine's real order
    trace_backward(root)    the same steps as records: node, grad, contributions in and out
    save_steps(root, dir)   the step pictures as files, an HTML page to click through, a GIF
    explain(x, root)        the chain-rule sum behind x.grad, with the numbers
    save(graph, path)       render to .svg / .png / .pdf (or .dot), format from the extension

A picture has one box per node (label | data | grad), one small node per op, and edges
parent → op → child. The edge parent → op carries the local derivative ∂child/∂parent and,
after backward, the contribution child.grad × ∂child/∂parent that the engine added into
parent.grad, so the chain-rule sum

    ∂L/∂x = Σ_c ∂L/∂c · ∂c/∂x

can be read off the picture: x.grad is the sum of the contributions on x's outgoing edges.
For a Tensor an edge carries the vector-Jacobian product (the contribution) instead.

Colours: output yellow, parameters blue, inputs green, constants grey, intermediates white.

The graphviz Python package is imported only when a picture is made, so ``import autodiff``
works without it; graphviz's ``dot`` program is needed only to render (the DOT source is
always available as ``graph.source``).
"""

from __future__ import annotations

import contextlib
import functools
import html
import math
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import engine
from .errors import AutodiffError, GradError

RANKDIRS = ("LR", "TB", "RL", "BT")
FORMATS = ("svg", "png", "pdf", "jpg", "jpeg", "gif", "dot", "gv")
"""File extensions ``save`` understands (``dot``/``gv`` write the DOT source, no rendering)."""

COLOURS = {
    "output": "#fff2a8",
    "parameter": "#cfe2ff",
    "input": "#d4edda",
    "constant": "#eeeeee",
    "intermediate": "#ffffff",
}
RED = "#d62728"     # highlighted node; in a step picture: what is being sent now
BLUE = "#1f77b4"    # in a step picture: the contributions summed into the current node
PENDING = "#a0a0a0"  # in a step picture: edges backward has not reached yet
DOT_TIMEOUT = 60.0
"""Seconds ``save`` and ``render`` let graphviz's dot run before stopping it."""
RASTER_FORMATS = ("png", "jpg", "jpeg", "gif")
RASTER_INCHES = "50,50"
"""Largest raster picture, in inches at 96 dpi (4 800 pixels a side); a larger drawing is scaled
down to fit (a graph's own ``size`` attribute wins). A 150-node chain is 18 000 × 4 000 pixels
at full size, and drawing those took seconds; nobody can read it as one image anyway."""
MAX_LAYOUT = 800
"""Largest layout size (see layout_size) ``draw`` makes when max_nodes is set: a fraction of a
second of dot's time. A bigger graph is cut to the nodes nearest the output, with a note."""

INSTALL_HINT = ("install graphviz's dot program: apt-get install graphviz (Debian/Ubuntu), "
                "brew install graphviz (macOS), conda install -c conda-forge graphviz, "
                "or choco install graphviz (Windows)")


class GraphvizNotFoundError(AutodiffError, RuntimeError):
    """graphviz's ``dot`` program is not installed, so a picture cannot be rendered.

    The DOT source is kept on the exception (``err.source``) and on the graph (``graph.source``).
    """

    def __init__(self, source: str) -> None:
        super().__init__(
            "graphviz's 'dot' program was not found on PATH, so the picture cannot be rendered; "
            f"{INSTALL_HINT}. The DOT source is still available as graph.source "
            "(or save it with a .dot extension)."
        )
        self.source = source


class GraphvizTimeoutError(AutodiffError, TimeoutError):
    """graphviz's ``dot`` took longer than the time allowed to lay out a picture and was stopped."""


class GraphvizError(AutodiffError, RuntimeError):
    """graphviz's ``dot`` program failed; the message carries what it said."""


def _graphviz():
    try:
        import graphviz
    except ImportError as e:
        raise ImportError(
            "drawing a graph needs the graphviz Python package: pip install graphviz "
            f"(and, to render pictures, {INSTALL_HINT})"
        ) from e
    return graphviz


@functools.cache
def _picture_class():
    """A graphviz.Digraph whose rendering turns 'dot not found' into GraphvizNotFoundError."""
    graphviz = _graphviz()

    class Picture(graphviz.Digraph):
        """A graphviz.Digraph; rendering without the dot program raises GraphvizNotFoundError."""

        def pipe(self, *args, **kwargs):
            try:
                return super().pipe(*args, **kwargs)
            except graphviz.ExecutableNotFound as e:
                raise GraphvizNotFoundError(self.source) from e

        def render(self, *args, **kwargs):
            try:
                return super().render(*args, **kwargs)
            except graphviz.ExecutableNotFound as e:
                raise GraphvizNotFoundError(self.source) from e

    return Picture


# --- numbers and names ---------------------------------------------------------------------------
def _fmt(x, digits: int = 4) -> str:
    """x with ``digits`` significant digits; -0 is shown as 0, arrays as ``_summary`` does."""
    if isinstance(x, np.ndarray) and x.ndim > 0:
        return _summary(x, digits)
    x = float(x)
    if x == 0:
        return "0"  # -0.0 only confuses a reader
    return f"{x:.{digits}g}"


def _summary(a, digits: int = 4, max_values: int = 6) -> str:
    """The values of a small array (at most ``max_values``), else ``min … mean … max``."""
    a = np.asarray(a)
    if a.size == 0:
        return "[]"
    if a.ndim == 0:
        return _fmt(a.item(), digits) if a.dtype.kind in "fiub" else str(a.item())
    if a.size <= max_values:
        text = np.array2string(a, separator=", ", max_line_width=10**6,
                               formatter={"all": lambda v: _fmt(v, digits)})
        return " ".join(text.split())
    if a.dtype.kind not in "fiub":
        return f"{a.size} values"
    lo, mean, hi = a.min(), a.mean(), a.max()
    return f"min {_fmt(lo, digits)} mean {_fmt(mean, digits)} max {_fmt(hi, digits)}"


def _is_tensor(node) -> bool:
    return isinstance(node.data, np.ndarray)


_INFIX = {"+": (1, " + "), "-": (1, " - "), "*": (2, "*"), "/": (2, "/"), "@": (2, " @ "),
          "**": (4, "**")}


def _pow_exponent(node) -> float | None:
    """n of a Value made by ``a ** n`` (n a constant): recovered as n = (n·aⁿ⁻¹)·a / aⁿ."""
    if _is_tensor(node) or not node.local_grads:
        return None
    a, y, local = node.parents[0].data, node.data, node.local_grads[0]
    if a == 0 or y == 0 or not (math.isfinite(y) and math.isfinite(local)):
        return None
    n = local * a / y
    return round(n) if abs(n - round(n)) < 1e-9 else n


def _op_text(node, digits: int = 4) -> str:
    """What the op node shows: the operator, and the exponent of a constant power."""
    if node.op == "pow":
        n = _pow_exponent(node)
        return "pow" if n is None else f"**{_fmt(n, digits)}"
    return node.op or "?"


def _display_name(node, depth: int = 3, digits: int = 4) -> str:
    """A short readable name: the label, else a constant's value, else the expression that made
    it (``x*w + b``), elided with … below ``depth`` levels."""
    return _name(node, depth, digits)[0]


def _name(node, depth: int, digits: int) -> tuple[str, int]:
    # returns (text, precedence) so the caller knows whether to parenthesise
    if node.label:
        return node.label, 9
    if not node.parents:
        if _is_tensor(node):
            return f"const{tuple(node.shape)}", 9
        text = _fmt(node.data, digits)
        return text, (9 if not text.startswith("-") else 3)
    if depth == 0:
        return "…", 9
    parents = node.parents
    if node.op in _INFIX and len(parents) == 2:
        prec, sym = _INFIX[node.op]
        a, pa = _name(parents[0], depth - 1, digits)
        b, pb = _name(parents[1], depth - 1, digits)
        # ** is right-associative; - and / are not associative on the right
        if pa < prec or (node.op == "**" and pa <= prec):
            a = f"({a})"
        if pb < prec or (pb == prec and node.op in ("-", "/")):
            b = f"({b})"
        return f"{a}{sym}{b}", prec
    if node.op == "neg":
        a, pa = _name(parents[0], depth - 1, digits)
        return (f"-({a})" if pa < 4 else f"-{a}"), 3
    if node.op == "pow" and len(parents) == 1:
        a, pa = _name(parents[0], depth - 1, digits)
        n = _pow_exponent(node)
        a = a if pa > 4 else f"({a})"
        return (f"{a}**{_fmt(n, digits)}" if n is not None else f"pow({a})"), 4
    if len(parents) > 3:
        return f"{node.op}(… {len(parents)} terms)", 9
    args = ", ".join(_name(p, depth - 1, digits)[0] for p in parents)
    return f"{node.op}({args})", 9


def _formula(node) -> str:
    """The op's rule (forward; derivative), shown when the mouse is over the op in an SVG."""
    op = node.op_entry
    return op.formula if op is not None else node.op


def _backward_ran(root) -> bool:
    g = root.grad
    return g is not None and bool(np.any(np.asarray(g) != 0))


def _kind(node, root, params: frozenset | None) -> str:
    if node is root:
        return "output"
    if node.parents:
        return "intermediate"
    if _is_tensor(node):
        if getattr(node, "requires_grad", False):
            return "parameter"
        return "input" if node.label else "constant"
    if params is not None:
        if id(node) in params:
            return "parameter"
        return "input" if node.label else "constant"
    # without a params list a labelled Value leaf is a parameter or an input: we cannot tell which
    return "parameter" if node.label else "constant"


# --- which edges carry what ---------------------------------------------------------------------
def _edge_indices(node, contributions) -> list[int]:
    """For each (parent, contribution) pair, the index of the edge in node.parents it travels on
    (a node that uses x twice, as x*x does, has two edges to x and two contributions)."""
    slots: dict[int, list[int]] = {}
    for j in reversed(range(len(node.parents))):  # reversed, so pop() hands out the first edge first
        slots.setdefault(id(node.parents[j]), []).append(j)
    return [slots[id(p)].pop() if slots.get(id(p)) else -1 for p, _ in contributions]


def _parallel_edges(node) -> list[tuple[object, list[int]]]:
    """node's edges grouped by parent, parents in order of first use: ``x*x`` → [(x, [0, 1])].

    Parallel edges (one parent used k times by one op) are drawn as one edge labelled ×k that
    carries their sums, the local derivative ∂c/∂x = Σ_k ∂c/∂x_k (x + x for x*x) and the
    contribution; k separate edges say the same but make dot's layout slow."""
    groups: dict[int, tuple[object, list[int]]] = {}
    for j, parent in enumerate(node.parents):
        groups.setdefault(id(parent), (parent, []))[1].append(j)
    return list(groups.values())


def _edge_contributions(node) -> list:
    """Contribution on each edge of node (same order as node.parents), None where unknown."""
    if node.grad is None:
        return [None] * len(node.parents)
    if not _is_tensor(node):
        g = node.grad
        return [local * g for local in node.local_grads]
    out = [None] * len(node.parents)
    contributions = node.contributions()
    for j, (_, c) in zip(_edge_indices(node, contributions), contributions):
        if j >= 0:
            out[j] = c
    return out


def _snapshot(x):
    # a contribution may become (and later be updated in place as) a parent's grad array
    return np.array(x, copy=True) if isinstance(x, np.ndarray) else x


# --- options and node selection -----------------------------------------------------------------
@dataclass(frozen=True)
class _Options:
    rankdir: str
    show_grad: bool
    edge_labels: bool
    digits: int
    highlight: frozenset
    params: frozenset | None
    colors: bool
    max_nodes: int | None
    focus: tuple
    title: str
    notes: dict


def _options(rankdir="LR", show_grad=True, edge_labels=True, digits=4, highlight=(), params=None,
             colors=True, max_nodes=150, focus=None, title="", notes=None) -> _Options:
    rankdir = str(rankdir).upper()
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)} "
                         f"(LR: left to right, TB: top down), got {rankdir!r}")
    if not isinstance(digits, int) or digits < 1:
        raise ValueError(f"digits must be a positive int (significant digits), got {digits!r}")
    if max_nodes is not None and (not isinstance(max_nodes, int) or max_nodes < 1):
        raise ValueError(f"max_nodes must be a positive int or None (no limit), got {max_nodes!r}")
    if focus is None:
        focus = ()
    elif hasattr(focus, "parents"):
        focus = (focus,)
    else:
        focus = tuple(focus)
    highlight = frozenset(id(n) for n in highlight) | frozenset(id(n) for n in focus)
    params = None if params is None else frozenset(id(p) for p in params)
    notes = {id(node): str(text) for node, text in (notes or {}).items()}
    return _Options(rankdir, bool(show_grad), bool(edge_labels), digits, highlight, params,
                    bool(colors), max_nodes, focus, str(title), notes)


def _select(root, nodes: list, opts: _Options) -> tuple[list, str]:
    """The nodes to draw (closed under 'child of', so every drawn node reaches the root) and a
    note saying what was left out."""
    kept, note = nodes, ""
    if opts.focus:
        targets = {id(f) for f in opts.focus}
        on_path: set[int] = set()
        for node in reversed(nodes):  # parents before children
            if id(node) in targets or any(id(p) in on_path for p in node.parents):
                on_path.add(id(node))
        if not targets <= on_path:
            raise ValueError("focus: a node to focus on is not part of the graph of this root")
        kept = [n for n in nodes if id(n) in on_path]
        focus_names = ", ".join(_display_name(f, digits=opts.digits) for f in opts.focus)
        note = (f"only the paths from {focus_names} to the output: "
                f"{len(kept)} of {len(nodes)} nodes")
    if opts.max_nodes is None:
        return kept, note
    # topological order lists every node after all its children: a prefix is still connected
    total, fit = len(kept), min(opts.max_nodes, _layout_fit(kept, MAX_LAYOUT))
    if fit < total:
        kept = kept[:fit]
        why = (f"max_nodes={opts.max_nodes}" if fit == opts.max_nodes else
               f"drawing more would make dot slow: layout size over {MAX_LAYOUT}, see layout_size")
        note = (note + "; " if note else "") + (
            f"showing the {fit} nodes nearest the output of {total} ({why}); "
            "draw(..., max_nodes=None) draws all, draw(..., focus=node) only the paths from one node")
    return kept, note


def _layout_fit(nodes: list, budget: int) -> int:
    """How many of ``nodes`` (each listed before its parents), from the first, fit a picture of
    layout size at most ``budget`` (see layout_size); at least one always does."""
    for k, size in enumerate(_layout_sizes(nodes)):
        if size > budget:
            return max(k, 1)
    return len(nodes)


def layout_size(root) -> int:
    """The work graphviz's dot does to lay out ``draw(root, max_nodes=None)``, in units of
    nodes: value nodes + op nodes + the length in ranks of every edge.

    dot lays an edge that crosses k ranks out as a chain of k virtual nodes, so its time grows
    with this size (faster than linearly), not with the number of nodes: x*x*…*x with 50
    factors is 99 nodes, but each factor's edge from x is long, 2 600 units in all, and dot
    takes a minute; 500 units take it about 0.1 s."""
    return list(_layout_sizes(engine.topological_order(root)))[-1]


def _layout_sizes(nodes: list) -> Iterator[int]:
    """The layout size of the first k nodes, for k = 1, 2, …: ranks are counted from the first
    node, rank(parent) ≥ rank(child) + 2 (the op node sits between), so a parent's edge to
    op(c) crosses rank(parent) − rank(c) − 1 ranks; dot's own ranking is never longer."""
    rank: dict[int, int] = {}
    into: dict[int, list[int]] = {}  # id(parent) → [edges from children so far, sum of their ranks]
    size = 0
    for node in nodes:
        r = rank.get(id(node), 0)
        n_edges, rank_sum = into.get(id(node), (0, 0))
        size += 1 + n_edges * (r - 1) - rank_sum
        if node.parents:
            size += 1
            for parent, _ in _parallel_edges(node):
                rank[id(parent)] = max(rank.get(id(parent), 0), r + 2)
                edges = into.setdefault(id(parent), [0, 0])
                edges[0] += 1
                edges[1] += r
        yield size


# --- step state (for pictures of backward in progress) ------------------------------------------
@dataclass
class _Frame:
    step: TraceStep
    total: int
    processed: set          # ids of nodes whose step has run (including this one)
    contributions: dict     # (id(child), parent index) → contribution sent along that edge
    received: dict          # id(node) → number of contributions received so far
    incoming: dict          # id(node) → number of edges into node from its children


# --- the picture ----------------------------------------------------------------------------------
def _table(cells: list[str], colour: str, border: str, vertical: bool) -> str:
    sep = "</TD></TR><TR><TD>" if vertical else "</TD><TD>"
    return (f'<<TABLE BORDER="{border}" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" '
            f'BGCOLOR="{colour}"'
            + (f' COLOR="{RED}"' if border != "0" else "")
            + f"><TR><TD>{sep.join(cells)}</TD></TR></TABLE>>")


def _grad_cell(node, opts: _Options, frame: _Frame | None) -> str:
    g = "None" if node.grad is None else _fmt(node.grad, opts.digits)
    if _is_tensor(node) and node.grad is not None:
        g = _summary(node.grad, opts.digits)
    text = html.escape(f"grad {g}")
    if frame is None:
        return text
    if _is_tensor(node) and not getattr(node, "requires_grad", True):
        return text  # a tensor that needs no gradient never gets one: nothing is pending
    got, need = frame.received.get(id(node), 0), frame.incoming.get(id(node), 0)
    if node is frame.step.node or any(node is p for p in frame.step.finalized):
        return f"<B>{text}</B>"
    if got >= need:
        return text
    if got == 0:
        return '<FONT COLOR="#909090">grad …</FONT>'
    return f'{text} <FONT COLOR="#909090">(so far)</FONT>'


def _node_label(node, root, opts: _Options, frame: _Frame | None) -> str:
    kind = _kind(node, root, opts.params)
    colour = COLOURS[kind] if opts.colors else "#ffffff"
    marked = id(node) in opts.highlight or (frame is not None and node is frame.step.node)
    border = "3" if marked else "0"
    cells = []
    if node.label:
        cells.append(f"<B>{html.escape(node.label)}</B>")
    if _is_tensor(node):
        head = f"{tuple(node.shape)} {node.dtype}"
        cells = [" ".join(cells + [html.escape(head)])]
        cells.append(html.escape(f"data {_summary(node.data, opts.digits)}"))
    else:
        cells.append(html.escape(f"data {_fmt(node.data, opts.digits)}"))
    if opts.show_grad:
        cells.append(_grad_cell(node, opts, frame))
    if id(node) in opts.notes:
        cells.append(html.escape(opts.notes[id(node)]))
    return _table(cells, colour, border, vertical=_is_tensor(node))


def _edge_style(child, js: list[int], parent, opts: _Options, frame: _Frame | None,
                plain_contribs: list | None) -> dict:
    """Label and colour of the edge parent → op(child): local derivative, then contribution.

    ``js`` are the indices of the parallel edges drawn as this one edge (see _parallel_edges):
    the label shows ×k and the sums over them."""
    lines = []
    tensor = _is_tensor(child)
    many = f"×{len(js)} edges: " if len(js) > 1 else ""
    if not tensor and opts.edge_labels:
        locals_ = [child.local_grads[j] for j in js]
        lines.append(f"{many}local = {_sum_text([_fmt(v, opts.digits) for v in locals_], locals_, opts.digits)}")
    attrs: dict = {}
    if frame is None:
        parts = [plain_contribs[j] if plain_contribs is not None else None for j in js]
    else:
        parts = [frame.contributions.get((id(child), j)) for j in js]
        if child is frame.step.node:
            attrs = {"color": RED, "fontcolor": RED, "penwidth": "2.2"}
        elif parent is frame.step.node:
            attrs = {"color": BLUE, "fontcolor": BLUE, "penwidth": "2.2"}
        elif id(child) not in frame.processed:
            attrs = {"color": PENDING, "fontcolor": PENDING, "style": "dashed"}
    if opts.edge_labels and opts.show_grad and all(c is not None for c in parts):
        if tensor:
            total = parts[0] if len(parts) == 1 else sum(parts[1:], np.array(parts[0], dtype=float))
            lines.append(f"{many}contribution {_summary(total, opts.digits)}")
        else:
            # a child that has sent its contributions has its final grad
            g = _fmt(child.grad, opts.digits)
            products = [f"{g} × {_fmt(child.local_grads[j], opts.digits)}" for j in js]
            lines.append(_sum_text(products, parts, opts.digits, always_total=True))
    if lines:
        attrs["label"] = "\\n".join(lines)
    return attrs


def _sum_text(terms: list[str], values: list[float], digits: int, always_total: bool = False) -> str:
    """``t1 + t2 + t3 + … = Σ values`` (three terms shown at most); one term alone is just itself
    (``always_total``: ``t1 = value``)."""
    total = _fmt(_fsum(values), digits)
    if len(terms) == 1:
        return f"{terms[0]} = {total}" if always_total else terms[0]
    shown = " + ".join(t if " " in t else _neg(t) for t in terms[:3])
    return f"{shown}{' + …' if len(terms) > 3 else ''} = {total}"


def _fsum(values: Iterable[float]) -> float:
    """Σ values correctly rounded (math.fsum), or as IEEE arithmetic has it where fsum refuses:
    inf + (-inf) = nan, and a sum past the largest float = ±inf."""
    values = list(values)
    try:
        return math.fsum(values)
    except (OverflowError, ValueError):
        return sum(values)


def _render(root, nodes: list, opts: _Options, frame: _Frame | None = None, caption: str = ""):
    kept, note = _select(root, nodes, opts)
    index = {id(n): k for k, n in enumerate(nodes)}
    kept_ids = {id(n) for n in kept}
    # graphviz ends a left-justified line of a label with a backslash-l
    heading = "".join(f"{t}\\l" for t in (opts.title, caption, note) if t)
    graph_attr = {"rankdir": opts.rankdir, "nodesep": "0.25", "ranksep": "0.35",
                  "fontname": "Helvetica", "fontsize": "12"}
    if heading:
        graph_attr.update(label=heading, labelloc="t", labeljust="l")
    g = _picture_class()(
        name="autodiff", graph_attr=graph_attr,
        node_attr={"fontname": "Helvetica", "fontsize": "11"},
        edge_attr={"fontname": "Helvetica", "fontsize": "9", "arrowsize": "0.7"},
    )
    with_contribs = frame is None and opts.show_grad and opts.edge_labels and _backward_ran(root)
    for node in kept:
        k = index[id(node)]
        g.node(f"v{k}", label=_node_label(node, root, opts, frame), shape="plain")
        if not node.parents:
            continue
        g.node(f"v{k}op", label=_op_text(node, opts.digits), shape="ellipse", fontsize="10",
               height="0.3", margin="0.04,0.02", tooltip=_formula(node))
        g.edge(f"v{k}op", f"v{k}")
        contribs = _edge_contributions(node) if with_contribs else None
        hidden = 0
        for parent, js in _parallel_edges(node):
            if id(parent) not in kept_ids:
                hidden += 1
                continue
            g.edge(f"v{index[id(parent)]}", f"v{k}op",
                   **_edge_style(node, js, parent, opts, frame, contribs))
        if hidden:
            g.node(f"v{k}more", label=f"… {hidden} more input{'s' if hidden > 1 else ''}",
                   shape="plaintext", fontcolor="#707070", fontsize="9")
            g.edge(f"v{k}more", f"v{k}op", style="dashed", color=PENDING)
    return g


def draw(root, *, rankdir: str = "LR", show_grad: bool = True, edge_labels: bool = True,
         digits: int = 4, highlight: Iterable = (), params: Iterable | None = None,
         colors: bool = True, max_nodes: int | None = 150, focus=None, title: str = "",
         notes: dict | None = None):
    """The graph that computed ``root`` as a ``graphviz.Digraph``.

    Value node: label, data, grad; each op its own small node; the edge parent → op is labelled
    with the local derivative ∂child/∂parent and, once backward has run, the contribution
    child.grad × local that was added into parent.grad. Tensor node: label, shape, dtype, and a
    summary of data and grad (the values if tiny, else min/mean/max); its edges carry the
    contribution (a vector-Jacobian product).

    rankdir      'LR' (left to right) or 'TB' (top down)
    show_grad    show grads and contributions;  edge_labels: show edge labels at all
    digits       significant digits of every number
    highlight    nodes to outline in red
    params       the nodes that are parameters (e.g. model.parameters()): coloured blue, other
                 labelled leaves green as inputs (without it every labelled leaf is blue)
    colors       colour nodes by kind (output, parameter, input, constant, intermediate)
    max_nodes    draw at most this many nodes, nearest the output first, with a note (None: all)
    focus        a node (or nodes): draw only the paths from it to root, and outline it
    title        a heading
    notes        {node: text}: one more line under a node's numbers (e.g. its tangent)

    The result shows inline in Jupyter; ``save(g, "graph.svg")`` or ``g.pipe(format="png")``
    renders it (needs graphviz's dot program); ``g.source`` is the DOT text.
    """
    opts = _options(rankdir, show_grad, edge_labels, digits, highlight, params, colors, max_nodes,
                    focus, title, notes)
    return _render(root, engine.topological_order(root), opts)


# --- backward, step by step ------------------------------------------------------------------------
@dataclass
class TraceStep:
    """One step of backward, in the engine's order.

    ``node``'s gradient is final (``grad``): it is the sum of the ``received`` contributions,
    one ``(child, ∂L/∂child · ∂child/∂node)`` per edge from a child (empty for the root, whose
    grad is the seed). In this step each ``(parent, node.grad · ∂node/∂parent)`` in ``sent`` is
    added into that parent's grad; the parents listed in ``finalized`` got their last
    contribution, so their grads are now final too (a leaf's grad becomes final this way).
    """

    index: int
    node: object
    grad: object
    received: list
    sent: list
    finalized: list


def _default_seed(root):
    if not _is_tensor(root):
        return 1.0
    if root.data.size != 1:
        raise GradError(f"backward from a tensor of shape {tuple(root.shape)} needs a seed "
                        "gradient of that shape (seed=...), or reduce it first, e.g. .sum()")
    return np.ones_like(root.data)


def _incoming_counts(nodes: list) -> dict:
    incoming: dict = {}
    for node in nodes:
        for p in node.parents:
            incoming[id(p)] = incoming.get(id(p), 0) + 1
    return incoming


def trace_backward(root, seed=None) -> Iterator[TraceStep]:
    """Run backward on root (seed ∂L/∂root, 1 by default) and yield one TraceStep per engine
    step, in the engine's order.

    This *is* the backward pass (it calls ``engine.backward_steps``): do not also call
    ``root.backward()``, or the leaves' gradients accumulate twice. With fresh leaves (grad 0),
    every node's final grad equals the sum of the contributions it received.
    """
    seed = _default_seed(root) if seed is None else seed
    left = _incoming_counts(engine.topological_order(root))
    received: dict = {}
    for step in engine.backward_steps(root, seed):
        node = step.node
        sent = [(p, _snapshot(c)) for p, c in step.contributions]
        finalized = []
        for p, c in sent:
            received.setdefault(id(p), []).append((node, c))
            left[id(p)] -= 1
            if left[id(p)] == 0:
                finalized.append(p)
        yield TraceStep(step.index, node, _snapshot(step.grad), list(received.get(id(node), [])),
                        sent, finalized)


def draw_steps(root, seed=None, **options) -> Iterator:
    """Run backward on root and yield one picture (graphviz.Digraph) per engine step.

    In picture i the node whose grad just became final is outlined in red; blue edges carry the
    contributions that were summed into its grad, red edges the contributions it now sends to
    its parents (its grad × local derivative); grey dashed edges are still to come, and a grad
    still being summed is marked "(so far)". ``options`` are those of ``draw``.
    Like ``trace_backward`` this runs the backward pass itself.
    """
    opts = _options(**options)
    nodes = engine.topological_order(root)
    total = sum(1 for n in nodes if n.parents)
    incoming = _incoming_counts(nodes)
    processed: set = set()
    contributions: dict = {}
    received: dict = {}
    for st in trace_backward(root, seed):
        processed.add(id(st.node))
        for j, (p, c) in zip(_edge_indices(st.node, st.sent), st.sent):
            contributions[(id(st.node), j)] = c
            received[id(p)] = received.get(id(p), 0) + 1
        frame = _Frame(st, total, processed, contributions, received, incoming)
        yield _render(root, nodes, opts, frame, _caption(st, total, root, opts.digits))


def _caption(st: TraceStep, total: int, root, digits: int) -> str:
    who = _paren(_display_name(st.node, digits=digits))
    head = f"backward step {st.index + 1} of {total}: {who}.grad = {_fmt(st.grad, digits)} is final"
    if st.node is root:
        head += " (the seed)"
    elif st.received:
        head += f" (blue: the {len(st.received)} term(s) summed into it)"
    done = [_display_name(p, digits=digits) for p in st.finalized if not p.parents]
    tail = f"red: {who}.grad × local derivative, added into each parent's grad"
    if done:
        tail += f"; now final: {', '.join(done)}"
    return f"{head}\\l{tail}"


def save_steps(root, directory, *, seed=None, ext: str = "svg", html_page: bool = True,
               gif: bool = False, gif_ms: int = 1200, timeout: float | None = DOT_TIMEOUT,
               **options) -> list[Path]:
    """Run backward on root and write one picture per step to ``directory`` (step_000.svg, ...;
    ``ext`` is any extension ``save`` understands).

    With ``html_page`` also writes steps.html (all frames, previous/next buttons and arrow keys);
    with ``gif`` also an animated steps.gif (needs Pillow). Returns the paths written.
    ``timeout`` bounds the seconds dot may take for all the pictures together.
    """
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    ext = ext.lower().lstrip(".")
    frames = list(draw_steps(root, seed, **options))
    deadline = None if timeout is None else time.monotonic() + timeout

    def left() -> float | None:
        return None if deadline is None else max(deadline - time.monotonic(), 0.001)

    paths = [save(g, out / f"step_{i:03d}.{ext}", timeout=left()) for i, g in enumerate(frames)]
    if html_page and frames:
        svgs = [p.read_text(encoding="utf-8") if ext == "svg"
                else render(g.source, "svg", left()).decode("utf-8") for p, g in zip(paths, frames)]
        page = out / "steps.html"
        page.write_text(_html_page(svgs), encoding="utf-8")
        paths.append(page)
    if gif and frames:
        pngs = [render(g.source, "png", left()) for g in frames]
        paths.append(_write_gif(pngs, out / "steps.gif", gif_ms))
    return paths


def _html_page(svgs: list[str]) -> str:
    # the inline SVGs need no files beside the page, so it can be mailed or opened anywhere
    frames = "\n".join(f'<div class="frame">{s[s.find("<svg"):]}</div>' for s in svgs)
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>backward, step by step</title>
<style>body{{font-family:sans-serif}} .frame{{display:none}} .frame.on{{display:block}}</style>
</head><body>
<p><button id="prev">&#9664; previous</button> <span id="pos"></span>
<button id="next">next &#9654;</button> (or the arrow keys)</p>
{frames}
<script>
const frames = document.querySelectorAll('.frame');
let i = 0;
function show(k) {{
  i = Math.max(0, Math.min(frames.length - 1, k));
  frames.forEach((f, j) => f.classList.toggle('on', j === i));
  document.getElementById('pos').textContent = 'step ' + (i + 1) + ' of ' + frames.length;
}}
document.getElementById('prev').onclick = () => show(i - 1);
document.getElementById('next').onclick = () => show(i + 1);
document.addEventListener('keydown', e => {{
  if (e.key === 'ArrowLeft') show(i - 1);
  if (e.key === 'ArrowRight') show(i + 1);
}});
show(0);
</script></body></html>
"""


def _write_gif(pngs: list[bytes], path: Path, ms: int) -> Path:
    try:
        from PIL import Image
    except ImportError as e:
        raise ImportError("an animated GIF needs Pillow: pip install pillow "
                          "(the frames and steps.html need nothing more)") from e
    import io

    images = [Image.open(io.BytesIO(b)).convert("RGB") for b in pngs]
    # frames differ in size as labels grow; paste each on a common white canvas
    w = max(im.width for im in images)
    h = max(im.height for im in images)
    canvases = []
    for im in images:
        canvas = Image.new("RGB", (w, h), "white")
        canvas.paste(im, (0, 0))
        canvases.append(canvas)
    canvases[0].save(path, save_all=True, append_images=canvases[1:], duration=ms, loop=0)
    return path


# --- explain -------------------------------------------------------------------------------------------
def explain(node, root, digits: int = 4) -> str:
    """The chain-rule sum behind ``node.grad``, with the numbers:

        ∂L/∂x = Σ_c ∂L/∂c · ∂c/∂x = (one term per edge from x to a child c) = … = x.grad

    ``root`` is the output L backward ran from (a node does not know its children; the graph
    of root does). Raises ValueError if node is not in that graph.
    """
    nodes = engine.topological_order(root)
    if not any(n is node for n in nodes):
        raise ValueError(f"{_display_name(node, digits=digits)} is not part of the graph that computed "
                         f"{_display_name(root, digits=digits)}")
    L = _paren(root.label) if root.label else "L"
    x = _paren(_display_name(node, digits=digits))
    lines = []
    if not _backward_ran(root):
        lines.append(f"(note: {L}.grad is {_fmt(root.grad, digits) if root.grad is not None else None}: "
                     f"run {L}.backward() first; the numbers below are the current grads)")
    if node is root:
        lines.append(f"∂{L}/∂{L} = {_fmt(root.grad, digits)}: the seed of backward "
                     "(1 for a scalar output), not a sum")
        return "\n".join(lines)
    terms = []  # (child, edge index) for every edge from node into a child
    for child in nodes:
        for j, p in enumerate(child.parents):
            if p is node:
                terms.append((child, j))
    tensor = _is_tensor(node)
    head = f"∂{L}/∂{x} = Σ_c ∂{L}/∂c · ∂c/∂{x}"
    what = (f"over the {len(terms)} edge(s) from {x} to a node c that uses it"
            + ("; for tensors each term is a vector-Jacobian product" if tensor else ""))
    lines.append(f"{head}   ({what})")
    pad = " " * (len(f"∂{L}/∂{x} ") - 1)
    symbolic = " + ".join(f"∂{L}/∂{_paren(_display_name(c, digits=digits))} · "
                          f"∂{_paren(_display_name(c, digits=digits))}/∂{x}" for c, _ in terms)
    lines.append(f"{pad}= {symbolic}")
    values = []
    for child, j in terms:
        c = _edge_contributions(child)[j]
        if tensor:
            values.append(c)
            continue
        local = child.local_grads[j]
        values.append(local * child.grad)
    if tensor:
        shown = " + ".join("?" if v is None else _term(_summary(v, digits)) for v in values)
        lines.append(f"{pad}= {shown}")
        known = [v for v in values if v is not None]
        total = sum(known[1:], np.array(known[0], dtype=float)) if known else None
        lines.append(f"{pad}= {_summary(total, digits) if total is not None else '?'}")
        lines.append(f"{x}.grad = {_summary(node.grad, digits) if node.grad is not None else None}")
        return "\n".join(lines)
    products = " + ".join(f"{_fmt(child.grad, digits)} · {_neg(_fmt(child.local_grads[j], digits))}"
                          for child, j in terms)
    lines.append(f"{pad}= {products}")
    total = _fsum(values)
    if len(values) > 1:
        lines.append(f"{pad}= {' + '.join(_neg(_fmt(v, digits)) for v in values)}")
    lines.append(f"{pad}= {_fmt(total, digits)}")
    lines.append(f"{x}.grad = {_fmt(node.grad, digits)}")
    same = total == node.grad or (math.isnan(total) and math.isnan(node.grad))
    if not (same or math.isclose(total, node.grad, rel_tol=1e-9, abs_tol=1e-12)):
        lines.append(f"(note: {x}.grad differs from the sum: a leaf's grad accumulates over "
                     "backward() calls; zero it before each one)")
    return "\n".join(lines)


def _paren(text: str) -> str:
    return text if text.replace("_", "").isalnum() else f"({text})"


def _term(text: str) -> str:
    return f"({text})" if text.startswith("min ") else text


def _neg(text: str) -> str:
    return f"({text})" if text.startswith("-") else text


# --- files ----------------------------------------------------------------------------------------------
def save(graph, path, *, timeout: float | None = DOT_TIMEOUT) -> Path:
    """Write graph to path, the format taken from the extension: svg, png, pdf, jpg, gif, or
    dot/gv (the DOT source, which needs no graphviz program). Returns the path.

    dot is stopped after ``timeout`` seconds (None: no limit) with GraphvizTimeoutError."""
    path = Path(path)
    ext = path.suffix.lower().lstrip(".")
    if ext not in FORMATS:
        raise ValueError(f"cannot tell the picture format from {str(path)!r}: "
                         f"use one of .{', .'.join(FORMATS)}")
    if ext in ("dot", "gv"):
        path.write_text(graph.source, encoding="utf-8")
        return path
    path.write_bytes(render(graph.source, ext, timeout))
    return path


def render(source: str, fmt: str, timeout: float | None = DOT_TIMEOUT) -> bytes:
    """The picture of DOT ``source`` in format ``fmt`` (svg, png, …), made by graphviz's dot.

    dot runs in a process group of its own, killed (with any children) when ``timeout``
    seconds pass (GraphvizTimeoutError) or the caller is interrupted (KeyboardInterrupt, or
    any exception a signal handler raises), and on POSIX it also gets a CPU-time limit, so it
    dies even if this process is killed first."""
    command = ["dot", f"-T{fmt}"] + ([f"-Gsize={RASTER_INCHES}"] if fmt in RASTER_FORMATS else [])
    proc = None
    try:
        with _signals_held() as mask:  # no interrupt between the fork and having proc to kill
            proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, start_new_session=os.name == "posix",
                                    preexec_fn=_child_setup(mask, timeout))
        out, err = proc.communicate(source.encode("utf-8"), timeout=timeout)
    except FileNotFoundError:
        raise GraphvizNotFoundError(source) from None
    except subprocess.TimeoutExpired:
        _kill(proc)
        raise GraphvizTimeoutError(
            f"graphviz's dot took more than {timeout:.3g} s to lay out the picture and was stopped: "
            "the graph is too large to draw; draw fewer nodes (max_nodes) or one path (focus)"
        ) from None
    except BaseException:  # KeyboardInterrupt above all: dot must not outlive us
        if proc is not None:
            _kill(proc)
        raise
    if proc.returncode != 0:
        said = err.decode("utf-8", "replace").strip().splitlines()
        raise GraphvizError(f"graphviz's dot failed (exit code {proc.returncode})"
                            + (f": {said[0]}" if said else ""))
    return out


@contextlib.contextmanager
def _signals_held():
    """Hold SIGINT and SIGTERM back (POSIX, main thread) while the block runs; yields the
    signal mask to restore, or None where nothing is held."""
    if os.name != "posix" or threading.current_thread() is not threading.main_thread():
        yield None
        return
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield mask
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def _child_setup(mask, timeout: float | None):
    """What dot's process does before it starts (POSIX): take back the signals the parent held,
    and limit its CPU time to the timeout and a second."""
    if os.name != "posix":
        return None
    import resource

    def setup() -> None:
        if mask is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        if timeout is not None:
            seconds = math.ceil(timeout) + 1
            resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))

    return setup


def _kill(proc: subprocess.Popen) -> None:
    """Kill proc and its process group (dot may start helpers), and reap it."""
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    except OSError:  # already gone
        pass
    proc.wait()
    for pipe in (proc.stdin, proc.stdout, proc.stderr):
        pipe.close()
