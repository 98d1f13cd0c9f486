# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Back-propagation: the worked example, Steps 1–4, finished
#
# **Lecture note:** *Neural networks* (seed 001, `../shared/seeds/001_6468bfa075136aa5.txt`).
# **Sections reproduced here:** *Back-propagation*, *Error derivatives* (the update rule),
# *Additional derivatives* (∂C/∂z and ∂C/∂a of every neuron), *Example* (Figure 5's network),
# *Back-propagation procedure* (Steps 1–4, then on to the first layer, where the notes stop) and
# *Back-propagating with all training examples* (the training loop, batches, epochs). Neurons and
# activations are in `10_neurons_and_activations`, Θ and the error functions in `11_network_and_costs`.
#
# The notes' example: 4 inputs plus a bias unit → 2 → 3 → 1 neuron, the logistic σ everywhere, and for
# one example C = ½(y − ŷ)². The notes give no numbers, so the weights are made up (seeded, one
# decimal). Every derivative is computed **by hand** as the notes do, one neuron at a time, and **by
# autodiff**; four of the notes' steps are wrong, and each is shown next to the right formula and
# autodiff's number.

# %%
# %matplotlib inline
import math

import matplotlib.pyplot as plt
import numpy as np

import nn
from autodiff import Tensor, Value, concatenate, draw, explain, trace_backward


def sigma(z):
    return 1 / (1 + math.exp(-z))


def table(header, rows, width=20):
    """Print rows (a name, then numbers to 10 significant digits) under a header."""
    print(f"{header[0]:<18}" + "".join(f"{h:>{width}}" for h in header[1:]))
    for name, *values in rows:
        print(f"{name:<18}" + "".join(f"{v:>{width}.10g}" for v in values))


# %% [markdown]
# ## The network of Figure 5, forward
#
# Θ⁽¹⁾ is 2 × 5, Θ⁽²⁾ is 3 × 3, Θ⁽³⁾ is 1 × 4 (dim Θ⁽ⁱ⁾ = N_{i+1} × (N_i + 1)); θ_{j,k}⁽ⁱ⁾, the weight
# from neuron j of layer i to neuron k of layer i + 1, is `Theta[i][k - 1, j]`, and j = 0 is the bias
# unit a₀⁽ⁱ⁾ = 1. For each neuron z_k⁽ⁱ⁾ = Σ_l θ_{l,k}⁽ⁱ⁻¹⁾a_l⁽ⁱ⁻¹⁾ and a_k⁽ⁱ⁾ = σ(z_k⁽ⁱ⁾); ŷ = a₁⁽⁴⁾.
#
# By hand: plain floats, one neuron at a time. By autodiff: the same sums as `Value.dot` nodes, each
# weight, z and a labelled with the notes' name.

# %%
rng = np.random.default_rng(2024)
Theta = {1: rng.uniform(-1, 1, (2, 5)).round(1), 2: rng.uniform(-1, 1, (3, 3)).round(1),
         3: rng.uniform(-1, 1, (1, 4)).round(1)}
x = [1.0, 0.5, -1.2, 0.3, 2.0]          # a⁽¹⁾ = x, x₀ = 1
y = 0.9
for i, T in Theta.items():
    print(f"Θ({i}) =\n{T}")

# by hand
a = {1: x}
z = {}
for i in (2, 3, 4):
    T = Theta[i - 1]
    z[i] = [None] + [sum(T[k - 1, j] * a[i - 1][j] for j in range(len(a[i - 1]))) for k in range(1, T.shape[0] + 1)]
    a[i] = [1.0] + [sigma(v) for v in z[i][1:]]         # a bias unit in front (not used after the output)
y_hat = a[4][1]
C_hand = 0.5 * (y - y_hat) ** 2

# by autodiff
th = {(i, j, k): Value(float(Theta[i][k - 1, j]), label=f"θ({i})_{j},{k}")
      for i in Theta for k in range(1, Theta[i].shape[0] + 1) for j in range(Theta[i].shape[1])}
