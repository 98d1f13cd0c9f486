"""Pictures of whole networks (nn.draw_network): one box per layer, one node per neuron, and a
layer or a neuron expanded into its ops. Assertions on the DOT source, as in test_viz."""

from __future__ import annotations

import re

import numpy as np
import pytest

import autodiff
import nn
from autodiff import Tensor, Value

pytest.importorskip("graphviz")


def digits_model():
    """The demo's TensorMLP 64-100-30-10 after one backward pass on 32 digits."""
    model = nn.TensorMLP(64, [100, 30, 10], activation="leaky_relu", seed=0)
    X, y = nn.digits()
    loss = nn.cross_entropy_with_logits(model(Tensor(X[:32])), y[:32])
    loss.backward()
    return model, loss


def scalar_net(sizes=(3, 1)):
    net = nn.MLP(2, list(sizes), activation="tanh", seed=0)
    loss = (net([0.5, -1.0]) - 1.0) ** 2
    loss.backward()
    return net, loss


def boxes(src: str) -> list[str]:
    return [ln for ln in src.splitlines() if "<TABLE" in ln]


def test_layer_view_of_a_tensor_mlp_has_one_box_per_layer_with_shapes_counts_and_activation():
    model, _ = digits_model()
    src = nn.draw_network(model).source
    layers = [b for b in boxes(src) if "Linear" in b]
    assert len(layers) == 3
    assert "Linear 64 → 100 · leaky_relu" in layers[0] and "W (64, 100) · b (100,)" in layers[0]
    assert "(6 500 parameters)" in layers[0] and "(310 parameters)" in layers[2]
    assert "leaky_relu" not in layers[2]  # the output layer is linear: logits
    assert "input</B> · 64 features" in src and "output</B> · 10" in src


def test_layer_view_after_backward_shows_each_parameters_gradient_norm():
    model, _ = digits_model()
    layers = [b for b in boxes(nn.draw_network(model).source) if "Linear" in b]
    W, b = model[0].W, model[0].b
    assert f"‖dL/dW‖ = {np.linalg.norm(W.grad):.3g}" in layers[0]
    assert f"‖dL/db‖ = {np.linalg.norm(b.grad):.3g}" in layers[0]
    fresh = nn.TensorMLP(64, [100, 30, 10], seed=0)
    assert "‖" not in nn.draw_network(fresh).source  # before backward: no gradients to show


def test_layer_view_of_a_scalar_mlp_reads_its_neurons_as_a_weight_matrix():
    net, _ = scalar_net((16, 16, 1))
    layers = [b for b in boxes(nn.draw_network(net).source) if "Layer" in b]
    assert len(layers) == 3
    assert "Layer 2 → 16 · tanh" in layers[0] and "w (2, 16) · b (16,)" in layers[0]
    grads = [w.grad for n in net.layers[2].neurons for w in n.w]
    assert f"‖dL/dw‖ = {np.sqrt(np.sum(np.square(grads))):.3g}" in layers[2]


def test_layer_view_of_a_sequential_shows_dropout_batchnorm_and_folded_activations():
    seq = nn.Sequential(nn.Linear(4, 8, seed=0), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.2, seed=0),
                        nn.Linear(8, 3, seed=1), nn.Softmax())
    src = nn.draw_network(seq).source
    kinds = [re.search(r"<B>(\w+)", b).group(1) for b in boxes(src)]
    assert kinds == ["input", "Linear", "BatchNorm1d", "Dropout", "Linear", "output"]
    assert "BatchNorm1d 8 → 8 · relu" in src and "p = 0.2" in src and "Linear 8 → 3 · softmax" in src
    with pytest.raises(TypeError, match="nn model"):
        nn.draw_network(lambda x: x)
    with pytest.raises(ValueError, match="view"):
        nn.draw_network(seq, view="atoms")


