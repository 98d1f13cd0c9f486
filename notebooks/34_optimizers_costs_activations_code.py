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
# # The notes' code: learning-rate methods, cost functions and activation functions
#
# **Lecture notes:** *Advanced machine learning and data analysis for the physical sciences, third
# week* (M. Hjorth-Jensen, seed file `003_70b1d3cf22e7eb32.txt`): *Other ingredients of a neural
# network* (the list of gradient methods), *Building a neural network code*, *Learning rate methods*
# (the Constant, Momentum, Adagrad, AdagradMomentum, RMS prop and Adam schedulers),
# *Usage of the above learning rate schedulers*, *Cost functions* (CostOLS, CostLogReg,
# CostCrossEntropy) and *Activation functions* (identity, sigmoid, softmax, RELU, `derivate`).
#
# The notes' listings are short: each scheduler is "the change which will be subtracted from the
# weights", each cost function "returns a function valued only at x such that it may easily be
# differentiated". Here every update rule and every cost is written out by hand (numpy) beside the
# library's optimizer or autodiff's gradient, asserted equal; the six methods are compared on one
# plot; and the places where the listings do not run as printed, or do something other than they
# say, are shown.

# %%
# %matplotlib inline
import warnings

import matplotlib.pyplot as plt
import numpy as np

import nn
from autodiff import Tensor, Value

rng = np.random.default_rng(0)

# %% [markdown]
# ## Learning-rate methods: one update of each, by hand and by the library
#
# Each method turns the gradient g into a *change* subtracted from the parameter, θ ← θ − change
# (δ = 10⁻⁸ avoids a division by zero; ρ, ρ₂ are the notes' names for the decay rates):
#
# | notes' class | update | library |
# |---|---|---|
# | Constant | change = η g | `nn.SGD` |
# | Momentum | change ← μ·change + η g | `nn.Momentum` |
# | Adagrad | G ← G + g², change = η g/(δ + √G) | `nn.Adagrad` |
# | AdagradMomentum | G ← G + g², change ← μ·change + η g/(δ + √G) | `nn.AdagradMomentum` |
# | RMS_prop | s ← ρs + (1 − ρ)g², change = η g/√(s + δ) | `nn.RMSprop` |
# | Adam | m ← ρm + (1 − ρ)g, v ← ρ₂v + (1 − ρ₂)g², change = η m̂/√(v̂ + δ), m̂ = m/(1 − ρᵗ), v̂ = v/(1 − ρ₂ᵗ) | `nn.Adam` |
#
# Three steps on a 2 × 3 parameter with a fixed sequence of gradients, by hand and by the library:

# %%
eta, mu, rho, rho2, delta = 0.1, 0.9, 0.9, 0.999, 1e-8
theta0 = rng.normal(size=(2, 3))
gradients = [rng.normal(size=(2, 3)) for _ in range(3)]


def by_hand(method):
    theta, change, G, s, m, v = theta0.copy(), 0.0, 0.0, 0.0, 0.0, 0.0
    for t, g in enumerate(gradients, 1):
        if method == "Constant":
            change = eta * g
        elif method == "Momentum":
            change = mu * change + eta * g
        elif method == "Adagrad":
            G = G + g * g
            change = eta * g / (delta + np.sqrt(G))
        elif method == "AdagradMomentum":
            G = G + g * g
            change = mu * change + eta * g / (delta + np.sqrt(G))
        elif method == "RMS_prop":
            s = rho * s + (1 - rho) * g * g
            change = eta * g / np.sqrt(s + delta)
        elif method == "Adam":
            m = rho * m + (1 - rho) * g
            v = rho2 * v + (1 - rho2) * g * g
            change = eta * (m / (1 - rho**t)) / np.sqrt(v / (1 - rho2**t) + delta)
        theta = theta - change
    return theta


