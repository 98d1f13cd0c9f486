"""Pictures of the graph: assertions on the DOT source (what is drawn), not on pixels."""

from __future__ import annotations

import math
import re
import subprocess
import sys

import numpy as np
import pytest

import autodiff
from autodiff import Value, engine
from autodiff.viz import (
    GraphvizNotFoundError,
    GraphvizTimeoutError,
    draw,
    draw_steps,
    explain,
    layout_size,
    save,
    save_steps,
    trace_backward,
)


def g4(x: float) -> str:
    """A number as the pictures print it by default (4 significant digits)."""
    return f"{x:.4g}"


def neuron():
    """y = tanh(x·w + b) at x = 0.5, w = -1.5, b = 2, the README's example."""
    x, w, b = Value(0.5, label="x"), Value(-1.5, label="w"), Value(2.0, label="b")
    n = x * w + b
    n.label = "n"
    y = n.tanh()
    y.label = "y"
    return x, w, b, n, y


def node_line(source: str, text: str) -> str:
    """The DOT line of the value node whose label contains text."""
    lines = [ln for ln in source.splitlines() if "<TABLE" in ln and text in ln]
    assert len(lines) == 1, lines
    return lines[0]


def heading(source: str) -> str:
    """The picture's heading, its lines joined by spaces."""
    return re.search(r'graph \[.*?label="(.*?)"', source).group(1).replace("\\l", " ")


def edge_labels(source: str) -> list[str]:
    return re.findall(r'-> \w+ \[.*?label="([^"]*)"', source)


# --- a Value graph ---------------------------------------------------------------------------------
def test_every_value_node_shows_label_data_and_grad_after_backward():
    x, w, b, n, y = neuron()
    y.backward()
    src = draw(y).source
    for v in (x, w, b, n, y):
        line = node_line(src, f"<B>{v.label}</B>")
        assert f"data {g4(v.data)}" in line
        assert f"grad {g4(v.grad)}" in line
    # the unlabelled intermediate x·w is drawn too, with its numbers
    assert "data -0.75" in src


def test_each_op_is_its_own_node_between_parents_and_child():
    *_, y = neuron()
    src = draw(y).source
    ops = re.findall(r"^\t(v\d+op) \[label=\"?([^\" ]+)\"? ", src, flags=re.M)
    assert sorted(label for _, label in ops) == ["*", "+", "tanh"]
    for op_id, _ in ops:  # op → its value, and parents → op
        assert re.search(rf"{op_id} -> v\d+\b", src)
        assert re.search(rf"v\d+ -> {op_id}\b", src)


def test_edges_carry_local_derivative_and_after_backward_the_contribution():
    x, w, b, n, y = neuron()
    y.backward()
    labels = edge_labels(draw(y).source)
    dtanh = 1 - y.data**2  # ∂y/∂n
    # ∂(x·w)/∂x = w and the contribution ∂y/∂(x·w) · w that backward added into x.grad
    assert f"local = -1.5\\n{g4(dtanh)} × -1.5 = {g4(dtanh * -1.5)}" in labels
    assert f"local = 0.5\\n{g4(dtanh)} × 0.5 = {g4(dtanh * 0.5)}" in labels
    assert f"local = {g4(dtanh)}\\n1 × {g4(dtanh)} = {g4(dtanh)}" in labels
    assert len(labels) == 5  # x, w → *;  x·w, b → +;  n → tanh


def test_before_backward_edges_show_only_the_local_derivative():
    *_, y = neuron()
    labels = edge_labels(draw(y).source)
    assert "local = -1.5" in labels and all("×" not in s for s in labels)


