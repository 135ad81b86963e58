"""The widget app: `explain(...)` builds an ExplainerApp (see app.py) around one ExplainerState.

Loaded lazily so that `dense_viz.app.state` (the model, no ipywidgets) imports without the views.
"""
__all__ = ["explain", "ExplainerApp"]


def __getattr__(name):
    """`explain` and `ExplainerApp` load the app module (ipywidgets, matplotlib, the views) on first use."""
    if name in __all__:
        from . import app
        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
