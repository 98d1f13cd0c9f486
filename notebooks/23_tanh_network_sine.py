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
# # The notes' network, with the notes' own settings: 20 tanh units, 100 000 epochs on a noisy sine
#
# **Lecture note:** *Introduction to Neural Networks* (seed 002, `002_120a5c4298c565de.txt`).
# **Reproduces:** *Finally, the Code*: the data f(x) = 0.2 + 0.05(x + 10) + 0.4 sin(x + 10) + 0.2ε with a
# test set, standardization, `addOnes`, the initial weights, and the full-batch training loop with
# ρₕ = 0.1, ρₒ = 0.01 for **100 000 epochs**, ending in the notes' three plots: train and test RMSE
# against epochs, the fit, and the hidden units' outputs against x.
#
# The network is trained by autodiff (`nn.TensorMLP` + `nn.SGD` with one learning rate per layer), and the
# notes' own numpy loop runs beside it for the first 1 000 epochs to show they take the same steps.
# The matrix delta rules themselves are derived in `22_delta_rules_by_hand`; the questions the notes ask
# about this training (global optimum? zero initial weights? two learning rates?) are in
# `24_tanh_network_questions`.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np
from seed002_listings import ADD_ONES, TRAINING, syntax_error, unbound_names  # the notes' listings, never run

import nn
from autodiff import Tensor, no_grad

rng = np.random.default_rng(0)  # the notes draw from numpy's global generator; we seed ours


# %% [markdown]
# ## The data: f(x) = 0.2 + 0.05(x + 10) + 0.4 sin(x + 10) + 0.2ε, and a test set
#
# 30 training inputs evenly spaced on [−10, 10], targets with Gaussian noise of standard deviation 0.2;
# the test inputs are the training inputs jittered by 0.1·N(0, 1), with their own noise. (The notes'
# formula has one closing parenthesis too many, "sin(x+10))" — a typo; their code is right.) By hand as the
# notes write it, and from `nn.noisy_sine`, which draws the same numbers in the same order from a seeded
# generator:

# %%
n = 30
Xtrain = np.linspace(0.0, 20.0, n).reshape((n, 1)) - 10
Ttrain = 0.2 + 0.05 * (Xtrain + 10) + 0.4 * np.sin(Xtrain + 10) + 0.2 * rng.normal(size=(n, 1))
Xtest = Xtrain + 0.1 * rng.normal(size=(n, 1))
Ttest = 0.2 + 0.05 * (Xtest + 10) + 0.4 * np.sin(Xtest + 10) + 0.2 * rng.normal(size=(n, 1))
nSamples = Xtrain.shape[0]
nOutputs = Ttrain.shape[1]

for hand, lib in zip((Xtrain, Ttrain, Xtest, Ttest), nn.noisy_sine(n, seed=0, test=True)):
    assert np.array_equal(hand, lib)
print(f"{nSamples} samples, {nOutputs} output; targets from {Ttrain.min():.4f} to {Ttrain.max():.4f}; "
      "nn.noisy_sine(30, seed=0, test=True) gives the same arrays")

# %% [markdown]
# ## Erratum: two formulas with one closing parenthesis too many
#
# Two typos, harmless once seen but confusing to a reader who types the formula in: this section's
# f(x) = 0.2 + 0.05(x+10) + 0.4 sin(x+10)**)** + 0.2ε, and *Adding Nonlinear Combinations of Inputs*'
# Eₖ = Σₙ (tₙₖ − Φ̃ₙᵀwₖ)**)**² (notebook 21). Transliterated to Python, Python rejects both; the balanced
# f is what the notes' own code computes (and `nn.noisy_sine`, checked above).

# %%
printed = {"f(x)": "0.2 + 0.05 * (x + 10) + 0.4 * sin(x + 10)) + 0.2 * eps",
           "E_k": "sum((t[n, k] - Phi1[n] @ w[:, k])) ** 2 for n in range(N))"}
for name, formula in printed.items():
    print(f"{name} as printed: {formula}\n    Python says: {syntax_error(formula)}")
    assert syntax_error(formula) == "line 1: unmatched ')'"
    assert syntax_error(formula.replace("))", ")", 1)) is None
x_check = np.linspace(-10, 10, 7)
assert np.allclose(0.2 + 0.05 * (x_check + 10) + 0.4 * np.sin(x_check + 10),
                   nn.noisy_sine(7, seed=0)[1].ravel() - 0.2 * np.random.default_rng(0).normal(size=7), atol=1e-15)

