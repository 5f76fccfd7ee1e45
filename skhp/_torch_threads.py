"""Torch's intra-op threads for the length of a fit or a prediction."""

import contextlib
import os

__all__ = ["AUTO_MAX_CORES", "resolve_threads", "torch_threads"]

#: With "auto", machines with at most this many usable cores get one thread.
AUTO_MAX_CORES = 4


def _usable_cores():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def resolve_threads(n, torch):
    """The thread count that ``n`` (int, "auto" or None) stands for; None: leave it.

    "auto" is 1 on a machine with at most :data:`AUTO_MAX_CORES` usable cores
    (where a second thread competes with the other worker or with other jobs
    and makes generation several times slower, see docs/llm.md), and torch's
    own setting on a larger one.
    """
    if n == "auto":
        return 1 if _usable_cores() <= AUTO_MAX_CORES else None
    return n


@contextlib.contextmanager
def torch_threads(torch, n):
    """Set ``torch.set_num_threads(n)`` inside the block, then restore it.

    Parameters
    ----------
    torch : module
    n : int, "auto" or None
        See :func:`resolve_threads`; None changes nothing.
    """
    n = resolve_threads(n, torch)
    if n is None or n == torch.get_num_threads():
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)
