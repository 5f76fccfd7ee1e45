"""A broad benchmark suite for hyperparameter searchers (see README.md).

BBOB test functions (``problems_bbob``) and Bayesmark-style scikit-learn
problems (``problems_sklearn``), searched by skhp and its peers
(``searchers``) through scikit-learn's fit/score path; results are stored per
searcher (``storage``) and scored as Bayesmark does (``scoring``). ``run`` is
the command line.
"""
