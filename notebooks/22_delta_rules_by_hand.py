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
# # The delta rules of a two-layer tanh network, by hand and by autodiff
#
# **Lecture note:** *Introduction to Neural Networks* (seed 002, `002_120a5c4298c565de.txt`).
# **Reproduces:** *First a Simplified View* (one weight path, then two outputs sharing a hidden unit, the
# deltas and the update rules), *Now for the Full Version of Back-Propagation* (the index-form derivation
# of ∂E/∂w_{m,k} and ∂E/∂v_{j,m}, the summary, the forward and backward passes) and *Preparing for Python*
# (the same in matrix form, with the shapes, and the Python listing).
#
# The notes' network: Z = tanh(X̃V), Y = Z̃W, E = (1/N)(1/K) Σₙ Σₖ (tₙₖ − yₙₖ)². The derivation is long and
# index-heavy, and it has slips (each in an **Erratum:** cell below). Autodiff is the referee: it never
# sees the formulas, only the forward pass, and its gradients are what every hand formula must equal.

# %%
# %matplotlib inline
import numpy as np
from seed002_listings import PYTHON_STEP, syntax_error, unbound_names  # the notes' listings, never run
from side_by_side import compare  # hand beside autodiff, asserted

from autodiff import Tensor, Value, concatenate, draw, explain

rng = np.random.default_rng(22)  # every random draw in this notebook comes from here


def add_ones(A):
    """The notes' addOnes: a constant-1 column in front (X → X̃, Z → Z̃)."""
    return np.insert(A, 0, 1, axis=1)


# %% [markdown]
# ## One weight path: y = w·h(v·x), E = (t − y)²
#
# "Let's focus on how to modify a single weight, v₁,₁, based on a single error between y₁ and t₁." Drop
# the subscripts and the bias: a = v·x, z = h(a) = tanh a, y = w·z. The chain rule, one factor per step:
#
# ∂E/∂v = ∂(t − y)²/∂y · ∂y/∂z · ∂z/∂a · ∂a/∂v = 2(t − y)(−1) · w · (1 − z²) · x,
#
# and ∂E/∂w = −2(t − y)·z. Autodiff builds the same graph from the forward pass and multiplies the same
# local derivatives backwards — the picture shows each one on its edge.

# %%
x0, v0, w0, t0 = 0.8, 0.6, 1.3, 0.2
x, v, w, t = Value(x0, label="x"), Value(v0, label="v"), Value(w0, label="w"), Value(t0, label="t")
a = v * x
a.label = "a"
z = a.tanh()
z.label = "z"
y = w * z
y.label = "y"
E = (t - y) ** 2
E.label = "E"
E.backward()

zh = np.tanh(v0 * x0)
yh = w0 * zh
compare([("∂E/∂v = −2(t−y)w(1−z²)x", -2 * (t0 - yh) * w0 * (1 - zh**2) * x0, v.grad),
              ("∂E/∂w = −2(t−y)z", -2 * (t0 - yh) * zh, w.grad)])
draw(E, params=[v, w], digits=4)

# %% [markdown]
# The four factors are the local derivatives on the path from E back to v, and `explain` writes out each
# step of the product with autodiff's numbers; tanh′ = 1 − z² is the local derivative on the edge a → z:

# %%
print(explain(v, E))
print(f"edge a → z carries ∂z/∂a = {z.local_grads[0]:.10f};  1 − z² = {1 - zh**2:.10f}")
assert abs(z.local_grads[0] - (1 - zh**2)) < 1e-15

# %% [markdown]
# ## Two outputs share the hidden unit: the chain rule sums over paths
#
# Now z feeds two outputs, y₁ = w₁z and y₂ = w₂z, and E = (t₁ − y₁)² + (t₂ − y₂)². E depends on z along
# two paths, so ∂E/∂z is a *sum*, and
#
# ∂E/∂v = (−2(t₁ − y₁)w₁ − 2(t₂ − y₂)w₂)(1 − z²)x = −2((t₁ − y₁)w₁ + (t₂ − y₂)w₂)(1 − z²)x.
#
# (The notes write one of the two squares as (y₁ − t₁)² + (y₂ − t₂)² midway; the same numbers.) Autodiff's
# z.grad is exactly that sum — `explain(z, E)` shows its two terms — and the picture, focused on v, shows
# the two paths from v to E.

