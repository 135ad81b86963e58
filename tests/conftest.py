"""Shared test set-up: Jupyter paths in a session temp folder, a Voila server, and a headless Chromium.

Chromium and Playwright live in their own thread (browser.BrowserThread), so Playwright's asyncio loop never
shows in pytest's thread, where the headless app tests expect none. A test that asks for `new_page` runs in
that thread (pytest_pyfunc_call below) and gets pages of its own, closed after it.

Every run points JUPYTER_CONFIG_DIR, JUPYTER_DATA_DIR, JUPYTER_RUNTIME_DIR, IPYTHONDIR and MPLCONFIGDIR at a
fresh temp folder (nothing is written into the home folder, and the user's own Jupyter config cannot leak
in), writes a "python3" kernel spec for the interpreter running the tests, and puts the repo's
share/jupyter (the dense_viz Voila template) on JUPYTER_PATH.
"""
import inspect
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
from browser import BrowserThread, open_page

ROOT = Path(__file__).resolve().parents[1]
APP_NOTEBOOK = "notebooks/explainer.ipynb"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
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


def checkout_env():
    """os.environ with this checkout first on PYTHONPATH: Voila's kernels run in the notebook's folder, where an
    editable install's finder would otherwise import the dense_viz it was installed from (another worktree)."""
    return dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p))


def start_voila(log_path, *extra_args, notebook=APP_NOTEBOOK):
    """Start Voila on a free loopback port serving `notebook` (a path from the repo root) from the repo root (so
    ./voila.json applies); return (process, base URL) once it answers. Stop it with stop_process."""
    port = free_port()
    cmd = [sys.executable, "-m", "voila", notebook, "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
           *extra_args]
    log = open(log_path, "w")
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                            env=checkout_env())
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
    """Base URL of a Voila server for the folder notebooks/ (repo voila.json; the apps are at
    voila/render/explainer.ipynb and voila/render/training.ipynb); stopped with its kernels."""
    proc, url = start_voila(tmp_path_factory.mktemp("voila") / "voila.log", notebook="notebooks")
    yield url
    stop_process(proc)


def find_chromium():
    """Path of a Chromium to drive: $DV_CHROMIUM or the OS package; None means Playwright's own download."""
    for path in (os.environ.get("DV_CHROMIUM"), *CHROMIUM_CANDIDATES):
        if path and Path(path).exists():
            return path
    return None


@pytest.fixture(scope="session")
def browser_thread():
    """A BrowserThread (Playwright + headless Chromium in a worker thread); fails in CI and skips elsewhere when
    no Chromium can be launched."""
    try:
        browser = BrowserThread(find_chromium())
    except Exception as error:
        message = (f"no Chromium to launch for the browser tests ({type(error).__name__}: {error}): set "
                   "DV_CHROMIUM=/path/to/chromium, or install one (`python3 dev.py test` does it: "
                   "`apt-get install chromium` as root, else `python -m playwright install chromium`)")
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)
    yield browser
    browser.close()


@pytest.fixture
def new_page(browser_thread):
    """new_page(url, ready_css, viewport=None, status=200) -> (page, PageEvents): a fresh page on `url` (answered
    with HTTP `status`), once `ready_css` matches; every page it opened is closed after the test."""
    pages = []

    def new(url, ready_css, viewport=None, status=200):
        page, events = browser_thread.run(open_page, browser_thread.context, url, ready_css, viewport, status)
        pages.append(page)
        return page, events
    yield new
    for page in pages:
        browser_thread.run(page.close)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """Run a test that uses `new_page` in the Playwright thread, where its pages live (Playwright's objects must
    be used from the thread that made them)."""
    if "new_page" not in pyfuncitem.fixturenames:
        return None
    test = pyfuncitem.obj
    args = {name: pyfuncitem.funcargs[name] for name in inspect.signature(test).parameters}
    pyfuncitem.funcargs["browser_thread"].run(test, **args)
    return True


@pytest.fixture(scope="session")
def artifacts_dir():
    """test-artifacts/ at the repo root (gitignored): screenshots of the app."""
    path = ROOT / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


def start_app_server(log_path, *extra_args):
    """`dense-viz app` (the shipped voila.json and template, one notebook) on a free loopback port, with
    `extra_args`; returns (process, base URL) once a static file answers. Stop it with stop_process."""
    port = free_port()
    cmd = [sys.executable, "-m", "dense_viz.cli", "app", f"--port={port}", *extra_args]
    log = open(log_path, "w")
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                            env=checkout_env())
    log.close()
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for_http(url + "voila/templates/base/static/voila.js", proc)
    except Exception as exc:
        stop_process(proc)
        raise RuntimeError(f"{exc}\n--- voila log ---\n{Path(log_path).read_text()[-4000:]}") from None
    return proc, url


def kernel_pids(server_pid):
    """{pid: kernel id} of the ipykernel processes the server `server_pid` started (Linux /proc)."""
    import re
    found = {}
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cmd = (proc / "cmdline").read_bytes().decode(errors="replace")
            status = (proc / "status").read_text()
        except OSError:
            continue
        ppid = re.search(r"^PPid:\s+(\d+)", status, re.M)
        match = re.search(r"kernel-([0-9a-f-]{36})\.json", cmd)
        if "ipykernel" in cmd and ppid and int(ppid.group(1)) == server_pid and match:
            found[int(proc.name)] = match.group(1)
    return found
