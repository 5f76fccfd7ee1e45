"""Grid vs random vs Bayesian search for logistic regression on digits.

The three searchers get the same space (skhp's logistic-regression preset,
where only solver/penalty pairs that scikit-learn accepts can occur) and the
same budget of candidates; each candidate is scored by 3-fold
cross-validation, and the best one of each search is scored once on a
held-out test set.

Run from the root of the repository (about 10-20 s on a laptop CPU):

    python docs/examples/logistic_regression.py
"""

import time
import warnings

from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skhp
from skhp import BayesSearchCV, GridSearchCV, Integer, RandomizedSearchCV, Real, grid
from skhp.linear import LogisticRegression
from skhp.presets import logistic_regression

BUDGET = 12  # candidates per searcher
CV = 3

# A progress bar per search (candidates done, best score, time left); the
# environment variable SKHP_PROGRESS=1 does the same without code.
skhp.set_config(progress=True)

# A small budget on purpose: with few iterations some solvers stop before
# converging. That is part of what the search has to find out, not an error.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)
# random_state: saga and liblinear shuffle the data.
pipe = make_pipeline(StandardScaler(), LogisticRegression(random_state=0))

# The preset space, restricted to three solvers to keep the example quick.
space = logistic_regression(
    prefix="logisticregression__",
    solvers=["lbfgs", "liblinear", "saga"],
    C=Real(1e-3, 1e2, prior="log-uniform"),
    max_iter=Integer(50, 300, prior="log-uniform"),
    fit_intercept=(True,),
)


searches = {
    # The largest grid within the budget, varying as many parameters as fit.
    "grid": GridSearchCV(pipe, grid(space, budget=BUDGET), cv=CV),
    "random": RandomizedSearchCV(pipe, space, n_iter=BUDGET, cv=CV, random_state=0),
    "bayes": BayesSearchCV(
        pipe, space, n_iter=BUDGET, n_initial_points=5, cv=CV, random_state=0
    ),
}

results = {}
print(
    f"{'searcher':<8} {'candidates':>10} {'best CV acc':>12} {'test acc':>9} "
    f"{'time':>6}  best solver/penalty/C"
)
for name, search in searches.items():
    start = time.perf_counter()
    search.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    best = {k.split("__")[1]: v for k, v in search.best_params_.items()}
    results[name] = search.score(X_test, y_test)
    C = best.get("C")
    C = "-" if C is None else f"{C:.3g}"
    print(
        f"{name:<8} {len(search.cv_results_['params']):>10} "
        f"{search.best_score_:>12.4f} {results[name]:>9.4f} "
        f"{seconds:>5.1f}s  {best['solver']}/{best['penalty']}/{C}"
    )
winner = max(results, key=results.get)
print(f"result: best test accuracy {results[winner]:.4f} ({winner} search)")
