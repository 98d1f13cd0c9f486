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
# # Forward propagation, one neuron at a time and as matrices
#
# **Lecture note:** *Backpropagation* (seed 004, `../shared/seeds/004_6391f04e192e5ba3.txt`).
# **Sections reproduced here:** 2 *The Neuron*, 3.1 *Non-Vectorized Forward Propagation*,
# 3.2 *Vectorized Forward Propagation*. The rest of seed 004 is in `41_gradient_descent` (4.1–4.2,
# the error and gradient descent) and `42_backprop_and_problems` (4.3–4.4 and the Problems).
#
# Every number of the notes is computed twice: **by hand**, with plain Python floats exactly as the
# notes write the formula, and **by autodiff**, with `Value` (one node per number) or `Tensor` (one
# node per matrix). An `assert` checks that they agree. Where the notes are wrong, the heading says
# **Erratum** and the cell shows the notes' version, the right one, and autodiff's number.

# %%
# %matplotlib inline
import math

import matplotlib.pyplot as plt
import numpy as np
from side_by_side import compare  # notebooks/side_by_side.py: hand beside autodiff, asserted

from autodiff import ShapeError, Tensor, Value, draw, topological_order


def sigma(x):
    """The logistic sigmoid σ(x) = 1/(1 + e⁻ˣ), by hand."""
    return 1 / (1 + math.exp(-x))


# %% [markdown]
# ## The neuron: a weighted sum, a bias, then σ
#
# A neuron multiplies each input by its weight, adds them up with the bias, and passes the sum
# through the activation function, here the sigmoid σ(x) = 1/(1 + e⁻ˣ). Neuron n₃ of the notes'
# network (section 3.1) has inputs n₁ = 0.2, n₂ = 0.3, weights w₁₃ = 4, w₂₃ = 5 and bias b₃ = 1.
# `Value.dot` builds the weighted sum as **one** node with an edge to every weight and input, as the
# notes' picture of a neuron has; the picture shows each node's value and, after `backward`, its
# gradient ∂n₃/∂(node), with the local derivative on each edge.

# %%
n1, n2 = Value(0.2, label="n1"), Value(0.3, label="n2")
w13, w23, b3 = Value(4.0, label="w13"), Value(5.0, label="w23"), Value(1.0, label="b3")
z3 = Value.dot([w13, w23], [n1, n2], b3)
z3.label = "z3"
n3 = z3.sigmoid()
n3.label = "n3"
n3.backward()

z3_hand = 4 * 0.2 + 5 * 0.3 + 1
n3_hand = sigma(z3_hand)
# ∂n3/∂w13 = σ'(z3)·n1 with σ' = σ(1 − σ): the chain rule through the sum
compare([("z3", z3_hand, z3.data), ("n3", n3_hand, n3.data),
         ("∂n3/∂w13", n3_hand * (1 - n3_hand) * 0.2, w13.grad),
         ("∂n3/∂b3", n3_hand * (1 - n3_hand), b3.grad)])
draw(n3)

# %% [markdown]
# ### σ(kx) tends to the step function as the coefficient k grows
#
# The notes: "as the coefficient of x approaches infinity, σ(x) approaches the step function from
# before". The plot shows σ(kx) for growing k against the step function (1 for x ≥ 0, else 0). Away
# from x = 0 the gap shrinks like e^{−k|x|}; at x = 0 every σ(kx) is exactly ½, so the limit is the
# step function everywhere except at the jump itself.

# %%
xs = np.linspace(-3, 3, 601)
step = (xs >= 0).astype(float)
fig, ax = plt.subplots(figsize=(7, 3.5))
for k in [1, 2, 5, 20, 100]:
    ax.plot(xs, Tensor(k * xs).sigmoid().data, label=f"σ({k}x)")
ax.plot(xs, step, "k--", lw=1, label="step")
ax.set_xlabel("x")
ax.legend()
ax.set_title("σ(kx) → step(x) as k → ∞")
plt.show()