# %%
w10, w20, t10, t20 = 1.3, -0.7, 0.2, 0.9
x, v = Value(x0, label="x"), Value(v0, label="v")
w1, w2 = Value(w10, label="w1"), Value(w20, label="w2")
a = v * x
a.label = "a"
z = a.tanh()
z.label = "z"
y1, y2 = w1 * z, w2 * z
y1.label, y2.label = "y1", "y2"
E = (t10 - y1) ** 2 + (t20 - y2) ** 2
E.label = "E"
E.backward()

y1h, y2h = w10 * zh, w20 * zh
compare([("∂E/∂z", -2 * (t10 - y1h) * w10 - 2 * (t20 - y2h) * w20, z.grad),
              ("∂E/∂v", -2 * ((t10 - y1h) * w10 + (t20 - y2h) * w20) * (1 - zh**2) * x0, v.grad),
              ("∂E/∂w1 = −2(t1−y1)z", -2 * (t10 - y1h) * zh, w1.grad)])
print(explain(z, E))
draw(E, focus=v, digits=4)

# %% [markdown]
# ## The deltas: δ⁽ᵒ⁾ = t − y is the error sent back, δ⁽ʰ⁾ = (δ₁⁽ᵒ⁾w₁ + δ₂⁽ᵒ⁾w₂)(1 − z²)
#
# "Think of the errors calculated in the output units as being sent backwards to the units in the previous
# layer." With δₖ⁽ᵒ⁾ = tₖ − yₖ the output deltas, the hidden delta is the weighted sum of the output deltas
# times the unit's own slope, δ⁽ʰ⁾ = (δ₁⁽ᵒ⁾w₁ + δ₂⁽ᵒ⁾w₂)(1 − z²), and then ∂E/∂wₖ = −2δₖ⁽ᵒ⁾z and
# ∂E/∂v = −2δ⁽ʰ⁾x. Autodiff holds the deltas too: the gradient it stores at each *intermediate* node is
# −2 × that node's delta: at yₖ it is −2δₖ⁽ᵒ⁾, at a (before the tanh) it is −2δ⁽ʰ⁾. Back-propagation of
# errors "is really just the chain rule".

# %%
d1, d2 = t10 - y1h, t20 - y2h
dh = (d1 * w10 + d2 * w20) * (1 - zh**2)
compare([("−2·δ₁⁽ᵒ⁾ vs y1.grad", -2 * d1, y1.grad), ("−2·δ₂⁽ᵒ⁾ vs y2.grad", -2 * d2, y2.grad),
              ("−2·δ⁽ʰ⁾ vs a.grad", -2 * dh, a.grad), ("−2·δ⁽ʰ⁾·x vs v.grad", -2 * dh * x0, v.grad)])

# %% [markdown]
# ## Erratum: the update rules lose ρ, then the factor 2
#
# The notes' update for w:
#
# w ← w − ∂E/∂w₁  ←  w + ρₒ(t₁ − y₁)z  ←  w + ρₒδ₁⁽ᵒ⁾z
#
# The first form has no learning rate at all, and from the first to the second the factor 2 of
# ∂E/∂w₁ = −2(t₁ − y₁)z disappears: **w − ρₒ∂E/∂w₁ = w + 2ρₒ(t₁ − y₁)z**. The same happens for v
# (v ← v − ∂E/∂v, then v + ρₕ(δ₁⁽ᵒ⁾w₁ + δ₂⁽ᵒ⁾w₂)(1 − z²)x, with the line printed twice). So the notes'
# rules are gradient steps with rates **ρₒ/2 and ρₕ/2** — or, equivalently, steps of ρ on ½E. Harmless for
# training (ρ is picked by hand anyway), but a ρ in these rules is not the ρ of "w ← w − ρ ∂E/∂w". The same
# convention runs through the full version and the Python code below, and in `23_tanh_network_sine` we
# train with it (`nn.mse(..., half=True)` with learning rate ρ). (The full version's first statement of the
# rules also drops an index: it writes (1 − z̃ₘ²) and z̃ₘ inside Σₙ, where z̃_{n,m} is meant, as in its
# summary.) With autodiff's gradients:

