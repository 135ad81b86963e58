"""Presets named in the page's URL (Voila passes the query string to the kernel as QUERY_STRING)."""
import logging

from dense_viz.app.presets import PRESETS, preset_from_url


def test_no_query_gives_the_default():
    assert preset_from_url(default="question", environ={}) == "question"
    assert preset_from_url(environ={"QUERY_STRING": ""}) is None


def test_every_key_and_custom():
    for key in PRESETS:
        assert preset_from_url(default="question", environ={"QUERY_STRING": f"preset={key}"}) == key
    assert preset_from_url(default="question", environ={"QUERY_STRING": "preset=custom"}) is None
    assert preset_from_url(default="question", environ={"QUERY_STRING": "x=1&preset=tiny&y=2"}) == "tiny"


def test_unknown_preset_falls_back_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="dense_viz"):
        assert preset_from_url(default="question", environ={"QUERY_STRING": "preset=nope"}) == "question"
    assert "Received: preset='nope'" in caplog.text
