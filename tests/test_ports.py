"""Ports: code written for micrograd or PyTorch, run here with only its import lines changed.

1. micrograd's README example (an expression of Values) gives micrograd's printed numbers.
2. micrograd's demo (demo.ipynb: two moons, MLP 2-16-16-1, max-margin loss + L2, SGD with a
   decaying rate, 100 steps) trains to the same kind of result: ~100% training accuracy. With
   micrograd installed, both libraries started from the same weights follow the same losses.
3. A typical PyTorch MLP script (nn.Sequential of Linear/ReLU, CrossEntropyLoss, SGD or Adam,
   the zero_grad/backward/step loop, accuracy under no_grad) trains the digits as PyTorch does;
   with torch installed, both started from the same weights give the same losses step by step.

The ported code sits in functions below, each line as its original writes it except where a
comment ``# was: …`` shows the original; the README's "Coming from micrograd or PyTorch" lists
each difference with its reason. Only the harness seeds our generator (``autodiff.manual_seed``):
``random.seed`` and ``np.random.seed`` in the ported code do not reach it, as they do not reach
PyTorch's.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

import autodiff
import nn


# --- 1. micrograd's README example -------------------------------------------------------------------
def micrograd_readme_example(Value=None):  # noqa: N803 (micrograd's class, passed in to run it on micrograd)
    if Value is None:
        from autodiff import Value  # was: from micrograd.engine import Value

    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    printed = [f"{g.data:.4f}"]  # prints 24.7041, the outcome of this forward pass
    g.backward()
    printed += [f"{a.grad:.4f}", f"{b.grad:.4f}"]  # prints 138.8338 and 645.5773: dg/da and dg/db
    return printed, (g.data, a.grad, b.grad)


def test_micrograds_readme_example_prints_micrograds_numbers():
    printed, _ = micrograd_readme_example()
    assert printed == ["24.7041", "138.8338", "645.5773"]


def test_micrograds_readme_example_agrees_with_micrograd_to_the_last_bits():
    engine = pytest.importorskip("micrograd.engine")
    ours = micrograd_readme_example()[1]
    theirs = micrograd_readme_example(engine.Value)[1]
    assert ours == pytest.approx(theirs, rel=1e-14)


# --- 2. micrograd's demo --------------------------------------------------------------------------------
def micrograd_demo(steps: int = 100, model=None) -> tuple[list[float], list[float], object]:
    """demo.ipynb's cells, in order (its plots left out); returns (losses, accuracies, model)."""
    from autodiff import Value  # was: from micrograd.engine import Value
    from nn import MLP  # was: from micrograd.nn import Neuron, Layer, MLP
    from nn.data import moons as make_moons  # was: from sklearn.datasets import make_moons, make_blobs

    np.random.seed(1337)
    random.seed(1337)

    X, y = make_moons(n_samples=100, noise=0.1)
    y = y * 2 - 1  # make y be -1 or 1

    if model is None:
        model = MLP(2, [16, 16, 1])  # 2-layer neural network
    assert len(model.parameters()) == 337  # the demo prints "number of parameters 337"

    def loss(batch_size=None):
        # inline DataLoader :)
        if batch_size is None:
            Xb, yb = X, y
        else:
            ri = np.random.permutation(X.shape[0])[:batch_size]
            Xb, yb = X[ri], y[ri]
        inputs = [list(map(Value, xrow)) for xrow in Xb]

        # forward the model to get scores
        scores = list(map(model, inputs))

        # svm "max-margin" loss
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(yb, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        # L2 regularization
        alpha = 1e-4
        reg_loss = alpha * sum(p * p for p in model.parameters())
        total_loss = data_loss + reg_loss

        # also get accuracy
        accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(yb, scores)]
        return total_loss, sum(accuracy) / len(accuracy)

    seen_losses, seen_accuracies = [], []
    for k in range(steps):
        # forward
        total_loss, acc = loss()

        # backward
        model.zero_grad()
        total_loss.backward()

        # update (sgd)
        learning_rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad

        seen_losses.append(total_loss.data)  # the demo prints: step {k} loss {total_loss.data}, accuracy {acc*100}%
        seen_accuracies.append(acc)
    return seen_losses, seen_accuracies, model


def test_micrograds_demo_trains_the_moons_to_micrograds_result():
    autodiff.manual_seed(1337)
    losses, accuracies, model = micrograd_demo()
    assert repr(model) == "MLP(2 → 16 → 16 → 1, activation=relu, output=linear)"  # micrograd's network
    assert accuracies[0] < 0.9  # from a random start …
    assert accuracies[-1] == 1.0 and losses[-1] < 0.05  # … to micrograd's end: 100%, loss 0.011 there
    autodiff.manual_seed(1337)
    assert micrograd_demo(steps=3)[0] == losses[:3]  # one manual_seed makes the port repeatable


def test_micrograds_demo_follows_micrograd_itself_from_the_same_weights():
    mg = pytest.importorskip("micrograd.nn")
    autodiff.manual_seed(0)
    ours = nn.MLP(2, [16, 16, 1])
    theirs = mg.MLP(2, [16, 16, 1])
    for p, q in zip(ours.parameters(), theirs.parameters()):
        q.data = p.data
    steps = 2  # micrograd takes ~3 s a step
    ours_losses = micrograd_demo(steps, ours)[0]
    theirs_losses = _micrograd_run(theirs, steps)
    assert ours_losses == pytest.approx(theirs_losses, rel=1e-10)


