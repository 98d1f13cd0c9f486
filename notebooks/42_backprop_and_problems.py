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
# # Vectorized backpropagation and the Problems
#
# **Lecture note:** *Backpropagation* (seed 004, `../shared/seeds/004_6391f04e192e5ba3.txt`).
# **Sections reproduced here:** 4.3 *Non-Vectorized Backpropagation*, 4.4 *Vectorized
# Backpropagation* (δ₂, ∂E/∂W₂ = δ₂x₁ᵀ and its shapes, δ₁, the rule for any depth, biases, other
# activations, σ′ = σ(1 − σ)) and 5 *Problems* 1–4: Problem 1's forward pass, every gradient, the
# updated weights and what the step does to E; forward propagation, backpropagation and a whole
# network in numpy. Sections 2–3 are in `40_forward_propagation`, 4.1–4.2 in `41_gradient_descent`.
#
# The notes' convention: one example is a **column** vector, xᵢ = σ(Wᵢxᵢ₋₁ + bᵢ), E = ½‖x_L − y‖².
# Every delta rule is computed **by hand** in numpy and **by autodiff** (`Tensor.backward`), with an
# `assert` that they agree to 1e-12.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np
from side_by_side import same  # notebooks/side_by_side.py: hand beside autodiff, asserted

from autodiff import ShapeError, Tensor, Value


def sig(z):
    return 1 / (1 + np.exp(-z))


# %% [markdown]
# ## Non-vectorized backpropagation: "Don't do it. Seriously."
#
# The notes skip the neuron-by-neuron chain rule because it is tedious by hand. It is not tedious for
# autodiff: with one `Value` per weight it *is* the non-vectorized backpropagation, every partial
# derivative summed edge by edge. On the network of section 3.1 (target y = 0.5) it gives exactly the
# gradients of the vectorized version, one `Tensor` per matrix.

# %%
W1_0 = np.array([[4.0, 5.0], [5.0, 6.0], [6.0, 7.0]])   # rows: (w13, w23), (w14, w24), (w15, w25)
W2_0 = np.array([[9.0, 10.0, 11.0]])                     # (w36, w46, w56)
b1_0, b2_0 = np.ones((3, 1)), np.ones((1, 1))
x0_0, y_0 = np.array([[0.2], [0.3]]), np.array([[0.5]])

# one Value per number
Wv1 = [[Value(w) for w in row] for row in W1_0.tolist()]
Wv2 = [Value(w) for w in W2_0[0].tolist()]
bv1, bv2 = [Value(1.0) for _ in range(3)], Value(1.0)
# .tolist(): Value.dot takes Python floats (it rejects numpy's float64 scalars)
hidden = [Value.dot(Wv1[j], x0_0[:, 0].tolist(), bv1[j]).sigmoid() for j in range(3)]
n6 = Value.dot(Wv2, hidden, bv2).sigmoid()
E_scalar = 0.5 * (n6 - y_0.item()) ** 2
E_scalar.backward()

# one Tensor per matrix
W1, W2 = Tensor(W1_0, requires_grad=True), Tensor(W2_0, requires_grad=True)
b1, b2 = Tensor(b1_0, requires_grad=True), Tensor(b2_0, requires_grad=True)
E_vec = 0.5 * (((W2 @ (W1 @ x0_0 + b1).sigmoid() + b2).sigmoid() - y_0) ** 2).sum()
E_vec.backward()

same("E", E_scalar.data, E_vec.item())
same("∂E/∂W1", [[w.grad for w in row] for row in Wv1], W1.grad)
same("∂E/∂W2", [[w.grad for w in Wv2]], W2.grad)
same("∂E/∂b1", [[b.grad] for b in bv1], b1.grad)
same("∂E/∂b2", [[bv2.grad]], b2.grad)

