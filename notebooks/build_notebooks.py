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
