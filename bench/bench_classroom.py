"""A classroom on one server: N learners open the explainer at once, then each makes 10 changes.

The server is started as `dense-viz app` starts it (the shipped voila.json and template) on 127.0.0.1.
B of the learners are real pages in headless Chromium; the others are light clients that do what the page's
JavaScript does over the same HTTP and websocket endpoints: GET the page (the server runs the notebook for it),
GET /api/kernels/<id>, open /api/kernels/<id>/channels, kernel_info_request, ipywidgets 8's control comm
(request_states: every widget's state), then `update` + `submit` on the units field exactly as the Text
widget's view sends them. Each learner waits until interactive, makes 10 units changes 2-4 s apart (seeded)
and waits for the output-shape readout to show each one. Then every learner leaves: pages navigate away (as a
reload or a closed tab does), light clients POST the shutdown the page sends and close their socket.

Prints: time until interactive (median, p95, max), change -> readout latency (median, p95; also split into the
changes made while other pages still load and those made once everyone is interactive), failures, peak
total and per-kernel RSS, kernels left after the learners left, and (with a short cull timeout) whether the
kernels of learners that vanished without a word are culled. Asserts nothing.

    python3 dev.py bench classroom                       # 20 learners, 3 of them in Chromium
    DV_LEARNERS=30 DV_BROWSERS=5 python3 dev.py bench classroom
    .venv/bin/python bench/bench_classroom.py --learners 20 --browsers 3 [--cull] [-- extra Voila options]
"""
import argparse
import asyncio
import json
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import conftest  # noqa: E402  (Jupyter paths in a temp dir, a kernel spec, free_port, stop_process)
from conftest import kernel_pids  # noqa: E402
from browser import CHROMIUM_ARGS, FIRST_INTERACTIVE_PROBE, UNITS_INPUT  # noqa: E402

CHANGES = 10
UNITS = (25000, 25600, 24000, 12800)  # the question's preset: a (100, units) kernel per change
TIMEOUT = 180.0  # seconds a learner waits for the page (then it counts as a failure)
READOUT_TIMEOUT = 30.0


