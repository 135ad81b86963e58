"""Reading untrusted files: one refusal type, a size limit, the format from the content, a guarded zip.

Nothing is ever written to disk: a file is read into memory (at most `max_bytes`) and parsed from there.
"""
import importlib
import io
import os
import re
import zipfile
from contextlib import contextmanager
from pathlib import Path

from ..engine.sequential import readable_memory_size

MAX_BYTES = 200 * 2**20
EXTRA = "dense_viz[import]"
MAX_MEMBERS = 10_000
MAX_RATIO = 1100  # above DEFLATE's ~1032:1 ceiling: only a crafted (or bzip2/lzma) member gets there
_EXTENSIONS = {".keras": "keras", ".h5": "h5", ".hdf5": "h5", ".pt": "torch", ".pth": "torch",
               ".safetensors": "safetensors", ".npz": "npz"}
_CONTENT = {"keras": ("zip",), "h5": ("hdf5",), "torch": ("zip", "pickle"), "safetensors": ("safetensors",),
            "npz": ("zip",)}


class FileRefused(ValueError):
    """A file dense_viz will not read; the message says what was expected and what was received."""


def _size(n):
    """A file size as the messages say it: '1,000 bytes' under 1 KB, else Keras' '9.77 MB' (never '0.0 MB')."""
    return f"{n:,} bytes" if n < 1024 else readable_memory_size(n)


def load_bytes(source, name=None, max_bytes=MAX_BYTES):
    """(bytes, file name) from a path, bytes or a binary file object, refusing more than `max_bytes`."""
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes <= 0:
        raise ValueError(f"Received an invalid value for `max_bytes`, expected a positive integer. "
                         f"Received: max_bytes={max_bytes!r}")
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise FileRefused(f"Expected a path to an existing file. Received: path={str(path)!r}")
        size = path.stat().st_size
        if size > max_bytes:
            raise FileRefused(f"The file is too large: expected at most {_size(max_bytes)} (max_bytes={max_bytes}). "
                              f"Received: {_size(size)} ({path.name})")
        with path.open("rb") as f:
            data = f.read(max_bytes + 1)
        name = name or path.name
    elif isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif hasattr(source, "read"):
        data = source.read(max_bytes + 1)
        name = name or getattr(source, "name", None)
    else:
        raise FileRefused(f"Expected a path (str or pathlib.Path), bytes or a binary file object. "
                          f"Received: {type(source).__name__}")
    if not isinstance(data, bytes):
        raise FileRefused(f"Expected bytes from the file object. Received: {type(data).__name__}")
    if len(data) > max_bytes:
        raise FileRefused(f"The file is too large: expected at most {_size(max_bytes)} (max_bytes={max_bytes}). "
                          f"Received: more than that ({name or 'uploaded bytes'})")
    return data, (str(name) if name else None)


def content_kind(data):
    """'zip', 'hdf5', 'safetensors', 'pickle', 'npy' or None, from the first bytes."""
    if data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    if data[:8] == b"\x89HDF\r\n\x1a\n":
        return "hdf5"
    if data[:6] == b"\x93NUMPY":
        return "npy"
    if len(data) >= 2 and data[0] == 0x80 and data[1] <= 5:
        return "pickle"
    if len(data) > 9 and data[8:9] == b"{" and int.from_bytes(data[:8], "little") <= len(data) - 8:
        return "safetensors"
    return None


def extension_format(name):
    """The format its name says ('keras', 'h5', 'torch', 'safetensors', 'npz'), None without a known ending."""
    return _EXTENSIONS.get(Path(name).suffix.lower()) if name else None


def file_format(data, name):
    """The reader to use: the name's format when the content agrees, else the content's; else FileRefused."""
    kind, said = content_kind(data), extension_format(name)
    if name and said is None:
        raise FileRefused(f"Expected a file ending in one of {', '.join(_EXTENSIONS)}. Received: {name!r}")
    if said is not None:
        if kind not in _CONTENT[said]:
            raise FileRefused(f"The file's name says {said!r}, but its content is {kind or 'not a known format'} "
                              f"(a wrong, renamed or damaged file). Expected {' or '.join(_CONTENT[said])} data. "
                              f"Received: {name!r}")
        return said
    if kind == "hdf5":
        return "h5"
    if kind in ("safetensors",):
        return kind
    if kind == "pickle":
        return "torch"
    if kind == "zip":
        names = open_zip(data).namelist()
        if "config.json" in names:
            return "keras"
        if any(n.endswith("data.pkl") for n in names):
            return "torch"
        return "npz"
    raise FileRefused(f"Expected a Keras (.keras, .h5), PyTorch (.pt, .pth), .safetensors or .npz file. "
                      f"Received: {len(data)} bytes of unknown content")


def _unsafe_name(name):
    """True for absolute member names, drive letters and '..' components."""
    parts = re.split(r"[\\/]", name)
    return name.startswith(("/", "\\")) or ".." in parts or bool(re.match(r"^[A-Za-z]:", name))


def open_zip(data, max_bytes=MAX_BYTES):
    """A ZipFile over `data` after the guards: member count, names, encryption, sizes, ratio, overlaps."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError, OSError) as error:
        raise FileRefused(f"Expected a readable zip archive. Received: a damaged or truncated one ({error})") from None
    if len(members) > MAX_MEMBERS:
        raise FileRefused(f"Refusing the archive: expected at most {MAX_MEMBERS} members. Received: {len(members)}")
    offsets, total = set(), 0
    for info in members:
        if _unsafe_name(info.filename):
            raise FileRefused(f"Refusing the archive: expected relative member names. Received: {info.filename!r} "
                              "(absolute or with '..', it would point outside the archive)")
        if info.flag_bits & 0x1:
            raise FileRefused(f"Refusing the archive: expected unencrypted members. Received: {info.filename!r}")
        if info.header_offset in offsets:
            raise FileRefused("Refusing the archive: two members share the same data (a zip bomb's trick). "
                              f"Received: {info.filename!r}")
        offsets.add(info.header_offset)
        total += info.file_size
        if info.file_size > 2**20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise FileRefused(f"Refusing the archive: member {info.filename!r} would expand {info.file_size} bytes "
                              f"from {info.compress_size} (more than {MAX_RATIO}:1, a zip bomb)")
    if total > max_bytes:
        raise FileRefused(f"Refusing the archive: expected at most {max_bytes} bytes unpacked (max_bytes). "
                          f"Received: members that unpack to {total} bytes")
    return archive


def require(module, what):
    """Import an optional reader library, or refuse naming the extra that installs it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise FileRefused(f"Reading {what} needs the `{module}` package: install it with "
                          f"`pip install '{EXTRA}'`. Received: {module} is not installed") from None


@contextmanager
def malformed(what, name):
    """Turn any error of a parser on untrusted bytes into FileRefused naming the file; ours pass through."""
    try:
        yield
    except FileRefused:
        raise
    except Exception as error:  # noqa: BLE001 — the parsers' own errors on bad bytes are many and undocumented
        raise FileRefused(f"Could not read {name or 'the file'} as {what}: it is malformed or truncated "
                          f"({type(error).__name__}: {error})") from None


class Budget:
    """How many bytes of arrays may still be read (a crafted file can declare huge datasets)."""

    def __init__(self, max_bytes):
        self.left = max_bytes

    def take(self, nbytes, what):
        """Spend `nbytes` on `what`, or refuse."""
        if nbytes > self.left:
            raise FileRefused(f"Refusing {what}: its arrays would take more memory than max_bytes allows. "
                              f"Received: {nbytes} bytes with {max(self.left, 0)} left")
        self.left -= nbytes
