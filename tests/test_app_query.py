"""Links carry the whole state: every key, every bad value, unknown keys, precedence, and round trips."""
from urllib.parse import parse_qs, urlsplit

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dense_viz
from dense_viz.app import presets
from dense_viz.app.query import MAX_QUERY_LENGTH, page_query, read_link
from dense_viz.app.share import binder_links, call_code, deployment, hub_link, server_link
from dense_viz.app.state import ExplainerState
from dense_viz.app.training import explain_training
from dense_viz.app.training import presets as training_presets
from dense_viz.app.training.state import TrainingState, format_layers, parse_layers
from dense_viz.engine import activations, initializers

ISSUE_LINK = ("units=7&activation=tanh&input_dim=5&use_bias=0&leading_dims=5,3&kernel_regularizer=l2"
              "&kernel_regularizer_factor=0.001&seed=3")


def test_the_issues_link_sets_every_key():
    app = dense_viz.explain(query=ISSUE_LINK + "&tab=forward&sample=2&unit=4&position=7")
    s = app.state
    assert (s.units, s.activation, s.input_dim, s.use_bias, s.leading_dims) == (7, "tanh", 5, False, (5, 3))
    assert (s.kernel_regularizer, s.kernel_regularizer_factor, s.seed) == ("l2", 0.001, 3)
    assert app.visible == "forward" and (s.sample, s.unit, s.position) == (2, 4, 7)
    assert s.status_level == "ok" and app.readouts.texts()["output_shape"] == "(None, 5, 3, 7)"


@pytest.mark.parametrize("name", ExplainerState.config_names())
def test_every_configuration_key_is_read_with_its_own_name(name):
    state = ExplainerState()
    value = {"units": 9, "activation": "gelu", "use_bias": False, "kernel_initializer": "he_normal",
             "input_dim": 6, "leading_dims": (2,), "batch_size": 3, "bias_initializer": "ones",
             "kernel_regularizer": "l1", "kernel_regularizer_factor": 0.5, "bias_regularizer": "l2",
             "bias_regularizer_factor": 0.25, "activity_regularizer": "l1l2", "activity_regularizer_factor": 0.125,
             "kernel_constraint": "max_norm", "bias_constraint": "non_neg", "seed": 11, "input_data": "ones",
             "loss": "sum", "lora_rank": 2, "lora_alpha": 4.0, "quantization": "int8"}[name]
    trait = state.traits()[name]
    from dense_viz.app.parsing import text_formatter
    link = read_link(f"{name}={text_formatter(trait)(value)}", ExplainerState, presets.BOOK)
    assert link.settings == {name: value} and not link.warnings


@pytest.mark.parametrize("query, fragment", [
    ("units=1e9", "Received: units='1e9' (1e9 is not an integer)"),
    ("units=2.5", "(2.5 is not an integer)"),
    ("units=", "Received: units='' (empty)"),
    ("units=9**9**9", "too large"),
    ("units=70000", "at most 65536 (this app's limit)"),
    ("use_bias=maybe", "expected one of 1, 0, true, false. Received: use_bias='maybe'"),
    ("leading_dims=5,x", "Received: leading_dims='5,x'"),
    ("kernel_regularizer_factor=-1", "expected a non-negative number"),
    ("kernel_regularizer_factor=abc", "Received: kernel_regularizer_factor='abc'"),
    ("preset=bogus", "Received an invalid value for `preset`"),
    ("color=red", "Unknown key `color` in the link was ignored"),
    ("units=5&units=6", "`units` appears twice"),
])
def test_a_bad_key_is_named_and_the_rest_of_the_link_applies(query, fragment):
    app = dense_viz.explain(preset="tiny", query=f"{query}&activation=tanh")
    assert app.state.status_level == "warning" and fragment in app.state.status
    assert app.state.activation == "tanh"  # the rest of the link applied
    assert app.state.input_dim == 3  # on top of the preset


