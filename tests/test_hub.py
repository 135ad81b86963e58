"""deploy/jupyterhub for real: JupyterHub (PyPI) and configurable-http-proxy (npm) on loopback, three learners in Chromium.

The hub runs deploy/jupyterhub/jupyterhub_config.py itself; an overlay (written below) changes only what this machine
needs: loopback ports, the proxy installed by `dev.py test` in .hub-tools/, SimpleLocalProcessSpawner (one account, no
systemd) with homes in a temp folder, the test's Jupyter paths, a short idle timeout, and an API token for the test.
The learners' servers read the production settings that `dense-viz install-config` writes.

Also checked without a hub: deploy/kubernetes/values.yaml against the Zero to JupyterHub chart's own values schema
(vendored in deploy/kubernetes/schema/), and that it says the same as the one-machine config.
"""
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from browser import LOAD_TIMEOUT_MS, UNITS_INPUT, UPDATE_TIMEOUT_MS, PageEvents, set_units
from conftest import free_port, in_ci

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
HUB_CONFIG = DEPLOY / "jupyterhub" / "jupyterhub_config.py"
VALUES = DEPLOY / "kubernetes" / "values.yaml"
SCHEMA = DEPLOY / "kubernetes" / "schema" / "values.schema.yaml"
CHP = ROOT / ".hub-tools" / "node_modules" / ".bin" / "configurable-http-proxy"
APP_PATH = "voila/render/notebooks/explainer.ipynb"
APP_READY = f"{UNITS_INPUT}:not([disabled])"
PASSWORD = "dense-viz-workshop"
LEARNERS = {"ada": 7, "grace": 8, "alan": 9}  # each sets the units field to her/his own number
IDLE_TIMEOUT, CULL_EVERY, ACTIVITY_INTERVAL = 25, 2, 2  # seconds; the hub's own are 1800, 300, 300

OVERLAY = """\
import os
c = get_config()
load_subconfig({config!r})                         # the course's hub, as shipped
c.JupyterHub.spawner_class = "simple"             # one account here: no system users, no systemd
c.SimpleLocalProcessSpawner.home_dir_template = {homes!r}
c.JupyterHub.bind_url = "http://127.0.0.1:{port}"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:{hub_port}"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
c.ConfigurableHTTPProxy.command = [{chp!r}]
c.JupyterHub.last_activity_interval = {activity}  # poll the proxy's traffic often: the idle timeout is short
c.Spawner.environment.update({environment!r})
if os.geteuid() == 0:                              # the single-user server runs as the hub's user here
    c.Spawner.args = ["--allow-root"]
c.JupyterHub.services.append({{"name": "hub-test", "api_token": {token!r}}})
c.JupyterHub.load_roles.append({{"name": "hub-test", "services": ["hub-test"],
                                "scopes": ["list:users", "read:users", "read:servers", "admin:server_state",
                                           "admin:users", "servers"]}})
"""


def need(condition, message):
    """Fail in CI, skip elsewhere, when something the hub test needs is missing."""
    if not condition:
        (pytest.fail if in_ci() else pytest.skip)(f"{message} (`python3 dev.py test` installs it)")