def test_a_node_used_twice_has_one_edge_labelled_x2_with_the_summed_local_and_contribution():
    x = Value(3.0, label="x")
    y = x * x  # ∂y/∂x = x + x: the two parallel edges are drawn as one
    y.backward()
    labels = edge_labels(draw(y).source)
    assert labels == ["×2 edges: local = 3 + 3 = 6\\n1 × 3 + 1 × 3 = 6"]
    assert x.grad == 6.0
    z = Value.sum([x] * 40)  # forty parallel edges, one arrow
    z.backward()
    assert edge_labels(draw(z).source) == ["×40 edges: local = 1 + 1 + 1 + … = 40\\n1 × 1 + 1 × 1 + 1 × 1 + … = 40"]


def test_options_hide_grads_and_edge_labels_and_set_direction_and_digits():
    x = Value(1 / 3, label="x")
    y = (x * 2.0).exp()
    y.backward()
    assert "grad" not in draw(y, show_grad=False).source
    assert "×" not in draw(y, show_grad=False).source
    assert "label=\"local" not in draw(y, edge_labels=False).source
    assert "rankdir=TB" in draw(y, rankdir="TB").source
    assert "rankdir=LR" in draw(y, rankdir="LR").source
    assert "data 0.33<" in draw(y, digits=2).source
    assert "data 0.333333<" in draw(y, digits=6).source
    with pytest.raises(ValueError, match="rankdir"):
        draw(y, rankdir="sideways")
    with pytest.raises(ValueError, match="digits"):
        draw(y, digits=0)
    with pytest.raises(ValueError, match="max_nodes"):
        draw(y, max_nodes=0)


def test_highlight_outlines_the_chosen_nodes_in_red():
    x, w, b, n, y = neuron()
    src = draw(y, highlight=[w]).source
    assert 'BORDER="3"' in node_line(src, "<B>w</B>")
    assert 'BORDER="0"' in node_line(src, "<B>x</B>")


def test_colours_tell_output_parameters_inputs_constants_and_intermediates_apart():
    x, w = Value(2.0, label="x"), Value(-1.0, label="w")
    y = (x * w + 1.0).relu()  # 1.0 becomes an unlabelled constant leaf
    y.label = "y"
    colours = autodiff.viz.COLOURS

    def colour(src, text):
        return re.search(r'BGCOLOR="([^"]+)"', node_line(src, text)).group(1)

    src = draw(y, params=[w]).source
    assert colour(src, "<B>y</B>") == colours["output"]
    assert colour(src, "<B>w</B>") == colours["parameter"]
    assert colour(src, "<B>x</B>") == colours["input"]
    assert colour(src, "data 1<") == colours["constant"]
    assert colour(src, "data -2<") == colours["intermediate"]
    # without a params list a labelled leaf could be either: it gets the parameter colour
    assert colour(draw(y).source, "<B>x</B>") == colours["parameter"]
    assert set(re.findall(r'BGCOLOR="([^"]+)"', draw(y, colors=False).source)) == {"#ffffff"}


def test_constant_power_shows_its_exponent_on_the_op_node():
    x = Value(3.0, label="x")
    assert 'label="**2"' in draw(x**2).source


# --- large graphs stay readable --------------------------------------------------------------------
def chain(n: int) -> tuple[Value, Value]:
    x = Value(0.1, label="x")
    y = x
    for _ in range(n):
        y = y * 1.001 + 0.001
    return x, y


def test_max_nodes_draws_the_nodes_nearest_the_output_with_a_note():
    x, y = chain(400)
    src = draw(y, max_nodes=40).source
    assert len(re.findall(r"<TABLE", src)) == 40
    total = len(engine.topological_order(y))
    assert f"showing the 40 nodes nearest the output of {total}" in src
    assert "more input" in src  # cut edges end in a visible '… k more' stub
    assert len(re.findall(r"<TABLE", draw(y, max_nodes=None).source)) == total


def power_by_products(k: int):
    """x*x*…*x with k factors: k - 1 products, every one of them using x."""
    x = Value(1.01, label="x")
    y = x
    for _ in range(k - 1):
        y = y * x
    return x, y