A = {1: [Value(v, label=f"x{j}") for j, v in enumerate(x)]}
Z = {}
for i in (2, 3, 4):
    n_out = Theta[i - 1].shape[0]
    Z[i] = [None] + [Value.dot([th[i - 1, j, k] for j in range(len(A[i - 1]))], A[i - 1]) for k in range(1, n_out + 1)]
    A[i] = [Value(1.0, label=f"a({i})_0")] + [zk.sigmoid() for zk in Z[i][1:]]
    for k in range(1, n_out + 1):
        Z[i][k].label, A[i][k].label = f"z({i})_{k}", f"a({i})_{k}"
yv = Value(y, label="y")
C = 0.5 * (yv - A[4][1]) ** 2
C.label = "C"

table(["", "by hand", "autodiff"], [[f"a({i})_{k}", a[i][k], A[i][k].data] for i in (2, 3, 4) for k in range(1, len(a[i]))]
      + [["C", C_hand, C.data]])
assert all(abs(a[i][k] - A[i][k].data) < 1e-15 for i in (2, 3, 4) for k in range(1, len(a[i])))
print(f"\nŷ = {y_hat:.6f}, y = {y}, C = ½(y − ŷ)² = {C_hand:.6f}")

# %% [markdown]
# ### Erratum: the example's matrices as printed
#
# Four index slips in the matrices the notes print for Figure 5 (row k of Θ⁽ⁱ⁾ must hold θ_{0,k}, …,
# θ_{N_i,k}), and one of notation:
#
# * Θ⁽¹⁾'s first row is (θ_{0,1}, θ_{1,1}, θ_{2,1}, θ_{4,1}): θ_{3,1}⁽¹⁾ is missing, so the row has 4 entries and
#   the second 5, which is not a matrix;
# * Θ⁽²⁾'s first row is (θ_{0,1}, θ_{1,2}, θ_{2,2}): output neuron 1 would use neuron 2's weights;
# * a⁽³⁾'s first neuron is σ(θ_{·,2}⁽²⁾ᵀa⁽²⁾), the same as the second: it must be θ_{·,1}⁽²⁾;
# * Θ⁽³⁾ is printed with two identical rows (2 × 4), but the output layer has one neuron:
#   N₄ × (N₃ + 1) = 1 × 4, and with two rows the network would have two (equal) outputs;
# * "The output y⁽ⁱ⁾ is given by the output of the final neuron": the network's output is the
#   prediction ŷ⁽ⁱ⁾; y⁽ⁱ⁾ is the target.
#
# Read literally, the printed tables give a different network; the index rule gives autodiff's.

# %%
printed = {
    "Θ(1)": [[(0, 1), (1, 1), (2, 1), (4, 1)], [(0, 2), (1, 2), (2, 2), (3, 2), (4, 2)]],
    "Θ(2)": [[(0, 1), (1, 2), (2, 2)], [(0, 2), (1, 2), (2, 2)], [(0, 3), (1, 3), (2, 3)]],
    "Θ(3)": [[(0, 1), (1, 1), (2, 1), (3, 1)], [(0, 1), (1, 1), (2, 1), (3, 1)]],
}
rule = {f"Θ({i})": [[(j, k) for j in range(T.shape[1])] for k in range(1, T.shape[0] + 1)] for i, T in Theta.items()}
for name in printed:
    slips = [f"row {r + 1}: printed {p}, should be {q}" for r, (p, q) in enumerate(zip(printed[name], rule[name])) if p != q]
    extra = len(printed[name]) - len(rule[name])
    print(f"{name}: {'; '.join(slips) or 'rows as the rule'}" + (f"; {extra} row(s) too many" if extra > 0 else ""))
assert [len(r) for r in printed["Θ(1)"]] == [4, 5] and printed["Θ(2)"][0] != rule["Θ(2)"][0]
assert len(printed["Θ(3)"]) == 2 and len(rule["Θ(3)"]) == 1

