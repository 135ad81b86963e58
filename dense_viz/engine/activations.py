"""Every activation a Keras 3 Dense layer accepts by name, in NumPy: forward, derivative and backward.

An activation maps the pre-activation z (..., n) to y (..., n) along the last axis ((..., n//2) for
glu), with Keras 3's default parameters. float32 stays float32 and float64 stays float64: constants
are Python floats, which NumPy 2 (NEP 50) does not let promote an array. At kinks the subgradient
is the one PyTorch autograd uses (relu'(0) = 0, leaky_relu'(0) = 0.2, hard_tanh'(+-1) = 0, ...).
"""
import math

import numpy as np

from ._util import as_real_array

# ---------------------------------------------------------------- erf, erfc (NumPy has neither)
# W. J. Cody, "Rational Chebyshev approximations for the error function", Math. Comp. 23 (1969),
# coefficients as in his CALERF routine (netlib specfun): about 1e-16 relative error in float64.
_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
      3.20937758913846947e03, 1.85777706184603153e-1)
_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
      2.84423683343917062e03)
_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
      2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
      2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8)
_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
      1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
      3.43936767414372164e03, 1.23033935480374942e03)
_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
      1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2)
_Q = (2.56852019228982242e00, 1.87295284992346725e00, 5.27905102951428412e-1,
      6.05183413124413191e-2, 2.33520497626869185e-3)


def _rational(t, num, den):
    """Cody's rational function of t (...) -> (...): numerator degree len(den), denominator monic."""
    n, d = num[-1] * t, t
    for i in range(len(den) - 1):
        n, d = (n + num[i]) * t, (d + den[i]) * t
    return (n + num[len(den) - 1]) / (d + den[-1])


def _erf_small(x):
    """erf(x) for |x| <= 0.46875; (...) -> (...)."""
    return x * _rational(x * x, _A, _B)


def _erfc_large(y):
    """erfc(y) for y >= 0.46875; (...) -> (...). exp(-y^2) is split in two to keep y^2's rounding out."""
    y = np.minimum(y, 30.0)                       # erfc(30) underflows to 0 anyway
    r = np.empty_like(y)
    mid = y <= 4.0
    r[mid] = _rational(y[mid], _C, _D)
    t = 1.0 / np.square(y[~mid])
    r[~mid] = (1.0 / math.sqrt(math.pi) - t * _rational(t, _P, _Q)) / y[~mid]
    y16 = np.trunc(y * 16.0) / 16.0
    return r * np.exp(-y16 * y16) * np.exp(-(y - y16) * (y + y16))


def _split(x, small, large):
    """Apply small() where |x| <= 0.46875 and large(x, erfc(|x|)) elsewhere; (...) -> (...)."""
    x = _as_float(x)
    r = np.empty_like(x)
    m = np.abs(x) <= 0.46875
    r[m] = small(x[m])
    r[~m] = large(x[~m], _erfc_large(np.abs(x[~m])))
    return r


def erf(x):
    """Error function, vectorised; x (...) -> (...) in x's float dtype."""
    return _split(x, _erf_small, lambda x, e: np.copysign(1.0 - e, x))


def erfc(x):
    """Complementary error function 1 - erf(x), accurate in the right tail; x (...) -> (...)."""
    return _split(x, lambda x: 1.0 - _erf_small(x), lambda x, e: np.where(x < 0, 2.0 - e, e))


# ---------------------------------------------------------------- small building blocks
def sigmoid(x):
    """Stable logistic σ(x) = 1/(1+exp(-x)), no overflow for any x; (...) -> (...) in x's float dtype."""
    e = np.exp(-np.abs(x))                        # in (0, 1]
    r = np.reciprocal(e + 1.0)                    # sigmoid(|x|)
    e *= r                                        # sigmoid(-|x|)
    return np.where(x >= 0, r, e)


def _softplus(x):
    """log(1 + exp(x)) without overflow; (...) -> (...)."""
    return np.logaddexp(x, 0.0)


