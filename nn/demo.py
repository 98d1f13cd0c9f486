"""The project's main job, end to end: see backprop on a neuron, then train a real network.

    python -m nn.demo [--epochs N] [--out DIR]

1. one tanh neuron: every node's data and grad and each edge's local derivative (autodiff.demo),
   and its picture (graphviz) written to DIR/neuron.svg;
2. an MLP 64-100-30-10 (leaky ReLU, softmax cross-entropy, Adam) trained on the 8×8 digits with
   a progress bar; test accuracy printed; the model saved to DIR/digits_mlp.npz, loaded back
   into a fresh model and checked to predict identically; the loss curve in DIR/history.png.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import nn
from autodiff import demo as scalar_demo


def picture(out: Path) -> None:
    from autodiff import draw
    from autodiff.viz import save

    o = scalar_demo.neuron_example()
    o.backward()
    try:
        path = save(draw(o), out / "neuron.svg")
        print(f"picture of the neuron's graph: {path}")
    except Exception as e:  # no graphviz binary: say so, carry on
        print(f"(no picture: {e})")


def train_digits(out: Path, epochs: int) -> float:
    X, y = nn.digits()
    (Xtr, ytr), (Xva, yva), (Xte, yte) = nn.train_val_test_split(X, y, fractions=(0.7, 0.1, 0.2), seed=0)
    scaler = nn.standardize(Xtr)
    Xtr, Xva, Xte = scaler.transform(Xtr), scaler.transform(Xva), scaler.transform(Xte)
    model = nn.TensorMLP(64, [100, 30, 10], activation="leaky_relu", seed=0)
    print(f"\n{model}\ntraining on {len(Xtr)} digits, validating on {len(Xva)}, testing on {len(Xte)}")
    opt = nn.Adam(model.parameters(), lr=1e-3)
    start = time.perf_counter()
    history = nn.fit(model, "cross_entropy", opt, Xtr, ytr, epochs=epochs, batch_size=32,
                     validation=(Xva, yva), metrics=["accuracy"], seed=0)
    seconds = time.perf_counter() - start
    acc = nn.accuracy(nn.predict(model, Xte), yte)
    print(f"test accuracy {acc:.2%} after {epochs} epochs ({seconds / epochs * 1000:.0f} ms per epoch)")

    path = model.save(out / "digits_mlp.npz")
    fresh = nn.TensorMLP(64, [100, 30, 10], activation="leaky_relu", seed=1)
    fresh.load(path)
    same = np.array_equal(nn.predict(fresh, Xte), nn.predict(model, Xte))
    print(f"saved to {path}; a fresh model loaded from it predicts identically: {same}")
    if not same:
        raise SystemExit("save/load round trip changed the predictions")

    try:
        fig = nn.plot_history(history, title="digits MLP 64-100-30-10")
        fig.savefig(out / "history.png", dpi=100)
        print(f"loss and accuracy curves: {out / 'history.png'}")
    except ImportError as e:
        print(f"(no plot: {e})")
    return acc


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--out", type=Path, default=Path("demo_output"))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    scalar_demo.main()
    picture(args.out)
    train_digits(args.out, args.epochs)


if __name__ == "__main__":
    main()
