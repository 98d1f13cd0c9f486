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
# # Batch normalization, dropout, gradient clipping, and tuning with a validation set
#
# **Lecture notes:** *Advanced machine learning and data analysis for the physical sciences, third
# week* (M. Hjorth-Jensen, seed file `003_70b1d3cf22e7eb32.txt`): *Batch Normalization*,
# *Dropout*, *Gradient Clipping*, *A top-down perspective on Neural networks*, *More top-down
# perspectives* (the train-test mismatch), and *Fine-tuning neural network hyperparameters* (grid
# and randomized search).
#
# Each technique is first written out by hand (numpy) and checked against the library's layer or
# function, forward and backward (autodiff), then used on the 8×8 digits where the notes say it
# helps. The notes' remaining sections on limitations (labelled data, data hunger, homogeneous data,
# prediction vs understanding) are discussion without anything to compute.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np

import nn
from autodiff import NonFiniteError, Tensor

X_all, y_all = nn.digits()
(X_train, y_train), (X_val, y_val), (X_test, y_test) = nn.train_val_test_split(X_all, y_all, (0.6, 0.2, 0.2), seed=0)
scale = nn.standardize(X_train)
X_train, X_val, X_test = scale(X_train), scale(X_val), scale(X_test)
rng = np.random.default_rng(0)


def fit(net, optimizer, X=X_train, y=y_train, epochs=10, batch_size=32, seed=0, **kw):
    return nn.fit(net, "cross_entropy_with_logits", optimizer, X, y, epochs=epochs, batch_size=batch_size,
                  validation=(X_val, y_val), metrics=["accuracy"], progress=False, seed=seed, **kw)


# %% [markdown]
# ## Batch normalization, by hand and by autodiff
#
# "Adding an operation in the model just before the activation function of each layer, simply
# zero-centering and normalizing the inputs, then scaling and shifting the result using two new
# parameters per layer … It does so by evaluating the mean and standard deviation of the inputs over
# the current mini-batch." For a batch x (N rows, one column per unit):
#
# μ = (1/N)Σᵢxᵢ, σ² = (1/N)Σᵢ(xᵢ − μ)², x̂ = (x − μ)/√(σ² + ε), y = γx̂ + β.
#
# Backward by hand (the gradient flows through μ and σ² too, since they depend on the batch):
# ∂C/∂β = Σᵢ gᵢ, ∂C/∂γ = Σᵢ gᵢx̂ᵢ, ∂C/∂x = γ/(N√(σ² + ε)) · (N g − Σᵢgᵢ − x̂ Σᵢ gᵢx̂ᵢ) with g = ∂C/∂y.
# Autodiff derives the same from the ops `nn.BatchNorm1d` is built from.

# %%
N, units, eps = 8, 3, 1e-5
xb = rng.normal(2.0, 3.0, size=(N, units))
g_up = rng.normal(size=(N, units))                      # an upstream gradient ∂C/∂y
bn = nn.BatchNorm1d(units, eps=eps)
bn.weight.data[:] = [1.5, 0.5, -2.0]                    # γ
bn.bias.data[:] = [0.1, -0.3, 0.7]                      # β
gamma, beta = bn.weight.data.copy(), bn.bias.data.copy()

x_t = Tensor(xb, requires_grad=True)
y_t = bn(x_t)
(y_t * Tensor(g_up)).sum().backward()                  # C = Σ g ⊙ y, so ∂C/∂y = g

mu, var = xb.mean(axis=0), xb.var(axis=0)
x_hat = (xb - mu) / np.sqrt(var + eps)
y_hand = gamma * x_hat + beta
dbeta, dgamma = g_up.sum(axis=0), (g_up * x_hat).sum(axis=0)
dx = gamma / (N * np.sqrt(var + eps)) * (N * g_up - g_up.sum(axis=0) - x_hat * (g_up * x_hat).sum(axis=0))
for name, hand, auto in [("y", y_hand, y_t.data), ("∂C/∂x", dx, x_t.grad), ("∂C/∂γ", dgamma, bn.weight.grad),
                         ("∂C/∂β", dbeta, bn.bias.grad)]:
    assert np.abs(hand - auto).max() < 1e-12, name
    print(f"{name:<6} by hand = autodiff (max difference below 1e-12)")
print("per unit, x̂ has mean", np.round(x_hat.mean(axis=0), 12) + 0.0, "and variance", np.round(x_hat.var(axis=0), 6))

