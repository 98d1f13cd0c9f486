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
# # A multi-layer network with Θ, why training it is hard, and the error functions
#
# **Lecture note:** *Neural networks* (seed 001, `../shared/seeds/001_6468bfa075136aa5.txt`).
# **Sections reproduced here:** *Multi-layer neural networks* (Figure 3, the weight matrices Θ⁽ⁱ⁾ with
# the bias folded in, their dimensions, one neuron at a time or all at once), *Training a multi-layer
# neural network* (more weights, Figure 4, non-convexity) and *Error functions* (RSS, ½MSE, binary
# cross entropy and the Bernoulli likelihood, multinomial cross entropy with one-hot targets and
# softmax). Neurons and activations are in `10_neurons_and_activations`; back-propagation and the
# worked example in `12_backprop_worked_example`.
#
# The notes fold each layer's bias into its weight matrix: a bias unit a₀ = 1 is put in front of
# every layer's outputs and Θ⁽ⁱ⁾ gets a column 0 for it. The library keeps W and b apart
# (`nn.Linear` computes X @ W + b with W of shape (nin, nout)). Both are computed here and must give
# the same numbers: Θ⁽ⁱ⁾ = [b | Wᵀ].

# %%
# %matplotlib inline
import math

import matplotlib.pyplot as plt
import numpy as np
from side_by_side import same  # notebooks/side_by_side.py: hand beside autodiff, asserted

import nn
from autodiff import ShapeError, Tensor, Value, concatenate, draw


def sig(z):
    return 1 / (1 + np.exp(-z))


# %% [markdown]
# ## Figure 3: 4 inputs → 2 hidden → 3 outputs, with the bias folded into Θ
#
# x = (x₀, x₁, …, x₄)ᵀ with x₀ = 1, Θ⁽¹⁾ is 2 × 5 and Θ⁽²⁾ is 3 × 3: "dim Θ⁽ⁱ⁾ = N_{i+1} × (N_i + 1)"
# (one row per neuron of the next layer, one column per neuron of this layer plus the bias unit).
# Row k of Θ⁽ⁱ⁾ is θ_{·,k}⁽ⁱ⁾ᵀ, the weights **into** neuron k of layer i + 1; θ_{j,k}⁽ⁱ⁾ is in row k,
# column j. a⁽²⁾ = (1, σ(Θ⁽¹⁾a⁽¹⁾))ᵀ gets its own bias unit; a⁽³⁾ = σ(Θ⁽²⁾a⁽²⁾).
#
# The numbers are made up (the notes give none), drawn once with a seed and rounded to one decimal.

# %%
rng = np.random.default_rng(1)
Theta1 = rng.uniform(-1, 1, (2, 5)).round(1)
Theta2 = rng.uniform(-1, 1, (3, 3)).round(1)
x = np.array([1.0, 0.5, -1.2, 0.3, 2.0])            # x₀ = 1 is the bias unit
y = np.array([0.2, 0.7, 0.4])
N = [4, 2, 3]                                       # N₁, N₂, N₃: neurons per layer, without bias units
for i, T in enumerate([Theta1, Theta2], start=1):
    print(f"Θ({i}) is {T.shape[0]} × {T.shape[1]}; N_{i + 1} × (N_{i} + 1) = {N[i]} × {N[i - 1] + 1}")
    assert T.shape == (N[i], N[i - 1] + 1)
print("Θ(1) =\n", Theta1, "\nΘ(2) =\n", Theta2)

# by hand, as the notes write it: Θ times a, the bias unit in front
a2 = np.concatenate([[1.0], sig(Theta1 @ x)])
a3 = sig(Theta2 @ a2)

# the library's way: W (nin × nout) and b separate, W = Θ[:, 1:]ᵀ, b = Θ[:, 0]
net = nn.Sequential(nn.Linear(4, 2), nn.Sigmoid(), nn.Linear(2, 3), nn.Sigmoid())
for layer, T in zip([net[0], net[2]], [Theta1, Theta2]):
    layer.W.data[...] = T[:, 1:].T
    layer.b.data[...] = T[:, 0]
out = net(Tensor(x[1:]))
same("a(3): Θ by hand vs W, b", a3, out.data)

# %% [markdown]
# The gradients agree too. With C = ½‖a⁽³⁾ − y‖², autodiff differentiates the folded form (a Tensor Θ,
# the bias unit concatenated in front of each layer) and the separate form (`nn.Linear`);
# ∂C/∂Θ⁽ⁱ⁾ must be [∂C/∂b | (∂C/∂W)ᵀ].

