"""Pictures of a whole network, the way the lecture notes draw one (seed 001's Figure 3, seed 004).

    draw_network(model)                                 one box per layer: sizes, parameter shapes
                                                        and count, activation; after backward the
                                                        gradient norm ‖dL/dθ‖ of each parameter
    draw_network(model, view="neurons")                 every neuron a node, every weight an edge
                                                        with its value (and dL/dw after backward)
    draw_network(model, expand="layers.1", graph=loss)  one layer's part of the graph that computed
                                                        loss, op by op (autodiff.draw)
    draw_network(mlp, expand="layers.1.neurons.0", graph=loss)
                                                        one neuron as the lecture draws it: its
                                                        weighted sum as a chain of * and + nodes

For nn.TensorMLP and nn.Sequential (Linear, activation modules, Dropout, BatchNorm1d, nested
Sequentials, functions) and for the scalar nn.MLP, Layer and Neuron. The pictures are
autodiff.viz pictures (shown inline in Jupyter, saved with ``autodiff.save``), fitted to a
notebook's page like every other. ``autodiff`` itself knows nothing of ``nn``: the network views
live here.
"""

from __future__ import annotations

import html
import textwrap

from autodiff import topological_order
from autodiff.viz import COLOURS, PAGE_SIZE, PAGE_WIDTH, draw, new_picture
from autodiff.viz.text import fmt

from .network import Param, Stage, find, stages
from .scalar import Neuron

__all__ = ["draw_network", "MAX_UNITS", "MAX_LABELLED_WEIGHTS"]

MAX_UNITS = 64
"""Most neurons (inputs included) a neuron-level picture draws: past that, draw the layers."""
MAX_LABELLED_WEIGHTS = 40
"""Most weights a neuron-level picture labels by default (past that, colour and width say sign and size)."""
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")
CHAR = 5.8  # mean width, in points, of a character of 11-point Helvetica


def draw_network(model, *, view: str = "layers", expand=None, graph=None, digits: int = 3,
                 title: str | None = None, edge_labels="auto", rankdir: str = "auto",
                 size: str | None = "auto"):
    """A picture of ``model`` (see the module docstring) as a graphviz.Digraph.

    view         "layers" (one box per layer) or "neurons" (one node per neuron, for small nets)
    expand       a layer (its index, or its name such as "layers.1") or a neuron of a scalar
                 MLP ("layers.1.neurons.0"): draw its part of ``graph``, op by op
    graph        the output or loss the model computed (needed by expand)
    digits       significant digits;  title: a heading (default: the model's summary)
    edge_labels  neuron view: label each weight with its value and gradient ("auto": when there
                 are at most MAX_LABELLED_WEIGHTS of them)
    rankdir      "auto" (left to right if it fits the page, else top down), "LR" or "TB"
    size         "auto" (scaled down to the page width), None (natural size) or a DOT size "w,h"
    """
    parts = stages(model)
    if title is None:
        title = f"{type(model).__name__}({model.extra_repr()})" if hasattr(model, "extra_repr") else ""
    if expand is not None:
        return _expanded(model, parts, expand, graph, digits, size)
    if view == "layers":
        return _layers(parts, title, digits, rankdir, size)
    if view == "neurons":
        return _neurons(parts, title, digits, edge_labels, size)
    raise ValueError(f"view must be 'layers' or 'neurons', got {view!r}")


# --- one box per layer -------------------------------------------------------------------------
def _layers(parts: list[Stage], title: str, digits: int, rankdir: str, size) -> object:
    boxes = [_box_rows(st, digits) for st in parts]
    widths = [max(len(r) for r in rows) * CHAR + 24 for rows in boxes]
    if rankdir == "auto":
        rankdir = "LR" if sum(widths) + 50 * (len(widths) + 1) + 200 <= PAGE_WIDTH else "TB"
    g = _picture(title, rankdir, size)
    first, last = parts[0].nin, next((st.nout for st in reversed(parts) if st.nout), None)
    g.node("input", label=_table([f"<B>input</B> · {first if first else '?'} features"], COLOURS["input"]),
           shape="plain")
    previous = "input"
    for k, (st, rows) in enumerate(zip(parts, boxes)):
        colour = COLOURS["parameter"] if st.params else COLOURS["intermediate"]
        g.node(f"s{k}", label=_table(rows, colour, bold_first=True), shape="plain")
        g.edge(previous, f"s{k}", label=str(st.nin) if st.nin else "")
        previous = f"s{k}"
    g.node("output", label=_table([f"<B>output</B> · {last if last else '?'}"], COLOURS["output"]), shape="plain")
    g.edge(previous, "output", label=str(last) if last else "")
    return g


