"""The PyTorch bridge (nn.torch_bridge): a model exported with to_torch, or imported with
from_torch, computes the same outputs and the same gradients — w.r.t. the input and every
parameter, after backward of a scalar loss — to 1e-12 in float64, layer by layer and for a
digits-sized MLP; round trips ours → torch → ours and torch → ours → torch keep every number."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import nn
from autodiff import Tensor
from nn.torch_bridge import UnsupportedModuleError, from_torch, to_torch

ROOT = Path(__file__).resolve().parent.parent
TOL = {"rtol": 1e-12, "atol": 1e-12}


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def batch(n: int = 6, d: int = 5, seed: int = 0) -> np.ndarray:
    """Random rows with the kinks in them: exact zeros (relu, leaky_relu, elu) and 0.3 (Step(0.3))."""
    x = np.random.default_rng(seed).normal(size=(n, d))
    x[0, :3] = 0.0
    x[1, 0] = 0.3
    return x


def randomize(model: nn.Module, seed: int = 1) -> nn.Module:
    """Every parameter and BatchNorm statistic random (a fresh BatchNorm's γ = 1, β = 0 would hide
    a swapped pair); running variances positive."""
    rng = np.random.default_rng(seed)
    for p in model.parameters():
        p.data = rng.normal(size=p.shape)
    for m in model.modules():
        if isinstance(m, nn.BatchNorm1d):
            m.running_mean = rng.normal(size=m.num_features)
            m.running_var = rng.uniform(0.5, 2.0, size=m.num_features)
    return model


def torch_arrays(module) -> list[np.ndarray]:
    return [p.detach().numpy() for p in module.parameters()]


def our_arrays(model: nn.Module) -> list[np.ndarray]:
    """Our parameters in torch's layout: a Linear's W (in, out) is torch's weight (out, in) transposed."""
    return [p.data.T if p.data.ndim == 2 else p.data for p in model.parameters()]


def assert_same_computation(ours: nn.Module, theirs, x: np.ndarray, loss=None) -> None:
    """Forward x through both, backward a scalar loss (default: Σ out ⊙ R for a random R), and
    compare outputs, ∂loss/∂x, every parameter's gradient and every running statistic."""
    torch = sys.modules["torch"]
    X, xt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, out_t = ours(X), theirs(xt)
    np.testing.assert_allclose(out.data, out_t.detach().numpy(), **TOL)
    if loss is None:
        R = np.random.default_rng(2).normal(size=out.shape)
        (out * R).sum().backward()
        (out_t * torch.tensor(R)).sum().backward()
    else:
        loss(out, "ours").backward()
        loss(out_t, "torch").backward()
    np.testing.assert_allclose(X.grad, xt.grad.numpy(), **TOL)
    ours_p, theirs_p = list(ours.parameters()), list(theirs.parameters())
    assert len(ours_p) == len(theirs_p)
    for p, q in zip(ours_p, theirs_p):
        g = q.grad.numpy()
        np.testing.assert_allclose(p.grad, g.T if g.ndim == 2 else g, **TOL)
    ours_b = [np.asarray(b) for _, b in ours.named_buffers()]
    theirs_b = [b.numpy() for name, b in theirs.named_buffers() if not name.endswith("num_batches_tracked")]
    assert len(ours_b) == len(theirs_b)
    for b, c in zip(ours_b, theirs_b):
        np.testing.assert_allclose(b, c, **TOL)


# --- every supported layer, both directions -----------------------------------------------------------
LAYERS = {
    "Linear": lambda: nn.Linear(5, 4),
    "Linear without bias": lambda: nn.Linear(5, 4, bias=False),
    "Sigmoid": nn.Sigmoid,
    "Tanh": nn.Tanh,
    "ReLU": nn.ReLU,
    "LeakyReLU(0.2)": lambda: nn.LeakyReLU(0.2),
    "ELU(0.7)": lambda: nn.ELU(0.7),
    "Identity": nn.Identity,
    "LinearActivation(1)": lambda: nn.LinearActivation(1.0),
    "LinearActivation(-2.5)": lambda: nn.LinearActivation(-2.5),
    "Step(0.3)": lambda: nn.Step(0.3),
    "Step(0)": nn.Step,
    "Softmax": nn.Softmax,
    "Softmax(axis=0)": lambda: nn.Softmax(axis=0),
    "LogSoftmax": nn.LogSoftmax,
    "LogSoftmax(axis=0)": lambda: nn.LogSoftmax(axis=0),
    "BatchNorm1d training": lambda: nn.BatchNorm1d(5),
    "BatchNorm1d eval": lambda: nn.BatchNorm1d(5).eval(),
    "BatchNorm1d affine=False": lambda: nn.BatchNorm1d(5, eps=1e-3, momentum=0.3, affine=False),
    "Dropout eval": lambda: nn.Dropout(0.3).eval(),
    "Dropout p=0 training": lambda: nn.Dropout(0.0),
}


