"""nn.Module: discovery of parameters/buffers/submodules, modes, state dicts and model files."""

import os
import zipfile

import numpy as np
import pytest

import nn
from autodiff import ShapeError, Value
from nn import MLP, ModelFileError, Module, StateDictError

try:
    from autodiff import Tensor
except ImportError:  # the Tensor node lands separately
    Tensor = None

needs_tensor = pytest.mark.skipif(Tensor is None, reason="autodiff.Tensor not available yet")


class Unit(Module):
    def __init__(self, w: float):
        super().__init__()
        self.w = Value(w)
        self.register_buffer("count", np.array(0, dtype=np.int64))

    def forward(self, x):
        return self.w * x


class Net(Module):
    """A bit of everything, assigned in a known order."""

    def __init__(self):
        self.a = Value(1.0)                       # no super().__init__(): still works
        self.note = "not a parameter"
        self._private = Value(99.0)               # private: never walked
        self.pair = [Value(2.0), Value(3.0)]
        self.first = Unit(4.0)
        self.nested = [[Value(5.0)], (Unit(6.0),)]
        self.register_buffer("running", np.arange(3.0))
        self.register_buffer("unused", None)


# --- discovery ---------------------------------------------------------------------------------------
def test_parameters_are_found_in_assignment_order_with_dotted_names():
    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == ["a", "pair.0", "pair.1", "first.w", "nested.0.0", "nested.1.0.w"]
    assert [p.data for p in net.parameters()] == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    assert net.num_parameters() == 6


def test_modules_children_and_buffers():
    net = Net()
    assert [n for n, _ in net.named_children()] == ["first", "nested.1.0"]
    assert [n for n, _ in net.named_modules()] == ["", "first", "nested.1.0"]
    assert net.modules()[0] is net and net.children() == [net.first, net.nested[1][0]]
    assert [n for n, _ in net.named_buffers()] == ["running", "first.count", "nested.1.0.count"]
    assert len(net.buffers()) == 3


def test_a_shared_parameter_or_module_is_listed_once():
    net = Net()
    net.again = net.pair[0]
    net.alias = net.first
    assert [n for n, _ in net.named_parameters()].count("again") == 0
    assert len(net.parameters()) == 6 and len(net.modules()) == 3


def test_buffers_read_and_assign_as_attributes():
    net = Net()
    assert np.array_equal(net.running, [0, 1, 2]) and net.unused is None
    net.running = np.ones(3)
    assert np.array_equal(dict(net.named_buffers())["running"], np.ones(3))
    net.unused = 5.0
    assert dict(net.named_buffers())["unused"].shape == ()
    assert "running" not in vars(net)


def test_register_buffer_refuses_bad_names_and_clashes():
    net = Net()
    with pytest.raises(ValueError, match="identifier"):
        net.register_buffer("a.b", np.zeros(1))
    with pytest.raises(ValueError, match="already has an attribute"):
        net.register_buffer("a", np.zeros(1))
    with pytest.raises(TypeError, match="numbers"):
        net.register_buffer("text", "hello")


def test_missing_attribute_message():
    with pytest.raises(AttributeError, match="'Net' object has no attribute 'nope'"):
        _ = Net().nope


def test_forward_is_required():
    with pytest.raises(NotImplementedError, match="forward"):
        Module()(1.0)
    assert Unit(2.0)(3.0).data == 6.0


# --- modes and gradients ------------------------------------------------------------------------------
def test_train_and_eval_reach_every_submodule():
    net = Net()
    assert net.training and net.first.training
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())


def test_zero_grad_clears_accumulated_gradients():
    net = MLP(2, [3, 1], seed=0)
    net([1.0, 2.0]).backward()
    assert any(p.grad != 0.0 for p in net.parameters())
    net.zero_grad()
    assert all(p.grad == 0.0 for p in net.parameters())


# --- state dicts ----------------------------------------------------------------------------------------
def test_state_dict_holds_copies_values_as_0d_float64():
    net = Net()
    state = net.state_dict()
    assert list(state) == ["a", "pair.0", "pair.1", "first.w", "nested.0.0", "nested.1.0.w",
                           "running", "first.count", "nested.1.0.count"]
    assert state["a"].shape == () and state["a"].dtype == np.float64
    assert state["first.count"].dtype == np.int64
    state["running"][0] = 42.0
    state["a"][...] = 7.0
    assert net.running[0] == 0.0 and net.a.data == 1.0


