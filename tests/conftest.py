"""Shared test set-up: Jupyter paths in a session temp folder, a Voila server, and a headless Chromium.

Every run points JUPYTER_CONFIG_DIR, JUPYTER_DATA_DIR, JUPYTER_RUNTIME_DIR, IPYTHONDIR and MPLCONFIGDIR at a
fresh temp folder (nothing is written into the home folder, and the user's own Jupyter config cannot leak
in), writes a "python3" kernel spec for the interpreter running the tests, and puts the repo's
share/jupyter (the dense_viz Voila template) on JUPYTER_PATH.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APP_NOTEBOOK = "notebooks/explainer.ipynb"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
ENV_VARS = ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR", "MPLCONFIGDIR",
            "JUPYTER_PATH")
_TEMP = {}


def pytest_configure(config):
    """Point every Jupyter/IPython/matplotlib folder at a session temp dir before any test module imports."""
    base = Path(tempfile.mkdtemp(prefix="dense_viz-tests-"))
    _TEMP["base"] = base
    _TEMP["saved"] = {var: os.environ.get(var) for var in ENV_VARS}
    for var in ENV_VARS[:-1]:
        (base / var.lower()).mkdir()
        os.environ[var] = str(base / var.lower())
    spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python 3 (ipykernel)", "language": "python"}  # the interpreter running pytest
    (base / "share" / "kernels" / "python3").mkdir(parents=True)
    (base / "share" / "kernels" / "python3" / "kernel.json").write_text(json.dumps(spec))
    os.environ["JUPYTER_PATH"] = os.pathsep.join([str(base / "share"), str(ROOT / "share" / "jupyter")])


def pytest_unconfigure(config):
    """Restore the environment and remove the session temp dir."""
    for var, value in _TEMP.pop("saved", {}).items():
        if value is None:
            os.environ.pop(var, None)
        else:
            os.environ[var] = value
    if "base" in _TEMP:
        shutil.rmtree(_TEMP.pop("base"), ignore_errors=True)


def in_ci():
    """True on a CI runner (CI=true): a missing browser must fail there, never skip."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_http(url, proc, timeout=60.0):
    """Poll `url` until it answers 200; raise with the server's log if `proc` dies or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"Voila exited with code {proc.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"Voila did not answer {url} within {timeout:.0f} s")


def stop_process(proc, timeout=20.0):
    """SIGTERM `proc` (Voila then shuts its kernels down); if it hangs, kill its whole process group."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # its own session: only Voila and its kernels
            proc.wait(5)


def start_voila(log_path, *extra_args, notebook=APP_NOTEBOOK):
    """Start Voila on a free loopback port serving `notebook` (a path from the repo root) from the repo root (so
    ./voila.json applies); return (process, base URL) once it answers. Stop it with stop_process."""
    port = free_port()
    cmd = [sys.executable, "-m", "voila", notebook, "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
           *extra_args]
    log = open(log_path, "w")
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    log.close()
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for_http(url + "voila/templates/base/static/voila.js", proc)  # a static file: starts no kernel
    except Exception as exc:
        stop_process(proc)
        raise RuntimeError(f"{exc}\n--- voila log ---\n{Path(log_path).read_text()[-4000:]}") from None
    return proc, url


@pytest.fixture(scope="session")
def voila_server(tmp_path_factory):
    """Base URL of a Voila server for notebooks/explainer.ipynb (repo voila.json); stopped with its kernels."""
    log_path = tmp_path_factory.mktemp("voila") / "voila.log"
    proc, url = start_voila(log_path)
    yield url
    stop_process(proc)


def find_chromium():
    """Path of a Chromium to drive: $DV_CHROMIUM, the OS package, else Playwright's own download, else None."""
    for path in (os.environ.get("DV_CHROMIUM"), *CHROMIUM_CANDIDATES):
        if path and Path(path).exists():
            return path
    try:
        from playwright.sync_api import sync_playwright
        with sync_playwright() as pw:
            path = pw.chromium.executable_path
    except Exception:
        return None
    return path if path and Path(path).exists() else None


@pytest.fixture(scope="session")
def chromium():
    """A headless Playwright Chromium Browser; fails in CI and skips elsewhere when none is installed."""
    path = find_chromium()
    if path is None:
        message = ("no Chromium found for the browser tests: set DV_CHROMIUM=/path/to/chromium, or install one "
                   "(`python3 dev.py test` does it: `apt-get install chromium` as root, else "
                   "`python -m playwright install chromium`)")
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright
    pw = sync_playwright().start()
    browser = pw.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
    pw.stop()


@pytest.fixture(scope="session")
def artifacts_dir():
    """test-artifacts/ at the repo root (gitignored): screenshots of the app."""
    path = ROOT / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path
