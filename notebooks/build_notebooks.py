"""Write (and execute, storing outputs) the two lecture notebooks not yet moved to jupytext sources.

Seed 004's notebook moved to 40_*.py-42_*.py (built by run.py); 01 and 02 follow.

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

MATRIX = [
    ("md", """# The matrix delta rules of a two-layer tanh net (lecture notes 002)

Forward: Z = tanh(X̃V), Y = Z̃W (X̃, Z̃: a column of ones prepended).
Error: E = (1/N)(1/K) Σₙ Σₖ (tₙₖ − yₙₖ)².
By hand (the notes' summary): ∂E/∂W = −2/(NK) · Z̃ᵀ(T − Y) and
∂E/∂V = −2/(NK) · X̃ᵀ(((T − Y)Ŵᵀ) ⊙ (1 − Z²)), Ŵ = W without its first (bias) row."""),
    ("code", """import numpy as np
from autodiff import Tensor, concatenate

def add_ones(A):
    return np.insert(A, 0, 1, axis=1)

rng = np.random.default_rng(2)
n = 30
Xtrain = np.linspace(0.0, 20.0, n).reshape((n, 1)) - 10
Ttrain = 0.2 + 0.05 * (Xtrain + 10) + 0.4 * np.sin(Xtrain + 10) + 0.2 * rng.normal(size=(n, 1))
Xs = (Xtrain - Xtrain.mean(0)) / Xtrain.std(0)
Ts = (Ttrain - Ttrain.mean(0)) / Ttrain.std(0)
N, K, M = n, 1, 20
V0 = rng.uniform(-0.1, 0.1, size=(1 + 1, M))
W0 = rng.uniform(-0.1, 0.1, size=(1 + M, K))"""),
    ("md", """## By hand"""),
    ("code", """X1 = add_ones(Xs)
Z = np.tanh(X1 @ V0)
Z1 = add_ones(Z)
Y = Z1 @ W0
error = Ts - Y
dE_dW_hand = -2 / (N * K) * Z1.T @ error
dE_dV_hand = -2 / (N * K) * X1.T @ ((error @ W0[1:, :].T) * (1 - Z**2))"""),
    ("md", """## By autodiff: the same forward pass on Tensors, then `backward()`"""),
    ("code", """V = Tensor(V0, requires_grad=True, label="V")
W = Tensor(W0, requires_grad=True, label="W")
ones = Tensor(np.ones((N, 1)))                 # the constant column of Z̃
Zt = (Tensor(X1) @ V).tanh()
Z1t = concatenate([ones, Zt], axis=1)
E = ((Tensor(Ts) - Z1t @ W) ** 2).mean()  # (1/N)(1/K) ΣΣ
E.backward()
for name, hand, auto in [("dE/dW", dE_dW_hand, W.grad), ("dE/dV", dE_dV_hand, V.grad)]:
    diff = np.abs(hand - auto).max()
    print(f"{name}: max |hand − autodiff| = {diff:.2e}")
    assert diff < 1e-12"""),
    ("md", """## Training with separate rates ρ_h and ρ_o (the notes' update rule)

V ← V − ρ_h ∂E/∂V, W ← W − ρ_o ∂E/∂W, with the gradients from autodiff."""),
    ("code", """rho_h, rho_o = 0.5, 0.25  # the notes: rhoh = 0.1, rhoo = 0.01 over 100000 epochs; faster here
V = Tensor(V0.copy(), requires_grad=True)
W = Tensor(W0.copy(), requires_grad=True)
rmse = []
for epoch in range(5000):
    Zt = (Tensor(X1) @ V).tanh()
    Yt = concatenate([ones, Zt], axis=1) @ W
    E = ((Tensor(Ts) - Yt) ** 2).mean()
    V.grad = W.grad = None
    E.backward()
    V.data -= rho_h * V.grad
    W.data -= rho_o * W.grad
    rmse.append(float(np.sqrt(E.item())) * Ttrain.std())
print(f"train RMSE (original units) after {len(rmse)} epochs: {rmse[-1]:.3f}")
assert rmse[-1] < 0.25"""),
    ("code", """import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
ax1.plot(rmse); ax1.set_xlabel("epoch"); ax1.set_ylabel("RMSE")
ax2.plot(Xtrain, Ttrain, "o", label="train")
ax2.plot(Xtrain, Yt.data * Ttrain.std() + Ttrain.mean(), label="network")
ax2.legend()
fig"""),
]

NOTEBOOKS = {
    "01_chain_rule_scalar.ipynb": SCALAR,
    "02_matrix_delta_rules_tanh.ipynb": MATRIX,
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