OPTIMIZERS = {
    "Constant": lambda p: nn.SGD(p, lr=eta),
    "Momentum": lambda p: nn.Momentum(p, lr=eta, momentum=mu),
    "Adagrad": lambda p: nn.Adagrad(p, lr=eta, eps=delta),
    "AdagradMomentum": lambda p: nn.AdagradMomentum(p, lr=eta, momentum=mu, eps=delta),
    "RMS_prop": lambda p: nn.RMSprop(p, lr=eta, rho=rho, eps=delta),
    "Adam": lambda p: nn.Adam(p, lr=eta, rho=rho, rho2=rho2, eps=delta),
}
for method, make in OPTIMIZERS.items():
    theta = Tensor(theta0.copy(), requires_grad=True)
    opt = make([theta])
    for g in gradients:
        theta.grad = g.copy()
        opt.step()
    hand = by_hand(method)
    assert np.abs(theta.data - hand).max() < 1e-12, method
    print(f"{method:<16} {type(opt).__name__:<16} θ after 3 steps: by hand = library (1e-12);  θ[0, 0] = {hand[0, 0]: .6f}")

# %% [markdown]
# ## The six methods compared on one plot
#
# One network, 64 → 32 → 10 on the 8×8 digits, 15 epochs of minibatches of 32, the same initial
# weights for every method. A fair comparison gives each method its own learning rate: each is
# tried with η ∈ {10⁻³, 10⁻², 10⁻¹} (momenta 0.9, ρ = 0.9, ρ₂ = 0.999) and the best by final
# validation loss is plotted.

# %%
X_all, y_all = nn.digits()
(X_train, y_train), (X_val, y_val), (X_test, y_test) = nn.train_val_test_split(X_all, y_all, (0.6, 0.2, 0.2), seed=0)
scale = nn.standardize(X_train)
X_train, X_val, X_test = scale(X_train), scale(X_val), scale(X_test)

MAKE = {
    "Constant (SGD)": lambda p, lr: nn.SGD(p, lr=lr),
    "Momentum": lambda p, lr: nn.Momentum(p, lr=lr, momentum=0.9),
    "Adagrad": lambda p, lr: nn.Adagrad(p, lr=lr),
    "AdagradMomentum": lambda p, lr: nn.AdagradMomentum(p, lr=lr, momentum=0.9),
    "RMSprop": lambda p, lr: nn.RMSprop(p, lr=lr, rho=0.9),
    "Adam": lambda p, lr: nn.Adam(p, lr=lr, rho=0.9, rho2=0.999),
}
best = {}
with warnings.catch_warnings(), np.errstate(all="ignore"):
    warnings.simplefilter("ignore")
    for name, make in MAKE.items():
        for lr in (1e-3, 1e-2, 1e-1):
            net = nn.TensorMLP(64, [32, 10], activation="relu", seed=0)
            try:
                history = nn.fit(net, "cross_entropy_with_logits", make(net.parameters(), lr), X_train, y_train,
                                 epochs=15, batch_size=32, validation=(X_val, y_val), metrics=["accuracy"],
                                 progress=False, seed=0)
            except FloatingPointError:
                continue                      # diverged at this rate
            if name not in best or history["val_loss"][-1] < best[name][1]["val_loss"][-1]:
                best[name] = (lr, history)
for name, (lr, history) in best.items():
    print(f"{name:<16} best η = {lr:<6g} final validation loss {history['val_loss'][-1]:.3f}, "
          f"accuracy {history['val_accuracy'][-1]:.1%}")
assert all(history["val_accuracy"][-1] > 0.9 for _, history in best.values())
final = {name: history["loss"][-1] for name, (_, history) in best.items()}
assert max(final[n] for n in ("Adagrad", "AdagradMomentum", "RMSprop", "Adam")) < 0.2 * min(
    final["Constant (SGD)"], final["Momentum"])
assert best["Momentum"][0] == best["Constant (SGD)"][0] / 10 and 0.8 < final["Momentum"] / final["Constant (SGD)"] < 1.25

# %%
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
for name, (lr, history) in best.items():
    axes[0].semilogy(history.epochs, history["loss"], label=f"{name}, η = {lr:g}")
    axes[1].plot(history.epochs, history["val_accuracy"], label=name)
