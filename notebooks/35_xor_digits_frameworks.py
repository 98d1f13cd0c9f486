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
# # XOR without and with a hidden layer, the digits network, and the same nets in other frameworks
#
# **Lecture notes:** *Advanced machine learning and data analysis for the physical sciences, third
# week* (M. Hjorth-Jensen, seed file `003_70b1d3cf22e7eb32.txt`): *Testing the XOR gate and other
# gates*, *Multiclass classification* (the digits network 64-100-30-10), *Hidden layers* (one
# hidden layer vs two), *Building neural networks in Tensorflow and Keras*, *Collect and
# pre-process data*, and *And using PyTorch*.
#
# The notes' FFNN class is not printed (only its imports), so its calls are rebuilt from the
# settings they show: the library's layers replace the class, autodiff replaces its hand-coded
# backward, and every gradient is checked against the back-propagation equations by hand.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np

import nn
from autodiff import Tensor


def sig(z):
    return 1 / (1 + np.exp(-z))


# %% [markdown]
# ## Testing the XOR gate without a hidden layer, as the notes run it
#
# The notes' set-up: X = [[0, 0], [0, 1], [1, 0], [1, 1]], yXOR = [[0], [1], [1], [0]];
# `FFNN((input_nodes, output_nodes), output_func=si…` — two inputs straight to one sigmoid output,
# no hidden layer, i.e. logistic regression; the cost for a sigmoid output is the notes' CostLogReg
# (binary cross-entropy); `Adam(eta=1e-1, rho=0.9, rho2=0.999)`; `fit(X, yXOR, scheduler,
# epochs=1000)` on the whole set at once, resetting the scheduler after each epoch as the course's
# `FFNN.fit()` does (not printed in these notes). Weights start N(0, 1) (seeded).
#
# By hand, for p = σ(Xw + b) and C = −(1/4)Σ[y log p + (1 − y) log(1 − p)]:
# ∂C/∂w = (1/4)Xᵀ(p − y), ∂C/∂b = (1/4)Σ(p − y).

# %%
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
yXOR = np.array([[0], [1], [1], [0]])
input_nodes, output_nodes = X.shape[1], 1


def logistic_regression(seed):
    return nn.Linear(input_nodes, output_nodes, init="normal", bias_init="normal", seed=seed)


model = logistic_regression(seed=0)
p_t = model(Tensor(X)).sigmoid()
nn.binary_cross_entropy(p_t, yXOR).backward()
p = sig(X @ model.W.data + model.b.data)
assert np.abs(model.W.grad - X.T @ (p - yXOR) / 4).max() < 1e-15
assert np.abs(model.b.grad - (p - yXOR).sum(axis=0) / 4).max() < 1e-15
print("∂C/∂w and ∂C/∂b at the start: by hand = autodiff (1e-15)")


def fit_xor(model, eta=1e-1, epochs=1000, reset_each_epoch=True):
    scheduler = nn.Adam(model.parameters(), lr=eta, rho=0.9, rho2=0.999)
    for _ in range(epochs):
        scheduler.zero_grad()
        cost = nn.binary_cross_entropy(model(Tensor(X)).sigmoid(), yXOR)
        cost.backward()
        scheduler.step()
        if reset_each_epoch:
            scheduler.reset()
    p = model(Tensor(X)).sigmoid().data
    return p, float(((p > 0.5) == yXOR).mean()), nn.binary_cross_entropy(p, yXOR).item()


p, acc, cost = fit_xor(model)
print("after 1000 epochs: outputs", np.round(p.ravel(), 3), f" accuracy {acc:.0%}  cost {cost:.4f}")
print("weights", np.round(model.W.data.ravel(), 3), "bias", np.round(model.b.data, 3))

