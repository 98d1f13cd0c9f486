"""The picture of a graph: a box per node, an ellipse per op, a labelled edge per input.

A box shows the node's name (its label, or a short id such as t3: see ``text.Names``), data and
grad; a node holding an array shows its shape and dtype and a summary of its values. Edges run
parent → op → child. The edge parent → op carries the local derivative ∂child/∂parent and, after
backward, the contribution dL/dchild × ∂child/∂parent that the engine added into parent.grad, so
the chain-rule sum

    dL/dx = Σ_c dL/dc · ∂c/∂x

can be read off the picture: x.grad is the sum of the contributions on x's outgoing edges. On a
Tensor edge the contribution is a vector-Jacobian product.

Colours: output yellow, parameters blue, inputs green, constants grey, intermediates white.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from . import fit, views
from .dot import new_picture
from .edges import edge_contributions, edge_locals, out_degrees, parallel_edges
from .options import Options, options
from .text import Names, fmt, formula, fsum, is_array, op_text, plain, shape_text, sum_text, summary, total

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
GREY_TEXT = "#606060"


@dataclass
class Frame:
    """The state of backward at one step, for a step picture (see ``steps.draw_steps``)."""

    step: object            # the TraceStep
    total: int
    processed: set          # ids of nodes whose step has run (including this one)
    contributions: dict     # (id(child), parent index) → contribution sent along that edge
    received: dict          # id(node) → number of contributions received so far
    incoming: dict          # id(node) → number of edges into node from its children


def draw(root, *, rankdir: str = "auto", show_grad: bool = True, edge_labels: bool = True,
         digits: int = 4, highlight: Iterable = (), params: Iterable | None = None,
         colors: bool = True, max_nodes: int | str | None = "auto", focus=None, title: str = "",
         notes: dict | None = None, size: str | None = "auto", expand=False,
         inputs: Iterable | None = None, legend: bool = True, names: dict | None = None):
    """The graph that computed ``root`` (a node, or a list of nodes) as a ``graphviz.Digraph``.

    Fitted to a notebook's page (≈ 900 px) by default: the layout direction, how much of the
    graph is drawn and the scale are chosen from the graph's shape (see ``autodiff.viz.fit``);
    ``rankdir``, ``max_nodes`` and ``size`` override each choice.

    rankdir      'auto' (the direction that fits best), 'LR' (left to right) or 'TB' (top down)
    max_nodes    'auto' (as many nodes as read at the page width), an int, or None (all); the
                 nodes nearest the output are kept with their leaves, and a note says what was cut
    size         'auto' (scaled down to the page width), None (natural size), or a DOT size "w,h"
    show_grad    show grads and contributions;  edge_labels: show edge labels at all
    digits       significant digits of every number
    highlight    nodes to outline in red;  focus: a node (or nodes): only the paths from it to root
    params       the nodes that are parameters (e.g. model.parameters()): coloured blue, other
                 labelled leaves green as inputs (without it every labelled leaf needing a
                 gradient is blue)
    colors       colour nodes by kind;  title: a heading;  legend: a line saying what the numbers are
    notes        {node: text}: one more line under a node's numbers (e.g. its tangent)
    names        {node: name}: names for unlabelled nodes instead of their short ids t1, t2, …
    expand       True (every n-ary dot/sum node of Values) or nodes: draw them as the lecture's
                 chain of * and + nodes
    inputs       nodes to stop at, drawn as leaves (e.g. a layer's input)

    The result shows inline in Jupyter; ``autodiff.save(g, "graph.svg")`` writes it to a file
    (needs graphviz's dot program); ``g.source`` is the DOT text.
    """
    graph = views.graph_of(root, expand, inputs)
    t = graph.translate
    opts = options(rankdir, show_grad, edge_labels, digits, [t(n) for n in highlight],
                   None if params is None else [t(p) for p in params], colors, max_nodes,
                   _translated_focus(focus, t), title, {t(n): v for n, v in (notes or {}).items()},
                   size, legend, {t(n): v for n, v in (names or {}).items()})
    return render_graph(graph, opts)


def _translated_focus(focus, t):
    if focus is None:
        return None
    return t(focus) if hasattr(focus, "parents") else [t(f) for f in focus]


@dataclass
class _Drawing:
    """What drawing one picture needs to know besides a node."""

    opts: Options
    frame: Frame | None
    index: dict      # id(node) → its place in the graph's order (the DOT id is v<place>)
    kept: set        # ids of the nodes drawn
    uses: dict       # id(node) → the number of edges out of it, to the children that use it
    contributions: bool


def render_graph(graph, opts: Options, frame: Frame | None = None, caption: tuple = (),
                 plan: fit.Plan | None = None, names: Names | None = None):
    """The picture of ``graph`` (a ``views.Graph``), or of one step of backward on it (``frame``)."""
    names = names or Names(graph.nodes, opts.digits, opts.names)
    plan = plan or plan_for(graph, opts, names, caption)
    g = new_picture(_graph_attr(graph, opts, plan, caption, names),
                    node_attr={"fontname": "Helvetica", "fontsize": "11"},
                    edge_attr={"fontname": "Helvetica", "fontsize": "10", "arrowsize": "0.7"})
    d = _Drawing(opts, frame, {id(n): k for k, n in enumerate(graph.nodes)}, {id(n) for n in plan.kept},
                 out_degrees(graph.nodes),
                 frame is None and opts.show_grad and opts.edge_labels and backward_ran(graph.roots))
    roots = {id(r) for r in graph.roots}
    groups = chains(plan.kept, d.kept)
    for node in plan.kept:
        k = d.index[id(node)]
        g.node(f"v{k}", label=_node_label(node, roots, opts, frame, names, id(node) in plan.vertical),
               shape="plain", group=groups[id(node)])
        if node.parents:
            _add_op(g, node, k, d, groups[id(node)])
    return g


def plan_for(graph, opts: Options, names: Names, caption: tuple) -> fit.Plan:
    """How the picture of graph is fitted to the page (``fit.fitted``, checked by dot)."""
    return fit.fitted(graph, opts, names, heading_estimate(opts, caption),
                      lambda plan: render_graph(graph, opts, None, caption, plan, names))


def chains(kept_nodes: list, kept: set) -> dict:
    """id(node) → the chain it belongs to: a node continues the chain of the first child whose
    main parent it is (see main_parent), else starts one. dot keeps the nodes of one group (and the op
    nodes between them) in a straight line: the long chain of a sum stays straight."""
    group: dict[int, str] = {}
    for node in kept_nodes:  # children first
        mine = group.setdefault(id(node), f"c{len(group)}")
        if node.parents and id(node.parents[main_parent(node)]) in kept:
            group.setdefault(id(node.parents[main_parent(node)]), mine)
    return group


def main_parent(node) -> int:
    """The index of the parent a chain runs through: the first one computed by an op (w2 * a1
    continues a1's chain), else the first."""
    return next((j for j, p in enumerate(node.parents) if p.parents), 0)


def _add_op(g, node, k: int, d: _Drawing, group: str) -> None:
    """node's op ellipse, the edge to node, and the edges from its (drawn) parents."""
    g.node(f"v{k}op", label=op_text(node, d.opts.digits), shape="ellipse", fontsize="10",
           height="0.3", margin="0.04,0.02", tooltip=formula(node), group=group)
    g.edge(f"v{k}op", f"v{k}", weight="4")
    contribs = edge_contributions(node) if d.contributions else None
    one_line = fit.one_line_labels(node, d.kept)
    main = main_parent(node)
    hidden = 0
    for parent, js in parallel_edges(node):
        if id(parent) not in d.kept:
            hidden += 1
            continue
        g.edge(f"v{d.index[id(parent)]}", f"v{k}op", weight="4" if main in js else "1",  # the chain runs
               # straight through each op's main parent, other inputs join from the side
               **_edge_style(node, js, parent, d, contribs, one_line))
    if hidden:
        g.node(f"v{k}more", label=f"… {hidden} more input{'s' if hidden > 1 else ''}",
               shape="plaintext", fontcolor="#707070", fontsize="10")
        g.edge(f"v{k}more", f"v{k}op", style="dashed", color=PENDING)


def heading_estimate(opts: Options, caption: tuple) -> int:
    """How many heading lines a picture gets (title, caption, a note, the legend), for its size."""
    return (len(textwrap.wrap(opts.title, fit.HEADING_CHARS)) + len(caption) + 2
            + (2 if opts.legend and opts.edge_labels else 0))


def _graph_attr(graph, opts: Options, plan: fit.Plan, caption: tuple, names: Names) -> dict:
    attrs = {"rankdir": plan.rankdir, "nodesep": "0.25", "ranksep": "0.35",
             "fontname": "Helvetica", "fontsize": "12"}
    if plan.size:
        attrs["size"] = plan.size
    lines = [line for text in (opts.title, *caption, plan.note) for line in wrap(text)]
    if opts.legend and opts.edge_labels and any(n.parents for n in plan.kept):
        lines += wrap(_legend(graph, opts, plan, names))
    if lines:
        # graphviz ends a left-justified line of a label with a backslash-l
        attrs.update(label="".join(f"{line}\\l" for line in lines), labelloc="t", labeljust="l")
    return attrs


def wrap(text: str) -> list[str]:
    """text as heading lines of at most fit.HEADING_CHARS characters."""
    return textwrap.wrap(text, fit.HEADING_CHARS, break_on_hyphens=False) if text else []


def _legend(graph, opts: Options, plan: fit.Plan, names: Names) -> str:
    """What the numbers are: totals dL/d(node) in the boxes, local partials ∂ on the edges. L is
    the output's name if backward started there (its grad is the seed 1), else just L."""
    root = graph.roots[0]
    L = names(root) if len(graph.roots) == 1 and root.grad is not None and fmt(root.grad) == "1" else "L"
    local = "local = ∂(child)/∂(parent)"
    arrays = any(is_array(n.data) for n in plan.kept)
    if not opts.show_grad:
        return f"edges: {local}" if not arrays else "edges: parent → op → child"
    if arrays:
        return (f"grad = d{L}/d(node), the total derivative. On each edge: the contribution "
                f"d{L}/d(child) · ∂(child)/∂(parent), a vector-Jacobian product (VJP), added into the parent's grad")
    kept = {id(n) for n in plan.kept}
    short = any(n.parents and fit.one_line_labels(n, kept) for n in plan.kept)
    return (f"grad = d{L}/d(node), the total derivative. On each edge: {local}, and grad × local = "
            f"d{L}/d(child) · ∂(child)/∂(parent), the term added into the parent's grad"
            + (" (after → on the edges of an op with many inputs)" if short else ""))


def backward_ran(roots: list) -> bool:
    """Whether backward has run from these outputs (an output's grad is not zero)."""
    return any(r.grad is not None and bool(np.any(np.asarray(plain(r.grad)) != 0)) for r in roots)


def kind(node, roots: set, params: frozenset | None) -> str:
    """output, parameter, input, constant or intermediate (the colour of node's box)."""
    if id(node) in roots:
        return "output"
    if node.parents:
        return "intermediate"
    if params is not None and id(node) in params:
        return "parameter"
    if node.op:
        return "input"  # made by an op, drawn as a leaf: an input of the part drawn
    if not node.label:
        return "constant"
    # without a params list a labelled leaf that needs a gradient is a parameter or an input:
    # which one cannot be told, so it gets the parameter colour
    return "input" if params is not None or not node.requires_grad else "parameter"


def _node_label(node, roots: set, opts: Options, frame: Frame | None, names: Names,
                vertical: bool = False) -> str:
    colour = COLOURS[kind(node, roots, opts.params)] if opts.colors else "#ffffff"
    marked = id(node) in opts.highlight or (frame is not None and node is frame.step.node)
    name = (f"<B>{html.escape(node.label)}</B>" if node.label else
            f'<FONT COLOR="{GREY_TEXT}">{html.escape(names.short_id(node))}</FONT>' if names.short_id(node)
            else "")
    shape = shape_text(node)
    if shape:
        cells = [" ".join(c for c in (name, html.escape(shape)) if c),
                 html.escape(f"data {summary(node.data, opts.digits)}")]
    else:
        cells = [c for c in (name, html.escape(f"data {fmt(node.data, opts.digits)}")) if c]
    if opts.show_grad:
        cells.append(_grad_cell(node, opts, frame))
    if id(node) in opts.notes:
        cells.append(html.escape(opts.notes[id(node)]))
    return _table(cells, colour, "3" if marked else "0", vertical=vertical or bool(shape))


def _table(cells: list[str], colour: str, border: str, vertical: bool) -> str:
    sep = "</TD></TR><TR><TD>" if vertical else "</TD><TD>"
    return (f'<<TABLE BORDER="{border}" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" '
            f'BGCOLOR="{colour}"'
            + (f' COLOR="{RED}"' if border != "0" else "")
            + f"><TR><TD>{sep.join(cells)}</TD></TR></TABLE>>")


def _grad_cell(node, opts: Options, frame: Frame | None) -> str:
    text = html.escape(f"grad {'None' if node.grad is None else fmt(node.grad, opts.digits)}")
    if frame is None or not node.requires_grad:
        return text  # a node that needs no gradient never gets one: nothing is pending
    got, need = frame.received.get(id(node), 0), frame.incoming.get(id(node), 0)
    if node is frame.step.node or any(node is p for p in frame.step.finalized):
        return f"<B>{text}</B>"
    if got >= need:
        return text
    if got == 0:
        return '<FONT COLOR="#909090">grad …</FONT>'
    return f'{text} <FONT COLOR="#909090">(so far)</FONT>'


def _edge_style(child, js: list[int], parent, d: _Drawing, plain_contribs: list | None,
                one_line: bool = False) -> dict:
    """Label and colour of the edge parent → op(child): local derivative, then contribution
    (``one_line``: ``local = ∂ → contribution``, for an op with many inputs).

    ``js`` are the indices of the parallel edges drawn as this one edge (see parallel_edges):
    the label shows ×k and the sums over them."""
    opts, frame = d.opts, d.frame
    lines = []
    locals_ = [edge_locals(child)[j] for j in js]
    numbers = all(v is not None for v in locals_)
    many = f"×{len(js)} edges: " if len(js) > 1 else ""
    if numbers and opts.edge_labels:
        lines.append(f"{many}local = {sum_text([fmt(v, opts.digits) for v in locals_], locals_, opts.digits)}")
    if frame is None:
        parts = [plain_contribs[j] if plain_contribs is not None else None for j in js]
        attrs: dict = {}
    else:
        parts = [frame.contributions.get((id(child), j)) for j in js]
        attrs = _step_colours(child, parent, frame)
    if opts.edge_labels and opts.show_grad and all(c is not None for c in parts):
        whole = d.uses.get(id(parent), 0) == len(js)  # the parent's only child: its grad is this sum
        lines.append(_contribution_text(child, locals_, parts, many, opts.digits, numbers, whole))
        if one_line and numbers and len(lines) == 2:
            lines = [f"{lines[0]} → {lines[1].rsplit(' = ', 1)[-1]}"]
    if lines:
        attrs["label"] = "\\n".join(lines)
    return attrs


def _contribution_text(child, locals_: list, parts: list, many: str, digits: int, numbers: bool,
                       whole: bool) -> str:
    """``g × local = c`` for numbers (a child that has sent its contributions has its final grad);
    for arrays ``contribution <summary>``, or ``VJP`` alone where it is all of the parent's grad
    (the parent's box shows the same numbers)."""
    if numbers and not any(is_array(c) for c in parts):
        g = fmt(child.grad, digits)
        return sum_text([f"{g} × {fmt(v, digits)}" for v in locals_], [fsum([c]) for c in parts],
                        digits, always_total=True)
    if whole and not many:
        return "VJP"
    shown = summary(total(parts), digits)
    return f"{many}contribution {shown}" if len(shown) <= 30 else f"{many}contribution\\n{shown}"


def _step_colours(child, parent, frame: Frame) -> dict:
    if child is frame.step.node:
        return {"color": RED, "fontcolor": RED, "penwidth": "2.2"}
    if parent is frame.step.node:
        return {"color": BLUE, "fontcolor": BLUE, "penwidth": "2.2"}
    if id(child) not in frame.processed:
        return {"color": PENDING, "fontcolor": PENDING, "style": "dashed"}
    return {}