T2 = Theta[2]
a3_printed = [sigma(sum(T2[k - 1, j] * a[2][j] for j, k in row)) for row in printed["Θ(2)"]]
a3_notes_a = [sigma(sum(T2[1, j] * a[2][j] for j in range(3)))] * 2 + [a[3][3]]      # θ_{·,2}, θ_{·,2}, θ_{·,3}
T3_printed = np.vstack([Theta[3], Theta[3]])
print("a(3) from the printed Θ(2):      ", np.round(a3_printed, 6))
print("a(3) as printed (θ·,2 twice):    ", np.round(a3_notes_a, 6))
print("a(3) by autodiff (index rule):   ", np.round([A[3][k].data for k in (1, 2, 3)], 6))
print("outputs with the printed Θ(3):   ", np.round([sigma(v) for v in T3_printed @ np.array(a[3])], 6),
      "  by autodiff: ŷ =", round(A[4][1].data, 6))
assert abs(a3_printed[0] - A[3][1].data) > 1e-3 and abs(a3_notes_a[0] - A[3][1].data) > 1e-3

# %% [markdown]
# The network as autodiff sees it (after the backward pass below, every node shows ∂C/∂node):

# %%
steps = list(trace_backward(C))       # this is C.backward(), recording each step of the engine
draw(C, params=list(th.values()))

# %% [markdown]
# ## Additional derivatives: ∂C/∂z and ∂C/∂a of every neuron
#
# "To help compute ∂C/∂θ, we store two additional derivatives for each neuron": how the error changes
# with the neuron's total input z and with its output a. Autodiff stores exactly these: after
# `backward()` every intermediate node keeps its gradient, so `Z[i][k].grad` is ∂C/∂z_k⁽ⁱ⁾ and
# `A[i][k].grad` is ∂C/∂a_k⁽ⁱ⁾. The table is what the hand computation below must reproduce.

# %%
table(["neuron", "∂C/∂z", "∂C/∂a"], [[f"({i})_{k}", Z[i][k].grad, A[i][k].grad] for i in (4, 3, 2) for k in range(1, len(Z[i]))])

# %% [markdown]
# Backward visits the nodes in the order of the notes' steps: C, then ŷ = a₁⁽⁴⁾ (Step 1), z₁⁽⁴⁾
# (Step 2), whose step sends ∂C/∂z₁⁽⁴⁾·a_j⁽³⁾ to the weights θ_{j,1}⁽³⁾ (Step 3) and ∂C/∂z₁⁽⁴⁾·θ_{j,1}⁽³⁾ to the
# outputs a_j⁽³⁾ (Step 4), and so on down. The engine's first steps, with the gradient that became
# final at each (`trace_backward` recorded them when it ran the backward pass above):

# %%
def name(node):
    return node.label or (f"({node.op})" if node.op else f"{node.data:g}")


for step in steps[:8]:
    print(f"step {step.index + 1}: {name(step.node):<9} grad = {step.grad:>14.10f}   sends to "
          + ", ".join(name(p) for p, _ in step.sent))

# %% [markdown]
# ## Step 1: ∂C/∂ŷ
#
# ### Erratum: Step 1 has the sign of ∂C/∂ŷ wrong
#
# The notes: "Given our cost function C = ½(y − ŷ)², we have ∂C/∂ŷ = y − ŷ". The chain rule through
# the square gives ½·2(y − ŷ)·∂(y − ŷ)/∂ŷ = (y − ŷ)·(−1): **∂C/∂ŷ = ŷ − y**. The sign matters: with
# y − ŷ, the update θ ← θ − η∂C/∂θ walks uphill.

# %%
notes_1 = y - y_hat
right_1 = y_hat - y
table(["", "notes: y − ŷ", "right: ŷ − y", "autodiff"], [["∂C/∂ŷ", notes_1, right_1, A[4][1].grad]])
assert abs(right_1 - A[4][1].grad) < 1e-15 and abs(notes_1 + A[4][1].grad) < 1e-15

