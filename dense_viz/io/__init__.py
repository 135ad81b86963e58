"""Layers from files and from live Keras / PyTorch objects; input batches and data sets from files.

    read_layers(path) -> Layers {name: Dense} (model order; .notes: what could not be represented)
    from_framework(obj) -> (Dense or Layers, notes)
    read_batch(path_or_bytes, input_dim) -> x (batch, …, input_dim)
    read_points(path_bytes_or_array) -> engine.datasets.Points (a training set of your own, not yet split)
    read_points_csv(path_or_bytes) -> engine.datasets.Dataset (the same, split train/test)

Imports only NumPy: h5py, safetensors and torch are imported inside the readers that need them (h5py and
safetensors come with the `dense_viz[import]` extra). Every refusal is a `FileRefused` (a ValueError).
"""
from ._files import EXTRA, MAX_BYTES, Budget, FileRefused, file_format, load_bytes, malformed
from .batches import MAX_CLASSES, MIN_POINTS, read_batch, read_points, read_points_csv
from .build import Layers
from .keras_files import read_h5, read_keras
from .live import from_framework
from .tensors import read_npz, read_safetensors, read_torch

_READERS = {"keras": read_keras, "h5": read_h5, "npz": read_npz, "safetensors": read_safetensors,
            "torch": read_torch}
_FORMAT_NAMES = {"keras": "a Keras 3 .keras file", "h5": "a Keras HDF5 file", "npz": "an .npz file",
                 "safetensors": "a .safetensors file", "torch": "a PyTorch state_dict"}


def read_layers(source, *, name=None, max_bytes=MAX_BYTES):
    """{name: Dense} (built, with the file's weights and config) in model order, as a `Layers` with `.notes`.

    `source`: a path (str or pathlib.Path), bytes or a binary file object (`name`: its file name, whose ending
    picks the format; without one the content does). Formats: .keras, .weights.h5 / legacy .h5, .pt / .pth
    (torch.load with weights_only=True), .safetensors, .npz. Files over `max_bytes` are refused.
    """
    data, filename = load_bytes(source, name, max_bytes)
    fmt = file_format(data, filename)
    with malformed(_FORMAT_NAMES[fmt], filename):
        layers = _READERS[fmt](data, Budget(max_bytes))
    if not layers:
        raise FileRefused(f"Expected at least one Dense or Linear layer in {filename or 'the file'}. Received: none"
                          + (f" ({'; '.join(layers.notes)})" if layers.notes else ""))
    return layers


__all__ = ["EXTRA", "MAX_BYTES", "MAX_CLASSES", "MIN_POINTS", "FileRefused", "Layers", "from_framework",
           "read_batch", "read_layers", "read_points", "read_points_csv"]