axes[0].set_ylabel("training loss")
axes[1].set_ylabel("validation accuracy")
axes[1].set_ylim(0.85, 1.0)
for ax in axes:
    ax.set_xlabel("epoch")
axes[0].legend(fontsize=8)
fig.suptitle("the six learning-rate methods, each at its best η, digits 64 → 32 → 10")
plt.show()

# %% [markdown]
# The four adaptive methods (Adagrad, AdagradMomentum, RMSprop, Adam) pull ahead in the first
# epochs and bring the training loss ten times lower than plain SGD and momentum; on validation
# accuracy all of them end within a couple of points (95–97 %). Momentum at η = 0.01 almost traces
# SGD at η = 0.1: with μ = 0.9 a steady gradient builds steps of η/(1 − μ) = 10η, so the two have the
# same effective rate. RMSprop drives the training loss lowest without a better validation score.
# The formulas differ most in valleys whose sides are much steeper than their floor:

# %%
def valley(x, y):
    """f(x, y) = x²/10 + 2y²: a long narrow valley (curvatures 0.2 and 4)."""
    return x * x / 10 + 2 * y * y


rates = {"Constant (SGD)": 0.4, "Momentum": 0.05, "Adagrad": 0.5, "AdagradMomentum": 0.1, "RMSprop": 0.1,
         "Adam": 0.3}
paths = {}
for name, make in MAKE.items():
    x, y = Value(-4.0), Value(1.5)
    opt = make([x, y], rates[name])
    path = [(x.data, y.data)]
    for _ in range(60):
        opt.zero_grad()
        valley(x, y).backward()
        opt.step()
        path.append((x.data, y.data))
    paths[name] = np.array(path)

fig, ax = plt.subplots(figsize=(12, 4))
gx, gy = np.meshgrid(np.linspace(-4.5, 1, 200), np.linspace(-2, 2, 200))
ax.contour(gx, gy, valley(gx, gy), levels=20, colors="grey", linewidths=0.5)
for name, path in paths.items():
    ax.plot(path[:, 0], path[:, 1], ".-", ms=3, label=f"{name} (η = {rates[name]}): f = {valley(*path[-1]):.0e}")
ax.set_xlabel("x")
ax.set_ylabel("y")
ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
ax.set_title("60 steps from (−4, 1.5) on f = x²/10 + 2y² (gradients by autodiff)")
plt.show()
assert all(valley(*path[-1]) < valley(-4.0, 1.5) / 10 for path in paths.values())

# %% [markdown]
# Plain gradient descent at η = 0.4 bounces across the steep y-direction (η·4 = 1.6 per step, close
# to the stability limit 2) while crawling along the flat x-direction (η·0.2 = 0.08); momentum
# builds up speed along the floor and overshoots, swinging across the minimum; the adaptive methods
# divide each coordinate's step by its own gradient size, so both directions move at similar speeds
# and they head straight for the floor of the valley before following it.

# %% [markdown]
# ## Usage of the learning-rate schedulers
#
# The notes' snippet creates `Momentum(eta=1e-3, momentum=0.9)` and `Adam(eta=1e-3, rho=0.9,
# rho2=0.999)`, then runs 10 "epochs" on a 3 × 3 weight matrix of ones, each with a random
# gradient: change = `adam_scheduler.update_change(gradient)`, weights = weights − change, then
# `adam_scheduler.reset()`. With the library: an optimizer holds the parameters and `step()` does
# the subtraction; `reset()` forgets the running averages, as the notes' `reset()` does.

# %%
momentum_scheduler = nn.Momentum([Tensor(np.ones((3, 3)))], lr=1e-3, momentum=0.9)
weights = Tensor(np.ones((3, 3)), requires_grad=True)
adam_scheduler = nn.Adam([weights], lr=1e-3, rho=0.9, rho2=0.999)
print(f"Before scheduler:\n{weights.data}")
draws = np.random.default_rng(42)
epochs = 10
for e in range(epochs):  # noqa: B007  (the notes' loop, as printed)
    gradient = draws.random((3, 3))
    weights.grad = gradient
    adam_scheduler.step()              # weights = weights - change
    adam_scheduler.reset()
