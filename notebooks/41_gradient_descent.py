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
# # The error, gradient descent and partial derivatives
#
# **Lecture note:** *Backpropagation* (seed 004, `../shared/seeds/004_6391f04e192e5ba3.txt`).
# **Sections reproduced here:** 4.1 *Learning* and 4.2 *Error*: the error E = ½‖x₂ − y‖², how many
# numbers it depends on, gradient descent (the step length, local minima), f(x) = x², the partial
# derivatives of f(x, y) = 2x² + 3xy + y³, why the gradient is the direction of steepest ascent, and
# the gradient of E that backpropagation must deliver. Forward propagation is in
# `40_forward_propagation`, backpropagation and the Problems in `42_backprop_and_problems`.
#
# Each derivative is computed **by hand** (the notes' formula) and **by autodiff** (`Value.backward`),
# side by side, with an `assert`.

# %%
# %matplotlib inline
import math

import matplotlib.pyplot as plt
import numpy as np
from side_by_side import compare  # notebooks/side_by_side.py: hand beside autodiff, asserted

import nn
from autodiff import Tensor, Value


def grad_of(f, *point):
    """(f(point), ∇f(point)) by autodiff: one backward pass through f's graph."""
    xs = [Value(float(p)) for p in point]
    out = f(*xs)
    out.backward()
    return out.data, [x.grad for x in xs]


# %% [markdown]
# ## The error E = ½‖x₂ − y‖² and how many numbers it depends on
#
# The notes' network for this section has 3 inputs, 4 hidden neurons and 2 outputs (the network of
# Problem 1). "Each of the weights (3·4 + 4·2 = 20) and the biases (6) determines the error": the
# error is a function of 26 numbers. The same network in `nn`, counted:

# %%
net = nn.Sequential(nn.Linear(3, 4, seed=0), nn.Sigmoid(), nn.Linear(4, 2, seed=1), nn.Sigmoid())
params = net.parameters()
n_weights = sum(p.data.size for p in params if p.ndim == 2)
n_biases = sum(p.data.size for p in params if p.ndim == 1)
print(f"weights: {n_weights} (= 3·4 + 4·2), biases: {n_biases} (= 4 + 2), in all {n_weights + n_biases}")
assert (n_weights, n_biases) == (3 * 4 + 4 * 2, 6)

x0 = np.array([0.5, -1.0, 2.0])
y = np.array([0.2, 0.9])
x2 = net(Tensor(x0))
E = 0.5 * ((x2 - y) ** 2).sum()
E_hand = 0.5 * np.sum((x2.data - y) ** 2)
compare([("E", E_hand, E.item())])

# %% [markdown]
# "For a neuron with n weights and a bias, the error can be graphed as an n + 2 dimensional
# function": n weights and a bias are n + 1 inputs, and E is one more axis. For one weight and a
# bias, that is a surface in 3 dimensions, which is the picture the notes draw next.
#
# ## Gradient descent on a surface you can see
#
# One sigmoid neuron a = σ(wx + b) fitted to four points, E(w, b) = ½Σᵢ(σ(wxᵢ + b) − yᵢ)². By hand
# (the chain rule): ∂E/∂w = Σᵢ(aᵢ − yᵢ)aᵢ(1 − aᵢ)xᵢ and ∂E/∂b = Σᵢ(aᵢ − yᵢ)aᵢ(1 − aᵢ). Gradient
# descent repeats (w, b) ← (w, b) − α∇E from a starting point; the path runs downhill into the
# minimum.

# %%
xd = np.array([-2.0, -1.0, 1.0, 3.0])
yd = np.array([0.1, 0.3, 0.7, 0.9])


def error(w, b):
    """E(w, b) for Values (autodiff) or floats/arrays (by hand)."""
    if isinstance(w, Value):
        return 0.5 * Value.sum([((w * x + b).sigmoid() - t) ** 2 for x, t in zip(xd, yd)])
    a = 1 / (1 + np.exp(-(np.multiply.outer(w, xd) + np.asarray(b)[..., None])))
    return 0.5 * ((a - yd) ** 2).sum(axis=-1)


def error_grad_by_hand(w, b):
    a = 1 / (1 + np.exp(-(w * xd + b)))
    delta = (a - yd) * a * (1 - a)
    return np.array([np.sum(delta * xd), np.sum(delta)])


