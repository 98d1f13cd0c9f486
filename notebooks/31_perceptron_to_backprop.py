# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.16.0
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # From the perceptron to the back-propagation algorithm
#
# **Lecture notes:** *Advanced machine learning and data analysis for the physical sciences, third
# week* (M. Hjorth-Jensen, seed file `003_70b1d3cf22e7eb32.txt`): *The optimization problem*,
# *Universal approximation theorem*, *Setting up the equations for a neural network* (definitions,
# derivatives, the output layer), *First network example, simple perceptron with one input*,
# *Adding a hidden layer*, *The derivatives*, *Important observations*, *The training*, *Simple
# neural network and the back propagation equations* (the 2-2-1 network), *Getting serious, the back
# propagation equations* through *Setting up the back propagation algorithm, part 3* and *Updating
# the gradients*.
#
# Each derivation is computed by hand as the notes write it and by autodiff, side by side, with an
# `assert`. Where the notes' formula is wrong, a cell whose heading starts with **Erratum:** shows
# the notes' formula, the correct one and autodiff's number; autodiff decides.

# %%
# %matplotlib inline
import math

import matplotlib.pyplot as plt
import numpy as np
from side_by_side import compare  # notebooks/side_by_side.py: hand beside autodiff, asserted

import nn
from autodiff import ShapeError, Tensor, Value, draw, gradcheck, topological_order


def sigmoid(z):
    return 1 / (1 + math.exp(-z))


def named(node, label):
    """Give a graph node the notes' name (it shows in pictures)."""
    node.label = label
    return node


def erratum(rows):
    """Print the notes' formula, the correct one and autodiff; assert autodiff sides with the correct one
    and that the notes' number is really different (so the slip matters)."""
    print(f"{'quantity':<12}{'notes':>18}{'correct':>18}{'autodiff':>18}")
    for name, notes, correct, auto in rows:
        assert abs(correct - auto) <= 1e-12 * max(1.0, abs(correct)), name
        assert abs(notes - auto) > 1e-6 * max(1.0, abs(auto)), name
        print(f"{name:<12}{notes:>18.12f}{correct:>18.12f}{auto:>18.12f}")
    print("autodiff agrees with the correct formula, not with the notes'")


# %% [markdown]
# ## The optimization problem: the mean squared error and its gradient
#
# The notes' regression cost C(θ) = (1/n)(y − Xθ)ᵀ(y − Xθ) (linear in the parameters, "in general
# not the case" for a network). By hand its gradient is ∇C = −(2/n)Xᵀ(y − Xθ). Autodiff builds
# the same cost from `Tensor` operations and differentiates it without that formula.

# %%
rng = np.random.default_rng(3)
n, p = 20, 3
X = rng.normal(size=(n, p))
y = X @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.normal(size=n)
theta0 = np.zeros(p)

grad_hand = -2 / n * X.T @ (y - X @ theta0)
theta = Tensor(theta0, requires_grad=True, label="θ")
r = Tensor(y) - Tensor(X) @ theta
C = (r @ r) / n
C.backward()
compare([(f"∂C/∂θ{i}", grad_hand[i], theta.grad[i]) for i in range(p)])

# %% [markdown]
# ## Universal approximation theorem
#
# Cybenko: any continuous F on the unit cube can be approximated to any ε > 0 by one hidden layer
# of sigmoids, f(x; Θ) = Σⱼ vⱼ σ(wⱼ·x + bⱼ) + c. The theorem says nothing about how many units
# are needed (the notes: "none of the proofs give any insight into the relation between the number
# of hidden layers and nodes and the approximation error ε"), so we try: fit
# F(x) = ½ sin 3πx + x on [0, 1] with 2, 8 and 32 sigmoid units (gradients by autodiff, Adam, 4000
# full-batch steps) and look at the largest error.

# %%
xg = np.linspace(0, 1, 101).reshape(-1, 1)
F = 0.5 * np.sin(3 * np.pi * xg) + xg


def fit_one_hidden_layer(target, units, steps=4000, seed=1):
    net = nn.TensorMLP(1, [units, 1], activation="sigmoid", seed=seed)
    opt = nn.Adam(net.parameters(), lr=0.05)
    for _ in range(steps):
        opt.zero_grad()
        loss = ((net(Tensor(xg)) - target) ** 2).mean()
        loss.backward()
        opt.step()
    return net(Tensor(xg)).data


fits = {m: fit_one_hidden_layer(F, m) for m in (2, 8, 32)}
max_err = {m: float(np.abs(fx - F).max()) for m, fx in fits.items()}
for m, e in max_err.items():
    print(f"{m:>3} hidden units: max |F − f| = {e:.2f}")
assert max_err[2] > max_err[8] > max_err[32] and max_err[32] < 0.03