print(f"\nAfter scheduler:\n{np.round(weights.data, 6)}")

# %% [markdown]
# ### Erratum: the usage snippet resets Adam after every step, which turns it into sign descent
#
# `reset()` clears Adam's running averages m and v. Called after *every* update, as in the
# snippet, each step starts from m = v = 0, so m̂ = g and v̂ = g² exactly (the bias corrections
# undo the (1 − ρ) factors of a first step), and the change is
#
# η·g/√(g² + δ) ≈ η·sign(g):
#
# every weight moves by η whatever its gradient, which is sign gradient descent, not Adam. That
# is why all nine weights above end at 1 − 10η = 0.99 although the gradients were random numbers
# between 0 and 1. By hand, then without the `reset()` (real Adam):

# %%
draws = np.random.default_rng(42)
grads = [draws.random((3, 3)) for _ in range(epochs)]
notes_hand = np.ones((3, 3)) - sum(1e-3 * g / np.sqrt(g * g + 1e-8) for g in grads)
assert np.abs(weights.data - notes_hand).max() < 1e-15 and np.abs(notes_hand - 0.99).max() < 1e-6

real = Tensor(np.ones((3, 3)), requires_grad=True)
adam = nn.Adam([real], lr=1e-3, rho=0.9, rho2=0.999)
m = v = np.zeros((3, 3))
adam_hand = np.ones((3, 3))
for t, g in enumerate(grads, 1):
    real.grad = g
    adam.step()                                          # no reset: m and v accumulate
    m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
    adam_hand -= 1e-3 * (m / (1 - 0.9**t)) / np.sqrt(v / (1 - 0.999**t) + 1e-8)
assert np.abs(real.data - adam_hand).max() < 1e-15
print("with reset() every step (the notes): every weight moved by", np.round(1 - weights.data.ravel()[:3], 8), "…")
print("without reset (Adam):                 weights moved by", np.round(1 - real.data.ravel()[:3], 8), "…")
assert np.ptp(1 - weights.data) < 1e-6 < np.ptp(1 - real.data)

# %% [markdown]
# In the course's FFNN (its `fit()` is not printed in these notes) the schedulers are reset once per
# *epoch*, after all its minibatches, which keeps the averages within an epoch; with a single batch
# per epoch (full-batch training, as in the notes' XOR example) it is the same sign descent as here. Resetting belongs between
# independent training runs, not inside one.

# %% [markdown]
# ## Cost functions: CostOLS, CostLogReg, CostCrossEntropy
#
# Each takes the targets and returns a function of the predictions X, to be differentiated with
# respect to X. By hand, with n = `target.shape[0]` rows:
#
# * CostOLS = (1/n)Σ(t − X)²,  ∂/∂X = −(2/n)(t − X);
# * CostLogReg = −(1/n)Σ[t log(X + δ) + (1 − t) log(1 − X + δ)],
#   ∂/∂X = −(1/n)[t/(X + δ) − (1 − t)/(1 − X + δ)];
# * CostCrossEntropy = −(1/n)Σ t log(X + δ),  ∂/∂X = −(1/n) t/(X + δ);
#
# with the listings' δ = `10e-10`. Autodiff computes the gradient of the same expression built from
# Tensor operations; the library's own losses (`nn.mse(mean_over="samples")`,
# `nn.binary_cross_entropy`, `nn.cross_entropy_from_probabilities`) agree to within δ's effect.

# %%
n = 5
t_reg, X_reg = rng.normal(size=(n, 1)), rng.normal(size=(n, 1))
t_bin, X_bin = rng.integers(0, 2, size=(n, 1)).astype(float), rng.uniform(0.05, 0.95, size=(n, 1))
t_cls = np.eye(4)[rng.integers(0, 4, size=n)]
X_cls = rng.dirichlet(np.ones(4), size=n)
d = 10e-10

