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
# # Neurons, activation functions and softmax
#
# **Lecture note:** *Neural networks* (seed 001, `../shared/seeds/001_6468bfa075136aa5.txt`).
# **Sections reproduced here:** *Layers and neurons* (input, hidden and output layers, Figure 1's
# neuron, Figure 2's logistic function), *Activation functions* (the table: linear, step, logistic,
# tanh, ReLU, each with its comments) and *Softmax function*. The rest of seed 001 is in
# `11_network_and_costs` (multi-layer networks, Figures 3 and 4, training, the error functions) and
# `12_backprop_worked_example` (back-propagation, the worked example and the training procedure).
#
# Each formula is computed **by hand** (plain Python or numpy, the formula as the notes print it) and
# **by autodiff** (`Value`/`Tensor` and `nn`), side by side, with an `assert` that they agree.
# Derivatives by hand are the textbook formulas; autodiff's come from `backward()`.

# %%
# %matplotlib inline
import math

import matplotlib.pyplot as plt
import numpy as np
from side_by_side import compare  # notebooks/side_by_side.py: hand beside autodiff, asserted

import nn
from autodiff import DomainError, Tensor, Value, draw


def derivative(f, xs):
    """f'(x) at every x by autodiff: the gradient of Σᵢ f(xᵢ) with respect to each xᵢ."""
    x = Tensor(np.asarray(xs, dtype=float), requires_grad=True)
    f(x).sum().backward()
    return x.grad


# %% [markdown]
# ## A hidden neuron: weighted sum, then activation (Figure 1)
#
# The input layer does no computing: it passes the features on, a⁽¹⁾ = x, with a **bias unit**
# x₀ = 1 in front. A hidden neuron takes the dot product of the previous layer's outputs with its
# weights θ (the bias weight θ₀ multiplies x₀ = 1) and passes it through an activation function:
# a = σ(θᵀa⁽¹⁾). `nn.Neuron` stores the bias separately (b = θ₀, w = θ₁…θ_D) and computes the same
# number; the picture is Figure 1 as autodiff sees it: one `dot` node with an edge to every weight and
# input, then σ.

# %%
x = [1.0, 0.5, -1.2, 2.0]                 # x₀ = 1 (bias unit), then x₁, x₂, x₃
theta = [0.1, -0.4, 0.3, 0.25]            # θ₀ (bias weight), θ₁, θ₂, θ₃

z_hand = sum(t * xi for t, xi in zip(theta, x))       # θᵀx, the weighted sum
a_hand = 1 / (1 + math.exp(-z_hand))

neuron = nn.Neuron(3, "sigmoid", weights=theta[1:], bias=theta[0])
a = neuron(x[1:])
a.label = "a"
a.backward()
compare([("θᵀx", z_hand, a.parents[0].data), ("a = σ(θᵀx)", a_hand, a.data),
         ("∂a/∂θ₁ = σ'·x₁", a_hand * (1 - a_hand) * x[1], neuron.w[0].grad),
         ("∂a/∂θ₀ = σ'·1", a_hand * (1 - a_hand), neuron.b.grad)])
draw(a, params=neuron.parameters())

# %% [markdown]
# The lecture draws the same neuron as a chain of products and sums: θ₁x₁, θ₂x₂, θ₃x₃, added one after
# the other, then + θ₀. `draw(..., expand=True)` draws the `dot` node that way, with the same numbers
# (each link gets the weighted sum's gradient, so each weight's edge still sends ∂a/∂z · xᵢ).

# %%
draw(a, params=neuron.parameters(), expand=True)

# %% [markdown]
# ### The logistic function squeezes ℝ into (0, 1) (Figure 2)
#
# The weighted sum can be any real number; σ(x) = 1/(1 + e⁻ˣ) maps it into (0, 1), with σ(0) = ½ and
# σ(−x) = 1 − σ(x).

# %%
grid = np.linspace(-8, 8, 401)
s = nn.activations.sigmoid(Tensor(grid)).data
s_hand = 1 / (1 + np.exp(-grid))
assert np.allclose(s, s_hand, rtol=1e-15, atol=0) and ((s > 0) & (s < 1)).all()
assert np.allclose(s + s[::-1], 1.0, atol=1e-15)           # σ(−x) = 1 − σ(x)
fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(grid, s)
ax.axhline(0, color="grey", lw=0.6)
ax.axhline(1, color="grey", lw=0.6, ls="--")
ax.axhline(0.5, color="grey", lw=0.6, ls=":")
ax.set_xlabel("x")
ax.set_title("σ(x) = 1/(1 + e⁻ˣ)   (Figure 2)")
plt.show()