def test_neuron_view_draws_every_neuron_and_labels_every_weight_with_value_and_gradient():
    net, _ = scalar_net((3, 1))
    src = nn.draw_network(net, view="neurons").source
    units = re.findall(r"^\t+(u\d+_\d+) \[", src, flags=re.M)
    assert len(units) == 2 + 3 + 1
    w = net.layers[0].neurons[1].w[0]  # from input 0 to neuron 1 of the hidden layer
    assert re.search(rf'u0_0 -> u1_1 \[.*label="{w.data:.3g} \| {w.grad:.3g}"', src)
    b = net.layers[1].neurons[0].b
    assert f"n0: b {b.data:.3g}" in src and f"dL/db {b.grad:.3g}" in src


def test_neuron_view_keeps_each_layers_units_in_order_from_the_top(tmp_path):
    net, _ = scalar_net((16, 16, 1))
    source = nn.draw_network(net, view="neurons").source
    plain = autodiff.viz.render(source, "plain").decode()
    for layer in ("u1_", "u2_"):
        ys = {ln.split()[1]: float(ln.split()[3]) for ln in plain.splitlines() if ln.startswith("node " + layer)}
        assert sorted(ys, key=lambda u: -ys[u]) == [f"{layer}{j}" for j in range(16)]


def test_neuron_view_of_a_bigger_net_colours_weights_instead_of_labelling_them():
    net3 = nn.TensorMLP(3, [5, 5, 5, 2], activation="sigmoid", seed=0)  # the notes' 3-hidden-layer net
    src = nn.draw_network(net3, view="neurons").source
    assert src.count(" -> u") - src.count("style=invis") >= 75  # 15 + 25 + 25 + 10 weights
    assert "75 weights, not labelled" in src
    assert "layer 3 · sigmoid" in src
    with pytest.raises(ValueError, match="too many to draw one by one"):
        nn.draw_network(nn.TensorMLP(64, [100, 10], seed=0), view="neurons")


def test_expanding_a_neuron_draws_the_lectures_chain_of_products_and_sums_from_the_real_graph():
    net, loss = scalar_net((3, 1))
    neuron = net.layers[0].neurons[1]
    src = nn.draw_network(net, expand="layers.0.neurons.1", graph=loss).source
    ops = sorted(re.findall(r"^\tv\d+op \[label=\"?([^\" ]+)\"? ", src, flags=re.M))
    assert ops == ["*", "*", "+", "+", "tanh"]  # w0·x0, w1·x1, their sum, + b, then σ
    assert {p.label for p in neuron.parameters()} <= set(re.findall(r"<B>([\w.]+)</B>", src))
    for w in neuron.w:
        assert f"= {w.grad:.3g}" in src  # the numbers are those of the graph backward ran on
    assert "layers.0.neurons.1, op by op" in src


def test_expanding_a_tensor_layer_draws_its_affine_op_and_activation_stopping_at_its_input():
    model, loss = digits_model()
    src = nn.draw_network(model, expand=1, graph=loss).source  # Linear 100 → 30 and its leaky_relu
    ops = re.findall(r"^\tv\d+op \[label=\"?([^\" ]+)\"? ", src, flags=re.M)
    assert sorted(ops) == ["affine", "leaky_relu"]
    assert "(100, 30) float64" in src and "(32, 100) float64" in src
    with pytest.raises(ValueError, match="pass the output or loss"):
        nn.draw_network(model, expand=1)
    with pytest.raises(ValueError, match="not a layer"):
        nn.draw_network(model, expand="layers.9", graph=loss)
    other = nn.TensorMLP(64, [100, 30, 10], seed=5)
    with pytest.raises(ValueError, match="does not use"):
        nn.draw_network(other, expand=0, graph=loss)


def test_a_lone_neuron_and_layer_are_drawn_too():
    neuron = nn.Neuron(3, activation="tanh", seed=0)
    y = neuron([1.0, 2.0, 3.0])
    y.backward()
    assert "Neuron 3 → 1 · tanh" in nn.draw_network(neuron).source
    assert "layer 1 · tanh" in nn.draw_network(neuron, view="neurons").source
    src = nn.draw_network(neuron, expand=0, graph=y).source
    assert sorted(re.findall(r"^\tv\d+op \[label=\"?([^\" ]+)\"? ", src, flags=re.M)).count("*") == 3
    assert isinstance(y, Value)