def _pick(cond, z, a, b=0.0):
    """a where cond else b, in z's dtype; cond (...) -> (...)."""
    return np.where(cond, z.dtype.type(a), z.dtype.type(b))


def _phi(z):
    """Standard normal CDF Phi(z) = erfc(-z/sqrt 2)/2, accurate in both tails; (...) -> (...)."""
    return 0.5 * erfc(z * -math.sqrt(0.5))


def _halves(z):
    """Split the last axis in two for glu; (..., n) -> (..., n//2), (..., n//2). Odd n -> ValueError."""
    n = z.shape[-1]
    if n % 2:
        raise ValueError(f"axis size must be divisible by 2. Received: x.shape={z.shape} with axis=-1")
    return z[..., : n // 2], z[..., n // 2:]


def _rowsum(x):
    """Sum over the last axis, kept; (..., n) -> (..., 1)."""
    return x.sum(axis=-1, keepdims=True)


# ---------------------------------------------------------------- the non-elementwise four
def _softmax(z):
    """exp(z - max) / sum; (..., n) -> (..., n)."""
    e = z - z.max(axis=-1, keepdims=True)
    np.exp(e, out=e)
    e /= _rowsum(e)
    return e


def _log_softmax(z):
    """z - logsumexp(z), stable; (..., n) -> (..., n)."""
    s = z - z.max(axis=-1, keepdims=True)
    s -= np.log(_rowsum(np.exp(s)))
    return s


def logsumexp(z):
    """log Σ_m exp(z_m) over the last axis, stable: softmax's and log_softmax's normaliser; (..., n) -> (..., 1).

    An empty last axis gives -inf."""
    z = _as_float(z)
    if z.shape[-1] == 0:
        return np.full(z.shape[:-1] + (1,), -np.inf, dtype=z.dtype)
    m = z.max(axis=-1, keepdims=True)
    return m + np.log(_rowsum(np.exp(z - m)))


def sparsemax_threshold(z):
    """sparsemax's τ: sparsemax(z) = max(z - τ, 0) with Σ = 1 over the last axis; (..., n) -> (..., 1)."""
    z = _as_float(z)
    zs = np.sort(z, axis=-1)[..., ::-1]
    cs = np.cumsum(zs, axis=-1)
    k = np.arange(1, z.shape[-1] + 1, dtype=z.dtype)
    kz = _rowsum(1.0 + k * zs > cs)               # support size (sorted support is a prefix)
    return (np.take_along_axis(cs, kz - 1, axis=-1) - 1.0) / kz.astype(z.dtype)


def _sparsemax(z):
    """Projection of z onto the probability simplex (Martins & Astudillo 2016); (..., n) -> (..., n)."""
    return np.maximum(z - sparsemax_threshold(z), 0.0)


def _sparsemax_support(y):
    """Support mask and its size; (..., n) -> (..., n) bool, (..., 1)."""
    m = y > 0
    return m, _rowsum(m).astype(y.dtype)


def _sparsemax_vjp(z, y, dy):
    """dz = mask * (dy - mean of dy over the support); (..., n) -> (..., n)."""
    m, k = _sparsemax_support(y)
    g = dy * m
    g -= _rowsum(g) / k
    g *= m
    return g


def _sparsemax_diag(z, y):
    """Jacobian diagonal mask * (1 - 1/k); (..., n) -> (..., n)."""
    m, k = _sparsemax_support(y)
    return (1.0 - 1.0 / k) * m


def _glu(z):
    """a * sigmoid(b) with a, b the two halves of the last axis; (..., n) -> (..., n//2)."""
    a, b = _halves(z)
    return a * sigmoid(b)


def _glu_vjp(z, y, dy):
    """[dy * s, dy * a * s * (1 - s)] with s = sigmoid(b); dy (..., n//2) -> (..., n)."""
    a, b = _halves(z)
    s = sigmoid(b)
    da = dy * s
    db = 1.0 - s
    db *= a
    db *= da
    return np.concatenate([da, db], axis=-1)


def _hard_silu_derivative(z, y):
    """PyTorch's hardswish backward: 0 below -3, z/3 + 1/2 on [-3, 3], 1 above; (...) -> (...)."""
    d = z / 3.0 + 0.5
    d[z < -3] = 0.0
    d[z > 3] = 1.0
    return d


def _silu_derivative(z, y):
    """s (1 + z (1 - s)) with s = sigmoid(z); (...) -> (...)."""
    s = sigmoid(z)
    return s * (1.0 + z * (1.0 - s))


def _mish_derivative(z, y):
    """t + z (1 - t^2) sigmoid(z) with t = tanh(softplus(z)); (...) -> (...)."""
    t = np.tanh(_softplus(z))
    return t + z * (1.0 - t * t) * sigmoid(z)


# ---------------------------------------------------------------- the Activation object
def _as_float(z):
    """Array view of z; non-float input (ints, bools, lists of ints) becomes float64; (...) -> (...)."""
    z = as_real_array(z, "x")
    return z if z.dtype.kind == "f" else z.astype(np.float64)


class Activation:
    """A named activation: y = f(z) with z (..., n) -> y (..., n) ((..., n//2) for glu), plus derivatives.

    Public facts for whoever explains it: `elementwise` (y_j depends on z_j alone), `halves_last_axis`
    (glu: outputs a_j·σ(b_j) from the two halves of z), `can_die` (the derivative is exactly 0 on a whole
    interval, so a unit can be dead rather than only saturated; True for an unknown callable).
    """

    def __init__(self, name, forward, derivative, backward=None, elementwise=True, halves=False, can_die=False):
        self.name, self.elementwise, self.halves_last_axis, self.can_die = name, elementwise, halves, can_die
        self._f, self._d, self._vjp = forward, derivative, backward

    def __call__(self, z):
        """Forward y = f(z); z (..., n) -> y (..., n), or (..., n//2) for glu."""
        z = _as_float(z)
        if not self.elementwise and z.ndim == 0:  # a scalar is a row of one, as torch's softmax(dim=-1) takes it
            return self._f(z[None])[0]
        if not self.elementwise and z.size == 0:  # an empty batch (or row): no row to reduce over
            shape = z.shape[:-1] + (self.output_units(z.shape[-1]),)
            return np.empty(shape, z.dtype)
        return self._f(z)

    def derivative(self, z, y=None):
        """Elementwise dy/dz, shape of y (Jacobian diagonal if not elementwise; glu: dy/da = sigmoid(b))."""
        z = _as_float(z)
        return self._d(z, self._f(z) if y is None else y)

    def backward(self, z, y, dy):
        """Vector-Jacobian product dL/dz (..., n) from dL/dy (shape of y); y = self(z) (None: recompute)."""
        z, dy = _as_float(z), as_real_array(dy, "dy")
        y = self(z) if y is None else y
        if not self.elementwise and (z.ndim == 0 or z.size == 0):
            if z.ndim == 0:
                return self.backward(z[None], np.asarray(y)[None], dy[None])[0]
            return np.zeros_like(z)
        if self._vjp is not None:
            return self._vjp(z, y, dy)
        d = self._d(z, y)                         # a fresh array: safe to scale in place
        if d.dtype == np.result_type(d, dy) and d.shape == dy.shape:
            return np.multiply(d, dy, out=d)
        return d * dy

    def output_units(self, units):
        """Number of outputs for `units` pre-activations: units, or units // 2 for glu (odd -> ValueError)."""
        if not self.halves_last_axis:
            return units
        if units % 2:
            raise ValueError(f"Activation '{self.name}' halves the last axis, so `units` must be "
                             f"divisible by 2. Received: units={units}")
        return units // 2

    def output_unit(self, unit, units):
        """The output column unit `unit` of `units` feeds: itself, or unit mod units/2 for glu."""
        return unit % self.output_units(units) if self.halves_last_axis else unit

    def unit_pair(self, unit, units):
        """glu: (value unit a, gate unit b) of the output unit `unit` of `units` feeds; (unit, None) otherwise."""
        if not self.halves_last_axis:
            return unit, None
        half = self.output_units(units)
        a = unit % half
        return a, a + half

    def __repr__(self):
        """'<Activation name>'."""
        return f"<Activation {self.name}>"


_SELU_ALPHA = 1.6732632423543772848170429916717   # Keras' backends (the docstring rounds to 1.67326324)
_SELU_SCALE = 1.0507009873554804934193349852946   # ... and to 1.05070098
_ELU_ALPHA = _CELU_ALPHA = 1.0
_LEAKY_SLOPE, _SHRINK, _SQUAREPLUS_B = 0.2, 0.5, 4.0


def _neg_exp(z, alpha=1.0):
    """exp(min(z, 0) / alpha), overflow-free helper of elu/selu/celu; (...) -> (...)."""
    return np.exp(np.minimum(z, 0.0) / alpha)


_E = Activation
_TABLE = [
    _E("celu", lambda z: np.where(z > 0, z, _CELU_ALPHA * np.expm1(np.minimum(z, 0.0) / _CELU_ALPHA)),
       lambda z, y: np.where(z > 0, 1.0, _neg_exp(z, _CELU_ALPHA))),
    _E("elu", lambda z: np.where(z > 0, z, _ELU_ALPHA * np.expm1(np.minimum(z, 0.0))),
       lambda z, y: np.where(z > 0, 1.0, _ELU_ALPHA * _neg_exp(z))),
    _E("exponential", np.exp, lambda z, y: y.copy(), backward=lambda z, y, dy: dy * y),
    _E("gelu", lambda z: z * _phi(z),
       lambda z, y: _phi(z) + z * np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)),
    _E("glu", _glu, lambda z, y: sigmoid(_halves(z)[1]), backward=_glu_vjp, elementwise=False, halves=True),
    _E("hard_shrink", lambda z: np.where(np.abs(z) > _SHRINK, z, 0.0),
       lambda z, y: _pick(np.abs(z) > _SHRINK, z, 1.0), can_die=True),
    _E("hard_sigmoid", lambda z: np.clip(z + 3.0, 0.0, 6.0) / 6.0,
       lambda z, y: _pick((z > -3) & (z < 3), z, 1.0 / 6.0), can_die=True),
    _E("hard_silu", lambda z: z * (np.clip(z + 3.0, 0.0, 6.0) / 6.0), _hard_silu_derivative, can_die=True),
    _E("hard_tanh", lambda z: np.clip(z, -1.0, 1.0), lambda z, y: _pick(np.abs(z) < 1, z, 1.0), can_die=True),
    _E("leaky_relu", lambda z: np.where(z > 0, z, _LEAKY_SLOPE * z),
       lambda z, y: _pick(z > 0, z, 1.0, _LEAKY_SLOPE)),
    _E("linear", lambda z: z, lambda z, y: np.ones_like(z), backward=lambda z, y, dy: dy),
    _E("log_sigmoid", lambda z: -_softplus(-z), lambda z, y: sigmoid(-z)),
    _E("log_softmax", _log_softmax, lambda z, y: -np.expm1(y),
       backward=lambda z, y, dy: dy - np.exp(y) * _rowsum(dy), elementwise=False),
    _E("mish", lambda z: z * np.tanh(_softplus(z)), _mish_derivative),
    _E("relu", lambda z: np.maximum(z, 0.0), lambda z, y: _pick(z > 0, z, 1.0),
       backward=lambda z, y, dy: dy * (z > 0), can_die=True),
    _E("relu6", lambda z: np.clip(z, 0.0, 6.0), lambda z, y: _pick((z > 0) & (z < 6), z, 1.0), can_die=True),
    _E("selu", lambda z: _SELU_SCALE * np.where(z > 0, z, _SELU_ALPHA * np.expm1(np.minimum(z, 0.0))),
       lambda z, y: np.where(z > 0, _SELU_SCALE, (_SELU_SCALE * _SELU_ALPHA) * _neg_exp(z))),
    _E("sigmoid", sigmoid, lambda z, y: (1.0 - y) * y),
    _E("silu", lambda z: z * sigmoid(z), _silu_derivative),
    _E("soft_shrink", lambda z: z - np.clip(z, -_SHRINK, _SHRINK),
       lambda z, y: _pick(np.abs(z) > _SHRINK, z, 1.0), can_die=True),
    _E("softmax", _softmax, lambda z, y: (1.0 - y) * y,
       backward=lambda z, y, dy: (dy - _rowsum(dy * y)) * y, elementwise=False),
    _E("softplus", _softplus, lambda z, y: sigmoid(z)),
    _E("softsign", lambda z: z / (1.0 + np.abs(z)), lambda z, y: 1.0 / np.square(1.0 + np.abs(z))),
    _E("sparse_plus", lambda z: np.where(z >= 1, z, 0.25 * np.square(np.clip(z, -1.0, 1.0) + 1.0)),
       lambda z, y: 0.5 * (np.clip(z, -1.0, 1.0) + 1.0), can_die=True),
    _E("sparse_sigmoid", lambda z: 0.5 * (np.clip(z, -1.0, 1.0) + 1.0),
       lambda z, y: _pick(np.abs(z) < 1, z, 0.5), can_die=True),
    _E("sparsemax", _sparsemax, _sparsemax_diag, backward=_sparsemax_vjp, elementwise=False, can_die=True),
    _E("squareplus", lambda z: 0.5 * (z + np.sqrt(z * z + _SQUAREPLUS_B)),
       lambda z, y: 0.5 * (1.0 + z / np.sqrt(z * z + _SQUAREPLUS_B))),
    _E("tanh", np.tanh, lambda z, y: 1.0 - np.square(y)),
    _E("tanh_shrink", lambda z: z - np.tanh(z), lambda z, y: np.square(np.tanh(z))),
]
_REGISTRY = {act.name: act for act in _TABLE}

