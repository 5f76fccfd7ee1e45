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