# %%
fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(xg, F, "k", lw=3, alpha=0.4, label="F(x) = ½ sin 3πx + x")
for m, fx in fits.items():
    ax.plot(xg, fx, label=f"{m} sigmoid units (max error {max_err[m]:.2f})")
ax.set_xlabel("x")
ax.legend()
ax.set_title("One hidden layer of sigmoids: more units, smaller error")
plt.show()

# %% [markdown]
# ### Erratum: the shapes in the theorem, W ∈ ℝ^{m×n} but b ∈ ℝ^n
#
# The notes state the network as f(x; Θ) with W ∈ ℝ^{m×n} and **b ∈ ℝ^n**. A hidden layer with m
# units computes Wx + b with one bias per unit, so b ∈ ℝ^m (W maps the n = d inputs to m units).
# With m ≠ n the notes' shapes do not fit together; the library says so:

# %%
m_units, n_inputs = 5, 2
W = Tensor(np.ones((m_units, n_inputs)))
x_in = Tensor(np.ones(n_inputs))
try:
    W @ x_in + Tensor(np.zeros(n_inputs))          # the notes' b ∈ R^n
    raise AssertionError("expected a ShapeError")
except ShapeError as e:
    print("notes' shapes (b in R^n): ShapeError:", e)
z = W @ x_in + Tensor(np.zeros(m_units))          # b ∈ R^m: one bias per hidden unit
print("correct shapes (b in R^m): Wx + b has shape", z.shape)
assert z.shape == (m_units,)

# %% [markdown]
# ### Class of functions: a discontinuous F
#
# The notes: if F is discontinuous "it won't in general be possible to approximate it. However, an
# NN may still give an approximation even if we fail in some points". A step at x = ½, with 32
# units: the error is small away from the jump and stays large at it (a continuous f cannot jump).

# %%
step_F = (xg > 0.5).astype(float)
f_step = fit_one_hidden_layer(step_F, 32)
near = np.abs(xg - 0.5) < 0.03
err_near, err_far = np.abs(f_step - step_F)[near].max(), np.abs(f_step - step_F)[~near].max()
print(f"max error within 0.03 of the jump: {err_near:.2f}; elsewhere: {err_far:.2f}")
assert err_near > 0.3 and err_far < 0.2

fig, ax = plt.subplots(figsize=(7, 3))
ax.plot(xg, step_F, "k", lw=3, alpha=0.4, label="step F")
ax.plot(xg, f_step, label="32 sigmoid units")
ax.legend()
plt.show()

# %% [markdown]
# ## Definitions: zⱼˡ = Σᵢ wᵢⱼˡ aᵢˡ⁻¹ + bⱼˡ, the same as zˡ = (Wˡ)ᵀaˡ⁻¹ + bˡ
#
# In the notes' definition wᵢⱼˡ joins unit i of layer l − 1 to unit j of layer l, so Wˡ has shape
# (M_{l−1}, M_l) and the compact form transposes it. Both forms, on a layer 3 → 4:

# %%
W3x4 = rng.normal(size=(3, 4))
a_prev = rng.normal(size=3)
b4 = rng.normal(size=4)
z_sum = np.array([sum(W3x4[i, j] * a_prev[i] for i in range(3)) + b4[j] for j in range(4)])
z_compact = W3x4.T @ a_prev + b4
assert np.allclose(z_sum, z_compact, rtol=0, atol=1e-14)
print("z from the sum:      ", np.round(z_sum, 6))
print("z from (W^T)a + b:   ", np.round(z_compact, 6))

# %% [markdown]
# ### Derivatives and the chain rule: ∂zⱼˡ/∂wᵢⱼˡ = aᵢˡ⁻¹
#
# With zⱼ = Σᵢ wᵢⱼaᵢ + bⱼ, the derivative of one weighted sum zⱼ with respect to the weight matrix
# is the input aᵢ in column j and zero elsewhere, and with respect to the inputs it is column j of
# W, i.e. ∂zⱼ/∂aᵢ = wᵢⱼ. (The notes write wⱼᵢ here; see the erratum on the index order below.)
# Autodiff, for j = 2:

# %%
Wt = Tensor(W3x4, requires_grad=True)
at = Tensor(a_prev, requires_grad=True)
zt = Wt.T @ at + Tensor(b4)
zt[2].backward()
expected = np.zeros((3, 4))
expected[:, 2] = a_prev
assert np.array_equal(Wt.grad, expected) and np.array_equal(at.grad, W3x4[:, 2])
print("∂z2/∂W =\n", np.round(Wt.grad, 6) + 0.0)
print("∂z2/∂a =", np.round(at.grad, 6), "= column 2 of W:", np.round(W3x4[:, 2], 6))

# %% [markdown]
# ## Layout of a neural network with three hidden layers
#
# The notes' whiteboard figure, drawn by hand: every unit of one layer feeds every unit of the next,
# one weight wᵢⱼˡ per line.

