"""What a PyTorch user types works and means what it means in PyTorch (issue 12)."""

from __future__ import annotations

import numpy as np
import pytest

from autodiff import ShapeError, Tensor

torch = pytest.importorskip("torch")

A = np.arange(24.0).reshape(2, 3, 4) / 7.0


def both(fn):
    """(ours, torch's) of the same expression, as arrays."""
    ours = fn(Tensor(A))
    theirs = fn(torch.tensor(A))
    return np.asarray(ours.data if isinstance(ours, Tensor) else ours), np.asarray(theirs)


@pytest.mark.parametrize("expr", [
    lambda t: t.transpose(0, 1), lambda t: t.transpose(-1, 0), lambda t: t.permute(2, 0, 1),
    lambda t: t.unsqueeze(1), lambda t: t.unsqueeze(-1), lambda t: t.unsqueeze(0).squeeze(0),
    lambda t: t[:, :1].squeeze(1), lambda t: t[:, :1].squeeze(), lambda t: t.squeeze(0),
    lambda t: t.view(6, 4), lambda t: t.view(-1), lambda t: t.sum(dim=1), lambda t: t.sum(dim=(0, 2), keepdim=True),
    lambda t: t.mean(dim=-1, keepdim=True), lambda t: t.max(dim=1).values if hasattr(t.max(dim=1), "values")
    else t.max(dim=1), lambda t: t.amin(dim=0) if hasattr(t, "amin") and not isinstance(t, Tensor) else t.min(dim=0),
    lambda t: t.argmax(dim=1), lambda t: t.argmin(), lambda t: t.argmax(dim=2, keepdim=True),
    lambda t: t.var(dim=1, unbiased=True), lambda t: t.std(dim=1, correction=0),
    lambda t: t.softmax(dim=0), lambda t: t.log_softmax(dim=1), lambda t: t.logsumexp(dim=2),
])
def test_pytorch_spelling_gives_pytorch_numbers(expr) -> None:
    ours, theirs = both(expr)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


def test_var_and_std_default_to_numpy_and_take_pytorch_corrections() -> None:
    t = Tensor(A)
    assert t.var().item() == pytest.approx(A.var())                       # ddof=0, numpy's default
    assert t.var(unbiased=True).item() == pytest.approx(torch.tensor(A).var().item())
    assert t.std(correction=1).item() == pytest.approx(A.std(ddof=1))
    with pytest.raises(TypeError, match="one of ddof=, correction= or unbiased="):
        t.var(ddof=1, correction=1)
    with pytest.raises(TypeError, match="axis= .* or dim="):
        t.sum(axis=0, dim=1)


def test_size_is_numpys_count_and_pytorchs_shape_when_called() -> None:
    t = Tensor(A)
    assert t.size == 24 and t.numel() == 24 and t.size() == (2, 3, 4) and t.size(1) == 3 and t.size(-1) == 4
    assert t.dim() == 3 and t.ndim == 3
    assert Tensor([[1.0, 2.0]]).tolist() == [[1.0, 2.0]] and Tensor(3.0).tolist() == 3.0
    with pytest.raises(ShapeError):
        t.size(3)


def test_transpose_swaps_two_axes_and_permute_reorders_all_with_gradients() -> None:
    t = Tensor(A, requires_grad=True)
    w = np.random.default_rng(0).normal(size=(3, 2, 4))
    (t.transpose(0, 1) * w).sum().backward()
    np.testing.assert_array_equal(t.grad, w.transpose(1, 0, 2))
    assert t.transpose().shape == (4, 3, 2) and t.transpose((2, 0, 1)).shape == (4, 2, 3)
    with pytest.raises(TypeError, match="permute"):
        t.transpose(2, 0, 1)
    with pytest.raises(ShapeError, match="not a permutation"):
        t.permute(0, 0, 1)