class Hub:
    """A running JupyterHub: its public URL, the test's API token, its log, its process."""

    def __init__(self, url, token, log, proc, homes):
        self.url, self.token, self.log, self.proc, self.homes = url, token, log, proc, homes

    def api(self, path, method="GET", body=None):
        """The hub's REST API as the test's service: (status, parsed JSON or None)."""
        request = urllib.request.Request(f"{self.url}hub/api/{path}", method=method,
                                         data=None if body is None else json.dumps(body).encode(),
                                         headers={"Authorization": f"token {self.token}"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                text = response.read()
                return response.status, json.loads(text) if text else None
        except urllib.error.HTTPError as error:
            return error.code, None
        except OSError:  # not listening (yet)
            return None, None

    def server(self, name):
        """The learner's default server as the API reports it (with its state: the pid), or None."""
        status, user = self.api(f"users/{name}")
        return user["servers"].get("") if status == 200 else None

    def log_text(self):
        return self.log.read_text(errors="replace")


def children(pid):
    """Pids of the direct children of `pid` (the proxy, the idle culler and the learners' servers of the hub)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def stop_hub(proc, timeout=60):
    """SIGTERM the hub (it stops the culler, the learners' servers and the proxy; the culler takes ≈ 10 s); if it
    hangs, SIGKILL it and each process it started, by pid (they run in sessions of their own)."""
    spawned = children(proc.pid)
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        for pid in spawned:
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
        proc.kill()
        proc.wait(10)


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    """A JupyterHub with deploy/jupyterhub's configuration on a free loopback port; stopped with all it started."""
    need(shutil.which("jupyterhub", path=str(Path(sys.executable).parent)), "no jupyterhub in this environment")
    need(CHP.exists(), f"no configurable-http-proxy at {CHP}")
    base = tmp_path_factory.mktemp("hub")
    config_dir = base / "jupyter-config"  # the learners' Jupyter config dir: what `dense-viz install-config` writes
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(config_dir),
               PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
               DENSE_VIZ_HUB_PASSWORD=PASSWORD, DENSE_VIZ_HUB_IDLE_TIMEOUT=str(IDLE_TIMEOUT),
               DENSE_VIZ_HUB_CULL_EVERY=str(CULL_EVERY))
    subprocess.run([sys.executable, "-m", "dense_viz.cli", "install-config", "--user"], env=env, check=True)
    # Test only: the servers ping open websockets every 2 s (not 30), so an open page is traffic the hub sees well
    # inside the 25 s idle timeout. tornado_settings is one dict (a later file replaces it whole): keep the app's.
    installed = json.loads((config_dir / "jupyter_server_config.d" / "dense_viz.json").read_text())
    tornado = {**installed.get("ServerApp", {}).get("tornado_settings", {}), "ws_ping_interval": 2000}
    (config_dir / "jupyter_server_config.json").write_text(json.dumps({"ServerApp": {"tornado_settings": tornado}}))
    port, token = free_port(), secrets.token_hex(16)
    overlay = base / "jupyterhub_config.py"
    overlay.write_text(OVERLAY.format(
        config=str(HUB_CONFIG), homes=str(base / "home" / "{username}"), port=port, hub_port=free_port(),
        api_port=free_port(), chp=str(CHP), activity=ACTIVITY_INTERVAL, token=token,
        environment={"JUPYTER_CONFIG_DIR": str(config_dir), "JUPYTER_PATH": os.environ["JUPYTER_PATH"],
                     "JUPYTERHUB_ACTIVITY_INTERVAL": str(ACTIVITY_INTERVAL)}))  # servers report activity often too
    log = base / "jupyterhub.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(overlay)], cwd=base, env=env,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    hub = Hub(f"http://127.0.0.1:{port}/", token, log, proc, base / "home")
    try:
        deadline = time.monotonic() + 90
        while hub.api("")[0] != 200:
            assert proc.poll() is None, f"jupyterhub exited with {proc.returncode}:\n{hub.log_text()[-4000:]}"
            assert time.monotonic() < deadline, f"jupyterhub did not answer in 90 s:\n{hub.log_text()[-4000:]}"
            time.sleep(0.5)
        yield hub
    finally:
        stop_hub(proc)


def app_problems(events):
    """The page's problems, less one that is not the app's: the hub's spawn-progress event stream, which the
    spawn-pending page's redirect to the app aborts."""
    return [p for p in events.problems if not ("/server/progress" in p and "ERR_ABORTED" in p)]


def share_panel_hub_link(hub, repository, query):
    """The share panel's link for this hub (dense_viz.app.share.hub_link), pulling from the local `repository`."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
    from dense_viz.app.share import hub_link
    link = urlsplit(hub_link({"repository": f"dense-viz/{repository.name}", "ref": "course", "hub": hub.url.rstrip("/")},
                             "explainer.ipynb", query))
    params = dict(parse_qsl(link.query), repo=str(repository))  # in place of https://github.com/dense-viz/dense_viz
    return urlunsplit(link._replace(query=urlencode(params)))


def sign_in(context, hub, name):
    """A page of `context` signed in as `name` with the shared password, once the hub has sent it to its default
    URL and the explainer there is interactive; and the page's PageEvents."""
    page = context.new_page()
    events = PageEvents(page, hub.url)
    page.goto(hub.url + "hub/login")
    page.fill("#username_input", name)
    page.fill("#password_input", PASSWORD)
    page.click("#login_submit")
    page.wait_for_selector(APP_READY, timeout=LOAD_TIMEOUT_MS)
    return page, events


@pytest.mark.hub
@pytest.mark.browser
def test_three_learners_each_land_in_the_app_on_their_own_server(hub, browser_thread, tmp_path):
    """Each learner signs in, lands in the explainer (the default URL) with working readouts, in a kernel of a server
    of their own (its own process, limits and notebooks), and cannot reach another learner's server."""
    from playwright.sync_api import expect
    shipped = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    repository = tmp_path / "dense_viz"  # what the share panel's link names: github.com/<owner>/dense_viz
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(ROOT), str(repository)], check=True)
    subprocess.run(["git", "checkout", "-q", "-B", "course"], cwd=repository, check=True)  # a branch, even if detached

    def scenario():
        contexts, pages = {}, {}
        try:
            for name, units in LEARNERS.items():
                contexts[name] = browser_thread.browser.new_context(viewport={"width": 1280, "height": 900})
                page, events = sign_in(contexts[name], hub, name)
                pages[name] = page
                assert page.url == f"{hub.url}user/{name}/{APP_PATH}"
                expect(page.locator(".dv-output-shape").first).to_have_text("(None, 25600)", timeout=UPDATE_TIMEOUT_MS)
                expect(page.locator(".dv-param-count").first).to_have_text("2,560,000")
                set_units(page, units)
                expect(page.locator(".dv-output-shape").first).to_have_text(f"(None, {units})",
                                                                            timeout=UPDATE_TIMEOUT_MS)
                # The production settings apply under the hub: sources stripped, the offline template (no CDN).
                assert "from dense_viz import explain" not in page.content()
                assert app_problems(events) == [], "\n".join(events.problems)
            kernels = {}
            for name, units in LEARNERS.items():  # every app still shows its own learner's number: no shared state
                expect(pages[name].locator(".dv-output-shape").first).to_have_text(f"(None, {units})")
                response = contexts[name].request.get(f"{hub.url}user/{name}/api/kernels")
                assert response.status == 200, response.status
                kernels[name] = {k["id"] for k in response.json()}
                assert len(kernels[name]) == 1, kernels[name]  # the app's kernel
                for other in LEARNERS:
                    if other != name:  # a learner's cookies open no other learner's server, page or API
                        page = contexts[name].new_page()
                        response = page.goto(f"{hub.url}user/{other}/{APP_PATH}")
                        assert response.status == 403, (name, other, response.status, page.url)
                        assert not page.locator(UNITS_INPUT).count()
                        page.close()
                        api = contexts[name].request.get(f"{hub.url}user/{other}/api/kernels", max_redirects=0)
                        assert api.status in (302, 403), (name, other, api.status)
                        assert api.status == 403 or f"/user/{other}/" not in api.headers.get("location", "")
            assert len(set.union(*kernels.values())) == len(LEARNERS)
            lab = contexts["ada"].new_page()  # the lessons: one click from the hub's home page, in JupyterLab
            lab.goto(hub.url + "hub/home")
            lab.click("#dense-viz-lab")
            for notebook in shipped:  # the file browser lists every notebook (its items' titles name them)
                lab.wait_for_selector(f".jp-DirListing-item[title*='{notebook}']", timeout=LOAD_TIMEOUT_MS)
            assert lab.url.startswith(f"{hub.url}user/ada/lab/tree/notebooks")
            # The share panel's hub link (nbgitpuller) works here: it pulls the repository (a local clone standing in
            # for GitHub) into the learner's home and opens the app there, with the link's preset.
            page = contexts["alan"].new_page()
            page.goto(share_panel_hub_link(hub, repository, "preset=tiny"))
            page.wait_for_selector(APP_READY, timeout=LOAD_TIMEOUT_MS)
            assert page.url.startswith(f"{hub.url}user/alan/voila/render/dense_viz/notebooks/explainer.ipynb")
            expect(page.locator(".dv-output-shape").first).to_have_text("(None, 2)", timeout=UPDATE_TIMEOUT_MS)
        finally:
            for context in contexts.values():
                context.close()

    browser_thread.run(scenario)
    pids = set()
    for name in LEARNERS:
        server = hub.server(name)
        assert server and server["ready"], (name, server)
        pid = server["state"]["pid"]
        pids.add(pid)
        environ = dict(item.split("=", 1) for item in
                       Path(f"/proc/{pid}/environ").read_bytes().decode().split("\0") if "=" in item)
        # The hub's per-learner limits reach the server (SimpleLocalProcessSpawner does not enforce them; the
        # SystemdSpawner and KubeSpawner of the real deployments do).
        assert (environ["MEM_LIMIT"], environ["CPU_LIMIT"]) == (str(1024 ** 3), "1.0")
        assert environ["JUPYTERHUB_USER"] == name and environ["OPENBLAS_NUM_THREADS"] == "1"
        home = hub.homes / name
        assert Path(f"/proc/{pid}/cwd").resolve() == home.resolve()
        assert sorted(p.name for p in (home / "notebooks").glob("*.ipynb")) == shipped  # copied by singleuser.py
    assert len(pids) == len(LEARNERS)


