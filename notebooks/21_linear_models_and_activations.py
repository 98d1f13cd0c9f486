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
# # From least squares to a two-layer network: linear models, fixed features, and which activation
#
# **Lecture note:** *Introduction to Neural Networks* (seed 002, `002_120a5c4298c565de.txt`).
# **Reproduces:** *Linear Models as Neural Networks* (least squares W = (X̃ᵀX̃)⁻¹X̃ᵀT, the shapes, the
# picture), *Adding Nonlinear Combinations of Inputs* (Φ(X) and least squares on it), and the first half
# of *Structure of a Two Layer Neural Network*: the shapes of X̃, V, Z̃, W, Y, the polynomial activation
# whose derivative explodes, the sigmoid and tanh with their derivatives, and the mean squared error E.
# The delta rules that follow are in `22_delta_rules_by_hand`, the notes' training run in `23_tanh_network_sine`.
#
# Every hand computation (numpy, the notes' formulas) is set beside autodiff's and asserted.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np
import sympy

import nn
from autodiff import ShapeError, Tensor, Value, concatenate, draw

rng = np.random.default_rng(21)  # every random draw in this notebook comes from here


def add_ones(A):
    """The notes' addOnes: X → X̃, a constant-1 column in front."""
    return np.insert(A, 0, 1, axis=1)


# %% [markdown]
# ## A linear model is a network without a hidden layer: least squares by hand, gradient descent by autodiff
#
# For inputs X (N × D) and targets T (N × K) the notes minimise
# E(W) = Σₙ Σₖ (tₙₖ − x̃ₙᵀwₖ)² and solve ∂E/∂W = −2X̃ᵀ(T − X̃W) = 0 in closed form:
# **W = (X̃ᵀX̃)⁻¹X̃ᵀT**, then predict Y = X̃W. X̃ is N × (D+1), W is (D+1) × K, Y is N × K: row 0 of W holds
# the biases, column k the weights of output k.
#
# Autodiff reaches the same W the slow way: start from W = 0 and walk downhill along −∂E/∂W, the gradient
# coming from `backward()`. (We step on E/(NK), the mean, so that one learning rate suits any N and K;
# the minimiser is the same.)

# %%
N, D, K = 40, 2, 2
X = rng.normal(size=(N, D))
W_true = np.array([[0.5, -1.0], [2.0, 0.3], [-1.0, 1.5]])          # (D+1) × K
T = add_ones(X) @ W_true + 0.1 * rng.normal(size=(N, K))

X1 = add_ones(X)
W_ls = np.linalg.solve(X1.T @ X1, X1.T @ T)                          # (X̃ᵀX̃)⁻¹X̃ᵀT, without forming the inverse
print(f"X̃ {X1.shape}  W {W_ls.shape}  Y {(X1 @ W_ls).shape}   (N = {N}, D = {D}, K = {K})")
assert X1.shape == (N, D + 1) and W_ls.shape == (D + 1, K) and (X1 @ W_ls).shape == (N, K)

W = Tensor(np.zeros((D + 1, K)), requires_grad=True, label="W")
opt = nn.SGD([W], lr=0.2)
for _ in range(300):
    E = ((T - Tensor(X1) @ W) ** 2).mean()
    opt.zero_grad()
    E.backward()
    opt.step()
print("least squares, by hand:\n", np.round(W_ls, 6))
print("gradient descent, autodiff (300 steps):\n", np.round(W.data, 6))
assert np.abs(W.data - W_ls).max() < 1e-9

# %% [markdown]
# Why the two agree: the gradient autodiff follows is exactly the notes' −2X̃ᵀ(T − X̃W) (here divided by NK),
# and at the least-squares W it is zero — the normal equations say precisely that.