away = np.abs(xs) >= 0.1
gaps = {k: np.abs(1 / (1 + np.exp(-k * xs[away])) - step[away]).max() for k in [1, 2, 5, 20, 100]}
for k, gap in gaps.items():
    print(f"k = {k:>3}: max |σ(kx) − step(x)| for |x| ≥ 0.1 is {gap:.3e}   (e^(−0.1k) = {math.exp(-0.1 * k):.3e})")
assert all(gaps[a] > gaps[b] for a, b in zip(gaps, list(gaps)[1:]))
assert abs(gaps[100] - math.exp(-10) / (1 + math.exp(-10))) < 1e-15   # worst at |x| = 0.1
assert all(sigma(k * 0.0) == 0.5 for k in gaps)                        # but σ(k·0) = ½ always

# %% [markdown]
# ### Why a differentiable σ: the step function passes no gradient
#
# "We use σ(x) because it is differentiable, which is necessary for networks to learn." The step
# function is flat on both sides of its jump: its derivative is 0 wherever it exists, so the chain
# rule multiplies every weight's gradient by 0 and gradient descent never moves. Autodiff shows it:
# the same neuron with the step function instead of σ gives ∂n₃/∂w₁₃ = 0 exactly.

# %%
w = Value(4.0, label="w13")
out_step = (w * 0.2 + 5 * 0.3 + 1).step()      # 1 if the sum ≥ 0
out_step.backward()
w_sig = Value(4.0, label="w13")
out_sig = (w_sig * 0.2 + 5 * 0.3 + 1).sigmoid()
out_sig.backward()
print(f"step neuron:    output {out_step.data:.0f}, ∂out/∂w13 = {w.grad}")
print(f"sigmoid neuron: output {out_sig.data:.6f}, ∂out/∂w13 = {w_sig.grad:.6f}")
assert w.grad == 0.0 and w_sig.grad > 0

# %% [markdown]
# ## Forward propagation of the notes' network (3.1)
#
# Two inputs, three hidden neurons, one output, all with σ:
#
# n₃ = σ(w₁₃n₁ + w₂₃n₂ + b₃), n₄ = σ(w₁₄n₁ + w₂₄n₂ + b₄), n₅ = σ(w₁₅n₁ + w₂₅n₂ + b₅),
# n₆ = σ(w₃₆n₃ + w₄₆n₄ + w₅₆n₅ + b₆),
#
# with n₁ = 0.2, n₂ = 0.3, w₁₃ = 4, w₁₄ = 5, w₁₅ = 6, w₂₃ = 5, w₂₄ = 6, w₂₅ = 7, w₃₆ = 9, w₄₆ = 10,
# w₅₆ = 11 and every bias 1. The notes print n₃ = σ(3.3) = 0.964, n₄ = σ(3.8) = 0.978,
# n₅ = σ(4.3) = 0.987 and n₆ = σ(30.313) = 1.

# %%
N1, N2 = 0.2, 0.3
W = {"w13": 4, "w14": 5, "w15": 6, "w23": 5, "w24": 6, "w25": 7, "w36": 9, "w46": 10, "w56": 11}
B = {"b3": 1, "b4": 1, "b5": 1, "b6": 1}

# by hand, as the notes do
h = {}
h["z3"] = W["w13"] * N1 + W["w23"] * N2 + B["b3"]
h["z4"] = W["w14"] * N1 + W["w24"] * N2 + B["b4"]
h["z5"] = W["w15"] * N1 + W["w25"] * N2 + B["b5"]
h["n3"], h["n4"], h["n5"] = sigma(h["z3"]), sigma(h["z4"]), sigma(h["z5"])
h["z6"] = W["w36"] * h["n3"] + W["w46"] * h["n4"] + W["w56"] * h["n5"] + B["b6"]
h["n6"] = sigma(h["z6"])

