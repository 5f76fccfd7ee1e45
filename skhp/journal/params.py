"""Candidate parameters to and from JSON, and the key that identifies them.

Numbers, strings, booleans and None are stored as they are; tuples and lists
element by element. Anything else (an estimator as a choice, a callable) is
stored by its ``repr``: a journal is a record, not a pickle, so it cannot
bring back arbitrary objects. The search that resumes supplies the live
objects; :func:`candidate_key` matches them to the record by ``repr``.
"""

import json
import math
import numbers

import numpy as np

__all__ = ["candidate_key", "dumps_params", "loads_params", "RecordedValue"]


class RecordedValue:
    """A parameter value that the journal holds only as its ``repr``."""

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return self.text

    def __eq__(self, other):
        return repr(other) == self.text

    def __hash__(self):
        return hash(self.text)


def _plain(value):
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if isinstance(value, tuple):
        return {"__tuple__": [_plain(v) for v in value]}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, RecordedValue):
        return {"__repr__": value.text}
    return {"__repr__": repr(value)}


def _restore(value):
    if isinstance(value, list):
        return [_restore(v) for v in value]
    if isinstance(value, dict):
        if "__float__" in value:
            return float(value["__float__"])
        if "__tuple__" in value:
            return tuple(_restore(v) for v in value["__tuple__"])
        if "__repr__" in value:
            return RecordedValue(value["__repr__"])
    return value


def dumps_params(params):
    """JSON text of a candidate's parameters (keys sorted)."""
    return json.dumps({str(k): _plain(v) for k, v in params.items()}, sort_keys=True)


def loads_params(text, order=None):
    """The parameters stored by :func:`dumps_params`."""
    params = {k: _restore(v) for k, v in json.loads(text).items()}
    if order is not None:
        params = {k: params[k] for k in order if k in params} | params
    return params


def candidate_key(params):
    """A string that is equal for equal candidates (numpy and Python numbers alike)."""
    return dumps_params(params)
