"""Redraw the README's two pictures: python docs/pictures.py (needs graphviz's dot)."""

from pathlib import Path

import autodiff as ad
import nn
from autodiff import Value

HERE = Path(__file__).resolve().parent


def main() -> None:
    x, w, b = Value(0.5, label="x"), Value(-1.5, label="w"), Value(2.0, label="b")
    y = (x * w + b).tanh()
    y.label = "y"
    y.backward()
    ad.save(ad.draw(y), HERE / "neuron.svg")
    net = nn.MLP(2, [3, 1], seed=0)
    loss = (net([0.5, -1.0]) - 1.0) ** 2
    loss.backward()
    ad.save(nn.draw_network(net, view="neurons"), HERE / "network.svg")


if __name__ == "__main__":
    main()