# %% [markdown]
# ## Step 2: ∂C/∂z₁⁽⁴⁾ = ∂C/∂a₁⁽⁴⁾ · σ′(z₁⁽⁴⁾)
#
# The chain rule and σ′(z) = σ(z)(1 − σ(z)) are right; the result inherits Step 1's sign: the notes get
# σ′(z₁⁽⁴⁾)(y − σ(z₁⁽⁴⁾)), the right one is σ′(z₁⁽⁴⁾)(σ(z₁⁽⁴⁾) − y).

# %%
s4 = sigma(z[4][1])
sp4 = s4 * (1 - s4)
notes_2 = sp4 * (y - s4)
right_2 = sp4 * (s4 - y)
table(["", "by hand", "autodiff"], [["∂a/∂z = σ(1−σ)", sp4, A[4][1].local_grads[0]]])
table(["", "notes: σ'(y − σ)", "right: σ'(σ − y)", "autodiff"], [["∂C/∂z(4)_1", notes_2, right_2, Z[4][1].grad]])
assert abs(sp4 - A[4][1].local_grads[0]) < 1e-15
assert abs(right_2 - Z[4][1].grad) < 1e-15 and abs(notes_2 + Z[4][1].grad) < 1e-15

# %% [markdown]
# ## Step 3: the weights into the output neuron, ∂C/∂θ_{j,1}⁽³⁾
#
# ### Erratum: Step 3 counts σ′ twice
#
# The notes then write "z_k⁽ⁱ⁾ = σ(θ_{·,k}⁽ⁱ⁻¹⁾ᵀa⁽ⁱ⁻¹⁾)", but z is the weighted sum *before* σ (they defined
# z_j⁽ⁱ⁾ = θ_{·,j}⁽ⁱ⁻¹⁾ᵀa⁽ⁱ⁻¹⁾ under Additional derivatives; σ of it is a). So ∂z_k/∂θ_{j,k} is just
# a_j⁽ⁱ⁻¹⁾, not σ′(z_k)a_j⁽ⁱ⁻¹⁾, and their result ∂C/∂θ_{1,1}⁽³⁾ = σ′(z₁⁽⁴⁾)²(y − σ(z₁⁽⁴⁾))a₁⁽³⁾ has σ′
# once too often (and Step 1's sign). Right: ∂C/∂θ_{1,1}⁽³⁾ = σ′(z₁⁽⁴⁾)(σ(z₁⁽⁴⁾) − y)a₁⁽³⁾. Fixing only
# the sign still leaves a factor σ′ ≈ 0.2 too much. The local derivative autodiff stores on the edge
# θ_{1,1}⁽³⁾ → z₁⁽⁴⁾ is a₁⁽³⁾ itself.

# %%
a31 = a[3][1]
notes_3 = sp4 ** 2 * (y - s4) * a31
sign_fixed_3 = sp4 ** 2 * (s4 - y) * a31
right_3 = sp4 * (s4 - y) * a31
table(["", "notes", "notes, sign fixed", "right", "autodiff"],
      [["∂C/∂θ(3)_1,1", notes_3, sign_fixed_3, right_3, th[3, 1, 1].grad]])
edge = Z[4][1].parents.index(th[3, 1, 1])
print(f"∂z(4)_1/∂θ(3)_1,1 on autodiff's edge: {Z[4][1].local_grads[edge]:.10f};  a(3)_1 = {a31:.10f};  "
      f"σ'(z(4)_1)·a(3)_1 = {sp4 * a31:.10f}")
assert abs(right_3 - th[3, 1, 1].grad) < 1e-15 and abs(Z[4][1].local_grads[edge] - a31) < 1e-15
assert abs(sign_fixed_3 / right_3 - sp4) < 1e-12