costs = {
    "CostOLS": (t_reg, X_reg, lambda t, X: (1.0 / n) * ((t - X) ** 2).sum(),
                lambda t, X: -(2.0 / n) * (t - X), lambda t, X: nn.mse(X, t, mean_over="samples")),
    "CostLogReg": (t_bin, X_bin, lambda t, X: -(1.0 / n) * (t * (X + d).log() + (1 - t) * (1 - X + d).log()).sum(),
                   lambda t, X: -(1.0 / n) * (t / (X + d) - (1 - t) / (1 - X + d)),
                   lambda t, X: nn.binary_cross_entropy(X, t)),
    "CostCrossEntropy": (t_cls, X_cls, lambda t, X: -(1.0 / n) * (t * (X + d).log()).sum(),
                         lambda t, X: -(1.0 / n) * t / (X + d),
                         lambda t, X: nn.cross_entropy_from_probabilities(X, t)),
}
for name, (t, X, cost, hand_grad, library) in costs.items():
    Xt = Tensor(X, requires_grad=True)
    c = cost(Tensor(t), Xt)
    c.backward()
    assert np.abs(Xt.grad - hand_grad(t, X)).max() < 1e-12, name
    assert abs(c.item() - library(t, Tensor(X)).item()) < 1e-8, name
    print(f"{name:<17} cost {c.item():.6f}; gradient by hand = autodiff (1e-12); library loss agrees to 1e-8")

# %% [markdown]
# ### Erratum: listings that do not run as printed
#
# Several listings in the notes are cut off: `CostLogReg`'s last line ends in `np.log(1 -` and a
# lone `)`, `CostCrossEntropy` and `RELU` stop at their `def` line, the `FFNN` class is only its
# imports, and the calls `FFNN(dims, hidden_func=LRELU, output_func=softmax, cost_f` and
# `FFNN((input_nodes, output_nodes), output_func=si` stop mid-argument. Python's own parser on the
# listings exactly as printed (the cells above and in notebook 35 supply the missing pieces, from the
# formulas the notes state):

# %%
as_printed = {
    "CostLogReg": '''def CostLogReg(target):
    def func(X):
        return -(1.0 / target.shape[0]) * np.sum(
            (target * np.log(X + 10e-10)) + ((1 - target) * np.log(1 -
            )
    return func''',
    "CostCrossEntropy": "def CostCrossEntropy(target):\n",
    "RELU": "def RELU(X):\n",
    "multiclass = FFNN(...)": "multiclass = FFNN(dims, hidden_func=LRELU, output_func=softmax, cost_f\n",
    "logistic_regression = FFNN(...)": "logistic_regression = FFNN((input_nodes, output_nodes), output_func=si\n",
}
for name, source in as_printed.items():
    try:
        compile(source, name, "exec")
        raise AssertionError(f"{name} compiled")
    except SyntaxError:
        print(f"{name:<32} does not parse (SyntaxError)")

# %% [markdown]
# A smaller point: `10e-10` is 10 × 10⁻¹⁰ = 10⁻⁹, not 10⁻¹⁰ (`1e-10`). It only shifts the costs by
# about 10⁻⁹, but the softmax listing divides by Σe^z + 10⁻⁹, so its rows sum to slightly less than 1.

# %%
assert 10e-10 == 1e-9 != 1e-10
print("10e-10 =", 10e-10)

# %% [markdown]
# ## Activation functions: the notes' listings against autodiff and HIPS autograd
#
# The listings' `identity`, `sigmoid` and `softmax`, exactly as printed, then their derivatives:
# the notes' `derivate()` uses HIPS autograd's `elementwise_grad`; here it is set beside autodiff's
# gradient and the hand formulas σ′ = σ(1 − σ) and, for softmax, ∂pᵢ/∂zⱼ = pᵢ(δᵢⱼ − pⱼ).

