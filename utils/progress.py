"""Progress reporting shared by long services, commands and background jobs.

A long service takes `progress: ProgressCallback | None` and calls it at each batch
boundary with (done, total, message). The caller decides what that means:

* a management command passes `TerminalProgress` (a tqdm bar on stderr);
* a background job passes a reporter that saves progress on the job row and raises
  `OperationCancelled` when the job was cancelled, so the service stops at a batch
  boundary and its transaction rolls back, leaving nothing half-written.
"""

from collections.abc import Callable

from tqdm import tqdm

ProgressCallback = Callable[[int, int | None, str], None]


class OperationCancelled(Exception):
    """Raised from a progress callback to stop a long operation at a batch boundary."""


def report(progress: ProgressCallback | None, done: int, total: int | None, message: str = "") -> None:
    if progress is not None:
        progress(done, total, message)


class TerminalProgress:
    """A tqdm progress bar driven by (done, total, message) calls; silent when disabled."""

    def __init__(self, *, description: str, unit: str = "rows", enabled: bool = True):
        self._bar = tqdm(desc=description, unit=unit, disable=not enabled, dynamic_ncols=True, leave=True)

    def __call__(self, done: int, total: int | None, message: str = "") -> None:
        if total is not None and self._bar.total != total:
            self._bar.total = total
        self._bar.n = done
        if message:
            self._bar.set_postfix_str(message, refresh=False)
        self._bar.refresh()

    def close(self) -> None:
        self._bar.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