# %% [markdown]
# "The same procedure can be used to obtain an error derivative for all of the weights in Θ⁽³⁾":
# ∂C/∂θ_{j,1}⁽³⁾ = ∂C/∂z₁⁽⁴⁾ · a_j⁽³⁾ for j = 0 … 3 (a₀⁽³⁾ = 1 for the bias weight).

# %%
dz4 = right_2
table(["", "by hand", "autodiff"], [[f"∂C/∂θ(3)_{j},1", dz4 * a[3][j], th[3, j, 1].grad] for j in range(4)])
assert all(abs(dz4 * a[3][j] - th[3, j, 1].grad) < 1e-15 for j in range(4))

# %% [markdown]
# ## Step 4: ∂C/∂a_j⁽³⁾ and ∂C/∂z_j⁽³⁾
#
# ### Erratum: Step 4's ∂C/∂a_j⁽³⁾ goes through the weights
#
# The notes: ∂C/∂a_j⁽³⁾ = ∂C/∂z₁⁽⁴⁾ Σ_{k=1}^{N₄} (∂z₁⁽⁴⁾/∂θ_{j,k}⁽³⁾)(∂θ_{j,k}⁽³⁾/∂a_j⁽³⁾). The chain rule runs
# along the graph: a_j⁽³⁾ reaches C through the weighted sums z_k⁽⁴⁾ of the next layer, one path per
# neuron k, with local derivative ∂z_k⁽⁴⁾/∂a_j⁽³⁾ = θ_{j,k}⁽³⁾. A weight does not depend on a_j (∂θ/∂a = 0), so
# the printed sum, read literally, is 0. Right:
#
# ∂C/∂a_j⁽³⁾ = Σ_{k=1}^{N₄} ∂C/∂z_k⁽⁴⁾ · θ_{j,k}⁽³⁾ = ∂C/∂z₁⁽⁴⁾ · θ_{j,1}⁽³⁾  (N₄ = 1).
#
# The notes' first equation of Step 4, ∂C/∂z_j⁽³⁾ = ∂C/∂a_j⁽³⁾ σ′(z_j⁽³⁾), is right. `explain` prints
# autodiff's chain-rule sum for a₁⁽³⁾: one term, through z₁⁽⁴⁾.

# %%
rows = []
for j in (1, 2, 3):
    notes_4 = dz4 * a[3][j] * 0.0 + 0.0      # (∂z/∂θ = a_j) × (∂θ/∂a = 0); "+ 0.0" turns −0 into 0
    right_4 = dz4 * Theta[3][0, j]
    rows.append([f"∂C/∂a(3)_{j}", notes_4, right_4, A[3][j].grad])
    assert abs(right_4 - A[3][j].grad) < 1e-15
table(["", "notes (literally)", "right", "autodiff"], rows)
print()
print(explain(A[3][1], C))

# %%
dz3 = [None] + [dz4 * Theta[3][0, j] * a[3][j] * (1 - a[3][j]) for j in (1, 2, 3)]
table(["", "by hand", "autodiff"], [[f"∂C/∂z(3)_{j}", dz3[j], Z[3][j].grad] for j in (1, 2, 3)])
assert all(abs(dz3[j] - Z[3][j].grad) < 1e-15 for j in (1, 2, 3))

# %% [markdown]
# ## Where the notes stop: the rest of the network
#
# ### Erratum: Step 4 stops unfinished
#
# "And then I got lost. But basically keep back-propagating until you find all the error derivatives."
# The remaining steps are the same three moves, now with several paths per neuron:
#
# * ∂C/∂θ_{j,k}⁽²⁾ = ∂C/∂z_k⁽³⁾ · a_j⁽²⁾ (Step 3 for layer 3's weights);
# * ∂C/∂a_j⁽²⁾ = Σ_{k=1}^{3} ∂C/∂z_k⁽³⁾ · θ_{j,k}⁽²⁾: a hidden neuron of layer 2 feeds all three neurons of
#   layer 3, so three paths are summed;
# * ∂C/∂z_j⁽²⁾ = ∂C/∂a_j⁽²⁾ · σ′(z_j⁽²⁾), then ∂C/∂θ_{j,k}⁽¹⁾ = ∂C/∂z_k⁽²⁾ · x_j.
#
# By hand, one weight at a time, all 23 derivatives against autodiff, and `explain` showing the
# three-path sum for a₁⁽²⁾.