def test_layout_size_counts_nodes_op_nodes_and_the_ranks_each_edge_crosses():
    x = Value(0.5, label="x")
    y = x
    for _ in range(10):
        y = y.tanh()
    assert layout_size(y) == 11 + 10 + 10  # 11 nodes, 10 op nodes, 10 edges of length 1
    # x's edge into the i-th product crosses 2i - 1 ranks: (k - 1)² in all, the quadratic that
    # made dot take a minute over 50 factors
    for k in (2, 3, 10, 50):
        assert layout_size(power_by_products(k)[1]) == k + (k - 1) + (k - 2) + (k - 1) ** 2


def test_draw_cuts_a_graph_too_large_to_lay_out_to_the_nodes_nearest_the_output():
    x, y = power_by_products(50)
    y.backward()
    src = draw(y, max_nodes=150).source
    drawn = len(re.findall(r"<TABLE", src))
    assert 1 < drawn < 50
    assert f"showing the {drawn} nodes nearest the output of 50" in heading(src)
    assert f"drawing more would make dot slow: layout size over {autodiff.viz.MAX_LAYOUT}" in heading(src)
    assert "more input" in src  # the cut edges from x end in a visible stub
    assert len(re.findall(r"<TABLE", draw(y, max_nodes=None).source)) == 50
    small = power_by_products(10)[1]
    assert "showing" not in draw(small, max_nodes=150).source


def scalar_mlp():
    """A 3-4-1 tanh network on Values: every weight a labelled leaf."""
    xs = [Value(v, label=f"x{i}") for i, v in enumerate((0.5, -1.0, 2.0))]
    hidden = []
    params = []
    for j in range(4):
        ws = [Value(0.1 * (i + j) - 0.2, label=f"w{j}{i}") for i in range(3)]
        b = Value(0.05 * j, label=f"b{j}")
        params += ws + [b]
        hidden.append(Value.dot(ws, xs, b).tanh())
    vs = [Value(0.3 - 0.2 * j, label=f"v{j}") for j in range(4)]
    params += vs
    out = Value.dot(vs, hidden)
    out.label = "out"
    return xs, params, out


def test_focus_draws_only_the_paths_from_one_parameter_to_the_output():
    xs, params, out = scalar_mlp()
    out.backward()
    w = next(p for p in params if p.label == "w21")
    src = draw(out, focus=w).source
    drawn = set(re.findall(r"<B>(\w+)</B>", src))
    assert drawn == {"w21", "out"}  # w21 → dot → tanh → out; other weights are cut
    assert "only the paths from w21 to the output" in src
    assert 'BORDER="3"' in node_line(src, "<B>w21</B>")
    assert "more inputs" in src
    with pytest.raises(ValueError, match="not part of the graph"):
        draw(out, focus=Value(1.0))


# --- a Tensor graph --------------------------------------------------------------------------------
def tensor_class():
    tensor = getattr(autodiff, "Tensor", None)
    if tensor is None:
        pytest.skip("autodiff.Tensor is not importable yet")
    return tensor


def test_tensor_nodes_show_shape_dtype_op_and_data_and_grad_summaries():
    Tensor = tensor_class()
    W = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True, label="W")
    x = Tensor([0.5, -1.0], label="x")
    B = Tensor(np.arange(12.0).reshape(3, 4), requires_grad=True, label="B")
    h = (W @ x).tanh()
    loss = (h * h).sum() + B.mean()
    loss.label = "loss"
    engine.backward(loss, np.ones_like(loss.data))
    src = draw(loss).source
    w_line = node_line(src, "<B>W</B>")
    assert "(2, 2) float64" in w_line
    assert "data [[1, 2], [3, 4]]" in w_line
    assert "grad [[" in w_line
    b_line = node_line(src, "<B>B</B>")  # 12 values: min / mean / max instead
    assert "(3, 4) float64" in b_line
    assert "data min 0 mean 5.5 max 11" in b_line
    assert f"grad min {g4(1 / 12)} mean {g4(1 / 12)} max {g4(1 / 12)}" in b_line
    assert "grad None" in node_line(src, "<B>x</B>")  # an input that needs no gradient
    for op in ("@", "tanh", "*", "sum", "mean", "+"):
        assert re.search(rf'op \[label="?{re.escape(op)}"? ', src), op
    # edges carry the vector-Jacobian product sent to each parent: h*h sends 1·h along each
    # of its two edges to h, drawn as one edge with their sum, which is h.grad
    both = f"×2 edges: contribution [{g4(2 * h.data[0])}, {g4(2 * h.data[1])}]"
    assert edge_labels(src).count(both) == 1
    assert f"grad [{g4(2 * h.data[0])}, {g4(2 * h.data[1])}]" in src