# %%
T1, T2 = Tensor(Theta1, requires_grad=True), Tensor(Theta2, requires_grad=True)
one = Tensor([1.0])
a3_folded = (T2 @ concatenate([one, (T1 @ Tensor(x)).sigmoid()])).sigmoid()
(0.5 * ((a3_folded - y) ** 2).sum()).backward()
(0.5 * ((out - y) ** 2).sum()).backward()
for i, (T, layer) in enumerate([(T1, net[0]), (T2, net[2])], start=1):
    same(f"∂C/∂Θ({i}) vs [∂C/∂b | ∂C/∂Wᵀ]", T.grad, np.column_stack([layer.b.grad, layer.W.grad.T]))

# %% [markdown]
# ### One neuron at a time, or the whole layer at once
#
# The notes write each neuron as aⱼ⁽ⁱ⁾ = σ(θ_{·,j}⁽ⁱ⁻¹⁾ᵀ a⁽ⁱ⁻¹⁾), a dot product per neuron, and then the
# layer as one matrix product a⁽ⁱ⁾ = σ(Θ⁽ⁱ⁻¹⁾a⁽ⁱ⁻¹⁾). A loop over neurons with plain floats gives the
# matrix product's numbers.

# %%
def neuron_by_neuron(Theta, a_prev):
    return [1 / (1 + math.exp(-sum(Theta[k][j] * a_prev[j] for j in range(len(a_prev))))) for k in range(len(Theta))]


a2_loop = [1.0] + neuron_by_neuron(Theta1.tolist(), x.tolist())
a3_loop = neuron_by_neuron(Theta2.tolist(), a2_loop)
same("a(2), loop vs matrix", a2_loop, a2)
same("a(3), loop vs matrix", a3_loop, a3)

# %% [markdown]
# The same network one neuron at a time as `nn.MLP` (its Values are the notes' picture: one weighted sum
# per neuron), weights set from Θ and named θ(i)_{j,k} as in the notes, with C = ½‖a⁽³⁾ − y‖². In
# the pictures, the bias weight θ(i)_{0,k} enters each weighted sum directly (the bias unit's 1 is left
# out). The network view draws a node per neuron (its bias and dC/db) and an edge per weight (θ and
# dC/dθ); the graph autodiff built has 45 nodes, three pages wide, so `draw` shows the part nearest the
# cost (`max_nodes=None` draws all of it, `focus=` one weight's paths, as below).

# %%
mlp = nn.MLP(4, [2, 3], activation="sigmoid", output_activation="sigmoid", seed=0)
for layer, T in zip(mlp.layers, [Theta1, Theta2]):
    for k, neuron in enumerate(layer.neurons):
        neuron.b.data = float(T[k, 0])
        for j, w in enumerate(neuron.w, start=1):
            w.data = float(T[k, j])
for i, layer in enumerate(mlp.layers, start=1):       # name the weights as the notes do: θ(i)_{j,k}
    for k, neuron in enumerate(layer.neurons, start=1):
        neuron.b.label = f"θ({i})_0,{k}"
        for j, w in enumerate(neuron.w, start=1):
            w.label = f"θ({i})_{j},{k}"
inputs = [Value(v, label=f"x{j}") for j, v in enumerate(x[1:].tolist(), start=1)]
outs = mlp(inputs)
C = 0.5 * Value.sum([(o - Value(t, label=f"y{k}")) ** 2 for k, (o, t) in enumerate(zip(outs, y.tolist()), start=1)])
hidden = outs[0].parents[0].parents[2:4]               # a dot node's parents: weights, inputs, bias
for k, o in enumerate(outs, start=1):
    o.label, o.parents[0].label = f"a(3)_{k}", f"z(3)_{k}"
for k, h in enumerate(hidden, start=1):
    h.label, h.parents[0].label = f"a(2)_{k}", f"z(2)_{k}"
C.label = "C"
C.backward()
same("a(3), nn.MLP vs Θ", [o.data for o in outs], a3)
nn.draw_network(mlp, view="neurons", digits=3)

# %%
draw(C, params=mlp.parameters())

