"""The README's commands are the ones CI runs."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _readme_commands():
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```bash\n(.+?)\n```", text)


def test_readme_opens_with_two_commands():
    commands = _readme_commands()
    assert len(commands) >= 2
    assert commands[0].rstrip().endswith("skhp demo")
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command():
    test_command = _readme_commands()[1].strip()
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test_command in [line.strip() for line in ci_lines]
    assert "torch==2.13.0" in test_command  # pinned before anything pulls torch in


@pytest.mark.slow
def test_readme_python_example_runs():
    text = (ROOT / "README.md").read_text()
    (example,) = re.findall(r"```python\n(.+?)\n```", text, flags=re.S)
    exec(compile(example, "README.md", "exec"), {})