# %% [markdown]
# ### The output layer: for two classes one neuron is enough
#
# "In the case of binary classification, one output neuron is enough since we can represent the
# probability of the other class as the complement." Two output neurons with a softmax over the scores
# (z, 0) give exactly (1 − σ(z), σ(z)): the second neuron adds nothing. Their gradients agree too:
# ∂p₁/∂z = σ′(z) = σ(z)(1 − σ(z)).

# %%
rows = []
for zv in [-3.0, -0.2, 0.0, 1.7]:
    z = Value(zv)
    p0, p1 = nn.activations.softmax([z, Value(0.0)])[::-1]      # classes (0, 1) ↔ scores (0, z)
    p1.backward()
    sz = 1 / (1 + math.exp(-zv))
    rows += [(f"p₁ at z = {zv:g}", sz, p1.data), ("p₀ = 1 − p₁", 1 - sz, p0.data), ("∂p₁/∂z", sz * (1 - sz), z.grad)]
compare(rows)

# %% [markdown]
# ### L counts the hidden layers and the output layer
#
# "When we say a neural network consists of L layers, L is the sum of hidden layers and the output
# layer": the input layer does not count. Figure 3's network (4 inputs, 2 hidden neurons, 3 outputs)
# has L = 2, and so has the `nn.MLP` built for it.

# %%
fig3 = nn.MLP(4, [2, 3], activation="sigmoid", output_activation="sigmoid", seed=0)
print(fig3, "  L =", len(fig3.layers))
assert len(fig3.layers) == 2

# %% [markdown]
# ## The activation table: each function and its derivative
#
# | name | σ(x) | σ′(x) by hand |
# |---|---|---|
# | linear | kx | k |
# | threshold (step) | 1 if x ≥ k else 0 | 0 (the jump at x = k has no derivative; autodiff uses 0) |
# | logistic | 1/(1 + e⁻ˣ) | σ(x)(1 − σ(x)) |
# | tanh | tanh x | 1 − tanh²x |
# | ReLU | max(0, x) | 1 if x > 0 else 0 (at x = 0 autodiff uses 0) |
#
# Below, every function is evaluated with `nn.activations` and differentiated with `backward()`, on a
# grid that includes the kinks (x = 0 for ReLU, x = k for the step), against the hand formula. The
# plots show the function (solid), the hand derivative (dashed) and autodiff's derivative (dots).
# Here k = ½ for both the linear and the step function.

# %%
k = 0.5
table = {
    "linear (k = ½)": (lambda t: nn.activations.linear(t, k), lambda v: k * v, lambda v: np.full_like(v, k)),
    "step (k = ½)": (lambda t: nn.activations.step(t, k), lambda v: (v >= k).astype(float), lambda v: np.zeros_like(v)),
    "logistic": (nn.activations.sigmoid, lambda v: 1 / (1 + np.exp(-v)),
                 lambda v: 1 / (1 + np.exp(-v)) * (1 - 1 / (1 + np.exp(-v)))),
    "tanh": (nn.activations.tanh, np.tanh, lambda v: 1 - np.tanh(v) ** 2),
    "ReLU": (nn.activations.relu, lambda v: np.maximum(0, v), lambda v: (v > 0).astype(float)),
}
xs = np.union1d(np.linspace(-3, 3, 61), [0.0, k])          # the kinks exactly on the grid
fig, axes = plt.subplots(1, 5, figsize=(15, 3), sharex=True)
print(f"{'activation':<16}{'max |σ − hand|':>16}{'max |σ′ − hand|':>18}   σ′ at the kink(s)")
for ax, (name, (f, f_hand, df_hand)) in zip(axes, table.items()):
    values = f(Tensor(xs)).data
    slopes = derivative(f, xs)
    err_f, err_df = np.abs(values - f_hand(xs)).max(), np.abs(slopes - df_hand(xs)).max()
    kinks = {v: slopes[xs == v][0] for v in (0.0, k)}
    print(f"{name:<16}{err_f:>16.1e}{err_df:>18.1e}   σ′(0) = {kinks[0.0]:g}, σ′(½) = {kinks[k]:g}")
    assert err_f <= 1e-15 and err_df <= 1e-15, name
    ax.plot(xs, values, label="σ(x)")
    ax.plot(xs, df_hand(xs), "--", label="σ′ by hand")
    ax.plot(xs[::3], slopes[::3], ".", label="σ′ by autodiff")
    ax.set_title(name)
    ax.axhline(0, color="grey", lw=0.5)