def p95(values):
    """95th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)] if ordered else float("nan")


def summary(values, unit="s", scale=1.0):
    """'median X, p95 Y, max Z' of `values` (times `scale`)."""
    if not values:
        return "(none)"
    v = [x * scale for x in values]
    return f"median {statistics.median(v):.2f} {unit}, p95 {p95(v):.2f} {unit}, max {max(v):.2f} {unit} (n={len(v)})"


# ------------------------------------------------------------------ kernel processes (Linux /proc)
def status_kb(pid, field):
    """A /proc/<pid>/status field in kB (VmRSS, VmHWM), or 0 when the process is gone."""
    try:
        line = next(l for l in Path(f"/proc/{pid}/status").read_text().splitlines() if l.startswith(field + ":"))
        return int(line.split()[1])
    except (OSError, StopIteration):
        return 0


class MemorySampler(threading.Thread):
    """Samples the summed VmRSS of the server's kernels every 0.5 s; keeps the peak and each kernel's VmHWM."""

    def __init__(self, server_pid):
        super().__init__(daemon=True)
        self.server_pid, self.peak_total_kb, self.hwm_kb, self.peak_count = server_pid, 0, {}, 0
        self.stop = threading.Event()

    def run(self):
        while not self.stop.wait(0.5):
            pids = kernel_pids(self.server_pid)
            self.peak_count = max(self.peak_count, len(pids))
            self.peak_total_kb = max(self.peak_total_kb, sum(status_kb(pid, "VmRSS") for pid in pids))
            for pid in pids:
                self.hwm_kb[pid] = max(self.hwm_kb.get(pid, 0), status_kb(pid, "VmHWM"))


# ------------------------------------------------------------------ the light client
PROTOCOL = "v1.kernel.websocket.jupyter.org"  # what JupyterLab's (and Voila's) kernel connection asks for


def pack(msg):
    """A message as a v1-protocol websocket frame."""
    from jupyter_server.services.kernels.connection.base import serialize_msg_to_ws_v1
    parts = [json.dumps(msg[key]).encode() for key in ("header", "parent_header", "metadata", "content")]
    return serialize_msg_to_ws_v1(parts, msg["channel"])


def unpack(frame):
    """The message in a v1-protocol frame (buffers are skipped)."""
    from jupyter_server.services.kernels.connection.base import deserialize_msg_from_ws_v1
    channel, parts = deserialize_msg_from_ws_v1(frame)
    header, parent, metadata, content = (json.loads(part) for part in parts[:4])
    return {"channel": channel, "header": header, "parent_header": parent, "metadata": metadata, "content": content}


class LightLearner:
    """One learner without a browser: the page's HTTP and websocket traffic, driven from Python."""

    def __init__(self, base, query=""):
        self.base, self.query = base, query
        self.session = uuid.uuid4().hex
        self.models = {}  # comm id -> state
        self.waiters = []  # (predicate(comm_id, state), future)
        self.kernel_id = self.ws = None
        self.closed = asyncio.Event()

    def message(self, msg_type, content, channel="shell", metadata=None):
        return {"header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "learner",
                           "session": self.session, "date": "", "version": "5.3"},
                "parent_header": {}, "metadata": metadata or {}, "content": content, "channel": channel, "buffers": []}

    async def send(self, msg_type, content, metadata=None):
        """Send a shell message; returns its msg_id."""
        msg = self.message(msg_type, content, metadata=metadata)
        await self.ws.write_message(pack(msg), binary=True)
        return msg["header"]["msg_id"]

    def idle_after(self, msg_id):
        """A predicate: the kernel's status 'idle' for the request `msg_id` (it has been handled)."""
        return lambda m: (m["header"]["msg_type"] == "status" and m["parent_header"].get("msg_id") == msg_id
                          and m["content"]["execution_state"] == "idle")

    async def open(self):
        """GET the page (the notebook runs), then connect as the widget manager does; interactive when every
        widget's state has arrived."""
        from tornado.httpclient import AsyncHTTPClient, HTTPRequest
        from tornado.websocket import websocket_connect
        client = AsyncHTTPClient()
        page = await client.fetch(HTTPRequest(self.base + self.query, request_timeout=TIMEOUT,
                                              connect_timeout=TIMEOUT))
        html = page.body.decode()
        match = re.search(r'<script id="jupyter-config-data" type="application/json">\s*(\{.*?\})\s*</script>',
                          html, re.S)
        if not match:
            raise RuntimeError("the page carries no kernel (blank page)")
        self.kernel_id = json.loads(match.group(1))["kernelId"]  # leave() shuts it down even if the app is missing
        self.cookies = "; ".join(c.split(";")[0] for c in page.headers.get_list("Set-Cookie"))
        if "application/vnd.jupyter.widget-view+json" not in html:
            raise RuntimeError("the page carries no app (the notebook did not finish)")
        await client.fetch(self.base + f"api/kernels/{self.kernel_id}", request_timeout=TIMEOUT)
        url = self.base.replace("http", "ws", 1) + f"api/kernels/{self.kernel_id}/channels?session_id={self.session}"
        self.ws = await websocket_connect(url, max_message_size=1 << 28, subprotocols=[PROTOCOL])
        asyncio.ensure_future(self._reader())
        await self.send("kernel_info_request", {})
        control = uuid.uuid4().hex  # ipywidgets 8's control comm: every widget's state in one reply
        opening = self.message("comm_open", {"comm_id": control, "target_name": "jupyter.widget.control",
                                             "data": {}}, metadata={"version": "1.0.0"})
        # ipykernel 7 may handle a comm_msg before a comm_open it has not finished: wait for its idle
        await self.wait(self.idle_after(opening["header"]["msg_id"]), send=opening)
        reply = await self.wait(lambda m: m["header"]["msg_type"] == "comm_msg"
                                and m["content"].get("data", {}).get("method") == "update_states",
                                send=("comm_msg", {"comm_id": control, "data": {"method": "request_states"}}))
        for model_id, model in reply["content"]["data"]["states"].items():
            self.models.setdefault(model_id, {}).update(model["state"])
        await self.send("comm_close", {"comm_id": control, "data": {}})
        self.units = self.find("dv-units")
        self.shape = self.find("dv-output-shape")

    def find(self, css):
        """The comm id of the widget with DOM class `css`."""
        return next(cid for cid, state in self.models.items() if css in state.get("_dom_classes", ()))

    async def _reader(self):
        try:
            while True:
                data = await self.ws.read_message()
                if data is None:
                    break
                msg = unpack(data)
                content = msg.get("content", {})
                if msg["header"]["msg_type"] == "comm_msg" and content.get("data", {}).get("method") == "update":
                    self.models.setdefault(content["comm_id"], {}).update(content["data"]["state"])
                for predicate, future in list(self.waiters):
                    try:
                        seen = predicate(msg)
                    except (KeyError, TypeError, AttributeError):
                        seen = False
                    if seen and not future.done():
                        future.set_result(msg)
        finally:
            self.closed.set()
            for _pred, future in self.waiters:
                if not future.done():
                    future.set_exception(ConnectionError("the kernel's websocket closed"))

    async def wait(self, predicate, send=None, timeout=READOUT_TIMEOUT):
        future = asyncio.get_running_loop().create_future()
        entry = (predicate, future)
        self.waiters.append(entry)
        try:
            if isinstance(send, dict):
                await self.ws.write_message(pack(send), binary=True)
            elif send:
                await self.send(*send)
            return await asyncio.wait_for(future, timeout)
        finally:
            self.waiters.remove(entry)

    async def wait_state(self, condition, timeout=READOUT_TIMEOUT):
        if not condition():
            await self.wait(lambda m: condition(), timeout=timeout)

    async def change_units(self, value):
        """Seconds from sending the change to the output-shape readout showing it."""
        start = time.perf_counter()
        def shows():
            return f"None, {value})" in str(self.models.get(self.shape, {}).get("value", ""))
        for data in ({"method": "update", "state": {"value": str(value)}, "buffer_paths": []},
                     {"method": "custom", "content": {"event": "submit"}}):
            await self.send("comm_msg", {"comm_id": self.units, "data": data})
        await self.wait_state(shows)
        return time.perf_counter() - start

    async def leave(self, politely=True):
        """Leave as a closed tab does: the shutdown POST the page sends (with its XSRF cookie), then close."""
        if politely and self.kernel_id:
            from tornado.httpclient import AsyncHTTPClient
            xsrf = re.search(r"_xsrf=([^;]*)", self.cookies or "")
            token = xsrf.group(1) if xsrf else uuid.uuid4().hex
            try:
                await AsyncHTTPClient().fetch(self.base + f"voila/api/shutdown/{self.kernel_id}", method="POST",
                                              body=f"_xsrf={quote(token)}", raise_error=False,
                                              headers={"Cookie": f"_xsrf={token}"})
            except OSError:
                pass
        if self.ws is not None:
            self.ws.close()


