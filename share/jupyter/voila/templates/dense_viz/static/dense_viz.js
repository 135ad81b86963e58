/* dense_viz: the page around the app (Voila's own page, not a widget bridge). Loaded in <head>.
 *
 * - DV_TEXT: every sentence this file and 503.html show, in one place (the Russian UI replaces this object).
 * - Closing or reloading the page shuts its kernel down at once: Voila 0.5 sends that POST from `beforeunload`
 *   with the `_xsrf` cookie, but its page never sets that cookie (403 "'_xsrf' argument missing"). Tornado's
 *   XSRF check is a double-submit cookie (not signed), so the page sets a random one when none exists; then
 *   Voila's POST passes, and `pagehide` sends one too (mobile browsers and the back-forward cache skip
 *   `beforeunload`). The server's ClassroomKernelManager makes the second of them a no-op.
 * - A kernel that dies or is shut down: a banner "this session has ended — reload" within ~2 s (a poll of
 *   /api/kernels/<id>, which answers 404 once the kernel is gone), instead of silently dead controls.
 * - A notebook that did not produce the app (a timeout or an error while it ran, a page cut short): a banner
 *   "the app could not start — reload" instead of a blank page.
 */
(function () {
  'use strict';
  var DV_TEXT = window.DV_TEXT = {
    ended: 'This session has ended \u2014 reload to start again.',
    failed: 'The app could not start \u2014 reload to try again.',
    full: 'The class is full, try again in a minute.',
    fullDetail: 'This server already runs as many sessions as it can. The page tries again by itself in a minute.',
    reload: 'Reload'
  };
  var POLL_MS = 2000;

  function baseUrl() {
    var body = document.body;
    var voila = body && body.getAttribute('data-base-url');  // "<base_url>voila/"
    return voila ? voila.replace(/voila\/$/, '') : '/';
  }

  function cookie(name) {
    var match = document.cookie.match('(?:^|;\\s*)' + name + '=([^;]*)');
    return match ? match[1] : '';
  }

  function xsrfToken() {
    var token = cookie('_xsrf');
    if (!token) {
      var bytes = new Uint8Array(16);
      window.crypto.getRandomValues(bytes);
      token = Array.prototype.map.call(bytes, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
      document.cookie = '_xsrf=' + token + '; path=/; SameSite=Strict';
    }
    return token;
  }
  xsrfToken();  // before Voila's scripts read it

  function kernelId() {
    var config = document.getElementById('jupyter-config-data');
    try { return config ? JSON.parse(config.textContent).kernelId : null; } catch (e) { return null; }
  }

  function banner(kind, text) {
    if (document.querySelector('.dv-page-banner')) return;
    var box = document.createElement('div');
    box.className = 'dv-page-banner dv-page-banner-' + kind;
    box.setAttribute('role', 'alert');
    box.style.cssText = 'position:fixed;top:0;left:0;right:0;z-index:10000;padding:10px 16px;font:15px sans-serif;' +
      'background:#fff3cd;color:#5c4300;border-bottom:2px solid #c79100;display:flex;gap:12px;align-items:center';
    var message = document.createElement('span');
    message.className = 'dv-page-banner-text';
    message.textContent = text;
    var button = document.createElement('button');
    button.className = 'dv-page-reload';
    button.textContent = DV_TEXT.reload;
    button.onclick = function () { window.location.reload(); };
    box.appendChild(message);
    box.appendChild(button);
    document.body.appendChild(box);
    var spinner = document.getElementById('loading');
    if (spinner) spinner.style.display = 'none';
  }
  window.dvBanner = banner;

  var leaving = false;
  function shutdown() {
    var id = kernelId();
    if (leaving || !id) return;
    leaving = true;
    var form = new FormData();
    form.append('_xsrf', xsrfToken());
    navigator.sendBeacon(baseUrl() + 'voila/api/shutdown/' + id, form);
  }
  window.addEventListener('pagehide', shutdown);

  function watchKernel(id) {
    var misses = 0;
    var timer = setInterval(function () {
      if (leaving) { clearInterval(timer); return; }
      fetch(baseUrl() + 'api/kernels/' + id, {cache: 'no-store', credentials: 'same-origin',
                                                headers: {'X-XSRFToken': xsrfToken()}}).then(function (r) {
        if (r.status === 404) return {execution_state: 'dead'};
        return r.ok ? r.json() : null;
      }).then(function (model) {
        misses = 0;
        if (model && model.execution_state === 'dead' && !leaving) {
          clearInterval(timer);
          banner('ended', DV_TEXT.ended);
        }
      }, function () {  // the server itself does not answer
        if (++misses >= 2 && !leaving) { clearInterval(timer); banner('ended', DV_TEXT.ended); }
      });
    }, POLL_MS);
  }

  var finished = false;
  // Called at the end of the page, after Voila's own voila_finish(): did the notebook produce the app?
  window.dvFinished = function () {
    finished = true;
    var outputs = document.querySelectorAll('script[type="application/vnd.voila.cell-output+json"]');
    var app = Array.prototype.some.call(outputs, function (s) {
      return s.textContent.indexOf('application/vnd.jupyter.widget-view+json') >= 0;
    });
    var id = kernelId();
    if (!app || !id) {
      banner('failed', DV_TEXT.failed);
      return;
    }
    watchKernel(id);
  };
  window.addEventListener('load', function () {
    if (!finished) banner('failed', DV_TEXT.failed);  // the page was cut short before its end
  });
})();