def test_tensor_step_through_contributions_sum_to_each_grad():
    Tensor = tensor_class()
    a = Tensor([1.0, -2.0, 0.5], requires_grad=True, label="a")
    b = Tensor([3.0, 1.0, -1.0], requires_grad=True, label="b")
    loss = (a * b + a.sigmoid()).sum()
    received: dict[int, list] = {}
    steps = list(trace_backward(loss))
    for st in steps:
        for p, c in st.sent:
            received.setdefault(id(p), []).append(c)
    for leaf in (a, b):
        np.testing.assert_allclose(sum(received[id(leaf)]), leaf.grad, rtol=1e-12)
    assert len(list(draw_steps(Tensor([2.0], requires_grad=True, label="t").exp().sum()))) == 2


# --- backward, step by step ------------------------------------------------------------------------
def fresh_graph():
    """A graph with a reused node (x feeds two children) and a constant."""
    x, w = Value(0.5, label="x"), Value(-1.5, label="w")
    h = (x * w).tanh() + x * 2.0
    h.label = "h"
    return x, w, h * h


def test_step_through_order_is_the_engines_order():
    *_, root = fresh_graph()
    ours = [st.node for st in trace_backward(root)]
    *_, root2 = fresh_graph()  # the same graph, walked by the engine itself
    theirs = [step.node for step in engine.backward_steps(root2, 1.0)]
    assert [(n.op, n.data) for n in ours] == [(n.op, n.data) for n in theirs]
    assert ours == [n for n in engine.topological_order(root) if n.parents]


def test_contributions_recorded_into_each_node_sum_to_its_final_grad():
    x, w, root = fresh_graph()
    steps = list(trace_backward(root))
    assert steps[0].node is root and steps[0].received == [] and steps[0].grad == 1.0
    for st in steps[1:]:
        assert math.isclose(sum(c for _, c in st.received), st.grad, rel_tol=1e-12)
        assert st.grad == st.node.grad
    into: dict[int, float] = {}
    for st in steps:
        for p, c in st.sent:
            into[id(p)] = into.get(id(p), 0.0) + c
    for leaf in (x, w):
        assert math.isclose(into[id(leaf)], leaf.grad, rel_tol=1e-12)
    # x is used twice: its grad becomes final at the step of its last child, and only then
    final_steps = [st.index for st in steps if any(p is x for p in st.finalized)]
    assert len(final_steps) == 1


def test_step_through_leaves_the_same_gradients_as_backward():
    x, w, root = fresh_graph()
    list(trace_backward(root))
    x2, w2, root2 = fresh_graph()
    root2.backward()
    assert (x.grad, w.grad) == (x2.grad, w2.grad)


def test_step_pictures_mark_the_final_node_and_the_edges_summed_into_it():
    x, w, root = fresh_graph()
    frames = list(draw_steps(root))
    n_steps = len([n for n in engine.topological_order(root) if n.parents])
    assert len(frames) == n_steps
    first, last = frames[0].source, frames[-1].source
    assert f"backward step 1 of {n_steps}" in first and "(the seed)" in first
    assert autodiff.viz.RED in first  # the root's outgoing edges: contributions sent now
    assert "grad …" in first  # nodes backward has not reached yet
    assert autodiff.viz.BLUE in last  # the edge whose contribution was summed into the last node
    assert "now final: x" in last or "now final: w" in last
    assert "grad …" not in last


