"""Ready-made configurations, each a lesson: short key -> (display name, config with Keras argument names).

A preset sets EVERY configuration trait: the state's defaults overridden by the preset's own values, so
choosing one never keeps a leftover (say, leading_dims) from before. The user can change anything after;
the app then shows "custom" (see `matching_preset`).
"""
import logging
import os
from urllib.parse import parse_qs

from .state import CONFIG_TRAITS, ExplainerState

log = logging.getLogger("dense_viz")

CUSTOM = ""  # state.preset when the configuration is the user's own

PRESETS = {
    "question": ("The question: Dense(10*10*256, use_bias=False, input_shape=(100,))",
                 {"input_dim": 100, "units": 10 * 10 * 256, "use_bias": False, "activation": "linear",
                  "batch_size": 8}),
    "tiny": ("Tiny 3 → 2: every number visible",
             {"input_dim": 3, "units": 2, "activation": "relu", "batch_size": 4}),
    "logistic": ("Logistic regression (sigmoid)",
                 {"input_dim": 8, "units": 1, "activation": "sigmoid", "batch_size": 16}),
    # Inputs like normalised pixels in [-1, 1]; cross-entropy against one-hot classes, as a classifier trains.
    "softmax": ("Softmax classifier 784 → 10",
                {"input_dim": 784, "units": 10, "activation": "softmax", "input_data": "uniform",
                 "batch_size": 8, "loss": "categorical_crossentropy"}),
    "sequence": ("Sequence input (32, 5, 8) → 4",
                 {"input_dim": 8, "leading_dims": (5,), "units": 4, "activation": "relu", "batch_size": 32}),
    # Non-negative (one-hot) inputs and no bias offset: a unit whose incoming weights are all ≤ 0 can never
    # fire on ANY such input. With seed 2, 6 of the 16 units are dead (z ≤ 0, relu' = 0 on every sample).
    "dead_relu": ("Dead ReLUs",
                  {"input_dim": 2, "units": 16, "activation": "relu", "kernel_initializer": "he_normal",
                   "input_data": "one_hot", "batch_size": 8, "seed": 2}),
    # All weights 1: every unit computes z = Σ_k x_k, spread ≈ √4096 = 64. With seed 0 every |z| > 9, where
    # σ'(z) < 1e-4: all 8 units are saturated on every sample and their gradients vanish.
    "saturated_sigmoid": ("Saturated sigmoid",
                          {"input_dim": 4096, "units": 8, "activation": "sigmoid", "kernel_initializer": "ones",
                           "input_data": "random_normal", "batch_size": 8, "seed": 0}),
}


def display_names():
    """[(display name, key)] in menu order, for a Dropdown."""
    return [(name, key) for key, (name, _) in PRESETS.items()]


def resolve_preset(name_or_key):
    """A preset's short key from its key or display name; a Keras-style ValueError otherwise."""
    if name_or_key in PRESETS:
        return name_or_key
    for key, (name, _) in PRESETS.items():
        if name_or_key == name:
            return key
    raise ValueError(f"Received an invalid value for `preset`, expected one of the keys {tuple(PRESETS)} "
                     f"or their display names. Received: preset={name_or_key!r}")


def state_defaults():
    """Every configuration trait's default value in ExplainerState, {name: value}."""
    traits = ExplainerState.class_traits()
    return {name: traits[name].default() for name in CONFIG_TRAITS}


def preset_config(key):
    """The complete configuration of preset `key`: the state's defaults overridden by the preset."""
    return {**state_defaults(), **PRESETS[resolve_preset(key)][1]}


def apply_preset(state, key):
    """Set every configuration trait of preset `key` in one recompute; returns False if the state refused."""
    key = resolve_preset(key)
    return state.update(**preset_config(key), preset=key)


def matching_preset(state, key):
    """True when the state's configuration is still preset `key` (the seed may differ: new weights)."""
    if key not in PRESETS:
        return False
    config = preset_config(key)
    return all(getattr(state, name) == value for name, value in config.items() if name != "seed")


def preset_from_url(default=None, environ=None):
    """The preset named in the page's URL, e.g. `…/?preset=tiny`, else `default`; 'custom' -> None (defaults).

    Voila hands the page's query string to the kernel as the environment variable QUERY_STRING; outside Voila
    (JupyterLab, nbclient) there is none and `default` applies. An unknown name falls back to `default` with a
    warning in the log, so a mistyped link still opens the app.
    """
    query = parse_qs((os.environ if environ is None else environ).get("QUERY_STRING", ""))
    name = query.get("preset", [None])[0]
    if name is None:
        return default
    if name in ("custom", CUSTOM):
        return None
    try:
        return resolve_preset(name)
    except ValueError as error:
        log.warning("dense_viz: %s; opening the preset %r instead", error, default)
        return default