@pytest.mark.parametrize("query, fragment", [
    ("activation=bogus", "`activation` from the link was not applied: Could not interpret activation"),
    ("input_dim=4096&batch_size=512&leading_dims=150", "`leading_dims` from the link was not applied: Refused"),
    ("tab=nowhere", "Received an invalid value for `tab`"),
    ("sample=99", "Received: sample=99"),
])
def test_values_the_state_refuses_are_named_too(query, fragment):
    app = dense_viz.explain(query=query + "&units=5")
    assert app.state.status_level == "warning" and fragment in app.state.status
    assert app.state.units == 5 and "Now: OK: Dense(5)" in app.state.status


def test_a_link_never_runs_code_and_a_huge_link_is_not_read():
    app = dense_viz.explain(query="units=__import__('os').system('false')")
    assert app.state.units == 3 and "is not allowed" in app.state.status
    app = dense_viz.explain(query="units=5&" + "x" * MAX_QUERY_LENGTH)
    assert app.state.units == 3 and "characters long" in app.state.status


def test_explicit_keys_win_over_the_preset_and_explain_arguments_over_the_link():
    assert dense_viz.explain(query="preset=question&units=300").state.units == 300
    s = dense_viz.explain(query="preset=question&units=300").state
    assert (s.input_dim, s.use_bias) == (100, False)  # the rest of the preset stays
    assert dense_viz.explain(preset="tiny", query="units=300", units=9).state.units == 9
    assert dense_viz.explain(preset="tiny", query="preset=softmax").state.units == 10  # the link's preset wins


def test_page_query_reads_voilas_query_string():
    assert page_query({"QUERY_STRING": "units=7"}) == "units=7" and page_query({}) == ""


@pytest.mark.parametrize("key", list(presets.PRESETS))
def test_every_preset_round_trips_through_its_link(key):
    app = dense_viz.explain(preset=key)
    app.state.update(sample=app.state.batch_size - 1)
    again = dense_viz.explain(query=app.link())
    assert again.state.config() == app.state.config() and again.state.sample == app.state.sample
    np.testing.assert_array_equal(again.state.y, app.state.y)
    np.testing.assert_array_equal(again.state.dz, app.state.dz)
    assert again.link() == app.link() and again.state.status_level == "ok"


configs = st.fixed_dictionaries({
    "units": st.integers(1, 12), "input_dim": st.integers(1, 9), "batch_size": st.integers(1, 6),
    "leading_dims": st.lists(st.integers(1, 3), max_size=2).map(tuple),
    "activation": st.sampled_from([a for a in activations.NAMES if a != "glu"]),
    "use_bias": st.booleans(), "kernel_initializer": st.sampled_from(("glorot_uniform", "he_normal", "ones")),
    "kernel_regularizer": st.sampled_from(("none", "l1", "l2")),
    "kernel_regularizer_factor": st.floats(0, 1, allow_nan=False).map(lambda f: round(f, 6)),
    "seed": st.integers(0, 10_000), "input_data": st.sampled_from(("random_normal", "uniform", "one_hot")),
    "loss": st.sampled_from(("mean_squared_error", "sum")),
})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs)
def test_random_configurations_round_trip_with_identical_numbers(config):
    app = dense_viz.explain(**config)
    again = dense_viz.explain(preset="question", query=app.link())  # as the page does: its default preset
    # is the question's, and a link of custom settings must not inherit it
    assert again.state.config() == app.state.config()
    np.testing.assert_array_equal(again.state.y, app.state.y)
    assert again.state.loss_value == app.state.loss_value


# -- the training app --------------------------------------------------------------------------------------------
def test_the_training_link_sets_its_traits():
    app = explain_training(query="dataset=xor&noise=0.05&layers=16:relu:he_normal,16:relu:he_normal&optimizer=sgd"
                                 "&learning_rate=0.03&batch_size=16&seed=4&n_samples=120&train_fraction=0.5&tab=units")
    s = app.state
    assert (s.dataset, s.noise, s.optimizer, s.learning_rate, s.batch_size, s.seed) == ("xor", 0.05, "sgd", 0.03,
                                                                                         16, 4)
    assert [(l["units"], l["activation"], l["kernel_initializer"]) for l in s.hidden_layers] == \
        [(16, "relu", "he_normal")] * 2
    assert (s.n_samples, s.train_fraction) == (120, 0.5) and app.tabs.selected_index == 1
    assert s.status_level == "ok"