# ------------------------------------------------------------------ the browser learner
READOUT_TIMER = """([inputCss, labelCss]) => {
  window.__dvLatency = null;
  const input = document.querySelector(inputCss), label = document.querySelector(labelCss);
  const old = label.textContent;
  let start = null;
  input.addEventListener('keydown', e => { if (e.key === 'Enter') start = performance.now(); }, {once: true});
  const observer = new MutationObserver(() => {
    if (start !== null && label.textContent !== old) { window.__dvLatency = performance.now() - start; observer.disconnect(); }
  });
  observer.observe(label, {subtree: true, childList: true, characterData: true});
}"""


class BrowserLearner:
    """One learner in a Chromium page (Playwright's async API, in the bench's own loop and thread)."""

    def __init__(self, context, base, query=""):
        self.context, self.url = context, base + query
        self.page = None

    async def open(self):
        self.page = await self.context.new_page()
        await self.page.add_init_script(FIRST_INTERACTIVE_PROBE)
        await self.page.goto(self.url, timeout=TIMEOUT * 1000, wait_until="commit")
        await self.page.wait_for_function("() => window.__dvInteractive !== null", timeout=TIMEOUT * 1000)
        self.kernel_id = await self.page.evaluate(
            "() => JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")

    async def change_units(self, value):
        await self.page.evaluate(READOUT_TIMER, [UNITS_INPUT, ".dv-output-shape"])
        field = self.page.locator(UNITS_INPUT).first
        await field.fill(str(value))
        await field.press("Enter")
        await self.page.wait_for_function("() => window.__dvLatency !== null", timeout=READOUT_TIMEOUT * 1000)
        return await self.page.evaluate("() => window.__dvLatency") / 1000

    async def leave(self, politely=True):
        if self.page is None:
            return
        if politely:
            try:
                await self.page.goto("about:blank", timeout=10_000)  # beforeunload + pagehide, as a reload does
            except Exception:  # noqa: BLE001
                pass
        await self.page.close()