# %% [markdown]
# ### Erratum: "Not bad, but the results depend strongly on the learning rate" — no learning rate can fix XOR without a hidden layer
#
# A network without a hidden layer draws one straight line σ(w₁x₁ + w₂x₂ + b) = ½ through the
# plane, and XOR's two classes cannot be separated by a line. By hand: the output is above ½
# exactly when w₁x₁ + w₂x₂ + b > 0; XOR needs b < 0 (for (0, 0)), w₁ + b > 0 and w₂ + b > 0 (for
# (1, 0), (0, 1)), and w₁ + w₂ + b < 0 (for (1, 1)); adding the middle two gives w₁ + w₂ + 2b > 0,
# so w₁ + w₂ + b > −b > 0, a contradiction. At most 3 of the 4 points can be right (75 %).
#
# Worse, for the cross-entropy the best such model is the useless one: at w = 0, b = 0 every output
# is ½ and the gradient (1/4)Xᵀ(p − y) = (1/4)[(−½ + ½), (−½ + ½)] and (1/4)Σ(p − y) vanish;
# the cost is convex, so C ≥ log 2 ≈ 0.693 for every w, b. Training can only approach "½ for every
# input", and the 25 %, 50 % or 75 % "accuracy" is the rounding of numbers near ½. Four learning
# rates and two starting points, each run as the notes do and with Adam proper (no reset):

# %%
results = []
for eta in (1e-3, 1e-2, 1e-1, 1.0):
    for seed in (0, 1):
        for reset in (True, False):
            p, acc, cost = fit_xor(logistic_regression(seed), eta=eta, reset_each_epoch=reset)
            results.append((eta, seed, reset, acc, cost, np.abs(p - 0.5).max()))
print(f"{'η':>6} {'seed':>4} {'reset':>6} {'accuracy':>9} {'cost':>8} {'max |p − ½|':>12}")
for eta, seed, reset, acc, cost, dev in results:
    print(f"{eta:>6g} {seed:>4} {str(reset):>6} {acc:>9.0%} {cost:>8.4f} {dev:>12.3f}")

zero = logistic_regression(0)
zero.W.data[:], zero.b.data[:] = 0.0, 0.0
nn.binary_cross_entropy(zero(Tensor(X)).sigmoid(), yXOR).backward()
assert np.abs(zero.W.grad).max() == 0 and np.abs(zero.b.grad).max() == 0     # w = 0, b = 0 is the optimum
assert all(acc <= 0.75 for *_, acc, _, _ in results)
assert all(cost >= np.log(2) - 1e-12 for *_, cost, _ in results)
print(f"\nno run beats 75 %, no cost is below log 2 = {np.log(2):.4f}")

# %% [markdown]
# The learning rate changes only *how* the outputs hover around ½ (with the notes' reset after
# every epoch, Adam moves each weight by about η per step whatever the gradient, see notebook 34, so
# at η = 1 the weights jump around instead of settling); it cannot change what a single layer can
# represent. The other gates are a different story: AND and OR are separable by a line, and the
# same network learns them exactly.

# %%
for name, target in (("AND", np.array([[0], [0], [0], [1]])), ("OR", np.array([[0], [1], [1], [1]]))):
    gate = logistic_regression(0)
    optimizer = nn.Adam(gate.parameters(), lr=0.1)
    for _ in range(1000):
        optimizer.zero_grad()
        nn.binary_cross_entropy(gate(Tensor(X)).sigmoid(), target).backward()
        optimizer.step()
    p = gate(Tensor(X)).sigmoid().data
    acc = float(((p > 0.5) == target).mean())
    print(f"{name}: outputs {np.round(p.ravel(), 3)}  accuracy {acc:.0%}")
    assert acc == 1.0

# %% [markdown]
# ## XOR with one hidden layer
#
# Two inputs → 4 hidden tanh units → 1 sigmoid output, same cost, same Adam (η = 0.1, without the
# per-step reset), 1000 epochs. Before training, the gradient by hand for the hidden layer:
# δ_out = (p − y)/4, ∂C/∂W₂ = Hᵀδ_out, δ_h = δ_out W₂ᵀ ∘ (1 − H²), ∂C/∂W₁ = Xᵀδ_h.