def test_load_state_dict_round_trip():
    src, dst = MLP(3, [4, 2], seed=1), MLP(3, [4, 2], seed=2)
    dst.load_state_dict(src.state_dict())
    assert [p.data for p in dst.parameters()] == [p.data for p in src.parameters()]


def _snapshot(module):
    return {k: v.copy() for k, v in module.state_dict().items()}


def _unchanged(module, snapshot):
    now = module.state_dict()
    return now.keys() == snapshot.keys() and all(np.array_equal(now[k], snapshot[k]) for k in now)


def test_missing_and_unexpected_keys_are_named_and_nothing_is_assigned():
    net = Net()
    before = _snapshot(net)
    state = {k: v + 1 for k, v in net.state_dict().items()}
    del state["pair.1"]
    state["extra"] = np.zeros(2)
    with pytest.raises(StateDictError, match=r"missing keys.*'pair.1'.*unexpected keys.*'extra'"):
        net.load_state_dict(state)
    assert _unchanged(net, before)


def test_shape_mismatch_names_key_and_both_shapes_and_nothing_is_assigned():
    net = Net()
    before = _snapshot(net)
    state = {k: v + 1 for k, v in net.state_dict().items()}
    state["running"] = np.zeros(4)
    state["a"] = np.zeros(1)
    with pytest.raises(ShapeError, match=r"'a': the model has shape \(\), the state has shape \(1,\).*"
                                         r"'running': the model has shape \(3,\), the state has shape \(4,\)"):
        net.load_state_dict(state)
    assert _unchanged(net, before)


def test_non_numeric_state_is_refused():
    net = Net()
    state = net.state_dict()
    state["a"] = np.array("x")
    with pytest.raises(StateDictError, match="'a' must hold numbers"):
        net.load_state_dict(state)


def test_non_strict_load_skips_and_reports():
    net = Net()
    state = {"a": np.array(10.0), "extra": np.zeros(1)}
    result = net.load_state_dict(state, strict=False)
    assert net.a.data == 10.0 and result.unexpected_keys == ["extra"] and "pair.0" in result.missing_keys


def test_buffer_dtype_is_kept_on_load():
    net = Net()
    state = net.state_dict()
    state["first.count"] = np.array(5.0)
    net.load_state_dict(state)
    assert net.first.count.dtype == np.int64 and net.first.count == 5


# --- files -------------------------------------------------------------------------------------------------
def _trained_like_net():
    net = Net()
    for i, p in enumerate(net.parameters()):
        p.data = np.random.default_rng(i).normal() * 1e3  # full-precision floats
    net.running = np.random.default_rng(9).normal(size=3)
    net.first.count = np.array(12345678901, dtype=np.int64)
    return net


def test_save_then_load_is_bit_for_bit_for_every_parameter_and_buffer(tmp_path):
    src = _trained_like_net()
    path = src.save(tmp_path / "model.npz")
    dst = Net()
    assert dst.load(path) is dst
    a, b = src.state_dict(), dst.state_dict()
    assert a.keys() == b.keys()
    for k in a:
        assert a[k].dtype == b[k].dtype and a[k].tobytes() == b[k].tobytes(), k
    assert [p.data for p in src.parameters()] == [p.data for p in dst.parameters()]


def test_scalar_mlp_round_trip_through_nn_load(tmp_path):
    src = MLP(2, [5, 3], activation="relu", output_activation="softmax", seed=3)
    path = nn.save(src, tmp_path / "mlp.npz")
    dst = nn.load(path, MLP(2, [5, 3], activation="relu", output_activation="softmax", seed=4))
    assert all(p.data == q.data for p, q in zip(src.parameters(), dst.parameters()))
    assert [v.data for v in src([0.3, -0.7])] == [v.data for v in dst([0.3, -0.7])]


