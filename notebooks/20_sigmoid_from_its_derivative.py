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
# # The sigmoid, built from the derivative we want — and what one sigmoid cannot fit
#
# **Lecture note:** *Introduction to Neural Networks* (seed 002, `002_120a5c4298c565de.txt`).
# **Reproduces:** the whole first section, *Activation Functions*: the five properties we ask of an
# activation, the four plots that build σ′ = σ(1 − σ) out of e^{−s}, σ and 1 − σ, the SymPy cells, the
# notes' `f`/`df` pair, and the three stochastic-gradient-descent (SGD) fits of one sigmoid unit to small
# data sets — two lines it fits and a parabola it cannot, which is why the notes move on to hidden layers.
#
# Everything the notes compute by hand (numpy, the formula σ(1 − σ)) is computed again by autodiff
# (`Value`, `Tensor`, `nn`) and the two are compared with an `assert`.
#
# The seed's code lost its indentation when the notes were turned into text (`for` bodies and `def`
# bodies are flush left); the cells below restore it. That is an artifact of the text, not an erratum.
# The notes draw their random data from numpy's global generator without a seed; we draw the same
# distributions from one seeded generator, so the numbers here are ours, the shapes of the results are
# the notes'.

# %%
# %matplotlib inline
import math

import matplotlib.pyplot as plt
import numpy as np
import sympy
from seed002_listings import FIRST_FIT, unbound_names  # the notes' listings, parsed, never run
from side_by_side import compare  # prints hand beside autodiff and asserts they agree to 1e-12

import nn
from autodiff import Tensor, Value

rng = np.random.default_rng(2)  # every random draw in this notebook comes from here


# %% [markdown]
# ## The five properties we want of an activation
#
# The notes want a nonlinear function of the weighted sum s = **w**ᵀ**x** that is (1) cheap, (2) close to
# linear while the weights — hence s — are small and more nonlinear as they grow, (3) with a derivative
# that is cheap too, (4) whose magnitude *decreases* as the weights grow, and (5) is bounded.
#
# The sigmoid σ(s) = 1/(1 + e^{−s}) that the section arrives at has all five. Below, autodiff's σ′ at
# every s (one backward pass through a `Tensor` of 401 values of s gives all of them, because each
# output depends on its own s only) is checked against each property.

# %%
s_grid = np.linspace(-10, 10, 401)
s_t = Tensor(s_grid, requires_grad=True)
s_t.sigmoid().sum().backward()          # ∂(Σ σ(sᵢ))/∂sᵢ = σ′(sᵢ)
dsig = s_t.grad
sig = 1 / (1 + np.exp(-s_grid))

small = np.abs(s_grid) <= 0.5
linear_error_small = np.abs(sig - (0.5 + s_grid / 4))[small].max()
linear_error_large = np.abs(sig - (0.5 + s_grid / 4)).max()
print(f"(2) max |σ(s) − (½ + s/4)| for |s| ≤ 0.5: {linear_error_small:.6f}   for |s| ≤ 10: {linear_error_large:.3f}")
positive = s_grid >= 0
print(f"(4) σ′ strictly decreasing for s ≥ 0 (and mirror-symmetric): {bool(np.all(np.diff(dsig[positive]) < 0))}")
print(f"(5) max σ′ on the grid: {dsig.max():.6f} at s = {s_grid[dsig.argmax()]:.2f}")
assert linear_error_small < 0.5**3 / 48 + 1e-12      # the first neglected Taylor term, s³/48
assert linear_error_large > 1.0
assert np.all(np.diff(dsig[positive]) < 0) and np.allclose(dsig, dsig[::-1], atol=1e-15)
assert dsig.max() == 0.25 and s_grid[dsig.argmax()] == 0.0

