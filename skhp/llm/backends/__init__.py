"""Pluggable generation backends (see :class:`~skhp.llm.backends.base.Backend`)."""

from .base import Backend

__all__ = ["Backend"]
