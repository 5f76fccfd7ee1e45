#!/usr/bin/env bash
# How the stored results were made: one process on one core, most needed
# first, so that whatever is stored when the time runs out is usable. Rerun it
# (or any line) to extend them: stored (label, problem, seed) runs are skipped.
#
#   PY=.venv/bin/python bash benchmarks/suite/run_peers.sh
set -u
PY=${PY:-python}
R="nice -n 10 $PY -m benchmarks.suite.run --no-tables --jobs 1"

# Cheap searchers on every problem; random search is the reference of the
# normalised score, so more seeds where they are free (BBOB).
$R --searchers random --seeds 3
$R --searchers skhp --label skhp-baseline --seeds 3
$R --searchers optuna-tpe --seeds 3
$R --searchers random --seeds 7 --first-seed 3 --family bbob

# The expensive peers (0.3-2 s a step), problem by problem: dev and test, BBOB
# 2-D and scikit-learn in turn, then 5-D.
CORE="
bbob_f021_i01_d02 bbob_f001_i01_d02 sk_SVM_wine_acc sk_RF_breast_acc
bbob_f007_i01_d02 bbob_f015_i01_d02 sk_DT_diabetes_mse sk_linear_iris_nll
bbob_f010_i01_d02 bbob_f008_i01_d02 sk_kNN_iris_nll sk_kNN_diabetes_mae
bbob_f016_i01_d02 bbob_f024_i01_d02 sk_lasso_wine_nll sk_DT_breast_nll
bbob_f002_i01_d02 bbob_f012_i01_d02 sk_SVM_diabetes_mse sk_linear_diabetes_mse
bbob_f020_i01_d02 bbob_f017_i01_d02 sk_DT_iris_acc sk_RF_wine_nll
bbob_f005_i01_d02 bbob_f003_i01_d02 sk_MLP-sgd_wine_acc sk_MLP-adam_iris_acc
bbob_f019_i01_d02 bbob_f011_i01_d02 sk_SVM_iris_acc sk_lasso_iris_acc
bbob_f004_i01_d02 bbob_f014_i01_d02 sk_DT_digits_acc sk_kNN_wine_acc
bbob_f006_i01_d02 bbob_f022_i01_d02 sk_kNN_breast_nll sk_SVM_breast_acc
bbob_f009_i01_d02 bbob_f013_i01_d02 sk_SVM_wine_nll sk_linear_breast_acc
bbob_f023_i01_d02 bbob_f018_i01_d02 sk_lasso_diabetes_mae sk_MLP-sgd_iris_nll
sk_DT_wine_acc sk_MLP-adam_breast_acc sk_ada_breast_nll sk_RF_diabetes_mse
bbob_f021_i01_d05 bbob_f001_i01_d05 bbob_f010_i01_d05 bbob_f008_i01_d05
"
for problem in $CORE; do
    $R --searchers optuna-gp,botorch,skopt --problems "$problem" --seeds 3
done

# Then every test problem, seed 0 of all of them first, the three side by side
# in one pool (results/<searcher>--local4.json): what is stored when the time
# runs out covers the same problems for all three.
nice -n 10 $PY -m benchmarks.suite.run_pool --searchers optuna-gp,botorch,skopt \
    --half test --jobs 1 --part local4
