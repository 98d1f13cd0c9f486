"""Write (and execute, storing outputs) the lecture notebook not yet moved to jupytext sources.

Seed 004's notebook moved to 40_*.py-42_*.py, seed 002's to 20_*.py-24_*.py (built by run.py); 01 follows.

    python notebooks/build_notebooks.py            # rebuild and execute all
    python notebooks/build_notebooks.py --no-run   # rebuild without executing

Each notebook puts a derivation from ../shared/seeds beside autodiff's gradient and *asserts*
they agree, so executing a notebook (tests/test_notebooks.py does) is a test.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

SCALAR = [
    ("md", """# The chain rule by hand and by autodiff (lecture notes 003)

The notes' examples, each derived by hand exactly as the notes do, next to `Value`'s gradient.
Every comparison is an `assert`: running this notebook is a test."""),
    ("code", """import math
from autodiff import Value, gradcheck, topological_order

def show(rows):
    print(f"{'quantity':<12}{'by hand':>22}{'autodiff':>22}{'difference':>12}")
    for name, hand, auto in rows:
        print(f"{name:<12}{hand:>22.15g}{auto:>22.15g}{abs(hand - auto):>12.1e}")
        assert abs(hand - auto) <= 1e-12 * max(1.0, abs(hand)), name"""),
    ("md", """## f(x) = exp(x²): f'(x) = 2x·exp(x²)"""),
    ("code", """x = Value(0.7, label="x")
f = (x * x).exp()
f.backward()
show([("f", math.exp(0.7**2), f.data), ("df/dx", 2 * 0.7 * math.exp(0.7**2), x.grad)])"""),
    ("md", """## f(x) = √(x² + exp x²) with the notes' intermediates

a = x², b = exp a, c = a + b, d = √c. By hand: ∂f/∂c = 1/(2√c), ∂f/∂b = 1/(2√c),
∂f/∂a = (1 + exp a)/(2√c), ∂f/∂x = x(1 + b)/d."""),
    ("code", """x0 = 0.5
x = Value(x0, label="x")
a = x * x; a.label = "a"
b = a.exp(); b.label = "b"
c = a + b; c.label = "c"
d = c.sqrt(); d.label = "d"
d.backward()
A = x0**2; B = math.exp(A); C = A + B; D = math.sqrt(C)
show([("∂f/∂c", 1 / (2 * D), c.grad), ("∂f/∂b", 1 / (2 * D), b.grad),
      ("∂f/∂a", (1 + B) / (2 * D), a.grad), ("∂f/∂x", x0 * (1 + B) / D, x.grad)])"""),
    ("md", """Every node of that graph, with its local derivatives on the edges (what `backward` multiplies):"""),
    ("code", """for node in topological_order(d):
    edges = ", ".join(f"∂{node.label}/∂{p.label} = {l:.6g}" for p, l in zip(node.parents, node.local_grads))
    print(f"{node.label}: data={node.data:.6f} grad={node.grad:.6f}  {edges}")"""),
    ("md", """## The single-input perceptron

z₁ = w₁x + b₁, a₁ = σ(z₁), C = ½(a₁ − y)². By hand: ∂C/∂w₁ = (a₁ − y)σ'(z₁)x and
∂C/∂b₁ = (a₁ − y)σ'(z₁), with σ' = σ(1 − σ)."""),
    ("code", """xv, yv, w0, b0 = 1.5, 0.2, -0.8, 0.3
w1, b1 = Value(w0, label="w1"), Value(b0, label="b1")
a1 = (w1 * xv + b1).sigmoid()
C = 0.5 * (a1 - yv) ** 2
C.backward()
s = 1 / (1 + math.exp(-(w0 * xv + b0)))
delta1 = (s - yv) * s * (1 - s)
show([("∂C/∂w1", delta1 * xv, w1.grad), ("∂C/∂b1", delta1, b1.grad)])"""),
    ("md", """## One hidden layer, scalars only

z₁ = w₁a₀ + b₁, a₁ = σ(z₁), z₂ = w₂a₁ + b₂, a₂ = σ(z₂), C = ½(a₂ − y)².
δ₂ = (a₂ − y)σ'(z₂), δ₁ = δ₂w₂σ'(z₁); ∂C/∂w₂ = δ₂a₁, ∂C/∂b₂ = δ₂, ∂C/∂w₁ = δ₁a₀, ∂C/∂b₁ = δ₁."""),
    ("code", """a0, yv = 0.9, 1.0
P = dict(w1=0.4, b1=-0.2, w2=1.3, b2=0.1)
V = {k: Value(v, label=k) for k, v in P.items()}
a1 = (V["w1"] * a0 + V["b1"]).sigmoid()
a2 = (V["w2"] * a1 + V["b2"]).sigmoid()
C = 0.5 * (a2 - yv) ** 2
C.backward()
sig = lambda z: 1 / (1 + math.exp(-z))
h1 = sig(P["w1"] * a0 + P["b1"]); h2 = sig(P["w2"] * h1 + P["b2"])
d2 = (h2 - yv) * h2 * (1 - h2)
d1 = d2 * P["w2"] * h1 * (1 - h1)
show([("∂C/∂w2", d2 * h1, V["w2"].grad), ("∂C/∂b2", d2, V["b2"].grad),
      ("∂C/∂w1", d1 * a0, V["w1"].grad), ("∂C/∂b1", d1, V["b1"].grad)])"""),
    ("md", """## And against finite differences

`gradcheck` perturbs each input by ±h and compares (f(x+h) − f(x−h))/2h with backward's answer."""),
    ("code", """report = gradcheck(lambda w1, b1, w2, b2: 0.5 * (((w2 * (w1 * a0 + b1).sigmoid() + b2).sigmoid()) - yv) ** 2,
                   [Value(v, label=k) for k, v in P.items()])
print(report)
assert report"""),
    ("md", """## The picture

Each value node shows data and grad; each edge its local derivative (needs graphviz's `dot`)."""),
    ("code", """try:
    from autodiff import draw
    picture = draw(C)
except Exception as e:  # no graphviz binary: the rest of the notebook still stands
    picture = f"(no picture: {e})"
picture"""),
]

NOTEBOOKS = {
    "01_chain_rule_scalar.ipynb": SCALAR,
}


def build(name: str, cells: list) -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.cells = [new_markdown_cell(src) if kind == "md" else new_code_cell(src) for kind, src in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def main(run: bool = True) -> None:
    for name, cells in NOTEBOOKS.items():
        nb = build(name, cells)
        if run:
            from nbclient import NotebookClient

            NotebookClient(nb, timeout=300, kernel_name="python3",
                           resources={"metadata": {"path": str(HERE)}}).execute()
        nbformat.write(nb, HERE / name)
        print("wrote", HERE / name)


if __name__ == "__main__":
    main(run="--no-run" not in sys.argv)