# %% [markdown]
# At prediction time there is no batch to average over: the layer uses running averages kept
# during training, running ← (1 − m)·running + m·(batch statistic) with m = 0.1 (the running
# variance uses the unbiased N/(N − 1) form, as PyTorch does). By hand vs the layer's buffers after
# the batch above, then the layer in eval mode:

# %%
run_mean = 0.9 * np.zeros(units) + 0.1 * mu
run_var = 0.9 * np.ones(units) + 0.1 * var * N / (N - 1)
assert np.abs(bn.running_mean - run_mean).max() < 1e-15 and np.abs(bn.running_var - run_var).max() < 1e-15
bn.eval()
x_new = rng.normal(size=(2, units))
y_eval = gamma * (x_new - run_mean) / np.sqrt(run_var + eps) + beta
assert np.abs(bn(Tensor(x_new)).data - y_eval).max() < 1e-12
print("running mean", np.round(bn.running_mean, 6), " running variance", np.round(bn.running_var, 6))
print("eval mode uses them: by hand = the layer (1e-12)")

# %% [markdown]
# ### Batch normalization in use: a deep sigmoid network that would not train
#
# "Batch Normalization aims to address the vanishing/exploding gradients problems." Eight hidden
# sigmoid layers of 64 (Glorot initialisation), 10 epochs of SGD with momentum, with and without
# a BatchNorm1d before every activation (`TensorMLP(..., batchnorm=True)`). First the gradient
# norm of the first layer relative to the last at initialisation, then the training.

# %%
def first_over_last(net):
    net.zero_grad()
    nn.cross_entropy_with_logits(net(Tensor(X_train[:256])), y_train[:256]).backward()
    norms = [np.linalg.norm(layer.W.grad) for layer in net if isinstance(layer, nn.Linear)]
    return norms[0] / norms[-1]


bn_runs = {}
for use_bn in (False, True):
    net = nn.TensorMLP(64, [64] * 8 + [10], activation="sigmoid", seed=0, batchnorm=use_bn)
    ratio = first_over_last(net)
    history = fit(net, nn.SGD(net.parameters(), lr=0.05, momentum=0.9))
    bn_runs[use_bn] = history
    print(f"batch norm {str(use_bn):<5}: ‖∂C/∂W¹‖/‖∂C/∂W^L‖ at start = {ratio:.1e};  "
          f"after 10 epochs validation accuracy {history['val_accuracy'][-1]:.1%}")
assert bn_runs[False]["val_accuracy"][-1] < 0.2 and bn_runs[True]["val_accuracy"][-1] > 0.9

fig, ax = plt.subplots(figsize=(6.5, 3.5))
for use_bn, history in bn_runs.items():
    ax.plot(history.epochs, history["loss"], "o-", label=f"{'with' if use_bn else 'without'} batch norm")
ax.set_xlabel("epoch")
ax.set_ylabel("training loss")
ax.set_title("8 sigmoid layers, SGD η = 0.05, momentum 0.9")
ax.legend()
plt.show()

# %% [markdown]
# Without normalization the gradient reaching the first layer is 10⁻⁵ of the last layer's and the
# loss stays at log 10 ≈ 2.3 (guessing); with it the per-layer inputs stay centred and scaled where
# σ′ is largest, the first layer gets a gradient of the same order as the last, and the network
# trains.

# %% [markdown]
# ## Dropout, by hand and by autodiff
#
# "At every training step, every neuron (including the input neurons but excluding the output
# neurons) has a probability p of being temporarily dropped out … The hyperparameter p is called the
# dropout rate, and it is typically set to 50%. After training, the neurons are not dropped
# anymore." The library's `Dropout(p)` draws a keep-mask m (each entry kept with probability 1 − p)
# and computes y = x ⊙ m/(1 − p); in eval mode y = x. By hand, with the same random numbers
# (the layer draws `rng.random(shape) ≥ p` from its seeded generator):

# %%
p_drop = 0.5
x_in = rng.normal(size=(4, 6))
drop = nn.Dropout(p_drop, seed=7)
x_t = Tensor(x_in, requires_grad=True)
y_t = drop(x_t)
y_t.sum().backward()
keep = np.random.default_rng(7).random(x_in.shape) >= p_drop
assert np.array_equal(y_t.data, x_in * keep / (1 - p_drop))
assert np.array_equal(x_t.grad, keep / (1 - p_drop))          # ∂y/∂x = m/(1 − p): dropped units get no gradient
print("mask (1 = kept):\n", keep.astype(int))
print("forward y = x·m/(1−p) and gradient m/(1−p): by hand = autodiff (exactly)")
drop.eval()
assert np.array_equal(drop(Tensor(x_in)).data, x_in)
print("eval mode: y = x")

