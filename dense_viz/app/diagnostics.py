"""What the Gradients view says about one Dense layer on one batch: unit health and the gradient check's verdict.

The numbers come from the engine (statistics.unit_health, gradcheck.finite_difference_check); this module
adds the per-unit summary the view tabulates and the sentences a learner reads. No widgets, no figures.
"""
import numpy as np

from ..engine import statistics
from ..engine.gradcheck import GRADCHECK_TOLERANCE, agrees
from ..i18n import _


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
    over = (_("all {count:,} samples").format(count=count) if len(batch_shape) == 1
            else _("all {shape} = {count:,} sample positions").format(shape=" × ".join(map(str, batch_shape)),
                                                                       count=count))
    if health["can_die"]:
        dead = _("dead units: {dead:,} of {n:,} (a dead unit has {activation}′(z) = 0 for {over}, so no gradient "
                 "reaches its weights)").format(dead=health["n_dead"], n=n, activation=activation_name, over=over)
    else:
        dead = _("dead units: none possible ({activation}′(z) is never exactly 0)").format(activation=activation_name)
    return _("{dead} · saturated units: {saturated:,} of {n:,} (|dy/dz| < {threshold:g} for {over}, so their "
             "weights barely learn)").format(dead=dead, saturated=health["n_saturated"], n=n, threshold=thr, over=over)


def _short(value):
    """A small positive number in short scientific notation: 3e-9, 2.5e-12; 0 as '0'."""
    if value == 0:
        return "0"
    mantissa, exponent = f"{value:.1e}".split("e")
    return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"


def gradcheck_summary(checks, tolerance=GRADCHECK_TOLERANCE):
    """(ok, one line) for a list of FDCheck: 'analytic and numerical gradients agree to 3e-9 (< 1e-7) …'.

    A gradient so small that finite differences cannot resolve it to `tolerance` (a saturated unit, a
    gradient of 0) agrees when |analytic − numerical| is within the resolution; it is counted apart.
    """
    if not checks:
        return True, _("nothing to check")
    names = sorted({c.param for c in checks}, key=["kernel", "bias", "x"].index)
    what = ", ".join({"kernel": "∂L/∂W", "bias": "∂L/∂b", "x": "∂L/∂x"}[p] for p in names)
    bad = [c for c in checks if not agrees(c, tolerance)]
    if bad:
        worst = max(bad, key=lambda c: c.rel_err)
        return False, _("MISMATCH: relative error {error} (> {tolerance}) at {param}{index}: analytic "
                        "{analytic:.6g}, numerical {numeric:.6g}").format(
            error=_short(worst.rel_err), tolerance=_short(tolerance), param=worst.param, index=list(worst.index),
            analytic=worst.analytic, numeric=worst.numeric)
    exact = [c for c in checks if c.rel_err < tolerance]
    resolution = _short(max(c.resolution for c in checks))
    if not exact:
        return True, _("all {count} entries of {what} agree within the resolution of finite differences "
                       "(|analytic − numerical| ≤ {resolution}): gradients this small (≈ 0) cannot be resolved to "
                       "{tolerance}").format(count=len(checks), what=what, resolution=resolution,
                                             tolerance=_short(tolerance))
    text = _("analytic and numerical gradients agree to {error} (< {tolerance}) on {count} entries of "
             "{what}").format(error=_short(max(c.rel_err for c in exact)), tolerance=_short(tolerance),
                              count=len(exact), what=what)
    if len(exact) < len(checks):
        text += "; " + _("{count} more, too small for that, agree within the differences' resolution "
                         "{resolution}").format(count=len(checks) - len(exact), resolution=resolution)
    return True, text