# %%
da2 = [None] + [sum(dz3[k] * Theta[2][k - 1, j] for k in (1, 2, 3)) for j in (1, 2)]
dz2 = [None] + [da2[j] * a[2][j] * (1 - a[2][j]) for j in (1, 2)]
dz = {4: [None, dz4], 3: dz3, 2: dz2}
hand = {(i, j, k): dz[i + 1][k] * a[i][j] for (i, j, k) in th}        # ∂C/∂θ(i)_j,k = ∂C/∂z(i+1)_k · a(i)_j
rows = [[f"∂C/∂θ({i})_{j},{k}", hand[i, j, k], th[i, j, k].grad] for (i, j, k) in sorted(th)]
table(["", "by hand", "autodiff"], rows)
worst = max(abs(hand[key] - th[key].grad) for key in th)
print(f"\nall {len(th)} weights: max |by hand − autodiff| = {worst:.1e}")
assert worst < 1e-15
for j in (1, 2):
    assert abs(da2[j] - A[2][j].grad) < 1e-15 and abs(dz2[j] - Z[2][j].grad) < 1e-15
print()
print(explain(A[2][1], C))

# %% [markdown]
# In matrices, the three moves are one rule per layer: δ⁽ⁱ⁾ = ∂C/∂z⁽ⁱ⁾ = (Θ̄⁽ⁱ⁾ᵀδ⁽ⁱ⁺¹⁾) ⊙ σ′(z⁽ⁱ⁾), where Θ̄⁽ⁱ⁾ is
# Θ⁽ⁱ⁾ without its bias column (the bias unit has no input, so nothing flows back into it), and
# ∂C/∂Θ⁽ⁱ⁻¹⁾ = δ⁽ⁱ⁾a⁽ⁱ⁻¹⁾ᵀ with the bias unit in a⁽ⁱ⁻¹⁾. The same 23 numbers:

# %%
delta = {4: np.array([dz4])}
for i in (3, 2):
    ai = np.array(a[i][1:])
    delta[i] = (Theta[i][:, 1:].T @ delta[i + 1]) * ai * (1 - ai)
for i in (3, 2, 1):
    grad_matrix = np.outer(delta[i + 1], a[i])
    auto = np.array([[th[i, j, k].grad for j in range(Theta[i].shape[1])] for k in range(1, Theta[i].shape[0] + 1)])
    print(f"∂C/∂Θ({i}) = δ({i + 1}) a({i})ᵀ, shape {grad_matrix.shape}: max |by hand − autodiff| = "
          f"{np.abs(grad_matrix - auto).max():.1e}")
    assert grad_matrix.shape == Theta[i].shape and np.abs(grad_matrix - auto).max() < 1e-15

# %% [markdown]
# ## The update rule: θ ← θ − η ∂C/∂θ
#
# ### Erratum: gradient descent does work in a network; back-propagation computes its gradient
#
# "Updating weights through gradient descent as we did in the Logistic Regression notes will not work
# in a neural network since we have multiple weight matrices," say the notes, and then use the plain
# gradient-descent rule. It does work: back-propagation only *computes* the gradient, one number per
# weight of every matrix; the update is ordinary gradient descent. One step with η = 0.5 lowers C.

# %%
eta = 0.5
new_Theta = {i: Theta[i] - eta * np.array([[th[i, j, k].grad for j in range(T.shape[1])]
                                            for k in range(1, T.shape[0] + 1)]) for i, T in Theta.items()}