# %%
import autograd.numpy as anp  # noqa: E402  (the listings' `import autograd.numpy as np`)
from autograd import elementwise_grad  # noqa: E402


def identity(X):
    return X


def sigmoid(X):
    try:
        return 1.0 / (1 + anp.exp(-X))
    except FloatingPointError:
        return anp.where(X > anp.zeros(X.shape), anp.ones(X.shape), anp.zeros(X.shape))


def softmax(X):
    X = X - anp.max(X, axis=-1, keepdims=True)
    delta = 10e-10
    return anp.exp(X) / (anp.sum(anp.exp(X), axis=-1, keepdims=True) + delta)


z = np.linspace(-6, 6, 13)
s_hand = 1 / (1 + np.exp(-z))
zt = Tensor(z, requires_grad=True)
zt.sigmoid().sum().backward()
hips = elementwise_grad(sigmoid)(z)
assert np.abs(sigmoid(z) - s_hand).max() < 1e-15 and np.array_equal(identity(z), z)
assert np.abs(zt.grad - s_hand * (1 - s_hand)).max() < 1e-15 and np.abs(hips - zt.grad).max() < 1e-15
print("σ'(z) by hand = autodiff = HIPS autograd's elementwise_grad (1e-15) on", len(z), "points")

logits = rng.normal(size=(2, 4))
p_notes = softmax(logits)
p = np.exp(logits - logits.max(axis=1, keepdims=True))
p /= p.sum(axis=1, keepdims=True)
zt = Tensor(logits, requires_grad=True)
up = rng.normal(size=(2, 4))                                              # an upstream gradient
(nn.activations.softmax(zt) * Tensor(up)).sum().backward()
jac_vjp = np.stack([(np.diag(pi) - np.outer(pi, pi)) @ ui for pi, ui in zip(p, up)])
assert np.abs(zt.grad - jac_vjp).max() < 1e-12
assert np.abs(p_notes - p).max() < 1e-8
print("softmax rows of the listing sum to 1 −", [f"{v:.1e}" for v in 1 - p_notes.sum(axis=1)],
      "(the 10e-10 in the denominator)")
print("softmax gradient: hand Jacobian pᵢ(δᵢⱼ − pⱼ) = autodiff (1e-12)")

# %% [markdown]
# ### Erratum: the sigmoid listing's overflow fallback turns the whole array into a step function
#
# The listing guards against overflow with `except FloatingPointError`. With numpy's default
# settings that branch never runs: e^{1000} overflows to inf with a RuntimeWarning, and
# 1/(1 + inf) = 0 is the right answer anyway. When overflow *does* raise (under
# `np.errstate(over="raise")`, or `np.seterr`), the fallback returns
# `where(X > 0, 1, 0)` for **every** entry, not only the overflowing one: a single large negative
# input sets σ(0.5) to 1. The library's sigmoid is computed in a stable form and needs no fallback.

# %%
X = np.array([-1000.0, -2.0, 0.5, 3.0])
correct = np.array([0.0, 1 / (1 + np.exp(2.0)), 1 / (1 + np.exp(-0.5)), 1 / (1 + np.exp(-3.0))])
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    default = sigmoid(X)
with np.errstate(over="raise"):
    raised = sigmoid(X)
library = Tensor(X).sigmoid().data
print(f"{'x':>10}{'notes, default':>16}{'notes, raising':>16}{'correct':>12}{'autodiff':>12}")
for row in zip(X, default, raised, correct, library):
    print("".join(f"{v:>{w}.6f}" for v, w in zip(row, (10, 16, 16, 12, 12))))
print("numpy's default run warned:", caught[0].category.__name__ if caught else "no warning")
assert np.abs(default - correct).max() < 1e-15 and np.abs(library - correct).max() < 1e-15
assert raised[2] == 1.0 and abs(correct[2] - 0.622459) < 1e-6 and not np.allclose(raised, correct)

