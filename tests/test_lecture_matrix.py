"""The lecture notes' matrix delta rules, computed by hand in numpy, equal autodiff's gradients.

Two sets of notes, two conventions, both reproduced exactly as written:

* seed 002 (``/work/shared/seeds/002_*.txt``, "Introduction to Neural Networks"): samples are rows,
  X̃ is X with a column of ones prepended (``np.insert(A, 0, 1, axis=1)``, the notes' ``addOnes``),
  Z = h(X̃V) with h = tanh, Y = Z̃W, and the mean squared error over N samples and K outputs
      E = (1/N)(1/K) Σₙ Σₖ (tₙₖ − yₙₖ)²                                          (line 266)
  whose gradients the notes derive and summarise as                              (lines 322-338)
      ∂E/∂w_{m,k} = −2 (1/N)(1/K) Σₙ (tₙₖ − yₙₖ) z̃ₙₘ
      ∂E/∂v_{j,m} = −2 (1/N)(1/K) Σₙ Σₖ (tₙₖ − yₙₖ) w_{m,k} (1 − z²ₙₘ) x̃ₙⱼ
  and then write in matrix form                                                  (lines 356-374)
      ∂E/∂W = −2/(NK) · Z̃ᵀ (T − Y)
      ∂E/∂V = −2/(NK) · X̃ᵀ ((T − Y) Ŵᵀ ⊙ (1 − Z²)),   Ŵ = W without its bias row, W[1:, :]
  The Python step (lines 382-384, with rh = ρ_h/(NK) from line 444) drops the −2 into ρ.

* seed 004 (``/work/shared/seeds/004_*.txt``, "Backpropagation"): one example is a column vector,
  x_i = σ(W_i x_{i−1} + b_i) (the backprop section's numbering, line 97; the forward section's
  x_{i+1} = σ(w_i x_i + b_{i+1}) at line 31 is the same net indexed from 0), E = ½‖x_L − y‖²
  (lines 45, 99), and                                                             (lines 117-127)
      δ_L = (x_L − y) ⊙ σ'(z_L),   δ_i = W_{i+1}ᵀ δ_{i+1} ⊙ σ'(z_i),
      ∂E/∂W_i = δ_i x_{i−1}ᵀ,      ∂E/∂b_i = δ_i,        σ'(z) = σ(z)(1 − σ(z)).
  A batch is the same with the examples as columns of X_0 and E summed over them.

Every comparison is to 1e-12 on random data.
"""

from __future__ import annotations

import numpy as np
import pytest

from autodiff import Tensor, concatenate

TOL = 1e-12


def close(actual, expected, tol: float = TOL) -> None:
    np.testing.assert_allclose(np.asarray(actual, dtype=float), np.asarray(expected, dtype=float),
                               rtol=tol, atol=tol)


def add_ones(A: np.ndarray) -> np.ndarray:
    """The notes' ``addOnes``: a constant-1 column in front (X → X̃)."""
    return np.insert(A, 0, 1, axis=1)


# --- seed 002: two-layer tanh network, rows are samples -------------------------------------------------
SIZES_002 = [  # (N, D, M, K)
    (30, 1, 20, 1),  # the notes' worked example: 30 samples of a 1-D function, 20 hidden units
    (7, 3, 5, 2),
    (1, 1, 1, 1),
    (12, 4, 6, 3),
]


def net_002(sizes, seed):
    N, D, M, K = sizes
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(N, D))
    T = rng.normal(size=(N, K))
    V = rng.uniform(-1.0, 1.0, size=(1 + D, M))  # (D+1) × M, bias row first
    W = rng.uniform(-1.0, 1.0, size=(1 + M, K))  # (M+1) × K
    return X, T, V, W


