"""One process-wide thread pool that folds the slots of a batch in on all cores at once."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

_POOL: ThreadPoolExecutor | None = None


def stats_pool() -> ThreadPoolExecutor:
    """The shared pool, made on first use with one worker per CPU core.

    Returns
    -------
    concurrent.futures.ThreadPoolExecutor
    """
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="rnnvis-stats")
    return _POOL