@pytest.mark.parametrize("name", LAYERS)
def test_exported_layer_gives_the_same_outputs_gradients_and_running_statistics(torch, name):
    ours = randomize(LAYERS[name]())
    theirs = to_torch(ours)
    assert theirs.training == ours.training
    assert all(p.dtype == torch.float64 for p in theirs.parameters())
    assert_same_computation(ours, theirs, batch())


@pytest.mark.parametrize("name", LAYERS)
def test_round_trip_ours_torch_ours_keeps_every_number_and_the_mode(torch, name):
    ours = randomize(LAYERS[name]())
    back = from_torch(to_torch(ours))
    assert back.training == ours.training
    assert type(back) is (nn.Identity if name == "LinearActivation(1)" else type(ours))
    assert repr(back) == repr(ours).replace("LinearActivation()", "Identity()")
    state, back_state = ours.state_dict(), back.state_dict()
    assert list(state) == list(back_state)
    for key in state:
        np.testing.assert_array_equal(back_state[key], state[key])
    assert_same_computation(back, to_torch(ours), batch())


def torch_layers(torch) -> dict:
    t = torch.nn
    return {
        "Linear (float32)": lambda: t.Linear(5, 4),
        "Linear without bias": lambda: t.Linear(5, 4, bias=False, dtype=torch.float64),
        "Sigmoid": t.Sigmoid, "Tanh": t.Tanh, "ReLU": t.ReLU, "ReLU(inplace)": lambda: t.Sequential(t.Linear(5, 4), t.ReLU(inplace=True)),
        "LeakyReLU(0.2)": lambda: t.LeakyReLU(0.2), "ELU(0.7)": lambda: t.ELU(0.7), "Identity": t.Identity,
        "Softmax(dim=1)": lambda: t.Softmax(dim=1), "LogSoftmax(dim=-1)": lambda: t.LogSoftmax(dim=-1),
        "BatchNorm1d": lambda: t.BatchNorm1d(5, momentum=0.25),
        "BatchNorm1d eval": lambda: t.BatchNorm1d(5).eval(),
        "BatchNorm1d affine=False": lambda: t.BatchNorm1d(5, affine=False),
        "Dropout eval": lambda: t.Dropout(0.4).eval(),
    }


TORCH_LAYER_NAMES = ["Linear (float32)", "Linear without bias", "Sigmoid", "Tanh", "ReLU", "ReLU(inplace)",
                     "LeakyReLU(0.2)", "ELU(0.7)", "Identity", "Softmax(dim=1)", "LogSoftmax(dim=-1)",
                     "BatchNorm1d", "BatchNorm1d eval", "BatchNorm1d affine=False", "Dropout eval"]


def randomize_torch(module, torch, seed: int = 3):
    torch.manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn_like(p))
        for name, b in module.named_buffers():
            if name.endswith("running_mean"):
                b.copy_(torch.randn_like(b))
            elif name.endswith("running_var"):
                b.copy_(torch.rand_like(b) + 0.5)
    return module


def test_the_torch_layer_table_lists_every_name(torch):
    assert list(torch_layers(torch)) == TORCH_LAYER_NAMES


@pytest.mark.parametrize("name", TORCH_LAYER_NAMES)
def test_imported_layer_gives_the_same_outputs_and_gradients(torch, name):
    theirs = randomize_torch(torch_layers(torch)[name](), torch)
    ours = from_torch(theirs)
    assert ours.training == theirs.training
    # torch's float32 weights become float64 exactly; compare with the float64 copy
    assert_same_computation(ours, theirs.double(), batch())


@pytest.mark.parametrize("name", TORCH_LAYER_NAMES)
def test_round_trip_torch_ours_torch_keeps_every_number_and_the_mode(torch, name):
    theirs = randomize_torch(torch_layers(torch)[name](), torch).double()
    again = to_torch(from_torch(theirs))
    assert type(again) is type(theirs) and again.training == theirs.training
    assert repr(again).replace("inplace=True", "") == repr(theirs).replace("inplace=True", "")
    state, again_state = theirs.state_dict(), again.state_dict()
    assert list(state) == list(again_state)
    for key in state:
        if not key.endswith("num_batches_tracked"):
            assert torch.equal(state[key], again_state[key]), key


