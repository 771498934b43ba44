"""Background work for the panel without blocking the kernel: a debouncer and one-off jobs.

A recipe change restarts a short timer (:class:`Debouncer`); when the edits pause, the risk is
computed on a worker thread, and only the newest result is shown. Jobs (the optimal search) run
on their own thread. :meth:`Debouncer.wait` and :meth:`Jobs.wait` let tests and scripts wait for
them. An exception in the background never escapes the thread: it is handed to ``on_error``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

__all__ = ["Debouncer", "Jobs"]

ErrorHandler = Callable[[BaseException], Any]


class Debouncer:
    """Call ``fn`` once, ``delay`` seconds after the last :meth:`trigger`.

    Parameters
    ----------
    delay : float
        Seconds of quiet before ``fn`` runs. 0 runs it on a thread at once.
    fn : callable
        What to run (on a timer thread).
    on_error : callable, optional
        Receives any exception ``fn`` raises.
    """

    def __init__(self, delay: float, fn: Callable[[], Any],
                 on_error: ErrorHandler | None = None) -> None:
        self.delay = float(delay)
        self._fn = fn
        self._on_error = on_error
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._running = 0
        self._due = 0.0
        self._idle = threading.Condition(self._lock)

    @property
    def pending(self) -> bool:
        """A run is scheduled or in progress."""
        with self._lock:
            return self._timer is not None or self._running > 0

    def trigger(self) -> None:
        """(Re)start the timer."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self._due = time.monotonic() + self.delay
            self._timer = threading.Timer(self.delay, self._run)
            self._timer.daemon = True
            self._timer.start()

    def cancel(self) -> None:
        """Forget a scheduled run (a run in progress finishes)."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            self._idle.notify_all()

    def _run(self) -> None:
        with self._lock:
            if self._timer is None or threading.current_thread() is not self._timer:
                return  # cancelled or superseded
            self._timer = None
            self._running += 1
        try:
            self._fn()
        except BaseException as exc:  # never let it escape the thread
            if self._on_error is not None:
                self._on_error(exc)
        finally:
            with self._lock:
                self._running -= 1
                self._idle.notify_all()

    def wait(self, timeout: float | None = 30.0) -> bool:
        """Wait until nothing runs and no run is due before the timeout.

        A run scheduled for after the timeout is not waited for (it is still scheduled).
        Returns False when the timeout passes with a run still going.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            while self._running > 0 or (
                self._timer is not None and (deadline is None or self._due <= deadline)
            ):
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._idle.wait(0.05 if left is None else min(left, 0.05))
        return True


class Jobs:
    """One-off background jobs, each on its own daemon thread."""

    def __init__(self, on_error: ErrorHandler | None = None) -> None:
        self._on_error = on_error
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        """Whether a job is still running."""
        with self._lock:
            return any(t.is_alive() for t in self._threads)

    def start(self, fn: Callable[[], Any], name: str = "anonlab-panel-job") -> threading.Thread:
        """Run ``fn`` on a new thread."""

        def run() -> None:
            try:
                fn()
            except BaseException as exc:
                if self._on_error is not None:
                    self._on_error(exc)

        thread = threading.Thread(target=run, name=name, daemon=True)
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()]
            self._threads.append(thread)
        thread.start()
        return thread

    def wait(self, timeout: float | None = 60.0) -> bool:
        """Wait for every job. Returns False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            threads = list(self._threads)
        for t in threads:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            t.join(left)
            if t.is_alive():
                return False
        return True
