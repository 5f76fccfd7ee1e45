"""skhp's use of other libraries' private API, one module per library.

:mod:`skhp._compat.sklearn` (scikit-learn) and :mod:`skhp._compat.skorch`
(skorch, for ``skhp.neural.nets``); scikit-optimize is used through its public
API only. No other module of skhp uses a private name of these libraries
(tests/test_compat.py checks it). The scikit-learn names are re-exported here,
so that ``from skhp._compat import X`` keeps working; the skorch ones are
imported from their module, which imports nothing at import time.
"""

from .sklearn import *  # noqa: F403
from .sklearn import __all__  # noqa: F401