# %% [markdown]
# ## The listing that stops at `def RELU(X):`, finished as an op of your own
#
# The notes' activation listing breaks off at `def RELU(X):`, and the digits network calls an
# `LRELU` that is never printed. Here both are finished twice: as the notes would (autograd's
# numpy, the formula y = x for x > 0 and 0, or αx with the notes' default α = 0.01, otherwise)
# and as **new primitives of autodiff** with `autodiff.define_op`. That is micrograd's central
# exercise (add an op with its backward) in this library's form: a name, the forward rule `f`,
# the local derivative `df` (one per input; the derivative at the kink is our choice, 0 for ReLU
# as everywhere in the library) and the formula the pictures print. The rules are written against
# a namespace `m`, so the one definition runs on a Value, on a Tensor (with broadcasting), in
# forward mode and for derivatives of derivatives. `selects=True` says ReLU passes the gradient
# where it selects and an exact 0 elsewhere (like the built-in `relu`).
#
# Checked three ways: against autograd's `elementwise_grad` of the notes-style numpy function
# (at the kink x = 0 too), against the library's built-in `relu`/`leaky_relu`, and by central
# differences (`gradcheck`, away from the kink, where a derivative exists).

# %%
import autodiff  # noqa: E402


def RELU(X):  # the body the listing leaves out: the notes' formula in autograd's numpy
    return anp.where(X > anp.zeros(X.shape), X, anp.zeros(X.shape))


def LRELU(X, alpha=0.01):
    return anp.where(X > anp.zeros(X.shape), X, alpha * X)


relu = autodiff.define_op(
    "notes_relu",
    f=lambda m, x: m.where(x > 0, x, 0.0),              # y = x if x > 0 else 0
    df=lambda m, y, x: (m.where(x > 0, 1.0, 0.0),),     # ∂y/∂x = 1 if x > 0 else 0 (0 at the kink)
    formula="y = max(0, x);  y' = 1 if x > 0 else 0", selects=True)
lrelu = autodiff.define_op(
    "notes_lrelu",
    f=lambda m, x: m.where(x > 0, x, 0.01 * x),
    df=lambda m, y, x: (m.where(x > 0, 1.0, 0.01),),
    formula="y = x if x > 0 else 0.01x;  y' = 1 if x > 0 else 0.01")

z = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
print(f"{'z':>14}", z)
for mine, notes_style, builtin in ((relu, RELU, lambda t: t.relu()), (lrelu, LRELU, lambda t: t.leaky_relu(0.01))):
    zt, zb = Tensor(z, requires_grad=True), Tensor(z, requires_grad=True)
    y = mine(zt)
    y.sum().backward()
    builtin(zb).sum().backward()
    hips = elementwise_grad(notes_style)(z)
    print(f"{notes_style.__name__ + '(z)':>14}", y.data, "  derivative:", zt.grad, "(autograd:", hips, ")")
    assert np.array_equal(y.data, notes_style(z)) and np.array_equal(zt.grad, hips)
    assert np.array_equal(zt.grad, zb.grad)                    # the same as the built-in op, kink included
report = autodiff.gradcheck(lambda t: lrelu(t).sum(), [Tensor(rng.normal(size=(3, 4)), requires_grad=True)])
assert report.passed
print(str(report).splitlines()[-1])
print("second derivative of lrelu(x)² at 0.3:", autodiff.grad(autodiff.grad(lambda x: lrelu(x) * lrelu(x)))(0.3))

# %% [markdown]
# A new op is a node like any other: in a picture it carries its name and on its edge the local
# derivative its `df` gave. Here one neuron with the notes' ReLU; its weighted sum is negative,
# so the ReLU passes nothing back and the weights' gradients are 0 (a "dead" unit for this input).

# %%
x, w, b = Value(0.7, label="x"), Value(-1.2, label="w"), Value(0.4, label="b")
y = relu(x * w + b)
y.label = "y"
y.backward()
assert (y.data, w.grad, b.grad) == (0.0, 0.0, 0.0)
print(autodiff.explain(w, y))
autodiff.draw(y)