# %% [markdown]
# ## Standardizing inputs and targets
#
# Inputs and targets are shifted and scaled to mean 0 and standard deviation 1 using the **training**
# set's means and standard deviations — the test set is transformed with the same numbers, as it must be
# (it stands for data the model has not seen). With x ∈ [−10, 10] unscaled, a weight of 0.1 would already
# put tanh near saturation at the ends. By hand and with `nn.standardize`:

# %%
Xmeans = Xtrain.mean(axis=0)
Xstds = Xtrain.std(axis=0)
Tmeans = Ttrain.mean(axis=0)
Tstds = Ttrain.std(axis=0)

XtrainS = (Xtrain - Xmeans) / Xstds
TtrainS = (Ttrain - Tmeans) / Tstds
XtestS = (Xtest - Xmeans) / Xstds
TtestS = (Ttest - Tmeans) / Tstds

x_scaler, t_scaler = nn.standardize(Xtrain), nn.standardize(Ttrain)
assert np.allclose(x_scaler.transform(Xtest), XtestS, rtol=0, atol=1e-15)
assert np.allclose(t_scaler.transform(Ttrain), TtrainS, rtol=0, atol=1e-15)
assert np.allclose(t_scaler.inverse_transform(TtrainS), Ttrain, rtol=0, atol=1e-15)
print(f"x: mean {Xmeans[0]:.4f}, std {Xstds[0]:.6f};   t: mean {Tmeans[0]:.6f}, std {Tstds[0]:.6f}")


def addOnes(A):
    """Add constant column of 1's (the notes' helper, with its def line)."""
    return np.insert(A, 0, 1, axis=1)


XtrainS1 = addOnes(XtrainS)
XtestS1 = addOnes(XtestS)

# %% [markdown]
# ## Erratum: this section's code does not run as printed
#
# Three things stop it. The `addOnes` cell has lost its `def` line — it is a `return` outside any function
# (above we restored `def addOnes(A):`). And the training cell reads four names that nothing defines:
# `rh` and `ro` (their definitions are commented out), `Z1` (the line `Z1 = addOnes(Z)` is missing from the
# loop) and `XtestS1` (never computed; above we did). Checked without running either listing, with every
# name of the earlier cells counted as defined:

# %%
print(ADD_ONES)
print("Python says:", syntax_error(ADD_ONES))
earlier = {"np", "plt", "ipd", "time", "n", "Xtrain", "Ttrain", "Xtest", "Ttest", "nSamples", "nOutputs",
           "Xmeans", "Xstds", "Tmeans", "Tstds", "XtrainS", "TtrainS", "XtestS", "TtestS", "XtrainS1", "addOnes"}
print("the training cell reads, but nothing defines:", unbound_names(TRAINING, earlier))
assert syntax_error(ADD_ONES) == "line 2: 'return' outside function"
assert unbound_names(TRAINING, earlier) == ["XtestS1", "Z1", "rh", "ro"]

# %% [markdown]
# ## The notes' settings, and what ρₕ = 0.1 and ρₒ = 0.01 mean
#
# 20 hidden units; initial weights uniform on (−0.1, 0.1), V of shape (1 + 1) × 20 and W (1 + 20) × 1; the
# rates `rhoh = 0.1`, `rhoo = 0.01`, used as `rh = rhoh / (nSamples * nOutputs)` (the line the notes
# commented out, and the (1/N)(1/K) of their math). Since ∂E/∂V = −2/(NK)·X̃ᵀ(…) for the mean squared error
# E, the notes' step V + rh·X̃ᵀ(…) is V − (ρₕ/2)∂E/∂V = **V − ρₕ ∂(½E)/∂V** (see the factor-2 erratum in
# notebook 22). So in `nn` terms: loss `nn.mse(Y, T, half=True)`, plain `nn.SGD` with the learning rate
# 0.1 for the hidden layer and 0.01 for the output layer — two parameter groups.
#
# `nn.TensorMLP(1, [20, 1], activation="tanh")` is this network: Linear(1 → 20), tanh, Linear(20 → 1). Its
# layers keep the bias apart from the weights, so the notes' V is `[b; W]` of the first layer and the notes'
# W is `[b; W]` of the second. We copy the notes' initial V and W into it.

# %%
nHiddens = 20
rhoh = 0.1
rhoo = 0.01
rh = rhoh / (nSamples * nOutputs)
ro = rhoo / (nSamples * nOutputs)
V_init = rng.uniform(-0.1, 0.1, size=(1 + 1, nHiddens))
W_init = rng.uniform(-0.1, 0.1, size=(1 + nHiddens, nOutputs))