# %% [markdown]
# ## Building σ′ from four plots: e^{−s}, σ, 1 − σ and σ(1 − σ)
#
# The notes *construct* the derivative they want before they know the function. e^{−s} decays to zero as
# s grows (top left) but explodes for negative s. 1/(1 + e^{−s}) tames it: bounded by 1, and it goes to 0
# as s → −∞ (top right). 1 − σ does the same on the other side (bottom left). Their product goes to zero
# on **both** sides and peaks at ¼ (bottom right). On that last panel the dots are autodiff's derivative
# of σ itself: the product the notes built by hand *is* the derivative of σ.

# %%
s = np.linspace(-10, 10, 100)                    # the notes' grid
y = 1 / (1 + np.exp(-s))
s_t = Tensor(s, requires_grad=True)
s_t.sigmoid().sum().backward()

fig, axes = plt.subplots(2, 2, figsize=(10, 6.5))
panels = [(np.exp(-s), "$e^{-s}$"), (y, r"$\sigma(s) = 1/(1+e^{-s})$"),
          (1 - y, r"$1 - \sigma(s)$"), (y * (1 - y), r"$\sigma(s)\,(1 - \sigma(s))$")]
for ax, (values, title) in zip(axes.flat, panels):
    ax.plot(s, values)
    ax.set_title(title)
    ax.grid(True)
axes[1, 1].plot(s[::4], s_t.grad[::4], "o", ms=4, label="autodiff: dσ/ds")
axes[1, 1].legend(loc="upper right")
for ax in axes[1]:
    ax.set_xlabel("$s$")
fig.tight_layout()
plt.show()

assert np.abs(s_t.grad - y * (1 - y)).max() < 1e-15
print(f"largest σ(1 − σ) on the notes' grid: {np.max(y * (1 - y)):.6f} (s = 0 is not on a 100-point grid)")

# %% [markdown]
# "It asymptotes to zero as the magnitude of s grows and the maximum value is limited at 0.25." The
# maximum is at s = 0: there σ = ½ and ½·½ = ¼. Autodiff can confirm both halves of the claim: the
# derivative of σ at 0 is exactly ¼, and the slope of σ(1 − σ) — differentiated by autodiff through the
# expression the notes wrote — is zero there, positive before and negative after (so it is a maximum).

# %%
for s0 in (-1.0, 0.0, 1.0):
    sv = Value(s0)
    sv.sigmoid().backward()
    g = Value(s0)
    yv = g.sigmoid()
    (yv * (1 - yv)).backward()                   # d/ds [σ(1 − σ)] = σ′(1 − 2σ)
    sig0 = 1 / (1 + math.exp(-s0))
    print(f"s = {s0:+.0f}: σ′ = {sv.grad:.6f}   d[σ(1 − σ)]/ds = {g.grad:+.6f} "
          f"(by hand σ(1 − σ)(1 − 2σ) = {sig0 * (1 - sig0) * (1 - 2 * sig0):+.6f})")
    assert abs(g.grad - sig0 * (1 - sig0) * (1 - 2 * sig0)) < 1e-15
    if s0 == 0.0:
        assert sv.grad == 0.25 and g.grad == 0.0
print(f"σ′(±10) = {1 / (1 + math.exp(-10)) * (1 - 1 / (1 + math.exp(-10))):.2e}: the tails go to zero")

# %% [markdown]
# ## There are common terms: y(1 − y)
#
# "How simple is it? Well, there are common terms." Compute y = σ(s) once and the derivative is
# y·(1 − y): one subtraction and one multiplication, no second exponential (property 3). This is exactly
# what autodiff stores: at forward time a `Value` keeps the local derivative on the edge to its parent,
# and for `sigmoid` it computes it from the output y, as the notes do.

# %%
sv = Value(0.7, label="s")
yv = sv.sigmoid()
print(f"y = σ(0.7) = {yv.data:.8f};  the edge s → y carries ∂y/∂s = {yv.local_grads[0]:.8f};"
      f"  y(1 − y) = {yv.data * (1 - yv.data):.8f}")
assert yv.local_grads[0] == yv.data * (1 - yv.data)