def autodiff_002(X, T, V0, W0, *, use_mean: bool = False):
    """Z̃ = h(X̃V) with its ones column, Y = Z̃W, E = (1/N)(1/K) ΣΣ (T − Y)², built from Tensors."""
    N, K = T.shape
    V = Tensor(V0, requires_grad=True, label="V")
    W = Tensor(W0, requires_grad=True, label="W")
    Z = (add_ones(X) @ V).tanh()
    Z1 = concatenate([np.ones((N, 1)), Z], axis=1)
    Y = Z1 @ W
    E = ((T - Y) ** 2).mean() if use_mean else ((T - Y) ** 2).sum() / (N * K)
    E.backward()
    return E, V.grad, W.grad


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("sizes", SIZES_002, ids=lambda s: "N{}_D{}_M{}_K{}".format(*s))
def test_delta_rule_matches_autodiff_two_layer_tanh(sizes, seed) -> None:
    """∂E/∂V = −2/(NK) X̃ᵀ((T − Y)Ŵᵀ ⊙ (1 − Z²)) and ∂E/∂W = −2/(NK) Z̃ᵀ(T − Y)  (002, lines 356-374)."""
    X, T, V, W = net_002(sizes, seed)
    N, K = T.shape
    X1 = add_ones(X)
    Z = np.tanh(X1 @ V)
    Z1 = add_ones(Z)
    Y = Z1 @ W
    E = np.sum((T - Y) ** 2) / (N * K)
    dE_dW = -2 / (N * K) * Z1.T @ (T - Y)
    dE_dV = -2 / (N * K) * X1.T @ (((T - Y) @ W[1:, :].T) * (1 - Z ** 2))

    E_ad, gV, gW = autodiff_002(X, T, V, W)
    close(E_ad.item(), E)
    assert gV.shape == V.shape and gW.shape == W.shape
    close(gW, dE_dW)
    close(gV, dE_dV)


@pytest.mark.parametrize("seed", [0, 1])
def test_mse_as_mean_is_the_notes_one_over_N_one_over_K(seed) -> None:
    """(1/N)(1/K) ΣₙΣₖ is ``.mean()`` over the N × K errors: same E, same gradients (line 266)."""
    X, T, V, W = net_002((9, 2, 4, 3), seed)
    E1, gV1, gW1 = autodiff_002(X, T, V, W)
    E2, gV2, gW2 = autodiff_002(X, T, V, W, use_mean=True)
    close(E1.item(), E2.item())
    close(gV1, gV2)
    close(gW1, gW2)