def _box_rows(st: Stage, digits: int) -> list[str]:
    """The lines of a layer's box: what it is, its parameters and their count, its gradients."""
    sizes = f" {st.nin} → {st.nout}" if st.nin and st.nout and st.kind != "activation" else ""
    head = f"{html.escape(st.kind)}{sizes}" + (f" · {html.escape(st.activation)}" if st.activation else "")
    rows = [head]
    if st.params:
        count = sum(p.count() for p in st.params)
        rows.append(" · ".join(f"{html.escape(p.name)} {_shape(p)}" for p in st.params)
                    + f"  ({count:,} parameters)".replace(",", " "))
        norms = [(p, p.grad_norm()) for p in st.params]
        if any(n is not None for _, n in norms):
            rows.append(" · ".join(f"‖dL/d{html.escape(p.name)}‖ = {fmt(n, digits) if n is not None else '–'}"
                                   for p, n in norms))
    if st.extra:
        rows.append(html.escape(st.extra))
    return rows


def _shape(p: Param) -> str:
    return str(tuple(p.shape)) if len(p.shape) != 1 else f"({p.shape[0]},)"


# --- one node per neuron ------------------------------------------------------------------------
def _neurons(parts: list[Stage], title: str, digits: int, edge_labels, size) -> object:
    dense = [st for st in parts if st.dense]
    skipped = [st.kind for st in parts if not st.dense and st.kind != "activation"]
    if not dense:
        raise ValueError("a neuron-level picture needs dense layers (Linear, Layer, Neuron)")
    units = dense[0].nin + sum(st.nout for st in dense)
    if units > MAX_UNITS:
        raise ValueError(f"the network has {units} neurons (inputs included), too many to draw one by one "
                         f"(at most {MAX_UNITS}): draw its layers (view='layers'), or one layer "
                         "op by op (expand=...)")
    n_weights = sum(st.nin * st.nout for st in dense)
    labelled = n_weights <= MAX_LABELLED_WEIGHTS if edge_labels == "auto" else bool(edge_labels)
    notes = [title]
    if labelled:
        grads = dense[0].weights().grads() is not None
        notes.append("each weight's edge: w" + (" | dL/dw" if grads else "") + "; each neuron: its bias b"
                     + (" and dL/db" if grads else ""))
    else:
        notes.append(f"{n_weights} weights, not labelled (edge_labels=True labels them): blue positive, "
                     "red negative, the wider the larger |w|")
    if skipped:
        notes.append(f"not drawn: {', '.join(skipped)} (view='layers' shows them)")
    # remincross=false: dot's last pass over clusters would rotate a layer's units out of order
    g = _picture("\n".join(notes), "LR", size, nodesep="0.12", ranksep="1.1" if labelled else "0.8",
                 remincross="false")
    _units(g, dense, digits)
    for k, st in enumerate(dense):
        _weights(g, st, k, digits, labelled)
    return g


def _units(g, dense: list[Stage], digits: int) -> None:
    """A column of units per layer, in order: the inputs, then each layer's neurons with their biases."""
    with g.subgraph(name="cluster_in") as c:
        c.attr(label="input", color="#cccccc", fontsize="10")
        for i in range(dense[0].nin):
            c.node(f"u0_{i}", label=f"x{i}", shape="circle", style="filled", fillcolor=COLOURS["input"],
                   width="0.4", fontsize="10")
        _in_order(c, 0, dense[0].nin)
    for k, st in enumerate(dense, start=1):
        b = st.biases()
        values, grads = (b.values(), b.grads()) if b is not None else (None, None)
        with g.subgraph(name=f"cluster_{k}") as c:
            c.attr(label=f"layer {k}" + (f" · {st.activation}" if st.activation else ""), color="#cccccc",
                   fontsize="10")
            for j in range(st.nout):
                lines = [f"n{j}: b {fmt(values[j], digits)}" if values is not None else f"n{j}"]
                if grads is not None:
                    lines.append(f"dL/db {fmt(grads[j], digits)}")
                colour = COLOURS["output"] if k == len(dense) else COLOURS["parameter"]
                c.node(f"u{k}_{j}", label="\n".join(lines), shape="box", style="rounded,filled",
                       fillcolor=colour, fontsize="9", margin="0.05,0.02")
            _in_order(c, k, st.nout)