# by autodiff: every weight a Value, so the graph below is the network
P = {name: Value(float(v), label=name) for name, v in {**W, **B}.items()}
x1, x2 = Value(N1, label="n1"), Value(N2, label="n2")
node = {}
for j in (3, 4, 5):
    node[f"z{j}"] = Value.dot([P[f"w1{j}"], P[f"w2{j}"]], [x1, x2], P[f"b{j}"])
    node[f"n{j}"] = node[f"z{j}"].sigmoid()
node["z6"] = Value.dot([P["w36"], P["w46"], P["w56"]], [node["n3"], node["n4"], node["n5"]], P["b6"])
node["n6"] = node["z6"].sigmoid()
for name, v in node.items():
    v.label = name

compare([(name, h[name], node[name].data) for name in ["z3", "n3", "z4", "n4", "z5", "n5", "z6", "n6"]])
notes = {"z3": 3.3, "z4": 3.8, "z5": 4.3, "n3": 0.964, "n4": 0.978, "n5": 0.987, "n6": 1.0}
for name, printed in notes.items():
    assert round(node[name].data, 3) == printed, name     # the notes' 3-decimal numbers
print(f"\nn6 = {node['n6'].data!r}: 1 to three decimals, not exactly 1 (1 − n6 = {1 - node['n6'].data:.2e})")

# %% [markdown]
# The notes' z₆ = 30.313 is computed from the *rounded* hidden outputs 0.964, 0.978, 0.987;
# with the exact ones it is 30.3138. Either way σ(z₆) rounds to 1.

# %%
z6_notes = 9 * 0.964 + 10 * 0.978 + 11 * 0.987 + 1
print(f"z6 from the rounded n's: {z6_notes:.6f}     z6 exact: {node['z6'].data:.6f}")
assert round(z6_notes, 6) == 30.313 and round(node["z6"].data, 4) == 30.3138

# %% [markdown]
# The network as autodiff sees it, after a `backward` from n₆ (each node shows dn₆/dnode): `draw` keeps
# the nodes nearest the output, with their weights, as far as the page holds them (`max_nodes=None`
# draws all 23), and `focus=w13` one weight's path through the whole depth.

# %%
node["n6"].backward()
draw(node["n6"], params=list(P.values()))

# %%
draw(node["n6"], params=list(P.values()), focus=P["w13"])

# %% [markdown]
# ### The neurons of one layer can be computed in any order
#
# "We must compute all the values of the neurons in the second layer before we begin the third, but
# we can compute the individual neurons in any given layer in any order." Computing n₅, n₃, n₄ in that
# order changes nothing. Autodiff relies on the same fact: `topological_order` lists the graph root
# first, each node before the nodes it was computed from (the order backward visits them); read
# backwards it is an order to compute the network in, and it puts every hidden neuron before n₆.

# %%
shuffled = {}
for j in (5, 3, 4):
    shuffled[j] = sigma(W[f"w1{j}"] * N1 + W[f"w2{j}"] * N2 + B[f"b{j}"])
assert all(shuffled[j] == h[f"n{j}"] for j in (3, 4, 5))
order = [v.label for v in reversed(topological_order(node["n6"])) if v.label in ("n3", "n4", "n5", "n6")]
print("the neurons in autodiff's topological order, read backwards:", order)
assert order[-1] == "n6" and set(order[:3]) == {"n3", "n4", "n5"}

# %% [markdown]
# ### The weak point of σ: it saturates
#
# "This example actually illustrates one of the weak points of the Sigmoid function: it quickly
# approaches 1 for large numbers." Saturation matters for *learning*: σ'(z) = σ(z)(1 − σ(z)) is
# about 7·10⁻¹⁴ at z₆ = 30.3, so every gradient that passes through n₆ is multiplied by it.
# ∂n₆/∂w₃₆ = σ'(z₆)·n₃ by hand equals autodiff's, and it is negligible: this network cannot learn
# from n₆ at all. With weights drawn uniformly from [−1, 1], as the notes say is done in practice,
# z stays small and σ' stays near its maximum ¼.