def forward(Thetas, x_row):
    """ŷ for one example: a⁽ⁱ⁾ = (1, σ(Θ⁽ⁱ⁻¹⁾a⁽ⁱ⁻¹⁾)), the bias unit in front."""
    act = np.asarray(x_row)
    for i in (1, 2, 3):
        act = np.concatenate([[1.0], 1 / (1 + np.exp(-(Thetas[i] @ act)))])
    return act[1]


C_after = 0.5 * (y - forward(new_Theta, x)) ** 2
print(f"C before: {C.data:.8f}   after one step of θ ← θ − 0.5 ∂C/∂θ: {C_after:.8f}")
assert C_after < C.data

# %% [markdown]
# ## Back-propagating with all training examples
#
# The notes' procedure: (1) a training set; (2) random weights, biases set to 1; (3) for each example:
# feed forward, the output error, back-propagate the error, gradient descent. Here: 8 examples from a
# made-up rule, weights uniform in [−1, 1], every bias weight θ_{0,k} = 1, and the cost of the set the sum
# of the examples' ½(y − ŷ)². The gradient of one example comes from `backprop` below (the finished
# steps above, as a function) and is checked against autodiff.

# %%
data_rng = np.random.default_rng(11)
X = np.column_stack([np.ones(8), data_rng.normal(size=(8, 4))])          # x₀ = 1 in column 0
Y = 1 / (1 + np.exp(-(X[:, 1] - X[:, 2] + 0.5 * X[:, 3] * X[:, 4])))


def initial_weights(seed):
    """Step 2 of the procedure: random weights, bias weights (column 0) set to 1."""
    g = np.random.default_rng(seed)
    Ts = {i: g.uniform(-1, 1, shape) for i, shape in {1: (2, 5), 2: (3, 3), 3: (1, 4)}.items()}
    for T in Ts.values():
        T[:, 0] = 1.0
    return Ts


def backprop(Thetas, x_row, target):
    """∂C/∂Θ⁽ⁱ⁾ for one example, C = ½(y − ŷ)²: the delta rule of the finished Step 4."""
    acts = [np.asarray(x_row)]
    for i in (1, 2, 3):
        acts.append(np.concatenate([[1.0], 1 / (1 + np.exp(-(Thetas[i] @ acts[-1])))]))
    out = acts[3][1]
    d = np.array([(out - target) * out * (1 - out)])
    grads = {}
    for i in (3, 2, 1):
        grads[i] = np.outer(d, acts[i - 1])
        h = acts[i - 1][1:]
        d = (Thetas[i][:, 1:].T @ d) * h * (1 - h)
    return grads


def autodiff_grads(Thetas, X_rows, targets):
    """The same gradient of Σ ½(y − ŷ)² over the rows, by autodiff on Tensors (rows are examples)."""
    Ts = {i: Tensor(T, requires_grad=True) for i, T in Thetas.items()}
    act = Tensor(X_rows)
    for i in (1, 2, 3):
        out = (act @ Ts[i].T).sigmoid()
        act = out if i == 3 else concatenate([Tensor(np.ones((len(X_rows), 1))), out], axis=1)
    (0.5 * ((act.reshape(-1) - targets) ** 2).sum()).backward()
    return {i: T.grad for i, T in Ts.items()}


T0 = initial_weights(5)
one = backprop(T0, X[0], Y[0])
auto_one = autodiff_grads(T0, X[:1], Y[:1])
print("example 1: max |backprop − autodiff| per layer:", [f"{np.abs(one[i] - auto_one[i]).max():.1e}" for i in (1, 2, 3)])
assert all(np.abs(one[i] - auto_one[i]).max() < 1e-15 for i in (1, 2, 3))

