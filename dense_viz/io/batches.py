"""Your own input: a batch x from `.npy` / `.csv`, and a CSV of 2-D points as a training data set."""
import io

import numpy as np

from ..engine.datasets import Dataset
from ..engine.layers import format_shape
from ._files import MAX_BYTES, FileRefused, load_bytes, malformed


def _table(data, name):
    """A float array from .npy bytes, or from CSV text (a header row of names is allowed) plus the header."""
    if data[:6] == b"\x93NUMPY":
        with malformed("an .npy array", name):
            array = np.load(io.BytesIO(data), allow_pickle=False)
        if array.dtype.kind not in "fiub":
            raise FileRefused(f"Expected a numeric array. Received: dtype {array.dtype}")
        return array.astype(np.float64 if array.dtype == np.float64 else np.float32), None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused(f"Expected an .npy array or CSV text. Received: binary data ({name or 'bytes'})") from None
    rows = [line.split(",") for line in text.splitlines() if line.strip()]
    header = None
    if rows and not all(_is_number(c) for c in rows[0]):
        header, rows = [c.strip() for c in rows[0]], rows[1:]
    if not rows:
        raise FileRefused(f"Expected rows of comma-separated numbers. Received: no data rows ({name or 'bytes'})")
    widths = {len(r) for r in rows}
    if len(widths) != 1 or (header is not None and widths != {len(header)}):
        raise FileRefused(f"Expected every CSV row to have the same number of columns. Received: {sorted(widths)}")
    try:
        array = np.array([[float(c) for c in r] for r in rows])
    except ValueError as error:
        raise FileRefused(f"Expected numbers in every CSV cell. Received: {error}") from None
    return array, header


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_batch(source, input_dim, *, name=None, max_bytes=MAX_BYTES, layer_name="dense"):
    """x (batch, …, input_dim) from an .npy or .csv (path, bytes or file object), checked as Keras' InputSpec."""
    data, name = load_bytes(source, name, max_bytes)
    x, _ = _table(data, name)
    if x.ndim < 2:
        raise FileRefused(f'Input 0 of layer "{layer_name}" is incompatible with the layer: expected min_ndim=2, '
                          f"found ndim={x.ndim}. Full shape received: {format_shape(x.shape)}")
    if x.shape[-1] != input_dim:
        raise FileRefused(f'Input 0 of layer "{layer_name}" is incompatible with the layer: expected axis -1 of input '
                          f"shape to have value {input_dim}, but received input with shape {format_shape(x.shape)}")
    if not np.all(np.isfinite(x)):
        raise FileRefused("Expected finite numbers in the batch. Received: NaN or infinity")
    return x


def read_points_csv(source, *, label="label", name=None, train_fraction=0.8, seed=0, max_bytes=MAX_BYTES):
    """A Dataset from a CSV: 2-D points plus a `label` column (classes 0, 1, …), or two columns x, y (regression).

    Without a header, three columns are x1, x2, label and two are x, y. Rows are shuffled by `seed` and split
    train/test by `train_fraction`, as engine.datasets.make does.
    """
    data, name = load_bytes(source, name, max_bytes)
    table, header = _table(data, name)
    if table.ndim != 2 or table.shape[1] not in (2, 3):
        raise FileRefused("Expected a CSV of 2-D points and a label (3 columns) or of x, y (2 columns). "
                          f"Received: shape {table.shape}")
    column = header.index(label) if header and label in header else (2 if table.shape[1] == 3 else None)
    if column is None:
        x, y, task, n_classes = table[:, :1], table[:, 1:], "regression", None
    else:
        labels = table[:, column]
        x = np.delete(table, column, axis=1)
        if x.shape[1] != 2 or not np.all(labels == np.round(labels)) or labels.min() < 0:
            raise FileRefused(f"Expected 2-D points and a {label!r} column of class numbers 0, 1, …. "
                              f"Received: {x.shape[1]} feature columns, labels from {labels.min()} to {labels.max()}")
        n_classes = max(int(labels.max()) + 1, 2)
        task = "binary" if n_classes == 2 else "multiclass"
        y = labels.reshape(-1, 1) if task == "binary" else labels.astype(np.int64)
    if not np.all(np.isfinite(table)):
        raise FileRefused("Expected finite numbers in the CSV. Received: NaN or infinity")
    n = len(x)
    order = np.random.default_rng(seed).permutation(n)
    n_train = min(n, max(1, int(round(n * train_fraction))))
    train, test = order[:n_train], order[n_train:]
    stem = (name or "uploaded").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return Dataset(stem, task, x[train], y[train], x[test], y[test], n_classes)
