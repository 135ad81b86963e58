"""Diagnostics of one Dense layer on one batch: unit health (dead / saturated) and a finite-difference check.

Pure NumPy on the engine's own objects: no widgets, no figures (the Gradients view and a training panel
both use it). The check runs the engine's forward and backward in float64 on slices of the layer, so
"agrees to 1e-7" means something even though the app computes in float32.
"""
import copy
from collections import namedtuple

import numpy as np

from ..engine import gradcheck, statistics

GRADCHECK_TOLERANCE = 1e-7
# One checked entry: param 'kernel' | 'bias' | 'x', its index, the engine's value, the centred difference, their
# relative error, and the resolution of the difference (both below it: a gradient of ≈ 0, not a mismatch).
FDCheck = namedtuple("FDCheck", "param index analytic numeric rel_err resolution")


# ---------------------------------------------------------------- unit health
def unit_health(activation, z, y, threshold=statistics.SATURATION_THRESHOLD):
    """Dead and saturated output units over a batch; z (B, …, units), y (B, …, out) -> dict of (out,) arrays.

    d = activation.derivative(z, y): dy/dz elementwise; the Jacobian diagonal ∂y_j/∂z_j for softmax,
    log_softmax and sparsemax; for glu (out = units/2) the gate σ(b_j) = ∂y_j/∂a_j of output j, so a glu
    unit is the pair (a_j, b_j) and it saturates when its gate stays closed. Over every sample and leading
    position: dead = d exactly 0 everywhere (only for activations that can die, see
    activations.FLAT_REGION);
    saturated = |d| < threshold everywhere but not dead. Also returns max |d| and the fraction of positions
    where |d| ≥ threshold per unit ("active_fraction"), the counts, and whether the activation can die.
    """
    health = statistics.unit_health(activation, z, y, threshold)
    d, dead, saturated = health["derivative"], health["dead"], health["saturated"]
    return {"dead": dead, "saturated": saturated, "max_derivative": d.max(axis=0).astype(np.float64),
            "active_fraction": (d >= threshold).mean(axis=0), "n_dead": int(dead.sum()),
            "n_saturated": int(saturated.sum()), "units": int(d.shape[1]), "threshold": float(threshold),
            "can_die": activation.can_die}


def health_summary(health, activation_name, batch_shape):
    """One line for a learner: how many units are dead / saturated over a batch of `batch_shape` (B, …)."""
    n, thr = health["units"], health["threshold"]
    count = int(np.prod(batch_shape))
    over = (f"all {count:,} samples" if len(batch_shape) == 1
            else f"all {' × '.join(map(str, batch_shape))} = {count:,} sample positions")
    if health["can_die"]:
        dead = (f"dead units: {health['n_dead']:,} of {n:,} (a dead unit has {activation_name}′(z) = 0 for "
                f"{over}, so no gradient reaches its weights)")
    else:
        dead = f"dead units: none possible ({activation_name}′(z) is never exactly 0)"
    return (f"{dead} · saturated units: {health['n_saturated']:,} of {n:,} (|dy/dz| < {thr:g} for {over}, "
            "so their weights barely learn)")


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
    """A float64 copy of `layer` keeping only kernel[:, columns] (in, k) and bias[columns] (k,).

    Same activation, regularizers and methods (a shallow copy, so a patched class or instance is kept).
    `batch_fraction` = rows of the slice's batch / rows of the full batch, so the activity penalty keeps
    Keras' 1/batch_size; weight_penalties=False drops the kernel and bias penalties (constant in x).
    """
    part = copy.copy(layer)
    part.kernel = np.array(layer.kernel[:, columns], dtype=np.float64)
    part.bias = None if layer.bias is None else np.array(layer.bias[columns], dtype=np.float64)
    part.dtype, part.units = "float64", part.kernel.shape[1]
    part.cache, part.grads, part.dz, part.activity_loss = None, {}, None, None
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
    if activation.output_units(units) != units:
        h = units // 2
        a = j % h
        return [a, a + h], [a], int(j >= h)
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
    numeric = gradcheck.numerical_gradient(loss, values, eps, places)
    return [FDCheck(param, index, float(analytic[p]), float(numeric[p]),
                    gradcheck.relative_error(analytic[p], numeric[p]), resolution)
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


def _short(value):
    """A small positive number in short scientific notation: 3e-9, 2.5e-12; 0 as '0'."""
    if value == 0:
        return "0"
    mantissa, exponent = f"{value:.1e}".split("e")
    return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"


def agrees(check, tolerance=GRADCHECK_TOLERANCE):
    """Relative error below `tolerance`, or |analytic − numerical| within the differences' resolution."""
    return check.rel_err < tolerance or abs(check.analytic - check.numeric) <= check.resolution


def gradcheck_summary(checks, tolerance=GRADCHECK_TOLERANCE):
    """(ok, one line) for a list of FDCheck: 'analytic and numerical gradients agree to 3e-9 (< 1e-7) …'.

    A gradient so small that finite differences cannot resolve it to `tolerance` (a saturated unit, a
    gradient of 0) agrees when |analytic − numerical| is within the resolution; it is counted apart.
    """
    if not checks:
        return True, "nothing to check"
    names = sorted({c.param for c in checks}, key=["kernel", "bias", "x"].index)
    what = ", ".join({"kernel": "∂L/∂W", "bias": "∂L/∂b", "x": "∂L/∂x"}[p] for p in names)
    bad = [c for c in checks if not agrees(c, tolerance)]
    if bad:
        worst = max(bad, key=lambda c: c.rel_err)
        return False, (f"MISMATCH: relative error {_short(worst.rel_err)} (> {_short(tolerance)}) at "
                       f"{worst.param}{list(worst.index)}: analytic {worst.analytic:.6g}, numerical "
                       f"{worst.numeric:.6g}")
    exact = [c for c in checks if c.rel_err < tolerance]
    resolution = _short(max(c.resolution for c in checks))
    if not exact:
        return True, (f"all {len(checks)} entries of {what} agree within the resolution of finite differences "
                      f"(|analytic − numerical| ≤ {resolution}): gradients this small (≈ 0) cannot be "
                      f"resolved to {_short(tolerance)}")
    text = (f"analytic and numerical gradients agree to {_short(max(c.rel_err for c in exact))} "
            f"(< {_short(tolerance)}) on {len(exact)} entries of {what}")
    if len(exact) < len(checks):
        text += (f"; {len(checks) - len(exact)} more, too small for that, agree within the differences' "
                 f"resolution {resolution}")
    return True, text