# %% [markdown]
# ### Erratum: Figure 3's Θ⁽²⁾ has θ_{2,2} where θ_{2,1} belongs
#
# The notes print Θ⁽²⁾'s first row as (θ_{0,1}⁽²⁾, θ_{1,1}⁽²⁾, θ_{2,2}⁽²⁾). Row 1 holds the weights into
# output neuron 1, so its third entry is θ_{2,1}⁽²⁾ (hidden neuron 2 → output 1); θ_{2,2}⁽²⁾ is the
# weight into output 2 and already sits in row 2. Taken literally, output neuron 1 would use output 2's
# weight, and a₁⁽³⁾ would come out wrong; the index rule reproduces autodiff's network.

# %%
def theta_from_indices(table, theta):
    """The matrix whose entries are θ_{j,k}, for a table of (j, k) index pairs as the notes print them."""
    return np.array([[theta[k - 1, j] for j, k in row] for row in table])


printed = [[(0, 1), (1, 1), (2, 2)], [(0, 2), (1, 2), (2, 2)], [(0, 3), (1, 3), (2, 3)]]
correct = [[(j, k) for j in range(3)] for k in (1, 2, 3)]
a3_printed = sig(theta_from_indices(printed, Theta2) @ a2)
a3_correct = sig(theta_from_indices(correct, Theta2) @ a2)
print("a(3) with the printed indices:", a3_printed.round(6))
print("a(3) with θ_(2,1) in row 1:   ", a3_correct.round(6))
print("autodiff (nn.MLP):            ", np.array([o.data for o in outs]).round(6))
same("correct indices vs autodiff", a3_correct, [o.data for o in outs])
assert abs(a3_printed[0] - a3_correct[0]) > 1e-3 and np.allclose(a3_printed[1:], a3_correct[1:])

# %% [markdown]
# ## Training is harder: far more weights
#
# "There are far more weights to optimize—with one entire weight matrix Θ⁽ⁱ⁾ between layers i and
# i + 1." Figure 3 has 2·5 + 3·3 = 19 weights; the worked example's network (Figure 5: 4 → 2 → 3 → 1)
# has 2·5 + 3·3 + 1·4 = 23. `num_parameters()` counts the same (W and b together).

# %%
fig5 = nn.MLP(4, [2, 3, 1], activation="sigmoid", output_activation="sigmoid", seed=0)
print(f"Figure 3: {mlp.num_parameters()} weights, Figure 5: {fig5.num_parameters()} weights")
assert mlp.num_parameters() == Theta1.size + Theta2.size == 19 and fig5.num_parameters() == 23

# %% [markdown]
# ## Figure 4: one weight moves every neuron after it
#
# "The change of a single weight connecting a neuron nⱼ⁽ⁱ⁾ in layer i to n_k⁽ⁱ⁺¹⁾ in layer i + 1 will
# lead to all of the neurons in subsequent layers being affected." Nudge θ_{1,1}⁽¹⁾ (input x₁ → hidden
# neuron 1) by +0.1: hidden neuron 1 changes, hidden neuron 2 does not, and all three outputs change.
# `draw(C, focus=θ)` draws only the paths from that weight to the cost: Figure 4.

# %%
w11 = mlp.layers[0].neurons[0].w[0]                 # θ_{1,1}⁽¹⁾
before = [n.data for n in mlp.layers[0](x[1:].tolist())], [o.data for o in outs]
w11.data += 0.1
after = [n.data for n in mlp.layers[0](x[1:].tolist())], [o.data for o in mlp(x[1:].tolist())]
w11.data -= 0.1
for name, b, a in [("a(2)", before[0], after[0]), ("a(3)", before[1], after[1])]:
    print(f"{name}: before {np.round(b, 6)}  after {np.round(a, 6)}  changed: {[abs(p - q) > 1e-12 for p, q in zip(b, a)]}")
assert after[0][0] != before[0][0] and after[0][1] == before[0][1]
assert all(abs(p - q) > 1e-6 for p, q in zip(before[1], after[1]))
draw(C, focus=w11, params=mlp.parameters(), rankdir="TB")

# %% [markdown]
# ## Training is harder: the error is not convex
#
# "The error functions used in neural networks are non-convex." A quick proof with autodiff: train the
# Figure 3 network a little (Adam, 300 full-batch steps on 12 made-up examples), then swap its two
# hidden neurons (rows of Θ⁽¹⁾, columns 1 and 2 of Θ⁽²⁾). The swapped network computes exactly the
# same function, so it has exactly the same error. For a convex C, the midpoint between two weight
# vectors with the same error could not be worse; here it is: at the midpoint both hidden neurons are
# identical, and the network has lost one of them.

