"""Ready-made training set-ups, each a lesson: short key -> (display name, config with Keras argument names).

A preset sets every configuration trait (the state's defaults overridden by the preset), so choosing one never
keeps a leftover from before — except `speed`, the pace the learner chose (`TrainingPresetBook`). Each preset
states its claim in one sentence (CLAIMS, shown beside the charts) with a live check: `check_claim(state)`
computes from the state's stats and history whether the claim holds now, with the actual numbers. The claims
are tested in tests/test_app_training.py.
"""
import math

import numpy as np

from ...i18n import N_, _
from ...plots.training import times_ten
from ..presetbook import CUSTOM, PresetBook  # noqa: F401  (CUSTOM is part of this module's API)
from .state import TrainingState
from ...i18n import N_


def _stack(n, units, activation, kernel_initializer="glorot_uniform", stddev=0.05):
    """n identical hidden layers."""
    return [{"units": units, "activation": activation, "kernel_initializer": kernel_initializer,
             "stddev": stddev}] * n


PRESETS = {
    # σ' ≤ 1/4: each sigmoid layer shrinks the backward signal. At step 0 the output layer's mean |∂L/∂W| is
    # 10⁴–10⁷ × layer 1's (every seed 0–9: 9.6·10⁴ … 1.4·10⁷), and the loss stays at ln 2 ≈ 0.693 for
    # hundreds of steps.
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
    # 160 training points are enough to fit the three arms (train accuracy > 90 % by ~600 steps) but too few
    # to pin them down: the test loss bottoms out near step 150 and rises while the train loss falls.
    "spiral3": (N_("Three spirals: softmax over 3 classes, 3 × 32 relu"),
                {"dataset": "spiral3", "noise": 0.05, "hidden_layers": _stack(3, 32, "relu", "he_normal"),
                 "optimizer": "adam", "learning_rate": 0.01, "batch_size": 32, "seed": 0}),
    # 50 noisy training points, 3 × 64 relu: the net memorizes the noise. The test loss is lowest near step 40
    # and then rises (flagged as overfitting by step ~110 for seeds 0–3) while the train loss keeps falling;
    # L2(0.02) on every layer removes the rise (seeds 0–2), early stopping (patience 50) stops near the best test loss.
    "overfitting": (N_("Overfitting: 50 noisy points, 3 × 64 relu"),
                    {"dataset": "circle", "n_samples": 100, "noise": 0.2, "train_fraction": 0.5,
                     "hidden_layers": _stack(3, 64, "relu", "he_normal"), "optimizer": "adam",
                     "learning_rate": 0.01, "batch_size": 32, "seed": 0}),
}


# -- claims, shown beside the charts and checked live --------------------------------------------------------------
def _mean_grads(state):
    """This step's mean |∂L/∂W| per layer (L,), layer 1 first."""
    return np.array([layer["kernel"]["mean_abs"] for layer in state.stats])


def _first_step(state, column, below):
    """The first recorded step at which history[column] < below, or None."""
    values = state.history[column]
    hits = np.flatnonzero(values < below)
    return int(state.history.steps[hits[0]]) if hits.size else None


def _check_vanishing(state):
    g = _mean_grads(state)
    if not (g[0] > 0 and math.isfinite(g[0]) and math.isfinite(g[-1])):
        return None, _("layer 1 gets no finite gradient")
    ratio = g[-1] / g[0]
    return bool(ratio >= 1e3), _("now: the first-layer gradient is {ratio} times smaller than the last layer's; "
                           "loss {loss:.3f}").format(ratio=times_ten(ratio), loss=state.train_loss)


def _check_relu_he(state):
    g = _mean_grads(state)
    ratio = g[-1] / g[0] if g[0] > 0 else math.inf
    return bool(0.1 <= ratio <= 10), _("now: the last layer's gradient is {ratio} × the first layer's; "
                                       "loss {loss:.3g}").format(ratio=times_ten(ratio), loss=state.train_loss)


def _check_exploding(state):
    start = float(np.min(state.history["grad_mean"][0]))
    if not math.isfinite(state.batch_loss):
        return True, _("the loss became {value} at step {step}; at step 0 every layer's mean |∂L/∂W| was ≥ "
                       "{start}").format(value=state.batch_loss, step=state.step, start=times_ten(start))
    return bool(start > 1e3), _("at step 0 every layer's mean |∂L/∂W| was ≥ {start}; the loss is still finite at step "
                          "{step}").format(start=times_ten(start), step=state.step)