def test_hidden_layers_parse_and_format():
    specs = parse_layers("16:relu:he_normal, 4:tanh:random_normal:0.5,8")
    assert [s["units"] for s in specs] == [16, 4, 8] and specs[1]["stddev"] == 0.5
    assert specs[2]["activation"] == "tanh" and specs[2]["kernel_initializer"] == "glorot_uniform"
    assert parse_layers(format_layers(specs)) == specs
    with pytest.raises(ValueError, match="expected comma-separated layers such as 16:relu:he_normal"):
        parse_layers("16:relu:he_normal:1:0.01:extra")
    with pytest.raises(ValueError, match="Received: l2='extra'"):
        parse_layers("16:relu:he_normal:1:extra")


def test_hidden_layers_carry_l2_in_a_fifth_field_and_old_links_still_read():
    specs = parse_layers("16:relu:he_normal::0.01,8:tanh:random_normal:0.5:0.001,4")
    assert [s["l2"] for s in specs] == [0.01, 0.001, 0.0]
    assert specs[0]["stddev"] == 0.05 and specs[1]["stddev"] == 0.5  # an empty field: the default
    assert format_layers(specs) == "16:relu:he_normal::0.01,8:tanh:random_normal:0.5:0.001,4:tanh:glorot_uniform"
    assert parse_layers(format_layers(specs)) == specs
    assert parse_layers("16:relu:he_normal")[0]["l2"] == 0.0  # a link from before l2
    app = explain_training(query="preset=overfitting&layers=64:relu:he_normal::0.01,64:relu:he_normal::0.01")
    assert [layer.kernel_regularizer.l2 for layer in app.state.model.layers[:2]] == [0.01, 0.01]
    assert app.state.model.layers[-1].kernel_regularizer is None
    again = explain_training(query=app.link())
    assert again.state.config() == app.state.config() and "layers=64%3Arelu" not in app.link()


@pytest.mark.parametrize("text, speed", [("speed=1", 1.0), ("speed=0.5", 0.5), ("speed=max", math.inf),
                                         ("speed=inf", math.inf)])
def test_the_speed_is_in_the_link_and_round_trips(text, speed):
    app = explain_training(query=f"preset=xor&{text}")
    assert app.state.speed == speed and training_presets.BOOK.current(app.state) == "xor"
    link = app.link()
    assert ("speed=" in link) == (speed != TrainingState.class_traits()["speed"].default())
    again = explain_training(query=link)
    assert again.state.speed == speed and again.state.config() == app.state.config()
    bad = explain_training(query="speed=0")
    assert bad.state.status_level == "warning" and "Received: speed='0'" in bad.state.status


def test_early_stopping_is_in_the_link():
    app = explain_training(query="preset=overfitting&early_stopping_patience=50&restore_best_weights=0")
    assert (app.state.early_stopping_patience, app.state.restore_best_weights) == (50, False)
    assert explain_training(query=app.link()).state.config() == app.state.config()
    with pytest.raises(ValueError, match="units of hidden layer 1"):
        parse_layers("x:relu")


@pytest.mark.parametrize("query, fragment", [
    ("layers=16:nope", "Could not interpret activation"), ("layers=999", "from 1 to 256"),
    ("dataset=mnist", "dataset"), ("learning_rate=fast", "Received: learning_rate='fast'"),
    ("hidden_units=3", "Unknown key `hidden_units`"), ("tab=loss", "Received: tab='loss'"),
])
def test_a_bad_training_key_is_named_and_the_rest_applies(query, fragment):
    app = explain_training(query=f"{query}&optimizer=sgd")
    assert app.state.status_level == "warning" and fragment in app.state.status
    assert app.state.optimizer == "sgd"


