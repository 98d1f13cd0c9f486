"""nn: neural networks built from autodiff primitives."""