# %%
rho_o, rho_h = 0.01, 0.1
notes_w = w10 + rho_o * d1 * zh                                    # w + ρₒ δ₁⁽ᵒ⁾ z
notes_v = v0 + rho_h * (d1 * w10 + d2 * w20) * (1 - zh**2) * x0     # v + ρₕ δ⁽ʰ⁾ x
print(f"w: the notes' rule {notes_w:.10f}   w − ρₒ∂E/∂w₁ {w10 - rho_o * w1.grad:.10f}   "
      f"w − (ρₒ/2)∂E/∂w₁ {w10 - rho_o / 2 * w1.grad:.10f}   (the notes' first form, w − ∂E/∂w₁: {w10 - w1.grad:.6f})")
print(f"v: the notes' rule {notes_v:.10f}   v − ρₕ∂E/∂v  {v0 - rho_h * v.grad:.10f}   "
      f"v − (ρₕ/2)∂E/∂v  {v0 - rho_h / 2 * v.grad:.10f}")
assert abs(notes_w - (w10 - rho_o / 2 * w1.grad)) < 1e-15 and abs(notes_v - (v0 - rho_h / 2 * v.grad)) < 1e-15
assert abs(notes_w - (w10 - rho_o * w1.grad)) > 1e-4

# %% [markdown]
# ## The full version: the summary formulas, index by index
#
# Now N samples, D inputs, M hidden units, K outputs; x̃ₙ,₀ = 1 and z̃ₙ,₀ = 1 are the constant inputs, row 0
# of V and of W the biases. The notes derive and then summarise:
#
# ∂E/∂w_{m,k} = −2 (1/N)(1/K) Σₙ (tₙₖ − yₙₖ) z̃ₙₘ
#
# ∂E/∂v_{j,m} = −2 (1/N)(1/K) Σₙ Σₖ (tₙₖ − yₙₖ) w_{m,k} (1 − z²ₙₘ) x̃ₙⱼ
#
# Below, these are computed with explicit loops over n, k, j, m — exactly as written — on a small network
# with N = 7, D = 3, M = 5, K = 2 (N, D, D+1, M, M+1, K all different, so an index or shape mix-up
# cannot hide), and compared with autodiff's gradient of the forward pass. Hidden units are counted
# m = 1 … M as in the notes: unit m is column m − 1 of V (V has no column for the constant z̃₀) and
# row m of W.

# %%
N, D, M, K = 7, 3, 5, 2
X = rng.normal(size=(N, D))
T = rng.normal(size=(N, K))
V0 = rng.uniform(-1, 1, size=(D + 1, M))
W0 = rng.uniform(-1, 1, size=(M + 1, K))
X1 = add_ones(X)


def forward_autodiff(V0, W0):
    """E = (1/N)(1/K) ΣΣ (T − Z̃W)², Z = tanh(X̃V), as Tensors; returns (E, V, W, Z, Y) after backward."""
    V = Tensor(V0, requires_grad=True, label="V")
    W = Tensor(W0, requires_grad=True, label="W")
    A = Tensor(X1, label="X̃") @ V
    A.label = "X̃V"
    Z = A.tanh()
    Z.label = "Z"
    Z1 = concatenate([Tensor(np.ones((N, 1)), label="ones"), Z], axis=1)
    Z1.label = "Z̃"
    Y = Z1 @ W
    Y.label = "Y"
    error = Tensor(T, label="T") - Y
    error.label = "T − Y"
    E = (error**2).mean()
    E.label = "E"
    E.backward()
    return E, V, W, Z, Y


E_t, V_t, W_t, Z_t, Y_t = forward_autodiff(V0, W0)
Zh = np.tanh(X1 @ V0)                          # z_{n,m}, hidden unit m at column m − 1
Z1h = add_ones(Zh)                             # z̃_{n,m}, m = 0 … M
Yh = Z1h @ W0

dW = np.zeros((M + 1, K))
for m in range(M + 1):
    for k in range(K):
        dW[m, k] = -2 / (N * K) * sum((T[n, k] - Yh[n, k]) * Z1h[n, m] for n in range(N))
dV = np.zeros((D + 1, M))
for j in range(D + 1):
    for m in range(1, M + 1):
        dV[j, m - 1] = -2 / (N * K) * sum((T[n, k] - Yh[n, k]) * W0[m, k] * (1 - Z1h[n, m] ** 2) * X1[n, j]
                                          for n in range(N) for k in range(K))