# %%
layer_sizes = [3, 5, 5, 5, 2]
fig, ax = plt.subplots(figsize=(8, 3.8))
positions = [[(l, (n - 1) / 2 - i) for i in range(n)] for l, n in enumerate(layer_sizes)]
for left, right in zip(positions, positions[1:]):
    for x0_, y0_ in left:
        for x1_, y1_ in right:
            ax.plot([x0_, x1_], [y0_, y1_], color="grey", lw=0.5, zorder=1)
names = ["input x", "hidden 1", "hidden 2", "hidden 3", "output ỹ"]
for l, (layer, name) in enumerate(zip(positions, names)):
    ax.scatter([p[0] for p in layer], [p[1] for p in layer], s=300, zorder=2,
               color="C2" if l == 0 else ("C1" if l == len(positions) - 1 else "C0"))
    ax.text(l, -2.9, name, ha="center", va="top")
ax.axis("off")
ax.set_title("a neural network with three hidden layers (3 → 5 → 5 → 5 → 2)")
plt.show()
net3 = nn.TensorMLP(3, layer_sizes[1:], activation="sigmoid", seed=0)
assert [layer.W.shape for layer in net3 if isinstance(layer, nn.Linear)] == [(3, 5), (5, 5), (5, 5), (5, 2)]
print(net3)

# %% [markdown]
# The library draws the same model from the model itself: `nn.draw_network(net3, view="neurons")` is the
# figure above, one node per unit and one edge per weight wᵢⱼˡ (blue positive, red negative, the wider the
# larger |w|; each unit shows its bias), and `nn.draw_network(net3)` the layer view: one box per layer with
# its weight shapes, parameter count and activation (after a backward pass also ‖dC/dW‖ and ‖dC/db‖).

# %%
nn.draw_network(net3, view="neurons")

# %%
x3, y3 = np.array([[0.5, -1.0, 2.0]]), np.array([[1.0, 0.0]])
C3 = 0.5 * ((net3(Tensor(x3)) - Tensor(y3)) ** 2).sum()
C3.backward()
first = net3[0]
assert first.W.grad.shape == (3, 5) and first.b.grad.shape == (5,)
nn.draw_network(net3)

# %% [markdown]
# ## The sigmoid and its derivative ∂a/∂z = a(1 − a)
#
# The notes' activation a = σ(z) = 1/(1 + e^{−z}) has ∂a/∂z = a(1 − a) = σ(z)(1 − σ(z)). Autodiff
# stores this local derivative on the edge z → a:

# %%
rows = []
for z0 in (-3.0, 0.0, 0.7, 4.0):
    s = sigmoid(z0)
    rows.append((f"σ'({z0})", s * (1 - s), Value(z0).sigmoid().local_grads[0]))
compare(rows)

# %% [markdown]
# ## First network example: the perceptron with one input
#
# z₁ = w₁x + b₁, a₁ = σ(z₁), C = ½(a₁ − y)². By the chain rule
# ∂C/∂w₁ = ∂C/∂a₁·∂a₁/∂z₁·∂z₁/∂w₁ = (a₁ − y)σ′₁x and ∂C/∂b₁ = (a₁ − y)σ′₁ = δ₁.

# %%
xv, yv, w0, b0 = 1.5, 0.2, -0.8, 0.3
w1, b1 = Value(w0, label="w1"), Value(b0, label="b1")
z1 = named(w1 * xv + b1, "z1")
a1 = named(z1.sigmoid(), "a1")
C = named(0.5 * (a1 - yv) ** 2, "C")
C.backward()

s = sigmoid(w0 * xv + b0)
delta1 = (s - yv) * s * (1 - s)
compare([("∂C/∂w1", delta1 * xv, w1.grad), ("∂C/∂b1", delta1, b1.grad)])

# %% [markdown]
# ### Layout of a simple neural network with no hidden layer
#
# The notes' picture, drawn from the graph autodiff built: Θ = {w₁, b₁} in blue, each edge with its
# local derivative and the product that backward sent along it.

# %%
draw(C, rankdir="TB", params=[w1, b1])

# %% [markdown]
# ## Adding a hidden layer (scalars only)
#
# a₀ = x; z₁ = w₁a₀ + b₁, a₁ = σ(z₁); z₂ = w₂a₁ + b₂, a₂ = σ(z₂); C = ½(a₂ − y)²,
# Θ = [w₁, w₂, b₁, b₂]. The chain rule through the output neuron gives
# δ₂ = (a₂ − y)σ′₂, ∂C/∂w₂ = δ₂a₁, ∂C/∂b₂ = δ₂ — the notes have these right.