def test_linear_weight_is_w_transposed_and_float32_imports_exactly(torch):
    ours = nn.Linear(3, 2, seed=0)
    theirs = to_torch(ours)
    assert tuple(theirs.weight.shape) == (2, 3)
    np.testing.assert_array_equal(theirs.weight.detach().numpy(), ours.W.data.T)
    single = torch.nn.Linear(3, 2)  # float32
    back = from_torch(single)
    assert back.W.data.dtype == np.float64 and back.W.shape == (3, 2)
    np.testing.assert_array_equal(back.W.data, single.weight.detach().double().numpy().T)
    assert back.W.data.flags["C_CONTIGUOUS"]


# --- the digits-sized MLP, and TensorMLP with each activation --------------------------------------------
def cross_entropy(labels):
    def loss(out, side):
        if side == "ours":
            return nn.cross_entropy_with_logits(out, labels)
        torch = sys.modules["torch"]
        return torch.nn.functional.cross_entropy(out, torch.tensor(labels))
    return loss


def test_digits_mlp_64_100_30_10_leaky_relu_agrees_both_ways(torch):
    X, y = nn.digits()
    x = nn.standardize(X)(X)[:64]
    ours = nn.TensorMLP(64, [100, 30, 10], activation="leaky_relu", seed=0)
    theirs = to_torch(ours)
    assert [type(m).__name__ for m in theirs] == ["Linear", "LeakyReLU"] * 2 + ["Linear"]
    assert_same_computation(ours, theirs, x, loss=cross_entropy(y[:64]))
    back = from_torch(theirs)
    assert type(back) is nn.Sequential and len(back) == 5
    for a, b in zip(our_arrays(back), our_arrays(ours)):
        np.testing.assert_array_equal(a, b)
    assert_same_computation(back, to_torch(back), x, loss=cross_entropy(y[:64]))


ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "identity", "linear", "softmax", "log_softmax"]


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_tensor_mlp_with_each_activation_agrees(torch, activation):
    ours = nn.TensorMLP(5, [7, 6, 3], activation=activation, output_activation=activation, seed=1)
    assert_same_computation(ours, to_torch(ours), batch())


@pytest.mark.parametrize("module", [nn.LeakyReLU(0.3), nn.ELU(0.5), nn.LinearActivation(0.5)],
                         ids=["leaky_relu(0.3)", "elu(0.5)", "linear(k=0.5)"])
def test_tensor_mlp_with_a_parametrised_activation_module_agrees(torch, module):
    ours = nn.TensorMLP(5, [7, 6, 3], activation=module, output_activation=nn.Step(0.1), seed=2)
    theirs = to_torch(ours)
    assert theirs[1] is theirs[3]  # TensorMLP reuses the module it was given: shared, as in ours
    assert_same_computation(ours, theirs, batch())


@pytest.mark.parametrize("training", [True, False], ids=["training", "eval"])
def test_tensor_mlp_with_batchnorm_agrees_in_both_modes(torch, training):
    ours = randomize(nn.TensorMLP(5, [8, 8, 2], activation="relu", batchnorm=True, seed=3)).train(training)
    theirs = to_torch(ours)
    assert [type(m).__name__ for m in theirs][:3] == ["Linear", "BatchNorm1d", "ReLU"]
    assert_same_computation(ours, theirs, batch())   # in training: batch statistics and running updates


def test_tensor_mlp_with_dropout_agrees_in_eval_mode(torch):
    ours = nn.TensorMLP(5, [8, 8, 2], activation="tanh", dropout=0.5, seed=4).eval()
    theirs = to_torch(ours)
    assert [type(m).__name__ for m in theirs][:3] == ["Linear", "Tanh", "Dropout"]
    assert_same_computation(ours, theirs, batch())


# --- modes, sharing, what cannot match ---------------------------------------------------------------
def test_train_and_eval_mode_is_kept_module_by_module(torch):
    ours = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Dropout(0.5), nn.Linear(4, 2)).eval()
    ours[2].train()
    theirs = to_torch(ours)
    assert [m.training for m in theirs.modules()] == [False, False, False, True, False]
    back = from_torch(theirs)
    assert [m.training for m in back.modules()] == [False, False, False, True, False]


def test_shared_layers_stay_shared_and_their_gradients_add_up(torch):
    lin = nn.Linear(3, 3, seed=0)
    ours = nn.Sequential(lin, nn.Tanh(), lin)
    theirs = to_torch(ours)
    assert theirs[0] is theirs[2] and len(list(theirs.parameters())) == 2
    assert_same_computation(ours, theirs, batch(d=3))
    back = from_torch(theirs)
    assert back[0] is back[2]


def test_frozen_parameters_stay_frozen(torch):
    ours = nn.Linear(3, 2, seed=0)
    ours.W.requires_grad = False
    theirs = to_torch(ours)
    assert not theirs.weight.requires_grad and theirs.bias.requires_grad
    back = from_torch(theirs)
    assert not back.W.requires_grad and back.b.requires_grad


