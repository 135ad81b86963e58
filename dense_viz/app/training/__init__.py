"""Live training of a stack of Dense layers on toy data: loss, prediction and the gradient flowing back.

`explain_training(...)` builds a TrainingApp (app.py) around one TrainingState (state.py, no ipywidgets);
both load lazily, so `dense_viz.app.training.state` imports without the widgets.
"""
__all__ = ["explain_training", "TrainingApp", "TrainingState"]


def __getattr__(name):
    """`explain_training` and `TrainingApp` load the widgets on first use; `TrainingState` only the engine."""
    if name in ("explain_training", "TrainingApp"):
        from . import app
        return getattr(app, name)
    if name == "TrainingState":
        from .state import TrainingState
        return TrainingState
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