# ------------------------------------------------------------------ the run
async def learner_run(learner, rng, t0, results, name):
    try:
        await learner.open()
        results["interactive"].append(time.perf_counter() - t0)
    except Exception as error:  # noqa: BLE001
        results["failures"].append(f"{name}: did not become interactive: {type(error).__name__}: {error}")
        return
    previous = 25600  # the question's preset, which the page opens on
    for i in range(CHANGES):
        await asyncio.sleep(rng.uniform(2.0, 4.0))
        value = previous = rng.choice([u for u in UNITS if u != previous])  # a change the readout must show
        try:
            started = time.perf_counter() - t0
            results["latency"].append((started, await learner.change_units(value)))
        except Exception as error:  # noqa: BLE001
            results["failures"].append(f"{name}: change {i} to units={value}: {type(error).__name__}: {error}")


async def classroom(base, learners, browsers, server_pid, politely=True):
    from playwright.async_api import async_playwright
    results = {"interactive": [], "latency": [], "failures": []}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=conftest.find_chromium(), headless=True,
                                           args=CHROMIUM_ARGS) if browsers else None
        try:
            context = await browser.new_context(viewport={"width": 1280, "height": 900}) if browser else None
            people = [BrowserLearner(context, base) if i < browsers else LightLearner(base)
                      for i in range(learners)]
            t0 = time.perf_counter()
            await asyncio.gather(*(learner_run(p, random.Random(i), t0, results, f"learner {i} "
                                               f"({'browser' if i < browsers else 'light'})")
                                   for i, p in enumerate(people)))
            results["working_s"] = time.perf_counter() - t0
            results["kernels_before_leaving"] = len(kernel_pids(server_pid))
            await asyncio.gather(*(p.leave(politely) for p in people), return_exceptions=True)
        finally:
            if browser:
                await browser.close()
    return results


def start_server(log_path, extra):
    """`dense-viz app` on a free loopback port; (process, base URL) once a static file answers.
    DV_SERVER_ROOT=<a checkout> serves that checkout's package, notebooks, template and settings instead
    (e.g. an older commit unpacked with `git archive`, for before/after figures)."""
    port = conftest.free_port()
    root = Path(os.environ.get("DV_SERVER_ROOT", ROOT))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(root), os.environ.get("PYTHONPATH")) if p))
    cmd = [sys.executable, "-m", "dense_viz.cli", "app", f"--port={port}", *extra]
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, cwd=root, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env)
    url = f"http://127.0.0.1:{port}/"
    conftest.wait_for_http(url + "voila/templates/base/static/voila.js", proc)
    return proc, url


