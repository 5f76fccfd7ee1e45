"""Per-fit timeouts: each fit-and-score in a child process that can be killed.

A search's ``fit_timeout`` (seconds) limits every fit-and-score of a
candidate on one CV split. A fit that hangs, in Python, in ``time.sleep`` or
in C code, cannot be stopped from inside its own process, so with
``fit_timeout`` set each fit-and-score runs in a child process; a child over
time is killed and the fit is recorded as failed with the error
``"FitTimeoutError: timed out after N s"``, and the search goes on. The
candidate's later splits in the same process are not fitted again (they
would hang too); they are recorded with the same error.

How it is wired: :func:`use_fit_timeout` (called once per search, from
:func:`skhp.search.journaling.recording`) gives the search's
:class:`CandidateRecorder <skhp.journal.recorder.CandidateRecorder>` a
:class:`FitTimeout`, which marks every fold of the search
(:class:`~skhp._compat.ReplayedSplit`, the "train indices" that travel with
each task to joblib (loky) and Dask workers). The per-fit path
(:func:`skhp._compat.evaluate_fold`) hands a fold that carries one to
:func:`fit_in_child`. Without ``fit_timeout`` nothing of this module runs.

The child: one per process and thread that fits, started on the first
timed fit (it imports scikit-learn and skhp) and reused for
every later fit until it is killed. It receives ``(X, y)`` once per search
(again only when the data object changes, or after a kill), then per fit the
estimator, the split's indices, the scorer and the fit parameters. It ends
when its parent ends, also when the parent is killed (it checks every
second).
"""

import atexit
import dataclasses
import math
import numbers
import os
import pickle
import subprocess
import sys
import threading
import time
import uuid
import warnings
import weakref
from multiprocessing.connection import Connection

from .._compat import Interval

__all__ = [
    "FIT_TIMEOUT_CONSTRAINT",
    "FIT_TIMEOUT_DOC",
    "FitTimeout",
    "FitTimeoutError",
    "check_fit_timeout",
    "fit_in_child",
    "timeout_message",
    "use_fit_timeout",
]

#: The searchers' ``_parameter_constraints`` entry.
FIT_TIMEOUT_CONSTRAINT = [Interval(numbers.Real, 0, None, closed="neither"), None]

#: The searchers' docstring entry.
FIT_TIMEOUT_DOC = """
    fit_timeout : float or None, default=None
        Seconds each fit-and-score of a candidate on one CV split may take.
        With a number, each runs in a child process (reused from fit to
        fit); one over time is killed and recorded as failed with the error
        "timed out after N s" (its score is ``error_score``; with
        ``error_score="raise"`` a :class:`~skhp.search.timeout.FitTimeoutError`
        is raised), and the search goes on. The candidate's other splits in
        the same worker are not fitted again. Works with any ``n_jobs`` and
        on Dask; the estimator and data must pickle. Costs a few
        milliseconds per fit plus sending ``(X, y)`` to the child once per
        worker (docs/benchmarks.md). The final refit has no timeout.
        None (default): fits run as in scikit-learn, at no cost.
"""

#: Seconds a new child may take to start (import scikit-learn and skhp).
START_TIMEOUT = 300.0

#: Timed-out candidates remembered per process, so that their later splits
#: are not fitted again.
_MEMORY = 256


class FitTimeoutError(TimeoutError):
    """A fit-and-score ran longer than the search's ``fit_timeout``."""


def timeout_message(seconds):
    """The error recorded for a fit stopped after ``seconds``.

    Examples
    --------
    >>> from skhp.search.timeout import timeout_message
    >>> timeout_message(2)
    'FitTimeoutError: timed out after 2 s (fit_timeout=2); its process was killed'
    """
    return (
        f"FitTimeoutError: timed out after {seconds:g} s (fit_timeout={seconds:g}); "
        "its process was killed"
    )


@dataclasses.dataclass(frozen=True)
class FitTimeout:
    """What every fit-and-score task of a timed search carries.

    Parameters
    ----------
    seconds : float
    search_id : str
        Unique per ``fit`` call: a candidate's splits are recognised by it and
        the candidate's parameters.
    """

    seconds: float
    search_id: str


def check_fit_timeout(search):
    """The search's ``fit_timeout`` as a float, or None; checks the estimator pickles.

    ``_parameter_constraints`` has already checked the type and sign.
    """
    seconds = getattr(search, "fit_timeout", None)
    if seconds is None:
        return None
    if sys.platform == "win32":
        raise NotImplementedError(
            "fit_timeout needs a POSIX system (Linux, macOS): its fits run in a "
            "child process it talks to through pipes. Set fit_timeout=None."
        )
    cloudpickle = _cloudpickle()

    try:
        cloudpickle.dumps(search.estimator)
    except Exception as exc:
        raise TypeError(
            f"fit_timeout={seconds!r} runs each fit in a child process, so the "
            f"estimator must pickle, but {type(search.estimator).__name__} does "
            f"not: {type(exc).__name__}: {exc}. Make it picklable, or set "
            "fit_timeout=None."
        ) from exc
    return float(seconds)