# %%
xor_net = nn.TensorMLP(2, [4, 1], activation="tanh", output_activation="sigmoid", seed=0)
hidden_layer, output_layer = xor_net[0], xor_net[2]
nn.binary_cross_entropy(xor_net(Tensor(X)), yXOR).backward()
H = np.tanh(X @ hidden_layer.W.data + hidden_layer.b.data)
p = sig(H @ output_layer.W.data + output_layer.b.data)
d_out = (p - yXOR) / 4
d_hidden = (d_out @ output_layer.W.data.T) * (1 - H**2)
for name, hand, auto in [("∂C/∂W2", H.T @ d_out, output_layer.W.grad), ("∂C/∂b2", d_out.sum(0), output_layer.b.grad),
                         ("∂C/∂W1", X.T @ d_hidden, hidden_layer.W.grad), ("∂C/∂b1", d_hidden.sum(0), hidden_layer.b.grad)]:
    assert np.abs(hand - auto).max() < 1e-15, name
print("all four gradients: by hand = autodiff (1e-15)")

optimizer = nn.Adam(xor_net.parameters(), lr=0.1, rho=0.9, rho2=0.999)
costs = []
for _ in range(1000):
    optimizer.zero_grad()
    cost = nn.binary_cross_entropy(xor_net(Tensor(X)), yXOR)
    cost.backward()
    optimizer.step()
    costs.append(cost.item())
p = xor_net(Tensor(X)).data
acc = float(((p > 0.5) == yXOR).mean())
print("outputs", ", ".join(f"{v:.4f}" for v in p.ravel()), f" accuracy {acc:.0%}, cost {costs[-1]:.1e}")
assert acc == 1.0 and costs[-1] < 0.01

# %%
grid = np.linspace(-0.25, 1.25, 151)
gx, gy = np.meshgrid(grid, grid)
points = np.column_stack([gx.ravel(), gy.ravel()])
no_hidden = logistic_regression(0)
fit_xor(no_hidden)
fig, axes = plt.subplots(1, 2, figsize=(10, 4.2))
for ax, (title, f) in zip(axes, [("no hidden layer (the notes' run)", lambda P: no_hidden(Tensor(P)).sigmoid().data),
                                  ("one hidden layer of 4 tanh units", lambda P: xor_net(Tensor(P)).data)]):
    surface = f(points).reshape(gx.shape)
    im = ax.contourf(gx, gy, surface, levels=np.linspace(0, 1, 11), cmap="coolwarm", alpha=0.8)
    ax.contour(gx, gy, surface, levels=[0.5], colors="k")
    ax.scatter(X[:, 0], X[:, 1], c=yXOR.ravel(), cmap="coolwarm", edgecolors="k", s=120, vmin=0, vmax=1)
    ax.set_title(title)
    ax.set_xlabel("x₀")
axes[0].set_ylabel("x₁")
fig.colorbar(im, ax=axes, label="network output")
plt.show()

# %% [markdown]
# Left: the trained single layer outputs nearly ½ everywhere (between 0.5 and 0.6 on the whole
# square here, so the colours are washed out); wherever the last step left its line p = ½, a line
# cannot separate the classes. Right: the hidden layer bends the boundary around the two classes.

# %% [markdown]
# ## Multiclass classification: the digits and the notes' `onehot`
#
# The notes load scikit-learn's `load_digits()`; the library ships the same data (`nn.digits()`,
# read without scikit-learn). The notes' `onehot`, as printed, against `nn.one_hot`:

# %%
def onehot(target: np.ndarray):
    onehot = np.zeros((target.size, target.max() + 1))
    onehot[np.arange(target.size), target] = 1
    return onehot


X_digits, target = nn.digits()
assert np.array_equal(onehot(target), nn.one_hot(target))
print("X:", X_digits.shape, " target:", target.shape, " onehot(target):", onehot(target).shape,
      " first label", target[0], "→", onehot(target)[0].astype(int))

