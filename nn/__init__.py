"""nn: neural networks built from autodiff primitives (no hand-written gradients anywhere in it).

    >>> from nn import MLP, data
    >>> X, y = data.xor()
    >>> net = MLP(2, [4, 1], activation="tanh", output_activation="sigmoid", seed=0)
    >>> net
    MLP(2 → 4 → 1, activation=tanh, output=sigmoid)
    >>> 0.0 < net(X[0]).data < 1.0
    True

Modules: ``module`` (Module, save/load), ``scalar`` (Neuron, Layer, MLP over Values),
``init`` (weight initialisation), ``data`` (datasets, standardize, one_hot, split, batches).
"""

from . import data, init
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
from .module import FORMAT_TAG, IncompatibleKeys, ModelFileError, Module, StateDictError, load, save
from .scalar import MLP, Layer, Neuron

__all__ = [
    "Module", "save", "load", "ModelFileError", "StateDictError", "IncompatibleKeys", "FORMAT_TAG",
    "Neuron", "Layer", "MLP",
    "init", "data",
    "DataError", "Standardizer", "standardize", "one_hot", "train_val_test_split", "batches",
    "xor", "noisy_sine", "moons", "digits", "load_csv",
]
