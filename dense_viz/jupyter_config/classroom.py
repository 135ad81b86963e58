"""The kernel manager the shipped voila.json names: one server, a classroom of pages, bounded memory.

- `max_kernels`: beyond it a page gets Voila's error page with status 503 (the template's 503.html: "the class
  is full, try again in a minute"), not one more kernel of 115-180 MB.
- Shutting a kernel down twice is not an error: a closing page sends its shutdown from both Voila's own
  `beforeunload` and the template's `pagehide`; the second finds the kernel ending or gone and gets a 204.
- A kernel that dies is not restarted behind its page's back (a restarted kernel holds no app: dead controls);
  voila.json sets `KernelRestarter.restart_limit = 0`, so jupyter_server removes it and the page's poll of
  /api/kernels/<id> sees a 404 and says "this session has ended".
Only jupyter_server's public API is used (start_kernel / shutdown_kernel / list_kernel_ids).
"""
from collections import deque

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import web
from traitlets import Integer

CLASS_FULL = "the class is full, try again in a minute"  # 503.html shows the translated sentence


class ClassroomKernelManager(AsyncMappingKernelManager):
    """AsyncMappingKernelManager with a cap on live kernels and an idempotent shutdown."""

    max_kernels = Integer(40, config=True, help="Kernels alive at once (each page holds one, ≈ 120-150 MB); "
                                                "a page beyond this gets the 'class is full' page (HTTP 503). "
                                                "0: no cap.")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._starting = 0
        self._ending = set()
        self._ended = deque(maxlen=1024)  # ids shut down lately: a second shutdown of one is a no-op

    def live_kernels(self):
        """Kernels running or starting."""
        return len(self.list_kernel_ids()) + self._starting

    async def start_kernel(self, *args, kernel_id=None, **kwargs):
        """Start a kernel, or raise HTTPError(503) when max_kernels are alive (a restart is never refused)."""
        if kernel_id is None and self.max_kernels and self.live_kernels() >= self.max_kernels:
            self.log.warning("dense_viz: %d kernels alive (max_kernels=%d): a page was refused with 503",
                             self.live_kernels(), self.max_kernels)
            raise web.HTTPError(503, CLASS_FULL)
        self._starting += 1
        try:
            return await super().start_kernel(*args, kernel_id=kernel_id, **kwargs)
        finally:
            self._starting -= 1

    async def shutdown_kernel(self, kernel_id, *args, **kwargs):
        """Shut `kernel_id` down; quietly nothing if that is already under way or done."""
        if kernel_id in self._ending or (kernel_id in self._ended and kernel_id not in self):
            return None
        self._ending.add(kernel_id)
        try:
            return await super().shutdown_kernel(kernel_id, *args, **kwargs)
        finally:
            self._ending.discard(kernel_id)
            self._ended.append(kernel_id)