# %% [markdown]
# ### Erratum: these digits are not "the famous MNIST dataset"
#
# The notes say the multiclass example uses "the famous MNIST dataset", and the TensorFlow section
# says "download MNIST dataset" above `datasets.load_digits()`. `load_digits` is the UCI 8×8
# handwritten digits: 1 797 images of 8 × 8 pixels with 17 grey levels (0–16). MNIST has 70 000
# images of 28 × 28 pixels with 256 grey levels. (The notes' "above 98 % accuracy" for MNIST is a
# statement about a different, much larger data set.)

# %%
levels = np.unique(X_digits)
print(f"{len(X_digits)} images, {X_digits.shape[1]} = 8×8 pixels, grey levels {levels.min():.0f}..{levels.max():.0f} "
      f"({len(levels)} values);  MNIST: 70000 images, 784 = 28×28 pixels, 256 grey levels")
assert X_digits.shape == (1797, 64) and len(levels) == 17 and levels.max() == 16

# %% [markdown]
# ## Collect and pre-process data (the notes' TensorFlow section)
#
# The notes print `inputs = (n_inputs, pixel_width, pixel_height)` for `digits.images` and then
# flatten each image into a row of 64; `%matplotlib inline` and a 12 × 12 figure display examples.
# The same with the library's copy:

# %%
inputs = X_digits.reshape(-1, 8, 8)
labels = target
print("inputs = (n_inputs, pixel_width, pixel_height) = " + str(inputs.shape))
print("labels = (n_inputs) = " + str(labels.shape))
n_inputs = len(inputs)
flat = inputs.reshape(n_inputs, -1)
print("X = (n_inputs, n_features) = " + str(flat.shape))
assert np.array_equal(flat, X_digits)

draws = np.random.default_rng(0).choice(n_inputs, size=10, replace=False)
fig, axes = plt.subplots(2, 5, figsize=(8, 3.6))
for ax, i in zip(axes.ravel(), draws):
    ax.imshow(inputs[i], cmap=plt.cm.gray_r, interpolation="nearest")
    ax.set_title(f"Label: {labels[i]}")
    ax.axis("off")
plt.show()

# %% [markdown]
# ## The digits network 64-100-30-10
#
# The notes' `dims = (input_nodes, hidden_nodes1, hidden_nodes2, output_nodes) = (64, 100, 30, 10)`
# with `hidden_func=LRELU` (its listing is not printed; in the course's code a leaky ReLU with slope
# 10e-4 = 10⁻³ below zero), `output_func=softmax` and the cross-entropy cost. The training call is not printed; we use
# Adam (η = 10⁻³), minibatches of 32, 30 epochs, on 80 % of the digits (standardised with the
# training rows' means and standard deviations), and keep 20 % as a test set never trained on.
#
# First, backpropagation by hand through the three layers on one batch of 32, against autodiff
# (softmax + cross-entropy from logits: δ³ = (p − onehot)/N; leaky ReLU′ = 1 or 10⁻³):

# %%
(X_train, y_train), _, (X_test, y_test) = nn.train_val_test_split(X_digits, target, (0.8, 0.0, 0.2), seed=0)
scale = nn.standardize(X_train)
X_train, X_test = scale(X_train), scale(X_test)
dims = (64, 100, 30, 10)
multiclass = nn.TensorMLP(dims[0], list(dims[1:]), activation=nn.LeakyReLU(1e-3), seed=0)
print(multiclass)

Xb, yb = X_train[:32], y_train[:32]
nn.cross_entropy_with_logits(multiclass(Tensor(Xb)), yb).backward()
lins = [layer for layer in multiclass if isinstance(layer, nn.Linear)]
acts, zs = [Xb], []
for i, lin in enumerate(lins):
    zs.append(acts[-1] @ lin.W.data + lin.b.data)
    acts.append(np.where(zs[-1] > 0, zs[-1], 1e-3 * zs[-1]) if i < 2 else zs[-1])
