"""Fit by default: how a picture is laid out so that it reads at a notebook's page width.

A notebook's page is about 900 pixels wide (PAGE_WIDTH = 675 points). Before drawing, the size
of the picture is estimated from the graph's shape (ranks, nodes per rank, the length of every
label) for both layout directions, left to right (LR) and top down (TB), without running dot:

    LR:  width  = Σ over ranks of the widest item,   height = the tallest rank's items, stacked
    TB:  width  = the widest rank's items, side by side,   height = Σ over ranks of the tallest item

The direction that needs the least scaling wins (LR on a tie: the way the lecture notes draw).
With ``max_nodes="auto"`` the graph is cut (see ``select``) to the largest part that fits at a
scale of at least MIN_SCALE and a height of at most MAX_HEIGHT. The DOT ``size`` attribute then
makes graphviz scale the drawing down to the page width if the estimate was short, rather than
the reader scrolling sideways.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from . import select
from .dot import natural_size
from .edges import out_degrees, parallel_edges
from .text import fmt, is_array, op_text, shape_text, summary

PAGE_WIDTH = 675.0
"""Points (1/72 inch): 900 pixels at 96 pixels per inch, a notebook's page width."""
MIN_SCALE = 0.6
"""Smallest scale a fitted picture is drawn at: its 11-point text stays near 9 pixels, edge labels (10 points) near 8."""
MAX_HEIGHT = 1350.0
"""Points: the tallest a fitted picture grows (two screens) before it is cut."""
PAGE_SIZE = f"{PAGE_WIDTH / 72:.4g},50"
"""The DOT ``size`` a fitted picture gets: the page width (and 50 inches, the raster cap, tall)."""

NODESEP, RANKSEP = 18.0, 25.0           # the graph attributes nodesep=0.25, ranksep=0.35 (inches)
CHAR = {11: 5.8, 10: 5.4, 9: 4.8, 12: 6.1}  # mean width of a Helvetica character at a font size
HEADING_CHARS = 80                      # a heading's lines are wrapped to this many characters


@dataclass(frozen=True)
class Plan:
    """What to draw and how: direction, the nodes kept (each before its parents), the note on
    what was left out, and the DOT size attribute (None: natural size)."""

    rankdir: str
    kept: list
    note: str
    size: str | None
    vertical: set   # ids of the boxes drawn with their cells one above the other


def _numbers(node, digits: int) -> tuple[str, str]:
    """The text of a node's data and of its grad; before backward has reached it, the grad is
    taken to be as long as the data (a picture of the steps is planned before backward runs)."""
    show = summary if is_array(node.data) else fmt
    data = show(node.data, digits)
    grad = show(node.grad, digits) if node.grad is not None and node.has_grad else ""
    return data, grad if len(grad) > len(data) else data


def box_size(node, opts, vertical: bool = False) -> tuple[float, float]:
    """(width, height) in points of a node's box: its cells side by side, or one above the
    other (``vertical``; always for an array)."""
    data, grad = _numbers(node, opts.digits)
    cells = [len(node.label or "t99"), 5 + len(data)] + ([5 + len(grad)] if opts.show_grad else [])
    note = len(opts.notes.get(id(node), ""))
    if note:
        cells.append(note)
    if is_array(node.data):
        cells[0] += 1 + len(shape_text(node))
        vertical = True
    if vertical:
        return max(cells) * CHAR[11] + 12, 21.0 * len(cells) + 2
    return sum(cells) * CHAR[11] + 10 * len(cells) + 4, 24.0


MANY_INPUTS = 4
"""An op with more drawn inputs than this gets one-line edge labels (``local = ∂ → contribution``)."""


def one_line_labels(node, kept: set) -> bool:
    """Whether the edges into node's op are labelled on one line: it has many drawn inputs."""
    return sum(1 for p, _ in parallel_edges(node) if id(p) in kept) > MANY_INPUTS