# %%
a0, yv = 0.9, 1.0
P = dict(w1=0.4, b1=-0.2, w2=1.3, b2=0.1)
V = {k: Value(v, label=k) for k, v in P.items()}
z1 = named(V["w1"] * Value(a0, label="a0 = x") + V["b1"], "z1")
a1 = named(z1.sigmoid(), "a1")
z2 = named(V["w2"] * a1 + V["b2"], "z2")
a2 = named(z2.sigmoid(), "a2")
C = named(0.5 * (a2 - yv) ** 2, "C")
C.backward()

h1 = sigmoid(P["w1"] * a0 + P["b1"])
h2 = sigmoid(P["w2"] * h1 + P["b2"])
s1, s2 = h1 * (1 - h1), h2 * (1 - h2)          # σ'₁, σ'₂
delta2 = (h2 - yv) * s2
compare([("∂C/∂w2 = δ2·a1", delta2 * h1, V["w2"].grad), ("∂C/∂b2 = δ2", delta2, V["b2"].grad)])

# %% [markdown]
# ### Erratum: ∂C/∂w₁ of the one-hidden-layer net has a₁ where w₂ belongs
#
# The notes write the chain ∂C/∂a₂·∂a₂/∂z₂·∂z₂/∂a₁·∂a₁/∂z₁·∂z₁/∂w₁ (right) and evaluate it as
# **(a₂ − y)σ′₂ a₁ σ′₁ a₀**. But z₂ = w₂a₁ + b₂, so ∂z₂/∂a₁ = **w₂**, not a₁ (a₁ is ∂z₂/∂w₂, the
# factor of the *other* weight). Correct: ∂C/∂w₁ = (a₂ − y)σ′₂ **w₂** σ′₁ a₀ = δ₁a₀ with
# δ₁ = δ₂w₂σ′₁.

# %%
notes_dw1 = (h2 - yv) * s2 * h1 * s1 * a0
correct_dw1 = (h2 - yv) * s2 * P["w2"] * s1 * a0
erratum([("∂C/∂w1", notes_dw1, correct_dw1, V["w1"].grad)])

# %% [markdown]
# ### Erratum: ∂C/∂b₁ of the one-hidden-layer net loses w₂
#
# The notes: ∂C/∂b₁ = ∂C/∂a₂·∂a₂/∂z₂·∂z₂/∂a₁·∂a₁/∂z₁·∂z₁/∂b₁ = **(a₂ − y)σ′₂σ′₁** = δ₁. The
# factor ∂z₂/∂a₁ = w₂ is dropped. Correct: ∂C/∂b₁ = (a₂ − y)σ′₂ **w₂** σ′₁ = δ₂w₂σ′₁ = δ₁. (With
# the correct δ₁, ∂C/∂w₁ = δ₁a₀ and ∂C/∂b₁ = δ₁, which is the pattern of the training rule below.)

# %%
notes_db1 = (h2 - yv) * s2 * s1
delta1 = delta2 * P["w2"] * s1
erratum([("∂C/∂b1", notes_db1, delta1, V["b1"].grad)])

# %% [markdown]
# ### Layout of a simple neural network with one hidden layer, and a finite-difference check
#
# The picture of the graph (parameters blue), then `gradcheck`, which perturbs each parameter by
# ±h and compares (C(θ + h) − C(θ − h))/2h with backward's gradient: a third, independent referee.

# %%
draw(C, rankdir="TB", params=list(V.values()))

# %%
report = gradcheck(lambda w1, b1, w2, b2: 0.5 * ((w2 * (w1 * a0 + b1).sigmoid() + b2).sigmoid() - yv) ** 2,
                   [Value(v, label=k) for k, v in P.items()])
print(f"gradcheck {'passed' if report else 'FAILED'}: {len(report.rows)} partial derivatives agree with "
      f"central differences (max abs error below 1e-9: {report.max_abs_err < 1e-9})")
assert report and report.max_abs_err < 1e-9

# %% [markdown]
# ## Important observations: vanishing and exploding derivatives
#
# "The derivatives of the activation functions play a central role. If they vanish, the training
# may stop." Every gradient above carries σ′ factors, and σ′(z) ≤ ¼ with σ′(z) → 0 for large |z|.
# Push the hidden unit into saturation (w₁ from 0.4 to 20): ∂C/∂w₁ collapses while the output
# layer still learns. "If they become large" (a linear unit with a large weight, say) the gradient
# and the step grow without bound.

# %%
def grads_one_hidden(w1_value):
    p = {k: Value(v) for k, v in dict(P, w1=w1_value).items()}
    c = 0.5 * ((p["w2"] * (p["w1"] * a0 + p["b1"]).sigmoid() + p["b2"]).sigmoid() - yv) ** 2
    c.backward()
    return p["w1"].grad, p["w2"].grad


