"""Keras 3's int8 scheme for Dense, in NumPy (keras/src/quantizers/quantizers.py, layers/core/dense.py).

A float array is scaled so its largest |value| along `axis` maps to 127, rounded half to even and clipped to
[-127, 127]: `q = clip(round(x * s), -127, 127)` with `s = 127 / (max|x| + 1e-7)`, and `x ≈ q / s`.
`quantize("int8")` does this once to the kernel along axis 0 (one scale per output unit); each call does it to
its inputs along the last axis (one scale per row), multiplies the integers exactly, and divides by both scales.
"""
import numpy as np

MODES = ("int8", "float8", "int4", "gptq", "awq")  # Keras' QUANTIZATION_MODES; dense_viz implements int8
INT8_RANGE = (-127, 127)
EPSILON = 1e-7  # keras.backend.epsilon()


def abs_max_quantize(x, axis, value_range=INT8_RANGE, epsilon=EPSILON):
    """x (...) -> (q int8 (...), scale (... with `axis` kept as 1)) with q / scale ≈ x; scale in x's dtype."""
    x = np.asarray(x)
    scale = (value_range[1] / (np.max(np.abs(x), axis=axis, keepdims=True) + epsilon)).astype(x.dtype)
    q = np.clip(np.round(x * scale), *value_range).astype(np.int8)  # np.round: half to even, as torch.round
    return q, scale


def quantize_kernel(kernel):
    """kernel (in, units) float -> (int8 kernel (in, units), kernel_scale (units,)): per-output-unit abs-max."""
    q, scale = abs_max_quantize(kernel, axis=0)
    return q, scale[0]


def int8_matmul(x, kernel, kernel_scale):
    """x (B, …, in) float, kernel (in, units) int8, kernel_scale (units,) -> (B, …, units) in x's dtype.

    The inputs are quantized per row; the integer product is exact (float64 holds every int32 sum), cast to x's
    dtype, then divided by kernel_scale · inputs_scale, in that order, as Keras' `_int8_call` does.
    """
    xq, x_scale = abs_max_quantize(x, axis=-1)
    product = (xq.astype(np.float64) @ kernel.astype(np.float64)).astype(x.dtype)
    return product / (kernel_scale * x_scale)


def dequantize(kernel, kernel_scale):
    """int8 kernel (in, units) / kernel_scale (units,) -> float kernel (in, units): what Keras' gradient uses."""
    return kernel.astype(kernel_scale.dtype) / kernel_scale