# %%
W_any = rng.normal(size=(D + 1, K))
for name, W0 in (("a random W", W_any), ("the least-squares W", W_ls)):
    Wt = Tensor(W0, requires_grad=True)
    ((T - Tensor(X1) @ Wt) ** 2).sum().backward()                  # the notes' E, not divided
    hand = -2 * X1.T @ (T - X1 @ W0)
    print(f"at {name:<20} max |∂E/∂W| = {np.abs(Wt.grad).max():.6f};  autodiff equals −2X̃ᵀ(T − X̃W): "
          f"{np.allclose(Wt.grad, hand, rtol=1e-12, atol=1e-10)}")
    assert np.allclose(Wt.grad, hand, rtol=1e-12, atol=1e-10)
assert np.abs(Wt.grad).max() < 1e-10

# %% [markdown]
# `nn.Linear(D, K)` is this same network with the bias kept apart: its `b` is row 0 of the notes' W, its `W`
# the other rows, and `X @ W + b` equals X̃W.

# %%
layer = nn.Linear(D, K)
layer.b.data[:] = W_ls[0]
layer.W.data[:] = W_ls[1:]
assert np.allclose(layer(Tensor(X)).data, X1 @ W_ls, rtol=0, atol=1e-12)
print(layer, "gives the same Y as X̃W: True")

# %% [markdown]
# ## The picture: yₙₖ = x̃ₙᵀwₖ as a graph
#
# The notes draw this calculation (the image did not survive in the text). Here it is for one sample with
# D = 2 inputs and K = 2 outputs, with `Value`s: every input feeds every output through its own weight;
# row 0 of W is the bias (a weight on the constant input 1). After `backward()` on this sample's error
# E = (t₁ − y₁)² + (t₂ − y₂)² each weight's node shows its gradient, and each edge its local derivative
# (∂yₖ/∂w_{j,k} = x̃ⱼ).

# %%
x_n, t_n = X[0], T[0]
w = [[Value(W_ls[j, k], label=f"w{j},{k + 1}") for k in range(K)] for j in range(D + 1)]
x = [Value(x_n[j], label=f"x{j + 1}") for j in range(D)]
t = [Value(t_n[k], label=f"t{k + 1}") for k in range(K)]
y = [Value.dot([w[j + 1][k] for j in range(D)], x, bias=w[0][k]) for k in range(K)]
for k, yk in enumerate(y):
    yk.label = f"y{k + 1}"
E_n = (t[0] - y[0]) ** 2 + (t[1] - y[1]) ** 2
E_n.label = "E"
E_n.backward()
for k in range(K):
    hand = -2 * (t_n[k] - y[k].data) * np.insert(x_n, 0, 1)          # ∂E/∂w_{j,k} = −2(tₖ − yₖ)x̃ⱼ
    assert np.allclose([w[j][k].grad for j in range(D + 1)], hand, rtol=1e-12, atol=1e-15)
draw(E_n, params=[wj for row in w for wj in row], digits=3)

# %% [markdown]
# ## Each output is its own least-squares problem
#
# "Find **w**ₖ that minimizes squared error in the kᵗʰ output … collect all **w**ₖ as columns in W."
# Because E = Σₖ Eₖ and column k of W appears only in Eₖ, solving for all columns at once is the same as
# solving K separate problems:

# %%
columns = np.hstack([np.linalg.lstsq(X1, T[:, [k]], rcond=None)[0] for k in range(K)])
print("one column at a time equals all at once:", np.allclose(columns, W_ls, rtol=0, atol=1e-12))
assert np.allclose(columns, W_ls, rtol=0, atol=1e-12)

# %% [markdown]
# ## Adding nonlinear combinations of inputs: Φ(X)
#
# A linear model can still fit curves if we first transform the inputs with *fixed* nonlinear functions and
# fit a linear model to Φ(X) instead of X. The notes' example builds columns x_{n,1}, x_{n,2}⁵,
# x_{n,2}³x_{n,4}² from a multi-column X; then W = (Φ̃ᵀΦ̃)⁻¹Φ̃ᵀT and Y = Φ̃W, nothing else changes.
# (The notes index rows 0 … N−1 in this example and 1 … N elsewhere; columns count from 1. Their
# Eₖ = Σₙ (tₙₖ − Φ̃ₙᵀwₖ))² has one closing parenthesis too many — a typo.) The same features as a `Tensor`
# computation give the same matrix, and gradients flow through them like through any other op:

# %%
Xwide = rng.normal(size=(3, 4))                                         # columns x_{·,1} … x_{·,4}


def phi_by_hand(A):
    return np.column_stack([A[:, 0], A[:, 1] ** 5, A[:, 1] ** 3 * A[:, 3] ** 2])


Xt = Tensor(Xwide, requires_grad=True)
Phi_t = concatenate([Xt[:, 0:1], Xt[:, 1:2] ** 5, Xt[:, 1:2] ** 3 * Xt[:, 3:4] ** 2], axis=1)
Phi_t.sum().backward()
print("Φ(X) by hand:\n", np.round(phi_by_hand(Xwide), 6))
assert np.allclose(Phi_t.data, phi_by_hand(Xwide), rtol=1e-12, atol=0)
# ∂(Σ Φ)/∂x_{n,2} = 5x⁴ + 3x²·x_{n,4}²; ∂/∂x_{n,4} = 2x_{n,2}³x_{n,4}; x_{n,3} is unused
hand = np.zeros_like(Xwide)
hand[:, 0] = 1
hand[:, 1] = 5 * Xwide[:, 1] ** 4 + 3 * Xwide[:, 1] ** 2 * Xwide[:, 3] ** 2
hand[:, 3] = 2 * Xwide[:, 1] ** 3 * Xwide[:, 3]
assert np.allclose(Xt.grad, hand, rtol=1e-12, atol=1e-15)

# %% [markdown]
# On the parabola that defeated one sigmoid (`20_sigmoid_from_its_derivative`), the right features win:
# with Φ(x) = (x, x²) the linear least-squares fit is as good as the noise allows. But the wrong features —
# Φ(x) = (x, x³) — fail just as badly as the sigmoid did. "Now, what should we put in the yellow box?" We
# had to *know* the answer was a parabola to choose x². "Can we use the training data to figure this out?"
# Yes: make Φ itself adaptive, a layer of units with weights learned from the data — a hidden layer.
#
# By autodiff: the gradient of E at the least-squares W is zero (it is the minimum), and gradient descent
# on the same model reaches the same predictions. (The columns x and x² have very different scales, which
# makes plain gradient descent crawl; we standardize them first — the predictions of a linear model do not
# depend on that affine change of its inputs.)

# %%
Xp = np.linspace(-10, 10, 20).reshape((-1, 1))
Tp = Xp**2 * 0.01 + rng.uniform(-0.2, 0.2, size=(20, 1))
fits = {}
for name, Phi in (("Φ = (x, x²)", np.hstack([Xp, Xp**2])), ("Φ = (x, x³)", np.hstack([Xp, Xp**3]))):
    Phi1 = add_ones(Phi)
    Wp = np.linalg.solve(Phi1.T @ Phi1, Phi1.T @ Tp)
    Wt = Tensor(Wp, requires_grad=True)
    ((Tp - Tensor(Phi1) @ Wt) ** 2).sum().backward()
    assert np.abs(Wt.grad).max() < 1e-8                              # the minimum: ∂E/∂W = 0
    s = nn.standardize(Phi)
    Wg = Tensor(np.zeros((3, 1)), requires_grad=True)
    opt = nn.SGD([Wg], lr=0.3)
    for _ in range(500):
        Eg = ((Tp - Tensor(add_ones(s.transform(Phi))) @ Wg) ** 2).mean()
        opt.zero_grad()
        Eg.backward()
        opt.step()
    Y_gd = add_ones(s.transform(Phi)) @ Wg.data
    assert np.allclose(Y_gd, Phi1 @ Wp, rtol=0, atol=1e-9)
    fits[name] = (Wp, float(np.sqrt(np.mean((Phi1 @ Wp - Tp) ** 2))))
    print(f"{name}: W = {np.round(Wp.ravel(), 5)},  RMSE {fits[name][1]:.4f};  "
          "gradient descent on standardized Φ gives the same predictions: True")
