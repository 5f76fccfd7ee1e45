"""Prefixed parameters (``module__dropout``) beside an estimator's own.

scikit-learn's ``get_params`` and ``set_params`` know only the arguments that
``__init__`` names. skhp's neural estimators also take settings for the parts
they build in ``fit`` under a prefix, as skorch does (``optimizer__nesterov``
for the torch optimizer, ``training_args__<field>`` for Hugging Face's
``TrainingArguments``), so that a search space can hold them too.
"""

import functools

from skhp._compat import param_names

__all__ = ["PrefixedParams"]


@functools.cache
def _param_names(cls):
    # inspect.signature is slow and get_params is called many times per fit.
    return frozenset(param_names(cls))


class PrefixedParams:
    """Mixin: ``<prefix>__<name>`` parameters, kept through get_params and clone.

    Put it before ``BaseEstimator`` among the bases, list the prefixes in
    ``_prefixes`` and end ``__init__`` with ``self._store_prefixed(kwargs)``.
    The keyword arguments are stored as given, as scikit-learn's contract
    asks of ``__init__``; the estimator checks their names in ``fit``, with
    its own message, from :meth:`_prefixed_params`. ``get_params`` returns
    them, so ``clone`` rebuilds the estimator with them; pickling keeps them
    as plain attributes.
    """

    #: The prefixes ``set_params`` accepts, without their ``__``.
    _prefixes = ()

    def _store_prefixed(self, kwargs):
        for key, value in kwargs.items():
            setattr(self, key, value)

    def _prefixed_params(self):
        """The parameters stored beside the ``__init__`` ones, by name."""
        named = _param_names(type(self))
        return {
            key: value
            for key, value in vars(self).items()
            if key not in named and not key.startswith("_") and not key.endswith("_")
        }

    def get_params(self, deep=True):
        """Get parameters, including prefixed ones.

        Parameters
        ----------
        deep : bool, default=True
            Also return the parameters of contained estimators.

        Returns
        -------
        params : dict
            Parameter names mapped to their values.
        """
        params = super().get_params(deep=deep)
        params.update(self._prefixed_params())
        return params

    def set_params(self, **params):
        """Set parameters, including prefixed ones.

        Parameters
        ----------
        **params : dict
            Estimator parameters; a name ``<prefix>__<name>`` whose prefix is
            one of the estimator's (``module``, ``optimizer``, ``criterion``,
            ``lr_scheduler``, ``iterator_train`` and ``iterator_valid`` for
            the skorch-based ones; ``training_args`` for
            :class:`~skhp.neural.TrainerClassifier`) is passed to that part
            at fit time. Other names are scikit-learn's, checked as usual.

        Returns
        -------
        self : estimator
        """
        plain = {}
        for key, value in params.items():
            prefix, sep, _ = key.partition("__")
            if sep and prefix in self._prefixes:
                setattr(self, key, value)
            else:
                plain[key] = value
        if plain:
            super().set_params(**plain)
        return self
