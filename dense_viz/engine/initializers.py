"""Weight initializers with Keras 3's names, defaults and formulas.

Each initializer is called as `init(shape, dtype, rng) -> ndarray of shape` where `rng` is a
`np.random.Generator`; the same generator state gives the same weights.
"""
import math
from collections import namedtuple

import numpy as np

from numbers import Integral

from ._util import Configurable, check_number, resolve

# Keras divides the stddev of a 2-sigma truncated normal by this, so the truncated draw keeps the target variance.
TRUNCATION_STDDEV_CORRECTION = 0.87962566103423978


def compute_fans(shape):
    """(fan_in, fan_out) as Keras computes them for a kernel `shape`."""
    shape = check_shape(shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive = math.prod(shape[:-2])
    return shape[-2] * receptive, shape[-1] * receptive


def check_shape(shape):
    """A weight shape as a tuple of non-negative ints, else a Keras-style ValueError."""
    try:
        dims = tuple(shape)
    except TypeError:
        dims = None
    if dims is None or any(isinstance(d, bool) or not isinstance(d, Integral) or d < 0 for d in dims):
        raise ValueError(f"Received an invalid value for `shape`, expected a tuple of non-negative integers. "
                         f"Received: shape={shape!r}")
    return tuple(int(d) for d in dims)


def draw_dtype(dtype):
    """The float dtype to draw in: float32 and float64 directly (NumPy's Generator takes them), any other float
    dtype through float64; a non-float dtype is a Keras-style ValueError."""
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        dtype = None
    if dtype is None or not np.issubdtype(dtype, np.floating):
        raise ValueError(f"Expected a floating-point dtype for the weights. Received: dtype={dtype!r}")
    return dtype if dtype in (np.float32, np.float64) else np.dtype(np.float64)


def standard_normal(rng, shape, dtype):
    """N(0, 1) drawn directly in `dtype` (float32 stays float32: no float64 copy): `shape` -> ndarray."""
    return rng.standard_normal(check_shape(shape), dtype=draw_dtype(dtype)).astype(dtype, copy=False)


def uniform(rng, shape, minval, maxval, dtype):
    """Keras' uniform: (maxval - minval)·U[0, 1) + minval, drawn in `dtype`, scaled in place."""
    out = rng.random(check_shape(shape), dtype=draw_dtype(dtype))
    out *= maxval - minval
    out += minval
    return out.astype(dtype, copy=False)


def _outside_two(a):
    """|a| > 2 as a bool mask, without a float temporary of a's size."""
    bad = a > 2.0
    bad |= a < -2.0
    return bad


def truncated_normal(rng, shape, mean, stddev, dtype):
    """Normal(mean, stddev) redrawn outside mean ± 2·stddev (Keras' truncated_normal), in `dtype`."""
    out = standard_normal(rng, shape, dtype)
    while (bad := _outside_two(out)).any():
        out[bad] = rng.standard_normal(int(bad.sum()), dtype=out.dtype)
        del bad  # before the next mask is made: one mask alive at a time
    out *= stddev
    out += mean
    return out


# What an initializer promises for a kernel of `shape`: kind 'uniform' | 'truncated_normal' | 'normal' | 'constant'
# | 'identity' | 'orthogonal'; mean and std of the drawn weights (None: not one distribution); low, high: the
# bounds of the values (None: unbounded); sigma: a normal's σ before truncation (None for other kinds);
# approx: the distribution is only approximate (orthogonal's entries are ≈ normal).
Theory = namedtuple("Theory", "kind mean std low high sigma approx")


class Initializer(Configurable):
    """Base class: `__call__(shape, dtype, rng) -> ndarray`; `get_config()` gives plain values;
    `theory(shape)` says what the drawn weights should look like (None when unknown)."""

    def theory(self, shape):
        """Theory(kind, mean, std, low, high, sigma, approx) of the weights for a kernel `shape`; None here."""
        return None


class Constant(Initializer):
    """Every entry equals `value`."""

    name = "constant"

    def __init__(self, value=0.0):
        self.value = check_number(value, "value", "a finite number")

    def __call__(self, shape, dtype="float32", rng=None):
        draw_dtype(dtype)
        return np.full(check_shape(shape), self.value, dtype=dtype)

    def get_config(self):
        return {"value": self.value}

    def theory(self, shape):
        """Every weight is `value`: mean value, std 0."""
        return Theory("constant", self.value, 0.0, self.value, self.value, None, False)


class Zeros(Constant):
    """Every entry is 0."""

    name = "zeros"

    def __init__(self):
        super().__init__(0.0)

    def get_config(self):
        return {}


class Ones(Constant):
    """Every entry is 1."""

    name = "ones"

    def __init__(self):
        super().__init__(1.0)

    def get_config(self):
        return {}


class RandomNormal(Initializer):
    """Normal(mean, stddev); Keras default stddev 0.05."""

    name = "random_normal"

    def __init__(self, mean=0.0, stddev=0.05):
        self.mean = check_number(mean, "mean", "a finite number")
        self.stddev = check_number(stddev, "stddev", "a non-negative finite number", is_valid=lambda v: v >= 0)

    def __call__(self, shape, dtype="float32", rng=None):
        rng = rng if rng is not None else np.random.default_rng()
        out = standard_normal(rng, shape, dtype)
        out *= self.stddev
        out += self.mean
        return out

    def get_config(self):
        return {"mean": self.mean, "stddev": self.stddev}

    def theory(self, shape):
        """N(mean, stddev²), unbounded."""
        return Theory("normal", self.mean, self.stddev, None, None, self.stddev, False)


class TruncatedNormal(RandomNormal):
    """Normal(mean, stddev) cut at 2·stddev; Keras default stddev 0.05."""

    name = "truncated_normal"

    def __call__(self, shape, dtype="float32", rng=None):
        rng = rng if rng is not None else np.random.default_rng()
        return truncated_normal(rng, shape, self.mean, self.stddev, dtype)

    def theory(self, shape):
        """N(mean, stddev²) cut at mean ± 2·stddev: std shrinks by TRUNCATION_STDDEV_CORRECTION."""
        m, sigma = self.mean, self.stddev
        return Theory("truncated_normal", m, sigma * TRUNCATION_STDDEV_CORRECTION, m - 2 * sigma, m + 2 * sigma,
                      sigma, False)


class RandomUniform(Initializer):
    """Uniform(minval, maxval); Keras default ±0.05."""

    name = "random_uniform"

    def __init__(self, minval=-0.05, maxval=0.05):
        # minval > maxval is allowed, as in Keras: (maxval - minval)·U[0, 1) + minval still lies between them
        self.minval = check_number(minval, "minval", "a finite number")
        self.maxval = check_number(maxval, "maxval", "a finite number")

    def __call__(self, shape, dtype="float32", rng=None):
        rng = rng if rng is not None else np.random.default_rng()
        return uniform(rng, shape, self.minval, self.maxval, dtype)

    def get_config(self):
        return {"minval": self.minval, "maxval": self.maxval}

    def theory(self, shape):
        """U(minval, maxval): mean (min + max) / 2, std (max − min) / √12."""
        lo, hi = sorted((self.minval, self.maxval))
        return Theory("uniform", (lo + hi) / 2, (hi - lo) / math.sqrt(12.0), lo, hi, None, False)


class VarianceScaling(Initializer):
    """Keras' VarianceScaling: variance scale/fan with fan from `mode`; uniform, truncated or untruncated normal."""

    name = "variance_scaling"
    MODES = ("fan_in", "fan_out", "fan_avg")
    DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal"):
        if isinstance(scale, bool) or not isinstance(scale, (int, float, np.integer, np.floating)) \
                or not 0.0 < scale < math.inf:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale!r}")
        if mode not in self.MODES:
            raise ValueError(f"Invalid `mode` argument: expected one of {set(self.MODES)}. Received: mode={mode}")
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in self.DISTRIBUTIONS:
            raise ValueError(
                f"Invalid `distribution` argument: expected one of {set(self.DISTRIBUTIONS)}. "
                f"Received: distribution={distribution}"
            )
        self.scale, self.mode, self.distribution = float(scale), mode, distribution

    def fan(self, shape):
        """The fan this initializer divides by, for a kernel `shape`."""
        fan_in, fan_out = compute_fans(shape)
        return {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]

    def stddev(self, shape):
        """Standard deviation of the drawn weights (the target sqrt(scale / fan))."""
        return math.sqrt(self.scale / max(1.0, self.fan(shape)))

    def limit(self, shape):
        """Half-width of the support: sqrt(3·scale/fan) (uniform) or the 2σ cut of the normal draw."""
        if self.distribution == "uniform":
            return math.sqrt(3.0) * self.stddev(shape)
        if self.distribution == "truncated_normal":
            return 2.0 * self.stddev(shape) / TRUNCATION_STDDEV_CORRECTION
        return math.inf

    def __call__(self, shape, dtype="float32", rng=None):
        rng = rng if rng is not None else np.random.default_rng()
        std = self.stddev(shape)
        if self.distribution == "uniform":
            limit = math.sqrt(3.0) * std
            return uniform(rng, shape, -limit, limit, dtype)
        if self.distribution == "truncated_normal":
            return truncated_normal(rng, shape, 0.0, std / TRUNCATION_STDDEV_CORRECTION, dtype)
        out = standard_normal(rng, shape, dtype)
        out *= std
        return out

    def get_config(self):
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution}

    def theory(self, shape):
        """Mean 0, std sqrt(scale / fan); uniform on ±limit, or a normal (cut at ±limit when truncated)."""
        std, limit = self.stddev(shape), self.limit(shape)
        if self.distribution == "uniform":
            return Theory("uniform", 0.0, std, -limit, limit, None, False)
        if self.distribution == "truncated_normal":
            return Theory("truncated_normal", 0.0, std, -limit, limit, std / TRUNCATION_STDDEV_CORRECTION, False)
        return Theory("normal", 0.0, std, None, None, std, False)


