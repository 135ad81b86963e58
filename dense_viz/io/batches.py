"""Your own input: a batch x from `.npy` / `.csv`, and a CSV of 2-D points (or x, y) as a training data set."""
import io
from dataclasses import replace

import numpy as np

from ..engine.datasets import MAX_SAMPLES, Points
from ..engine.layers import format_shape
from ._files import MAX_BYTES, FileRefused, load_bytes, malformed

MIN_POINTS = 4  # as engine.datasets.make's n_samples
MAX_CLASSES = 10  # the decision boundary's colours (plots.training.CLASS_COLORS)


def _table(data, name, max_rows=None):
    """(array, header, line numbers) from .npy bytes, or from CSV text (a header row of names is allowed): a float
    array, the header's names (or None) and the file's line number of each row (None for .npy)."""
    if data[:6] == b"\x93NUMPY":
        with malformed("an .npy array", name):
            array = np.load(io.BytesIO(data), allow_pickle=False)
        if array.dtype.kind not in "fiub":
            raise FileRefused(f"Expected a numeric array. Received: dtype {array.dtype}")
        return array.astype(np.float64 if array.dtype == np.float64 else np.float32), None, None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused(f"Expected an .npy array or CSV text. Received: binary data ({name or 'bytes'})") from None
    numbered = [(i, line.split(",")) for i, line in enumerate(text.splitlines(), 1) if line.strip()]
    lines, rows = [i for i, _cells in numbered], [cells for _i, cells in numbered]
    header = None
    if rows and not all(_is_number(c) for c in rows[0]):
        header, rows, lines = [c.strip() for c in rows[0]], rows[1:], lines[1:]
    if not rows:
        raise FileRefused(f"Expected rows of comma-separated numbers. Received: no data rows ({name or 'bytes'})")
    if max_rows is not None and len(rows) > max_rows:
        raise FileRefused(f"Expected at most {max_rows:,} rows. Received: {len(rows):,} rows ({name or 'bytes'})")
    widths = {len(r) for r in rows}
    if len(widths) != 1 or (header is not None and widths != {len(header)}):
        raise FileRefused(f"Expected every CSV row to have the same number of columns. Received: {sorted(widths)}")
    try:
        array = np.array([[float(c) for c in r] for r in rows])
    except ValueError:
        line, column, cell = next((line, j, c) for line, r in zip(lines, rows) for j, c in enumerate(r, 1)
                                  if not _is_number(c))
        raise FileRefused(f"Expected numbers in every CSV cell. Received: {cell.strip()!r} in line {line}, "
                          f"column {column}") from None
    return array, header, lines


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_batch(source, input_dim, *, name=None, max_bytes=MAX_BYTES, layer_name="dense"):
    """x (batch, …, input_dim) from an .npy or .csv (path, bytes or file object), checked as Keras' InputSpec."""
    data, name = load_bytes(source, name, max_bytes)
    x, _, _ = _table(data, name)
    if x.ndim < 2:
        raise FileRefused(f'Input 0 of layer "{layer_name}" is incompatible with the layer: expected min_ndim=2, '
                          f"found ndim={x.ndim}. Full shape received: {format_shape(x.shape)}")
    if x.shape[-1] != input_dim:
        raise FileRefused(f'Input 0 of layer "{layer_name}" is incompatible with the layer: expected axis -1 of input '
                          f"shape to have value {input_dim}, but received input with shape {format_shape(x.shape)}")
    if not np.all(np.isfinite(x)):
        raise FileRefused("Expected finite numbers in the batch. Received: NaN or infinity")
    return x


def read_points(source, *, label="label", name=None, max_bytes=MAX_BYTES):
    """Your own training points (engine.datasets.Points, not yet split) from a CSV or .npy (path, bytes or file
    object) or a NumPy array: 2-D points plus a `label` column of classes 0, 1, … (binary or multiclass), or two
    columns x, y (regression).

    Without a header, three columns are x1, x2, label and two are x, y; with one, the column named `label` holds
    the classes. Refused (FileRefused, saying what was expected and what was received): other column counts,
    cells that are not numbers, NaN or infinity, fewer than MIN_POINTS or more than datasets.MAX_SAMPLES rows,
    labels that are not class numbers, a single class, more than MAX_CLASSES classes.
    """
    if isinstance(source, (np.ndarray, list, tuple)):
        table = np.asarray(source)
        if table.dtype.kind not in "fiub":
            raise FileRefused(f"Expected a numeric array of points. Received: dtype {table.dtype}")
        table, header, lines, name = table.astype(np.float64), None, None, name or "array"
    else:
        data, name = load_bytes(source, name, max_bytes)
        table, header, lines = _table(data, name, max_rows=MAX_SAMPLES)
    return _points(table, header, lines, label, name or "uploaded")


def _points(table, header, lines, label, name):
    """Points from a parsed table (n, 2 | 3): the checks of read_points, in the order a learner fixes them."""
    if table.ndim != 2 or table.shape[1] not in (2, 3):
        raise FileRefused("Expected a CSV of 2-D points and a label (3 columns: x1, x2, label) or of x, y (2 columns, "
                          f"regression). Received: shape {format_shape(table.shape)}")
    bad = np.argwhere(~np.isfinite(table))
    if len(bad):
        row, column = bad[0]
        where = f"line {lines[row]}" if lines else f"row {row}"
        raise FileRefused(f"Expected finite numbers in the CSV. Received: {table[row, column]} in {where}, column "
                          f"{column + 1}")
    n = len(table)
    if not MIN_POINTS <= n <= MAX_SAMPLES:
        raise FileRefused(f"Expected from {MIN_POINTS} to {MAX_SAMPLES:,} points (rows). Received: {n:,}")
    column = header.index(label) if header and label in header else (2 if table.shape[1] == 3 else None)
    if column is None:
        return Points(name, "regression", table[:, :1], table[:, 1:], None)
    labels = table[:, column]
    x = np.delete(table, column, axis=1)
    if x.shape[1] != 2 or not np.all(labels == np.round(labels)) or labels.min() < 0:
        raise FileRefused(f"Expected 2-D points and a {label!r} column of class numbers 0, 1, …. "
                          f"Received: {x.shape[1]} feature columns, labels from {labels.min():g} to {labels.max():g}")
    classes = np.unique(labels)
    if len(classes) < 2:
        raise FileRefused(f"Expected at least two classes in the {label!r} column. Received: only class "
                          f"{classes[0]:g} ({n:,} points)")
    if labels.max() >= MAX_CLASSES:
        raise FileRefused(f"Expected class numbers from 0 to {MAX_CLASSES - 1} in the {label!r} column (at most "
                          f"{MAX_CLASSES} classes). Received: a label {labels.max():g}")
    n_classes = int(labels.max()) + 1
    if n_classes == 2:
        return Points(name, "binary", x, labels.reshape(-1, 1), 2)
    return Points(name, "multiclass", x, labels.astype(np.int64), n_classes)


def read_points_csv(source, *, label="label", name=None, train_fraction=0.8, seed=0, max_bytes=MAX_BYTES):
    """A Dataset from a CSV: 2-D points plus a `label` column (classes 0, 1, …), or two columns x, y (regression).

    `read_points` (its checks), then split: rows shuffled by `seed` and split train/test by `train_fraction`, as
    engine.datasets.make does. The Dataset's name is the file's stem.
    """
    points = read_points(source, label=label, name=name, max_bytes=max_bytes)
    stem = points.name.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return replace(points, name=stem).split(train_fraction, seed)