for w in (0.4, 5.0, 20.0):
    g1, g2 = grads_one_hidden(w)
    print(f"w1 = {w:>5}: ∂C/∂w1 = {g1: .3e}   ∂C/∂w2 = {g2: .3e}")
assert abs(grads_one_hidden(20.0)[0]) < 1e-7 < abs(grads_one_hidden(20.0)[1])

# %% [markdown]
# ## The training: wᵢ ← wᵢ − η δᵢ aᵢ₋₁, bᵢ ← bᵢ − η δᵢ
#
# One iteration = one feed-forward step and one back-propagation step with one update of Θ. By hand
# with the (correct) δ₂ and δ₁ = δ₂w₂σ′₁ on plain floats, and with `nn.SGD` stepping on autodiff's
# gradients: after 200 iterations the parameters agree to 1e-12, and the cost falls.

# %%
eta, iterations = 0.5, 200
hand = dict(P)
for _ in range(iterations):
    h1 = sigmoid(hand["w1"] * a0 + hand["b1"])
    h2 = sigmoid(hand["w2"] * h1 + hand["b2"])
    d2 = (h2 - yv) * h2 * (1 - h2)
    d1 = d2 * hand["w2"] * h1 * (1 - h1)
    hand["w2"] -= eta * d2 * h1
    hand["b2"] -= eta * d2
    hand["w1"] -= eta * d1 * a0
    hand["b1"] -= eta * d1

params = {k: Value(v, label=k) for k, v in P.items()}
opt = nn.SGD(list(params.values()), lr=eta)
costs = []
for _ in range(iterations):
    opt.zero_grad()
    c = 0.5 * ((params["w2"] * (params["w1"] * a0 + params["b1"]).sigmoid() + params["b2"]).sigmoid() - yv) ** 2
    c.backward()
    opt.step()
    costs.append(c.data)
compare([(k, hand[k], params[k].data) for k in P])
print(f"cost: {costs[0]:.6f} → {costs[-1]:.6f}")
assert costs[-1] < 0.2 * costs[0]

# %%
fig, ax = plt.subplots(figsize=(6, 3))
ax.semilogy(costs)
ax.set_xlabel("iteration")
ax.set_ylabel("C")
ax.set_title("one hidden unit, one sample: plain gradient descent, η = 0.5")
plt.show()

# %% [markdown]
# ## The 2-2-1 network: two inputs, two hidden nodes, one output
#
# Inputs x₀ = a₀⁽⁰⁾, x₁ = a₁⁽⁰⁾; hidden layer zᵢ⁽¹⁾ = Σⱼ wᵢⱼ⁽¹⁾aⱼ⁽⁰⁾ + bᵢ⁽¹⁾ (the notes'
# matrix form [z₀; z₁] = [[w₀₀, w₀₁], [w₁₀, w₁₁]]·[a₀⁽⁰⁾; a₁⁽⁰⁾] + b⁽¹⁾), aᵢ⁽¹⁾ = σ(zᵢ⁽¹⁾);
# output z⁽²⁾ = w₀⁽²⁾a₀⁽¹⁾ + w₁⁽²⁾a₁⁽¹⁾ + b⁽²⁾, a⁽²⁾ = σ(z⁽²⁾); cost C = ½(a⁽²⁾ − y)². Nine
# parameters. The library's scalar `nn.MLP(2, [2, 1])` is exactly this network: neuron i of the
# hidden layer holds wᵢ₀, wᵢ₁ and bᵢ.

# %%
net = nn.MLP(2, [2, 1], activation="sigmoid", output_activation="sigmoid", seed=4)
hidden, out = net.layers[0].neurons, net.layers[1].neurons[0]
print(net, "with", net.num_parameters(), "parameters:", [p.label for p in net.parameters()])
assert net.num_parameters() == 9

x_in, y_t = [0.6, -1.2], 0.3
a_out = net(x_in)
C = named(0.5 * (a_out - y_t) ** 2, "C")
C.backward()

# by hand, as the notes: matrices, then the deltas
W1 = np.array([[w.data for w in nrn.w] for nrn in hidden])        # [[w00, w01], [w10, w11]]
b1v = np.array([nrn.b.data for nrn in hidden])
w2v, b2v = np.array([w.data for w in out.w]), out.b.data
a_0 = np.array(x_in)
a_1 = 1 / (1 + np.exp(-(W1 @ a_0 + b1v)))
a_2 = 1 / (1 + np.exp(-(w2v @ a_1 + b2v)))
delta_2 = (a_2 - y_t) * a_2 * (1 - a_2)                       # δ⁽²⁾ = ∂C/∂a⁽²⁾ · ∂a⁽²⁾/∂z⁽²⁾
delta_1 = w2v * a_1 * (1 - a_1) * delta_2                      # δᵢ⁽¹⁾ = wᵢ⁽²⁾ σ'(zᵢ⁽¹⁾) δ⁽²⁾
compare([("a(2)", a_2, a_out.data)]
     + [(f"∂C/∂w{i}(2)", delta_2 * a_1[i], out.w[i].grad) for i in range(2)]
     + [("∂C/∂b(2)", delta_2, out.b.grad)]
     + [(f"∂C/∂b{i}(1)", delta_1[i], hidden[i].b.grad) for i in range(2)])