def test_summation_form_of_the_delta_rule_matches_autodiff() -> None:
    """The index form before vectorising (002, line 338), as explicit loops over n, k, j, m:
    ∂E/∂w_{m,k} = −2/(NK) Σₙ (tₙₖ − yₙₖ) z̃ₙₘ,
    ∂E/∂v_{j,m} = −2/(NK) ΣₙΣₖ (tₙₖ − yₙₖ) w_{m,k} (1 − z²ₙₘ) x̃ₙⱼ   (m counting hidden units from 1)."""
    X, T, V, W = net_002((5, 2, 3, 2), 3)
    N, D = X.shape
    M, K = V.shape[1], T.shape[1]
    X1 = add_ones(X)
    Z = np.tanh(X1 @ V)
    Z1 = add_ones(Z)
    Y = Z1 @ W
    dW = np.zeros_like(W)
    for m in range(M + 1):
        for k in range(K):
            dW[m, k] = -2 / (N * K) * sum((T[n, k] - Y[n, k]) * Z1[n, m] for n in range(N))
    dV = np.zeros_like(V)
    for j in range(D + 1):
        for m in range(M):
            dV[j, m] = -2 / (N * K) * sum((T[n, k] - Y[n, k]) * W[m + 1, k] * (1 - Z[n, m] ** 2) * X1[n, j]
                                          for n in range(N) for k in range(K))
    _, gV, gW = autodiff_002(X, T, V, W)
    close(gW, dW)
    close(gV, dV)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_notes_python_update_is_a_gradient_step_with_the_2_folded_into_rho(seed) -> None:
    """Lines 382-384 with rh = ρ_h/(NK), ro = ρ_o/(NK) (line 444):
        V ← V + rh X̃ᵀ((T − Y)Ŵᵀ ⊙ (1 − Z²)),  W ← W + ro Z̃ᵀ(T − Y)
    is V − (ρ_h/2) ∂E/∂V and W − (ρ_o/2) ∂E/∂W with autodiff's gradients."""
    X, T, V, W = net_002((30, 1, 20, 1), seed)
    N, K = T.shape
    rhoh, rhoo = 0.1, 0.01
    rh, ro = rhoh / (N * K), rhoo / (N * K)
    X1 = add_ones(X)
    Z = np.tanh(X1 @ V)
    Z1 = add_ones(Z)
    Y = Z1 @ W
    error = T - Y
    V_notes = V + rh * X1.T @ ((error @ W[1:, :].T) * (1 - Z ** 2))
    W_notes = W + ro * Z1.T @ error

    _, gV, gW = autodiff_002(X, T, V, W)
    close(V_notes, V - rhoh / 2 * gV)
    close(W_notes, W - rhoo / 2 * gW)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_chain_rule_single_weight_simplified_view(seed) -> None:
    """y = w h(v x), z = h(a), a = v x, E = (t − y)²  (002, lines 284-296):
    ∂E/∂v = −2(t − y) w (1 − z²) x,  ∂E/∂w = −2(t − y) z."""
    x0, v0, w0, t = np.random.default_rng(seed).normal(size=4)
    v, w = Tensor(v0, requires_grad=True), Tensor(w0, requires_grad=True)
    z_t = (v * x0).tanh()
    y_t = w * z_t
    ((t - y_t) ** 2).backward()
    z = np.tanh(v0 * x0)
    y = w0 * z
    close(v.grad, -2 * (t - y) * w0 * (1 - z ** 2) * x0)
    close(w.grad, -2 * (t - y) * z)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_chain_rule_two_outputs_sum_the_deltas(seed) -> None:
    """Two outputs yₖ = wₖ z sharing one hidden unit z = tanh(v x)  (002, lines 300-310):
    ∂E/∂v = −2((t₁ − y₁)w₁ + (t₂ − y₂)w₂)(1 − z²)x, i.e. δ⁽ʰ⁾ = (δ₁⁽ᵒ⁾w₁ + δ₂⁽ᵒ⁾w₂)(1 − z²)."""
    rng = np.random.default_rng(seed)
    x0, v0 = rng.normal(size=2)
    w0, t = rng.normal(size=2), rng.normal(size=2)
    v, w = Tensor(v0, requires_grad=True), Tensor(w0, requires_grad=True)
    y_t = w * (v * x0).tanh()
    ((t - y_t) ** 2).sum().backward()
    z = np.tanh(v0 * x0)
    y = w0 * z
    delta_o = t - y
    delta_h = (delta_o[0] * w0[0] + delta_o[1] * w0[1]) * (1 - z ** 2)
    close(v.grad, -2 * delta_h * x0)
    close(w.grad, -2 * delta_o * z)


# --- seed 004: sigmoid network, one example is a column -----------------------------------------------
def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


def net_004(layer_sizes, seed, n_examples):
    rng = np.random.default_rng(seed)
    Ws = [rng.uniform(-1, 1, size=(n_out, n_in)) for n_in, n_out in zip(layer_sizes, layer_sizes[1:])]
    bs = [rng.uniform(-1, 1, size=(n_out, 1)) for n_out in layer_sizes[1:]]
    x0 = rng.normal(size=(layer_sizes[0], n_examples))
    y = rng.uniform(0, 1, size=(layer_sizes[-1], n_examples))
    return Ws, bs, x0, y


def delta_rule_004(Ws, bs, x0, y):
    """Forward x_i = σ(W_i x_{i−1} + b_i); backward with the notes' δ's (004, lines 117-127).
    Columns are examples, so x_{i−1}ᵀ sums δ_i x_{i−1}ᵀ over them and ∂E/∂b_i = Σ_columns δ_i."""
    xs = [x0]
    for W, b in zip(Ws, bs):
        xs.append(sigmoid(W @ xs[-1] + b))
    L = len(Ws)
    deltas = [None] * L
    deltas[L - 1] = (xs[L] - y) * xs[L] * (1 - xs[L])  # δ_L = (x_L − y) ⊙ σ'(z_L)
    for i in range(L - 2, -1, -1):  # δ_i = W_{i+1}ᵀ δ_{i+1} ⊙ σ'(z_i)
        deltas[i] = (Ws[i + 1].T @ deltas[i + 1]) * xs[i + 1] * (1 - xs[i + 1])
    dWs = [deltas[i] @ xs[i].T for i in range(L)]  # ∂E/∂W_i = δ_i x_{i−1}ᵀ
    dbs = [deltas[i].sum(axis=1, keepdims=True) for i in range(L)]  # ∂E/∂b_i = δ_i
    E = 0.5 * np.sum((xs[L] - y) ** 2)
    return E, dWs, dbs, deltas