def _check_dead_relu(state):
    dead = state.stats[-2]["dead_fraction"]
    return (True if dead == 1.0 else None), _("now: {dead:.0%} of the last hidden layer's units are dead; loss {loss:.3f} "
                          "(ln 2 = 0.693)").format(dead=dead, loss=state.train_loss)


def _check_xor(state):
    reached = _first_step(state, "train_loss", 0.1)
    if reached is not None:
        return True, _("the training loss fell below 0.1 at step {step}").format(step=reached)
    return None, _("not yet: training loss {loss:.3f} at step {step}").format(loss=state.train_loss,
                                                                               step=state.step)


def _check_overfits(state):
    h = state.history
    if state.overfit_step is None:
        return None, _("no overfitting yet: train loss {train:.3g}, test loss {test:.3g} at step {step}").format(
            train=state.train_loss, test=state.test_loss, step=state.step)
    lowest = float(np.nanmin(h["test_loss"]))
    return True, _("overfitting since step {since}: the test loss is {ratio:.2g} × its minimum while the train "
                   "loss fell to {train:.3g}").format(since=state.overfit_step, ratio=state.test_loss / lowest,
                                                       train=state.train_loss)


def _check_spiral3(state):
    numbers = {"train": state.train_accuracy, "test": state.test_accuracy, "step": state.step}
    if state.overfit_step is not None and state.train_accuracy > 0.9:
        return True, _("train accuracy {train:.0%}, test accuracy {test:.0%}; the test loss rises since step "
                       "{since}").format(**numbers, since=state.overfit_step)
    return None, _("not yet: train accuracy {train:.0%}, test accuracy {test:.0%} at step {step}").format(**numbers)


# key -> (the claim in one sentence, check(state) -> (True | False | None: not yet decided, what it measured))
CLAIMS = {
    "vanishing": (N_("σ′ ≤ 1/4, so each sigmoid layer shrinks the backward signal: the first layer's gradient is "
                     "10⁴–10⁷ times smaller than the last layer's, and the loss sits at ln 2 ≈ 0.693 for hundreds "
                     "of steps."), _check_vanishing),
    "relu_he": (N_("relu with He init keeps the backward signal's scale: the last layer's gradient stays within "
                   "10× of the first layer's, and the circle is learned in a few hundred steps."), _check_relu_he),
    "exploding": (N_("N(0, 1) weights multiply the signal at every relu layer: |∂L/∂W| is above 10³ at step 0 and "
                     "plain SGD overflows to inf within a few steps."), _check_exploding),
    "dead_relu": (N_("SGD with learning rate 3.0 throws the biases far negative: within ~50 steps every unit of the "
                     "last hidden layer is dead and the loss sticks at ln 2."), _check_dead_relu),
    "xor": (N_("One hidden layer of 4 tanh units is enough for XOR: the training loss falls below 0.1 after about "
               "110 steps."), _check_xor),
    "spiral3": (N_("3 × 32 relu units fit the three arms (train accuracy above 90 %), but 160 points are too few: "
                   "the test loss starts rising while the train loss still falls."), _check_spiral3),
    "overfitting": (N_("50 noisy points and 3 × 64 relu units: the network memorizes the noise, so the test loss "
                       "rises while the train loss keeps falling. L2 (0.02 per layer) or early stopping cures it."),
                    _check_overfits),
}


def check_claim(state, key):
    """(claim sentence, holds: True | False | None, what was measured) of preset `key` on `state` as it is now."""
    claim, check = CLAIMS[key]
    with np.errstate(all="ignore"):
        holds, measured = check(state)
    return _(claim), holds, measured


class TrainingPresetBook(PresetBook):
    """The presets of the training panel: applying one keeps the learner's `speed` (a pace, not a lesson)."""

    def apply(self, state, key):
        """Set every configuration trait of preset `key` but `speed`, in one update."""
        return state.update(**{name: value for name, value in self.config(key).items() if name not in self.ignore})


BOOK = TrainingPresetBook(PRESETS, TrainingState, ignore=("speed",), normalize=TrainingState.normalized)
display_names, resolve_preset, state_defaults = BOOK.display_names, BOOK.resolve, BOOK.defaults
preset_config, apply_preset, matching_preset = BOOK.config, BOOK.apply, BOOK.matches
