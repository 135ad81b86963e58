"""Weight and activity regularizers with Keras 3's names and defaults.

A regularizer is called on an array and returns a float penalty; `gradient(x)` is d penalty / dx.
"""
import numpy as np

from ._util import Configurable, as_real_array, resolve


def _factor(name, value):
    """Validate a regularization factor as Keras does: a finite float ≥ 0."""
    try:
        number = float(value) if not isinstance(value, (str, bytes, bool)) else None
    except (TypeError, ValueError):
        number = None
    if number is None or not np.isfinite(number) or number < 0:
        raise ValueError(f"Invalid value for argument {name}: expected a non-negative float. Received: {name}={value!r}")
    return number


class Regularizer(Configurable):
    """Base: `__call__(x) -> float`, `gradient(x) -> ndarray like x`, `get_config()`."""

    def formula(self):
        """The penalty written out, e.g. '0.01·Σ|w|'."""
        return ""


class L1L2(Regularizer):
    """l1·Σ|x| + l2·Σx²; Keras 3 defaults are both 0 (so the bare string 'l1l2' penalises nothing)."""

    name = "l1l2"

    def __init__(self, l1=0.0, l2=0.0):
        self.l1, self.l2 = _factor("l1", l1), _factor("l2", l2)

    def __call__(self, x):
        x = as_real_array(x, "x")
        penalty = 0.0
        if self.l1:
            penalty += self.l1 * float(np.abs(x).sum(dtype=np.float64))
        if self.l2:
            penalty += self.l2 * float(np.square(x, dtype=np.float64).sum())
        return penalty

    def gradient(self, x):
        x = as_real_array(x, "x")
        if not np.issubdtype(x.dtype, np.floating):
            x = x.astype(np.float64)
        grad = np.zeros_like(x)
        if self.l1:
            grad += self.l1 * np.sign(x)
        if self.l2:
            grad += (2.0 * self.l2) * x
        return grad

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}

    def formula(self):
        terms = [f"{self.l1:g}·Σ|w|" if self.l1 else "", f"{self.l2:g}·Σw²" if self.l2 else ""]
        return " + ".join(t for t in terms if t) or "0 (l1=0, l2=0)"


class L1(L1L2):
    """l1·Σ|x|; Keras default l1=0.01."""

    name = "l1"

    def __init__(self, l1=0.01):
        super().__init__(l1=l1)

    def get_config(self):
        return {"l1": self.l1}


class L2(L1L2):
    """l2·Σx²; Keras default l2=0.01."""

    name = "l2"

    def __init__(self, l2=0.01):
        super().__init__(l2=l2)

    def get_config(self):
        return {"l2": self.l2}


REGISTRY = {"l1": L1, "l2": L2, "l1l2": L1L2, "l1_l2": L1L2}
NAMES = ("l1", "l2", "l1l2")
_LOOKUP = {**REGISTRY, "L1": L1, "L2": L2, "L1L2": L1L2}


def get(identifier):
    """Resolve None, 'l1', 'l2', 'l1l2', a Regularizer, or a callable (penalty without a gradient)."""
    if identifier is None:
        return None
    return resolve(identifier, _LOOKUP, "regularizer", "regularizer", Regularizer)


def serialize(regularizer):
    """Plain value for get_config: None or {'class_name', 'config'}."""
    if regularizer is None:
        return None
    return {"class_name": type(regularizer).__name__, "config": regularizer.get_config()}