def notes_network():
    """TensorMLP(1, [20, 1], tanh) holding the notes' V, W, and SGD with the notes' two rates."""
    net = nn.TensorMLP(1, [nHiddens, nOutputs], activation="tanh", seed=0)
    hidden, output = net[0], net[2]
    hidden.b.data[:], hidden.W.data[:] = V_init[0], V_init[1:]
    output.b.data[:], output.W.data[:] = W_init[0], W_init[1:]
    opt = nn.SGD([{"params": hidden.parameters(), "lr": rhoh}, {"params": output.parameters(), "lr": rhoo}])
    return net, opt


def as_notes_VW(net):
    """The network's weights in the notes' layout: V = [b₁; W₁], W = [b₂; W₂]."""
    return (np.vstack([net[0].b.data, net[0].W.data]), np.vstack([net[2].b.data, net[2].W.data]))


net, opt = notes_network()
print(net)
XtrainS_t, TtrainS_t, XtestS_t = Tensor(XtrainS), Tensor(TtrainS), Tensor(XtestS)

# %% [markdown]
# ## The hand loop beside autodiff, epoch by epoch
#
# The notes' loop (with the missing lines restored) computes each step by the matrix delta rules; the
# autodiff loop computes the gradient of ½E by `backward()` and lets `nn.SGD` step. Run side by side for
# 1 000 epochs, they hold the same weights after every step, to rounding:

# %%
V, W = V_init.copy(), W_init.copy()
largest_gap = 0.0
for _ in range(1000):
    Z = np.tanh(XtrainS1 @ V)                      # the notes' loop
    Z1 = addOnes(Z)
    Y = Z1 @ W
    error = TtrainS - Y
    V = V + rh * XtrainS1.T @ ((error @ W[1:, :].T) * (1 - Z**2))
    W = W + ro * Z1.T @ error

    loss = nn.mse(net(XtrainS_t), TtrainS_t, half=True)   # autodiff
    opt.zero_grad()
    loss.backward()
    opt.step()
    Va, Wa = as_notes_VW(net)
    largest_gap = max(largest_gap, np.abs(Va - V).max(), np.abs(Wa - W).max())
print(f"after 1000 epochs: hand and autodiff weights equal to 1e-12: {largest_gap < 1e-12};  "
      f"train RMSE {np.sqrt(np.mean((error * Tstds) ** 2)):.6f}")
assert largest_gap < 1e-12

# %% [markdown]
# ## 100 000 epochs with the notes' settings
#
# Now the full run, from the same initial weights, with autodiff alone. Each epoch keeps what the notes'
# error traces are made of: the training predictions from the forward pass *before* the step, and the
# test predictions from a forward pass *after* it (under `no_grad`, since nothing is differentiated there;
# the two curves are one step apart, invisible at this scale). After the loop, both become RMSEs in the
# original units, as the notes compute them (`error * Tstds`, and the un-standardized test predictions),
# for all epochs at once: one numpy expression instead of 200 000 small ones. We also keep the model's curve at a few epochs, to replace the notes' animation (they redraw the
# figure every 2 000 epochs).
#
# **What it costs** (measured on the 2-core machine that built this notebook; not printed here, so that the
# output does not change from run to run): about 0.1 ms of CPU per training step — forward, backward,
# update — and 0.02 ms for the test forward pass, ≈ 12 s of CPU for the 100 000 epochs (about 15 s of
# wall time on an idle machine). The notes' numpy loop takes ≈ 6 s: on a network this small the work is
# Python's bookkeeping — building the graph every epoch — more than arithmetic.

# %%
nEpochs = 100000
Ytrain_S = np.empty((nEpochs, n))      # each epoch's predictions, standardized; errors computed below
Ytest_S = np.empty((nEpochs, n))
snapshot_epochs = (0, 999, 9999, 29999, nEpochs - 1)  # after 1, 1 000, … epochs
x_fine = np.linspace(-10, 10, 400).reshape(-1, 1)
x_fine_t = Tensor(x_scaler.transform(x_fine))
snapshots = {}
net, opt = notes_network()
for epoch in range(nEpochs):
    Y = net(XtrainS_t)
    loss = nn.mse(Y, TtrainS_t, half=True)
    opt.zero_grad()
    loss.backward()
    opt.step()
    Ytrain_S[epoch] = Y.data[:, 0]
    with no_grad():
        Ytest_S[epoch] = net(XtestS_t).data[:, 0]
        if epoch in snapshot_epochs:
            snapshots[epoch] = t_scaler.inverse_transform(net(x_fine_t).data)

# the notes' error traces, for all epochs at once: RMSE of the un-standardized errors
errorTrace = np.zeros((nEpochs, 2))
errorTrace[:, 0] = np.sqrt(np.mean(((TtrainS.T - Ytrain_S) * Tstds) ** 2, axis=1))
Ytest = Ytest_S * Tstds + Tmeans
errorTrace[:, 1] = np.sqrt(np.mean((Ytest - Ttest.T) ** 2, axis=1))
with no_grad():
    Z_final = net[1](net[0](XtrainS_t)).data                    # the 20 hidden units' outputs
