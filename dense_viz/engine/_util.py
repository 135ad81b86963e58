"""Small helpers shared by the engine modules: Keras-style name resolution and messages."""
import re
from numbers import Integral, Real

import numpy as np


def snake_case(name):
    """'GlorotUniform' -> 'glorot_uniform'; snake names pass through unchanged."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def resolve(identifier, registry, kind, argname, instance_type):
    """Look `identifier` up in `registry` (name -> factory); instances of `instance_type` pass through."""
    if isinstance(identifier, instance_type):
        return identifier
    if isinstance(identifier, str):
        key = identifier if identifier in registry else snake_case(identifier)
        if key in registry:
            return registry[key]()
    raise ValueError(
        f"Could not interpret {kind} identifier: {identifier!r}. "
        f"Expected one of: {', '.join(sorted(registry))}. Received: {argname}={identifier!r}"
    )


class Configurable:
    """Base of Keras-style objects: `get_config()` gives the constructor arguments as plain values."""

    name = ""

    def get_config(self):
        """The constructor arguments as plain values."""
        return {}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items() if k != "name")
        return f"{type(self).__name__}({args})"


def as_real_array(value, argname, dtype=None):
    """`value` as an ndarray of real numbers (bool, int, float; in `dtype` when given), else a ValueError.

    NumPy would turn None inside an object array into NaN and drop a complex number's imaginary part without a
    word; Keras (through its backend) refuses both, so the engine does too, naming the argument.
    """
    if type(value) is np.ndarray and value.dtype.kind in "biuf":   # the common case, checked at once
        return value if dtype is None or value.dtype == dtype else value.astype(dtype)
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as error:  # ragged nested lists
        raise ValueError(f"Expected `{argname}` to be an array of real numbers. Received: {argname} that NumPy "
                         f"cannot read as one array ({error})") from None
    if array.dtype.kind not in "biuf":
        what = {"c": "complex numbers", "O": "Python objects (None or mixed types)", "U": "strings",
                "S": "bytes", "M": "datetimes", "m": "timedeltas"}.get(array.dtype.kind, f"dtype {array.dtype}")
        raise ValueError(f"Expected `{argname}` to be an array of real numbers (bool, int or float). Received: "
                         f"{what}, dtype={array.dtype}")
    return array if dtype is None else array.astype(dtype, copy=False)


def check_number(value, argname, expected="a number", finite=True, is_valid=None):
    """float(value) if `value` is a real number (not bool; finite unless finite=False) passing `is_valid`,
    else a Keras-style ValueError echoing what was received."""
    ok = isinstance(value, Real) and not isinstance(value, (bool, np.bool_))
    if ok:
        number = float(value)
        ok = (not finite or np.isfinite(number)) and not np.isnan(number) and (is_valid is None or is_valid(number))
    if not ok:
        raise ValueError(f"Received an invalid value for `{argname}`, expected {expected}. Received: {argname}={value!r}")
    return number


def check_axis(axis, argname="axis"):
    """An int or a tuple/list of ints (a numpy axis argument), else a Keras-style ValueError."""
    def is_int(a):
        return isinstance(a, Integral) and not isinstance(a, (bool, np.bool_))

    if is_int(axis):
        return int(axis)
    if isinstance(axis, (tuple, list)) and axis and all(is_int(a) for a in axis) and len(set(axis)) == len(axis):
        return tuple(int(a) for a in axis)
    raise ValueError(f"Received an invalid value for `{argname}`, expected an integer or a tuple of distinct "
                     f"integers. Received: {argname}={axis!r}")
