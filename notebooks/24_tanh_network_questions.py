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
# # Three questions the notes ask about training the two-layer network, answered by experiment
#
# **Lecture note:** *Introduction to Neural Networks* (seed 002, `002_120a5c4298c565de.txt`).
# **Reproduces:** the claims and questions around the training of the two-layer tanh network, in
# *Structure of a Two Layer Neural Network* and *Finally, the Code*:
#
# * "If all weights are initialized to zero, all hidden units will learn identical weights, as if we only
#   have one hidden unit."
# * "Will this find the global optimum (the values of v and w that minimize the mean squared error)?"
# * "This is often presented as ρₕ = ρₒ, but having different rates in the two layers often helps
#   convergence rate."
#
# Same network and data as `23_tanh_network_sine` (20 hidden units, the noisy sine, standardized), trained
# here with the weights kept in the notes' own layout: V = (1 + 1) × 20 with the bias row first,
# W = (1 + 20) × 1, Z̃ = [1 | h(X̃V)], Y = Z̃W, loss ½·MSE and `nn.SGD` with one rate per layer (as in
# notebook 23, this is exactly the notes' update).

# %%
# %matplotlib inline
import math

import matplotlib.pyplot as plt
import numpy as np

import nn
from autodiff import Tensor, concatenate

rng = np.random.default_rng(24)  # every random draw in this notebook comes from here

Xtrain, Ttrain = nn.noisy_sine(30, seed=0)
Tstd = float(Ttrain.std())
X1 = Tensor(np.insert(nn.standardize(Xtrain).transform(Xtrain), 0, 1, axis=1))   # X̃, standardized
TS = nn.standardize(Ttrain).transform(Ttrain)
ONES = Tensor(np.ones((30, 1)))


def output(V, W, h=Tensor.tanh):
    """Y = Z̃W with Z̃ = [1 | h(X̃V)]."""
    return concatenate([ONES, h(X1 @ V)], axis=1) @ W


def train(V0, W0, rho_h=0.1, rho_o=0.01, epochs=1000, h=Tensor.tanh):
    """Full-batch gradient descent on ½E from (V0, W0); returns V, W and the train RMSE per epoch."""
    V, W = Tensor(V0.copy(), requires_grad=True), Tensor(W0.copy(), requires_grad=True)
    opt = nn.SGD([{"params": [V], "lr": rho_h}, {"params": [W], "lr": rho_o}])
    rmse = np.empty(epochs)
    for epoch in range(epochs):
        loss = nn.mse(output(V, W, h), TS, half=True)
        opt.zero_grad()
        loss.backward()
        opt.step()
        rmse[epoch] = math.sqrt(2 * loss.item()) * Tstd
    return V.data, W.data, rmse


# %% [markdown]
# ## Erratum: from all-zero weights the hidden layer never learns — as if there were *no* hidden unit
#
# "We must initialize the weights to random values. If all weights are initialized to zero, all hidden
# units will learn identical weights, as if we only have one hidden unit." Random initial weights are
# indeed needed, but for the notes' network the consequence of zeros is worse than stated. At V = 0
# and W = 0 with h = tanh:
#
# * Z = tanh(X̃·0) = 0, so ∂E/∂Ŵ = −2/(NK)·Zᵀ(T − Y) = 0 (Ŵ: W without its bias row);
# * Ŵ = 0, so the error sent back, (T − Y)Ŵᵀ, is 0 and ∂E/∂V = 0.
#
# Both stay 0 forever: the hidden layer never moves. Only the output bias w₀ can learn, and it learns the
# mean of the targets — here already 0, since the notes standardize them: the network predicts a constant,
# as if it had **no** hidden unit. Autodiff's gradients at the start, and the weights after 2 000 epochs of
# training from zeros (exactly zero: nothing but the bias ever receives a nonzero gradient):