# %% [markdown]
# ## Vectorized backpropagation: δ₂ and ∂E/∂W₂ = δ₂x₁ᵀ
#
# The section's network: 3 inputs, 4 hidden, 2 outputs, biases ignored for now:
# x₁ = σ(W₁x₀), x₂ = σ(W₂x₁), E = ½‖x₂ − y‖² for a 2 × 1 target y. The notes:
#
# δ₂ = (x₂ − y) ⊙ σ′(W₂x₁),  ∂E/∂W₂ = δ₂x₁ᵀ.
#
# The weights are drawn from [−1, 1] as the notes say is done in practice (seeded).

# %%
rng = np.random.default_rng(4)
W1_0, W2_0 = rng.uniform(-1, 1, (4, 3)), rng.uniform(-1, 1, (2, 4))
x0 = np.array([[0.5], [-1.0], [2.0]])
y = np.array([[0.2], [0.9]])

# by hand
x1 = sig(W1_0 @ x0)
x2 = sig(W2_0 @ x1)
sp2 = x2 * (1 - x2)                      # σ'(W₂x₁) = σ(1 − σ)
delta2 = (x2 - y) * sp2
dW2 = delta2 @ x1.T

# by autodiff
W1, W2 = Tensor(W1_0, requires_grad=True, label="W1"), Tensor(W2_0, requires_grad=True, label="W2")
x2_t = (W2 @ (W1 @ x0).sigmoid()).sigmoid()
E = 0.5 * ((x2_t - y) ** 2).sum()
E.backward()
same("∂E/∂W2", dW2, W2.grad)

# %% [markdown]
# ### The shapes work out only with x₁ᵀ
#
# W₂ is 2 × 4 (x₂ is 2 × 1, x₁ is 4 × 1), so ∂E/∂W₂ must be 2 × 4 for the update W₂ − α∂E/∂W₂.
# δ₂ is 2 × 1 and x₁ᵀ is 1 × 4: their product is 2 × 4. Without the transpose, δ₂x₁ is a
# (2 × 1)(4 × 1) product, which does not exist; autodiff says so.

# %%
print("W2:", W2_0.shape, " δ2:", delta2.shape, " x1ᵀ:", x1.T.shape, " δ2 x1ᵀ:", dW2.shape, " ∂E/∂W2:", W2.grad.shape)
assert dW2.shape == W2_0.shape == W2.grad.shape == (2, 4) and delta2.shape == (2, 1)
try:
    Tensor(delta2) @ Tensor(x1)
    raise AssertionError("(2, 1) @ (4, 1) should not exist")
except ShapeError as e:
    print("δ2 x1 without the transpose:", e)

# %% [markdown]
# ### Erratum: δ₂ changes sign between two lines
#
# The notes define δ₂ = (x₂ − y) ⊙ σ′(W₂x₁), and a few lines later, checking the shapes, write
# "δ₂ = (y − σ(W₂x₁)) ⊙ σ′(W₂x₁)", which is −δ₂ (x₂ = σ(W₂x₁)). The first is right: E = ½‖x₂ − y‖²
# gives ∂E/∂x₂ = x₂ − y. With the second, ∂E/∂W₂ = δ₂x₁ᵀ points **uphill**, and the update
# W₂ − α∂E/∂W₂ makes the error larger.

# %%
delta2_second = (y - sig(W2_0 @ x1)) * sp2
same("δ2 (first)", delta2 @ x1.T, W2.grad)
same("−δ2 (second)", -(delta2_second @ x1.T), W2.grad)
print("δ2 first line :", delta2.ravel().round(6))
print("δ2 second line:", delta2_second.ravel().round(6))
assert np.allclose(delta2_second, -delta2, rtol=0, atol=1e-15)


def error_with(W2_new):
    return 0.5 * np.sum((sig(W2_new @ x1) - y) ** 2)


alpha = 0.5
E_right = error_with(W2_0 - alpha * delta2 @ x1.T)
E_wrong = error_with(W2_0 - alpha * delta2_second @ x1.T)
print(f"E = {E.item():.6f}; one step with the first δ2: {E_right:.6f}; with the second δ2: {E_wrong:.6f}")
assert E_right < E.item() < E_wrong

