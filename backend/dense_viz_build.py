"""The project's build backend: setuptools' own, plus the data files in editable wheels.

setuptools (up to at least 80) leaves `[tool.setuptools.data-files]` out of the wheel it builds for
`pip install -e .`: its editable_wheel command asks the distribution for `has_data()`, a method that does not exist
(the real one is `has_data_files()`), so it skips them. For this project those files are the app's Voila template
(share/jupyter/voila/templates/dense_viz) and the app notebooks; without them, `voila notebooks/explainer.ipynb`
after an editable install finds no template and answers with an empty page that never finishes loading.

`build_editable` here builds setuptools' editable wheel and adds the same `<name>.data/data/...` entries a normal
wheel has (copies: an edit of the template in the checkout needs a reinstall, or JUPYTER_PATH pointing at the
checkout's share/jupyter, which dev.py and the tests set). Everything else is setuptools.build_meta unchanged.
"""
import base64
import glob
import hashlib
import os
import tomllib
import zipfile
from pathlib import Path

from setuptools import build_meta as _setuptools
from setuptools.build_meta import *  # noqa: F401,F403  (every hook this module does not override)


def data_files(project_dir="."):
    """[(target path inside the wheel's data dir, source file)] from pyproject's [tool.setuptools.data-files]."""
    project_dir = Path(project_dir)
    meta = tomllib.loads((project_dir / "pyproject.toml").read_text(encoding="utf-8"))
    table = meta.get("tool", {}).get("setuptools", {}).get("data-files", {})
    found = []
    for target, patterns in table.items():
        for pattern in patterns:
            for source in sorted(glob.glob(str(project_dir / pattern))):
                if Path(source).is_file():
                    found.append((f"{target.strip('/')}/{Path(source).name}", Path(source)))
    return found


def record_line(name, data):
    """A RECORD row: path, sha256 in urlsafe base64 without padding, size (PEP 376 / the wheel spec)."""
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def add_data_files(wheel_path, files):
    """Rewrite `wheel_path` with `files` added under `<dist-info stem>.data/data/` and RECORD updated."""
    wheel_path = Path(wheel_path)
    with zipfile.ZipFile(wheel_path) as old:
        entries = [(info, old.read(info)) for info in old.infolist()]
    record = next(info.filename for info, _data in entries if info.filename.endswith(".dist-info/RECORD"))
    data_dir = record.split("/")[0][: -len(".dist-info")] + ".data/data"
    names = {info.filename for info, _data in entries}
    added = [(f"{data_dir}/{target}", source.read_bytes()) for target, source in files
             if f"{data_dir}/{target}" not in names]
    if not added:
        return
    tmp = wheel_path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as new:
        rows = []
        for info, data in entries:
            if info.filename == record:
                rows = [row for row in data.decode().splitlines() if row]
                continue
            new.writestr(info, data)
        for name, data in added:
            new.writestr(name, data)
            rows.insert(-1 if rows and rows[-1].startswith(record + ",") else len(rows), record_line(name, data))
        new.writestr(record, "\n".join(rows) + "\n")
    os.replace(tmp, wheel_path)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    """setuptools' editable wheel, with the project's data files in it (see the module docstring)."""
    name = _setuptools.build_editable(wheel_directory, config_settings, metadata_directory)
    add_data_files(Path(wheel_directory) / name, data_files())
    return name