print("∂E/∂V by the summary's loops:\n", np.round(dV, 8))
print("∂E/∂V by autodiff:\n", np.round(V_t.grad, 8))
assert np.allclose(dV, V_t.grad, rtol=1e-12, atol=1e-15) and np.allclose(dW, W_t.grad, rtol=1e-12, atol=1e-15)
print("∂E/∂W: the loops equal autodiff to 1e-12")

# %% [markdown]
# ## Erratum: inside the derivation, v_{j,m′} should be v_{j′,m′}
#
# On the way to ∂E/∂v_{j,m} the notes expand the output as
#
# y_{n,k′} = Σ_{m′} w_{m′,k′} h̃( Σ_{j′} **v_{j,m′}** x̃_{n,j′} )
#
# with the summation index j′ on x̃ but the fixed j on v. Read literally, every hidden unit would use one
# single row j of V times the *sum* of the inputs — a different network, with other outputs. The sum is
# over j′ in both factors: Σ_{j′} v_{j′,m′} x̃_{n,j′} = (X̃V)_{n,m′}. (Their next line has it right.) The
# literal reading against the real forward pass, which autodiff computes:

# %%
j = 1
literal = add_ones(np.tanh(np.outer(X1.sum(axis=1), V0[j]))) @ W0     # v_{j,m′} · Σ_{j′} x̃_{n,j′}
correct = add_ones(np.tanh(X1 @ V0)) @ W0                             # Σ_{j′} v_{j′,m′} x̃_{n,j′}
print(f"max |y as printed − y| = {np.abs(literal - Y_t.data).max():.4f};  "
      f"with v_(j′,m′): {np.abs(correct - Y_t.data).max():.1e}")
assert np.abs(literal - Y_t.data).max() > 0.1 and np.allclose(correct, Y_t.data, rtol=1e-14, atol=1e-15)

# %% [markdown]
# ## Erratum: a_{n,m′} is defined as h̃(…) but then used as the argument of h
#
# The notes: "Let a_{n,m′} = h̃( Σ_{j′} v_{j′,m′} x̃_{n,j′} )", and in the next line they differentiate
# ∂h̃(a_{n,m′})/∂a_{n,m′}. If a were the unit's *output* h(·), that would be h′ evaluated at h(·), i.e.
# 1 − tanh²(tanh s) instead of 1 − tanh² s. a must be the **weighted sum** itself,
# a_{n,m′} = Σ_{j′} v_{j′,m′} x̃_{n,j′} (as in the simplified view, a = v·x), so that h(a) = z and
# h′(a) = 1 − z², which is what the summary uses. The two readings, in the gradient:

# %%
S = X1 @ V0                                                          # the weighted sums
E_resid = (T - Yh) @ W0[1:].T                                        # Σₖ (tₙₖ − yₙₖ) w_{m,k}
as_written = -2 / (N * K) * X1.T @ (E_resid * (1 - np.tanh(np.tanh(S)) ** 2))   # h′ at a = h(S)
as_meant = -2 / (N * K) * X1.T @ (E_resid * (1 - np.tanh(S) ** 2))              # h′ at a = S
print(f"max |∂E/∂V with a = h(Σ…) − autodiff| = {np.abs(as_written - V_t.grad).max():.2e};  "
      f"with a = Σ…: {np.abs(as_meant - V_t.grad).max():.1e}")
assert np.abs(as_written - V_t.grad).max() > 1e-3 and np.allclose(as_meant, V_t.grad, rtol=1e-12, atol=1e-15)

# %% [markdown]
# ## Erratum: the sum over m′ must collapse to m′ = m
#
# The derivation's last line keeps a sum over all hidden units:
#
# ∂E/∂v_{j,m} = −2 (1/N)(1/K) Σₙ Σ_{k′} (t − y) **Σ_{m′=0}^{M} w_{m′,k′} ∂h̃(a_{n,m′})/∂a_{n,m′}** x̃_{n,j}
#
# But ∂a_{n,m′}/∂v_{j,m} = x̃_{n,j} only when m′ = m, and 0 for every other unit (v_{j,m} feeds unit m
# only; the constant z̃₀ depends on no weight at all). So the inner sum has a single term,
# w_{m,k′} h′(a_{n,m}), which is what the summary writes. Taken literally, the last line gives the same
# number for every m — every hidden unit would get the same gradient. Autodiff shows the structure: the
# gradient of unit m′'s weighted sums, Σₙ a_{n,m′}, with respect to V is nonzero in column m′ only.