# %% [markdown]
# ## SymPy: the derivative of s⁴, and the integral of σ(1 − σ)
#
# The notes try SymPy on s⁴ first (the cell appears twice in the notes, with the same answer 4s³), then
# *integrate* the product they built. SymPy returns 1/(1 + e^{−s}): the function whose derivative is
# σ(1 − σ) is σ itself. (An antiderivative is defined up to a constant; SymPy's has constant 0, which is the
# one that stays between 0 and 1.) Differentiating back, and autodiff at a few points, agree.

# %%
sS = sympy.Symbol("s")
print("sympy.diff(s**4, s)                 =", sympy.diff(sS**4, sS))
yS = 1 / (1 + sympy.exp(-sS))
antiderivative = sympy.integrate(yS * (1 - yS), sS)
print("sympy.integrate(y*(1 - y), s)       =", antiderivative)
print("simplify(diff(σ, s) − σ(1 − σ))     =", sympy.simplify(sympy.diff(yS, sS) - yS * (1 - yS)))
assert sympy.simplify(antiderivative - yS) == 0
assert sympy.simplify(sympy.diff(yS, sS) - yS * (1 - yS)) == 0

rows = []
for s0 in (-2.0, 0.5, 3.0):
    v = Value(s0)
    (v**4).backward()
    rows.append((f"d(s⁴)/ds at s = {s0}", float(sympy.diff(sS**4, sS).subs(sS, s0)), v.grad))
    v = Value(s0)
    v.sigmoid().backward()
    rows.append((f"dσ/ds at s = {s0}", float((yS * (1 - yS)).subs(sS, s0)), v.grad))
compare(rows)

# %% [markdown]
# ## The notes' `f` and `df`: σ and its derivative on one plot
#
# The notes' `df` takes the *value* of f, not s — `df(f(s))` — for the reason above: the derivative is
# cheapest from the output. The dashed line is autodiff's dσ/ds.

# %%
def f(s):
    return 1 / (1 + np.exp(-s))


def df(f_value):
    return f_value * (1 - f_value)


s_t = Tensor(s, requires_grad=True)
s_t.sigmoid().sum().backward()
plt.figure(figsize=(7, 4))
plt.plot(s, f(s))
plt.plot(s, df(f(s)))
plt.plot(s, s_t.grad, "k--", lw=1)
plt.legend(("f(s)", "df(s)/ds", "autodiff dσ/ds"))
plt.xlabel("$s$")
plt.grid(True)
plt.show()
assert np.abs(df(f(s)) - s_t.grad).max() < 1e-15

# %% [markdown]
# With s = **x̃**ᵀ**w** (x̃ is x with a constant 1 in front, so w₀ is the bias) the unit computes
# f(**x**; **w**) = 1/(1 + e^{−**x̃**ᵀ**w**}).
#
# ## SGD on one sigmoid unit: the notes' update is a gradient step
#
# The notes fit w by stochastic gradient descent: for each sample n in turn,
#
#     w += rho * Xn.T * (Tn - yn) * df(yn)          i.e.  w ← w + ρ (tₙ − yₙ) yₙ(1 − yₙ) x̃ₙ.
#
# Why is that downhill? For the squared error of one sample, Eₙ = ½(tₙ − yₙ)², the chain rule gives
# ∂Eₙ/∂w = −(tₙ − yₙ) · σ′(x̃ₙᵀw) · x̃ₙ = −(tₙ − yₙ) yₙ(1 − yₙ) x̃ₙ, so the update is w ← w − ρ ∂Eₙ/∂w.
# (The notes say "minimize the sum of squared errors": with (tₙ − yₙ)² instead of ½(tₙ − yₙ)² the same line
# is a step of ρ/2 — the factor only rescales ρ.) Autodiff's gradient of ½(t − y)² at a random w:

# %%
xn = np.array([[1.0, 3.7]])                     # x̃ₙ = (1, xₙ)
tn, w0 = 0.6, rng.normal(size=(2, 1))
w = Tensor(w0, requires_grad=True)
yn = (Tensor(xn) @ w).sigmoid()
(0.5 * (tn - yn) ** 2).sum().backward()
yn0 = f(xn @ w0)
hand = -(xn.T * (tn - yn0) * df(yn0))            # −(t − y) y(1 − y) x̃
compare([("∂Eₙ/∂w₀ (bias)", hand[0, 0], w.grad[0, 0]), ("∂Eₙ/∂w₁", hand[1, 0], w.grad[1, 0])])

# %% [markdown]
# ## Erratum: the first fit's cell does not run — it sets `rjp`, then uses `rho`
#
# The notes' first SGD cell reads
#
# ```python
# w = np.zeros((2, 1))
# rjp = 0.1
# ...
#         w += rho * Xn.T * (Tn - yn) * df(yn)
# ```
#
# `rho` is defined for the first time in the *next* fit's cell, so run top to bottom this cell raises
# `NameError: name 'rho' is not defined` (and `rjp` is never used). The intended line is `rho = 0.1`, which
# the two later fits use. Without running the listing, Python's own parser (`ast`, in the small helper
# module `seed002_listings.py` beside this notebook, which holds the notes' listings as text) lists the
# names it reads but never assigns:

# %%
print(FIRST_FIT)
earlier_cells = {"np", "plt", "s", "y", "sympy", "sS", "f", "df", "X", "T"}
print("names this listing reads but nothing defines:", unbound_names(FIRST_FIT, earlier_cells))
assert unbound_names(FIRST_FIT, earlier_cells) == ["rho"]
assert unbound_names(FIRST_FIT.replace("rjp", "rho"), earlier_cells) == []


# %% [markdown]
# ## Data set 1: a rising line, T = 0.1x + U(−0.4, 0.4)
#
# 20 points on [0, 10]. The notes' loop (with `rho = 0.1`, 100 passes over the data, w starting at zero)
# by hand, beside the same loop with autodiff computing each gradient and `nn.SGD` taking the step
# (learning rate ρ on Eₙ = ½(tₙ − yₙ)², as shown above). The two must give the same weights, every step.

# %%
def fit_by_hand(X, T, rho=0.1, epochs=100):
    """The notes' loop: w += ρ x̃ₙ (tₙ − yₙ) yₙ(1 − yₙ), sample by sample, w starting at 0."""
    w = np.zeros((2, 1))
    X1 = np.insert(X, 0, 1, 1)
    for _ in range(epochs):
        for n in range(X.shape[0]):
            Xn = X1[n:n + 1, :]
            Tn = T[n:n + 1, :]
            yn = f(Xn @ w)
            w += rho * Xn.T * (Tn - yn) * df(yn)
    return w


def fit_by_autodiff(X, T, rho=0.1, epochs=100):
    """The same, with ∂Eₙ/∂w from backward() and the step from nn.SGD (Eₙ = ½(tₙ − yₙ)²)."""
    w = Tensor(np.zeros((2, 1)), requires_grad=True, label="w")
    opt = nn.SGD([w], lr=rho)
    X1 = np.insert(X, 0, 1, 1)
    for _ in range(epochs):
        for n in range(X.shape[0]):
            yn = (Tensor(X1[n:n + 1, :]) @ w).sigmoid()
            En = (0.5 * (T[n:n + 1, :] - yn) ** 2).sum()
            opt.zero_grad()
            En.backward()
            opt.step()
    return w.data


