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
# # Vanishing and exploding gradients, initialisation, dying ReLUs, and which activation to use
#
# **Lecture notes:** *Advanced machine learning and data analysis for the physical sciences, third
# week* (M. Hjorth-Jensen, seed file `003_70b1d3cf22e7eb32.txt`): *Which activation function should
# I use?* (vanishing and exploding gradients), *Is the Logistic activation function (Sigmoid) our
# choice?*, *The derivative of the Logistic function*, *Insights from the paper by Glorot and
# Bengio*, *The ReLU function family* (dying ReLUs, ELU), *Which activation function should we
# use?* (the ranking and the default α's) and *More on activation functions, output layers*.
#
# The notes state these as facts from the literature. Here each one is an experiment on the 8×8
# digits: gradients per layer computed **by hand** (the back-propagation equations of notebook 31,
# in numpy) and **by autodiff**, asserted equal, then plotted.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np

import nn
from autodiff import Tensor

X_all, y_all = nn.digits()
(X_train, y_train), (X_val, y_val), (X_test, y_test) = nn.train_val_test_split(X_all, y_all, (0.6, 0.2, 0.2), seed=0)
scale = nn.standardize(X_train)
X_train, X_val, X_test = scale(X_train), scale(X_val), scale(X_test)
rows = np.random.default_rng(0).choice(len(X_train), 256, replace=False)
batch, batch_y = X_train[rows], y_train[rows]
print("training / validation / test:", len(X_train), len(X_val), len(X_test), "digits of 64 pixels")

# %% [markdown]
# ## The activation functions and their derivatives
#
# By hand: σ′ = σ(1 − σ) (at most ¼, at z = 0); tanh′ = 1 − tanh²; ReLU′ = 1 for z > 0, else 0;
# leaky ReLU′ = 1 or α; and the notes' ELU(z) = α(eᶻ − 1) for z < 0, z for z ≥ 0, with
# ELU′ = αeᶻ for z < 0, 1 for z ≥ 0. By autodiff: the elementwise derivative is the gradient of
# Σ f(zᵢ) with respect to z. The library's defaults are the notes' α = 0.01 (leaky ReLU) and
# α = 1 (ELU).

# %%
z = np.linspace(-5, 5, 401)
sig = 1 / (1 + np.exp(-z))
alpha_leaky, alpha_elu = nn.LeakyReLU().alpha, nn.ELU().alpha
assert (alpha_leaky, alpha_elu) == (0.01, 1.0)
hand = {
    "sigmoid": (sig, sig * (1 - sig)),
    "tanh": (np.tanh(z), 1 - np.tanh(z) ** 2),
    "relu": (np.maximum(z, 0), (z > 0).astype(float)),
    "leaky_relu": (np.where(z > 0, z, alpha_leaky * z), np.where(z > 0, 1.0, alpha_leaky)),
    "elu": (np.where(z < 0, alpha_elu * (np.exp(z) - 1), z), np.where(z < 0, alpha_elu * np.exp(z), 1.0)),
}
auto = {}
for name in hand:
    zt = Tensor(z, requires_grad=True)
    out = nn.get_activation(name)(zt)
    out.sum().backward()
    auto[name] = (out.data, zt.grad)
    err = max(np.abs(out.data - hand[name][0]).max(), np.abs(zt.grad - hand[name][1]).max())
    assert err < 1e-12, name
    print(f"{name:<11} f and f' by hand = autodiff on 401 points (max difference below 1e-12)")
assert abs(hand["sigmoid"][1].max() - 0.25) < 1e-15 and hand["sigmoid"][1][0] < 7e-3

fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
for name, (f, df) in hand.items():
    line, = axes[0].plot(z, f, label=name)
    axes[1].plot(z, df, color=line.get_color(), label=name)
    axes[1].plot(z[::25], auto[name][1][::25], "o", ms=3, color=line.get_color())
axes[0].set_ylim(-1.5, 3)
axes[0].set_title("f(z)")
axes[1].set_title("f′(z): lines by hand, dots by autodiff")
for ax in axes:
    ax.axhline(0, color="grey", lw=0.5)
    ax.set_xlabel("z")
    ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# The picture already tells the story of the next sections: the sigmoid's derivative is at most ¼