def test_file_is_plain_npz_with_a_format_entry_at_exactly_the_given_path(tmp_path):
    path = tmp_path / "weights"  # no .npz suffix appended behind the user's back
    MLP(2, [1], seed=0).save(path)
    assert os.listdir(tmp_path) == ["weights"]  # and no temporary file left over
    with np.load(path, allow_pickle=False) as z:
        assert str(z["__format__"]) == nn.FORMAT_TAG == "autodiff-nn-1"
        assert str(z["__model__"]) == "MLP(2 → 1, output=linear)"
        assert set(z.files) == {"__format__", "__model__", "layers.0.neurons.0.w.0",
                                "layers.0.neurons.0.w.1", "layers.0.neurons.0.b"}


def test_nn_load_without_a_model_returns_the_state_dict(tmp_path):
    net = MLP(2, [2], seed=0)
    state = nn.load(net.save(tmp_path / "m.npz"))
    assert set(state) == set(net.state_dict()) and not any(k.startswith("__") for k in state)


def test_missing_file_names_the_path(tmp_path):
    net = Net()
    with pytest.raises(FileNotFoundError, match="nowhere.npz"):
        net.load(tmp_path / "nowhere.npz")


@pytest.mark.parametrize("cut", [0, 10, 100, 0.5, -30])
def test_truncated_file_is_a_clear_error_and_the_model_is_untouched(tmp_path, cut):
    path = _trained_like_net().save(tmp_path / "m.npz")
    raw = path.read_bytes()
    n = int(len(raw) * cut) if isinstance(cut, float) else cut
    path.write_bytes(raw[:n])
    net = Net()
    before = _snapshot(net)
    with pytest.raises(ModelFileError, match="not a complete .npz"):
        net.load(path)
    assert _unchanged(net, before)


def test_corrupt_member_is_a_clear_error(tmp_path):
    path = MLP(2, [3], seed=0).save(tmp_path / "m.npz")
    raw = bytearray(path.read_bytes())
    at = raw.index(b"\x93NUMPY") + 128 + 3  # inside the first array's data (after its 128-byte header)
    raw[at] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(ModelFileError, match="corrupt"):
        nn.load(path)


def test_text_and_pickle_files_are_refused(tmp_path):
    text = tmp_path / "notes.npz"
    text.write_text("hello, I am not a model")
    with pytest.raises(ModelFileError):
        nn.load(text)
    pickled = tmp_path / "evil.npz"
    np.savez(pickled, **{"__format__": np.array("autodiff-nn-1"), "a": np.array([{"x": 1}], dtype=object)})
    net = Net()
    before = _snapshot(net)
    with pytest.raises(ModelFileError, match="pickle"):
        net.load(pickled)
    assert _unchanged(net, before)


def test_a_single_npy_array_is_refused(tmp_path):
    path = tmp_path / "one.npy"
    np.save(path, np.zeros(3))
    with pytest.raises(ModelFileError, match=r"single array \(.npy\)"):
        nn.load(path)


def test_foreign_npz_names_what_is_missing(tmp_path):
    path = tmp_path / "foreign.npz"
    np.savez(path, weights=np.zeros(3), bias=np.zeros(1))
    net = Net()
    before = _snapshot(net)
    with pytest.raises(ModelFileError, match=r"no '__format__' entry \(it holds 'bias', 'weights'\)"):
        net.load(path)
    assert _unchanged(net, before)


@pytest.mark.parametrize("tag, match", [("other-format-1", "expected 'autodiff-nn-1'"),
                                        ("autodiff-nn-2", "newer than this library reads")])
def test_wrong_or_newer_format_tags(tmp_path, tag, match):
    path = tmp_path / "m.npz"
    np.savez(path, __format__=np.array(tag), a=np.array(1.0))
    with pytest.raises(ModelFileError, match=match):
        nn.load(path)


def test_a_file_of_another_architecture_is_named_and_the_model_untouched(tmp_path):
    path = MLP(2, [4, 1], activation="tanh", output_activation="sigmoid", seed=0).save(tmp_path / "m.npz")
    other = MLP(2, [3, 1], seed=1)
    before = _snapshot(other)
    with pytest.raises(StateDictError, match=r"saved from MLP\(2 → 4 → 1, activation=tanh, output=sigmoid\)"
                                             r".*unexpected keys.*'layers.0.neurons.3.w.0'"):
        other.load(path)
    assert _unchanged(other, before)