# --- explain ----------------------------------------------------------------------------------------
def test_explain_writes_the_chain_rule_sum_with_the_numbers():
    x = Value(0.5, label="x")
    w = Value(-1.5, label="w")
    L = (x * w).tanh() + x * x
    L.label = "L"
    L.backward()
    text = explain(x, L)
    # d: a total derivative (of L), ∂: the local derivative of one edge; unlabelled nodes by id
    assert text.splitlines()[0].startswith("dL/dx = Σ_c dL/dc · ∂c/∂x")
    assert "dL/dt1 · ∂t1/∂x" in text and "where t1 = x*w" in text
    assert "dL/dt3 · ∂t3/∂x + dL/dt3 · ∂t3/∂x" in text and "t3 = x*x" in text  # x*x: two edges, two terms
    dt = 1 - math.tanh(-0.75) ** 2
    assert f"{g4(dt)} · (-1.5)" in text
    assert f"= {g4(x.grad)}\nx.grad = {g4(x.grad)}" in text
    assert "note" not in text


def test_explain_of_the_root_is_the_seed_and_of_a_stranger_is_an_error():
    *_, y = neuron()
    y.backward()
    assert "the seed of backward" in explain(y, y)
    with pytest.raises(ValueError, match="not part of the graph"):
        explain(Value(1.0, label="z"), y)


def test_explain_says_when_leaf_gradients_accumulated_over_two_backward_calls():
    x = Value(2.0, label="x")
    y = x * x
    y.backward()
    with pytest.warns(autodiff.RepeatedBackwardWarning):
        y.backward()
    assert "accumulates" in explain(x, y)


# --- rendering ----------------------------------------------------------------------------------------
def test_save_renders_svg_and_png_with_dot_and_writes_dot_source(tmp_path):
    *_, y = neuron()
    y.backward()
    g = draw(y, title="y = tanh(x·w + b)")
    svg = save(g, tmp_path / "graph.svg").read_text(encoding="utf-8")
    assert "<svg" in svg and "grad 0.2804" in svg
    assert save(g, tmp_path / "graph.png").read_bytes()[:4] == b"\x89PNG"
    assert save(g, tmp_path / "graph.dot").read_text(encoding="utf-8") == g.source
    with pytest.raises(ValueError, match="picture format"):
        save(g, tmp_path / "graph.bmpx")


def test_a_raster_picture_of_a_long_graph_is_scaled_down_to_at_most_4800_pixels_a_side(tmp_path):
    x, y = chain(150)  # 18 000 pixels wide at full size: seconds of rasterising
    y.backward()
    png = save(draw(y, rankdir="LR", max_nodes=None, size=None), tmp_path / "g.png").read_bytes()
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert max(width, height) <= 4800 + 1 and width > 1000


def test_dot_that_runs_out_of_time_is_stopped_with_a_clear_error(tmp_path):
    x, y = power_by_products(60)
    with pytest.raises(GraphvizTimeoutError, match="took more than 0.2 s"):
        save(draw(y, max_nodes=None), tmp_path / "g.svg", timeout=0.2)
    assert not (tmp_path / "g.svg").exists()


def test_missing_dot_program_is_a_clear_error_and_the_source_stays(tmp_path, monkeypatch):
    *_, y = neuron()
    g = draw(y)
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot here
    with pytest.raises(GraphvizNotFoundError) as info:
        g.pipe(format="svg")
    message = str(info.value)
    assert "apt-get install graphviz" in message and "brew install graphviz" in message
    assert info.value.source == g.source and "digraph" in g.source
    with pytest.raises(GraphvizNotFoundError):
        save(g, tmp_path / "graph.svg")
    save(g, tmp_path / "graph.dot")  # the DOT source needs no program