# %% [markdown]
# ### Erratum: the procedure updates inside the loop over examples, yet calls it one batch
#
# As numbered, step 4 (gradient descent) is inside step 3's "for each training example": the weights
# change after every example, which is stochastic gradient descent with batches of one. The notes then
# say: "This forms a training loop for one epoch, treating the entire training set as one batch." One
# batch means: sum the 8 examples' gradients first, update once. After one epoch from the same start the
# two give different weights; only the batch version equals one gradient step on the whole set's cost
# (autodiff on all 8 rows at once).
#
# The procedure also leaves out a step: for the hidden layers (its step 3) it computes only the errors
# ∂C/∂z_k⁽ˡ⁾, never the weight derivatives ∂C/∂θ_{j,k}⁽ˡ⁻¹⁾ = ∂C/∂z_k⁽ˡ⁾a_j⁽ˡ⁻¹⁾ that step 4 needs for "each
# weight"; they are added below. (Its step 2 also says "each neuron n_k^(N+1) on layer L + 1": N + 1
# should be L + 1.)

# %%
eta = 0.5
as_numbered = {i: T.copy() for i, T in T0.items()}
for xr, t in zip(X, Y):                                  # update after every example
    g = backprop(as_numbered, xr, t)
    for i in g:
        as_numbered[i] -= eta * g[i]
summed = {i: sum(backprop(T0, xr, t)[i] for xr, t in zip(X, Y)) for i in T0}
one_batch = {i: T0[i] - eta * summed[i] for i in T0}
whole_set = autodiff_grads(T0, X, Y)
gd_step = {i: T0[i] - eta * whole_set[i] for i in T0}
for i in (1, 2, 3):
    print(f"Θ({i}): |per-example − one batch| max = {np.abs(as_numbered[i] - one_batch[i]).max():.4f}, "
          f"|one batch − gradient step on the set (autodiff)| max = {np.abs(one_batch[i] - gd_step[i]).max():.1e}")
    assert np.abs(one_batch[i] - gd_step[i]).max() < 1e-14
assert max(np.abs(as_numbered[i] - one_batch[i]).max() for i in T0) > 1e-3

# %% [markdown]
# ### Epochs and minibatches
#
# "To implement stochastic gradient descent in practice, you will require an outer loop generating
# minibatches", and another for epochs. Three ways through the same data from the same start, the
# gradients from autodiff: one example at a time (the procedure as numbered), minibatches of 4
# (`nn.batches`, shuffled with a seed), and the whole set as one batch. All three bring the cost down,
# here about equally fast per epoch: the cost is a sum over the examples, so one step along the summed
# gradient moves about as far as eight steps along one example's gradient each.

# %%
def train(batch_size, epochs=300, eta=0.5):
    Ts = {i: T.copy() for i, T in T0.items()}
    costs = []
    for epoch in range(epochs):
        for xb, yb in nn.batches(X, Y, batch_size=batch_size, shuffle=batch_size not in (1, len(X)), rng=epoch):
            g = autodiff_grads(Ts, xb, yb)
            for i in Ts:
                Ts[i] -= eta * g[i]
        costs.append(sum(0.5 * (t - forward(Ts, xr)) ** 2 for xr, t in zip(X, Y)))
    return costs


C0 = sum(0.5 * (t - forward(T0, xr)) ** 2 for xr, t in zip(X, Y))
curves = {"one example at a time": train(1), "minibatches of 4": train(4), "one batch of 8": train(8)}
fig, ax = plt.subplots(figsize=(7, 3.5))
for name, costs in curves.items():
    ax.semilogy(range(1, len(costs) + 1), costs, label=f"{name}: {costs[-1]:.4f}")
    print(f"{name:<22} C after 1 epoch {costs[0]:.6f}, after 300: {costs[-1]:.6f}")
    assert costs[-1] < C0 / 4
ax.axhline(C0, color="grey", ls=":", label=f"start: {C0:.4f}")
ax.set_xlabel("epoch")
ax.set_ylabel("C = Σ ½(y − ŷ)²")
ax.legend()
ax.set_title("Figure 5's network, η = 0.5")
plt.show()
