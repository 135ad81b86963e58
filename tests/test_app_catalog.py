"""The catalog covers every name the engine's registries (and the app's menus) hold, and nothing else."""
from dense_viz.app import catalog
from dense_viz.app.state import LOSSES
from dense_viz.engine import activations


def test_every_activation_has_a_formula_and_a_pytorch_equivalent():
    assert set(catalog.ACTIVATIONS) == set(activations.NAMES)
    for name, entry in catalog.ACTIVATIONS.items():
        assert entry["formula"] and entry["torch"], name
        assert catalog.activation_formula(name) == entry["formula"]   # English: the lookup is the identity


def test_aliases_say_what_their_target_says():
    for alias, target in activations.ALIASES.items():
        assert catalog.ACTIVATIONS[alias] == catalog.ACTIVATIONS[target]


def test_every_loss_of_the_app_has_a_note_and_a_formula():
    assert set(catalog.LOSSES) == set(LOSSES)
    for name in LOSSES:
        assert catalog.loss_text(name, "note") and catalog.loss_text(name, "formula").startswith("L = ")


def test_torch_equivalents_split_code_from_comment():
    assert catalog.torch_activation("relu") == ("torch.relu(z)", "")
    expr, note = catalog.torch_activation("leaky_relu")
    assert expr == "F.leaky_relu(z, negative_slope=0.2)" and "0.2" in note
