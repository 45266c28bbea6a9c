"""API pages fetched ahead (ingestion/prefetch.py): the same pages in the same order, errors and
early stops handled as in a plain loop, the caller's context seen by the producer."""
import contextvars
import threading
import time

import pytest

from ingestion.prefetch import RECORDS_AHEAD, prefetched

MARK: contextvars.ContextVar[str] = contextvars.ContextVar("mark", default="unset")


def test_pages_come_in_order_and_at_most_records_ahead_of_the_caller():
    produced = []

    def numbers():
        for number in range(8):
            produced.append(number)
            yield number

    taken = []
    for number in prefetched(numbers(), page_size=RECORDS_AHEAD // 2):
        time.sleep(0.05)  # the producer is free to run ahead meanwhile
        # taken, this one, two pages in the hand-off queue, one waiting to be put there
        assert len(produced) <= len(taken) + 4
        taken.append(number)

    assert taken == list(range(8))


def test_an_error_while_fetching_is_raised_after_the_pages_before_it():
    def failing():
        yield 1
        yield 2
        raise ValueError("page 3 is broken")

    taken = []
    with pytest.raises(ValueError, match="page 3 is broken"):
        for item in prefetched(failing(), page_size=100):
            taken.append(item)

    assert taken == [1, 2]


def test_stopping_early_closes_the_pages_in_their_own_thread_and_waits_for_it():
    closed_in = []

    def endless():
        try:
            while True:
                yield "page"
        finally:
            closed_in.append(threading.current_thread().name)

    pages = prefetched(endless(), page_size=100)
    assert next(pages) == "page"
    pages.close()

    assert closed_in == ["ingestion-prefetch"]
    assert not any(t.name == "ingestion-prefetch" for t in threading.enumerate())


def test_the_pages_are_fetched_in_the_callers_context():
    def marks():
        yield MARK.get()

    token = MARK.set("set by the caller")
    try:
        assert list(prefetched(marks(), page_size=100)) == ["set by the caller"]
    finally:
        MARK.reset(token)
