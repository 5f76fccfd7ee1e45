"""Prompt templates, label parsing, answer metrics and the cache (no model)."""

import os
import pickle
import subprocess
import sys

import pytest

from skhp.llm import GenerationCache, exact_match, parse_label, token_f1
from skhp.llm.cache import get_cache, make_key
from skhp.llm.prompts import check_template, render_examples, render_prompt

LABELS = ["positive", "negative", "very positive"]


@pytest.mark.parametrize(
    "answer, expected",
    [
        ("positive", 0),
        ("  NEGATIVE.", 1),
        ("Answer: Negative!", 1),
        ("It is negative, not positive", 1),
        ("positive, then negative", 0),
        ("Very   positive!!", 2),
        ("very-positive", 2),
        ("positively great", None),
        ("nonnegative", None),
        ("", None),
        ("I do not know", None),
    ],
)
def test_parse_label(answer, expected):
    assert parse_label(answer, LABELS) == expected


def test_parse_label_multiword_and_unicode():
    assert parse_label("C'est «très bien».", ["bien", "très bien"]) == 1
    assert parse_label("Label:\nsci_fi", ["sci fi", "drama"]) == 0


def test_render_prompt_and_examples():
    shots = render_examples([("a b", "x"), ("c", "y")], "T: {text} -> {label}\n")
    assert shots == "T: a b -> x\nT: c -> y\n"
    out = render_prompt(
        "{examples}[{labels}] {text}", "hi", labels=["x", "y"], examples=shots
    )
    assert out == shots + "[x, y] hi"


@pytest.mark.parametrize(
    "template, match",
    [
        ("Classify this.", r"must contain the placeholder \{text\}"),
        ("{text} {label}", r"unknown placeholder\(s\) \{label\}"),
        ("{text} {0}", r"unknown placeholder\(s\) \{0\}"),
        ("{text} {}", "unsupported placeholder"),
        ("{text:>10}", "unsupported placeholder"),
        ("{text", "not a valid template"),
    ],
)
def test_check_template_errors_name_the_parameter(template, match):
    with pytest.raises(ValueError, match="'prompt' parameter") as info:
        check_template(template)
    assert info.match(match)


def test_check_template_fields_and_literal_braces():
    assert check_template("{{json}} {text} {labels}") == {"text", "labels"}


def test_answer_metrics():
    assert exact_match(["The Apple", "plum"], ["apple.", "pear"]) == 0.5
    assert token_f1(["red apple"], ["apple"]) == pytest.approx(2 / 3)
    assert token_f1(["x"], ["y"]) == 0.0
    with pytest.raises(ValueError, match="at least one"):
        exact_match([], [])


def test_cache_memory_and_disk(tmp_path):
    key = make_key("m", "prompt", {"greedy": True}, None)
    assert key == make_key("m", "prompt", {"greedy": True}, None)
    assert key != make_key("m", "prompt", {"greedy": True}, 1)
    mem = GenerationCache()
    assert mem.get(key) is None
    mem.put(key, ("out", 3))
    assert mem.get(key) == ("out", 3)
    assert (mem.hits, mem.misses) == (1, 1)

    disk = GenerationCache(tmp_path)
    disk.put(key, ("out", 3))
    # Another process (here: another object) on the same folder sees it.
    other = pickle.loads(pickle.dumps(GenerationCache(tmp_path)))
    assert other.get(key) == ("out", 3)
    assert len(other) == 1
    other.clear()
    assert len(disk) == 0


def test_get_cache_shares_instances(tmp_path):
    assert get_cache(True) is get_cache(True)
    assert get_cache(False) is None
    assert get_cache(str(tmp_path)) is get_cache(tmp_path)


def test_import_without_heavy_dependencies():
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('torch', 'transformers', 'openai',"
        " 'tokenizers', 'gguf'):\n"
        "            raise ImportError('blocked ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import skhp.llm\n"
        "from skhp.llm import LLMClassifier, LLMGenerator\n"
        "from sklearn.base import clone\n"
        "clone(LLMClassifier(temperature=0.5))\n"
        "try:\n"
        "    LLMClassifier(model='.').fit(['a', 'b'], ['x', 'y'])\n"
        "except ImportError as e:\n"
        "    print('IMPORT-ERROR', e)\n"
    )
    root = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": root},
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert 'pip install "skhp[' in out.stdout
