"""Centred finite differences, to check analytic gradients (CS231n style)."""
import numpy as np


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
