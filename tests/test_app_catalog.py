"""The catalog covers every name the engine's registries (and the app's menus) hold, and nothing else."""
import math

import numpy as np
import pytest

from dense_viz.app import catalog
from dense_viz.app.state import LOSSES
from dense_viz.engine import activations


def test_every_activation_has_a_formula_and_a_pytorch_equivalent():
    assert set(catalog.ACTIVATIONS) == set(activations.NAMES)
    for name, entry in catalog.ACTIVATIONS.items():
        assert entry["formula"] and entry["torch"], name
        assert catalog.activation_formula(name) == entry["formula"]   # English: the lookup is the identity


def test_aliases_say_what_their_target_says_and_that_they_are_aliases():
    for alias, target in activations.ALIASES.items():
        assert catalog.ACTIVATIONS[alias]["formula"].startswith(catalog.ACTIVATIONS[target]["formula"])
        assert f"{alias} is an alias of {target}" in catalog.ACTIVATIONS[alias]["formula"]
        assert catalog.ACTIVATIONS[alias]["torch"] == catalog.ACTIVATIONS[target]["torch"]
        assert catalog.alias_note(alias) == f"{alias} is another name for {target}: Keras maps both to the same function."
    assert catalog.alias_note("relu") == ""


# Each elementwise formula of the catalog, transcribed into NumPy as it reads (a check that the words are right).
_PHI = np.vectorize(lambda t: 0.5 * (1 + math.erf(t / math.sqrt(2))))
WRITTEN = {
    "celu": ("z if z > 0 else α·(exp(z/α) − 1), α = 1", lambda z: np.where(z > 0, z, np.exp(z) - 1)),
    "elu": ("z if z > 0 else exp(z) − 1", lambda z: np.where(z > 0, z, np.exp(z) - 1)),
    "exponential": ("exp(z)", np.exp),
    "gelu": ("z·Φ(z)", lambda z: z * _PHI(z)),
    "hard_shrink": ("z if |z| > 0.5 else 0", lambda z: np.where(np.abs(z) > 0.5, z, 0)),
    "hard_sigmoid": ("clip((z + 3) / 6, 0, 1)", lambda z: np.clip((z + 3) / 6, 0, 1)),
    "hard_silu": ("z·clip((z + 3) / 6, 0, 1)", lambda z: z * np.clip((z + 3) / 6, 0, 1)),
    "hard_tanh": ("clip(z, −1, 1)", lambda z: np.clip(z, -1, 1)),
    "leaky_relu": ("z if z > 0 else 0.2·z", lambda z: np.where(z > 0, z, 0.2 * z)),
    "linear": ("z", lambda z: z),
    "log_sigmoid": ("−log(1 + exp(−z))", lambda z: -np.log1p(np.exp(-z))),
    "mish": ("z·tanh(softplus(z))", lambda z: z * np.tanh(np.log1p(np.exp(z)))),
    "relu": ("max(0, z)", lambda z: np.maximum(0, z)),
    "relu6": ("min(max(0, z), 6)", lambda z: np.minimum(np.maximum(0, z), 6)),
    "selu": ("1.0507·(z if z > 0 else 1.6733·(exp(z) − 1))",
             lambda z: 1.0507 * np.where(z > 0, z, 1.6733 * (np.exp(z) - 1))),
    "sigmoid": ("1 / (1 + exp(−z))", lambda z: 1 / (1 + np.exp(-z))),
    "silu": ("z·sigmoid(z)", lambda z: z / (1 + np.exp(-z))),
    "soft_shrink": ("z − 0.5 if z > 0.5, z + 0.5 if z < −0.5, else 0",
                    lambda z: np.where(z > 0.5, z - 0.5, np.where(z < -0.5, z + 0.5, 0))),
    "softplus": ("log(1 + exp(z))", lambda z: np.log1p(np.exp(z))),
    "softsign": ("z / (1 + |z|)", lambda z: z / (1 + np.abs(z))),
    "sparse_plus": ("z if z ≥ 1 else (clip(z, −1, 1) + 1)² / 4",
                    lambda z: np.where(z >= 1, z, (np.clip(z, -1, 1) + 1) ** 2 / 4)),
    "sparse_sigmoid": ("(clip(z, −1, 1) + 1) / 2", lambda z: (np.clip(z, -1, 1) + 1) / 2),
    "squareplus": ("(z + √(z² + 4)) / 2", lambda z: (z + np.sqrt(z * z + 4)) / 2),
    "tanh": ("tanh(z)", np.tanh),
    "tanh_shrink": ("z − tanh(z)", lambda z: z - np.tanh(z)),
}


@pytest.mark.parametrize("name", sorted(WRITTEN))
def test_each_written_formula_computes_what_the_engine_computes(name):
    words, formula = WRITTEN[name]
    assert catalog.ACTIVATIONS[name]["formula"].startswith(words)
    z = np.linspace(-6, 6, 241)
    np.testing.assert_allclose(formula(z), activations.get(name)(z), rtol=1e-4, atol=1e-4)


def test_every_elementwise_activation_has_its_formula_checked():
    elementwise = {n for n in activations.NAMES if activations.get(n).elementwise} - set(activations.ALIASES)
    assert elementwise == set(WRITTEN)


def test_every_loss_of_the_app_has_a_note_and_a_formula():
    assert set(catalog.LOSSES) == set(LOSSES)
    for name in LOSSES:
        assert catalog.loss_text(name, "note") and catalog.loss_text(name, "formula").startswith("L = ")


def test_torch_equivalents_split_code_from_comment():
    assert catalog.torch_activation("relu") == ("torch.relu(z)", "")
    expr, note = catalog.torch_activation("leaky_relu")
    assert expr == "F.leaky_relu(z, negative_slope=0.2)" and "0.2" in note
