"""Calls made from several threads at once, as the app's background work and its UI make them."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def at_once(call: Callable[[], T], times: int) -> list[T]:
    """`call` in `times` threads started together: what each returned, in the order they ended; the first
    failure is raised once all have ended."""
    results: list[T] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            result = call()
        except BaseException as error:
            with lock:
                failures.append(error)
            return
        with lock:
            results.append(result)

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return results