# %% [markdown]
# ### Erratum: the hidden weights' derivatives use a⁽¹⁾ where the input a⁽⁰⁾ belongs
#
# The notes: ∂z⁽²⁾/∂z₀⁽¹⁾ · ∂z₀⁽¹⁾/∂w₀₀⁽¹⁾ = w₀⁽²⁾ ∂a₀⁽¹⁾/∂z₀⁽¹⁾ **a₀⁽¹⁾**, hence
# ∂C/∂w₀₀⁽¹⁾ = δ₀⁽¹⁾**a₀⁽¹⁾**, ∂C/∂w₀₁⁽¹⁾ = δ₀⁽¹⁾**a₁⁽¹⁾**, ∂C/∂w₁₀⁽¹⁾ = δ₁⁽¹⁾**a₀⁽¹⁾**,
# ∂C/∂w₁₁⁽¹⁾ = δ₁⁽¹⁾**a₁⁽¹⁾**. But z₀⁽¹⁾ = w₀₀⁽¹⁾a₀⁽⁰⁾ + w₀₁⁽¹⁾a₁⁽⁰⁾ + b₀⁽¹⁾, so
# ∂z₀⁽¹⁾/∂w₀₀⁽¹⁾ = **a₀⁽⁰⁾** = x₀: the input to the weight's own layer, not that layer's output.
# Correct: ∂C/∂wᵢⱼ⁽¹⁾ = δᵢ⁽¹⁾aⱼ⁽⁰⁾ — which is what the notes' own update rule
# wᵢⱼ⁽¹⁾ ← wᵢⱼ⁽¹⁾ − ηδᵢ⁽¹⁾aⱼ⁽⁰⁾ a few lines later uses.

# %%
erratum([(f"∂C/∂w{i}{j}(1)", delta_1[i] * a_1[j], delta_1[i] * a_0[j], hidden[i].w[j].grad)
         for i in range(2) for j in range(2)])

# %% [markdown]
# ### Layout of the 2-2-1 network: the paths from w₀₀⁽¹⁾ to C
#
# `draw(..., focus=w)` keeps only the paths from one weight to the cost: the chain
# ∂C/∂a⁽²⁾·∂a⁽²⁾/∂z⁽²⁾·∂z⁽²⁾/∂a₀⁽¹⁾·∂a₀⁽¹⁾/∂z₀⁽¹⁾·∂z₀⁽¹⁾/∂w₀₀⁽¹⁾ of the notes, edge by edge. The
# last local derivative, on the edge out of w₀₀, is the input x₀ = 0.6, not a hidden output.

# %%
w00 = hidden[0].w[0]                      # the library names it L0.n0.w0: layer 0, neuron 0, weight 0
graph = topological_order(C)


def child_of(node):
    return next(n for n in graph if any(p is node for p in n.parents))


a0_1 = named(child_of(named(child_of(w00), "z0(1)")), "a0(1)")
named(child_of(a0_1), "z(2)")
named(a_out, "a(2)")
draw(C, focus=w00, rankdir="TB", params=net.parameters())

# %% [markdown]
# ### Erratum: the list of updates stops before the hidden biases
#
# "For this specific model … the gradient descent equations take the following form": the notes
# list w⁽²⁾, b⁽²⁾ and w⁽¹⁾, then the list ends on "and". Missing: **bᵢ⁽¹⁾ ← bᵢ⁽¹⁾ − ηδᵢ⁽¹⁾**.
# Skipping it leaves the hidden biases at their initial values forever. One step of all nine updates
# by hand against `nn.SGD` on autodiff's gradients (the notes' three rules alone would leave
# b⁽¹⁾ unchanged, which the last line shows is not what gradient descent does):

# %%
eta = 0.7
new_w2, new_b2 = w2v - eta * delta_2 * a_1, b2v - eta * delta_2
new_W1 = W1 - eta * np.outer(delta_1, a_0)
new_b1 = b1v - eta * delta_1                      # the missing rule
nn.SGD(net.parameters(), lr=eta).step()
compare([(f"w{i}(2)", new_w2[i], out.w[i].data) for i in range(2)] + [("b(2)", new_b2, out.b.data)]
     + [(f"w{i}{j}(1)", new_W1[i, j], hidden[i].w[j].data) for i in range(2) for j in range(2)]
     + [(f"b{i}(1)", new_b1[i], hidden[i].b.data) for i in range(2)])
assert all(abs(hidden[i].b.data - b1v[i]) > 1e-6 for i in range(2))