# %% [markdown]
# ### δ₁ = W₂ᵀδ₂ ⊙ σ′(W₁x₀) and ∂E/∂W₁ = δ₁x₀ᵀ
#
# One layer further down, the error is sent back through W₂ᵀ and multiplied by the hidden layer's
# σ′. (The notes' middle line writes ∂E/∂W₁ = δ₂ ∂(W₂x₁)/∂W₁ = W₂ᵀδ₂ ∂x₁/∂W₁, with the factors in
# the order the shapes need.)

# %%
delta1 = (W2_0.T @ delta2) * x1 * (1 - x1)
dW1 = delta1 @ x0.T
same("δ1", delta1, (W2_0.T @ delta2) * sig(W1_0 @ x0) * (1 - sig(W1_0 @ x0)))
same("∂E/∂W1", dW1, W1.grad)

# %% [markdown]
# ### The rule for any number of layers
#
# δ_L = (x_L − y) ⊙ σ′(W_L x_{L−1}),  δᵢ = W_{i+1}ᵀδ_{i+1} ⊙ σ′(Wᵢxᵢ₋₁),  ∂E/∂Wᵢ = δᵢxᵢ₋₁ᵀ.
#
# A 5-layer network 3 → 6 → 5 → 4 → 3 → 2, by the loop the notes describe and by one `backward()`.

# %%
sizes = [3, 6, 5, 4, 3, 2]
Ws0 = [rng.uniform(-1, 1, (n_out, n_in)) for n_in, n_out in zip(sizes, sizes[1:])]
xs = [x0]
for Wi in Ws0:
    xs.append(sig(Wi @ xs[-1]))
deltas = [None] * len(Ws0)
deltas[-1] = (xs[-1] - y) * xs[-1] * (1 - xs[-1])
for i in range(len(Ws0) - 2, -1, -1):
    deltas[i] = (Ws0[i + 1].T @ deltas[i + 1]) * xs[i + 1] * (1 - xs[i + 1])
grads_hand = [d @ x.T for d, x in zip(deltas, xs)]

Ws = [Tensor(Wi, requires_grad=True) for Wi in Ws0]
out = Tensor(x0)
for Wi in Ws:
    out = (Wi @ out).sigmoid()
(0.5 * ((out - y) ** 2).sum()).backward()
for i, (gh, Wi) in enumerate(zip(grads_hand, Ws), start=1):
    same(f"∂E/∂W{i}", gh, Wi.grad)

# %% [markdown]
# ### Biases: bᵢ ← bᵢ − αδᵢ
#
# With biases, xᵢ = σ(Wᵢxᵢ₋₁ + bᵢ) and every σ′ is taken at Wᵢxᵢ₋₁ + bᵢ. Since ∂(Wx + b)/∂b is the
# identity, ∂E/∂bᵢ = δᵢ, and the update is the notes' bᵢ ← bᵢ − αδᵢ. One gradient step with a small α
# lowers E.

# %%
b1_0, b2_0 = rng.uniform(-1, 1, (4, 1)), rng.uniform(-1, 1, (2, 1))
h1 = sig(W1_0 @ x0 + b1_0)
h2 = sig(W2_0 @ h1 + b2_0)
d2 = (h2 - y) * h2 * (1 - h2)
d1 = (W2_0.T @ d2) * h1 * (1 - h1)

P = {k: Tensor(v, requires_grad=True) for k, v in dict(W1=W1_0, b1=b1_0, W2=W2_0, b2=b2_0).items()}
Eb = 0.5 * (((P["W2"] @ (P["W1"] @ x0 + P["b1"]).sigmoid() + P["b2"]).sigmoid() - y) ** 2).sum()
Eb.backward()
for name, hand in [("∂E/∂W1", d1 @ x0.T), ("∂E/∂b1", d1), ("∂E/∂W2", d2 @ h1.T), ("∂E/∂b2", d2)]:
    same(name, hand, P[name.split("∂")[-1]].grad)

alpha = 0.1
new = {k: P[k].data - alpha * P[k].grad for k in P}
E_after = 0.5 * np.sum((sig(new["W2"] @ sig(new["W1"] @ x0 + new["b1"]) + new["b2"]) - y) ** 2)
print(f"E before the step: {Eb.item():.6f}, after W ← W − αδxᵀ, b ← b − αδ (α = 0.1): {E_after:.6f}")
assert E_after < Eb.item()