def test_a_file_with_a_wrong_shape_names_key_and_shapes(tmp_path):
    src = Net()
    src.running = np.zeros(5)
    path = src.save(tmp_path / "m.npz")
    net = Net()
    before = _snapshot(net)
    with pytest.raises(ShapeError, match=r"'running': the model has shape \(3,\), the state has shape \(5,\)"):
        nn.load(path, net)
    assert _unchanged(net, before)


def test_save_refuses_non_numeric_state_and_leaves_no_file(tmp_path):
    with pytest.raises(StateDictError, match="numbers"):
        nn.save({"a": np.array(["x"])}, tmp_path / "m.npz")
    assert os.listdir(tmp_path) == []


def test_saved_file_is_a_zip_of_npy_members(tmp_path):
    path = MLP(1, [1], seed=0).save(tmp_path / "m.npz")
    with zipfile.ZipFile(path) as zf:
        assert all(name.endswith(".npy") for name in zf.namelist())


# --- repr ---------------------------------------------------------------------------------------------------
def test_repr_shows_the_architecture():
    assert repr(MLP(2, [4, 1], activation="tanh", output_activation="sigmoid")) == \
        "MLP(2 → 4 → 1, activation=tanh, output=sigmoid)"
    assert repr(Unit(1.0)) == "Unit()"
    assert repr(Net()) == "Net(\n  (first): Unit()\n  (nested.1.0): Unit()\n)"

    class Wrapper(Module):
        def __init__(self):
            self.body = MLP(3, [2])

        def extra_repr(self):
            return "wraps an MLP"

    assert repr(Wrapper()) == "Wrapper(\n  wraps an MLP\n  (body): MLP(3 → 2, output=linear)\n)"


# --- Tensor parameters (the Tensor node) ---------------------------------------------------------------------
@needs_tensor
def test_frozen_tensors_stay_parameters_and_are_saved():
    class Affine(Module):
        def __init__(self):
            self.W = Tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
            self.b = Tensor(np.zeros(2), requires_grad=True)
            self.frozen = Tensor(np.ones(2))  # requires_grad=False: a frozen parameter (as PyTorch)
            self.register_buffer("running_mean", np.zeros(2))

        def forward(self, x):
            return x @ self.W + self.b * self.frozen

    m = Affine()
    assert [n for n, _ in m.named_parameters()] == ["W", "b", "frozen"]
    assert m.num_parameters() == 10
    m(Tensor(np.ones((4, 3)))).sum().backward()
    assert m.W.grad is not None and m.frozen.grad is None
    m.zero_grad()
    assert m.W.grad is None and m.b.grad is None
    state = m.state_dict()
    assert list(state) == ["W", "b", "frozen", "running_mean"]
    state["W"][0, 0] = 100.0
    assert m.W.data[0, 0] == 0.0


@needs_tensor
def test_tensor_model_round_trip_bit_for_bit_and_shape_errors(tmp_path):
    class Affine(Module):
        def __init__(self, nin, nout, seed):
            rng = np.random.default_rng(seed)
            self.W = Tensor(rng.normal(size=(nin, nout)), requires_grad=True)
            self.b = Tensor(rng.normal(size=nout), requires_grad=True)
            self.register_buffer("stats", Tensor(rng.normal(size=nout)))

    src = Affine(3, 2, seed=0)
    path = src.save(tmp_path / "affine.npz")
    dst = Affine(3, 2, seed=1)
    W_before = dst.W
    dst.load(path)
    assert dst.W is W_before  # the same parameter objects (an optimizer holding them still works)
    for k, v in src.state_dict().items():
        assert v.tobytes() == dst.state_dict()[k].tobytes()
    wrong = Affine(4, 2, seed=2)
    before = _snapshot(wrong)
    with pytest.raises(ShapeError, match=r"'W': the model has shape \(4, 2\), the state has shape \(3, 2\)"):
        wrong.load(path)
    assert _unchanged(wrong, before)