# Keras maps these names to the very same function, so Dense(activation="swish") reports "silu".
ALIASES = {"hard_swish": "hard_silu", "swish": "silu"}
# Activations whose derivative is exactly 0 on a whole interval (can_die: the ReLU family and its hard / sparse
# cousins): a unit whose pre-activation stays there for a whole batch is dead. Elsewhere an exact 0 is float
# underflow far out in a tail (float32 sigmoid(20) == 1): such a unit is saturated, not dead.
FLAT_REGION = frozenset(act.name for act in _TABLE if act.can_die)
NAMES = tuple(sorted([*_REGISTRY, *ALIASES]))


def _wrap(fn):
    """Activation around an elementwise callable fn: (...) -> (...); derivative by centred differences."""
    def derivative(z, y):
        """(f(z + h) - f(z - h)) / 2h with h ~ eps^(1/3) max(|z|, 1); (...) -> (...)."""
        h = np.finfo(z.dtype).eps ** (1.0 / 3.0) * np.maximum(np.abs(z), 1.0)
        zp, zm = z + h, z - h
        return (np.asarray(fn(zp)) - np.asarray(fn(zm))) / (zp - zm)
    return Activation(getattr(fn, "__name__", type(fn).__name__), fn, derivative, can_die=True)  # unknown: may die


def get(identifier):
    """None -> linear; a name in NAMES -> Activation; Activation -> itself; callable -> _wrap(callable)."""
    if identifier is None:
        return _REGISTRY["linear"]
    if isinstance(identifier, Activation):
        return identifier
    if isinstance(identifier, str):
        if identifier in _REGISTRY or identifier in ALIASES:
            return _REGISTRY[ALIASES.get(identifier, identifier)]
    elif callable(identifier):
        return _wrap(identifier)
    raise ValueError(f"Could not interpret activation function identifier: {identifier!r}. "
                     f"Expected one of: {', '.join(NAMES)}. Received: activation={identifier!r}")