# %% [markdown]
# ### "These formulas work for any activation function"
#
# Only σ′ changes: tanh′ = 1 − tanh², relu′ = 1 for z > 0 else 0, elu′ = 1 for z > 0 else eᶻ. The same
# delta rules with each derivative by hand, against autodiff's gradient of the same network.

# %%
acts = {
    "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2, lambda t: t.tanh()),
    "relu": (lambda z: np.maximum(z, 0), lambda z: (z > 0).astype(float), lambda t: t.relu()),
    "elu": (lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0))), lambda z: np.where(z > 0, 1.0, np.exp(z)),
            lambda t: t.elu()),
}
for name, (f, fprime, f_tensor) in acts.items():
    z1 = W1_0 @ x0 + b1_0
    a1 = f(z1)
    z2 = W2_0 @ a1 + b2_0
    e2 = (f(z2) - y) * fprime(z2)
    e1 = (W2_0.T @ e2) * fprime(z1)
    Q = {k: Tensor(v, requires_grad=True) for k, v in dict(W1=W1_0, b1=b1_0, W2=W2_0, b2=b2_0).items()}
    (0.5 * ((f_tensor(Q["W2"] @ f_tensor(Q["W1"] @ x0 + Q["b1"]) + Q["b2"]) - y) ** 2).sum()).backward()
    same(f"{name}: ∂E/∂W1", e1 @ x0.T, Q["W1"].grad)
    same(f"{name}: ∂E/∂W2", e2 @ a1.T, Q["W2"].grad)

# %% [markdown]
# ### σ′(x) = σ(x)(1 − σ(x))
#
# "The reason sigmoid is used to teach is because its derivative is fairly straightforward." On a grid
# of 201 points, the formula against autodiff's derivative of `sigmoid`.

# %%
grid = np.linspace(-10, 10, 201)
z = Tensor(grid, requires_grad=True)
z.sigmoid().sum().backward()       # d/dzᵢ Σⱼ σ(zⱼ) = σ'(zᵢ)
same("σ'(x)", sig(grid) * (1 - sig(grid)), z.grad)

# %% [markdown]
# ## Problem 1: the 3-4-2 network with the linear activation y = x
#
# W₁ = [[2, 3, 4], [2, 1, 2], [3, 5, 1], [2, 3, 4]], W₂ = [[3, 1, 1, 1], [1, 4, 2, 2]],
# x₀ = (2, 1, 3)ᵀ, b₁ = (4, 1, 1, 2)ᵀ, b₂ = (2, 3)ᵀ, target t = (4, 5)ᵀ, α = 0.1, and the activation
# y = x, whose derivative is always 1. The error is the section's E = ½‖x₂ − t‖².
#
# ### The forward pass

# %%
W1_0 = np.array([[2.0, 3, 4], [2, 1, 2], [3, 5, 1], [2, 3, 4]])
W2_0 = np.array([[3.0, 1, 1, 1], [1, 4, 2, 2]])
x0 = np.array([[2.0], [1], [3]])
b1_0 = np.array([[4.0], [1], [1], [2]])
b2_0 = np.array([[2.0], [3]])
t = np.array([[4.0], [5]])
alpha = 0.1

x1 = W1_0 @ x0 + b1_0           # σ(z) = z
x2 = W2_0 @ x1 + b2_0
E_hand = 0.5 * np.sum((x2 - t) ** 2)
print("x1 = W1 x0 + b1 =", x1.ravel(), "   x2 = W2 x1 + b2 =", x2.ravel(), f"   E = ½‖x2 − t‖² = {E_hand:g}")
assert x1.ravel().tolist() == [23, 12, 15, 21] and x2.ravel().tolist() == [119, 146] and E_hand == 16553