# %%
V_zero, W_zero = np.zeros((2, 20)), np.zeros((21, 1))
V_t, W_t = Tensor(V_zero, requires_grad=True), Tensor(W_zero, requires_grad=True)
nn.mse(output(V_t, W_t), TS, half=True).backward()
V, W, rmse = train(V_zero, W_zero, epochs=2000)
print(f"at the start: ∂E/∂V = 0 and ∂E/∂Ŵ = 0 exactly: {not V_t.grad.any() and not W_t.grad[1:].any()}")
print(f"after 2000 epochs: V = 0 and Ŵ = 0 exactly: {not V.any() and not W[1:].any()};  "
      f"train RMSE {rmse[-1]:.4f} = the targets' standard deviation {Tstd:.4f} (predicting their mean)")
assert not V_t.grad.any() and not W_t.grad[1:].any()
assert not V.any() and not W[1:].any() and abs(rmse[-1] - Tstd) < 1e-9

# %% [markdown]
# (With the sigmoid, σ(0) = ½ is not zero, but with standardized targets the network's first output, 0, is
# already their mean, so ∂E/∂Ŵ = −(1/N)·½·Σₙ tₙ vanishes too — up to the ~10⁻¹⁶ by which the standardized
# targets' mean misses 0. Zero is a stationary point there as well, an unstable one that rounding error
# alone eventually leaves, in a direction that depends on the machine's arithmetic; we do not show it.)

# %% [markdown]
# ## Identical initial weights give identical hidden units (the notes' statement, where it holds)
#
# The notes' statement is exactly right when the units start identical and the hidden layer *can* move:
# for example from equal nonzero weights. Every unit computes the same thing, so every unit gets the same
# gradient, so after the step they are still equal — for ever. Whatever the training does, the 20 units stay
# copies of each other and compute one function, "as if we only have one hidden unit". (Equal up to
# rounding: a matrix product may sum the columns in a different order.)

# %%
V_same = np.tile(rng.uniform(-0.1, 0.1, size=(2, 1)), (1, 20))      # every column (unit) the same
W_same = np.vstack([[0.05], np.full((20, 1), 0.07)])
for name, h in (("tanh", Tensor.tanh), ("sigmoid", Tensor.sigmoid)):
    V, W, rmse = train(V_same, W_same, epochs=2000, h=h)
    spread = max(np.abs(V - V[:, :1]).max(), np.abs(W[1:] - W[1, 0]).max())
    print(f"{name:<8} after 2000 epochs: input weights of unit 1 ({V[0, 0]:+.4f}, {V[1, 0]:+.4f}) moved "
          f"from ({V_same[0, 0]:+.4f}, {V_same[1, 0]:+.4f}); all 20 units equal: {spread < 1e-12};  "
          f"train RMSE {rmse[-1]:.4f}")
    assert np.abs(V - V_same).max() > 0.01 and spread < 1e-12

# %% [markdown]
# Random initial weights break the tie: each unit gets its own gradient from the start. From the notes'
# uniform(−0.1, 0.1) weights the 20 units drift apart (in notebook 23 they end as 20 different tanh steps).

# %%
V_rand, W_rand = rng.uniform(-0.1, 0.1, size=(2, 20)), rng.uniform(-0.1, 0.1, size=(21, 1))
V, W, rmse_rand = train(V_rand, W_rand, epochs=2000)
print(f"random start, after 2000 epochs: the units' input weights range from {V[1].min():+.3f} to "
      f"{V[1].max():+.3f};  train RMSE {rmse_rand[-1]:.4f}")
assert np.ptp(V[1]) > 0.2

# %% [markdown]
# ## "Will this find the global optimum?" No: E has many minima, and it is not convex
#
# Gradient descent only follows the slope downhill from where it starts; it finds the global minimum of E
# when E is convex (as for the linear model, whose E is a quadratic bowl). The network's E is not. The
# quickest proof is its symmetries: **permuting** the hidden units (the columns of V together with the rows
# of Ŵ) changes nothing the network computes, and neither does **flipping the sign** of one unit's input
# weights and output weight (tanh is odd: w·tanh(−a) = (−w)·tanh(a)). So every minimum comes in
# 20!·2²⁰ ≈ 2.6·10²⁴ copies with the same E. Halfway between two copies the network is a different one —
# and E is higher there. A convex function is never higher at the midpoint than at both ends, so E is not
# convex, and "downhill" alone cannot promise the lowest point. (In notebook 20, a two-sigmoid network from
# one random start got stuck with both units alike, far above what the same network reached from another.)