@pytest.mark.hub
def test_an_idle_server_is_culled_by_the_idle_culler_service(hub):
    """A server nobody uses is stopped by jupyterhub-idle-culler (a hub-managed service with its own scopes) once its
    idle timeout (25 s here) has passed."""
    name = "idle"
    assert hub.api(f"users/{name}", "POST")[0] in (201, 409)
    assert hub.api(f"users/{name}/server", "POST")[0] in (201, 202)
    deadline = time.monotonic() + 120
    while not (hub.server(name) or {}).get("ready"):
        assert time.monotonic() < deadline, f"the server did not start:\n{hub.log_text()[-3000:]}"
        time.sleep(1)
    started = time.monotonic()
    while hub.server(name):
        assert time.monotonic() < deadline, f"not culled within 120 s:\n{hub.log_text()[-3000:]}"
        time.sleep(1)
    assert time.monotonic() - started < IDLE_TIMEOUT + 4 * (CULL_EVERY + ACTIVITY_INTERVAL) + 20
    log = hub.log_text()
    assert f"Culling server {name}" in log  # the culler's own log line (its output goes to the hub's)
    assert f"DELETE /hub/api/users/{name}/server (idle-culler@" in log  # with the service's own token


def merged(defaults, values):
    """`values` deep-merged over `defaults`, as Helm merges a values file over a chart's values.yaml."""
    if not (isinstance(defaults, dict) and isinstance(values, dict)):
        return values
    return {**defaults, **{key: merged(defaults.get(key), value) for key, value in values.items()}}