def label_size(child, js: list, opts, whole: bool, one_line: bool = False) -> tuple[float, float]:
    """(width, height) of the label of the edge into op(child) from one parent (``js`` its edges;
    ``whole``: the parent's only child, so an array edge is labelled VJP alone)."""
    if not opts.edge_labels:
        return 0.0, 0.0
    many = 10 if len(js) > 1 else 0
    locals_ = child.local_grads
    if locals_ is None or is_array(child.data):
        chars = ([3] if whole and not many else [many + 13 + len(_numbers(child, opts.digits)[1])]
                 ) if opts.show_grad else []
    else:
        local = max(len(fmt(locals_[j], opts.digits)) for j in js)
        g = len(_numbers(child, opts.digits)[1])
        terms = min(len(js), 3)
        chars = [many + 8 + local * terms] + ([(2 * g + local + 6) * terms] if opts.show_grad else [])
        if one_line:
            chars = [many + 8 + local * terms + (3 + g if opts.show_grad else 0)]
    if not chars:
        return 0.0, 0.0
    return max(chars) * CHAR[10] + 6, 12.0 * len(chars) + 4


def op_size(node, opts) -> tuple[float, float]:
    return max(len(op_text(node, opts.digits)) * CHAR[10] + 24, 40.0), 22.0


def estimate(drawn: list, kept: set, opts, rankdir: str, heading_lines: int = 0,
             heading_chars: int = 0) -> tuple[float, float]:
    """(width, height) in points of the picture of the drawn nodes (each before its parents)."""
    levels, _ = layout(drawn, kept, opts, rankdir)
    side = 0 if rankdir in ("TB", "BT") else 1  # the axis a rank's items stand side by side on
    widths = [_extent(items, side, 0) for items in levels.values()]
    heights = [_extent(items, side, 1) for items in levels.values()]
    if side == 0:  # TB: the widest rank; ranks stacked down
        w, h = max(widths), sum(heights) + RANKSEP * (len(heights) - 1) / 2
    else:  # LR: ranks side by side; the tallest rank
        w, h = sum(widths) + RANKSEP * (len(widths) - 1) / 2, max(heights)
    w = max(w, min(heading_chars, HEADING_CHARS) * CHAR[12] if heading_lines else 0.0)
    return w + 16, h + 16 + 16.0 * heading_lines


def layout(drawn: list, kept: set, opts, rankdir: str) -> tuple[dict, set]:
    """The (width, height) of every item of the picture, by rank (boxes on even ranks, ops and
    edge labels between), and the ids of the boxes drawn with their cells one above the other:
    left to right, those of a rank with few boxes (the picture gets narrower, not much taller);
    top down, those of a rank wider than the page."""
    rank = select.ranks(drawn, kept)
    by_rank: dict[int, list] = defaultdict(list)
    for node in drawn:
        by_rank[rank[id(node)]].append(node)
    vertical: set[int] = set()
    for nodes in by_rank.values():
        if rankdir in ("LR", "RL"):
            stacked = len(nodes) <= MANY_INPUTS
        else:
            stacked = sum(box_size(n, opts)[0] + NODESEP for n in nodes) > PAGE_WIDTH
        if stacked:
            vertical.update(id(n) for n in nodes)
    levels: dict[float, list[tuple[float, float]]] = defaultdict(list)
    uses = out_degrees(drawn)
    for node in drawn:
        r = rank[id(node)]
        levels[r].append(box_size(node, opts, id(node) in vertical))
        if node.parents:
            _op_items(node, r, rank, kept, uses, opts, levels)
    return levels, vertical


def _op_items(node, r: int, rank: dict, kept: set, uses: dict, opts, levels: dict) -> None:
    """The items of node's op: its ellipse, its edge labels, long edges' virtual nodes, a stub."""
    levels[r + 1].append(op_size(node, opts))
    one_line = one_line_labels(node, kept)
    hidden = 0
    for parent, js in parallel_edges(node):
        if id(parent) not in kept:
            hidden += 1
            continue
        levels[r + 1.5].append(label_size(node, js, opts, uses.get(id(parent)) == len(js), one_line))
        for crossed in range(r + 2, rank[id(parent)]):
            levels[crossed].append((8.0, 8.0))  # a long edge's virtual node
    if hidden:
        levels[r + 2].append((16 * CHAR[9], 14.0))


def _extent(items: list, side: int, axis: int) -> float:
    """The extent on ``axis`` of one rank's items: summed (with the gaps) on the axis they stand
    side by side on, else the largest."""
    values = [item[axis] for item in items]
    if side == axis:
        return sum(values) + NODESEP * (len(values) - 1)
    return max(values)


def scale(size: tuple[float, float]) -> float:
    """The scale a picture of this (width, height) is drawn at to fit the page width, and how
    well it reads (a picture taller than MAX_HEIGHT counts as scaled down to that height)."""
    width, height = size
    return min(1.0, PAGE_WIDTH / width, MAX_HEIGHT / height)


