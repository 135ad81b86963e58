"""Ready-made training set-ups, each a lesson: short key -> (display name, config with Keras argument names).

A preset sets EVERY configuration trait (the state's defaults overridden by the preset), so choosing one never
keeps a leftover from before. The claims in the comments are checked by tests/test_app_training.py.
"""
from ..presetbook import CUSTOM, PresetBook  # noqa: F401  (CUSTOM is part of this module's API)
from .state import TrainingState
from ...i18n import N_


def _stack(n, units, activation, kernel_initializer="glorot_uniform", stddev=0.05):
    """n identical hidden layers."""
    return [{"units": units, "activation": activation, "kernel_initializer": kernel_initializer,
             "stddev": stddev}] * n


PRESETS = {
    # σ' ≤ 1/4: each sigmoid layer shrinks the backward signal. At step 0 the output layer's mean |∂L/∂W| is
    # 10⁴–10⁶ × layer 1's (every seed 0–9), and the loss stays at ln 2 ≈ 0.693 for hundreds of steps.
    "vanishing": (N_("Vanishing gradients: 8 sigmoid layers, glorot init"),
                  {"dataset": "circle", "hidden_layers": _stack(8, 16, "sigmoid"), "optimizer": "adam",
                   "learning_rate": 0.01, "batch_size": 32, "seed": 0}),
    # The same stack with relu and He init keeps the backward signal's scale: the per-layer gradients stay
    # within 10× of each other, and the net learns the circle in a few hundred steps.
    "relu_he": (N_("The same with relu + he_normal"),
                {"dataset": "circle", "hidden_layers": _stack(8, 16, "relu", "he_normal"), "optimizer": "adam",
                 "learning_rate": 0.01, "batch_size": 32, "seed": 0}),
    # N(0, 1) weights in 16-unit relu layers multiply activations by ≈ √8 per layer: |∂L/∂W| ≈ 10⁴ at step 0
    # and plain SGD overflows to inf within a few steps (training pauses and says so).
    "exploding": (N_("Exploding: large random_normal init (stddev 1.0)"),
                  {"dataset": "sine", "noise": 0.1, "hidden_layers": _stack(6, 16, "relu", "random_normal", 1.0),
                   "optimizer": "sgd", "learning_rate": 0.01, "batch_size": 32, "seed": 0}),
    # SGD with learning_rate 3.0 throws biases far negative: within ~50 steps every unit of the last hidden
    # layer is dead (relu' = 0 on every sample), no gradient reaches the layers below, the loss sticks at 0.69.
    "dead_relu": (N_("Dead ReLUs after a too-large learning rate (SGD 3.0)"),
                  {"dataset": "circle", "hidden_layers": _stack(4, 16, "relu", "he_normal"), "optimizer": "sgd",
                   "learning_rate": 3.0, "batch_size": 32, "seed": 0}),
    # 2-4-1 tanh, full batch: the training loss falls below 0.1 after ~110 steps with this seed. (A net this
    # small sometimes settles in a local minimum with one quadrant wrong: seeds 0, 4 and 5 do.)
    "xor": (N_("XOR with one hidden layer of 4"),
            {"dataset": "xor", "noise": 0.02, "hidden_layers": _stack(1, 4, "tanh"), "optimizer": "adam",
             "learning_rate": 0.05, "batch_size": 256, "seed": 1}),
    "spiral3": (N_("Three spirals: softmax over 3 classes, 3 × 32 relu"),
                {"dataset": "spiral3", "noise": 0.05, "hidden_layers": _stack(3, 32, "relu", "he_normal"),
                 "optimizer": "adam", "learning_rate": 0.01, "batch_size": 32, "seed": 0}),
}


BOOK = PresetBook(PRESETS, TrainingState, normalize=TrainingState.normalized)
display_names, resolve_preset, state_defaults = BOOK.display_names, BOOK.resolve, BOOK.defaults
preset_config, apply_preset, matching_preset = BOOK.config, BOOK.apply, BOOK.matches