# %%
for m_prime in range(M):
    Vt = Tensor(V0, requires_grad=True)
    (Tensor(X1) @ Vt)[:, m_prime].sum().backward()
    nonzero_columns = np.flatnonzero(np.abs(Vt.grad).sum(axis=0))
    print(f"Σₙ a_(n,{m_prime + 1}) depends on column(s) {[int(c) + 1 for c in nonzero_columns]} of V (units counted from 1)")
    assert list(nonzero_columns) == [m_prime]

slope = 1 - Zh**2                                                     # h′(a_{n,m}) for m = 1 … M
inner = (W0[1:].T[None, :, :] * slope[:, None, :]).sum(axis=2)       # Σ_{m′≥1} w_{m′,k} h′(a_{n,m′}), (N, K)
literal_dV = -2 / (N * K) * np.einsum("nk,nk,nj->j", T - Yh, inner, X1)[:, None] * np.ones((1, M))
print("the last line, as printed (same column for every m):\n", np.round(literal_dV, 6))
print("autodiff:\n", np.round(V_t.grad, 6))
assert np.abs(literal_dV - V_t.grad).max() > 1e-2

# %% [markdown]
# ## Erratum: the forward pass sums from m = 1 and loses the output bias
#
# The summary's forward pass (and again in *Preparing for Python*) reads
# y_{n,k} = Σ_{**m=1**}^{M} w_{m,k} z̃_{n,m}. But z̃_{n,0} = 1 is the constant input of the output layer and
# w_{0,k} its bias: the sum must start at **m = 0**, as it does in the notes' own derivation
# (Σ_{m′=0}^{M}) and in their code (`Y = Z1 @ W`). Starting at 1 drops w_{0,k} from every output. Autodiff
# agrees that w_{0,k} matters: its gradient −2/(NK) Σₙ(tₙₖ − yₙₖ) is not zero.

# %%
y_from_1 = sum(W0[m] * Z1h[:, [m]] for m in range(1, M + 1))
y_from_0 = sum(W0[m] * Z1h[:, [m]] for m in range(0, M + 1))
print(f"max |y (m from 1) − autodiff's Y| = {np.abs(y_from_1 - Y_t.data).max():.6f} "
      f"(= max |w₀,ₖ| = {np.abs(W0[0]).max():.6f});  m from 0: {np.abs(y_from_0 - Y_t.data).max():.1e}")
print(f"∂E/∂w_(0,k), the bias row: autodiff {np.round(W_t.grad[0], 8)}, "
      f"by hand −2/(NK)Σₙ(t − y) {np.round(-2 / (N * K) * (T - Yh).sum(axis=0), 8)}")
assert np.allclose(y_from_0, Y_t.data, rtol=1e-14, atol=1e-15)
assert np.allclose(np.abs(y_from_1 - Y_t.data).max(axis=0), np.abs(W0[0]), rtol=1e-12)
assert np.allclose(W_t.grad[0], -2 / (N * K) * (T - Yh).sum(axis=0), rtol=1e-12, atol=1e-15)

# %% [markdown]
# ## Preparing for Python: the forward pass in matrix form, Z = h(X̃V) and Y = Z̃W
#
# z_{n,m} = h(Σⱼ v_{j,m} x̃_{n,j}) is row n of X̃ times column m of V, so all of them at once are
# Z = h(X̃V); likewise Y = Z̃W (with the sum from m = 0). The index loops and the matrix form agree, and
# autodiff records the matrix form as a graph of six operations on whole arrays: the picture shows each
# node's shape, a summary of its values, and after backward a summary of the gradient that reached it.

# %%
Z_loops = np.array([[np.tanh(sum(V0[jj, m] * X1[n, jj] for jj in range(D + 1))) for m in range(M)] for n in range(N)])
Y_loops = np.array([[sum(W0[m, k] * Z1h[n, m] for m in range(M + 1)) for k in range(K)] for n in range(N)])
assert np.allclose(Z_loops, Z_t.data, rtol=1e-14, atol=1e-15) and np.allclose(Y_loops, Y_t.data, rtol=1e-14, atol=1e-15)
print("index loops = matrix form = autodiff's forward pass, for Z and Y")
draw(E_t, params=[V_t, W_t], digits=3, rankdir="TB")