p = np.exp(zs[-1] - zs[-1].max(axis=1, keepdims=True))
p /= p.sum(axis=1, keepdims=True)
delta = (p - np.eye(10)[yb]) / len(Xb)
for i in range(2, -1, -1):
    assert np.abs(acts[i].T @ delta - lins[i].W.grad).max() < 1e-12
    assert np.abs(delta.sum(axis=0) - lins[i].b.grad).max() < 1e-12
    delta = (delta @ lins[i].W.data.T) * np.where(zs[i - 1] > 0, 1.0, 1e-3) if i else None
print("∂C/∂W and ∂C/∂b of all three layers: by hand = autodiff (1e-12)")

# %%
history = nn.fit(multiclass, "cross_entropy_with_logits", nn.Adam(multiclass.parameters(), lr=1e-3),
                 X_train, y_train, epochs=30, batch_size=32, metrics=["accuracy"], progress=False, seed=0)
predicted = nn.predict(multiclass, X_test).argmax(axis=1)
test_accuracy = float((predicted == y_test).mean())
print(f"64-100-30-10: training accuracy {history['accuracy'][-1]:.1%}, test accuracy {test_accuracy:.1%} "
      f"({int((predicted != y_test).sum())} of {len(y_test)} test digits wrong)")
assert test_accuracy >= 0.97

# %%
confusion = np.zeros((10, 10), dtype=int)
np.add.at(confusion, (y_test, predicted), 1)
wrong = np.flatnonzero(predicted != y_test)[:6]
fig = plt.figure(figsize=(12, 4))
ax = fig.add_subplot(1, 2, 1)
ax.plot(history.epochs, history["loss"], "o-", ms=3)
ax.set_yscale("log")
ax.set_xlabel("epoch")
ax.set_ylabel("training cross-entropy")
ax = fig.add_subplot(1, 4, 3)
ax.imshow(confusion, cmap="Blues")
ax.set_xlabel("predicted")
ax.set_ylabel("true")
ax.set_title("test confusion matrix")
for k, i in enumerate(wrong):
    sub = fig.add_subplot(2, 12, 10 + k + (k >= 3) * 9)
    sub.imshow(scale.inverse_transform(X_test[i:i + 1]).reshape(8, 8), cmap=plt.cm.gray_r)
    sub.set_title(f"{y_test[i]}→{predicted[i]}", fontsize=8)
    sub.axis("off")
plt.show()

# %% [markdown]
# ## Hidden layers: one hidden layer or two, with the same number of neurons
#
# The notes: "you can easily get a high accuracy using just one hidden layer with a few hundred
# neurons. You can reach … above 98 % accuracy using two hidden layers with the same total amount of
# neurons, in roughly the same amount of training time." On the 8×8 digits, 130 hidden neurons
# either way, same data, optimizer and epochs:

# %%
one_layer = nn.TensorMLP(64, [130, 10], activation=nn.LeakyReLU(1e-3), seed=0)
nn.fit(one_layer, "cross_entropy_with_logits", nn.Adam(one_layer.parameters(), lr=1e-3), X_train, y_train,
       epochs=30, batch_size=32, progress=False, seed=0)
acc_one = float((nn.predict(one_layer, X_test).argmax(axis=1) == y_test).mean())
for name, net, acc in (("64-130-10", one_layer, acc_one), ("64-100-30-10", multiclass, test_accuracy)):
    print(f"{name:<13} {net.num_parameters():>6} parameters, test accuracy {acc:.1%}")
assert acc_one > 0.95 and abs(acc_one - test_accuracy) < 0.03

# %% [markdown]
# Both reach about 98 % here; the cost of an epoch is set by the number of weights (multiply-adds
# per sample), 9 760 against 9 840, so "roughly the same amount of training time" holds too.

# %% [markdown]
# ### Erratum: "in our previous example we used only one hidden layer, and in this we will use two"
#
# The TensorFlow section opens with this sentence, but the previous example, the multiclass FFNN,
# already has two hidden layers: `dims = (64, 100, 30, 10)`.

# %%
hidden_layers = len(dims) - 2
print(f"dims = {dims}: {hidden_layers} hidden layers")
assert hidden_layers == 2