# and dies off on both sides (saturation); tanh's reaches 1 but also dies off; ReLU's is exactly 1
# for z > 0 and exactly 0 for z < 0 (a unit stuck at z < 0 gets no gradient at all); leaky ReLU and
# ELU keep a small derivative for z < 0.

# %% [markdown]
# ## Vanishing and exploding gradients, layer by layer
#
# "The gradients often get smaller and smaller as the algorithm progresses down to the first hidden
# layers … the vanishing gradients problem. In other cases … the gradients can grow bigger and
# bigger … the exploding gradients problem."
#
# A deep network 64 → 10 hidden layers of 64 → 10, cross-entropy on a batch of 256 digits, and the
# norm ‖∂C/∂Wˡ‖ of every layer's weight gradient, for four activations and three initialisations:
# N(0, 1) (the scheme "most popular at the time", per the notes), Glorot (Xavier) uniform, and He
# uniform (Glorot's argument redone for ReLU). By hand the gradients come from
# δ^L = (softmax(z^L) − onehot)/N and δˡ = (δˡ⁺¹(Wˡ⁺¹)ᵀ) ∘ f′(zˡ), ∂C/∂Wˡ = (aˡ⁻¹)ᵀδˡ
# (samples as rows, so the matrices are transposed relative to the notes' column vectors).

# %%
DERIV = {
    "sigmoid": lambda zz: (1 / (1 + np.exp(-zz))) * (1 - 1 / (1 + np.exp(-zz))),
    "tanh": lambda zz: 1 - np.tanh(zz) ** 2,
    "relu": lambda zz: (zz > 0).astype(float),
    "elu": lambda zz: np.where(zz < 0, np.exp(np.minimum(zz, 0)), 1.0),
}
FORWARD = {"sigmoid": lambda zz: 1 / (1 + np.exp(-zz)), "tanh": np.tanh, "relu": lambda zz: np.maximum(zz, 0),
           "elu": lambda zz: np.where(zz < 0, np.expm1(np.minimum(zz, 0)), zz)}


