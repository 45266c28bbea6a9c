"""Extraction one batch ahead of landing: a connector fetches and parses the next pages in a
background thread while the previous batch lands, so waiting on the API and writing the warehouse
overlap instead of adding up.

Batches still land one at a time and in order, each with its own cursor, so a failure anywhere
resumes exactly as without prefetching; batches fetched ahead of a failure are simply fetched again.
"""
from __future__ import annotations

import contextvars
import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")

_POLL_SECONDS = 0.1  # how often a producer with a full queue looks whether it should stop
_DONE = object()


class _Failure:
    def __init__(self, error: BaseException):
        self.error = error


def prefetched(items: Iterator[T], ahead: int = 1) -> Iterator[T]:
    """`items`, produced in a background thread at most `ahead` items before they are taken. The
    thread runs in a copy of the caller's context (HTTP statistics are counted as usual); an error
    there is raised here; stopping early (or failing) here stops and closes the producer."""
    handoff: queue.Queue = queue.Queue(maxsize=ahead)
    stop = threading.Event()

    def offer(item: object) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=_POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not offer(item):
                    return
            offer(_DONE)
        except BaseException as error:  # handed to the consumer, raised there
            offer(_Failure(error))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()  # in this thread: a generator is closed where it runs

    context = contextvars.copy_context()
    producer = threading.Thread(target=context.run, args=(produce,), name="ingestion-prefetch", daemon=True)
    producer.start()
    try:
        while True:
            item = handoff.get()
            if item is _DONE:
                return
            if isinstance(item, _Failure):
                raise item.error
            yield item
    finally:
        stop.set()
        producer.join()