assert fits["Φ = (x, x²)"][1] < 0.2 / np.sqrt(3) < 0.5 * fits["Φ = (x, x³)"][1]

xs = np.linspace(-10, 10, 200).reshape(-1, 1)
plt.figure(figsize=(6.5, 3.8))
plt.plot(Xp, Tp, "o", label="data")
plt.plot(xs, add_ones(np.hstack([xs, xs**2])) @ fits["Φ = (x, x²)"][0], label="least squares on (1, x, x²)")
plt.plot(xs, add_ones(np.hstack([xs, xs**3])) @ fits["Φ = (x, x³)"][0], label="least squares on (1, x, x³)")
plt.xlabel("$x$")
plt.legend()
plt.show()

# %% [markdown]
# ## The structure of a two-layer network: the shapes of X̃, V, Z̃, W and Y
#
# With φ(**x**) = h(**x**) the output of a layer of adaptive units, the network is
#
#     X̃ : N × (D+1)   V : (D+1) × M   Z̃ : N × (M+1)   W : (M+1) × K   Y : N × K
#
# Z = h(X̃V) (the hidden layer, M units), Z̃ = Z with a column of ones in front, Y = Z̃W (the output layer).
# Built from Tensors with N = 7, D = 3, M = 5, K = 2 (N, D+1, M, M+1, K all different, so a shape slip
# cannot hide), every shape is the notes', and backward gives each weight matrix a gradient of its own shape:

# %%
N2, D2, M2, K2 = 7, 3, 5, 2
X2, T2 = rng.normal(size=(N2, D2)), rng.normal(size=(N2, K2))
V = Tensor(rng.uniform(-1, 1, size=(D2 + 1, M2)), requires_grad=True, label="V")
W = Tensor(rng.uniform(-1, 1, size=(M2 + 1, K2)), requires_grad=True, label="W")
X2t = Tensor(add_ones(X2), label="X̃")
Z = (X2t @ V).tanh()
Z1 = concatenate([Tensor(np.ones((N2, 1))), Z], axis=1)
Y = Z1 @ W
((T2 - Y) ** 2).mean().backward()
for name, t, expected in (("X̃", X2t, (N2, D2 + 1)), ("V", V, (D2 + 1, M2)), ("Z = h(X̃V)", Z, (N2, M2)),
                          ("Z̃", Z1, (N2, M2 + 1)), ("W", W, (M2 + 1, K2)), ("Y = Z̃W", Y, (N2, K2))):
    print(f"{name:<12} {str(t.shape):<8} expected {expected}")
    assert t.shape == expected
assert V.grad.shape == V.shape and W.grad.shape == W.shape

# %% [markdown]
# ## Erratum: "Z̃ = h(X̃V)" has the wrong shape — h(X̃V) is Z, and Z̃ adds the column of ones
#
# The notes write **Z̃ = h(X̃V)**, **Y = Z̃W** right under the shape table that says Z̃ is N × (M+1). But
# X̃V is N × M, so h(X̃V) is N × M: that is **Z**, and **Z̃ = [1 | h(X̃V)]**. Taken as written, Y = h(X̃V)W
# multiplies N × M by (M+1) × K, which is undefined. (Their next line, Y = h̃(X̃V)W with h̃ meaning "apply h,
# then add the ones column", is right; the notes' Python does the same with `Z1 = addOnes(Z)`.) Autodiff
# refuses the product as written:

# %%
try:
    Z @ W                                                              # the notes' Y = h(X̃V) W
    raise AssertionError("h(X̃V) @ W should not have a shape")
except ShapeError as e:
    print("h(X̃V) @ W  →  ShapeError:", e)
print(f"h(X̃V) is {Z.shape} (N × M); Z̃ = [1 | h(X̃V)] is {Z1.shape} (N × (M+1)); Z̃W is {Y.shape}")