def use_fit_timeout(search):
    """The :class:`FitTimeout` every fit of this search carries, or None.

    Called once per ``_run_search``, before the first fit.
    """
    seconds = check_fit_timeout(search)
    if seconds is None:
        return None
    return FitTimeout(seconds, uuid.uuid4().hex)


# --- In the parent ------------------------------------------------------------

_local = threading.local()
_timed_out = {}  # (search_id, candidate key) -> message, oldest first
_children = weakref.WeakSet()


def _child():
    child = getattr(_local, "child", None)
    if child is None or not child.usable():
        child = _local.child = _Child()
        _children.add(child)
    return child


@atexit.register
def _stop_children():
    for child in list(_children):
        child.close()


def _ref(value):
    try:
        return weakref.ref(value)
    except TypeError:
        return lambda: value


class _Child:
    """A child process that runs fit-and-score calls; see the module docstring."""

    def __init__(self):
        read_child, write_parent = os.pipe()
        read_parent, write_child = os.pipe()
        boot = (
            "import sys; from multiprocessing.connection import Connection as C; "
            "import pickle; r = C(int(sys.argv[1]), writable=False); "
            "sys.path[:] = pickle.loads(r.recv_bytes()); "
            "from skhp.search.timeout import _serve; _serve(r, int(sys.argv[2]))"
        )
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", boot, str(read_child), str(write_child)],
                pass_fds=(read_child, write_child),
                stdin=subprocess.DEVNULL,
                # Its own process group, so that a kill reaches the fit's own
                # subprocesses too; Ctrl-C reaches the parent, which kills it.
                start_new_session=True,
            )
        finally:
            os.close(read_child)
            os.close(write_child)
        self.pid = os.getpid()
        self.send_conn = Connection(write_parent, readable=False)
        self.recv_conn = Connection(read_parent, writable=False)
        self.data = None  # (ref to X, ref to y) the child holds
        self.send_conn.send_bytes(pickle.dumps(list(sys.path)))
        self._wait_ready(START_TIMEOUT, "start")

    def usable(self):
        return self.pid == os.getpid() and self.process.poll() is None

    def _wait_ready(self, timeout, what):
        if not self.recv_conn.poll(timeout):
            self.kill()
            raise RuntimeError(
                f"fit_timeout's child process did not {what} within {timeout:g} s."
            )
        try:
            message = pickle.loads(self.recv_conn.recv_bytes())
        except EOFError:
            status = self.kill()
            raise RuntimeError(
                f"fit_timeout's child process could not {what} (exit status "
                f"{status}); its error is printed above."
            ) from None
        if message[0] == "raise":
            self.kill()
            raise message[1]

    def load(self, X, y):
        """Send ``(X, y)`` unless the child holds these very objects."""
        if self.data is not None and self.data[0]() is X and self.data[1]() is y:
            return
        self.data = None
        payload = _dumps(("data", X, y), "the data (X, y)")
        self.send_conn.send_bytes(payload)
        self._wait_ready(START_TIMEOUT, "load the data")
        self.data = (_ref(X), _ref(y))

    def kill(self):
        """Kill the child (and its process group); return its exit status."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, 9)
            except (ProcessLookupError, PermissionError):
                self.process.kill()
        status = self.process.wait()
        self.close()
        return status

    def close(self):
        for conn in (self.send_conn, self.recv_conn):
            try:
                conn.close()
            except OSError:
                pass
        if self.process.poll() is None:
            # Closed pipes end an idle child; a busy one is killed.
            try:
                self.process.wait(timeout=1)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _cloudpickle():
    """cloudpickle: its own package since joblib 1.6, vendored by joblib before."""
    try:
        import cloudpickle
    except ImportError:  # joblib < 1.6
        from joblib.externals import cloudpickle
    return cloudpickle


def _dumps(obj, what):
    cloudpickle = _cloudpickle()

    try:
        return cloudpickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:
        raise TypeError(
            f"fit_timeout runs each fit in a child process, so {what} must "
            f"pickle, but it does not: {type(exc).__name__}: {exc}. Make it "
            "picklable, or set fit_timeout=None."
        ) from exc


def _warning_filters():
    filters = getattr(warnings, "_get_filters", lambda: warnings.filters)()
    kept = []
    for f in filters:
        try:
            pickle.dumps(f)
        except Exception:
            continue
        kept.append(f)
    return kept


def _failed(split, kwargs, message, elapsed):
    """A ``_fit_and_score`` result for a fit that did not finish."""
    from .._compat import FIT_WARNINGS_KEY, scorer_names

    error_score = kwargs.get("error_score", math.nan)
    if error_score == "raise":
        kind, _, text = message.partition(": ")
        raise (FitTimeoutError if kind == "FitTimeoutError" else RuntimeError)(text)
    names = scorer_names(kwargs.get("scorer"))
    scores = {name: error_score for name in names} if names else error_score
    result = {"fit_error": message, "test_scores": scores}
    if kwargs.get("return_train_score"):
        result["train_scores"] = dict(scores) if names else scores
    if kwargs.get("return_n_test_samples"):
        result["n_test_samples"] = len(split.test)
    if kwargs.get("return_times"):
        result["fit_time"] = elapsed
        result["score_time"] = 0.0
    if kwargs.get("return_parameters"):
        result["parameters"] = kwargs.get("parameters")
    if kwargs.get("return_estimator"):
        result["estimator"] = None
    if split.collect_warnings:
        result[FIT_WARNINGS_KEY] = []
    return result


def _candidate(timeout, kwargs):
    from ..journal.params import candidate_key

    try:
        return (timeout.search_id, candidate_key(kwargs.get("parameters") or {}))
    except Exception:
        return None


def fit_in_child(split, fit_and_score, estimator, X, y, **kwargs):
    """Run ``fit_and_score(estimator, X, y, **kwargs)`` in the child, with a timeout.

    ``split`` is the fold's :class:`~skhp._compat.ReplayedSplit`, with the
    search's :class:`FitTimeout`; the child gets it without one. Returns
    the call's result dict, or a failed one when it ran over time or its
    process died; raises :class:`FitTimeoutError` there when ``error_score="raise"``.
    """
    import sklearn

    from .._compat import ReplayedSplit

    timeout = split.fit_timeout
    kwargs["split"] = ReplayedSplit(
        None, split.train, split.test, split.collect_warnings
    )
    # The search and its callback context stay here (a journal does not
    # pickle); scikit-learn's experimental callbacks do not see timed fits.
    for key in ("caller", "callback_ctx"):
        if key in kwargs:
            kwargs[key] = None
    candidate = _candidate(timeout, kwargs)
    if candidate is not None and candidate in _timed_out:
        return _failed(
            split, kwargs, _timed_out[candidate] + " (on an earlier split)", 0.0
        )

    child = _child()
    child.load(X, y)
    task = _dumps(
        (
            "call",
            fit_and_score,
            estimator,
            kwargs,
            sklearn.get_config(),
            _warning_filters(),
        ),
        "the estimator, its fit parameters and the scorer",
    )
    start = time.monotonic()
    try:
        child.send_conn.send_bytes(task)
        done = child.recv_conn.poll(timeout.seconds)
        reply = pickle.loads(child.recv_conn.recv_bytes()) if done else None
    except EOFError:
        status = child.kill()
        return _failed(
            split,
            kwargs,
            "RuntimeError: the process fitting it died (exit status "
            f"{status}: killed, out of memory or crashed)",
            time.monotonic() - start,
        )
    except BaseException:
        child.kill()  # interrupted (Ctrl-C): the fit must not go on alone
        raise
    if reply is None:
        child.kill()
        message = timeout_message(timeout.seconds)
        if candidate is not None:
            _timed_out[candidate] = message
            while len(_timed_out) > _MEMORY:
                del _timed_out[next(iter(_timed_out))]
        return _failed(split, kwargs, message, time.monotonic() - start)
    if reply[0] == "raise":
        raise reply[1]
    return reply[1]


# --- In the child ---------------------------------------------------------------


def _watch_parent(parent):
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            os._exit(1)


def _pattern(value):
    """A warnings filter's message or module as filterwarnings takes it."""
    if value is None:
        return ""
    return getattr(value, "pattern", value)