def wait_for_kernels(server_pid, at_most, timeout):
    """Seconds until the server has at most `at_most` kernels (None if it still has more after `timeout`)."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if len(kernel_pids(server_pid)) <= at_most:
            return time.perf_counter() - start
        time.sleep(0.5)
    return None


def report(label, results, sampler, left_after):
    print(f"\n== {label}")
    print(f"interactive:      {summary(results['interactive'])}")
    latency = [seconds for _start, seconds in results["latency"]]
    print(f"change -> readout: {summary(latency, 'ms', 1000)}")
    if results["interactive"]:  # the arrival (pages still loading, notebooks running) and the lesson proper
        everyone = max(results["interactive"])
        arriving = [seconds for start, seconds in results["latency"] if start < everyone]
        working = [seconds for start, seconds in results["latency"] if start >= everyone]
        print(f"  while pages still load (before {everyone:.1f} s): {summary(arriving, 'ms', 1000)}")
        print(f"  once all {len(results['interactive'])} are interactive: {summary(working, 'ms', 1000)}")
    print(f"failures:         {len(results['failures'])}")
    for failure in results["failures"][:10]:
        print(f"   {failure}")
    hwm = sorted(sampler.hwm_kb.values())
    print(f"kernels:          peak {sampler.peak_count} live, peak total RSS {sampler.peak_total_kb / 1024:.0f} MB, "
          f"per-kernel peak RSS (VmHWM) median {statistics.median(hwm) / 1024 if hwm else 0:.0f} MB, "
          f"max {max(hwm) / 1024 if hwm else 0:.0f} MB")
    print(f"after leaving:    {left_after}")


def main(argv=None):
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--learners", type=int, default=int(os.environ.get("DV_LEARNERS", 20)))
    cli.add_argument("--browsers", type=int, default=int(os.environ.get("DV_BROWSERS", 3)))
    cli.add_argument("--cull", action="store_true", default=bool(os.environ.get("DV_CULL")),
                     help="also: learners vanish without a word; are their kernels culled (timeout 20 s)?")
    args, extra = cli.parse_known_args(argv)
    extra = [a for a in extra if a != "--"]
    conftest.pytest_configure(None)
    base_dir = Path(conftest._TEMP["base"])
    print(__doc__.strip().splitlines()[0])
    print(f"server: {os.environ.get('DV_SERVER_ROOT', ROOT)}")
    print(f"{args.learners} learners ({args.browsers} in Chromium), {CHANGES} changes each; load average before: "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; cores: {os.cpu_count()}; Voila options: {extra or '-'}")
    try:
        proc, url = start_server(base_dir / "voila.log", extra)
        try:
            time.sleep(2)
            sampler = MemorySampler(proc.pid)
            sampler.start()
            results = asyncio.run(classroom(url, args.learners, args.browsers, proc.pid))
            gone = wait_for_kernels(proc.pid, 0, 30)
            sampler.stop.set()
            left = (f"{results['kernels_before_leaving']} kernels before, all shut down "
                    f"{gone:.1f} s after the learners left" if gone is not None else
                    f"{len(kernel_pids(proc.pid))} of {results['kernels_before_leaving']} kernels still running "
                    "30 s after the learners left")
            report("everyone opens at once, works, leaves", results, sampler, left)
            print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        finally:
            conftest.stop_process(proc)
            print(f"server log: {base_dir / 'voila.log'}" if os.environ.get("DV_KEEP_LOG") else "", end="")
        if args.cull:
            cull = ["--MappingKernelManager.cull_idle_timeout=20", "--MappingKernelManager.cull_interval=5"]
            proc, url = start_server(base_dir / "voila-cull.log", [*extra, *cull])
            try:
                n = min(args.learners, 4)
                results = asyncio.run(classroom(url, n, 0, proc.pid, politely=False))
                gone = wait_for_kernels(proc.pid, 0, 90)
                print(f"\n== {n} light learners vanish without closing (cull_idle_timeout=20 s): "
                      + (f"all {results['kernels_before_leaving']} kernels culled {gone:.0f} s later" if gone is not None
                         else f"{len(kernel_pids(proc.pid))} kernels still running after 90 s"))
            finally:
                conftest.stop_process(proc)
    finally:
        if not os.environ.get("DV_KEEP_LOG"):
            conftest.pytest_unconfigure(None)


if __name__ == "__main__":
    main()
