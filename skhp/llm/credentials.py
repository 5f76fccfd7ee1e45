"""API keys: read at run time, never written anywhere skhp writes.

``api_key`` takes ``None`` (the ``OPENAI_API_KEY`` environment variable),
``"env:NAME"`` (the environment variable ``NAME``, read when a request is
made) or the key itself. Whatever it is, skhp keeps it out of the journal and
its fingerprint (so changing the key never blocks a resume), out of error
messages and the estimator's ``repr``, and out of pickles: a key given
literally is dropped when the estimator is pickled (a worker process then
reads ``OPENAI_API_KEY``); ``"env:NAME"`` travels as the name only.
"""

import os

from ..journal.fingerprint import SECRET_PARAMS

__all__ = ["SECRET_PARAMS", "redact", "resolve_api_key"]

ENV_PREFIX = "env:"
REDACTED = "<redacted>"


def is_reference(value):
    """Whether ``value`` names an environment variable instead of holding a key."""
    return isinstance(value, str) and value.startswith(ENV_PREFIX)


def resolve_api_key(value, fallback="OPENAI_API_KEY"):
    """The key to send: from ``value``, its environment variable, or ``fallback``.

    Parameters
    ----------
    value : str or None
        ``None``, ``"env:NAME"`` or the key.
    fallback : str
        The environment variable read when ``value`` is None.

    Returns
    -------
    key : str or None
        None when no key is set anywhere.

    Raises
    ------
    ValueError
        When ``"env:NAME"`` names a variable that is not set (the message
        names the variable, never a value).
    """
    if value is None:
        return os.environ.get(fallback) or None
    if is_reference(value):
        name = value[len(ENV_PREFIX) :]
        if not name:
            raise ValueError(
                "api_key='env:' names no environment variable; write "
                "api_key='env:NAME' with the variable that holds the key."
            )
        key = os.environ.get(name)
        if not key:
            raise ValueError(
                f"api_key={value!r}: the environment variable {name!r} is not set "
                f"in this process. Set it (export {name}=...) where the search runs."
            )
        return key
    return value


def redact(text, *secrets):
    """``text`` with every occurrence of each secret replaced by a marker."""
    text = str(text)
    for secret in secrets:
        if secret and isinstance(secret, str) and len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    return text