P = {k: Tensor(v, requires_grad=True, label=k) for k, v in dict(W1=W1_0, b1=b1_0, W2=W2_0, b2=b2_0).items()}
x2_t = P["W2"] @ (P["W1"] @ x0 + P["b1"]) + P["b2"]
E1 = 0.5 * ((x2_t - t) ** 2).sum()
E1.backward()
same("x2", x2, x2_t.data)
same("E", E_hand, E1.item())

# %% [markdown]
# ### Every gradient
#
# With σ′ = 1 the deltas are δ₂ = x₂ − t = (115, 141)ᵀ and δ₁ = W₂ᵀδ₂ = (486, 679, 397, 397)ᵀ;
# then ∂E/∂W₂ = δ₂x₁ᵀ, ∂E/∂b₂ = δ₂, ∂E/∂W₁ = δ₁x₀ᵀ, ∂E/∂b₁ = δ₁.

# %%
d2 = x2 - t
d1 = W2_0.T @ d2
assert d2.ravel().tolist() == [115, 141] and d1.ravel().tolist() == [486, 679, 397, 397]
grads = {"W2": d2 @ x1.T, "b2": d2, "W1": d1 @ x0.T, "b1": d1}
for k in ["W2", "b2", "W1", "b1"]:
    print(f"∂E/∂{k} =\n{grads[k]}")
    same(f"∂E/∂{k}", grads[k], P[k].grad)

# %% [markdown]
# ### The updated weights (α = 0.1)

# %%
updated = {k: v - alpha * grads[k] for k, v in dict(W1=W1_0, b1=b1_0, W2=W2_0, b2=b2_0).items()}
for k in ["W1", "b1", "W2", "b2"]:
    print(f"{k} − 0.1·∂E/∂{k} =\n{updated[k]}")
    same(k, updated[k], P[k].data - alpha * P[k].grad)

# %% [markdown]
# ### What the step does to E: it makes it 23 million times **larger**
#
# Run the forward pass again with the updated weights: E goes from 16 553 to about 3.9·10¹¹. The
# step did not learn anything; it made the network far worse. The gradients are in the hundreds and
# thousands (the outputs 119 and 146 are far from the targets 4 and 5, and a linear network passes the
# errors back unshrunk), so α = 0.1 moves each weight by tens of units, while the weights themselves
# are 1 to 5. The step overshoots the minimum along its own direction by orders of magnitude.
#
# Along the step direction, E(α) = E(θ − α∇E) is a polynomial in α (degree 4: x₂ is a product of
# two layers that both move). Its slope at α = 0 is −‖∇E‖² (gradient descent does go downhill at
# first), but E comes back above 16 553 for every α above about 0.0036: α = 0.1 is 28 times past
# that. The best α on this line is about 0.0007, and it would bring E down to about 30.

# %%
def E_after_step(a):
    new = {k: v - a * grads[k] for k, v in dict(W1=W1_0, b1=b1_0, W2=W2_0, b2=b2_0).items()}
    return 0.5 * np.sum((new["W2"] @ (new["W1"] @ x0 + new["b1"]) + new["b2"] - t) ** 2)


E_new = E_after_step(alpha)
print(f"E before: {E_hand:,.0f}    E after one step with α = 0.1: {E_new:,.1f}    ratio {E_new / E_hand:,.0f}")
assert E_new > 2e7 * E_hand

a_t = Value(0.0)     # autodiff along the line: dE/dα at 0 = −‖∇E‖²
xa1 = [Value.dot([W1_0[i, j] - a_t * grads["W1"][i, j] for j in range(3)], x0[:, 0].tolist(),
                 b1_0[i, 0] - a_t * grads["b1"][i, 0]) for i in range(4)]
xa2 = [Value.dot([W2_0[k, i] - a_t * grads["W2"][k, i] for i in range(4)], xa1,
                 b2_0[k, 0] - a_t * grads["b2"][k, 0]) for k in range(2)]
(0.5 * Value.sum([(xa2[k] - t[k, 0]) ** 2 for k in range(2)])).backward()
norm2 = sum(np.sum(g ** 2) for g in grads.values())
print(f"dE/dα at α = 0 by autodiff: {a_t.grad:,.1f}    −‖∇E‖² by hand: {-norm2:,.1f}")
assert abs(a_t.grad + norm2) <= 1e-12 * norm2