# %% [markdown]
# ### Erratum: dropout as described leaves out the rescaling between training and test
#
# The notes describe dropping units in training and not dropping them after training, and stop
# there. Implemented literally, each unit of the next layer receives in training on average
# (1 − p) of its inputs and at test time all of them: its weighted sum is 1/(1 − p) = 2 times larger
# at test time than anything it was trained on (for p = ½). One of two rescalings is needed: multiply
# by 1/(1 − p) in training ("inverted dropout", the library and PyTorch) or multiply the weights by
# (1 − p) at test time (Srivastava et al., 2014). Measured on a layer of 64 ReLU units fed by digits:

# %%
lin = nn.Linear(64, 64, seed=0, init="he_uniform")
h = nn.ReLU()(lin(Tensor(X_train))).data                         # a hidden layer's outputs
w_next = np.random.default_rng(1).normal(size=64) / 8            # one unit of the next layer
masks = np.random.default_rng(2).random((200,) + h.shape) >= p_drop
literal = np.mean([(h * m) @ w_next for m in masks], axis=0)      # the notes, literally: no rescaling
inverted = np.mean([(h * m / (1 - p_drop)) @ w_next for m in masks], axis=0)
test_time = h @ w_next                                             # after training: nothing dropped
r_literal = np.abs(test_time).mean() / np.abs(literal).mean()
r_inverted = np.abs(test_time).mean() / np.abs(inverted).mean()
print(f"test-time |z| / training-time |z|: literal {r_literal:.2f}, inverted dropout {r_inverted:.2f}")
assert abs(r_literal - 1 / (1 - p_drop)) < 0.05 and abs(r_inverted - 1) < 0.05

# %% [markdown]
# ### Dropout in use: a small training set
#
# "One of the most popular regularization techniques." 100 training digits, a wide network
# 64 → 128 → 128 → 10 (ReLU), Adam for 100 epochs: without dropout, with dropout ½ on the hidden
# layers, and with dropout 0.2 on the inputs as well (the notes' "including the input neurons").

# %%
def dropout_net(p_in, p_hidden, seed=0):
    layers = [nn.Dropout(p_in, seed=seed + 10)] if p_in else []
    layers += [nn.Linear(64, 128, init="he_uniform", seed=seed), nn.ReLU()]
    layers += [nn.Dropout(p_hidden, seed=seed + 20)] if p_hidden else []
    layers += [nn.Linear(128, 128, init="he_uniform", seed=seed + 1), nn.ReLU()]
    layers += [nn.Dropout(p_hidden, seed=seed + 30)] if p_hidden else []
    return nn.Sequential(*layers, nn.Linear(128, 10, seed=seed + 2))


drop_runs = {}
for p_in, p_hidden in ((0.0, 0.0), (0.0, 0.5), (0.2, 0.5)):
    net = dropout_net(p_in, p_hidden)
    history = fit(net, nn.Adam(net.parameters(), lr=1e-3), X=X_train[:100], y=y_train[:100], epochs=100,
                  batch_size=20)
    drop_runs[p_in, p_hidden] = history
    print(f"dropout inputs {p_in:.1f}, hidden {p_hidden:.1f}: final training loss {history['loss'][-1]:.3f}, "
          f"validation loss {history['val_loss'][-1]:.3f}, validation accuracy {history['val_accuracy'][-1]:.1%}")
gaps = {k: h["val_loss"][-1] - h["loss"][-1] for k, h in drop_runs.items()}
assert gaps[0.0, 0.0] > gaps[0.0, 0.5] > gaps[0.2, 0.5]

fig, ax = plt.subplots(figsize=(7, 3.8))
for (p_in, p_hidden), history in drop_runs.items():
    line, = ax.plot(history.epochs, history["loss"], label=f"train, dropout {p_in}/{p_hidden}")
    ax.plot(history.epochs, history["val_loss"], "--", color=line.get_color(), label=f"validation, {p_in}/{p_hidden}")
ax.set_yscale("log")
ax.set_xlabel("epoch")
ax.set_ylabel("cross-entropy")
ax.set_title("100 training digits: dropout (inputs/hidden) narrows the train-validation gap")
ax.legend(fontsize=8, ncol=2)
plt.show()