def _in_order(c, k: int, n: int) -> None:
    """Units 0, 1, … of column k from the top down (invisible edges within one rank)."""
    if n > 1:  # left to right, dot stacks a rank's chain a -> b with b above a
        c.body.append("{rank=same; " + " -> ".join(f"u{k}_{i}" for i in reversed(range(n))) + " [style=invis]}")


def _weights(g, st: Stage, k: int, digits: int, labelled: bool) -> None:
    """An edge per weight wᵢⱼ from unit i of the layer before to neuron j: labelled, in the colour
    of unit i (so a label is read with its edge), or coloured by sign; the wider the larger |w|."""
    w = st.weights()
    values, grads = w.values(), w.grads()
    biggest = float(abs(values).max()) or 1.0
    for i in range(st.nin):
        for j in range(st.nout):
            v = float(values[i, j])
            colour = PALETTE[i % len(PALETTE)] if labelled else "#1f77b4" if v >= 0 else "#d62728"
            attrs = {"color": colour, "penwidth": f"{0.4 + 2.2 * abs(v) / biggest:.2f}", "arrowsize": "0.4"}
            if labelled:
                text = f"{fmt(v, digits)}" + (f" | {fmt(grads[i, j], digits)}" if grads is not None else "")
                attrs.update(label=text, fontsize="9", fontcolor=attrs["color"])
            g.edge(f"u{k}_{i}", f"u{k + 1}_{j}", **attrs)


# --- one layer or neuron, op by op ---------------------------------------------------------------
def _expanded(model, parts: list[Stage], which, graph, digits: int, size):
    """The ops of one layer or neuron in ``graph``: from its inputs (drawn as leaves) through its
    weighted sums to its activation; a neuron's weighted sum as the lecture's chain."""
    module, act_op, path = find(model, parts, which)
    if graph is None:
        raise ValueError(f"expand={which!r} draws the ops that {path} added to a graph: pass the output "
                         "or loss the model computed, e.g. draw_network(net, expand=..., graph=loss)")
    params = module.parameters()
    ids = {id(p) for p in params}
    nodes = topological_order(graph)
    core = [n for n in nodes if any(id(p) in ids for p in n.parents)]
    if not core:
        raise ValueError(f"the graph does not use {path}'s parameters: pass the output or loss this "
                         "model computed")
    children: dict[int, list] = {}
    for n in nodes:
        for p in n.parents:
            children.setdefault(id(p), []).append(n)
    outputs = [next((ch for ch in children.get(id(c), []) if act_op and ch.op == act_op and len(ch.parents) == 1),
                    c) for c in core]
    inputs = list({id(p): p for c in core for p in c.parents if id(p) not in ids}.values())
    neuron = isinstance(module, Neuron)
    return draw(outputs, inputs=inputs, params=params, expand=neuron, digits=digits, size=size,
                title=f"{path}, op by op" + (": its weighted sum as the lecture's chain of * and +" if neuron else ""))


# --- shared ----------------------------------------------------------------------------------------
def _picture(title: str, rankdir: str, size, **graph_attr):
    attrs = {"rankdir": rankdir, "fontname": "Helvetica", "fontsize": "12", "nodesep": "0.3",
             "ranksep": "0.4", **graph_attr}
    lines = [line for text in title.split("\n") for line in textwrap.wrap(text, 80)]
    if lines:
        attrs.update(label="".join(f"{line}\\l" for line in lines), labelloc="t", labeljust="l")
    if size:
        attrs["size"] = PAGE_SIZE if size == "auto" else size
    return new_picture(attrs, node_attr={"fontname": "Helvetica", "fontsize": "11"},
                       edge_attr={"fontname": "Helvetica", "fontsize": "10", "arrowsize": "0.7"})


def _table(rows: list[str], colour: str, bold_first: bool = False) -> str:
    shown = [f"<B>{r}</B>" if bold_first and i == 0 else r for i, r in enumerate(rows)]
    cells = "".join(f"<TR><TD>{r}</TD></TR>" for r in shown)
    return (f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" BGCOLOR="{colour}">'
            f"{cells}</TABLE>>")
