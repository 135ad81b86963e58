"""Centred finite differences, to check analytic gradients (CS231n style), whole layers or cheap slices of them.

`finite_difference_check` runs the engine's forward and backward in float64 on slices of a layer
(Dense.column_slice), so "agrees to 1e-7" means something even though an app computes in float32.
"""
from collections import namedtuple

import numpy as np

GRADCHECK_TOLERANCE = 1e-7
# One checked entry: param 'kernel' | 'bias' | 'x', its index, the engine's value, the centred difference, their
# relative error, and the resolution of the difference (both below it: a gradient of ≈ 0, not a mismatch).
FDCheck = namedtuple("FDCheck", "param index analytic numeric rel_err resolution")


def relative_error(a, b):
    """max |a - b| / max(|a| + |b|, tiny): 0 for identical arrays, ~1 for unrelated ones."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b)) / max(float(np.max(np.abs(a) + np.abs(b))), 1e-300))


def numerical_gradient(f, x, eps=1e-6, indices=None):
    """d f() / d x by centred differences, perturbing x in place; only at `indices` if given (others 0)."""
    grad = np.zeros_like(x, dtype=np.float64)
    for idx in (np.ndindex(x.shape) if indices is None else indices):
        old = x[idx]
        x[idx] = old + eps
        f_plus = f()
        x[idx] = old - eps
        f_minus = f()
        x[idx] = old
        grad[idx] = (f_plus - f_minus) / (2 * eps)
    return grad


def check_layer(layer, x, dy, eps=1e-6, indices=None):
    """Compare a layer's backward with finite differences of L = Σ dy·layer(x) + Σ layer.losses.

    Returns {'kernel': err, 'bias': err, 'x': err} relative errors; `indices` maps a name to the entries
    to check (all entries when omitted). Runs in the layer's dtype: use float64 for tight checks.
    """
    x = np.array(x, dtype=layer.dtype)
    dy = np.asarray(dy, dtype=layer.dtype)

    def loss():
        return float(np.sum(dy * layer.forward(x), dtype=np.float64) + sum(layer.losses))

    layer.forward(x)
    dx = layer.backward(dy)
    analytic = {"x": dx, **layer.grads}
    params = {"x": x, "kernel": layer.kernel, "bias": layer.bias}
    errors = {}
    for name, grad in analytic.items():
        where = None if indices is None else indices.get(name)
        numeric = numerical_gradient(loss, params[name], eps, where)
        if where is not None:
            where = tuple(np.array(where).T)
            grad, numeric = np.asarray(grad)[where], numeric[where]
        errors[name] = relative_error(grad, numeric)
    layer.forward(x)  # leave the cache as it was before the perturbations
    return errors


# ---------------------------------------------------------------- finite differences on float64 slices
class _Scaled:
    """A regularizer times a constant: a slice of the batch keeps the activity penalty's 1/batch_size."""

    def __init__(self, regularizer, factor):
        self.regularizer, self.factor = regularizer, factor

    def __call__(self, y):
        """factor · penalty(y); y (…) -> float."""
        return self.factor * self.regularizer(y)

    def gradient(self, y):
        """factor · d penalty / dy; (…) -> (…)."""
        return self.factor * self.regularizer.gradient(y)


def float64_slice(layer, columns=slice(None), batch_fraction=1.0, weight_penalties=True):
    """layer.column_slice(columns) in float64: kernel[:, columns] (in, k), bias[columns] (k,), same configuration.

    `batch_fraction` = rows of the slice's batch / rows of the full batch, so the activity penalty keeps
    Keras' 1/batch_size; weight_penalties=False drops the kernel and bias penalties (constant in x).
    """
    part = layer.column_slice(columns, dtype="float64")
    if not weight_penalties:
        part.kernel_regularizer = part.bias_regularizer = None
    if part.activity_regularizer is not None and batch_fraction != 1.0:
        part.activity_regularizer = _Scaled(part.activity_regularizer, batch_fraction)
    return part


def unit_columns(activation, units, j):
    """(kernel columns, output columns, j's place among them) on which L depends through unit j.

    Elementwise: unit j alone. glu: the pair (a, b) = (j mod h, j mod h + h) feeding output j mod h.
    softmax-like: every unit (each output row mixes all of them).
    """
    if activation.halves_last_axis:
        a, b = activation.unit_pair(j, units)
        return [a, b], [a], int(j == b)
    if activation.elementwise:
        return [j], [j], 0
    return slice(None), slice(None), j


def _analytic(part, x, dy, param):
    """The engine's gradient of L = Σ dy·y + Σ losses for `part` (forward + backward): ∂L/∂param."""
    part.forward(x)
    dx = part.backward(dy)
    return dx if param == "x" else part.grads[param]