Ytest_final = Ytest[-1]



def f_noise_free(x):
    return 0.2 + 0.05 * (x + 10) + 0.4 * np.sin(x + 10)


floor_train = np.sqrt(np.mean((f_noise_free(Xtrain) - Ttrain) ** 2))
floor_test = np.sqrt(np.mean((f_noise_free(Xtest) - Ttest) ** 2))
print(f"{'epoch':>7}{'train RMSE':>12}{'test RMSE':>11}")
for epoch in (1, 1000, 10000, 30000, 50000, 100000):
    print(f"{epoch:>7}{errorTrace[epoch - 1, 0]:>12.4f}{errorTrace[epoch - 1, 1]:>11.4f}")
print(f"{'f itself':>7}{floor_train:>12.4f}{floor_test:>11.4f}   (the noise-free function: the noise alone)")
assert errorTrace[-1, 0] < floor_train < errorTrace[0, 0]           # below the noise: it fits some noise
assert floor_test < errorTrace[-1, 1] <= errorTrace[:, 1].min() + 0.005   # test error still near its lowest

# %% [markdown]
# ## The notes' three plots: RMSE against epochs, the fit, and the hidden units
#
# As the notes lay them out (one figure, three rows; theirs is 10 × 20 inches, ours shorter):
# **top**, train and test RMSE against epochs; **middle**, training data, test data and the model's
# predictions at the test inputs, in original units; **bottom**, the outputs z of the 20 hidden units at
# the training inputs.

# %%
fig = plt.figure(figsize=(10, 13))
plt.subplot(3, 1, 1)
plt.plot(errorTrace)
plt.axhline(floor_train, color="C0", ls=":", lw=1)
plt.axhline(floor_test, color="C1", ls=":", lw=1)
plt.ylim(0, 0.7)
plt.xlabel("Epochs")
plt.ylabel("RMSE")
plt.legend(("Train", "Test", "f itself on train", "f itself on test"), loc="upper left")

plt.subplot(3, 1, 2)
plt.plot(Xtrain, Ttrain, "o-", Xtest, Ttest, "o-", Xtest, Ytest_final, "o-")
plt.xlim(-10, 10)
plt.legend(("Training", "Testing", "Model"), loc="upper left")
plt.xlabel("$x$")
plt.ylabel("Actual and Predicted $f(x)$")

plt.subplot(3, 1, 3)
plt.plot(Xtrain, Z_final)
plt.ylim(-1.1, 1.1)
plt.xlabel("$x$")
plt.ylabel("Hidden Unit Outputs ($z$)")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## What the curves say: slow, then fast, and at 100 000 epochs just starting to fit the noise
#
# After a quick first drop (the output layer fits the straight trend of the data) progress is slow for
# thousands of epochs: with initial weights of ±0.1 every hidden unit starts nearly linear, and a sum of
# nearly linear units is nearly a line. Then the hidden units sharpen one after another and the error falls
# again, as the model picks up the sine's bumps one by one. The dotted lines are what the
# noise-free function f itself scores on the same points — the noise alone. By epoch 100 000 the training
# RMSE is **below** that line: the network now fits part of the noise of its 30 training points. The test
# RMSE is still falling and close to its lowest value, but it stays above f's: the fit is good, not perfect.
# The notes' 100 000 epochs stop about where a longer run would start to overfit.
#
# The bottom plot shows how the network does it: the hidden units started as nearly flat lines (all weights
# within ±0.1) and have become tanh steps with different centres, slopes and signs (a few are saturated
# at ±1 over the whole range and act as extra biases); the output unit adds them with its weights into the
# sine-shaped curve.
#
# The notes plot the model only at the 30 test inputs, joined by lines. On a fine grid of x, the snapshots
# below replace the notes' animation (they redraw the figure every 2 000 epochs):

# %%
fig, axes = plt.subplots(1, len(snapshot_epochs), figsize=(15, 3.2), sharey=True)
for ax, epoch in zip(axes, snapshot_epochs):
    ax.plot(Xtrain, Ttrain, "o", ms=3, label="training")
    ax.plot(x_fine, 0.2 + 0.05 * (x_fine + 10) + 0.4 * np.sin(x_fine + 10), "k:", lw=1, label="f without noise")
    ax.plot(x_fine, snapshots[epoch], label="model")
    ax.set_title(f"after epoch {epoch + 1}")
    ax.set_xlabel("$x$")
axes[0].legend(fontsize=7, loc="upper left")
fig.tight_layout()
plt.show()