# %%
s6 = h["n6"]
dn6_dw36_hand = s6 * (1 - s6) * h["n3"]
compare([("σ'(z6)", s6 * (1 - s6), node["z6"].grad), ("∂n6/∂w36", dn6_dw36_hand, P["w36"].grad)])
# the numbers are ~1e-13, far below compare's absolute 1e-12: check them relative to their size
assert abs(dn6_dw36_hand - P["w36"].grad) <= 1e-9 * dn6_dw36_hand
assert P["w36"].grad < 1e-12

rng = np.random.default_rng(0)
W1r, b1r = rng.uniform(-1, 1, (3, 2)), rng.uniform(-1, 1, (3, 1))
W2r, b2r = rng.uniform(-1, 1, (1, 3)), rng.uniform(-1, 1, (1, 1))
z6r = (W2r @ (1 / (1 + np.exp(-(W1r @ [[N1], [N2]] + b1r)))) + b2r).item()
print(f"with weights from U(−1, 1): z6 = {z6r:.4f}, σ'(z6) = {sigma(z6r) * (1 - sigma(z6r)):.4f}")
assert sigma(z6r) * (1 - sigma(z6r)) > 0.2

zs = np.linspace(-8, 32, 801)
s = 1 / (1 + np.exp(-zs))
fig, ax = plt.subplots(figsize=(8, 3.2))
ax.plot(zs, s, label="σ(z)")
ax.plot(zs, s * (1 - s), label="σ'(z) = σ(z)(1 − σ(z))")
zn = [h[name] for name in ["z3", "z4", "z5", "z6"]]
ax.plot(zn, [sigma(z) for z in zn], "o", color="C0")
ax.plot(zn, [sigma(z) * (1 - sigma(z)) for z in zn], "o", color="C1")
ax.annotate("z3, z4, z5", (h["z4"], 0.93), xytext=(h["z4"] + 2, 0.75), arrowprops={"arrowstyle": "->"})
ax.annotate("z6 = 30.31: σ' = 7e-14", (h["z6"], 1.0), xytext=(h["z6"] - 10, 0.75), arrowprops={"arrowstyle": "->"})
ax.set_xlabel("z")
ax.legend(loc="center right", bbox_to_anchor=(1.0, 0.4))
ax.set_title("the notes' weighted sums sit where σ is flat")
plt.show()

# %% [markdown]
# ## Vectorized forward propagation (3.2)
#
# The hidden layer as one matrix product: (n₃, n₄, n₅)ᵀ = σ(W₁ (n₁, n₂)ᵀ + b₁) with
# W₁ = [[w₁₃, w₂₃], [w₁₄, w₂₄], [w₁₅, w₂₅]] (3 × 2, row j holds the weights *into* neuron j) and
# b₁ = (b₃, b₄, b₅)ᵀ. Layers are column vectors: x₀ = (n₁, n₂)ᵀ is 2 × 1, x₁ = (n₃, n₄, n₅)ᵀ is 3 × 1.
# One `Tensor` node per layer gives the same numbers as the neuron-by-neuron `Value` graph.

# %%
x0 = Tensor([[N1], [N2]], label="x0")
W1 = Tensor([[W["w13"], W["w23"]], [W["w14"], W["w24"]], [W["w15"], W["w25"]]], requires_grad=True, label="W1")
b1 = Tensor([[1.0], [1.0], [1.0]], requires_grad=True, label="b1")
x1 = (W1 @ x0 + b1).sigmoid()
print("x1 =", x1.data.ravel().round(6), " shape", x1.shape)
assert x1.shape == (3, 1)
compare([(f"n{j}", node[f"n{j}"].data, x1.data[i, 0]) for i, j in enumerate((3, 4, 5))])

