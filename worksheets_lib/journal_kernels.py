"""The journal app's kernels: a bounded number, culled when idle, stopped with the app.

Voilà starts one kernel (about 100 MB) for every page it serves. Inside the
Voilà process that ``worksheets journal`` starts, this kernel manager:

* refuses a new kernel beyond ``max_kernels`` (the page says the app is busy);
* culls kernels that have been idle for ``cull_idle_timeout`` seconds (the
  culling itself is jupyter_server's);
* stops the whole app, kernels first, after ``idle_stop_seconds`` without any
  kernel activity (0: never);
* shuts every kernel down on SIGTERM or SIGINT before the process ends.
"""

from __future__ import annotations

import asyncio
import signal
import time

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import web
from tornado.ioloop import IOLoop, PeriodicCallback
from traitlets import Float, Integer


class JournalKernelManager(AsyncMappingKernelManager):
    """A mapping kernel manager with a cap, an idle stop and a clean shutdown."""

    max_kernels = Integer(3, config=True, help="The most kernels (open pages) at once.")
    idle_stop_seconds = Float(3600.0, config=True,
                              help="Stop the app after this long without activity; 0: never.")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._last_seen = time.monotonic()
        self._stopping = False
        self._starting = 0
        loop = IOLoop.current()
        if self.idle_stop_seconds > 0:
            self._idle_check = PeriodicCallback(self._check_idle,
                                                max(250.0, min(60_000.0,
                                                               self.idle_stop_seconds * 250)))
            loop.add_callback(self._idle_check.start)
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, lambda *_: loop.add_callback_from_signal(self.stop_app))

    async def start_kernel(self, **kwargs):
        # Kernels still starting count too: many windows opened at once stay under the cap.
        if len(self.list_kernel_ids()) + self._starting >= self.max_kernels:
            raise web.HTTPError(503, reason="The journal is open in too many windows: close "
                                            "one and try again")
        self._starting += 1
        self._last_seen = time.monotonic()
        try:
            return await super().start_kernel(**kwargs)
        finally:
            self._starting -= 1

    def _latest_activity(self) -> float:
        """Seconds (monotonic) of the latest kernel activity, or of the last kernel seen."""
        latest = self._last_seen
        now_wall = time.time()
        for kernel_id in self.list_kernel_ids():
            kernel = self.get_kernel(kernel_id)
            activity = getattr(kernel, "last_activity", None)
            if activity is not None:
                age = now_wall - activity.timestamp()
                latest = max(latest, time.monotonic() - max(0.0, age))
        return latest

    async def _check_idle(self) -> None:
        if time.monotonic() - self._latest_activity() > self.idle_stop_seconds:
            self.log.info("The journal app was not used for a while; stopping it.")
            await self.stop_app()

    async def stop_app(self) -> None:
        """Shut every kernel down, then stop the server's loop (the process then ends)."""
        if self._stopping:
            return
        self._stopping = True
        try:
            await asyncio.wait_for(self.shutdown_all(), timeout=10)
        except Exception:  # noqa: BLE001 - stopping must go on whatever a kernel does
            self.log.warning("Some kernels did not stop cleanly.")
        IOLoop.current().stop()
