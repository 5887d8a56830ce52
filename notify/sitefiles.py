"""Writing the site's files: in background threads, since each file costs system calls
(create, write, close, rename) that wait on the file system rather than on Python.

A file a reader may be looking at is replaced atomically (written aside, then renamed);
a new one is written in place. The first error stops the writing and is raised to the
caller, at the next ``put`` or at ``close``.
"""

from __future__ import annotations

import os
import queue
import threading

BATCH = 64
THREADS = 2


class Files:
    """Queue files to write; ``close`` waits until all are on disk."""

    def __init__(self, threads: int = THREADS) -> None:
        self._queue: queue.Queue[list[tuple[str, bytes, bool]] | None] = queue.Queue(64)
        self._batch: list[tuple[str, bytes, bool]] = []
        self._made: set[str] = set()
        self._failure: OSError | None = None
        self._count = threads
        self._threads: list[threading.Thread] = []  # started with the first batch

    @property
    def threads(self) -> list[threading.Thread]:
        """The threads writing, while any runs."""
        return self._threads

    def put(self, path: str, data: bytes, replace: bool) -> None:
        """Write ``data`` to ``path`` (``replace``: atomically, over an existing file)."""
        if self._failure is not None:
            self.close()
        parent = path.rpartition("/")[0]
        if parent not in self._made:
            os.makedirs(parent, exist_ok=True)
            self._made.add(parent)
        self._batch.append((path, data, replace))
        if len(self._batch) >= BATCH:
            self._send()

    def _send(self) -> None:
        if not self._threads:
            self._threads = [
                threading.Thread(target=self._run, daemon=True) for _ in range(self._count)
            ]
            for thread in self._threads:
                thread.start()
        self._queue.put(self._batch)
        self._batch = []

    def close(self) -> None:
        """Wait for every file queued; raise the first error met."""
        if self._batch:
            self._send()
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join()
        self._threads = []
        if self._failure is not None:
            raise self._failure

    def _run(self) -> None:
        while (batch := self._queue.get()) is not None:
            if self._failure is not None:
                continue
            try:
                for path, data, replace in batch:
                    if replace:
                        _write(path + ".tmp", data)
                        os.replace(path + ".tmp", path)
                    else:
                        _write(path, data)
            except OSError as exc:
                self._failure = exc


def _write(path: str, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)
