"""What a PyTorch user types that ``nn`` spells differently or does not have, and what to write instead.

An ``AttributeError`` for one of these names (``nn.ModuleList``, ``model.to(device)``,
``linear.weight``) says what to do here, instead of only "has no attribute". The README's
"Coming from micrograd or PyTorch" lists the same differences with their reasons.
"""

from __future__ import annotations

__all__ = ["NN_NAMES", "MODULE_ATTRIBUTES", "missing_from_nn", "missing_from_module"]

_NO_CONV = "nn has dense layers only (Linear, TensorMLP): no convolutions, recurrences or embeddings"

NN_NAMES: dict[str, str] = {
    "functional": "the functions live in nn itself and nn.activations: nn.cross_entropy(logits, y), "
                  "nn.mse, nn.bce_with_logits, nn.activations.relu(x), nn.activations.softmax(x, axis=-1)",
    "ModuleList": "a plain Python list of modules works: a Module finds the parameters in its list "
                  "attributes",
    "ModuleDict": "give each module its own attribute (a Module finds modules in attributes and lists)",
    "Parameter": "a parameter is a Tensor(data, requires_grad=True) (or a Value) assigned to a Module "
                 "attribute",
    "NLLLoss": "nn.cross_entropy takes logits (as CrossEntropyLoss); for probabilities use "
               "nn.cross_entropy_from_probabilities; nothing here takes log-probabilities",
    "L1Loss": "no L1 loss: write it as (pred - target).abs().mean()",
    "HuberLoss": "no Huber loss: write it from Tensor ops (abs, where)",
    "Flatten": "reshape the input: x.reshape(len(x), -1) (or x.flatten() for one sample)",
    "LayerNorm": "only BatchNorm1d is here",
    "Conv1d": _NO_CONV, "Conv2d": _NO_CONV, "MaxPool2d": _NO_CONV, "RNN": _NO_CONV, "LSTM": _NO_CONV,
    "GRU": _NO_CONV, "Embedding": _NO_CONV,
    "DataLoader": "use nn.batches(X, y, batch_size=32, shuffle=True) for minibatches, or nn.fit",
    "TensorDataset": "keep X and y as numpy arrays: nn.batches(X, y, batch_size) cuts them into minibatches",
}
"""Names of ``torch.nn`` (and friends) that ``nn`` has not, each with what to use instead."""

_FLOAT64_CPU = "every Tensor here is float64 on the CPU already: drop the call"

MODULE_ATTRIBUTES: dict[str, str] = {
    "to": _FLOAT64_CPU, "cuda": _FLOAT64_CPU, "cpu": _FLOAT64_CPU, "double": _FLOAT64_CPU,
    "float": _FLOAT64_CPU, "half": _FLOAT64_CPU,
    "apply": "loop over model.modules() instead",
    "requires_grad_": "set p.requires_grad on each of model.parameters() (a frozen Tensor is still saved)",
}
"""``torch.nn.Module`` methods that a Module here has not, each with what to do instead."""


def missing_from_nn(name: str) -> str:
    """The AttributeError message for ``nn.<name>``."""
    hint = NN_NAMES.get(name)
    return f"module 'nn' has no attribute {name!r}" + (f": {hint}" if hint else "")


def missing_from_module(module: object, name: str) -> str:
    """The AttributeError message for ``module.<name>``; a class may rename PyTorch's attributes
    in its ``renamed`` dict (``Linear``: weight → W)."""
    cls = type(module).__name__
    hint = getattr(type(module), "renamed", {}).get(name) or MODULE_ATTRIBUTES.get(name)
    return f"'{cls}' object has no attribute '{name}'" + (f": {hint}" if hint else "")