def _variance_scaling(name, scale, mode, distribution, doc):
    """Make a named VarianceScaling subclass with fixed arguments, as Keras' GlorotUniform etc."""

    def __init__(self):
        VarianceScaling.__init__(self, scale, mode, distribution)

    cls_name = "".join(part.capitalize() for part in name.split("_"))
    return type(cls_name, (VarianceScaling,), {"__init__": __init__, "name": name, "__doc__": doc,
                                               "get_config": lambda self: {}})


GlorotUniform = _variance_scaling("glorot_uniform", 1.0, "fan_avg", "uniform", "U(±sqrt(6/(fan_in+fan_out))).")
GlorotNormal = _variance_scaling("glorot_normal", 1.0, "fan_avg", "truncated_normal",
                                 "Truncated normal, stddev sqrt(2/(fan_in+fan_out))/0.8796.")
HeUniform = _variance_scaling("he_uniform", 2.0, "fan_in", "uniform", "U(±sqrt(6/fan_in)).")
HeNormal = _variance_scaling("he_normal", 2.0, "fan_in", "truncated_normal",
                             "Truncated normal, stddev sqrt(2/fan_in)/0.8796.")
LecunUniform = _variance_scaling("lecun_uniform", 1.0, "fan_in", "uniform", "U(±sqrt(3/fan_in)).")
LecunNormal = _variance_scaling("lecun_normal", 1.0, "fan_in", "truncated_normal",
                                "Truncated normal, stddev sqrt(1/fan_in)/0.8796.")


