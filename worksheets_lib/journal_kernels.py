"""The journal app's kernels: a bounded number, culled when idle, stopped with the app.

Voilà starts one kernel (about 100 MB) for every page it serves. Inside the
Voilà process that ``worksheets journal`` starts, this kernel manager:

* refuses a page beyond ``max_kernels`` open pages (the page says the app is
  busy);
* stops a page's kernel ``closed_page_seconds`` after its page went away (the
  tab was closed or reloaded: its last connection ended and none came back),
  so a closed window soon frees its place;
* culls kernels that have been idle for ``cull_idle_timeout`` seconds (the
  culling itself is jupyter_server's);
* stops the whole app, kernels first, after ``idle_stop_seconds`` without any
  kernel activity (0: never);
* shuts every kernel down on SIGTERM or SIGINT before the process ends;
* with Voilà's preheated kernels (``worksheets journal`` turns them on), lets
  one kernel wait with the page already made, so a page opens at once. That
  ready kernel is not a page: the app holds at most ``max_kernels`` + 1
  kernels, and a page beyond the cap is refused before it takes the ready one.
"""

from __future__ import annotations

import asyncio
import signal
import time

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import web
from tornado.ioloop import IOLoop, PeriodicCallback
from traitlets import Float, Integer

BUSY = "The journal is open in too many windows: close one and try again"


class JournalKernelManager(AsyncMappingKernelManager):
    """A mapping kernel manager with a cap, an idle stop and a clean shutdown."""

    max_kernels = Integer(3, config=True, help="The most open pages at once.")
    idle_stop_seconds = Float(3600.0, config=True,
                              help="Stop the app after this long without activity; 0: never.")
    closed_page_seconds = Float(20.0, config=True,
                                help="Stop a page's kernel this long after its page went away.")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._last_seen = time.monotonic()
        self._stopping = False
        self._pages: set[str] = set()  # kernels serving a page (not the ready one)
        self._opening = 0  # pages whose kernel is being started or taken from the pool
        loop = IOLoop.current()
        if self.idle_stop_seconds > 0:
            self._idle_check = PeriodicCallback(self._check_idle,
                                                max(250.0, min(60_000.0,
                                                               self.idle_stop_seconds * 250)))
            loop.add_callback(self._idle_check.start)
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, lambda *_: loop.add_callback_from_signal(self.stop_app))
        if hasattr(self, "get_rendered_notebook"):  # Voilà's preheating subclass
            # Wrapped on the instance: Voilà's subclass defines the method.
            self.get_rendered_notebook = self._page_from_pool(self.get_rendered_notebook)

    # -- the cap: open pages ----------------------------------------------------------------

    def _check_room(self) -> None:
        # Pages being opened count too: many windows opened at once stay under the cap.
        if len(self._pages) + self._opening >= self.max_kernels:
            raise web.HTTPError(503, reason=BUSY)

    def _page_from_pool(self, get):
        async def get_if_there_is_room(*args, **kwargs):
            self._check_room()
            self._opening += 1
            try:
                render_task, cache, kernel_id = await get(*args, **kwargs)
                self._pages.add(kernel_id)
                return render_task, cache, kernel_id
            finally:
                self._opening -= 1

        return get_if_there_is_room

    async def start_kernel(self, **kwargs):
        self._last_seen = time.monotonic()
        if kwargs.get("env", {}).get("VOILA_PREHEAT") == "True":  # the ready kernel
            return await super().start_kernel(**kwargs)
        self._check_room()
        self._opening += 1
        try:
            kernel_id = await super().start_kernel(**kwargs)
            self._pages.add(kernel_id)
            return kernel_id
        finally:
            self._opening -= 1

    def notify_disconnect(self, kernel_id):
        super().notify_disconnect(kernel_id)
        if kernel_id in self._pages and self._kernel_connections.get(kernel_id, 0) <= 0:
            IOLoop.current().call_later(
                self.closed_page_seconds,
                lambda: asyncio.ensure_future(self._stop_if_page_gone(kernel_id)))

    async def _stop_if_page_gone(self, kernel_id: str) -> None:
        if (self._stopping or kernel_id not in self._pages
                or self._kernel_connections.get(kernel_id, 0) > 0):
            return  # the page came back (a reconnect), or it is stopped already
        self.log.info("A journal page was closed; stopping its kernel.")
        try:
            await self.shutdown_kernel(kernel_id)
        except Exception:  # noqa: BLE001 - a kernel that is already gone is fine
            self._pages.discard(kernel_id)

    async def shutdown_kernel(self, kernel_id, *args, **kwargs):
        self._pages.discard(kernel_id)
        return await super().shutdown_kernel(kernel_id, *args, **kwargs)

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