def _compare(part, x, dy, param, analytic, places, indices, eps):
    """FDCheck per entry: `analytic` vs centred differences of L = Σ dy·y + Σ losses at `places` of `param`.

    Call right after _analytic (its forward is the unperturbed one). The resolution of the differences is
    the rounding of L, ~ macheps · Σ|terms of L| / eps (× 10 margin).
    """
    def loss():
        return float(np.sum(dy * part.forward(x)) + sum(part.losses))

    scale = float(np.sum(np.abs(dy * part.cache.y))) + sum(abs(v) for v in part.losses)
    resolution = float(10.0 * np.finfo(np.float64).eps * max(scale, 1e-300) / eps)
    values = x if param == "x" else getattr(part, param)
    numeric = numerical_gradient(loss, values, eps, places)
    return [FDCheck(param, index, float(analytic[p]), float(numeric[p]),
                    relative_error(analytic[p], numeric[p]), resolution)
            for p, index in zip(places, indices)]


def _pick(rng, size, n, weight=None):
    """Up to n flat indices of an array of `size` entries: of 8n random candidates, those of largest |weight|."""
    count = min(size, 8 * n)
    candidates = rng.choice(size, count, replace=False) if size > count else rng.permutation(size)
    if weight is not None:
        candidates = candidates[np.argsort(-np.abs(weight(candidates)), kind="stable")]
    return candidates[:n]


def _flat_weight(array):
    """A function flat indices -> |array| there (None when there is no array to prefer large entries by)."""
    if array is None:
        return None
    flat = np.asarray(array).reshape(-1)
    return lambda idx: flat[idx]


def _check_weights(layer, param, x64, dy64, n, rng, eps):
    """FDCheck of n entries of ∂L/∂W or ∂L/∂b, each on the float64 slice of the units it feeds."""
    units = layer.kernel.shape[1]
    shape = layer.kernel.shape if param == "kernel" else (units,)
    groups = {}  # slice columns -> (columns, output columns, places in the slice, indices in the layer)
    for flat in _pick(rng, int(np.prod(shape)), n, _flat_weight(layer.grads.get(param))):
        index = tuple(int(v) for v in np.unravel_index(flat, shape))
        cols, out, place = unit_columns(layer.activation, units, index[-1])
        group = groups.setdefault(str(cols), (cols, out, [], []))
        group[2].append(index[:-1] + (place,))
        group[3].append(index)
    checks = []
    for cols, out, places, indices in groups.values():
        part, dy_part = float64_slice(layer, cols), dy64[..., out]
        analytic = _analytic(part, x64, dy_part, param)
        checks += _compare(part, x64, dy_part, param, analytic, places, indices, eps)
    return checks


def _check_input(layer, x64, dy64, n, rng, eps):
    """FDCheck of n entries of ∂L/∂x in one random row (sample i, position …), on that row alone."""
    row = np.unravel_index(int(rng.integers(int(np.prod(x64.shape[:-1])))), x64.shape[:-1])
    part = float64_slice(layer, batch_fraction=1.0 / x64.shape[0], weight_penalties=False)
    x_row, dy_row = x64[row][None, :].copy(), dy64[row][None, :]
    dx_row = _analytic(part, x_row, dy_row, "x")
    ks = _pick(rng, x64.shape[-1], n, lambda idx: dx_row[0, idx])
    places = [(0, int(k)) for k in ks]
    indices = [tuple(int(v) for v in row) + (int(k),) for k in ks]
    return _compare(part, x_row, dy_row, "x", dx_row, places, indices, eps)


def finite_difference_check(layer, x, dy, n=5, rng=None, eps=1e-6):
    """Check n entries each of ∂L/∂W (in, units), ∂L/∂b (units,) and ∂L/∂x (B, …, in) in float64.

    L = Σ dy·y + Σ layer.losses, the function `layer.backward(dy)` differentiates (dy (B, …, out) is ∂loss/∂y,
    so its gradient is the loss's gradient). The analytic value is the engine's backward run in float64 on
    a slice of the layer, the numerical one centred differences of the slice's forward. Cheap for any size:
    an entry W[k, j] or b[j] needs only the units L depends on through unit j (see unit_columns) on the
    whole batch, an entry x[i, …, k] only row (i, …) with every unit. Entries are drawn with `rng`,
    preferring large ones in layer.grads (a relative error is meaningless for a gradient of 0).
    Returns a list of FDCheck(param, index, analytic, numeric, rel_err, resolution), param 'kernel', 'bias'
    or 'x'. Neither the layer nor x is modified.
    """
    rng = np.random.default_rng(0) if rng is None else rng
    x64, dy64 = np.asarray(x, dtype=np.float64), np.asarray(dy, dtype=np.float64)
    checks = _check_weights(layer, "kernel", x64, dy64, n, rng, eps)
    if layer.bias is not None:
        checks += _check_weights(layer, "bias", x64, dy64, n, rng, eps)
    return checks + _check_input(layer, x64, dy64, n, rng, eps)


def agrees(check, tolerance=GRADCHECK_TOLERANCE):
    """Relative error below `tolerance`, or |analytic − numerical| within the differences' resolution."""
    return check.rel_err < tolerance or abs(check.analytic - check.numeric) <= check.resolution
