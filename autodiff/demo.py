"""The project's demo: build an expression, run backward, print every node's data and grad.

    python -m autodiff.demo
"""

from __future__ import annotations

from autodiff import Value, topological_order
from autodiff.viz.text import Names, paren


def neuron_example() -> Value:
    """One tanh neuron, o = tanh(x1·w1 + x2·w2 + b), as in micrograd's lecture."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    n = x1w1 + x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o


def print_graph(root: Value) -> None:
    """One line per node: its name (an unlabelled node by its short id, t1, as pictures show it),
    op, data, grad = do/dnode (a total derivative) and the local derivative ∂node/∂parent of each edge."""
    nodes = topological_order(root)
    names = Names(nodes)
    print(f"{'node':<8}{'op':<6}{'data':>12}{'grad':>12}   local derivatives ∂node/∂parent on the edges")
    for node in nodes:
        name = names(node)
        edges = ", ".join(f"∂{paren(name)}/∂{paren(names(p))}={d:.4g}"
                          for p, d in zip(node.parents, node.local_grads))
        print(f"{name:<8}{node.op or 'leaf':<6}{node.data:>12.6f}{node.grad:>12.6f}   {edges}")


def main() -> None:
    o = neuron_example()
    o.backward()
    print("o = tanh(x1*w1 + x2*w2 + b), after o.backward():\n")
    print_graph(o)
    x = Value(0.5, label="x")
    f = (x * x + (x * x).exp()).sqrt()
    f.backward()
    print(f"\nf(x) = sqrt(x² + exp(x²)) at x = 0.5: f = {f.data:.12f}, df/dx = {x.grad:.12f}")
    print("  by hand (lecture notes): x(1 + exp(x²))/sqrt(x² + exp(x²)) = "
          f"{0.5 * (1 + 2.718281828459045 ** 0.25) / f.data:.12f}")


if __name__ == "__main__":
    main()