def test_save_steps_writes_frames_and_a_page_to_click_through(tmp_path):
    *_, root = fresh_graph()
    paths = save_steps(root, tmp_path / "steps")
    frames = [p for p in paths if p.name.startswith("step_")]
    assert len(frames) == len([n for n in engine.topological_order(root) if n.parents])
    assert all(p.read_text(encoding="utf-8").lstrip().startswith("<?xml") for p in frames)
    page = (tmp_path / "steps" / "steps.html").read_text(encoding="utf-8")
    assert page.count('<div class="adstep-frame"') == len(frames)


def test_save_steps_can_write_an_animated_gif(tmp_path):
    pytest.importorskip("PIL")
    x = Value(2.0, label="x")
    paths = save_steps((x * x).exp(), tmp_path, ext="png", html_page=False, gif=True)
    assert paths[-1].name == "steps.gif" and paths[-1].read_bytes()[:3] == b"GIF"


def test_importing_autodiff_does_not_need_the_graphviz_package():
    code = ("import sys; sys.modules['graphviz'] = None\n"
            "import autodiff\n"
            "from autodiff import Value\n"
            "x = Value(1.0, label='x'); y = x * 2; y.backward()\n"
            "print(autodiff.explain(x, y).splitlines()[-1])\n"
            "try:\n"
            "    autodiff.draw(y)\n"
            "except ImportError as e:\n"
            "    print('ImportError:', e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "x.grad = 2" in out
    assert "ImportError: drawing a graph needs the graphviz Python package: pip install graphviz" in out


# --- names and notation (issue 11) ---------------------------------------------------------------------
def test_unlabelled_nodes_are_named_by_short_ids_in_the_order_they_were_computed():
    x, w = Value(0.5, label="x"), Value(-1.5, label="w")
    L = (x * w).tanh() + x * x
    L.backward()
    src = draw(L).source
    for short in ("t1", "t2", "t3", "t4"):  # x*w, tanh, x*x, +: the picture shows each id once
        assert src.count(f">{short}</FONT>") == 1, short
    text = explain(x, L)
    assert "where t1 = x*w, t3 = x*x" in text or "where t4 = t2 + t3, t1 = x*w, t3 = x*x" in text
    assert "dt4/dt1 · ∂t1/∂x" in text  # the root is unlabelled: it is t4 as in the picture


def test_explain_writes_totals_with_d_and_local_edges_with_partial_d():
    *_, y = neuron()
    y.backward()
    text = explain(y.parents[0], y)  # n, y's only parent
    first = text.splitlines()[0]
    assert first.startswith("dy/dn = Σ_c dy/dc · ∂c/∂n")
    assert "dy/dy · ∂y/∂n" in text and "∂y/∂y" not in text


def test_the_legend_says_boxes_hold_totals_and_edges_local_derivatives():
    *_, y = neuron()
    y.backward()
    head = heading(draw(y).source)
    assert "grad = dy/d(node), the total derivative" in head
    assert "local = ∂(child)/∂(parent)" in head
    assert "legend" not in heading(draw(y, legend=False, title="t").source)
    assert "∂" not in heading(draw(y, legend=False, title="t").source)


def test_a_constant_power_keeps_its_exponent_on_the_node_for_values_and_tensors():
    x = Value(3.0, label="x")
    assert 'label="**2.5"' in draw(x ** 2.5).source
    assert 'label="**-1"' in draw(x ** -1).source
    t = autodiff.Tensor([1.0, 2.0], requires_grad=True, label="t")
    assert 'label="**3"' in draw((t ** 3).sum()).source


# --- fit by default ---------------------------------------------------------------------------------------
def test_a_picture_is_fitted_to_the_page_width_unless_asked_otherwise():
    *_, y = neuron()
    assert f'size="{autodiff.viz.PAGE_SIZE}"' in draw(y).source
    assert not re.search(r"\bsize=", draw(y, size=None).source.split("\n")[1])
    assert 'size="4,4"' in draw(y, size="4,4").source
    with pytest.raises(ValueError, match="size"):
        draw(y, size=7)


def mlp_2_16_16_1():
    nn = pytest.importorskip("nn")
    mlp = nn.MLP(2, [16, 16, 1], seed=0)
    loss = (mlp([0.5, -1.0]) - 1.0) ** 2
    loss.backward()
    return mlp, loss


def test_a_cut_keeps_the_nodes_nearest_the_output_with_their_leaves():
    mlp, loss = mlp_2_16_16_1()
    src = draw(loss).source
    drawn = set(re.findall(r"<B>([\w.]+)</B>", src))
    output_neuron = {p.label for p in mlp.layers[2].parameters()}
    assert output_neuron <= drawn  # all 16 weights and the bias of the output neuron stay
    assert not any(name.startswith("L0.") for name in drawn)  # the first layer is folded away
    total = len(engine.topological_order(loss))
    assert f"of {total} (cut to fit the page)" in heading(src)
    assert "max_nodes=None" in heading(src) and "more inputs" in src
    assert len(re.findall(r"<TABLE", draw(loss, max_nodes=None).source)) == total


def test_many_inputs_of_one_op_get_one_line_edge_labels():
    mlp, loss = mlp_2_16_16_1()
    labels = edge_labels(draw(loss).source)
    w0 = mlp.layers[2].neurons[0].w[0]
    assert f"local = {g4(mlp.layers[1](mlp.layers[0]([0.5, -1.0]))[0].data)} → {g4(w0.grad)}" in labels


def test_direction_is_chosen_to_fit_and_stays_as_asked():
    x, y = chain(3)
    y.backward()
    assert "rankdir=TB" in draw(y).source  # a long chain left to right would be wider than the page
    assert "rankdir=LR" in draw(y, rankdir="LR").source


# --- views: several outputs, inputs, the lecture's chain ------------------------------------------------
def test_expand_draws_a_dot_node_as_the_lectures_chain_with_the_same_numbers():
    xs = [Value(v, label=f"x{i}") for i, v in enumerate((0.5, -1.0, 2.0))]
    ws = [Value(v, label=f"w{i}") for i, v in enumerate((0.3, -0.2, 0.1))]
    b = Value(0.4, label="b")
    z = Value.dot(ws, xs, b)
    z.label = "z"
    y = z.tanh()
    y.backward()
    src = draw(y, expand=True).source
    ops = re.findall(r'^\tv\d+op \[label="?([^" ]+)"? ', src, flags=re.M)
    assert sorted(ops) == ["*", "*", "*", "+", "+", "+", "tanh"]  # w·x three times, then + + + b
    assert node_line(src, "<B>z</B>").count(f"data {g4(z.data)}") == 1
    labels = edge_labels(src)
    for w, x in zip(ws, xs):  # each weight's edge sends dL/dz · x, which is w.grad
        assert f"local = {g4(x.data)}\\n{g4(z.grad)} × {g4(x.data)} = {g4(w.grad)}" in labels
    assert "dot" not in ops and "dot" in draw(y).source
    with pytest.raises(ValueError, match="n-ary"):
        draw(y, expand=[y])


def test_inputs_stop_the_picture_and_several_outputs_are_drawn_together():
    x, w, b, n, y = neuron()
    y.backward()
    src = draw(y, inputs=[n]).source
    assert set(re.findall(r"<B>(\w+)</B>", src)) == {"n", "y"}
    assert COLOUR_OF(src, "<B>n</B>") == autodiff.viz.COLOURS["input"]
    u = (x * 2.0).exp()
    both = draw([y, u]).source
    assert COLOUR_OF(both, "<B>y</B>") == autodiff.viz.COLOURS["output"]
    assert "exp" in both and "tanh" in both


def COLOUR_OF(src: str, text: str) -> str:
    return re.search(r'BGCOLOR="([^"]+)"', node_line(src, text)).group(1)


def test_gradient_graphs_from_create_graph_are_drawn_and_explained():
    x = Value(0.5, label="x")
    y = (x * x).sin()
    y.backward(create_graph=True)
    g = x.grad
    g.label = "dy/dx"
    src = draw(g).source
    assert "<B>dy/dx</B>" in src and "cos" in src
    assert draw(y).source.count("grad ") >= 3  # grads that are graph nodes show their numbers
    assert "x" in explain(x, g)


def test_step_pictures_share_one_layout():
    *_, root = fresh_graph()
    frames = [f.source for f in draw_steps(root)]
    heads = {f.split("\n")[1].split("label=")[0] + re.search(r"rankdir=\w+", f).group() for f in frames}
    assert len({re.search(r"rankdir=\w+", f).group() for f in frames}) == 1
    assert len({len(re.findall(r"<TABLE", f)) for f in frames}) == 1 and heads


# --- rendering protections for Jupyter's display -------------------------------------------------------------
def test_a_pictures_display_is_rendered_with_the_time_limit_and_the_raster_cap(monkeypatch):
    x, y = power_by_products(60)
    g = draw(y, max_nodes=None, size=None)
    monkeypatch.setattr(autodiff.viz.dot, "DOT_TIMEOUT", 0.2)
    with pytest.raises(GraphvizTimeoutError, match="took more than 0.2 s"):
        g._repr_image_svg_xml()  # what Jupyter calls to show it
    monkeypatch.undo()
    x, y = chain(150)
    png = draw(y, rankdir="LR", max_nodes=None, size=None).pipe(format="png")
    assert max(int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")) <= 4801
    fitted = draw(chain(3)[1], rankdir="LR").pipe(format="png")
    assert int.from_bytes(fitted[16:20], "big") <= 901  # the page width, 9.375 inches at 96 dpi


def test_save_is_top_level_and_render_leaves_no_dot_file(tmp_path):
    *_, y = neuron()
    y.backward()
    assert autodiff.save(draw(y), tmp_path / "n.svg").read_text(encoding="utf-8").count("<svg") == 1
    draw(y).render(tmp_path / "r", format="svg")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["n.svg", "r.svg"]
    with pytest.raises(TypeError, match="a picture"):
        autodiff.save(y, tmp_path / "y.svg")


# --- the stepper --------------------------------------------------------------------------------------------
def test_a_stepper_is_self_contained_html_with_a_key_of_its_own():
    *_, root = fresh_graph()
    first = autodiff.stepper(root)
    *_, root2 = fresh_graph()
    second = autodiff.stepper(root2)
    n = len([n for n in engine.topological_order(root) if n.parents])
    assert len(first) == n and repr(first) == f"<autodiff stepper: {n} steps of backward from the output>"
    page = first._repr_html_()
    assert page.count('class="adstep-frame"') == n and "<?xml" not in page and "<!--" not in page
    assert first.key != second.key and second.key not in page
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert ids and all(i.startswith(first.key) for i in ids)
    assert "<script>" in page and "http" not in page.split("<script>")[1]  # nothing fetched


def test_a_stepper_draws_at_most_max_steps_but_runs_all_of_backward():
    x, y = chain(30)
    s = autodiff.stepper(y, max_steps=3)
    assert len(s) == 3 and "the first 3 of 60 steps" in s.html()
    assert x.grad == pytest.approx(1.001 ** 30)


def test_a_stepper_of_a_leaf_says_there_is_nothing_to_step_through():
    s = autodiff.stepper(Value(2.0, label="a"))
    assert len(s) == 0 and "no backward steps: a is not computed from anything" in s.html()