# %% [markdown]
# Without dropout the training loss goes to about 10⁻³ (the 100 digits are memorised) while the
# validation loss stops improving: overfitting. Dropout keeps the training loss higher and the gap
# smaller; on this small problem the validation accuracy improves by a point or so.

# %% [markdown]
# ## Gradient clipping, by hand and by autodiff
#
# "Simply clip the gradients during backpropagation so that they never exceed some threshold."
# `clip_grad_norm(params, max_norm)` rescales all gradients together when their joint norm
# ‖g‖ = √(Σ g²) exceeds max_norm: g ← g·max_norm/(‖g‖ + 10⁻⁶), keeping the direction;
# `clip_grad_value(params, c)` clamps each entry into [−c, c], which changes the direction.

# %%
net = nn.TensorMLP(64, [32, 10], activation="relu", seed=0)
nn.cross_entropy_with_logits(net(Tensor(X_train[:64])), y_train[:64]).backward()
grads = [p.grad.copy() for p in net.parameters()]
total = np.sqrt(sum((g**2).sum() for g in grads))
max_norm = 0.1
returned = nn.clip_grad_norm(net.parameters(), max_norm)
clipped_hand = [g * max_norm / (total + 1e-6) for g in grads]
assert abs(returned - total) < 1e-12
assert all(np.abs(p.grad - c).max() < 1e-15 for p, c in zip(net.parameters(), clipped_hand))
new_total = np.sqrt(sum((p.grad**2).sum() for p in net.parameters()))
print(f"‖g‖ = {total:.4f} → {new_total:.4f} after clip_grad_norm(max_norm={max_norm}): by hand = library")

nn.clip_grad_value(net.parameters(), 0.001)
assert max(np.abs(p.grad).max() for p in net.parameters()) <= 0.001
print("clip_grad_value(0.001): every entry now in [−0.001, 0.001]")

# %% [markdown]
# ### Gradient clipping in use: a learning rate that explodes
#
# SGD with momentum at η = 0.3 on 64 → 64 → 64 → 64 → 10 (ReLU): the loss becomes NaN in the first
# epoch. With the gradients' norm clipped at 1 (`fit(..., clip_norm=1.0)`) the same run trains.

# %%
clip_runs = {}
for clip in (None, 1.0):
    net = nn.TensorMLP(64, [64, 64, 64, 10], activation="relu", seed=0)
    try:
        with np.errstate(all="ignore"):
            clip_runs[clip] = fit(net, nn.SGD(net.parameters(), lr=0.3, momentum=0.9), clip_norm=clip)
        print(f"clip_norm={clip}: validation accuracy after 10 epochs {clip_runs[clip]['val_accuracy'][-1]:.1%}")
    except NonFiniteError as e:
        clip_runs[clip] = None
        print(f"clip_norm={clip}: {type(e).__name__}: {str(e).split(':')[0]}")
assert clip_runs[None] is None and clip_runs[1.0]["val_accuracy"][-1] > 0.9

# %% [markdown]
# The notes add that clipping is "mostly useful for recurrent neural networks" and that "in general
# however, Batch Normalization is preferred". The same η = 0.3 with batch normalization instead of
# clipping:

# %%
net = nn.TensorMLP(64, [64, 64, 64, 10], activation="relu", seed=0, batchnorm=True)
with np.errstate(all="ignore"):
    history = fit(net, nn.SGD(net.parameters(), lr=0.3, momentum=0.9))
print(f"batch norm, no clipping: validation accuracy after 10 epochs {history['val_accuracy'][-1]:.1%}")
assert history["val_accuracy"][-1] > 0.9

# %% [markdown]
# ## A top-down perspective: training, validation (dev) and test sets
#
# "Divide the data into two or three parts. A training set, a validation or dev set, and a test
# set … It is crucial that we do not use any of the test data to train the algorithm." The split
# used in this notebook, checked: disjoint, covering every digit once, the proportions asked for.

# %%
(_, ytr), (_, yva), (_, yte) = nn.train_val_test_split(X_all, np.arange(len(X_all)), (0.6, 0.2, 0.2), seed=0)
assert not (set(ytr) & set(yva) or set(ytr) & set(yte) or set(yva) & set(yte))
assert len(ytr) + len(yva) + len(yte) == len(X_all) == len(set(ytr) | set(yva) | set(yte))
print(f"train {len(ytr)} / validation {len(yva)} / test {len(yte)} rows: disjoint, together all {len(X_all)}")