# E(α) is a degree-4 polynomial: fit it exactly from 5 points, then find where it returns to E(0)
coeffs = np.polyfit([0, 0.001, 0.002, 0.003, 0.004], [E_after_step(a) for a in [0, 0.001, 0.002, 0.003, 0.004]], 4)
assert abs(np.polyval(coeffs, alpha) - E_new) < 1e-6 * E_new
roots = np.roots(coeffs - np.array([0, 0, 0, 0, E_hand]))
crossing = min(r.real for r in roots if abs(r.imag) < 1e-12 and r.real > 1e-9)
assert all(r.real <= crossing + 1e-12 for r in roots if abs(r.imag) < 1e-12)   # above it, E stays higher
stationary = np.roots(np.polyder(coeffs))
best = min((r.real for r in stationary if abs(r.imag) < 1e-12 and 0 < r.real < crossing), key=E_after_step)
print(f"E(α) < E(0) only for 0 < α < {crossing:.5f}; the best α on this line is {best:.5f}, "
      f"where E = {E_after_step(best):,.2f}")
assert 0.0035 < crossing < 0.0036 and 0.00065 < best < 0.00075 and E_after_step(best) < 31
alphas = np.geomspace(1e-5, 0.2, 400)
Es = np.array([E_after_step(a) for a in alphas])

fig, ax = plt.subplots(figsize=(7, 3.5))
ax.loglog(alphas, Es, label="E after one step of size α")
ax.axhline(E_hand, color="grey", ls="--", label="E before the step = 16 553")
ax.axvline(alpha, color="crimson", ls=":", label="the problem's α = 0.1")
ax.plot([best], [E_after_step(best)], "o", color="green", label=f"best α ≈ {best:.5f}")
ax.set_xlabel("α")
ax.set_ylabel("E")
ax.legend()
ax.set_title("Problem 1: only a tiny step lowers the error")
plt.show()

# %% [markdown]
# ## Problem 2: forward propagation in Python with numpy
#
# Layers as column vectors, one weight matrix and one bias vector per layer, any activation. Checked
# on Problem 1 (linear) and on the notes' network of section 3.1 (sigmoid, n₆ = σ(30.3138)).

# %%
def forward(Ws, bs, x, act=sig):
    """[x₀, x₁, …, x_L] with xᵢ = act(Wᵢxᵢ₋₁ + bᵢ)."""
    xs = [x]
    for Wi, bi in zip(Ws, bs):
        xs.append(act(Wi @ xs[-1] + bi))
    return xs


assert forward([W1_0, W2_0], [b1_0, b2_0], x0, act=lambda z: z)[-1].ravel().tolist() == [119, 146]
n = forward([np.array([[4.0, 5], [5, 6], [6, 7]]), np.array([[9.0, 10, 11]])], [np.ones((3, 1)), np.ones((1, 1))],
            np.array([[0.2], [0.3]]))
hidden3 = [round(v, 3) for v in n[1].ravel().tolist()]
print("section 3.1 with forward(): n3, n4, n5 =", hidden3, " n6 =", round(n[2].item(), 3))
assert hidden3 == [0.964, 0.978, 0.987] and round(n[2].item(), 3) == 1.0

# %% [markdown]
# ## Problem 3: backpropagation in Python with numpy
#
# The delta rules for any depth, with biases, for E = ½‖x_L − y‖² summed over the examples when x
# holds several columns (then ∂E/∂bᵢ is δᵢ summed over the columns). Checked against autodiff on a
# random 3 → 5 → 4 → 2 sigmoid network and a batch of 8 examples.

# %%
def backward(Ws, xs, y):
    """(∂E/∂Wᵢ, ∂E/∂bᵢ) for every layer, from the forward pass xs of a sigmoid network."""
    delta = (xs[-1] - y) * xs[-1] * (1 - xs[-1])
    grads = []
    for i in range(len(Ws) - 1, -1, -1):
        grads.append((delta @ xs[i].T, delta.sum(axis=1, keepdims=True)))
        if i:
            delta = (Ws[i].T @ delta) * xs[i] * (1 - xs[i])
    return grads[::-1]