# %% [markdown]
# ## The V rule in matrix form: X̃ᵀ((T − Y)Ŵᵀ ⊙ (1 − Z²))
#
# Σₖ (tₙₖ − yₙₖ) w_{m,k} for all n and m is (T − Y)Ŵᵀ, with Ŵ = W without its bias row (`W[1:, :]`): the
# output errors sent back to each hidden unit, N × M. Multiplying elementwise (the notes' "·") by the slopes
# 1 − Z² gives the hidden deltas, also N × M. Summing x̃ₙⱼ × delta over n is X̃ᵀ(…): the notes get the
# transpose first (subscripts m, j) and flip it. So
#
# ∂E/∂V = −2/(NK) X̃ᵀ((T − Y)Ŵᵀ ⊙ (1 − Z²)), and the update V ← V + ρₕ(1/N)(1/K)X̃ᵀ(…)
#
# (again with the factor 2 folded into ρₕ, see the erratum above). Step by step, against autodiff:

# %%
sent_back = (T - Yh) @ W0[1:, :].T                  # (T − Y)Ŵᵀ : N × M
hidden_delta = sent_back * (1 - Zh**2)              # ⊙ (1 − Z²) : N × M
dV_matrix = -2 / (N * K) * X1.T @ hidden_delta      # X̃ᵀ(…) : (D+1) × M
dV_transposed_first = (-2 / (N * K) * hidden_delta.T @ X1).T   # the notes' (…)ᵀx̃ then ᵀ
print(f"(T − Y)Ŵᵀ {sent_back.shape}, ⊙(1 − Z²) {hidden_delta.shape}, X̃ᵀ(…) {dV_matrix.shape}, V {V0.shape}")
assert np.allclose(dV_matrix, V_t.grad, rtol=1e-12, atol=1e-15) and np.allclose(dV_matrix, dV, rtol=1e-12, atol=1e-15)
assert np.allclose(dV_transposed_first, dV_matrix, rtol=1e-14, atol=1e-16)
print("matrix form = index loops = autodiff")

# %% [markdown]
# ## Erratum: the dimension bars say D and M where they should say D + 1 and M + 1
#
# Under the matrix rules the notes annotate the shapes: X̃ᵀ as **D × N** and the V-update as **D × M**;
# Z̃ᵀ as **M × N** and the W-update as **M × K**. But X̃ has the extra column of ones, so X̃ᵀ is
# **(D+1) × N** and the update, like V itself, **(D+1) × M**; Z̃ᵀ is **(M+1) × N** and the W-update, like W,
# **(M+1) × K**. (The bar after Ŵᵀ, N × M, labels the product (T − Y)Ŵᵀ — Ŵᵀ alone is K × M.) Autodiff's
# gradients have the shapes of their parameters, which settles it:

# %%
rows = [("X̃ᵀ", X1.T.shape, (D, N), (D + 1, N)), ("∂E/∂V, the V-update", V_t.grad.shape, (D, M), (D + 1, M)),
        ("Z̃ᵀ", Z1h.T.shape, (M, N), (M + 1, N)), ("∂E/∂W, the W-update", W_t.grad.shape, (M, K), (M + 1, K)),
        ("(T − Y)Ŵᵀ", sent_back.shape, (N, M), (N, M)), ("Ŵᵀ alone", W0[1:].T.shape, None, (K, M))]
print(f"{'':<22}{'actual':>10}{'the notes':>12}{'right':>10}   (N={N}, D={D}, M={M}, K={K})")
for name, actual, notes, right in rows:
    print(f"{name:<22}{str(actual):>10}{str(notes or '–'):>12}{str(right):>10}")
    assert actual == right
assert (D, M) != (D + 1, M) and (M, K) != (M + 1, K)

# %% [markdown]
# ## The W rule in matrix form: Z̃ᵀ(T − Y)
#
# Σₙ (tₙₖ − yₙₖ) z̃ₙₘ for all m, k is Z̃ᵀ(T − Y) (again the notes get (T − Y)ᵀZ̃ first and transpose), so
# ∂E/∂W = −2/(NK) Z̃ᵀ(T − Y) and W ← W + ρₒ(1/N)(1/K) Z̃ᵀ(T − Y):

