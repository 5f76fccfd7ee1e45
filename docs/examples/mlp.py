"""Tuning a skorch MLP: learning rate, batch size, epochs and optimizer.

``skhp.neural.MLPClassifier`` is a scikit-learn estimator that trains a torch
network with skorch, so scikit-learn's searchers and skhp's BayesSearchCV
tune it like any other model. Training settings (``lr``, ``batch_size``,
``max_epochs``, ``optimizer``) and model settings (``width``, ``dropout``)
are plain constructor arguments; skorch-style prefixed names such as
``optimizer__nesterov`` reach the torch objects unchanged.

Run from the root of the repository (about 15-30 s on a laptop CPU):

    python docs/examples/mlp.py
"""

import time

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skhp
from skhp import BayesSearchCV, Categorical, Integer, RandomizedSearchCV, Real
from skhp.neural import MLPClassifier

BUDGET = 12  # candidates per searcher
CV = 3

# A progress bar per search (or SKHP_PROGRESS=1 in the environment).
skhp.set_config(progress=True)

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)

# One torch thread: on a small net and a shared CPU, more threads are slower.
# verbose=0: no per-epoch table, not even when the best candidate is refitted.
net = MLPClassifier(width=64, random_state=0, torch_num_threads=1, verbose=0)
pipe = make_pipeline(StandardScaler(), net)

# Pipeline parameters are "<step name>__<parameter>".
space = {
    "mlpclassifier__lr": Real(1e-4, 1e-1, prior="log-uniform"),
    "mlpclassifier__batch_size": Categorical([32, 64, 128]),
    "mlpclassifier__max_epochs": Integer(3, 12),
    "mlpclassifier__optimizer": Categorical(["sgd", "adam", "adamw"]),
    "mlpclassifier__dropout": Real(0.0, 0.3),
}

searches = {
    "random": RandomizedSearchCV(pipe, space, n_iter=BUDGET, cv=CV, random_state=0),
    "bayes": BayesSearchCV(
        pipe, space, n_iter=BUDGET, n_initial_points=4, cv=CV, random_state=0
    ),
}

results = {}
for name, search in searches.items():
    start = time.perf_counter()
    search.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    results[name] = search.score(X_test, y_test)
    best = {k.split("__", 1)[1]: v for k, v in search.best_params_.items()}
    print(
        f"{name:<7} best CV accuracy {search.best_score_:.4f}, "
        f"test accuracy {results[name]:.4f}, {seconds:.1f}s"
    )
    print(
        f"        lr={best['lr']:.2g} batch_size={best['batch_size']} "
        f"max_epochs={best['max_epochs']} optimizer={best['optimizer']} "
        f"dropout={best['dropout']:.2f}"
    )

# The refitted best net is an ordinary fitted estimator: its skorch net and
# training history are available for inspection.
best_net = searches["bayes"].best_estimator_[-1]
curve = ", ".join(f"{loss:.3f}" for loss in best_net.loss_curve_)
print(f"training loss per epoch of the best net: {curve}")

winner = max(results, key=results.get)
print(f"result: best test accuracy {results[winner]:.4f} ({winner} search)")