E0, g0 = grad_of(error, 1.5, 1.0)
gh = error_grad_by_hand(1.5, 1.0)
compare([("E(1.5, 1)", float(error(1.5, 1.0)), E0), ("∂E/∂w", gh[0], g0[0]), ("∂E/∂b", gh[1], g0[1])])

path = [np.array([2.5, 2.0])]
for _ in range(300):
    _, g = grad_of(error, *path[-1])
    path.append(path[-1] - 1.0 * np.array(g))
path = np.array(path)
print(f"after 300 steps: w = {path[-1, 0]:.4f}, b = {path[-1, 1]:.4f}, E = {float(error(*path[-1])):.6f}")
assert np.linalg.norm(grad_of(error, *path[-1])[1]) < 1e-4

wg, bg = np.meshgrid(np.linspace(-1, 3, 121), np.linspace(-1.5, 2.5, 121))
Eg = error(wg, bg)
fig = plt.figure(figsize=(11, 4.2))
ax3 = fig.add_subplot(1, 2, 1, projection="3d")
ax3.plot_surface(wg, bg, Eg, cmap="viridis", alpha=0.8, linewidth=0)
ax3.plot(path[:, 0], path[:, 1], error(path[:, 0], path[:, 1]), "r.-", ms=2)
ax3.set_xlabel("w")
ax3.set_ylabel("b")
ax3.set_zlabel("E")
ax3.set_title("E(w, b): look at that minimum")
ax = fig.add_subplot(1, 2, 2)
ax.contour(wg, bg, Eg, levels=25)
ax.plot(path[:, 0], path[:, 1], "r.-", ms=3, label="gradient descent, α = 1")
ax.set_xlabel("w")
ax.set_ylabel("b")
ax.legend()
plt.show()

# %% [markdown]
# ## f(x) = x² and f′(x) = 2x
#
# The derivative is the rate of change at x; autodiff's `x.grad` is that number.

# %%
compare([(f"f'({x:g})", 2 * x, grad_of(lambda v: v ** 2, x)[1][0]) for x in [-3.0, -0.5, 0.0, 1.25, 4.0]])

# %% [markdown]
# ### How long should a step be?
#
# "Take a step too long, and we could overshoot the minimum. Take a step too short and it will take
# us many steps." On f(x) = x² a step is x ← x − α·2x = (1 − 2α)x, so by hand xₜ = (1 − 2α)ᵗx₀:
# α = 0.0001 (the short end of the notes' range) barely moves in 50 steps, α = 0.1 (the long end)
# converges, α = 0.95 overshoots to the other side of 0 every step but still converges, α = 1.05
# overshoots further each time and diverges. Autodiff's steps equal the closed form.

# %%
fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 3.5))
for alpha in [0.0001, 0.1, 0.95, 1.05]:
    xt, trail = 1.0, [1.0]
    for _ in range(50):
        _, (g,) = grad_of(lambda v: v ** 2, xt)
        xt -= alpha * g
        trail.append(xt)
    closed = [(1 - 2 * alpha) ** t for t in range(51)]
    assert np.allclose(trail, closed, rtol=1e-12, atol=0)
    ax.semilogy(np.abs(trail), label=f"α = {alpha:g}: x₅₀ = {trail[-1]:.3g}")
    ax2.plot(trail[:13], "o-", ms=3, label=f"α = {alpha:g}")
ax.set_xlabel("step t")
ax.set_ylabel("|xₜ|")
ax.legend()
ax.set_title("gradient descent on x²: distance to the minimum")
ax2.set_xlabel("step t")
ax2.set_ylabel("xₜ")
ax2.set_title("the first steps: α > 0.5 jumps across the minimum")
plt.show()

# %% [markdown]
# ### Local minima
#
# "What if there are multiple minima, and we just happen to land in a local minimum?" On
# f(x) = x²/10 + sin 3x gradient descent ends in whichever valley it starts in: the start decides the
# answer, and only some starts find the global minimum.

# %%
def bumpy(x):
    return x ** 2 / 10 + (3 * x).sin() if isinstance(x, Value) else x ** 2 / 10 + np.sin(3 * x)


fig, ax = plt.subplots(figsize=(8, 3.5))
grid = np.linspace(-6, 6, 1201)
ax.plot(grid, bumpy(grid), color="grey")
ends = []
for start in [-5.0, -2.0, 0.3, 2.5, 5.0]:
    xt = start
    for _ in range(200):
        _, (g,) = grad_of(bumpy, xt)
        xt -= 0.05 * g
    ends.append(xt)
    ax.plot([start, xt], [bumpy(start), bumpy(xt)], "o-", ms=4, label=f"from {start:g} to {xt:.3f}")
