"""API pages fetched ahead: while a connector parses a page and landing writes the batches, the
next request is already on its way in a background thread, so the vendor's time to answer overlaps
our work instead of adding to it.

Only the requests and their paging run in the thread (waiting on a socket leaves Python free);
parsing stays with the caller, in order, so every batch lands with the cursor it had before, and a
failure resumes exactly as without prefetching: a page fetched ahead of it is simply fetched again.
"""
from __future__ import annotations

import contextvars
import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")

# Records fetched ahead at most: about one landing batch (ingestion/ingest.py), so that fetching goes
# on while a batch lands rather than stopping a page or two into it.
RECORDS_AHEAD = 5_000
_POLL_SECONDS = 0.1  # how often a producer with a full queue looks whether it should stop
_DONE = object()


class _Failure:
    def __init__(self, error: BaseException):
        self.error = error


def prefetched(pages: Iterator[T], page_size: int) -> Iterator[T]:
    """`pages` (of up to `page_size` records), produced in a background thread up to RECORDS_AHEAD
    records before the caller takes them. The thread runs in a copy of the caller's context (HTTP
    statistics are counted as usual); an error there is raised here where its page would have come;
    stopping early (or failing) here stops the producer and waits for it, so the caller may close
    the HTTP client straight after."""
    handoff: queue.Queue = queue.Queue(maxsize=max(1, RECORDS_AHEAD // page_size))
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
            for page in pages:
                if not offer(page):
                    return
            offer(_DONE)
        except BaseException as error:  # handed to the consumer, raised there
            offer(_Failure(error))
        finally:
            close = getattr(pages, "close", None)
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