# %% [markdown]
# ## And using PyTorch: the notes' NNClassifier
#
# The notes' PyTorch listing: 8 inputs → 12 (ReLU) → 8 (ReLU) → 1 (sigmoid), trained with the binary
# cross-entropy on `yourdata.csv` (a file the notes do not provide; the listing is also cut off in
# `forward`). The same network in the library and in PyTorch, with identical float64 weights
# (PyTorch stores `weight` as (out, in), the library's `W` as (in, out)), on a seeded stand-in data set
# of 8 features: outputs, loss and every gradient agree; then 50 steps of SGD with momentum in each agree too.

# %%
import torch  # noqa: E402
import torch.nn as tnn  # noqa: E402

torch.manual_seed(0)
data_rng = np.random.default_rng(5)
Xd = data_rng.normal(size=(200, 8))
yd = (Xd[:, 0] + Xd[:, 1] * Xd[:, 2] - 0.5 * Xd[:, 3] > 0).astype(np.float64).reshape(-1, 1)


class NNClassifier(tnn.Module):
    def __init__(self):
        super().__init__()
        self.hidden1 = tnn.Linear(8, 12)
        self.act1 = tnn.ReLU()
        self.hidden2 = tnn.Linear(12, 8)
        self.act2 = tnn.ReLU()
        self.output = tnn.Linear(8, 1)
        self.act_output = tnn.Sigmoid()

    def forward(self, x):
        x = self.act1(self.hidden1(x))
        x = self.act2(self.hidden2(x))
        x = self.act_output(self.output(x))
        return x


torch_model = NNClassifier().double()
ours = nn.Sequential(nn.Linear(8, 12), nn.ReLU(), nn.Linear(12, 8), nn.ReLU(), nn.Linear(8, 1), nn.Sigmoid())
for lin, tlin in zip([m for m in ours if isinstance(m, nn.Linear)], [torch_model.hidden1, torch_model.hidden2, torch_model.output]):
    lin.W.data[:] = tlin.weight.detach().numpy().T
    lin.b.data[:] = tlin.bias.detach().numpy()

loss_fn = tnn.BCELoss()
t_loss = loss_fn(torch_model(torch.from_numpy(Xd)), torch.from_numpy(yd))
t_loss.backward()
our_loss = nn.binary_cross_entropy(ours(Tensor(Xd)), yd)
our_loss.backward()
assert abs(t_loss.item() - our_loss.item()) < 1e-12
for lin, tlin in zip([m for m in ours if isinstance(m, nn.Linear)], [torch_model.hidden1, torch_model.hidden2, torch_model.output]):
    assert np.abs(lin.W.grad - tlin.weight.grad.numpy().T).max() < 1e-12
    assert np.abs(lin.b.grad - tlin.bias.grad.numpy()).max() < 1e-12
print(f"loss {our_loss.item():.6f}: the library = PyTorch; all 6 parameter gradients agree to 1e-12")

t_opt = torch.optim.SGD(torch_model.parameters(), lr=0.1, momentum=0.9)
our_opt = nn.SGD(ours.parameters(), lr=0.1, momentum=0.9)
t_curve, our_curve = [], []
for _ in range(50):
    t_opt.zero_grad()
    loss = loss_fn(torch_model(torch.from_numpy(Xd)), torch.from_numpy(yd))
    loss.backward()
    t_opt.step()
    t_curve.append(loss.item())
    our_opt.zero_grad()
    loss = nn.binary_cross_entropy(ours(Tensor(Xd)), yd)
    loss.backward()
    our_opt.step()
    our_curve.append(loss.item())
assert np.abs(np.array(t_curve) - np.array(our_curve)).max() < 1e-10
accuracy = float(((ours(Tensor(Xd)).data > 0.5) == yd).mean())
print(f"50 steps of SGD with momentum: loss {our_curve[0]:.4f} → {our_curve[-1]:.4f} in both (max difference below 1e-10); "
      f"training accuracy {accuracy:.1%}")