# %% [markdown]
# ## Getting serious: the back-propagation equations for many nodes
#
# The notes collect three equations for the output layer L and one that carries the error back:
#
# 1. ∂C/∂w_{jk}^L = δⱼ^L a_k^{L−1};  2. δⱼ^L = σ′(zⱼ^L) ∂C/∂aⱼ^L (δ^L = σ′(z^L) ∘ ∂C/∂a^L);
# 3. δⱼ^L = ∂C/∂bⱼ^L;  4. δⱼˡ = Σ_k δ_k^{l+1} w_{kj}^{l+1} σ′(zⱼˡ).
#
# Equations 2 and 3 are right as written. Equations 1 and 4 (and the early
# ∂zⱼˡ/∂aᵢˡ⁻¹ = wⱼᵢˡ) read the weight's indices as (to, from), while the notes *defined*
# zⱼˡ = Σᵢ wᵢⱼˡ aᵢˡ⁻¹ + bⱼˡ with (from, to). With the definition the correct forms are
# ∂zⱼˡ/∂aᵢˡ⁻¹ = wᵢⱼˡ, ∂C/∂wᵢⱼˡ = aᵢˡ⁻¹δⱼˡ and δⱼˡ = Σ_k wⱼ_kˡ⁺¹ δ_kˡ⁺¹ σ′(zⱼˡ); in matrices
# ∂C/∂Wˡ = aˡ⁻¹(δˡ)ᵀ and δˡ = (Wˡ⁺¹δˡ⁺¹) ∘ σ′(zˡ).
#
# A network 3 → 4 → 2 → 2 with the notes' convention (Wˡ of shape (M_{l−1}, M_l),
# zˡ = (Wˡ)ᵀaˡ⁻¹ + bˡ), sigmoid everywhere, C = ½Σ(aⱼ^L − yⱼ)². First equations 2 and 3 and the
# correct forms of 1 and 4, against autodiff:

# %%
sizes = [3, 4, 2, 2]
Ws = [rng.normal(size=(i, o)) for i, o in zip(sizes, sizes[1:])]
bs = [rng.normal(size=o) for o in sizes[1:]]
x_sample, y_sample = rng.normal(size=3), np.array([0.2, 0.9])


def sig(z):
    return 1 / (1 + np.exp(-z))


a_list, z_list = [x_sample], []
for W, b in zip(Ws, bs):                                     # feed forward, keeping every z and a
    z_list.append(W.T @ a_list[-1] + b)
    a_list.append(sig(z_list[-1]))
L = len(Ws)
deltas = [None] * L
deltas[-1] = sig(z_list[-1]) * (1 - sig(z_list[-1])) * (a_list[-1] - y_sample)     # equation 2
for l in range(L - 2, -1, -1):                                                      # equation 4 (correct)
    deltas[l] = (Ws[l + 1] @ deltas[l + 1]) * sig(z_list[l]) * (1 - sig(z_list[l]))
grads_W = [np.outer(a_list[l], deltas[l]) for l in range(L)]                       # equation 1 (correct)
grads_b = deltas                                                                    # equation 3

Wt = [Tensor(W, requires_grad=True) for W in Ws]
bt = [Tensor(b, requires_grad=True) for b in bs]
act = Tensor(x_sample)
for W, b in zip(Wt, bt):
    act = (W.T @ act + b).sigmoid()
(0.5 * ((act - Tensor(y_sample)) ** 2).sum()).backward()
for l in range(L):
    dw, db = np.abs(grads_W[l] - Wt[l].grad).max(), np.abs(grads_b[l] - bt[l].grad).max()
    assert dw < 1e-12 and db < 1e-12
    print(f"layer {l + 1}: ∂C/∂W {grads_W[l].shape} and ∂C/∂b {grads_b[l].shape} agree with autodiff to 1e-12")

# %% [markdown]
# ### Erratum: the back-propagated error δⱼˡ = Σ_k δ_kˡ⁺¹ w_kⱼˡ⁺¹ σ′(zⱼˡ) swaps the indices of w
#
# With the notes' own zⱼˡ⁺¹ = Σᵢ wᵢⱼˡ⁺¹aᵢˡ + bⱼˡ⁺¹, the sum over k of w_kⱼ δ_k is (Wˡ⁺¹)ᵀ… applied
# to a vector of the wrong layer: where two layers differ in size, the notes' formula does not even
# have matching shapes (layer 1 → 2 here: W² is 4 × 2, δ² has 2 entries); where they have the same
# size (layer 2 → 3, W³ is 2 × 2) it runs and gives the wrong numbers.

# %%
try:
    Tensor(Ws[1]).T @ Tensor(deltas[1])      # Σ_k w_kj δ_k: δ¹ from δ² through W² (4 × 2), i.e. (2×4) @ (2,)
    raise AssertionError("expected a ShapeError")