ax.legend(fontsize=8)
ax.set_title("f(x) = x²/10 + sin 3x: where gradient descent stops depends on where it starts")
plt.show()
best = grid[np.argmin(bumpy(grid))]
print("ends:", [round(e, 4) for e in ends], "  global minimum near", round(best, 3))
assert len({round(e, 3) for e in ends}) >= 4                    # different starts, different minima
assert min(abs(e - best) for e in ends) < 1e-2                     # some start finds the global one
assert all(abs(grad_of(bumpy, e)[1][0]) < 1e-6 for e in ends)     # and each end is a minimum: f' = 0

# %% [markdown]
# ## Partial derivatives of f(x, y) = 2x² + 3xy + y³
#
# "We treat the other variables like we would any other constant": ∂f/∂x = 4x + 3y and
# ∂f/∂y = 3x + 3y². One backward pass gives both, at every point of a grid.

# %%
def f(x, y):
    return 2 * x ** 2 + 3 * x * y + y ** 3


rows = []
for x, yv in [(1.0, 2.0), (-1.5, 0.5), (0.0, -2.0), (2.0, -3.0)]:
    _, (fx, fy) = grad_of(f, x, yv)
    rows += [(f"∂f/∂x({x:g},{yv:g})", 4 * x + 3 * yv, fx), (f"∂f/∂y({x:g},{yv:g})", 3 * x + 3 * yv ** 2, fy)]
compare(rows)

gx, gy = np.meshgrid(np.linspace(-2, 2, 9), np.linspace(-2, 2, 9))
auto = np.array([grad_of(f, a, b)[1] for a, b in zip(gx.ravel(), gy.ravel())])
assert np.allclose(auto[:, 0], (4 * gx + 3 * gy).ravel(), rtol=0, atol=1e-12)
assert np.allclose(auto[:, 1], (3 * gx + 3 * gy ** 2).ravel(), rtol=0, atol=1e-12)
print(f"and on a 9 × 9 grid: max |hand − autodiff| = "
      f"{max(np.abs(auto[:, 0] - (4 * gx + 3 * gy).ravel()).max(), np.abs(auto[:, 1] - (3 * gx + 3 * gy ** 2).ravel()).max()):.1e}")

fine_x, fine_y = np.meshgrid(np.linspace(-2, 2, 201), np.linspace(-2, 2, 201))
fig, ax = plt.subplots(figsize=(5.5, 4.5))
cs = ax.contour(fine_x, fine_y, f(fine_x, fine_y), levels=30, cmap="viridis")
ax.quiver(gx, gy, auto[:, 0], auto[:, 1], color="crimson", angles="xy")
ax.set_xlabel("x")
ax.set_ylabel("y")
ax.set_title("∇f = (4x + 3y, 3x + 3y²) points uphill")
plt.show()

# %% [markdown]
# ## The gradient is the direction of steepest ascent
#
# The directional derivative ∇ᵤf(x₀, y₀) is the rate of change of f at (x₀, y₀) along a **unit**
# vector u. Autodiff can measure it without the formula: put a `Value` t into f(x₀ + t·u₁, y₀ + t·u₂)
# and take d/dt at t = 0. Scanning every direction u = (cos θ, sin θ), the rate is largest when u
# points along ∇f, and the largest rate is ‖∇f‖: the notes' argument with cos θ, checked.

# %%
p0 = (1.0, 0.5)
_, grad0 = grad_of(f, *p0)
thetas = np.linspace(0, 2 * np.pi, 721)
rates = []
for th in thetas:
    t = Value(0.0)
    out = f(p0[0] + t * math.cos(th), p0[1] + t * math.sin(th))
    out.backward()
    rates.append(t.grad)
rates = np.array(rates)
best = thetas[np.argmax(rates)]
print(f"∇f{p0} = ({grad0[0]:g}, {grad0[1]:g}), direction {math.degrees(math.atan2(grad0[1], grad0[0])):.2f}°, "
      f"‖∇f‖ = {math.hypot(*grad0):.6f}")
print(f"steepest direction found by scanning: {math.degrees(best):.2f}°, rate {rates.max():.6f}")
assert np.allclose(rates, grad0[0] * np.cos(thetas) + grad0[1] * np.sin(thetas), atol=1e-12)  # ∇f·u
assert abs(rates.max() - math.hypot(*grad0)) < 1e-4

