"""JupyterHub for a dense_viz course on one machine: every learner gets their own single-user server that opens on the
explainer (Voila), with the notebooks (the two apps and the lessons) in ~/notebooks, one click away in JupyterLab.

    export DENSE_VIZ_HUB_PASSWORD='…'        # the workshop's shared password (8 characters or more)
    jupyterhub -f deploy/jupyterhub/jupyterhub_config.py     # as root, from the folder that keeps the hub's state

What a course gets, and where it is set (deploy/README.md explains the choices):
- sign-in: JupyterHub's SharedPasswordAuthenticator (one password for the class; learners pick a name);
- spawner: SystemdSpawner with dynamic users (no system accounts to create; memory and CPU limits enforced);
- the server: `singleuser.py` beside this file copies the shipped notebooks into ~/notebooks, then starts
  jupyterhub-singleuser, whose default URL is the explainer; the users' environment needs `dense-viz install-config`
  (the template, no tracebacks, stripped sources, idle kernels culled);
- idle servers: jupyterhub-idle-culler as a hub-managed service with only the scopes it needs.
Knobs are environment variables (DENSE_VIZ_HUB_*) so that no secret lives in a file of the repository.
"""
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
c = get_config()  # noqa: F821 (JupyterHub defines it when it loads this file)

# The Voila app is the landing page; JupyterLab (/lab) serves the same folder, so the lessons are one click away.
DEFAULT_URL = "/voila/render/notebooks/explainer.ipynb"
# Per learner: the explainer's seed question holds a 100 × 25600 kernel and its gradients in float64 (a few 20 MB
# arrays) in a ≈ 105 MB kernel; a lesson or the training app in JupyterLab is a second kernel.
MEM_LIMIT, MEM_GUARANTEE = "1G", "512M"
CPU_LIMIT, CPU_GUARANTEE = 1.0, 0.25
# A server with no traffic for this long is stopped (its files stay); the kernels inside it are culled after 10 min
# by the production settings, which is what makes an abandoned browser tab count as idle.
IDLE_TIMEOUT = int(os.environ.get("DENSE_VIZ_HUB_IDLE_TIMEOUT", "1800"))
CULL_EVERY = int(os.environ.get("DENSE_VIZ_HUB_CULL_EVERY", "300"))

# --- who may sign in ---------------------------------------------------------------------------------------------
# One shared password for a workshop (JupyterHub >= 5.3): anyone who has it can sign in under any name, so it fits a
# class in one room, not a course whose learners must be kept apart from each other: use OAuth (below) for that.
c.JupyterHub.authenticator_class = "shared-password"
if not os.environ.get("DENSE_VIZ_HUB_PASSWORD"):
    sys.exit("jupyterhub_config.py: set DENSE_VIZ_HUB_PASSWORD (the class's password, 8 characters or more)")
c.SharedPasswordAuthenticator.user_password = os.environ["DENSE_VIZ_HUB_PASSWORD"]
if os.environ.get("DENSE_VIZ_HUB_ADMINS"):  # the teachers: they sign in with the admin password (32+ characters)
    c.Authenticator.admin_users = set(os.environ["DENSE_VIZ_HUB_ADMINS"].split(","))
    c.SharedPasswordAuthenticator.admin_password = os.environ.get("DENSE_VIZ_HUB_ADMIN_PASSWORD")
c.Authenticator.allow_all = True  # every name signed in with the password is a learner
# Names become system users (SystemdSpawner) and URL parts: lower-case letters, digits, - and _.
c.Authenticator.username_pattern = r"^[a-z][a-z0-9_-]{0,31}$"
# OAuth instead (pip install oauthenticator): the school's accounts, each learner their own.
# c.JupyterHub.authenticator_class = "generic-oauth"   # or "github", "google", "azuread", …
# c.GenericOAuthenticator.client_id = os.environ["OAUTH_CLIENT_ID"]
# c.GenericOAuthenticator.client_secret = os.environ["OAUTH_CLIENT_SECRET"]
# c.GenericOAuthenticator.oauth_callback_url = "https://hub.example.org/hub/oauth_callback"
# c.GenericOAuthenticator.authorize_url = "https://login.example.org/oauth2/authorize"
# c.GenericOAuthenticator.token_url = "https://login.example.org/oauth2/token"
# c.GenericOAuthenticator.userdata_url = "https://login.example.org/oauth2/userinfo"
# c.GenericOAuthenticator.allowed_groups = {"dense-viz-course"}

# --- each learner's server ---------------------------------------------------------------------------------------
# SystemdSpawner (pip install jupyterhub-systemdspawner, the `hub` extra): a transient systemd unit per learner, run
# as a user that systemd allocates for it (home: /var/lib/<name>, kept between sessions); it enforces mem_limit
# (MemoryMax) and cpu_limit (CPUQuota). LocalProcessSpawner would need a system account per learner and enforces
# neither limit.
c.JupyterHub.spawner_class = "systemd"
c.SystemdSpawner.dynamic_users = True
c.SystemdSpawner.isolate_tmp = True
c.SystemdSpawner.isolate_devices = True
c.SystemdSpawner.disable_user_sudo = True
c.Spawner.default_url = DEFAULT_URL
c.Spawner.cmd = [sys.executable, str(HERE / "singleuser.py")]  # the users run the hub's Python environment
c.Spawner.mem_limit, c.Spawner.mem_guarantee = MEM_LIMIT, MEM_GUARANTEE
c.Spawner.cpu_limit, c.Spawner.cpu_guarantee = CPU_LIMIT, CPU_GUARANTEE
c.Spawner.environment = {"OPENBLAS_NUM_THREADS": "1"}  # one BLAS thread per kernel: many kernels share the cores
c.Spawner.start_timeout = 120  # a class signing in at once on a small machine
c.Spawner.http_timeout = 120

# --- idle servers are stopped ------------------------------------------------------------------------------------
c.JupyterHub.services = [{
    "name": "idle-culler",
    "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={IDLE_TIMEOUT}",
                f"--cull-every={CULL_EVERY}"],
}]
c.JupyterHub.load_roles = [{
    "name": "idle-culler",
    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
    "services": ["idle-culler"],
}]

# --- the hub's pages ---------------------------------------------------------------------------------------------
# The home page (/hub/home) links to the app and to the notebooks in JupyterLab, beside "My Server".
c.JupyterHub.template_paths = [str(HERE / "templates")]
c.JupyterHub.template_vars = {"dense_viz_app_url": DEFAULT_URL.lstrip("/"), "dense_viz_lab_url": "lab/tree/notebooks"}
# Serve on all addresses at port 8000 behind a TLS-terminating reverse proxy, or give JupyterHub the certificate:
# c.JupyterHub.bind_url = "https://0.0.0.0:443"
# c.JupyterHub.ssl_cert, c.JupyterHub.ssl_key = "/etc/letsencrypt/live/…/fullchain.pem", "…/privkey.pem"