def show_fit(X, T, w_hand, w_auto, title):
    X1 = np.insert(X, 0, 1, 1)
    rmse = float(np.sqrt(np.mean((f(X1 @ w_hand) - T) ** 2)))
    print(f"w by hand     = ({w_hand[0, 0]:+.6f}, {w_hand[1, 0]:+.6f})")
    print(f"w by autodiff = ({w_auto[0, 0]:+.6f}, {w_auto[1, 0]:+.6f})   (equal to 1e-12);  RMSE of the fit {rmse:.4f}")
    assert np.abs(w_hand - w_auto).max() < 1e-12
    xs = np.linspace(X.min(), X.max(), 200).reshape(-1, 1)
    plt.figure(figsize=(6, 3.5))
    plt.plot(X, T, "o", label="data")
    plt.plot(xs, f(np.insert(xs, 0, 1, 1) @ w_hand), label="σ(w₀ + w₁x), SGD")
    plt.title(title)
    plt.xlabel("$x$")
    plt.legend()
    plt.show()
    return rmse


X = np.linspace(0, 10, 20).reshape((-1, 1))
T = X * 0.1 + rng.uniform(-0.4, 0.4, size=(20, 1))
rmse_rising = show_fit(X, T, fit_by_hand(X, T), fit_by_autodiff(X, T), "data set 1: rising line")

# %% [markdown]
# The sigmoid bends the straight trend into an S (its outputs stay inside (0, 1), while these targets go
# from about −0.4 to 1.4), but over this range it follows the line well. w₁ > 0 because the trend rises;
# the bias w₀ < 0 places the sigmoid's midpoint, where σ = ½, at x = −w₀/w₁.
#
# ## Data set 2: a falling line, T = 1 − 0.1x + U(−0.2, 0.2)

# %%
X = np.linspace(0, 10, 20).reshape((-1, 1))
T = 1 + -X * 0.1 + rng.uniform(-0.2, 0.2, size=(20, 1))
rmse_falling = show_fit(X, T, fit_by_hand(X, T), fit_by_autodiff(X, T), "data set 2: falling line")

# %% [markdown]
# Now w₁ < 0: the same unit fits a decreasing trend by flipping the sign of its weight.
#
# ## Data set 3: the parabola, and why one sigmoid cannot fit it
#
# "How would you use this function to fit this data?" T = 0.01x² + U(−0.2, 0.2) on [−10, 10] goes down,
# then up. Whatever w is, σ(w₀ + w₁x) is **monotone** in x (σ′ > 0, so its slope has the sign of w₁):
# it can rise or fall, never both. SGD does what it can — a compromise S through one arm of the U — and the
# error stays far above the noise level. (Uniform noise on ±a has standard deviation a/√3: the best any
# model can do here is an RMSE near that. The two lines were fitted to about their noise level.)

# %%
X = np.linspace(-10, 10, 20).reshape((-1, 1))
T = X**2 * 0.01 + rng.uniform(-0.2, 0.2, size=(20, 1))
X_parabola, T_parabola = X, T
w_parabola = fit_by_hand(X, T)
rmse_parabola = show_fit(X, T, w_parabola, fit_by_autodiff(X, T), "data set 3: parabola — one sigmoid fails")
y_fit = f(np.insert(X, 0, 1, 1) @ w_parabola).ravel()
noise = {"rising line": 0.4 / math.sqrt(3), "falling line": 0.2 / math.sqrt(3), "parabola": 0.2 / math.sqrt(3)}
for name, rmse in zip(noise, (rmse_rising, rmse_falling, rmse_parabola)):
    print(f"{name:<13} RMSE {rmse:.4f}   noise std {noise[name]:.4f}   ratio {rmse / noise[name]:.2f}")
assert np.all(np.diff(y_fit) > 0) or np.all(np.diff(y_fit) < 0)   # monotone, whatever w is
assert rmse_rising < 1.1 * noise["rising line"] and rmse_falling < 1.1 * noise["falling line"]
assert rmse_parabola > 3 * noise["parabola"]

