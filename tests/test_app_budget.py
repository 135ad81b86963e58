"""ExplainerState's one byte budget (issue 11): every array a recompute allocates is estimated and checked before
anything is allocated; the refusal speaks to the person in front of the app."""
import tracemalloc

import numpy as np
import pytest

from dense_viz.app.presets import preset_config
from dense_viz.app.state import DEFAULT_MAX_BYTES, IMAGE_BYTES, ExplainerState

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def peak_of(fn):
    """(result, peak traced bytes) of fn()."""
    tracemalloc.start()
    try:
        result = fn()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_question_preset_fits_comfortably():
    state = ExplainerState(**preset_config("question"))
    parts = state.memory_parts()
    assert state.status_level == "ok"
    assert sum(parts.values()) < DEFAULT_MAX_BYTES / 4 and parts["images"] == IMAGE_BYTES
    kernel = state.layer.kernel.nbytes
    assert 2 * kernel <= parts["kernel and bias with gradients"]  # the kernel and its gradient


def test_a_huge_input_batch_is_refused_before_allocating():
    state = ExplainerState(units=1)
    version = state.arrays_version
    ok, peak = peak_of(lambda: state.update(input_dim=4096, batch_size=512, leading_dims=(150,)))
    assert not ok and peak < 2**20  # nothing near the 1.2 GB batch was allocated
    assert state.status.startswith("Refused: this configuration needs about 4.71 GB (input batch 3.52 GB, "
                                   "dx 1.17 GB); this app's limit is 256 MB. Choose a smaller batch_size, "
                                   "leading_dims, input_dim or units.")
    assert state.leading_dims == () and state.input_dim == 4 and state.arrays_version == version


def test_categorical_crossentropy_on_many_units_builds_no_identity_matrix():
    state = ExplainerState()
    ok, peak = peak_of(lambda: state.update(loss="categorical_crossentropy", units=40_000))
    assert ok, state.status
    assert peak < 64 * 2**20  # np.eye(40000) alone was 6.4 GB
    target = state.target
    assert target.shape == state.y.shape and np.all(target.sum(axis=-1) == 1)


def test_every_estimate_covers_what_the_recompute_allocates():
    configs = [dict(input_dim=512, units=512, batch_size=16, leading_dims=(4,), activation="gelu"),
               dict(input_dim=256, units=1024, batch_size=32, activation="softmax", loss="categorical_crossentropy"),
               dict(input_dim=300, units=300, kernel_initializer="orthogonal", batch_size=2)]
    for config in configs:
        state = ExplainerState()
        ok, peak = peak_of(lambda: state.update(**config))
        assert ok, state.status
        parts = state.memory_parts()
        assert peak <= sum(parts.values()) - parts["images"], (config, peak, parts)


def test_max_bytes_is_the_knob_and_max_kernel_entries_still_limits_the_kernel():
    state = ExplainerState(max_bytes=IMAGE_BYTES + 2**20)
    assert not state.update(input_dim=1000, units=1000)
    assert "this app's limit is 17 MB" in state.status and state.units == 3
    state = ExplainerState(max_kernel_entries=1000)
    assert not state.update(units=300)
    assert state.status.startswith("Refused: a kernel of 4 × 300 = 1,200 entries")