# %% [markdown]
# ## Fine-tuning hyperparameters: grid search and randomized search on the validation set
#
# "You can use grid search with cross-validation … You can use randomized search." Two
# hyperparameters, the learning rate of Adam and the width of one hidden layer; 9 trainings of
# 10 epochs each way. Grid: 3 × 3 values. Random: 9 draws, log-uniform η ∈ [10⁻⁴, 10⁻¹] and width
# ∈ [8, 128]. Each configuration is judged by its validation accuracy; the test set is touched once,
# by the winner only.

# %%
def score(lr, width, seed=0):
    net = nn.TensorMLP(64, [width, 10], activation="relu", seed=seed)
    history = fit(net, nn.Adam(net.parameters(), lr=lr), seed=seed)
    return history["val_accuracy"][-1], net


grid = [(lr, w) for lr in (1e-4, 1e-3, 1e-2) for w in (8, 32, 128)]
draws = np.random.default_rng(3)
randomized = [(float(10 ** draws.uniform(-4, -1)), int(round(2 ** draws.uniform(3, 7)))) for _ in range(9)]
searches = {}
for name, configs in (("grid", grid), ("randomized", randomized)):
    results = [(score(lr, w)[0], lr, w) for lr, w in configs]
    searches[name] = results
    best = max(results)
    print(f"{name:>10} search: best η = {best[1]:.2g}, width {best[2]}: validation accuracy {best[0]:.1%}")

acc, lr, width = max(searches["grid"] + searches["randomized"])
_, winner = score(lr, width)
test_acc = float((nn.predict(winner, X_test).argmax(axis=1) == y_test).mean())
print(f"the winner (η = {lr:.2g}, width {width}) on the test set, once: {test_acc:.1%}")
assert test_acc > 0.9

# %%
fig, ax = plt.subplots(figsize=(6.5, 4))
for name, marker in (("grid", "s"), ("randomized", "o")):
    res = searches[name]
    sc = ax.scatter([r[1] for r in res], [r[2] for r in res], c=[r[0] for r in res], marker=marker, s=90,
                    vmin=0.5, vmax=1.0, cmap="viridis", label=name, edgecolors="k")
ax.set_xscale("log")
ax.set_yscale("log", base=2)
ax.set_xlabel("learning rate η")
ax.set_ylabel("hidden units")
ax.legend()
fig.colorbar(sc, label="validation accuracy")
ax.set_title("grid (squares) vs randomized (circles) search, 9 runs each")
plt.show()

# %% [markdown]
# The grid spends its 9 runs on 3 distinct learning rates; the randomized search tries 9 different
# learning rates and 9 widths with the same budget, which is why it is preferred when only one or two
# of many hyperparameters matter.

# %% [markdown]
# ## More top-down perspectives: a train-test mismatch
#
# "Sometimes the training data and test data differ in subtle ways … Andrew Ng suggests making two
# validation or dev sets, one constructed from the training data and one constructed from the test
# data. The difference between the performance of the algorithm on these two validation sets
# quantifies the train-test mismatch." Simulate a mismatch: the "test distribution" is the same
# digits photographed with a different camera, i.e. shifted by one pixel to the right. A model
# trained on the original digits, then evaluated on a dev set from the training distribution
# (train-dev) and one from the test distribution (test-dev):

# %%
def shift_right(X_flat):
    """Each 8×8 image moved one pixel to the right (the left column becomes the background)."""
    images = scale.inverse_transform(X_flat).reshape(-1, 8, 8)
    moved = np.zeros_like(images)
    moved[:, :, 1:] = images[:, :, :-1]
    return scale(moved.reshape(-1, 64))


net = nn.TensorMLP(64, [64, 10], activation="relu", seed=0)
fit(net, nn.Adam(net.parameters(), lr=1e-3), epochs=20)
acc_of = {name: float((nn.predict(net, X).argmax(axis=1) == y).mean()) for name, X, y in (
    ("train", X_train, y_train), ("train-dev", X_val, y_val), ("test-dev", shift_right(X_val), y_val))}
for name, acc in acc_of.items():
    print(f"{name:<10} accuracy {acc:.1%}")
print(f"train → train-dev gap (overfitting): {acc_of['train'] - acc_of['train-dev']:.1%};  "
      f"train-dev → test-dev gap (mismatch): {acc_of['train-dev'] - acc_of['test-dev']:.1%}")
assert acc_of["train-dev"] - acc_of["test-dev"] > 0.1 > acc_of["train"] - acc_of["train-dev"]