# %%
dW_matrix = -2 / (N * K) * Z1h.T @ (T - Yh)
assert np.allclose(dW_matrix, W_t.grad, rtol=1e-12, atol=1e-15) and np.allclose(dW_matrix, dW, rtol=1e-12, atol=1e-15)
print(f"Z̃ᵀ(T − Y) is {dW_matrix.shape}, like W; −2/(NK)·Z̃ᵀ(T − Y) = index loops = autodiff")

# %% [markdown]
# ## Erratum: the Python listing does not run as printed
#
# "Now in python." The listing, as printed:

# %%
print(PYTHON_STEP)
print("Python says:", syntax_error(PYTHON_STEP))
fixed_paren = PYTHON_STEP.replace("V))", "V)")
print("with the parenthesis fixed, it reads names nothing defines:",
      unbound_names(fixed_paren, {"X1", "V", "W", "T"}))
assert syntax_error(PYTHON_STEP) == "line 2: unmatched ')'"
assert unbound_names(fixed_paren, {"X1", "V", "W", "T"}) == ["Z1", "rh", "ro", "tanh"]

# %% [markdown]
# Four more things are missing: `tanh` is numpy's (`np.tanh`), `Z1 = addOnes(Z)` is never computed, and
# `rh`, `ro` are never defined — the last section's code has them commented out as
# `rh = rhoh / (nSamples * nOutputs)`, which is the (1/N)(1/K) of the math. With those lines, the step is
# the math's update: V ← V − (ρₕ/2)∂E/∂V and W ← W − (ρₒ/2)∂E/∂W with autodiff's gradients. (Both updates
# use the error and Z̃ computed *before* either matrix changes — V is updated with the old W — which is what
# a gradient step needs; swapping the two update lines would not change that here, because `error` and `Z1`
# are already computed.)

# %%
rhoh, rhoo = 0.1, 0.01
rh, ro = rhoh / (N * K), rhoo / (N * K)
V, W = V0.copy(), W0.copy()
Z = np.tanh(X1 @ V)
Z1 = add_ones(Z)
Y = Z1 @ W
error = T - Y
V = V + rh * X1.T @ ((error @ W[1:, :].T) * (1 - Z**2))
W = W + ro * Z1.T @ error
assert np.allclose(V, V0 - rhoh / 2 * V_t.grad, rtol=1e-14, atol=1e-15)
assert np.allclose(W, W0 - rhoo / 2 * W_t.grad, rtol=1e-14, atol=1e-15)
print("the fixed listing's step = V − (ρₕ/2)·autodiff's ∂E/∂V and W − (ρₒ/2)·autodiff's ∂E/∂W")

# %% [markdown]
# ## The full gradient is the average of the per-sample gradients
#
# "Instead of writing a for loop to step through each sample and update the weights on each step, which we
# called Stochastic Gradient Descent, we are using the full gradient." Because E is a mean over samples,
# its gradient is the mean of the per-sample gradients ∂Eₙ/∂V with Eₙ = (1/K)Σₖ(tₙₖ − yₙₖ)²: one full-batch
# step is the average of the N steps SGD would take from the same weights (SGD differs because it moves the
# weights between samples). Autodiff on each sample alone, averaged, against autodiff on the whole batch:

# %%
per_sample_V, per_sample_W = [], []
for n in range(N):
    Vn, Wn = Tensor(V0, requires_grad=True), Tensor(W0, requires_grad=True)
    Zn = (Tensor(X1[n:n + 1]) @ Vn).tanh()
    Yn = concatenate([Tensor(np.ones((1, 1))), Zn], axis=1) @ Wn
    ((T[n:n + 1] - Yn) ** 2).mean().backward()
    per_sample_V.append(Vn.grad)
    per_sample_W.append(Wn.grad)
assert np.allclose(np.mean(per_sample_V, axis=0), V_t.grad, rtol=1e-12, atol=1e-15)
assert np.allclose(np.mean(per_sample_W, axis=0), W_t.grad, rtol=1e-12, atol=1e-15)
print(f"mean of the {N} per-sample gradients = the full-batch gradient, for V and for W")