def _micrograd_run(model, steps: int) -> list[float]:
    """The demo's loop on micrograd's own engine (micrograd's Value), the same data."""
    from micrograd.engine import Value

    X, y = nn.moons(n_samples=100, noise=0.1)
    y = y * 2 - 1
    out = []
    for k in range(steps):
        scores = [model(list(map(Value, row))) for row in X]
        losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
        total = sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in model.parameters())
        model.zero_grad()
        total.backward()
        for p in model.parameters():
            p.data -= (1.0 - 0.9 * k / 100) * p.grad
        out.append(total.data)
    return out


# --- 3. a typical PyTorch MLP script ----------------------------------------------------------------------
def _digits():
    X, y = nn.digits()
    X = (X - X.mean(axis=0)) / (X.std(axis=0) + 1e-8)
    return X[:1500], y[:1500], X[1500:], y[1500:]


def pytorch_style_script(optimizer_name: str, epochs: int = 5, model=None) -> tuple[list[float], float, object]:
    """A PyTorch beginner's MLP script: returns (losses, test accuracy, model)."""
    import autodiff as torch  # was: import torch
    import nn  # was: from torch import nn
    from autodiff import Tensor  # (torch.tensor is a function there; Tensor(...) here)

    X_train, y_train, X_test, y_test = _digits()
    X_train, y_train = Tensor(X_train), Tensor(y_train)  # was: torch.tensor(X_train), torch.tensor(y_train)
    X_test, y_test = Tensor(X_test), Tensor(y_test)

    if model is None:
        model = nn.Sequential(
            nn.Linear(64, 32),
            nn.ReLU(),
            nn.Linear(32, 10),
        )
    loss_fn = nn.CrossEntropyLoss()
    if optimizer_name == "sgd":
        optimizer = nn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)  # was: torch.optim.SGD
    else:
        optimizer = nn.optim.Adam(model.parameters(), lr=1e-2)  # was: torch.optim.Adam

    losses = []
    for _epoch in range(epochs):
        model.train()
        # was: for xb, yb in DataLoader(TensorDataset(X_train, y_train), batch_size=64, shuffle=True):
        for xb, yb in nn.batches(X_train, y_train, batch_size=64, shuffle=True):
            pred = model(xb)
            loss = loss_fn(pred, yb)

            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())

        model.eval()
        with torch.no_grad():
            pred = model(X_test)
            accuracy = (pred.argmax(dim=1) == y_test).mean().item()  # was: (…).float().mean().item()
    return losses, accuracy, model


@pytest.mark.parametrize("optimizer_name", ["sgd", "adam"])
def test_a_pytorch_mlp_script_trains_the_digits(optimizer_name):
    autodiff.manual_seed(0)
    losses, accuracy, model = pytorch_style_script(optimizer_name)
    assert [type(m).__name__ for m in model] == ["Linear", "ReLU", "Linear"]
    assert losses[0] > 2.0 and np.mean(losses[-10:]) < 0.3  # ln 10 ≈ 2.3 at the start
    assert accuracy > 0.85  # the last 297 digits, never trained on


@pytest.mark.parametrize("optimizer_name", ["sgd", "adam"])
def test_the_pytorch_script_gives_pytorchs_losses_from_the_same_weights(optimizer_name, monkeypatch):
    torch = pytest.importorskip("torch")
    autodiff.manual_seed(0)
    ours = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    theirs = nn.to_torch(ours)  # the same weights, float64
    orders = []
    real_batches = nn.batches

    def recording_batches(X, y, batch_size, shuffle):  # record our shuffles, to replay them in torch
        order = autodiff.default_generator().permutation(len(X))
        orders.append(order)
        Xa, ya = np.asarray(X.data), np.asarray(y.data)
        return real_batches(Xa[order], ya[order], batch_size=batch_size, shuffle=False)

    monkeypatch.setattr(nn, "batches", recording_batches)
    ours_losses, ours_accuracy, _ = pytorch_style_script(optimizer_name, epochs=2, model=ours)

    X_train, y_train, X_test, y_test = (torch.tensor(a) for a in _digits())
    loss_fn = torch.nn.CrossEntropyLoss()
    if optimizer_name == "sgd":
        optimizer = torch.optim.SGD(theirs.parameters(), lr=0.1, momentum=0.9)
    else:
        optimizer = torch.optim.Adam(theirs.parameters(), lr=1e-2)
    theirs_losses = []
    for order in orders:
        for start in range(0, len(order), 64):
            idx = torch.tensor(order[start:start + 64])
            loss = loss_fn(theirs(X_train[idx]), y_train[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            theirs_losses.append(loss.item())
    with torch.no_grad():
        theirs_accuracy = (theirs(X_test).argmax(dim=1) == y_test).float().mean().item()
    if optimizer_name == "sgd":  # the same formula: the same numbers, step after step
        assert ours_losses == pytest.approx(theirs_losses, rel=1e-9)
        assert ours_accuracy == pytest.approx(theirs_accuracy, abs=1e-7)  # torch's .float() is float32
    else:  # Adam's δ sits inside the root here, outside in torch: close, not equal (README)
        assert ours_losses[:3] == pytest.approx(theirs_losses[:3], rel=1e-3)
        assert np.mean(ours_losses[-10:]) == pytest.approx(np.mean(theirs_losses[-10:]), rel=0.1)
        assert ours_accuracy == pytest.approx(theirs_accuracy, abs=0.03)