axes[0].legend(fontsize=8)
plt.show()

# %% [markdown]
# ### The step function with k = ½ turns a probability into a class
#
# "We can determine the class by using σ_Step(x; k = ½) in the output layer": σ_Step(p; ½) is 1
# exactly when p ≥ ½, which is the arg max of (1 − p, p), except at a tie p = ½ where the step
# function says class 1 and `argmax` picks the first class, 0.

# %%
p = np.array([0.02, 0.3, 0.49, 0.5, 0.51, 0.97])
by_step = nn.activations.step(Tensor(p), 0.5).data
by_argmax = np.argmax(np.stack([1 - p, p]), axis=0)
print("p          ", p)
print("step(p; ½) ", by_step)
print("argmax     ", by_argmax)
assert (by_step[p != 0.5] == by_argmax[p != 0.5]).all() and by_step[p == 0.5] == 1

# %% [markdown]
# ### Vanishing gradients: σ and tanh saturate, ReLU does not (for x > 0)
#
# The logistic function "suffers from the issue of vanishing gradients"; tanh "suffers from the same";
# ReLU "does not suffer from the vanishing gradient problem". σ′ is at most ¼ (at 0) and tanh′ at most 1,
# and both fall towards 0 as |x| grows, on **both** sides; ReLU′ is exactly 1 for every x > 0. Through a
# chain of n layers the derivatives multiply: ten σ's in a row scale a gradient by at most 4⁻¹⁰ ≈ 10⁻⁶,
# ten ReLUs (on positive inputs) by exactly 1. ReLU's catch: for x < 0 its derivative is 0, so a unit
# whose input stays negative passes no gradient at all.

# %%
pts = [0.0, 2.0, 5.0, 10.0, -10.0]
rows = []
for name, f, df in [("σ'", nn.activations.sigmoid, table["logistic"][2]), ("tanh'", nn.activations.tanh, table["tanh"][2]),
                    ("relu'", nn.activations.relu, table["ReLU"][2])]:
    auto = derivative(f, pts)
    rows += [(f"{name}({v:g})", float(df(np.array(v))), auto[i]) for i, v in enumerate(pts)]
compare(rows)


def chain_gradient(f, depth, x0=0.5):
    """d/dx of f(f(…f(x)…)) (depth times) at x0, by autodiff."""
    x = Value(x0)
    out = x
    for _ in range(depth):
        out = f(out)
    out.backward()
    return x.grad


depths = range(1, 21)
fig, ax = plt.subplots(figsize=(7, 3.2))
for name, f in [("σ", Value.sigmoid), ("tanh", Value.tanh), ("ReLU", Value.relu)]:
    ax.semilogy(depths, [abs(chain_gradient(f, d)) for d in depths], "o-", ms=3, label=name)
ax.semilogy(depths, [0.25 ** d for d in depths], "k:", label="4⁻ⁿ (σ′ ≤ ¼ each time)")
ax.set_xlabel("n, activations composed")
ax.set_ylabel("|d/dx f(f(…f(x)))| at x = 0.5")
ax.legend()
ax.set_title("a gradient through n activations")
plt.show()
assert chain_gradient(Value.relu, 20) == 1.0 and chain_gradient(Value.sigmoid, 10) < 0.25 ** 10

# %% [markdown]
# ### Erratum: σ's gradient vanishes as |x| grows, not "as x increases"
#
# The table says the logistic function "suffers from the issue of vanishing gradients as x increases".
# σ′(x) = σ(x)(1 − σ(x)) is an even function: it vanishes just as fast as x **decreases**
# (σ′(−10) = σ′(10) ≈ 4.5·10⁻⁵). The right statement: as |x| grows.

# %%
sp, sm = 1 / (1 + math.exp(-10)), 1 / (1 + math.exp(10))
right, left = derivative(nn.activations.sigmoid, [10.0, -10.0])
compare([("σ'(10)", sp * (1 - sp), right), ("σ'(−10)", sm * (1 - sm), left)])
print(f"σ'(−10)/σ'(10) = {left / right:.9f}: the gradient vanishes on both sides")
assert abs(left / right - 1) < 1e-9

# %% [markdown]
# ### tanh is a shifted and scaled σ
#
# tanh x = 2σ(2x) − 1, so tanh′(x) = 4σ′(2x): check both, by hand and by autodiff.