@pytest.mark.parametrize("key", list(training_presets.PRESETS))
def test_every_training_preset_round_trips(key):
    app = explain_training(preset=key, learning_rate=0.02, speed=2.0)
    assert "speed=2" in app.link()
    again = explain_training(query=app.link())
    assert again.state.config() == app.state.config() and again.link() == app.link()
    app.state.train(3), again.state.train(3)
    np.testing.assert_equal(again.state.train_loss, app.state.train_loss)  # nan for the exploding preset, too


# -- the share panel -------------------------------------------------------------------------------------------
SETTINGS = {"repository": "school/dense_viz", "ref": "v1", "binder": "https://mybinder.org",
            "hub": "https://hub.school.example"}


def test_binder_links_encode_the_query_inside_urlpath():
    voila, lab = binder_links(SETTINGS, "explainer.ipynb", "units=7&tab=forward")
    assert voila.startswith("https://mybinder.org/v2/gh/school/dense_viz/v1?urlpath=")
    assert parse_qs(urlsplit(voila).query) == {"urlpath": ["voila/render/notebooks/explainer.ipynb?units=7&tab=forward"]}
    assert "units%3D7%26tab%3Dforward" in voila  # the query is inside urlpath, not Binder's own
    assert parse_qs(urlsplit(lab).query) == {"urlpath": ["lab/tree/notebooks/explainer.ipynb"]}


def test_the_nbgitpuller_link_pulls_the_repository_and_opens_the_app():
    link = hub_link(SETTINGS, "training.ipynb", "preset=xor")
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "hub.school.example", "/hub/user-redirect/git-pull")
    assert parse_qs(parts.query) == {"repo": ["https://github.com/school/dense_viz"], "branch": ["v1"],
                                     "urlpath": ["voila/render/dense_viz/notebooks/training.ipynb?preset=xor"]}
    assert hub_link({**SETTINGS, "hub": ""}, "training.ipynb", "").startswith("/hub/user-redirect/git-pull?")


def test_settings_come_from_the_file_and_environment_variables_override_them():
    assert deployment({})["repository"] and deployment({})["binder"].startswith("https://")
    assert deployment({"DENSE_VIZ_REPOSITORY": "a/b", "DENSE_VIZ_HUB": "https://h"})["repository"] == "a/b"
    assert deployment({"DENSE_VIZ_HUB": "https://h"})["hub"] == "https://h"


def test_the_server_link_is_the_pages_own_address_with_the_new_query():
    env = {"VOILA_REQUEST_URL": "http://127.0.0.1:8866/voila/render/x.ipynb?preset=tiny"}
    assert server_link("x.ipynb", "units=7", env) == "http://127.0.0.1:8866/voila/render/x.ipynb?units=7"
    assert server_link("x.ipynb", "units=7", {}) is None


def test_the_share_panel_follows_the_state_and_shows_the_notebook_call():
    app = dense_viz.explain(preset="tiny")
    app._share_box.selected_index = 0  # opened: the links are written
    app.state.update(units=7)
    assert "units%3D7" in app.share.links["binder_voila"] and "dv-share" in app.share._dom_classes
    assert "explain(units=7, input_dim=3, batch_size=4)" in app.share._call.value
    assert call_code("explain", ExplainerState(), presets.BOOK.defaults()) == "from dense_viz import explain\nexplain()"
    assert "readonly" in app.share._links.value and "&lt;" not in app.share._links.value


def test_a_hostile_link_is_escaped_in_the_share_panel_and_the_status_line():
    app = dense_viz.explain(query="preset=<img src=x onerror=alert(1)>&tab=<script>")
    app._share_box.selected_index = 0
    assert "<img" not in app.status_line.value and "&lt;img" in app.status_line.value
    assert "<script>" not in app.share._links.value
