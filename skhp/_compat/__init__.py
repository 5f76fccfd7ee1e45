"""skhp's use of other libraries' private API, one module per library.

Only :mod:`skhp._compat.sklearn` exists: a grep for private scikit-optimize
and skorch names outside ``skhp/search/bo/`` and ``skhp/search/optimizer.py``
finds none. The scikit-learn names are re-exported here, so that
``from skhp._compat import X`` keeps working.
"""

from .sklearn import *  # noqa: F403
from .sklearn import __all__  # noqa: F401
