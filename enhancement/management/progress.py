"""The progress bar the long commands show, fed by a service's on_progress(done, total)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tqdm import tqdm


@contextmanager
def progress_bar(description: str, unit: str) -> Iterator[Callable[[int, int], None]]:
    """A bar on stderr and the callback that moves it; the total may change between calls
    (a resumed run learns it on the first one)."""
    with tqdm(desc=description, unit=unit) as bar:

        def on_progress(done: int, total: int) -> None:
            bar.total, bar.n = total or None, done
            bar.refresh()

        yield on_progress
