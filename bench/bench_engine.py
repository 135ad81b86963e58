"""Dense forward+backward against the bare NumPy floor (the three matmuls x@W, xᵀ@δ, δ@Wᵀ) in the same run.

Prints medians and the ratio layer/floor (target ≤ 1.15: no needless copies or temporaries); if torch is
importable, also the ratio to torch.nn.Linear forward+backward on the same shapes. Prints; never asserts.
"""
import statistics
import time

import numpy as np

from dense_viz import Dense

CASES = [  # (batch, input_dim, units, activation, use_bias)
    (256, 1024, 1024, "relu", True),
    (64, 100, 25600, "linear", False),
]
REPEATS = 40


def median_ms(fn, repeats=REPEATS):
    """Median wall time of fn() in milliseconds, after two warm-up calls."""
    fn(), fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def interleaved(fns, rounds=5):
    """Median of per-round medians for each fn, rounds interleaved so machine noise hits all alike."""
    results = {name: [] for name in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            results[name].append(median_ms(fn, REPEATS // rounds + 4))
    return {name: statistics.median(v) for name, v in results.items()}


def torch_case(batch, n_in, units, activation, use_bias):
    """torch.nn.Linear (+ relu) forward+backward on the same shapes, or None without torch."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(max(1, torch.get_num_threads()))
    linear = torch.nn.Linear(n_in, units, bias=use_bias)
    x = torch.randn(batch, n_in, requires_grad=True)
    dy = torch.randn(batch, units)
    act = torch.relu if activation == "relu" else (lambda t: t)

    def step():
        linear.zero_grad(set_to_none=True)
        x.grad = None
        act(linear(x)).backward(dy)
    return step


def main():
    rng = np.random.default_rng(0)
    print(f"Dense forward+backward vs the three-matmul floor (float32, median of {REPEATS}, ms)")
    print(f"{'case':34} {'floor':>8} {'Dense':>8} {'ratio':>7} {'torch':>8} {'Dense/torch':>12}")
    for batch, n_in, units, activation, use_bias in CASES:
        layer = Dense(units, activation=activation, use_bias=use_bias, seed=0)
        x = rng.standard_normal((batch, n_in)).astype(np.float32)
        dy = rng.standard_normal((batch, units)).astype(np.float32)
        layer(x)
        W = layer.kernel

        def floor():
            x @ W
            x.T @ dy
            dy @ W.T

        def dense():
            layer(x)
            layer.backward(dy)

        fns = {"floor": floor, "dense": dense}
        torch_step = torch_case(batch, n_in, units, activation, use_bias)
        if torch_step:
            fns["torch"] = torch_step
        t = interleaved(fns)
        name = f"{batch}x{n_in}->{units} {activation}{'' if use_bias else ' no bias'}"
        torch_cols = (f"{t['torch']:8.2f} {t['dense'] / t['torch']:12.2f}" if "torch" in t
                      else f"{'n/a':>8} {'n/a':>12}")
        print(f"{name:34} {t['floor']:8.2f} {t['dense']:8.2f} {t['dense'] / t['floor']:7.2f} {torch_cols}")


if __name__ == "__main__":
    main()