class Orthogonal(Initializer):
    """Keras' Orthogonal: QR of a normal matrix, signs fixed by diag(R), times `gain`."""

    name = "orthogonal"

    def __init__(self, gain=1.0):
        self.gain = check_number(gain, "gain", "a finite number")

    def __call__(self, shape, dtype="float32", rng=None):
        shape = check_shape(shape)
        if len(shape) < 2:
            raise ValueError(f"The tensor to initialize must be at least two-dimensional. Received: shape={shape}")
        rng = rng if rng is not None else np.random.default_rng()
        num_rows, num_cols = math.prod(shape[:-1]), shape[-1]
        a = standard_normal(rng, (max(num_cols, num_rows), min(num_cols, num_rows)), dtype)
        q, r = np.linalg.qr(a)
        q *= np.sign(np.diag(r))
        if num_rows < num_cols:
            q = q.T
        return (self.gain * q).reshape(shape).astype(dtype, copy=False)

    def get_config(self):
        return {"gain": self.gain}

    def theory(self, shape):
        """Orthonormal rows or columns times gain: entries ≈ N(0, gain² / max(shape)) (approximate)."""
        sigma = self.gain / math.sqrt(max(shape))
        return Theory("orthogonal", 0.0, sigma, None, None, sigma, True)


class Identity(Initializer):
    """Keras' Identity (2-D only): `gain` on the diagonal, 0 elsewhere (rectangular allowed)."""

    name = "identity"

    def __init__(self, gain=1.0):
        self.gain = check_number(gain, "gain", "a finite number")

    def __call__(self, shape, dtype="float32", rng=None):
        shape = check_shape(shape)
        if len(shape) != 2:
            raise ValueError(
                f"Identity matrix initializer can only be used for 2D square matrices. Received: shape={shape} of rank {len(shape)}."
            )
        draw_dtype(dtype)
        out = np.eye(*shape, dtype=dtype)
        out *= self.gain
        return out

    def get_config(self):
        return {"gain": self.gain}

    def theory(self, shape):
        """gain on the diagonal, 0 elsewhere: no single distribution; values between 0 and gain."""
        return Theory("identity", None, None, min(0.0, self.gain), max(0.0, self.gain), None, False)


_CLASSES = (Zeros, Ones, Constant, RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling,
            GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform, LecunNormal, Orthogonal, Identity)
REGISTRY = {cls.name: cls for cls in _CLASSES}
ALIASES = {"normal": RandomNormal, "uniform": RandomUniform, "one": Ones, "zero": Zeros}
NAMES = tuple(REGISTRY)  # the canonical names, in the order the UI lists them
_LOOKUP = {**REGISTRY, **ALIASES, **{cls.__name__: cls for cls in _CLASSES}}


def get(identifier):
    """Resolve a name ('glorot_uniform', 'GlorotUniform', alias 'normal'), an Initializer, or a callable."""
    if callable(identifier) and not isinstance(identifier, (Initializer, type)):
        return identifier
    return resolve(identifier, _LOOKUP, "initializer", "initializer", Initializer)


def serialize(initializer):
    """The plain value Keras' get_config shows: a name string for defaults, else a dict."""
    if isinstance(initializer, Initializer):
        config = initializer.get_config()
        return initializer.name if not config else {"class_name": type(initializer).__name__, "config": config}
    return getattr(initializer, "__name__", repr(initializer))