except ShapeError as e:
    print("δ¹ by the notes' formula: ShapeError:", e)

l = 1                                          # layer 2, fed by the square W³ (2 × 2)
notes_delta = (Ws[l + 1].T @ deltas[l + 1]) * sig(z_list[l]) * (1 - sig(z_list[l]))
correct_delta = (Ws[l + 1] @ deltas[l + 1]) * sig(z_list[l]) * (1 - sig(z_list[l]))
erratum([(f"δ{j}^2 = ∂C/∂b{j}^2", notes_delta[j], correct_delta[j], bt[l].grad[j]) for j in range(2)])

# %% [markdown]
# ### Erratum: ∂C/∂w_{jk}^L = δⱼ^L a_k^{L−1} is the transpose of the weight it is meant for
#
# Under the definition zⱼ = Σᵢ wᵢⱼaᵢ + bⱼ, the weight w_{jk}^L joins unit j of layer L − 1 to
# unit k of layer L, so ∂C/∂w_{jk}^L = aⱼ^{L−1}δ_k^L; the notes' δⱼ^L a_k^{L−1} is the derivative
# for w_{kj}. As an array it has shape (M_L, M_{L−1}), the transpose of W^L's (M_{L−1}, M_L): for
# the last layer here (2 × 2) it runs and puts each number on the wrong weight.

# %%
notes_gW = np.outer(deltas[-1], a_list[-2])          # δ_j a_k
correct_gW = np.outer(a_list[-2], deltas[-1])        # a_j δ_k
erratum([(f"∂C/∂w{j}{k}^L", notes_gW[j, k], correct_gW[j, k], Wt[-1].grad[j, k])
         for j in range(2) for k in range(2) if j != k])
print("layer 2 (4 → 2): the notes' array has shape", np.outer(deltas[1], a_list[1]).shape,
      "but W² has shape", Ws[1].shape)

# %% [markdown]
# ### δⱼ^L = ∂C/∂bⱼ^L: the error is the rate of change with respect to the bias
#
# The notes reach this through "∂C/∂bⱼ^L ∂bⱼ^L/∂zⱼ^L", a chain run backwards (b is an input of z,
# not a function of it). The conclusion is right, by the chain rule the other way round:
# ∂C/∂bⱼ = ∂C/∂zⱼ · ∂zⱼ/∂bⱼ = δⱼ · 1. In the graph: the edge b → z carries local derivative 1, so
# the bias's gradient is the z node's gradient.

# %%
zb = Tensor(rng.normal(size=2), requires_grad=True, label="b")
pre = Tensor(rng.normal(size=2), requires_grad=True, label="Wa")
zz = named(pre + zb, "z")
aa = zz.sigmoid()
(0.5 * ((aa - Tensor(y_sample)) ** 2).sum()).backward()
sz = sig(zz.data)
compare([(f"δ{j} = ∂C/∂z{j}", sz[j] * (1 - sz[j]) * (sz[j] - y_sample[j]), zz.grad[j]) for j in range(2)]
     + [(f"∂C/∂b{j}", zz.grad[j], zb.grad[j]) for j in range(2)])

# %% [markdown]
# ## Setting up the back-propagation algorithm, parts 1–3
#
# 1. Feed forward: all zˡ and aˡ for l = 1 … L. 2. The output error δ^L (equation 2), then
# δˡ for l = L − 1, …, 1 (equation 4). 3. Update every weight and bias by gradient descent.
# The arrays computed by hand above are steps 1 and 2; step 3 below.
#
# ### Erratum: the update loop runs over l = L − 1, …, 1 and never updates the output layer
#
# Part 3 and *Updating the gradients* say: "update the weights and the biases using gradient descent
# for each l = L − 1, L − 2, …, 1". That loop skips l = L, whose gradient (equation 1) is the
# first one computed and is not zero. Correct: l = L, L − 1, …, 1. One step of each, against
# `nn.SGD` over all parameters:

# %%
eta = 0.5
notes_W = [W.copy() for W in Ws]
correct_W = [W.copy() for W in Ws]
for l in range(L - 2, -1, -1):               # the notes: l = L-1, ..., 1 (0-based: L-2 ... 0)
    notes_W[l] -= eta * grads_W[l]
for l in range(L - 1, -1, -1):               # correct: l = L, ..., 1
    correct_W[l] -= eta * grads_W[l]
nn.SGD(Wt + bt, lr=eta).step()
erratum([(f"w{j}{k}^L", notes_W[-1][j, k], correct_W[-1][j, k], Wt[-1].data[j, k])
         for j in range(2) for k in range(2)])
print("max |∂C/∂W^L| =", f"{np.abs(grads_W[-1]).max():.4f}", "(not zero: the output layer must be updated)")