sizes = [3, 5, 4, 2]
Ws0 = [rng.uniform(-1, 1, (o, i)) for i, o in zip(sizes, sizes[1:])]
bs0 = [rng.uniform(-1, 1, (o, 1)) for o in sizes[1:]]
X, Y = rng.normal(size=(3, 8)), rng.uniform(size=(2, 8))
hand = backward(Ws0, forward(Ws0, bs0, X), Y)

Wt = [Tensor(Wi, requires_grad=True) for Wi in Ws0]
bt = [Tensor(bi, requires_grad=True) for bi in bs0]
a = Tensor(X)
for Wi, bi in zip(Wt, bt):
    a = (Wi @ a + bi).sigmoid()
(0.5 * ((a - Y) ** 2).sum()).backward()
for i, ((gW, gb), Wi, bi) in enumerate(zip(hand, Wt, bt), start=1):
    same(f"∂E/∂W{i}", gW, Wi.grad)
    same(f"∂E/∂b{i}", gb, bi.grad)

# %% [markdown]
# ## Problem 4: a whole neural network in numpy
#
# Problems 2 and 3 plus the update rule make a network that learns. Trained on XOR (2 → 4 → 1, sigmoid,
# full batch, α = 2, 3000 steps) from seeded weights, next to the same network trained with autodiff's
# gradients from the same start: the two error curves are the same to 1e-9, and both solve XOR.

# %%
X = np.array([[0.0, 0, 1, 1], [0, 1, 0, 1]])
Y = np.array([[0.0, 1, 1, 0]])
init = np.random.default_rng(7)
Ws_np = [init.uniform(-1, 1, (4, 2)), init.uniform(-1, 1, (1, 4))]
bs_np = [init.uniform(-1, 1, (4, 1)), init.uniform(-1, 1, (1, 1))]
Ws_ad = [Tensor(Wi.copy(), requires_grad=True) for Wi in Ws_np]
bs_ad = [Tensor(bi.copy(), requires_grad=True) for bi in bs_np]
alpha, curve_np, curve_ad = 2.0, [], []
for _ in range(3000):
    xs = forward(Ws_np, bs_np, X)
    curve_np.append(0.5 * np.sum((xs[-1] - Y) ** 2))
    for i, (gW, gb) in enumerate(backward(Ws_np, xs, Y)):
        Ws_np[i] = Ws_np[i] - alpha * gW
        bs_np[i] = bs_np[i] - alpha * gb

    a = Tensor(X)
    for Wi, bi in zip(Ws_ad, bs_ad):
        a = (Wi @ a + bi).sigmoid()
    E_ad = 0.5 * ((a - Y) ** 2).sum()
    for p in Ws_ad + bs_ad:
        p.zero_grad()
    E_ad.backward()
    curve_ad.append(E_ad.item())
    for p in Ws_ad + bs_ad:
        p.data -= alpha * p.grad

out = forward(Ws_np, bs_np, X)[-1]
print(f"E: {curve_np[0]:.4f} at the start, {curve_np[-1]:.6f} after 3000 steps")
print("outputs for (0,0), (0,1), (1,0), (1,1):", out.ravel().round(4))
print(f"largest difference between the numpy and autodiff error curves: {np.abs(np.subtract(curve_np, curve_ad)).max():.1e}")
assert np.allclose(curve_np, curve_ad, rtol=0, atol=1e-9)
assert (out.round() == Y).all() and curve_np[-1] < 0.01

fig, ax = plt.subplots(figsize=(7, 3.2))
ax.semilogy(curve_np, label="numpy (Problems 2–4)")
ax.semilogy(curve_ad, "--", label="autodiff")
ax.set_xlabel("step")
ax.set_ylabel("E = ½‖x₂ − y‖²")
ax.legend()
ax.set_title("XOR, 2-4-1 sigmoid network, α = 2")
plt.show()