# %%
def E_of(V0, W0):
    return nn.mse(output(Tensor(V0), Tensor(W0)), TS).item()


perm = rng.permutation(20)
V_perm, W_perm = V[:, perm], np.vstack([W[:1], W[1:][perm]])
flip = np.ones(20)
flip[:10] = -1
V_flip, W_flip = V * flip, np.vstack([W[:1], W[1:] * flip[:, None]])
E0 = E_of(V, W)
print(f"E at the trained weights      {E0:.10f}")
print(f"E with the units permuted     {E_of(V_perm, W_perm):.10f}")
print(f"E with 10 units sign-flipped  {E_of(V_flip, W_flip):.10f}")
print(f"E halfway to the permuted     {E_of((V + V_perm) / 2, (W + W_perm) / 2):.10f}")
print(f"E halfway to the flipped      {E_of((V + V_flip) / 2, (W + W_flip) / 2):.10f}")
assert abs(E_of(V_perm, W_perm) - E0) < 1e-12 and abs(E_of(V_flip, W_flip) - E0) < 1e-12
assert E_of((V + V_perm) / 2, (W + W_perm) / 2) > E0 + 0.01 and E_of((V + V_flip) / 2, (W + W_flip) / 2) > E0 + 0.01

# %% [markdown]
# ## Two learning rates: does ρₕ ≠ ρₒ help here?
#
# "This is often presented as ρₕ = ρₒ, but having different rates in the two layers often helps convergence
# rate." A claim about speed, so we measure it: the notes' network from the notes' kind of initial weights,
# 10 000 epochs with the notes' rates (ρₕ, ρₒ) = (0.1, 0.01), beside equal rates (0.01, 0.01) and
# (0.1, 0.1), and the swapped pair (0.01, 0.1).
#
# The curves have three phases. First the error drops to a plateau; the plateau is the best *straight line*
# through the data (its least-squares RMSE is printed below): nearly linear hidden units (weights ±0.1)
# can only make a line, and either rate gets there. Then, to leave the plateau, the hidden units must
# grow and bend, and on this problem that is governed by the **hidden** layer's rate: with ρₕ = 0.01 the
# curves stay on the plateau, whatever ρₒ is. But the notes' unequal pair is *not* faster than equal
# rates of 0.1: (0.1, 0.1) is ahead at every checkpoint. "Often helps" is a rule of thumb; for this net and
# data the best of these four is equal rates.

# %%
settings = [(0.1, 0.01), (0.01, 0.01), (0.1, 0.1), (0.01, 0.1)]
curves = {rates: train(V_rand, W_rand, *rates, epochs=10000)[2] for rates in settings}
print(f"{'(ρh, ρo)':<14}" + "".join(f"{'epoch ' + str(e):>13}" for e in (100, 1000, 10000)))
for rates, rmse in curves.items():
    print(f"{str(rates):<14}" + "".join(f"{rmse[e - 1]:>13.4f}" for e in (100, 1000, 10000)))
line = np.linalg.lstsq(X1.data, TS, rcond=None)[0]
line_rmse = float(np.sqrt(np.mean((X1.data @ line - TS) ** 2))) * Tstd
print(f"the best straight line through the training data: RMSE {line_rmse:.4f}")
assert abs(curves[(0.1, 0.01)][999] - line_rmse) < 0.005
final = {rates: rmse[-1] for rates, rmse in curves.items()}
assert final[(0.1, 0.1)] < final[(0.1, 0.01)] < final[(0.01, 0.01)] - 0.02
assert abs(final[(0.01, 0.1)] - final[(0.01, 0.01)]) < 0.005

plt.figure(figsize=(8, 4.5))
for (rho_h, rho_o), rmse in curves.items():
    plt.semilogx(np.arange(1, 10001), rmse, label=f"ρh = {rho_h}, ρo = {rho_o}" + ("  (the notes)" if
                                                                                  (rho_h, rho_o) == (0.1, 0.01) else ""))
plt.xlabel("epoch")
plt.ylabel("train RMSE")
plt.legend()
plt.grid(True, which="both", alpha=0.3)
plt.show()
