"""Settings shared by the whole test suite."""

import os

# No model hub here: fail at once on a missing model instead of retrying.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# Plots render without a display.
os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _seed_numpy():
    # Tests that forget a random_state still run the same way every time.
    np.random.seed(0)  # noqa: NPY002  (the legacy global generator is the point)


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    """A tiny GPT-2 trained on skhp.testing's toy tasks, saved with save_pretrained.

    Trained once per session (about 20 s, one torch thread) and then used
    only through ``model=<folder>``, i.e. through the real loading code.
    Greedy decoding classifies the toy task almost perfectly, so decoding
    settings have measurable effects.
    """
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    import torch

    from skhp.testing import train_tiny_gpt2

    # On shared, busy cores torch with 2 threads can be 10-40x slower.
    torch.set_num_threads(1)
    path = tmp_path_factory.mktemp("tiny_gpt2")
    return train_tiny_gpt2(path, steps=300, random_state=0)