def autodiff_004(Ws0, bs0, x0, y):
    Ws = [Tensor(W, requires_grad=True, label=f"W{i + 1}") for i, W in enumerate(Ws0)]
    bs = [Tensor(b, requires_grad=True, label=f"b{i + 1}") for i, b in enumerate(bs0)]
    x = Tensor(x0)
    for W, b in zip(Ws, bs):
        x = (W @ x + b).sigmoid()
    E = 0.5 * ((x - y) ** 2).sum()
    E.backward()
    return E, [W.grad for W in Ws], [b.grad for b in bs]


LAYERS_004 = [(3, 4, 4, 2), (2, 3, 5, 1), (5, 2, 3, 4)]


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("layers", LAYERS_004, ids=lambda s: "-".join(map(str, s)))
def test_delta_rule_matches_autodiff_three_layer_sigmoid_single_example(layers, seed) -> None:
    """δ_L, δ_i = W_{i+1}ᵀδ_{i+1} ⊙ σ', ∂E/∂W_i = δ_i x_{i−1}ᵀ, ∂E/∂b_i = δ_i on one column x₀."""
    Ws, bs, x0, y = net_004(layers, seed, n_examples=1)
    E, dWs, dbs, deltas = delta_rule_004(Ws, bs, x0, y)
    E_ad, gWs, gbs = autodiff_004(Ws, bs, x0, y)
    close(E_ad.item(), E)
    for i in range(3):
        assert gWs[i].shape == Ws[i].shape and gbs[i].shape == bs[i].shape
        close(gWs[i], dWs[i])
        close(gbs[i], dbs[i])
        close(gbs[i], deltas[i])  # for one example ∂E/∂b_i is δ_i itself


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("layers", LAYERS_004, ids=lambda s: "-".join(map(str, s)))
def test_delta_rule_matches_autodiff_three_layer_sigmoid_batch(layers, seed) -> None:
    """A batch of 8 examples as columns, E = ½‖X_L − Y‖²_F: ∂E/∂W_i = Δ_i X_{i−1}ᵀ, ∂E/∂b_i = Δ_i 1,
    which is also the sum of the single-example gradients."""
    n = 8
    Ws, bs, X0, Y = net_004(layers, seed, n_examples=n)
    E, dWs, dbs, _ = delta_rule_004(Ws, bs, X0, Y)
    E_ad, gWs, gbs = autodiff_004(Ws, bs, X0, Y)
    close(E_ad.item(), E)
    for i in range(3):
        close(gWs[i], dWs[i])
        close(gbs[i], dbs[i])
    per_example = [delta_rule_004(Ws, bs, X0[:, [j]], Y[:, [j]]) for j in range(n)]
    for i in range(3):
        close(sum(p[1][i] for p in per_example), gWs[i])
        close(sum(p[2][i] for p in per_example), gbs[i])


def test_delta_rule_matches_autodiff_batch_as_rows() -> None:
    """The same batch with examples as rows (how nn layers hold data): X_i = σ(X_{i−1}W_iᵀ + b_iᵀ);
    the gradients are the column-form gradients, unchanged."""
    Ws0, bs0, X0, Y = net_004((3, 4, 4, 2), 5, n_examples=6)
    _, dWs, dbs, _ = delta_rule_004(Ws0, bs0, X0, Y)
    Ws = [Tensor(W, requires_grad=True) for W in Ws0]
    bs = [Tensor(b.ravel(), requires_grad=True) for b in bs0]
    x = Tensor(X0.T)
    for W, b in zip(Ws, bs):
        x = (x @ W.T + b).sigmoid()
    (0.5 * ((x - Y.T) ** 2).sum()).backward()
    for i in range(3):
        close(Ws[i].grad, dWs[i])
        close(bs[i].grad, dbs[i].ravel())


