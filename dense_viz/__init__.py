"""dense_viz: what a neural network's Dense layer computes, exact to Keras 3, shown live.

`from dense_viz import Dense, Sequential` loads only NumPy; `dense_viz.explain` and `dense_viz.explain_training`
load the apps on first use.
"""
import sys

from .engine import Dense, Sequential, activations, constraints, initializers, regularizers
from .io import read_layers

# `import dense_viz.activations` works as well as `dense_viz.activations` (one module, two names).
for _module in (activations, constraints, initializers, regularizers):
    sys.modules[f"{__name__}.{_module.__name__.rsplit('.', 1)[1]}"] = _module

from ._version import __version__  # noqa: E402  (the installed metadata: pyproject.toml)
__all__ = ["Dense", "Sequential", "activations", "constraints", "initializers", "regularizers", "explain",
           "explain_training", "read_layers"]


def __getattr__(name):
    """Load the widget app lazily, so the engine alone never imports matplotlib or ipywidgets."""
    if name == "explain":
        from .app import explain
        return explain
    if name == "explain_training":
        from .app.training import explain_training
        return explain_training
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
