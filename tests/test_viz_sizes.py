"""Every picture the library makes of the demo's graphs fits a notebook's page and reads there.

The graphs: the demo's tanh neuron, the scalar MLP 2-16-16-1 and the TensorMLP 64-100-30-10 on
digits, each before and after backward. The pictures: ``draw`` (op by op), the step pictures,
``nn.draw_network`` (layers, neurons, a neuron or a layer expanded). Each is rendered by dot:
its width must be at most the page width (PAGE_WIDTH points, 900 pixels), and it must not have
been scaled down below MIN_SCALE (a little less for step pictures, planned before backward) to
get there, so its text stays readable.
"""

from __future__ import annotations

import re
import shutil
from itertools import islice

import pytest

import autodiff as ad
import nn
from autodiff.demo import neuron_example
from autodiff.viz import MIN_SCALE, PAGE_WIDTH, render
from autodiff.viz.dot import natural_size

pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz's dot program is not installed")


def demo_graphs(grads: bool):
    """(name, root, model) for the demo's three graphs, with or without backward run."""
    o = neuron_example()
    mlp = nn.MLP(2, [16, 16, 1], seed=0)
    loss = (mlp([0.5, -1.0]) - 1.0) ** 2
    tmlp = nn.TensorMLP(64, [100, 30, 10], activation="leaky_relu", seed=0)
    X, y = nn.digits()
    L = nn.cross_entropy_with_logits(tmlp(ad.Tensor(X[:32])), y[:32])
    if grads:
        for root in (o, loss, L):
            root.backward()
    return [("neuron", o, None), ("MLP 2-16-16-1", loss, mlp), ("TensorMLP 64-100-30-10", L, tmlp)]


def pictures(grads: bool):
    """(what, picture) for every picture of the demo's graphs."""
    for name, root, model in demo_graphs(grads):
        yield f"draw({name})", ad.draw(root)
        if model is None:
            continue
        yield f"draw_network({name})", nn.draw_network(model)
        if isinstance(model, nn.MLP):
            yield f"draw_network({name}, view='neurons')", nn.draw_network(model, view="neurons")
        if grads:
            yield f"draw_network({name}, expand=…)", nn.draw_network(
                model, expand="layers.2.neurons.0" if isinstance(model, nn.MLP) else 1, graph=root)


def width_and_scale(picture) -> tuple[float, float]:
    svg = render(picture.source, "svg").decode("utf-8")
    width = float(re.search(r'<svg width="([\d.]+)pt"', svg).group(1))
    return width, width / natural_size(picture.source)[0]


@pytest.mark.parametrize("grads", [False, True], ids=["before backward", "after backward"])
def test_every_picture_of_the_demos_graphs_fits_the_page_and_reads(grads):
    for what, picture in pictures(grads):
        width, scale = width_and_scale(picture)
        assert width <= PAGE_WIDTH + 0.5, (what, width)
        assert scale >= MIN_SCALE - 0.02, (what, scale)


def test_step_pictures_fit_the_page():
    for name, root, _ in demo_graphs(grads=False):
        for frame in islice(ad.draw_steps(root), 3):
            width, scale = width_and_scale(frame)
            assert width <= PAGE_WIDTH + 0.5, (name, width)
            assert scale >= MIN_SCALE - 0.1, (name, scale)


def test_the_scalar_mlps_picture_is_small_enough_to_keep_in_a_notebook():
    _, loss, _ = demo_graphs(grads=True)[1]
    svg = render(ad.draw(loss).source, "svg")
    assert len(svg) < 64 * 1024  # was 435 KiB for all of its 400 nodes