# %%
data_rng = np.random.default_rng(3)
X = data_rng.normal(size=(12, 4))
teacher = nn.Sequential(nn.Linear(4, 2, seed=5), nn.Tanh(), nn.Linear(2, 3, seed=6), nn.Sigmoid())
Y = teacher(Tensor(X)).data
student = nn.Sequential(nn.Linear(4, 2, seed=7), nn.Sigmoid(), nn.Linear(2, 3, seed=8), nn.Sigmoid())
opt = nn.Adam(student.parameters(), lr=0.05)
for _ in range(300):
    loss = 0.5 * ((student(Tensor(X)) - Y) ** 2).sum()
    opt.zero_grad()
    loss.backward()
    opt.step()

theta_a = [p.data.copy() for p in student.parameters()]          # W1 (4×2), b1, W2 (2×3), b2
perm = [1, 0]
theta_b = [theta_a[0][:, perm], theta_a[1][perm], theta_a[2][perm, :], theta_a[3]]


def cost_at(params):
    with_p = nn.Sequential(nn.Linear(4, 2), nn.Sigmoid(), nn.Linear(2, 3), nn.Sigmoid())
    for p, v in zip(with_p.parameters(), params):
        p.data[...] = v
    return 0.5 * float(((with_p(Tensor(X)).data - Y) ** 2).sum())


ts = np.linspace(-0.5, 1.5, 81)
line = [cost_at([a + t * (b - a) for a, b in zip(theta_a, theta_b)]) for t in ts]
C_a, C_b, C_mid = cost_at(theta_a), cost_at(theta_b), cost_at([(a + b) / 2 for a, b in zip(theta_a, theta_b)])
print(f"C(trained) = {C_a:.6f}, C(hidden neurons swapped) = {C_b:.6f}, C(midpoint) = {C_mid:.6f}")
assert abs(C_a - C_b) < 1e-12 and C_mid > 2 * C_a

fig, ax = plt.subplots(figsize=(7, 3.2))
ax.plot(ts, line)
ax.plot([0, 1], [C_a, C_b], "o", color="crimson", label="trained, and its hidden-unit swap")
ax.plot([0.5], [C_mid], "s", color="black", label="midpoint")
ax.set_xlabel("t: weights θ_a + t(θ_b − θ_a)")
ax.set_ylabel("C")
ax.legend()
ax.set_title("two equally good weight vectors, a worse one between them: not convex")
plt.show()

# %% [markdown]
# ## Error functions: real-valued output
#
# The residual sum of squares C = Σᵢ(y⁽ⁱ⁾ − ŷ⁽ⁱ⁾)², with ∂C/∂ŷ⁽ⁱ⁾ = −2(y⁽ⁱ⁾ − ŷ⁽ⁱ⁾) by hand, and the
# mean squared error with the notes' ½: C = (1/2N)Σᵢ(y⁽ⁱ⁾ − ŷ⁽ⁱ⁾)², whose derivative is
# −(y⁽ⁱ⁾ − ŷ⁽ⁱ⁾)/N: the ½ cancels the 2 from the square ("to make derivatives cleaner").

# %%
y_true = np.array([1.5, -0.3, 2.2, 0.8, 0.0])
y_pred = np.array([1.2, 0.1, 2.5, 0.8, -0.4])
n = len(y_true)
for name, cost, C_hand, dC_hand in [
    ("RSS", nn.rss, np.sum((y_true - y_pred) ** 2), -2 * (y_true - y_pred)),
    ("½MSE", lambda p, t: nn.mse(p, t, half=True), np.sum((y_true - y_pred) ** 2) / (2 * n), -(y_true - y_pred) / n),
]:
    pred = Tensor(y_pred, requires_grad=True)
    C_auto = cost(pred, y_true)
    C_auto.backward()
    same(f"{name}: C", C_hand, C_auto.item())
    same(f"{name}: ∂C/∂ŷ", dC_hand, pred.grad)

# %% [markdown]
# "For the back-propagation training algorithm, it is normally preferable for the error function to be
# represented as a mean": with the same data twice over, the RSS gradient doubles, the MSE gradient
# stays put, so one learning rate suits any N.

# %%
def gradient_size(cost, copies):
    """Σᵢ |∂C/∂ŷ⁽ⁱ⁾| by autodiff when the 5 samples appear `copies` times."""
    pred = Tensor(np.tile(y_pred, copies), requires_grad=True)
    cost(pred, np.tile(y_true, copies)).backward()
    return np.abs(pred.grad).sum()