def test_argmax_is_a_constant_index_tensor_and_max_gives_values_only() -> None:
    t = Tensor([[1.0, 5.0, 5.0], [7.0, 0.0, 2.0]], requires_grad=True)
    idx = t.argmax(dim=1)
    assert idx.tolist() == [1, 0] and idx.dtype.kind == "i" and not idx.requires_grad
    assert (t.argmax(dim=1) == Tensor(np.array([1, 0]), dtype=np.int64)).data.all()
    assert t.max(dim=1).tolist() == [5.0, 7.0]
    assert t.argmax().item() == 3


def test_creation_functions_as_pytorch_spells_them() -> None:
    import autodiff as ad

    assert ad.zeros(2, 3).shape == (2, 3) and ad.zeros((2, 3)).data.sum() == 0.0
    assert ad.ones(3).tolist() == [1.0, 1.0, 1.0] and ad.full((2,), 7).tolist() == [7.0, 7.0]
    assert ad.arange(4).tolist() == [0.0, 1.0, 2.0, 3.0] and ad.arange(1, 2, 0.5).tolist() == [1.0, 1.5]
    assert ad.linspace(0, 1, 3).tolist() == [0.0, 0.5, 1.0]
    w = ad.zeros(2, requires_grad=True, label="w")
    assert w.requires_grad and w.label == "w" and w.dtype == np.float64
    assert ad.zeros_like(ad.ones(2, 2)).shape == (2, 2) and ad.ones_like(np.zeros(3)).tolist() == [1.0] * 3
    with pytest.raises(TypeError, match="non-negative ints"):
        ad.zeros(2.5)


def test_manual_seed_makes_random_draws_repeat() -> None:
    import autodiff as ad

    ad.manual_seed(123)
    a, b = ad.randn(3, 2), ad.rand(4)
    ad.manual_seed(123)
    np.testing.assert_array_equal(ad.randn(3, 2).data, a.data)
    np.testing.assert_array_equal(ad.rand(4).data, b.data)
    assert 0.0 <= b.data.min() and b.data.max() < 1.0
    with pytest.raises(TypeError, match="non-negative int"):
        ad.manual_seed(-1)


def test_a_value_and_a_tensor_together_say_what_to_do() -> None:
    from autodiff import Value

    for combine in (lambda: Value(1.0) + Tensor([1.0]), lambda: Tensor([1.0]) * Value(2.0),
                    lambda: Tensor([1.0]) @ Value(2.0)):
        with pytest.raises(TypeError, match="cannot combine a Value .* with a Tensor.*Tensor\\(v.data\\)"):
            combine()


def test_float_double_and_long_as_a_pytorch_script_uses_them() -> None:
    pred, y = Tensor([1.0, 2.0, 3.0]), Tensor([1.0, 0.0, 3.0])
    assert (pred == y).float().mean().item() == pytest.approx(2 / 3)
    w = Tensor([1.5], requires_grad=True)
    assert w.float() is w and w.double() is w  # float64 throughout: no copy, the graph continues
    assert Tensor([1.9, 2.0]).long().tolist() == [1, 2] and Tensor([1.9]).long().dtype == np.int64


def test_cat_and_stack_take_dim_as_pytorch_does() -> None:
    import autodiff as ad

    a = Tensor([[1.0, 2.0]], requires_grad=True)
    b = Tensor([[3.0, 4.0]], requires_grad=True)
    c = ad.cat([a, b], dim=1)
    assert c.shape == (1, 4) and ad.concatenate([a, b], dim=0).shape == (2, 2)
    (c * Tensor([[1.0, 2.0, 3.0, 4.0]])).sum().backward()
    assert a.grad.tolist() == [[1.0, 2.0]] and b.grad.tolist() == [[3.0, 4.0]]
    assert ad.stack([a, b], dim=1).shape == (1, 2, 2) and ad.stack([a, b]).shape == (2, 1, 2)
    assert ad.concatenate([a, b], axis=None).shape == (4,)
    with pytest.raises(TypeError, match="not both"):
        ad.cat([a, b], axis=1, dim=1)