# %%
grid = np.linspace(-4, 4, 81)
t_auto, dt_auto = nn.activations.tanh(Tensor(grid)).data, derivative(nn.activations.tanh, grid)
s2 = 1 / (1 + np.exp(-2 * grid))
print(f"max |tanh x − (2σ(2x) − 1)| = {np.abs(t_auto - (2 * s2 - 1)).max():.1e}")
print(f"max |tanh′ x − 4σ′(2x)|     = {np.abs(dt_auto - 4 * s2 * (1 - s2)).max():.1e}")
assert np.allclose(t_auto, 2 * s2 - 1, rtol=0, atol=1e-15) and np.allclose(dt_auto, 4 * s2 * (1 - s2), rtol=0, atol=1e-15)

# %% [markdown]
# ### tanh cannot feed a log-likelihood cost directly
#
# tanh's range is (−1, 1), so its output is not a probability: a negative log-likelihood takes log p,
# and for tanh(z) < 0 that logarithm does not exist. Autodiff refuses it with a `DomainError`, and
# `nn.binary_cross_entropy` refuses the "probability" before it gets there. Shifting and scaling back,
# (tanh z + 1)/2 = σ(2z), gives a proper probability.

# %%
z = Value(-0.8)
p_tanh = z.tanh()
try:
    p_tanh.log()
    raise AssertionError("log of a negative number should fail")
except DomainError as e:
    print("log(tanh(−0.8)):", e)
try:
    nn.binary_cross_entropy(p_tanh, 1.0)
    raise AssertionError("a negative probability should be refused")
except ValueError as e:
    print("binary_cross_entropy(tanh(−0.8), 1):", e)
p_fixed = (p_tanh + 1) / 2
compare([("(tanh z + 1)/2", 1 / (1 + math.exp(1.6)), p_fixed.data),
         ("BCE with it", -math.log(1 / (1 + math.exp(1.6))), nn.binary_cross_entropy(p_fixed, 1.0).data)])

# %% [markdown]
# ### ReLU's gradient is simpler
#
# "Its simpler gradients (during backpropagation) allow for each layer to be trained quicker": the local
# derivative autodiff stores on a ReLU edge is exactly 1.0 or 0.0, a copy or nothing, while σ's
# needs σ(1 − σ), computed from an exponential.

# %%
for v in [2.5, -1.0]:
    r, s = Value(v).relu(), Value(v).sigmoid()
    print(f"x = {v:>4}: relu edge local derivative {r.local_grads[0]}, sigmoid edge {s.local_grads[0]:.6f}")
    assert r.local_grads[0] in (0.0, 1.0)

# %% [markdown]
# ## The softmax function
#
# σ_Soft(i, z) = e^{zᵢ}/Σⱼ e^{zⱼ} turns K real numbers into K probabilities: each in (0, 1), summing to 1.
# By hand with `math.exp`, by `nn.activations.softmax` on Values and on a Tensor. Its Jacobian by hand
# is ∂σᵢ/∂zⱼ = σᵢ(δᵢⱼ − σⱼ); autodiff gets row i from one `backward()` from σᵢ.

# %%
zs = [2.0, 1.0, 0.1, -1.5]
den = sum(math.exp(v) for v in zs)
hand = [math.exp(v) / den for v in zs]
tensor = nn.activations.softmax(Tensor(zs)).data
rows = []
for i in range(len(zs)):
    zv = [Value(v) for v in zs]
    out = nn.activations.softmax(zv)
    out[i].backward()
    rows.append((f"σ_Soft({i + 1}, z)", hand[i], out[i].data))
    rows += [(f"∂σ{i + 1}/∂z{j + 1}", hand[i] * ((i == j) - hand[j]), zv[j].grad) for j in range(len(zs))]
compare(rows)
assert np.allclose(tensor, hand, rtol=1e-15, atol=0) and abs(sum(hand) - 1) < 1e-15

# %% [markdown]
# Adding a constant to every zⱼ changes nothing (it cancels between numerator and denominator). The
# library uses that: it subtracts max zⱼ first, so e^{…} never overflows, while the formula as printed
# overflows for scores like 1000.

# %%
big = [1000.0, 1001.0, 999.0]
with np.errstate(over="ignore", invalid="ignore"):
    naive = np.exp(big) / np.exp(big).sum()
shifted = nn.activations.softmax(Tensor(big)).data
print("e^z / Σ e^z as printed:", naive, "   softmax:", shifted.round(6))
assert np.isnan(naive).all() and np.allclose(shifted, nn.activations.softmax(Tensor([1.0, 2.0, 0.0])).data)