# %% [markdown]
# ### Erratum: w₂ written as a column cannot multiply x₁
#
# The notes say "w₂ refers to [w₃₆; w₄₆; w₅₆]", a 3 × 1 column. But the output is
# x₂ = σ(w₂x₁ + b₂) with x₁ a 3 × 1 column, and a (3 × 1)(3 × 1) product does not exist. To follow the
# rule of W₁ (row j = the weights into neuron j), w₂ must be the **row** [w₃₆ w₄₆ w₅₆], 1 × 3: then
# w₂x₁ is 1 × 1 and x₂ = n₆ as in 3.1. Autodiff refuses the notes' shape with a `ShapeError`.

# %%
w2_notes = Tensor([[9.0], [10.0], [11.0]])          # the notes' column
try:
    w2_notes @ x1
    raise AssertionError("a (3, 1) @ (3, 1) product should not exist")
except ShapeError as e:
    print("the notes' w2 (3 × 1):", e)
w2 = Tensor([[9.0, 10.0, 11.0]], requires_grad=True, label="w2")   # the row that works
b2 = Tensor([[1.0]], requires_grad=True, label="b2")
x2 = (w2 @ x1 + b2).sigmoid()
compare([("n6", node["n6"].data, x2.item())])

# %% [markdown]
# ### Erratum: x₂ = [n₆; n₇] and b₂ = [b₆; b₇], but the network of 3.1 has one output
#
# "Thinking back to the non-vectorized network in section 3.1, x₂ = [n₆; n₇]" and "b₂ to be [b₆; b₇]".
# Section 3.1's network has a single output neuron n₆: there is no n₇, no b₇ and no weight into an
# n₇. Built from 3.1's numbers, x₂ is 1 × 1 and b₂ is 1 × 1.

# %%
print("x2 =", x2.data, " shape", x2.shape, "   b2 shape", b2.shape)
assert x2.shape == (1, 1) and b2.shape == (1, 1)

# %% [markdown]
# ### Erratum: the general rule x_{i+1} = σ(w_i x_i + b_{i+1}) asks for a w₀ that does not exist
#
# The notes name the matrices w₁ (into x₁) and w₂ (into x₂), and the biases b₁, b₂ the same way.
# Their general rule x_{i+1} = σ(w_i x_i + b_{i+1}) for 0 ≤ i < n − 1 then reads x₁ = σ(w₀x₀ + b₁)
# for i = 0, a w₀ that was never defined, while the bias is indexed correctly. With the notes' own
# names the rule is x_{i+1} = σ(w_{i+1} x_i + b_{i+1}) (or, as section 4 writes it,
# x_i = σ(W_i x_{i−1} + b_i)). Written as code with the notes' names, the printed rule fails and
# the corrected one gives n₆. (Section 4.2 then counts layers differently again: "for a network with
# n layers" the output is x_n, where here an n-layer network ends at x_{n−1}.)

# %%
ws = {1: W1, 2: w2}     # the notes' names: w1 into x1, w2 into x2
bs = {1: b1, 2: b2}


def forward(rule):
    x = x0
    for i in range(2):           # 0 ≤ i < n − 1 with n = 3 layers
        x = rule(i, x)
    return x


try:
    forward(lambda i, x: (ws[i] @ x + bs[i + 1]).sigmoid())        # as printed: w_i
    raise AssertionError("w0 should not exist")
except KeyError as e:
    print(f"x_(i+1) = σ(w_i x_i + b_(i+1)) needs w{e.args[0]}, which the notes never define")
out = forward(lambda i, x: (ws[i + 1] @ x + bs[i + 1]).sigmoid())  # corrected: w_(i+1)
compare([("n6", node["n6"].data, out.item())])

# %% [markdown]
# The vectorized network as autodiff sees it: one node per layer instead of one per number.

# %%
out.backward()
draw(out)
