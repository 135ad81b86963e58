"""Ready-made configurations, each a lesson: short key -> (display name, config with Keras argument names).

A preset sets EVERY configuration trait: the state's defaults overridden by the preset's own values, so
choosing one never keeps a leftover (say, leading_dims) from before. The user can change anything after;
the menu then shows "custom" (`BOOK.current(state)`).
"""
from .presetbook import CUSTOM, PresetBook  # noqa: F401  (CUSTOM is part of this module's API)
from .state import ExplainerState
from ..i18n import N_


PRESETS = {
    "question": (N_("The question: Dense(10*10*256, use_bias=False, input_shape=(100,))"),
                 {"input_dim": 100, "units": 10 * 10 * 256, "use_bias": False, "activation": "linear",
                  "batch_size": 8}),
    "tiny": (N_("Tiny 3 → 2: every number visible"),
             {"input_dim": 3, "units": 2, "activation": "relu", "batch_size": 4}),
    "logistic": (N_("Logistic regression (sigmoid)"),
                 {"input_dim": 8, "units": 1, "activation": "sigmoid", "batch_size": 16}),
    # Inputs like normalised pixels in [-1, 1]; cross-entropy against one-hot classes, as a classifier trains.
    "softmax": (N_("Softmax classifier 784 → 10"),
                {"input_dim": 784, "units": 10, "activation": "softmax", "input_data": "uniform",
                 "batch_size": 8, "loss": "categorical_crossentropy"}),
    "sequence": (N_("Sequence input (32, 5, 8) → 4"),
                 {"input_dim": 8, "leading_dims": (5,), "units": 4, "activation": "relu", "batch_size": 32}),
    # Non-negative (one-hot) inputs and no bias offset: a unit whose incoming weights are all ≤ 0 can never
    # fire on ANY such input. With seed 2, 6 of the 16 units are dead (z ≤ 0, relu' = 0 on every sample).
    "dead_relu": (N_("Dead ReLUs"),
                  {"input_dim": 2, "units": 16, "activation": "relu", "kernel_initializer": "he_normal",
                   "input_data": "one_hot", "batch_size": 8, "seed": 2}),
    # All weights 1: every unit computes z = Σ_k x_k, spread ≈ √4096 = 64. With seed 0 every |z| > 9, where
    # σ'(z) < 1e-4: all 8 units are saturated on every sample and their gradients vanish.
    "saturated_sigmoid": (N_("Saturated sigmoid"),
                          {"input_dim": 4096, "units": 8, "activation": "sigmoid", "kernel_initializer": "ones",
                           "input_data": "random_normal", "batch_size": 8, "seed": 0}),
}


# New weights (the next seed) keep the preset: it is the same lesson with another draw.
BOOK = PresetBook(PRESETS, ExplainerState, ignore=("seed",))
display_names, resolve_preset, state_defaults = BOOK.display_names, BOOK.resolve, BOOK.defaults
preset_config, apply_preset, matching_preset = BOOK.config, BOOK.apply, BOOK.matches