# %% [markdown]
# ## A polynomial activation whose derivative explodes
#
# "We will be doing gradient descent in the squared error, so want an h whose derivative doesn't grow out
# of control." The notes' counter-example: h(a) = 3 + 2a + a² + 3a⁵, whose derivative by hand is
# h′(a) = 2 + 2a + 15a⁴. Autodiff differentiates the same expression (the dots), and agrees to rounding.
# On [−5, 5] h′ reaches 15·5⁴ ≈ 9 400: a gradient step proportional to it is thousands of times larger
# where |a| = 5 than near 0.

# %%
def h(x):
    return 3 + 2 * x + 1 * x**2 + 3 * x**5


def dh(x):
    return 2 + 2 * x + 15 * x**4


def notes_axes_and_show(y_extent):
    """The notes' finish of both activation plots: the axes in black, a red dashed mark at a = 0."""
    plt.plot((-6, 6), (0, 0), "k")
    plt.plot((0, 0), (-y_extent, y_extent), "k")
    plt.plot([0, 0], [-1, 1], "r--", linewidth=3, alpha=0.5)
    plt.xlabel("$a$")
    plt.legend(loc="best")
    plt.show()


xs = np.linspace(-5, 5, 100)
a_t = Tensor(xs, requires_grad=True)
h(a_t).sum().backward()
assert np.allclose(a_t.grad, dh(xs), rtol=1e-12, atol=1e-12)
print(f"h′(5) by hand {dh(5.0):.1f}, by autodiff {a_t.grad[-1]:.1f};   h′(0) = {dh(0.0):.1f}")

plt.figure(figsize=(8, 5))
plt.plot(xs, h(xs), "b-", linewidth=3, label="$h_1(a)$")
plt.plot(xs, dh(xs), "b--", linewidth=3, label="$d h_1(a)/da$")
plt.plot(xs[::5], a_t.grad[::5], "ko", ms=4, label="autodiff $dh_1/da$")
notes_axes_and_show(y_extent=10000)

# %% [markdown]
# ## Erratum: that derivative is never negative — it is h, not h′, that plunges for negative a
#
# The notes: "This derivative gets huge — high positive as a increases and **high negative as a
# decreases**." But h′(a) = 15a⁴ + 2a + 2 is positive for every a: the quartic term dominates on both sides.
# Its minimum is where h″(a) = 60a³ + 2 = 0, i.e. a* = −(1/30)^{1/3} ≈ −0.3218, and h′(a*) ≈ 1.517 > 0. What
# goes to −∞ as a decreases is h itself (its 3a⁵ term), as the plot above shows: the solid line, not the
# dashed one. At a = −5, h = −9357 while h′ = +9367. (The instability argument survives: a huge derivative
# of either sign makes huge steps.)

# %%
a_star = -(1 / 30) ** (1 / 3)
dense = np.linspace(-5, 5, 100001)
at = Tensor(dense, requires_grad=True)
h(at).sum().backward()
print(f"the notes' claim: h′(a) → −∞ as a → −∞.   autodiff: h′(−5) = {at.grad[0]:+.1f}, h(−5) = {h(-5.0):+.1f}")
print(f"min of h′ on [−5, 5]: by hand h′(a*) = {dh(a_star):.6f} at a* = {a_star:.6f};  "
      f"autodiff on a grid: {at.grad.min():.6f} at a = {dense[at.grad.argmin()]:.4f}")
assert at.grad.min() > 1.5 and abs(at.grad.min() - dh(a_star)) < 1e-6
assert at.grad[0] > 9000 and h(-5.0) < -9000

# %% [markdown]
# ## What an exploding derivative does to gradient descent
#
# "Such huge steps will shoot the gradient descent far away." The same one-hidden-layer network (20 units,
# the notes' noisy-sine data and learning rates, see `23_tanh_network_sine`), once with h = tanh and once
# with the polynomial, from the same initial weights drawn uniformly on (−1, 1). With tanh the error falls;
# with the polynomial the very first gradient is tens of thousands of times larger, the first step throws the
# weights far away, and two steps later the error overflows to infinity. (From initial weights ten times
# smaller, ±0.1 as the notes use, the pre-activations start near 0, where the polynomial is almost the line
# 3 + 2a, and it survives these 200 epochs: the trouble starts when the weights grow.)