for name, cost in [("RSS", nn.rss), ("½MSE", lambda p, t: nn.mse(p, t, half=True))]:
    once, twice = gradient_size(cost, 1), gradient_size(cost, 2)
    print(f"{name:<5} Σ|∂C/∂ŷ|: N = 5 → {once:.6f}, N = 10 → {twice:.6f}")
assert math.isclose(gradient_size(nn.rss, 2), 2 * gradient_size(nn.rss, 1))
assert math.isclose(gradient_size(lambda p, t: nn.mse(p, t, half=True), 2),
                    gradient_size(lambda p, t: nn.mse(p, t, half=True), 1))

# %% [markdown]
# ## Error functions: binary output, the binary cross entropy
#
# C = −(1/N)Σᵢ[(1 − y⁽ⁱ⁾)log(1 − p₁⁽ⁱ⁾) + y⁽ⁱ⁾ log p₁⁽ⁱ⁾]. By hand: ∂C/∂p₁ = (p₁ − y)/(N p₁(1 − p₁)), and
# with p₁ = σ(z) the σ′ = p₁(1 − p₁) cancels: ∂C/∂z = (p₁ − y)/N. Autodiff gets both, from the
# probabilities (`binary_cross_entropy`) and from the scores z (`bce_with_logits`).

# %%
labels = np.array([1.0, 0.0, 1.0, 1.0, 0.0, 0.0])
scores = np.array([2.0, -1.0, 0.3, -0.5, 0.8, -3.0])
p1 = sig(scores)
N_b = len(labels)
C_hand = -np.mean((1 - labels) * np.log(1 - p1) + labels * np.log(p1))

p_t = Tensor(p1, requires_grad=True)
C_p = nn.binary_cross_entropy(p_t, labels)
C_p.backward()
z_t = Tensor(scores, requires_grad=True)
C_z = nn.bce_with_logits(z_t, labels)
C_z.backward()
z_s = Tensor(scores, requires_grad=True)
nn.binary_cross_entropy(z_s.sigmoid(), labels).backward()
same("BCE", C_hand, C_p.item())
same("BCE from logits", C_hand, C_z.item())
same("∂C/∂p₁", (p1 - labels) / (N_b * p1 * (1 - p1)), p_t.grad)
same("∂C/∂z (logits)", (p1 - labels) / N_b, z_t.grad)
same("∂C/∂z (σ, then BCE)", (p1 - labels) / N_b, z_s.grad)

# %% [markdown]
# ### The binary cross entropy is the mean Bernoulli negative log-likelihood
#
# The notes' derivation, line by line, with the numbers: −(1/N) log Πᵢ(1 − p₁)^{1−y}p₁^y, then the log
# of the product as a sum of logs, then the exponents brought down; every line is the same number,
# and it is the BCE above.

# %%
lines = [
    -1 / N_b * math.log(math.prod((1 - p) ** (1 - t) * p ** t for p, t in zip(p1, labels))),
    -1 / N_b * sum(math.log((1 - p) ** (1 - t) * p ** t) for p, t in zip(p1, labels)),
    -1 / N_b * sum(math.log((1 - p) ** (1 - t)) + math.log(p ** t) for p, t in zip(p1, labels)),
    -1 / N_b * sum((1 - t) * math.log(1 - p) + t * math.log(p) for p, t in zip(p1, labels)),
]
for i, v in enumerate(lines, start=1):
    print(f"line {i}: {v:.15f}")
assert max(abs(v - C_p.item()) for v in lines) < 1e-14

# %% [markdown]
# ### Erratum: Θ⁽ᴸ⁾ of a one-neuron output layer is 1 × (N_L + 1), and p₁ = σ(Θ⁽ᴸ⁾a⁽ᴸ⁾)
#
# The notes: "the weight matrix from layer L to layer L + 1 is a (1 × N_L) vector
# Θ⁽ᴸ⁾ = (θ_{0,1}⁽ᴸ⁾, θ_{1,1}⁽ᴸ⁾, …, θ_{N_L,1}⁽ᴸ⁾)", which lists N_L + 1 entries: the bias weight θ_{0,1} is the
# extra one, and dim Θ⁽ⁱ⁾ = N_{i+1} × (N_i + 1) gives 1 × (N_L + 1). The same slip in the multinomial
# case: Θ⁽ᴸ⁾ "has dimensions (K × N_L)", where it is K × (N_L + 1). And p₁ = σ(Θ⁽ᴸ⁾ᵀa⁽ᴸ⁾) transposes a
# row into a column, and a column times the column a⁽ᴸ⁾ does not exist: with Θ's rows as the notes
# define them, p₁ = σ(Θ⁽ᴸ⁾a⁽ᴸ⁾). Figure 5's output layer (N_L = 3) in numbers, by autodiff:

# %%
N_L, K = 3, 4
ThetaL = Tensor(rng.uniform(-1, 1, (1, N_L + 1)))           # θ_{0,1} … θ_{N_L,1}
aL = Tensor(np.concatenate([[1.0], rng.uniform(0, 1, N_L)]).reshape(-1, 1))   # (1, a₁, …, a_N_L)ᵀ
print("entries listed:", ThetaL.shape[1], "= N_L + 1;  the notes' dimension 1 × N_L would hold", N_L)
try:
    ThetaL.T @ aL
    raise AssertionError("(4, 1) @ (4, 1) should not exist")
except ShapeError as e:
    print("σ(Θᵀa):", e)
p_1 = (ThetaL @ aL).sigmoid()
print(f"σ(Θa) = {p_1.item():.6f}, shape {p_1.shape}")
assert ThetaL.shape == (1, N_L + 1) and p_1.shape == (1, 1)
multi = nn.Linear(N_L, K)
print(f"multinomial: W and b hold {multi.W.data.size + multi.b.data.size} numbers = K × (N_L + 1) = {K * (N_L + 1)}, not K × N_L = {K * N_L}")
assert multi.W.data.size + multi.b.data.size == K * (N_L + 1)

# %% [markdown]
# ## Error functions: multinomial output, cross entropy with one-hot targets
#
# One-hot encoding: with K = 6 classes, a sample of class 4 gets y = (0, 0, 0, 1, 0, 0)ᵀ (`nn.one_hot`
# counts classes from 0, so class 4 is label 3). The output layer's K scores go through softmax,
# p_c = e^{θ_{·,c}ᵀa}/Σ_k e^{θ_{·,k}ᵀa}, the sample is assigned to the class of highest p, and the cost is
# C = −(1/N)Σᵢ Σ_c y_c⁽ⁱ⁾ log p_c⁽ⁱ⁾.

# %%
onehot = nn.one_hot([4 - 1], 6)
print("class 4 of 6 →", onehot[0])
assert onehot[0].tolist() == [0, 0, 0, 1, 0, 0]

Z = np.array([[2.0, 0.5, -1.0, 0.1], [-0.3, 0.2, 1.5, 0.0], [0.0, 3.0, 0.5, -2.0]])   # N = 3 samples, K = 4
classes = np.array([0, 2, 1])
Yh = nn.one_hot(classes, 4)
P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
C_hand = -np.mean(np.sum(Yh * np.log(P), axis=1))
print("assigned classes (arg max p):", P.argmax(axis=1), "  true:", classes)
assert (P.argmax(axis=1) == classes).all()

z_t = Tensor(Z, requires_grad=True)
C_soft = nn.cross_entropy_from_probabilities(nn.activations.softmax(z_t), Yh)  # softmax, then −Σ y log p
C_soft.backward()
z_fused = Tensor(Z, requires_grad=True)
C_fused = nn.cross_entropy(z_fused, Yh)      # from the logits, one stable node (PyTorch's F.cross_entropy)
C_fused.backward()
same("multinomial CE", C_hand, C_soft.item())
same("multinomial CE (fused)", C_hand, C_fused.item())

# %% [markdown]
# ### Softmax + cross entropy: ∂C/∂z = p − y
#
# By hand, through softmax's Jacobian: ∂C/∂z_j = Σ_c (−y_c/p_c)·p_c(δ_cj − p_j) = −y_j + p_j Σ_c y_c = p_j − y_j
# for one sample (Σ_c y_c = 1 for a one-hot y), divided by N for the mean. The long way (the sum over
# the Jacobian) and the short way (p − y) against both autodiff graphs:

# %%
long_way = np.array([[sum(-Yh[i, c] / P[i, c] * P[i, c] * ((c == j) - P[i, j]) for c in range(4)) for j in range(4)]
                     for i in range(3)]) / 3
same("Σ_c Jacobian (long way)", long_way, z_t.grad)
same("(p − y)/N, softmax then CE", (P - Yh) / 3, z_t.grad)
same("(p − y)/N, fused", (P - Yh) / 3, z_fused.grad)
