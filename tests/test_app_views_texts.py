"""Every formula, every number: signs in the sparsemax line, glu's gate outlined, aliases named, the loss card's
penalties."""
from dense_viz.app.readouts import Readouts
from dense_viz.app.state import ExplainerState
from dense_viz.app.views.forward import ForwardView, minus


def test_subtracting_a_negative_threshold_is_written_with_one_sign():
    assert minus(-0.324) == "+ 0.324" and minus(0.324) == "− 0.324"
    state = ExplainerState(activation="sparsemax", units=5, seed=3)
    view = ForwardView(state)
    for unit in range(5):
        state.update(unit=unit)
        view.refresh()
        line = view.info["lines"][-1]
        assert "− −" not in line and "+ −" not in line, line


def test_log_softmax_line_has_no_double_minus():
    state = ExplainerState(activation="log_softmax", units=3)
    view = ForwardView(state)
    view.refresh()
    assert "− −" not in view.info["lines"][-1]


def test_glu_outlines_the_gate_column_too():
    state = ExplainerState(activation="glu", units=6, unit=1)
    view = ForwardView(state)
    view.refresh()
    w_rect, b_rect, z_rect = view._heat.partner
    assert w_rect.get_visible() and w_rect.get_x() == 4 - 0.5 and w_rect.get_linestyle() == "--"
    assert b_rect.get_visible() and b_rect.get_x() == 4 - 0.5
    assert z_rect.get_visible() and (z_rect.get_x(), z_rect.get_y()) == (4 - 0.5, state.sample - 0.5)
    state.update(unit=4, sample=2)           # a gate: its value unit is outlined as the partner
    view.refresh()
    assert w_rect.get_x() == 1 - 0.5 and (z_rect.get_x(), z_rect.get_y()) == (1 - 0.5, 2 - 0.5)
    state.update(activation="relu")
    view.refresh()
    assert not any(rect.get_visible() for rect in (w_rect, b_rect, z_rect))


def test_an_alias_says_so_next_to_its_formula():
    state = ExplainerState(activation="hard_swish")
    view = ForwardView(state)
    view.refresh()
    assert "hard_swish is another name for hard_silu" in view._act_text.value


def test_the_loss_card_says_when_the_value_includes_penalties():
    state = ExplainerState()
    readouts = Readouts(state)
    assert "penalt" not in readouts.texts()["loss_note"]
    state.update(kernel_regularizer="l2")
    readouts.refresh()
    note = readouts.texts()["loss_note"]
    penalty = state.layer.loss_terms["kernel"]
    assert "includes the regularizer penalties kernel" in note and f"{penalty:.4g}" in note