# %%
Xs_, Ts_ = nn.noisy_sine(30, seed=0)
Xs_, Ts_ = nn.standardize(Xs_).transform(Xs_), nn.standardize(Ts_).transform(Ts_)
V0, W0 = rng.uniform(-1, 1, size=(2, 20)), rng.uniform(-1, 1, size=(21, 1))
ones = Tensor(np.ones((30, 1)))
runs = (("tanh", lambda a: a.tanh(), 1.0), ("polynomial", h, 1.0), ("polynomial, ±0.1", h, 0.1))
for name, act, scale in runs:
    Vh = Tensor(scale * V0, requires_grad=True)
    Wh = Tensor(scale * W0, requires_grad=True)
    opt = nn.SGD([{"params": [Vh], "lr": 0.1}, {"params": [Wh], "lr": 0.01}])
    errors, first_grad = [], None
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(200):
            Yh = concatenate([ones, act(Tensor(add_ones(Xs_)) @ Vh)], axis=1) @ Wh
            E = 0.5 * ((Ts_ - Yh) ** 2).mean()
            errors.append(E.item())
            if not np.isfinite(errors[-1]):
                break
            opt.zero_grad()
            E.backward()
            first_grad = np.abs(Vh.grad).max() if first_grad is None else first_grad
            opt.step()
    print(f"{name:<17} max |∂E/∂V| at the start {first_grad:11.3f};  E at epochs 0, 1, 2: "
          + ", ".join(f"{e:.4g}" for e in errors[:3]) + f";  after {len(errors)} epochs E = {errors[-1]:.4g}")
    if name == "polynomial":
        assert not np.isfinite(errors[-1]) and len(errors) <= 5
    else:
        assert errors[-1] < errors[0] and len(errors) == 200

# %% [markdown]
# ## The sigmoid and tanh, and their derivatives ("work out their derivatives in class")
#
# The two well-behaved choices, with a = x̃ᵀv: h₁(a) = σ(a) = 1/(1 + e^{−a}) and
# h₂(a) = tanh a = (eᵃ − e^{−a})/(eᵃ + e^{−a}). Worked out: **h₁′ = h₁(1 − h₁)** (notebook 20) and
# **h₂′ = 1 − h₂²** (quotient rule: ((eᵃ + e^{−a})² − (eᵃ − e^{−a})²)/(eᵃ + e^{−a})² = 1 − tanh²a). SymPy
# confirms both, autodiff's derivatives match at 100 points, and the two are related: tanh a = 2σ(2a) − 1, so
# tanh is a sigmoid stretched to (−1, 1) and centred at 0 ("symmetric"), and its slope at 0 is 1, four
# times σ's ¼. Both derivatives are bounded and vanish as |a| grows, unlike the polynomial's.

# %%
aS = sympy.Symbol("a")
h1S, h2S = 1 / (1 + sympy.exp(-aS)), (sympy.exp(aS) - sympy.exp(-aS)) / (sympy.exp(aS) + sympy.exp(-aS))
assert sympy.simplify(sympy.diff(h1S, aS) - h1S * (1 - h1S)) == 0
assert sympy.simplify(sympy.diff(h2S, aS) - (1 - h2S**2)) == 0
print("SymPy: dh₁/da − h₁(1 − h₁) = 0 and dh₂/da − (1 − h₂²) = 0")


def h1(a):
    return 1 / (1 + np.exp(-a))


def h2(a):
    return np.tanh(a)


def dh1(a):
    y = h1(a)
    return y * (1 - y)


def dh2(a):
    y = h2(a)
    return 1 - y * y