# %% [markdown]
# ## Two sigmoids added: a hidden layer
#
# "Right. We could use two of these functions and add their outputs together." One sigmoid that rises on
# the right, one that falls on the left, and a linear unit that adds them: y = u₀ + u₁σ(a₁) + u₂σ(a₂). That
# is a network with one hidden layer of two units and one linear output unit.
#
# **By hand**: pick the hidden weights to put one S on each side (σ((x − 5)/4) rising, σ(−(x + 5)/4)
# falling), and then the output weights u by least squares — the output is linear in u (next notebook).
# **By autodiff**: let gradient descent find all seven weights from random ones (`nn.TensorMLP(1, [2, 1],
# activation="sigmoid")`, Adam, x standardized — the notes standardize too, in their last section).

# %%
def hidden_by_hand(x):
    return np.hstack([f((x - 5) / 4), f(-(x + 5) / 4)])


H1 = np.insert(hidden_by_hand(X), 0, 1, 1)
u, *_ = np.linalg.lstsq(H1, T, rcond=None)
rmse_hand = float(np.sqrt(np.mean((H1 @ u - T) ** 2)))

scaler = nn.standardize(X)
XS, T_t = Tensor(scaler.transform(X)), Tensor(T)


def train_two_sigmoids(seed, steps=3000):
    net = nn.TensorMLP(1, [2, 1], activation="sigmoid", seed=seed)
    opt = nn.Adam(net.parameters(), lr=0.05)
    for _ in range(steps):
        loss = nn.mse(net(XS), T_t)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return net, math.sqrt(loss.item())


net, rmse_net = train_two_sigmoids(seed=1)
print(f"RMSE: one sigmoid {rmse_parabola:.4f};  two sigmoids, hand-placed {rmse_hand:.4f};"
      f"  two sigmoids, learned {rmse_net:.4f}")
assert rmse_hand < rmse_parabola / 2 and rmse_net < 0.1

xs = np.linspace(-10, 10, 200).reshape(-1, 1)
hidden = nn.Sequential(net[0], net[1])(Tensor(scaler.transform(xs))).data   # the two hidden outputs
u_net = net[2].W.data.ravel()
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 3.8))
ax1.plot(X, T, "o", label="data")
ax1.plot(xs, np.insert(hidden_by_hand(xs), 0, 1, 1) @ u, label="by hand: 2 placed sigmoids + least squares")
ax1.plot(xs, net(Tensor(scaler.transform(xs))).data, "--", label="autodiff: 1-2-1 net, learned")
ax1.plot(xs, f(np.insert(xs, 0, 1, 1) @ w_parabola), ":", label="one sigmoid (SGD above)")
ax1.set_xlabel("$x$")
ax1.legend(fontsize=8)
ax2.plot(xs, u_net[0] * hidden[:, 0], label=r"$u_1\,\sigma(a_1)$")
ax2.plot(xs, u_net[1] * hidden[:, 1], label=r"$u_2\,\sigma(a_2)$")
ax2.set_title(f"the learned net's hidden units, weighted (+ output bias {net[2].b.data[0]:.2f})")
ax2.set_xlabel("$x$")
ax2.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# The learned net fits the parabola to about the noise level (a little below it: seven weights on twenty
# points also fit some of the noise). Each hidden unit supplies one arm of the U; the output unit adds them.
# One caveat, which the notes raise later ("Will this find the global optimum?"): gradient descent is not
# guaranteed to find such weights. From another random start (seed 0) the same net, same data, same
# optimizer, ends with both hidden units computing nearly the same function — two copies of one sigmoid
# are hardly better than one — and its error stays close to the single sigmoid's:

# %%
stuck, rmse_stuck = train_two_sigmoids(seed=0)
V_stuck = stuck[0].W.data.ravel()
print(f"seed 0: RMSE {rmse_stuck:.4f};  hidden weights {V_stuck[0]:+.3f} and {V_stuck[1]:+.3f}, "
      f"biases {stuck[0].b.data[0]:+.3f} and {stuck[0].b.data[1]:+.3f}")
assert rmse_stuck > 3 * rmse_net and abs(V_stuck[0] - V_stuck[1]) < 0.05