def test_gradient_step_follows_the_notes_update_rule() -> None:
    """W_i ← W_i − α ∂E/∂W_i, b_i ← b_i − α δ_i (004, lines 121-127) with autodiff's gradients is the
    notes' update, and a small step lowers E."""
    Ws, bs, x0, y = net_004((3, 4, 4, 2), 9, n_examples=1)
    alpha = 0.1
    E, dWs, dbs, _ = delta_rule_004(Ws, bs, x0, y)
    _, gWs, gbs = autodiff_004(Ws, bs, x0, y)
    new_Ws = [W - alpha * g for W, g in zip(Ws, gWs)]
    new_bs = [b - alpha * g for b, g in zip(bs, gbs)]
    for i in range(3):
        close(new_Ws[i], Ws[i] - alpha * dWs[i])
        close(new_bs[i], bs[i] - alpha * dbs[i])
    assert delta_rule_004(new_Ws, new_bs, x0, y)[0] < E


def test_problem_1_linear_network_matches_delta_rule() -> None:
    """004, Problems 1 (lines 133-137): the given W₁, W₂, x₀, b₁, b₂, target t and α = 0.1, with the
    linear activation y = x (σ' = 1). Hand forward: x₁ = W₁x₀ + b₁ = (23, 12, 15, 21)ᵀ,
    x₂ = W₂x₁ + b₂ = (119, 146)ᵀ; δ₂ = x₂ − t = (115, 141)ᵀ, δ₁ = W₂ᵀδ₂ = (486, 679, 397, 397)ᵀ."""
    W1 = np.array([[2.0, 3, 4], [2, 1, 2], [3, 5, 1], [2, 3, 4]])
    W2 = np.array([[3.0, 1, 1, 1], [1, 4, 2, 2]])
    x0 = np.array([[2.0], [1], [3]])
    b1 = np.array([[4.0], [1], [1], [2]])
    b2 = np.array([[2.0], [3]])
    t = np.array([[4.0], [5]])
    alpha = 0.1

    tW1, tW2, tb1, tb2 = (Tensor(a, requires_grad=True) for a in (W1, W2, b1, b2))
    x1 = tW1 @ x0 + tb1
    x2 = tW2 @ x1 + tb2
    (0.5 * ((x2 - t) ** 2).sum()).backward()

    close(x1.data.ravel(), [23, 12, 15, 21])
    close(x2.data.ravel(), [119, 146])
    delta2 = np.array([[115.0], [141]])
    delta1 = W2.T @ delta2
    close(delta1.ravel(), [486, 679, 397, 397])
    close(tW2.grad, delta2 @ x1.data.T)
    close(tW1.grad, delta1 @ x0.T)
    close(tb2.grad, delta2)
    close(tb1.grad, delta1)
    close(W2 - alpha * tW2.grad, W2 - alpha * delta2 @ np.array([[23.0, 12, 15, 21]]))


def test_forward_example_numbers_from_the_notes() -> None:
    """004, line 21: n₁ = 0.2, n₂ = 0.3, w₁₃ = 4, w₁₄ = 5, w₁₅ = 6, w₂₃ = 5, w₂₄ = 6, w₂₅ = 7,
    w₃₆ = 9, w₄₆ = 10, w₅₆ = 11, all biases 1: n₃..n₅ = σ(3.3), σ(3.8), σ(4.3) ≈ 0.964, 0.978, 0.987
    and n₆ = σ(30.313) ≈ 1, the vectorised form x₁ = σ(W x₀ + b) giving the same numbers (line 29)."""
    W = Tensor([[4.0, 5.0], [5.0, 6.0], [6.0, 7.0]])  # rows: (w13, w23), (w14, w24), (w15, w25)
    x1 = (W @ Tensor([[0.2], [0.3]]) + 1.0).sigmoid()
    close(x1.data.ravel(), sigmoid(np.array([3.3, 3.8, 4.3])))
    assert np.round(x1.data.ravel(), 3).tolist() == [0.964, 0.978, 0.987]
    n6 = (Tensor([[9.0, 10.0, 11.0]]) @ Tensor(np.round(x1.data, 3)) + 1.0).sigmoid()
    close(Tensor([[9.0, 10.0, 11.0]]).data @ np.round(x1.data, 3) + 1.0, [[30.313]])
    assert round(n6.item(), 3) == 1.0