def hand_gradient_norms(net, act, X, y):
    """‖∂C/∂Wˡ‖ for every layer by the back-propagation equations, in numpy."""
    lins = [layer for layer in net if isinstance(layer, nn.Linear)]
    a, zs, acts = X, [], [X]
    for i, lin in enumerate(lins):
        zs.append(a @ lin.W.data + lin.b.data)
        a = FORWARD[act](zs[-1]) if i < len(lins) - 1 else zs[-1]
        acts.append(a)
    p = np.exp(zs[-1] - zs[-1].max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    delta = (p - np.eye(10)[y]) / len(X)
    norms = []
    for i in range(len(lins) - 1, -1, -1):
        norms.append(np.linalg.norm(acts[i].T @ delta))
        if i:
            delta = (delta @ lins[i].W.data.T) * DERIV[act](zs[i - 1])
    return norms[::-1]


def autodiff_gradient_norms(net, X, y):
    nn.cross_entropy_with_logits(net(Tensor(X)), y).backward()
    return [np.linalg.norm(layer.W.grad) for layer in net if isinstance(layer, nn.Linear)]


depth = 10
norms = {}
for init in ("normal", "xavier_uniform", "he_uniform"):
    for act in ("sigmoid", "tanh", "relu", "elu"):
        net = nn.TensorMLP(64, [64] * depth + [10], activation=act, init=init, seed=0)
        by_hand = hand_gradient_norms(net, act, batch, batch_y)
        by_autodiff = autodiff_gradient_norms(net, batch, batch_y)
        assert np.allclose(by_hand, by_autodiff, rtol=1e-10, atol=0), (init, act)
        norms[init, act] = np.array(by_autodiff)
print("per-layer gradient norms: hand = autodiff (relative 1e-10) for all 12 networks\n")
print(f"{'init':<16}{'activation':<10}{'‖∂C/∂W¹‖':>10}{'‖∂C/∂W^L‖':>11}{'ratio first/last':>18}")
for (init, act), g in norms.items():
    print(f"{init:<16}{act:<10}{g[0]:>10.1e}{g[-1]:>11.1e}{g[0] / g[-1]:>18.1e}")

# %%
fig, axes = plt.subplots(1, 3, figsize=(13, 4), sharey=True)
layers = np.arange(1, depth + 2)
for ax, init in zip(axes, ("normal", "xavier_uniform", "he_uniform")):
    for act in ("sigmoid", "tanh", "relu", "elu"):
        ax.semilogy(layers, norms[init, act], "o-", ms=3, label=act)
    ax.set_title({"normal": "N(0, 1)", "xavier_uniform": "Glorot uniform", "he_uniform": "He uniform"}[init])
    ax.set_xlabel("layer l (1 = next to the input)")
axes[0].set_ylabel("‖∂C/∂Wˡ‖")
axes[0].legend()
fig.suptitle("gradient norm per layer at initialisation, 10 hidden layers of 64")
plt.show()

# %% [markdown]
# What the numbers say:
# * **Sigmoid vanishes** with every initialisation. With Glorot the pre-activations stay near 0
#   where σ′ ≈ ¼ at most, so each layer going down multiplies the gradient by about ¼ times a
#   weight factor of order 1: over 10 layers about 4⁻¹⁰ ≈ 10⁻⁶, which is what we measure.
# * **N(0, 1) explodes** for ReLU and ELU: the weights have standard deviation 1 instead of about
#   1/√64, so every layer multiplies the signal by about √(64/2) ≈ 5.7, the logits reach 10⁷ and
#   every layer's gradient is of that order (10⁷–10⁸), all at once. For tanh the gradient grows
#   towards the input instead, about a thousandfold over 10 layers.
# * **Glorot keeps tanh flat, He keeps ReLU flat**: the variance-preserving initialisations do what
#   Glorot and Bengio designed them for.

# %%
ratio = {k: g[0] / g[-1] for k, g in norms.items()}
assert 0.05 * 0.25**depth < ratio["xavier_uniform", "sigmoid"] < 20 * 0.25**depth    # ≈ (1/4)^10
assert norms["normal", "relu"].min() > 1e5 and norms["normal", "elu"].min() > 1e5   # exploding
assert ratio["normal", "tanh"] > 100                                                   # grows towards the input
assert 0.3 < ratio["xavier_uniform", "tanh"] < 3 and 0.3 < ratio["he_uniform", "relu"] < 3

# %% [markdown]
# ## Glorot and Bengio: N(0, 1) initialisation, variance and saturation
#
# "With this activation function and this initialization scheme, the variance of the outputs of
# each layer is much greater than the variance of its inputs … until the activation function
# saturates at the top layers."
#
# By hand first: with N(0, 1) weights and fan-in n, zⱼ = Σᵢ wᵢⱼaᵢ has variance n·E[a²] (64 × about
# 0.44 ≈ 28 for sigmoid outputs), far above the inputs' variance 1. Glorot's uniform
# U(−r, r) with r = √(6/(n_in + n_out)) has variance r²/3 = 2/(n_in + n_out), so
# Var(z) ≈ n_in · 2/(n_in + n_out) · E[a²] stays of order 1. The library's initialiser against that
# formula:

# %%
W_glorot = nn.init.xavier_uniform((64, 64), rng=0)
r = np.sqrt(6 / (64 + 64))
print(f"Glorot bound r = {r:.4f}: max |w| = {np.abs(W_glorot).max():.4f}; "
      f"variance {W_glorot.var():.5f} vs 2/(n_in + n_out) = {2 / 128:.5f}")
assert np.abs(W_glorot).max() <= r and abs(W_glorot.var() / (2 / 128) - 1) < 0.05

# %% [markdown]
# Now the forward pass of 5 hidden layers of 64 (no training) on 256 digits: per layer, the
# variance of z, the mean of the outputs a, and the fraction of *saturated* units (σ within 0.01 of
# 0 or 1, tanh within 0.02 of ±1: there f′ < 0.04 and almost nothing flows back).

# %%
def layer_statistics(act, init):
    net = nn.TensorMLP(64, [64] * 5 + [10], activation=act, init=init, seed=0)
    h, rows = Tensor(batch), []
    for layer in list(net)[:-1]:
        h = layer(h)
        if isinstance(layer, nn.Linear):
            var_z = h.data.var()
        else:
            a = h.data
            saturated = np.abs(a - 0.5) > 0.49 if act == "sigmoid" else np.abs(a) > 0.98
            rows.append((var_z, a.mean(), saturated.mean(), a))
    return rows


stats = {(act, init): layer_statistics(act, init) for act in ("sigmoid", "tanh")
         for init in ("normal", "xavier_uniform")}
print(f"input variance {batch.var():.2f}\n")
for (act, init), rows in stats.items():
    print(f"{act:<8}{init:<15} Var(z) per layer: " + " ".join(f"{v:6.2f}" for v, _, _, _ in rows)
          + "   saturated: " + " ".join(f"{s:4.0%}" for _, _, s, _ in rows)
          + "   mean a: " + " ".join(f"{m:5.2f}" for _, m, _, _ in rows))

# %%
fig, axes = plt.subplots(2, 2, figsize=(11, 6))
for ax, ((act, init), rows) in zip(axes.ravel(), stats.items()):
    bins = np.linspace(0, 1, 51) if act == "sigmoid" else np.linspace(-1, 1, 51)
    for i, (_, _, _, a) in enumerate(rows):
        ax.hist(a.ravel(), bins=bins, histtype="step", density=True, label=f"layer {i + 1}")
    ax.set_title(f"{act}, {'N(0, 1)' if init == 'normal' else 'Glorot'}")
    ax.set_yticks([])
axes[0, 0].legend(fontsize=8)
fig.suptitle("distribution of each layer's outputs at initialisation (as in Glorot & Bengio, 2010)")
plt.show()

# %%
for act in ("sigmoid", "tanh"):
    normal, glorot = stats[act, "normal"], stats[act, "xavier_uniform"]
    assert min(v for v, _, _, _ in normal) > 10 * batch.var()        # variance of outputs ≫ inputs
    assert min(s for _, _, s, _ in normal) > 0.25                     # a quarter or more saturated
    assert max(s for _, _, s, _ in glorot) < 0.05                     # Glorot: almost none
assert all(abs(m - 0.5) < 0.1 for _, m, _, _ in stats["sigmoid", "xavier_uniform"])   # logistic: mean 0.5
assert all(abs(m) < 0.02 for _, m, _, _ in stats["tanh", "xavier_uniform"])           # tanh: mean 0

# %% [markdown]
# With N(0, 1) the variance of z is more than ten times the inputs' in every layer and a third to
# three quarters of the units sit on a flat part of their activation; with Glorot almost none do.
# The logistic outputs average 0.5 and the tanh outputs 0, the notes' reason why tanh "behaves
# slightly better": a layer fed with inputs of mean 0.5 sees all its weighted sums shifted the same
# way.

# %% [markdown]
# ## The ReLU family: dying ReLUs
#
# "During training, some neurons effectively die, meaning they stop outputting anything other than
# 0 … In some cases, you may find that half of your network's neurons are dead, especially if you
# used a large learning rate … the gradient of the ReLU function is 0 when its input is negative."
# A unit is dead when its input z is negative for *every* training sample. Train
# 64 → 64 → 64 → 64 → 10 ReLU nets with SGD and momentum 0.9 for 10 epochs, at a moderate and at a
# large learning rate, and count the dead units per hidden layer.

# %%
def dead_mask(linear_outputs):
    """For each unit: is its input z ≤ 0 for every row?"""
    return linear_outputs.max(axis=0) <= 0


def dead_per_layer(net, X):
    h, dead = Tensor(X), []
    for layer in list(net)[:-1]:
        h = layer(h)
        if isinstance(layer, nn.Linear):
            dead.append(float(dead_mask(h.data).mean()))
    return dead


def train(net, lr, epochs=10):
    nn.fit(net, "cross_entropy_with_logits", nn.SGD(net.parameters(), lr=lr, momentum=0.9),
           X_train, y_train, epochs=epochs, batch_size=32, progress=False, seed=0)
    return float((nn.predict(net, X_test).argmax(axis=1) == y_test).mean())


relu_runs = {}
for lr in (0.01, 0.1):
    net = nn.TensorMLP(64, [64, 64, 64, 10], activation="relu", seed=0)
    acc = train(net, lr)
    relu_runs[lr] = (net, acc, dead_per_layer(net, X_train))
    print(f"ReLU, lr = {lr:<5} test accuracy {acc:6.1%}   dead units per hidden layer: "
          + ", ".join(f"{d:.0%}" for d in relu_runs[lr][2]))

# %% [markdown]
# At lr = 0.1 the ReLU net lost more than a third of its second hidden layer and all of its third:
# every unit of that layer outputs 0 for every digit, nothing reaches the output layer but its
# bias, and the network predicts one class (about 10 % accuracy).
#
# By autodiff: a dead unit j receives exactly zero gradient in its incoming weights W[:, j] and its
# bias b[j], on any batch: nothing can bring it back.

# %%
net, acc, dead = relu_runs[0.1]
nn.cross_entropy_with_logits(net(Tensor(X_train)), y_train).backward()
h, checked = Tensor(X_train), 0
for layer in list(net)[:-1]:
    h = layer(h)
    if isinstance(layer, nn.Linear):
        dead_j = np.flatnonzero(dead_mask(h.data))
        assert np.all(layer.W.grad[:, dead_j] == 0) and np.all(layer.b.grad[dead_j] == 0)
        checked += len(dead_j)
print(f"{checked} dead units: every gradient into them is exactly 0")
assert max(dead) == 1.0 and acc < 0.2
assert max(relu_runs[0.01][2]) == 0 and relu_runs[0.01][1] > 0.9

# %% [markdown]
# ### Leaky ReLU and ELU bring dead units back
#
# The notes' cure: "use a variant of the ReLU function, such as the leaky ReLU … or … ELU". Their
# derivative for z < 0 is α (leaky) or αeᶻ (ELU), small but not zero. A controlled experiment: one
# bad step pushes every bias of the first hidden layer of a 64 → 64 → 10 net down by 6, killing
# many units; then 10 epochs of ordinary training (lr = 0.05). How many of the units dead after the
# kick come back?

# %%
revival = {}
for act in ("relu", "leaky_relu", "elu"):
    net = nn.TensorMLP(64, [64, 10], activation=act, seed=0)
    net[0].b.data -= 6.0                                    # the bad step
    before = dead_mask(net[0](Tensor(X_train)).data)
    acc = train(net, 0.05)
    after = dead_mask(net[0](Tensor(X_train)).data)
    revival[act] = (int(before.sum()), int((before & ~after).sum()), int(after.sum()), acc)
    print(f"{act:<11} dead after the kick: {before.sum():2d}   came back: {(before & ~after).sum():2d}   "
          f"dead at the end: {after.sum():2d}   test accuracy {acc:6.1%}")
assert revival["relu"][1] == 0                                         # exactly zero gradient: none revive
assert revival["leaky_relu"][1] > 0 and revival["elu"][1] > 0
assert revival["relu"][3] < revival["leaky_relu"][3] < revival["elu"][3]

# %% [markdown]
# Not one dead ReLU unit revives (its gradient is exactly zero); a third of the leaky ReLU units and
# half of the ELU units do, and the accuracies follow. ELU recovers faster than leaky ReLU here
# because its slope just below zero (αeᶻ, up to 1) is much larger than leaky ReLU's α = 0.01.

# %% [markdown]
# ## Which activation function should we use? The ranking as an experiment
#
# The notes: "In general it seems that the ELU activation function is better than the leaky ReLU
# function (and its variants), which is better than ReLU. ReLU performs better than tanh which in
# turn performs better than the logistic function."
#
# The experiment: 64 → 5 hidden layers of 48 → 10 on the digits, the library's default
# initialisation (Glorot, He for the ReLU family), 8 epochs of minibatch SGD (η = 0.01, batch 32),
# two seeds each; then the same with Adam (η = 10⁻³). Ranked by the validation loss.

# %%
def ranking(make_optimizer, seeds=(0, 1), epochs=8):
    scores = {}
    for act in ("elu", "leaky_relu", "relu", "tanh", "sigmoid"):
        losses, accs = [], []
        for seed in seeds:
            net = nn.TensorMLP(64, [48] * 5 + [10], activation=act, seed=seed)
            history = nn.fit(net, "cross_entropy_with_logits", make_optimizer(net), X_train, y_train,
                             epochs=epochs, batch_size=32, validation=(X_val, y_val), metrics=["accuracy"],
                             progress=False, seed=seed)
            losses.append(history["val_loss"][-1])
            accs.append(history["val_accuracy"][-1])
        scores[act] = (np.mean(losses), np.mean(accs))
    order = sorted(scores, key=lambda a: scores[a][0])
    for rank, act in enumerate(order, 1):
        print(f"{rank}. {act:<11} validation loss {scores[act][0]:.2f}, accuracy {scores[act][1]:.1%}")
    return order, scores


print("SGD, η = 0.01:")
sgd_order, sgd_scores = ranking(lambda net: nn.SGD(net.parameters(), lr=0.01))
print("\nAdam, η = 0.001:")
adam_order, adam_scores = ranking(lambda net: nn.Adam(net.parameters(), lr=1e-3))

# %%
fig, ax = plt.subplots(figsize=(8, 3.5))
acts = ["elu", "leaky_relu", "relu", "tanh", "sigmoid"]
xpos = np.arange(len(acts))
ax.bar(xpos - 0.2, [sgd_scores[a][1] for a in acts], 0.4, label="SGD η = 0.01")
ax.bar(xpos + 0.2, [adam_scores[a][1] for a in acts], 0.4, label="Adam η = 0.001")
ax.set_xticks(xpos, acts)
ax.set_ylabel("validation accuracy after 8 epochs")
ax.set_title("the notes' ranking, left (best) to right (worst)")
ax.legend()
plt.show()

# %%
assert sgd_order[0] == "elu" and sgd_order[-1] == "sigmoid" and adam_order[-1] == "sigmoid"
assert all(sgd_scores[a][0] < sgd_scores["tanh"][0] for a in ("elu", "leaky_relu", "relu"))
assert sgd_scores["sigmoid"][1] < 0.2 < adam_scores["sigmoid"][1] < min(adam_scores[a][1] for a in acts[:-1]) - 0.3

# %% [markdown]
# With plain SGD the experiment reproduces the notes' ranking: ELU first, the ReLU family ahead of
# tanh, and the logistic function last by far — with five sigmoid layers the gradient reaching the
# first layers is about 4⁻⁵ of the output's (the vanishing gradient above), and after 8 epochs the
# network still guesses (about 9 %, chance is 10 %). With Adam, which rescales each parameter's step
# by its own gradient size and so partly undoes the vanishing, the sigmoid net starts to learn but
# stays far behind, and tanh overtakes the ReLU family. The ranking is a rule of thumb for deep networks trained by gradient descent,
# not a law: it depends on the depth, the initialisation and the optimizer.

# %% [markdown]
# ## More on activation functions: output layers
#
# "For classification the softmax activation function is generally a good choice … For regression
# tasks, you can simply use no activation function at all." Softmax turns the last layer's z into
# probabilities pₖ = e^{zₖ}/Σⱼe^{zⱼ}; with the cross-entropy cost C = −Σₖ yₖ log pₖ the output
# error is δ^L = ∂C/∂z = p − y (by hand), which autodiff reproduces. With no activation and the
# squared error ½(z − y)², δ^L = z − y.

# %%
logits = np.array([1.2, -0.3, 2.5, 0.1])
onehot = np.array([0.0, 0.0, 1.0, 0.0])
p = np.exp(logits - logits.max())
p /= p.sum()
zt = Tensor(logits, requires_grad=True)
nn.cross_entropy_from_probabilities(nn.activations.softmax(zt).reshape(1, -1), onehot.reshape(1, -1)).backward()
print("softmax p     :", np.round(p, 6), " sum", f"{p.sum():.12f}")
print("δ^L = p − y   :", np.round(p - onehot, 6))
print("autodiff ∂C/∂z:", np.round(zt.grad, 6))
assert np.abs(zt.grad - (p - onehot)).max() < 1e-12

zr = Tensor(np.array([0.7, -1.1]), requires_grad=True)
target = np.array([0.2, 0.4])
(0.5 * ((zr - Tensor(target)) ** 2).sum()).backward()
assert np.abs(zr.grad - (zr.data - target)).max() < 1e-15
print("regression, no output activation: δ^L = z − y =", zr.grad)