xs = np.linspace(-5, 5, 100)
assert np.allclose((np.exp(xs) - np.exp(-xs)) / (np.exp(xs) + np.exp(-xs)), h2(xs), rtol=1e-12, atol=1e-15)
assert np.allclose(h2(xs), 2 * h1(2 * xs) - 1, rtol=0, atol=1e-15)
a1, a2 = Tensor(xs, requires_grad=True), Tensor(xs, requires_grad=True)
a1.sigmoid().sum().backward()
a2.tanh().sum().backward()
assert np.allclose(a1.grad, dh1(xs), rtol=1e-12, atol=1e-15) and np.allclose(a2.grad, dh2(xs), rtol=1e-12, atol=1e-15)
v1, v2 = Value(0.0), Value(0.0)
v1.sigmoid().backward()
v2.tanh().backward()
print(f"slope at 0: sigmoid {v1.grad:.4f}, tanh {v2.grad:.4f};  slope at ±5: sigmoid {dh1(5.0):.4f}, tanh {dh2(5.0):.6f}")
assert v1.grad == 0.25 and v2.grad == 1.0

plt.figure(figsize=(8, 5))
plt.plot(xs, h1(xs), "b-", linewidth=3, label="$h_1(a)$")
plt.plot(xs, dh1(xs), "b--", linewidth=3, label="$d h_1(a)/da$")
plt.plot(xs, h2(xs), "r-", linewidth=3, label="$h_2(a)$")
plt.plot(xs, dh2(xs), "r--", linewidth=3, label="$d h_2(a)/da$")
plt.plot(xs[::6], a1.grad[::6], "ko", ms=3, label="autodiff derivatives")
plt.plot(xs[::6], a2.grad[::6], "ko", ms=3)
notes_axes_and_show(y_extent=1)

# %% [markdown]
# ## The mean squared error E
#
# E = (1/N)(1/K) Σₙ Σₖ (tₙₖ − yₙₖ)²: the mean over all N·K errors. By hand, as a `Tensor` `.mean()`, and as
# `nn.mse` (whose default is exactly this mean) on the two-layer net above:

# %%
E_hand = np.sum((T2 - Y.data) ** 2) / (N2 * K2)
E_tensor = ((T2 - Y) ** 2).mean().item()
E_nn = nn.mse(Y, T2).item()
print(f"E by hand {E_hand:.10f}   Tensor mean {E_tensor:.10f}   nn.mse {E_nn:.10f}")
assert abs(E_hand - E_tensor) < 1e-14 and abs(E_hand - E_nn) < 1e-14

# %% [markdown]
# ## Erratum: "E is no longer a linear function of the parameters" — it never was; what changed is ∇E
#
# The notes: "Since E is no longer a linear function of the parameters (weights), we cannot set the
# derivative equal to zero and solve for the parameters." For the linear model E was not linear either: it
# was **quadratic** in W. What made the closed form possible is that its *gradient* −2X̃ᵀ(T − X̃W) is linear
# (affine) in W, so ∇E = 0 is a linear system (the normal equations). In the two-layer network the
# *output* Y is no longer linear in the weights, so ∇E is not linear in them and ∇E = 0 has no closed-form
# solution. Autodiff shows the difference: for an affine gradient, the gradient at the midpoint of two
# weight settings is the average of the two gradients. It holds to rounding for the linear model and fails
# badly for the tanh network.

# %%
def grad_linear(W0):
    Wt = Tensor(W0, requires_grad=True)
    ((T - Tensor(X1) @ Wt) ** 2).sum().backward()
    return Wt.grad


def grad_two_layer(V0):
    Vt = Tensor(V0, requires_grad=True)
    Zt = (Tensor(add_ones(X2)) @ Vt).tanh()
    ((T2 - concatenate([Tensor(np.ones((N2, 1))), Zt], axis=1) @ W.data) ** 2).sum().backward()
    return Vt.grad


for name, grad, shape in (("linear model, ∂E/∂W", grad_linear, (D + 1, K)),
                          ("two-layer tanh net, ∂E/∂V", grad_two_layer, (D2 + 1, M2))):
    A, B = rng.normal(size=shape), rng.normal(size=shape)
    gap = np.abs(grad((A + B) / 2) - (grad(A) + grad(B)) / 2).max()
    print(f"{name:<28} max |∇E(midpoint) − mean of ∇E at the ends| = {gap:.3g}")
    assert (gap < 1e-10) if name.startswith("linear") else (gap > 0.1)
