"""Weight constraints with Keras 3's names, defaults and epsilon handling.

A constraint maps weights to projected weights: `w_new = constraint(w)` (same shape and dtype).
Norms are taken along `axis` (0 for a Dense kernel: each unit's incoming weight vector).
"""
import numpy as np

from ._util import Configurable, as_real_array, check_axis, check_number, resolve

EPSILON = 1e-7  # keras.backend.epsilon()


def _norms(w, axis):
    """sqrt(Σ w² along axis), kept as a broadcastable array."""
    axes = (axis,) if isinstance(axis, int) else axis
    if any(not -w.ndim <= a < w.ndim for a in axes):
        raise ValueError(f"Received an invalid value for `axis`, expected an axis of the {w.ndim}-D weights "
                         f"(from {-w.ndim} to {w.ndim - 1}). Received: axis={axis!r}, weights.shape={w.shape}")
    return np.sqrt(np.sum(np.square(w), axis=axis, keepdims=True))


def _weights(w):
    """The weights as a float array (float64 unless already floating), refusing non-numbers."""
    w = as_real_array(w, "w")
    return w if np.issubdtype(w.dtype, np.floating) else w.astype(np.float64)


class Constraint(Configurable):
    """Base: `__call__(w) -> projected w`, `get_config()`."""


class MaxNorm(Constraint):
    """Rescale each weight vector whose norm exceeds max_value (default 2) down to it."""

    name = "max_norm"

    def __init__(self, max_value=2, axis=0):
        check_number(max_value, "max_value")
        self.max_value, self.axis = max_value, check_axis(axis)  # as given (Keras' config shows 2, not 2.0)

    def __call__(self, w):
        w = _weights(w)
        norms = _norms(w, self.axis)
        desired = np.clip(norms, 0, self.max_value)
        return (w * (desired / (EPSILON + norms))).astype(w.dtype, copy=False)

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class MinMaxNorm(Constraint):
    """Move each weight vector's norm into [min_value, max_value] at `rate` (defaults 0, 1, 1)."""

    name = "min_max_norm"

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        for argname, value in (("min_value", min_value), ("max_value", max_value), ("rate", rate)):
            check_number(value, argname)
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, check_axis(axis)

    def __call__(self, w):
        w = _weights(w)
        norms = _norms(w, self.axis)
        desired = self.rate * np.clip(norms, self.min_value, self.max_value) + (1 - self.rate) * norms
        return (w * (desired / (EPSILON + norms))).astype(w.dtype, copy=False)

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate, "axis": self.axis}


class NonNeg(Constraint):
    """Zero every negative weight."""

    name = "non_neg"

    def __call__(self, w):
        w = _weights(w)
        return w * (w >= 0).astype(w.dtype)


class UnitNorm(Constraint):
    """Scale each weight vector to norm 1 (up to epsilon)."""

    name = "unit_norm"

    def __init__(self, axis=0):
        self.axis = check_axis(axis)

    def __call__(self, w):
        w = _weights(w)
        return (w / (EPSILON + _norms(w, self.axis))).astype(w.dtype, copy=False)

    def get_config(self):
        return {"axis": self.axis}


REGISTRY = {cls.name: cls for cls in (MaxNorm, MinMaxNorm, NonNeg, UnitNorm)}
NAMES = tuple(REGISTRY)
_LOOKUP = {**REGISTRY, **{cls.__name__: cls for cls in (MaxNorm, MinMaxNorm, NonNeg, UnitNorm)}}


def get(identifier):
    """Resolve None, a name ('max_norm', 'MaxNorm', …), a Constraint, or a callable w -> w."""
    if identifier is None:
        return None
    if callable(identifier) and not isinstance(identifier, (Constraint, type)):
        return identifier
    return resolve(identifier, _LOOKUP, "constraint", "constraint", Constraint)


def serialize(constraint):
    """Plain value for get_config: None or {'class_name', 'config'}."""
    if constraint is None:
        return None
    return {"class_name": type(constraint).__name__, "config": getattr(constraint, "get_config", dict)()}