def load_values():
    import yaml
    return yaml.safe_load(VALUES.read_text())


def test_the_kubernetes_values_pass_the_chart_schema():
    """values.yaml over Zero to JupyterHub 4.4.0's defaults validates against its schema (what helm checks first);
    the same schema refuses a misspelt key, so the check has teeth."""
    import jsonschema
    import yaml
    schema = yaml.safe_load(SCHEMA.read_text())
    defaults = yaml.safe_load((SCHEMA.parent / "chart-values.yaml").read_text())
    jsonschema.validate(merged(defaults, load_values()), schema)
    typo = merged(defaults, {"singleuser": {"memory": {"limmit": "1G"}}})
    with pytest.raises(jsonschema.ValidationError, match="limmit"):
        jsonschema.validate(typo, schema)


def test_the_kubernetes_values_say_what_the_one_machine_hub_says(monkeypatch):
    """The same default URL, limits, culling, sign-in and environment on Kubernetes as in jupyterhub_config.py; the
    classes that config names are installed."""
    from importlib.metadata import entry_points
    from traitlets.config.loader import PyFileConfigLoader
    monkeypatch.setenv("DENSE_VIZ_HUB_PASSWORD", PASSWORD)
    for name in ("DENSE_VIZ_HUB_IDLE_TIMEOUT", "DENSE_VIZ_HUB_CULL_EVERY", "DENSE_VIZ_HUB_ADMINS"):
        monkeypatch.delenv(name, raising=False)
    hub = PyFileConfigLoader(HUB_CONFIG.name, str(HUB_CONFIG.parent)).load_config()
    values = load_values()
    user = values["singleuser"]
    assert user["defaultUrl"] == hub.Spawner.default_url == "/" + APP_PATH
    assert (user["memory"]["limit"], user["memory"]["guarantee"]) == (hub.Spawner.mem_limit, hub.Spawner.mem_guarantee)
    assert (user["cpu"]["limit"], user["cpu"]["guarantee"]) == (hub.Spawner.cpu_limit, hub.Spawner.cpu_guarantee)
    assert user["extraEnv"] == hub.Spawner.environment
    (culler,) = hub.JupyterHub.services
    assert f"--timeout={values['cull']['timeout']}" in culler["command"]
    assert f"--cull-every={values['cull']['every']}" in culler["command"]
    (role,) = hub.JupyterHub.load_roles
    assert role["services"] == [culler["name"]]
    assert set(role["scopes"]) == {"list:users", "read:users:activity", "read:servers", "delete:servers"}
    config = values["hub"]["config"]
    assert config["JupyterHub"]["authenticator_class"] == hub.JupyterHub.authenticator_class == "shared-password"
    assert config["Authenticator"] == {"allow_all": hub.Authenticator.allow_all,
                                       "username_pattern": hub.Authenticator.username_pattern}
    assert hub.JupyterHub.authenticator_class in entry_points(group="jupyterhub.authenticators").names
    assert hub.JupyterHub.spawner_class in entry_points(group="jupyterhub.spawners").names
    placeholders = values["scheduling"]["userPlaceholder"]
    assert placeholders["enabled"] and placeholders["replicas"] > 0 and values["scheduling"]["podPriority"]["enabled"]
    assert values["prePuller"]["continuous"]["enabled"] and values["cull"]["enabled"]


def test_the_kubernetes_post_start_hook_copies_the_notebooks_and_keeps_a_learners_own(tmp_path):
    """The postStart command, run in a fresh home: every shipped notebook lands in notebooks/; run again over a
    learner's edited copy, it leaves that copy alone."""
    command = load_values()["singleuser"]["lifecycleHooks"]["postStart"]["exec"]["command"]
    assert command[0] == "python"
    subprocess.run([sys.executable, *command[1:]], cwd=tmp_path, check=True)
    shipped = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert sorted(p.name for p in (tmp_path / "notebooks").glob("*.ipynb")) == shipped
    (tmp_path / "notebooks" / "explainer.ipynb").write_text("{} ")
    subprocess.run([sys.executable, *command[1:]], cwd=tmp_path, check=True)
    assert (tmp_path / "notebooks" / "explainer.ipynb").read_text() == "{} "
