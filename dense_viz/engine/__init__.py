"""The NumPy engine: the truth every view shows. Imports neither matplotlib nor ipywidgets."""
from . import activations, constraints, initializers, regularizers
from .layers import Dense
from .sequential import Sequential

__all__ = ["Dense", "Sequential", "activations", "constraints", "initializers", "regularizers"]
