"""nn: neural networks built from autodiff primitives (no hand-written gradients anywhere in it).

    >>> from nn import MLP, data
    >>> X, y = data.xor()
    >>> net = MLP(2, [4, 1], activation="tanh", output_activation="sigmoid", seed=0)
    >>> net
    MLP(2 → 4 → 1, activation=tanh, output=sigmoid)
    >>> 0.0 < net(X[0]).data < 1.0
    True

Modules: ``module`` (Module, save/load), ``scalar`` (Neuron, Layer, MLP over Values),
``layers`` (Linear, Sequential, TensorMLP, Dropout, BatchNorm1d, activation modules over Tensors),
``activations``, ``losses``, ``optim`` (and ``optim_state``: resuming), ``init`` (weight
initialisation), ``data`` (datasets, standardize, one_hot, split, batches), ``train`` (fit,
History, plot_history), ``checks`` (sizes, settings and names given by a user), ``rng`` (seeds, and
the global generator of ``autodiff.manual_seed``), ``hints`` (what PyTorch names are here),
``pictures`` (draw_network: a model as boxes per layer, as neurons and weights, or one layer op by
op) and ``network`` (what a model is made of, layer by layer, for those pictures).

Docstrings cite four lecture notes by their subject: *the notes on neural networks* (layers and
neurons, activation and error functions, back-propagation), *the introductory notes* (an
introduction to neural networks: activations built from their derivatives, a two-layer tanh
network fit to a noisy sine), *the deep-learning notes* (the mathematics of deep learning and
automatic differentiation, optimizers in code, XOR and the 8×8 digits) and *the notes on
backpropagation* (the neuron, forward propagation, gradient descent). Each docstring states its
formula, so none needs the notes to be read.
"""

from . import activations, data, hints, init, layers, losses, optim, train
from .activations import get_activation
from .data import (
    DataError,
    Standardizer,
    batches,
    digits,
    load_csv,
    moons,
    noisy_sine,
    one_hot,
    standardize,
    train_val_test_split,
    xor,
)
from .layers import (
    ELU,
    Activation,
    BatchNorm1d,
    Dropout,
    Identity,
    LeakyReLU,
    Linear,
    LinearActivation,
    LogSoftmax,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Step,
    Tanh,
    TensorMLP,
)
from .losses import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    LooksLikeProbabilitiesWarning,
    MSELoss,
    bce,
    bce_with_logits,
    binary_cross_entropy,
    cross_entropy,
    cross_entropy_from_probabilities,
    cross_entropy_with_logits,
    get_loss,
    hinge,
    mse,
    rss,
)
from .module import FORMAT_TAG, IncompatibleKeys, ModelFileError, Module, StateDictError, load, save
from .optim import (
    SGD,
    Adagrad,
    AdagradMomentum,
    Adam,
    AdamW,
    ExponentialLR,
    Momentum,
    Optimizer,
    RMSprop,
    StepLR,
    clip_grad_norm,
    clip_grad_value,
    get_optimizer,
)
from .pictures import draw_network
from .scalar import MLP, Layer, Neuron
from .torch_bridge import UnsupportedModuleError, from_torch, to_torch
from .train import History, accuracy, evaluate, fit, plot_history, predict

__all__ = [
    "Module", "save", "load", "ModelFileError", "StateDictError", "IncompatibleKeys", "FORMAT_TAG",
    "Neuron", "Layer", "MLP",
    "init", "data", "activations", "layers", "losses", "optim", "train", "get_activation",
    "Linear", "Sequential", "TensorMLP", "Dropout", "BatchNorm1d", "Activation", "Sigmoid", "Tanh",
    "ReLU", "LeakyReLU", "ELU", "Step", "Identity", "LinearActivation", "Softmax", "LogSoftmax",
    "rss", "mse", "bce", "binary_cross_entropy", "bce_with_logits", "cross_entropy",
    "cross_entropy_with_logits", "cross_entropy_from_probabilities", "LooksLikeProbabilitiesWarning",
    "hinge", "get_loss", "CrossEntropyLoss", "MSELoss", "BCELoss", "BCEWithLogitsLoss",
    "Optimizer", "SGD", "Momentum", "Adagrad", "AdagradMomentum", "RMSprop", "Adam", "AdamW", "StepLR",
    "ExponentialLR", "clip_grad_norm", "clip_grad_value", "get_optimizer",
    "fit", "History", "predict", "evaluate", "accuracy", "plot_history",
    "DataError", "Standardizer", "standardize", "one_hot", "train_val_test_split", "batches",
    "xor", "noisy_sine", "moons", "digits", "load_csv",
    "to_torch", "from_torch", "UnsupportedModuleError", "draw_network",
]


def __getattr__(name: str):
    """``nn.<name>`` for a PyTorch name nn has not: an AttributeError saying what to use instead."""
    raise AttributeError(hints.missing_from_nn(name))