def fitted(graph, opts, names, heading_lines: int, build) -> Plan:
    """``plan``, checked by dot where it is installed (max_nodes="auto" only): while the picture
    ``build(plan)`` would be scaled below MIN_SCALE, fewer nodes. The estimate is close for most
    graphs, but dot may lay a long sum out as a staircase that no rank count foresees."""
    chosen = plan(graph, opts, names, heading_lines)
    for _ in range(4):
        if opts.max_nodes != "auto" or len(chosen.kept) <= 1:
            return chosen
        size = natural_size(build(chosen).source)
        if size is None or scale(size) >= MIN_SCALE:
            return chosen
        shrink = min(0.9, max(0.3, (scale(size) / MIN_SCALE) ** 2))
        chosen = plan(graph, opts, names, heading_lines, limit=max(1, int(len(chosen.kept) * shrink)))
    return chosen


def plan(graph, opts, names, heading_lines: int = 0, limit: int | None = None) -> Plan:
    """The direction, the nodes to draw (at most ``limit``) and the DOT size of a picture of ``graph``."""
    nodes, notes = graph.nodes, []
    if opts.focus:
        nodes = select.focus_paths(nodes, opts.focus)
        shown = ", ".join(names(f) for f in opts.focus)
        notes.append(f"only the paths from {shown} to the output: {len(nodes)} of {len(graph.nodes)} nodes")
    index = {id(n): k for k, n in enumerate(graph.nodes)}
    kept, why = _keep(graph.roots, nodes, index, opts, heading_lines, limit)
    if why:
        notes.append(f"showing the {len(kept)} nodes nearest the output of {len(nodes)} ({why}); a dashed "
                     "'… more inputs' marks what is folded away: draw(..., max_nodes=None) draws all, "
                     "draw(..., focus=node) only the paths from one node")
    kept.sort(key=lambda n: index[id(n)])
    rankdir = opts.rankdir
    if rankdir == "AUTO":
        rankdir = max(("LR", "TB"), key=lambda d: _scale_of(kept, opts, d, heading_lines))
    size = PAGE_SIZE if opts.size == "auto" else opts.size
    _, vertical = layout(kept, {id(n) for n in kept}, opts, rankdir)
    return Plan(rankdir, kept, "; ".join(notes), size, vertical)


def _scale_of(drawn: list, opts, rankdir: str, heading_lines: int) -> float:
    return scale(estimate(drawn, {id(n) for n in drawn}, opts, rankdir, heading_lines, HEADING_CHARS))


def _keep(roots: list, nodes: list, index: dict, opts, heading_lines: int,
          limit_nodes: int | None = None) -> tuple[list, str]:
    """The nodes to draw, nearest the output first, and why the rest was cut ('' if not)."""
    if opts.max_nodes is None:
        return list(nodes), ""
    groups = select.nearest_groups(nodes, roots)
    flat = [n for g in groups for n in g]

    def in_order(kept: list) -> list:
        return sorted(kept, key=lambda n: index[id(n)])

    def layout_ok(kept: list) -> bool:
        return select.kept_layout_size(in_order(kept), {id(n) for n in kept}) <= select.MAX_LAYOUT

    def readable(kept: list) -> bool:
        directions = ("LR", "TB") if opts.rankdir == "AUTO" else (opts.rankdir,)
        return max(_scale_of(in_order(kept), opts, d, heading_lines) for d in directions) >= MIN_SCALE

    if opts.max_nodes == "auto":
        limit, why = _fitting_prefix(groups, readable), "cut to fit the page"
        if limit_nodes is not None:
            limit = min(limit, len(select.cut_to(groups, limit_nodes)))
    else:
        limit, why = len(select.cut_to(groups, opts.max_nodes)), f"max_nodes={opts.max_nodes}"
    layout = _fitting_prefix(groups, layout_ok) if limit > 1 else limit
    if layout < limit:
        limit, why = layout, (f"drawing more would make dot slow: layout size over {select.MAX_LAYOUT}, "
                              "see layout_size")
    return flat[:limit], (why if limit < len(flat) else "")


def _fitting_prefix(groups: list[list], fits) -> int:
    """How many nodes, whole groups from the first, satisfy ``fits``; within the first group if
    it alone does not."""
    count = select.largest_fitting(groups, fits)
    if count == 1 and len(groups[0]) > 1 and not fits(groups[0]):
        return select.largest_fitting([[n] for n in groups[0]], fits)
    return len(select.first_groups(groups, count))