def _serve(recv_conn, write_fd):
    """The child's loop: load data, run calls, reply; end at end of input."""
    import signal

    cloudpickle = _cloudpickle()

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    send_conn = Connection(write_fd, readable=False)
    X = y = None

    def reply(message):
        try:
            payload = cloudpickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            payload = cloudpickle.dumps(
                (
                    "raise",
                    RuntimeError(
                        "fit_timeout's child could not send back the result "
                        f"of a fit: {type(exc).__name__}: {exc}"
                    ),
                )
            )
        send_conn.send_bytes(payload)

    reply(("ready",))
    while True:
        try:
            message = pickle.loads(recv_conn.recv_bytes())
        except EOFError:
            return
        except Exception as exc:
            reply(("raise", exc))
            continue
        if message[0] == "data":
            X, y = message[1], message[2]
            reply(("ready",))
            continue
        _, fit_and_score, estimator, kwargs, config, filters = message
        try:
            import sklearn

            with sklearn.config_context(**config), warnings.catch_warnings():
                warnings.resetwarnings()
                for action, text, category, module, lineno in reversed(filters):
                    warnings.filterwarnings(
                        action,
                        _pattern(text),
                        category,
                        _pattern(module),
                        lineno,
                        append=False,
                    )
                result = fit_and_score(estimator, X, y, **kwargs)
        except BaseException as exc:
            reply(("raise", exc))
            continue
        reply(("ok", result))