def test_dropout_keeps_p_but_its_masks_cannot_match(torch):
    x = np.ones((200, 10))
    ours = nn.Dropout(0.25, seed=0)
    theirs = to_torch(ours)
    assert theirs.p == 0.25 and from_torch(theirs).p == 0.25
    # each library draws its own masks: only what a mask can produce agrees, 0 or x/(1 − p)
    for out in (ours(Tensor(x)).data, theirs(torch.tensor(x)).numpy()):
        assert set(np.unique(out)) == {0.0, 1.0 / 0.75}


def test_export_draws_nothing_from_torchs_global_generator(torch):
    torch.manual_seed(0)
    expected = torch.rand(3)
    torch.manual_seed(0)
    to_torch(nn.TensorMLP(4, [5, 2], seed=0))
    assert torch.equal(torch.rand(3), expected)


def test_exported_step_and_scaling_modules_are_found_by_name_for_pickling(torch):
    import nn.torch_bridge as bridge
    step, scale = to_torch(nn.Step(0.5)), to_torch(nn.LinearActivation(3.0))
    assert type(step) is bridge.TorchStep and type(scale) is bridge.TorchLinearActivation
    assert repr(step) == "TorchStep(k=0.5)"
    torch.save(step, io.BytesIO())  # a torch user's torch.save(module) finds nn.torch_bridge.TorchStep


# --- errors --------------------------------------------------------------------------------------------
def test_unsupported_torch_module_is_named_with_the_supported_list(torch):
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.GELU())
    with pytest.raises(UnsupportedModuleError, match=r"model\[1\] \(torch\.nn\.GELU\)") as err:
        from_torch(model)
    assert "torch.nn.Linear" in str(err.value) and "torch.nn.BatchNorm1d" in str(err.value)
    assert isinstance(err.value, TypeError)


def test_torch_subclass_of_a_supported_module_is_refused(torch):
    class MyLinear(torch.nn.Linear):
        def forward(self, x):
            return 2 * super().forward(x)

    with pytest.raises(UnsupportedModuleError, match="MyLinear"):
        from_torch(MyLinear(2, 2))


@pytest.mark.parametrize("module, message", [
    (lambda t: t.nn.BatchNorm1d(3, momentum=None), "momentum=None"),
    (lambda t: t.nn.BatchNorm1d(3, track_running_stats=False), "track_running_stats=False"),
    (lambda t: t.nn.Softmax(), "give dim= explicitly"),
], ids=["cumulative average", "no running stats", "softmax without dim"])
def test_torch_settings_without_a_counterpart_raise(torch, module, message):
    with pytest.raises(ValueError, match=message):
        from_torch(module(torch))


@pytest.mark.parametrize("model, message", [
    (lambda: nn.MLP(2, [3, 1]), "nn.TensorMLP"),
    (lambda: nn.Sequential(nn.Linear(2, 2), nn.Activation(np.tanh)), r"model\[1\] \(Activation\(tanh\)\)"),
    (lambda: nn.Sequential(nn.Linear(2, 2), lambda x: x.tanh()), r"model\[1\] \(the plain function"),
], ids=["scalar MLP", "custom activation", "plain function"])
def test_models_without_a_torch_counterpart_raise_naming_the_layer(torch, model, message):
    with pytest.raises(UnsupportedModuleError, match=message) as err:
        to_torch(model())
    assert "The bridge exports Sequential, TensorMLP, Linear" in str(err.value)


def test_each_side_refuses_the_other_sides_model(torch):
    with pytest.raises(TypeError, match="already a torch module"):
        to_torch(torch.nn.Linear(2, 2))
    with pytest.raises(TypeError, match="to_torch exports one of ours"):
        from_torch(nn.Linear(2, 2))


# --- torch is optional -------------------------------------------------------------------------------------
def test_import_nn_does_not_import_torch():
    code = "import sys, nn, nn.torch_bridge; assert 'torch' not in sys.modules, 'torch was imported'"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_without_torch_the_bridge_names_the_install_command(monkeypatch):
    import nn.torch_bridge as bridge
    monkeypatch.setitem(sys.modules, "torch", None)   # what `import torch` sees when it is missing
    for call in (lambda: to_torch(nn.Linear(2, 2)), lambda: from_torch(object()), lambda: bridge.TorchStep):
        with pytest.raises(ImportError, match="pip install torch"):
            call()


def test_readme_section_runs(torch, tmp_path, monkeypatch):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## From and to PyTorch", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```py\n(.*?)```", section, re.S)
    assert blocks
    monkeypatch.chdir(tmp_path)
    for block in blocks:
        exec(compile(block, "README: From and to PyTorch", "exec"), {})