fig, ax = plt.subplots(figsize=(7, 3))
ax.plot(np.degrees(thetas), rates, label="d/dt f(p₀ + t·u) by autodiff")
ax.axvline(math.degrees(math.atan2(grad0[1], grad0[0])), color="crimson", ls="--", label="direction of ∇f")
ax.set_xlabel("θ (degrees), u = (cos θ, sin θ)")
ax.set_ylabel("rate of change")
ax.legend()
plt.show()

# %% [markdown]
# ### Erratum: ∇ᵤf(x₀, y₀) = ∇f(x₀, y₀)·u, and only for a unit vector u
#
# The notes write ∇ᵤf(x₀, y₀) = ∇f(x, y)·u. The gradient has to be taken **at the point** (x₀, y₀),
# and u has to have length 1: ∇f·u scales with ‖u‖, so for u = (3, 4) the "rate" would be 5 times the
# rate of change along that direction. Autodiff's d/dt along the unit vector (0.6, 0.8) equals
# ∇f(x₀, y₀)·(0.6, 0.8), not ∇f·(3, 4).

# %%
t = Value(0.0)
out = f(p0[0] + t * 0.6, p0[1] + t * 0.8)
out.backward()
dot_unit = grad0[0] * 0.6 + grad0[1] * 0.8
dot_long = grad0[0] * 3 + grad0[1] * 4
print(f"autodiff d/dt along (0.6, 0.8): {t.grad:.6f}   ∇f·(0.6, 0.8) = {dot_unit:.6f}   ∇f·(3, 4) = {dot_long:.6f}")
assert abs(t.grad - dot_unit) < 1e-12 and abs(dot_long - 5 * dot_unit) < 1e-12

# %% [markdown]
# ## Repeat until the gradient is 0
#
# "Compute the gradient, move in that direction for a certain length, and repeat until the gradient
# is 0." f(x, y) = 2x² + 3xy + y³ has no minimum (y³ → −∞), so the loop below uses a bowl with a
# single minimum, g(x, y) = (x − 1)² + 2(y + 0.5)² + xy, whose minimum solves ∇g = 0 by hand:
# 2(x − 1) + y = 0 and 4(y + 0.5) + x = 0, i.e. (x, y) = (10/7, −6/7).

# %%
def bowl(x, y):
    return (x - 1) ** 2 + 2 * (y + 0.5) ** 2 + x * y


pt, steps = np.array([-2.0, 2.0]), 0
while True:
    _, g = grad_of(bowl, *pt)
    if math.hypot(*g) < 1e-10:
        break
    pt, steps = pt - 0.2 * np.array(g), steps + 1
print(f"‖∇g‖ < 1e-10 after {steps} steps at ({pt[0]:.10f}, {pt[1]:.10f}); by hand (10/7, −6/7) = "
      f"({10 / 7:.10f}, {-6 / 7:.10f})")
assert np.allclose(pt, [10 / 7, -6 / 7], atol=1e-9)

# %% [markdown]
# ## What backpropagation has to deliver: ∂E/∂W₁, ∂E/∂b₁, ∂E/∂W₂, ∂E/∂b₂
#
# For the 3-4-2 network above, E(W, b) = ½‖x₂ − y‖² depends on 26 numbers, and gradient descent needs
# all 26 partial derivatives. One `backward()` fills every parameter's `.grad`, each with its
# parameter's shape; the next notebook derives them by hand with the notes' delta rules. Here each is
# checked against a central difference (E(θ + h) − E(θ − h))/2h, the slow way that perturbs one
# number at a time.

# %%
E.backward()
worst = 0.0
for p in params:
    assert p.grad.shape == p.data.shape
    for i in np.ndindex(p.data.shape):
        keep = p.data[i]
        p.data[i] = keep + 1e-6
        up = 0.5 * np.sum((net(Tensor(x0)).data - y) ** 2)
        p.data[i] = keep - 1e-6
        down = 0.5 * np.sum((net(Tensor(x0)).data - y) ** 2)
        p.data[i] = keep
        worst = max(worst, abs((up - down) / 2e-6 - p.grad[i]))
print("gradient shapes:", [tuple(p.grad.shape) for p in params])
print(f"largest |central difference − autodiff| over the 26 numbers: {worst:.1e}")
assert worst < 1e-8
