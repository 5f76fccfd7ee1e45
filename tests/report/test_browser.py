"""The HTML report in a real browser: Debian's chromium, headless, at 1280 px."""

import json
import re
import shutil
import subprocess

import matplotlib.pyplot as plt
import numpy as np
import pytest

from skhp.report import write_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

# Added to a copy of the page: after load, what a reader would see.
_CHECK = """<script>
window.addEventListener('load', function () {
  var images = Array.from(document.images);
  var broken = images.filter(function (i) {
    return !(i.complete && i.naturalWidth > 0);
  }).length;
  var out = document.createElement('pre');
  out.id = 'skhp-check';
  out.textContent = JSON.stringify({
    images: images.length,
    broken: broken,
    overflow: document.documentElement.scrollWidth - window.innerWidth,
    width: window.innerWidth,
    winner: document.querySelectorAll('p.winner').length,
    highlighted: document.querySelectorAll('tr.winner').length
  });
  document.body.appendChild(out);
});
</script>"""


def _open_in_chromium(page, tmp_path):
    checked = tmp_path / "checked.html"
    checked.write_text(page.replace("</body>", _CHECK + "</body>"), encoding="utf-8")
    result = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--window-size=1280,1000",
            "--virtual-time-budget=5000",
            "--dump-dom",
            checked.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    found = re.search(r'<pre id="skhp-check">([^<]*)</pre>', result.stdout)
    assert found, result.stderr[-3000:]
    return json.loads(found.group(1))


def _long_values():
    """Two searchers over prompt templates: long values that must wrap."""
    prompts = [
        "Classify the sentiment of the following customer review as one of "
        "{labels}, answering with the label only.\nReview: {text}\nLabel:",
        "You are a careful annotator. Read the text and choose one label from "
        "{labels}; do not explain.\nText: {text}\nAnswer:",
    ]

    def cv(scores):
        n = len(scores)
        return {
            "params": [
                {"llmclassifier__prompt": prompts[i % 2], "llmclassifier__top_k": i}
                for i in range(n)
            ],
            "mean_test_score": np.asarray(scores),
            "std_test_score": np.full(n, 0.05),
            "split0_test_score": np.asarray(scores),
            "split1_test_score": np.asarray(scores),
            "mean_fit_time": np.full(n, 0.1),
            "mean_score_time": np.full(n, 0.1),
        }

    return {
        "random": cv([0.6, 0.7, 0.8, 0.65, 0.75, 0.7]),
        "bayes": cv([0.7, 0.9, 0.85, 0.8, 0.6, 0.95]),
    }


@pytest.mark.slow
@pytest.mark.skipif(
    CHROMIUM is None,
    reason="needs a headless browser: Debian's chromium (apt-get install chromium)",
)
@pytest.mark.parametrize("which", ["iris", "long values"])
def test_html_report_fits_1280_px_with_every_image_and_the_winner(
    searches, tmp_path, which
):
    results = searches if which == "iris" else _long_values()
    path = write_report(tmp_path / "report", results, format="html")
    plt.close("all")
    seen = _open_in_chromium(path.read_text(encoding="utf-8"), tmp_path)
    assert seen["width"] == 1280
    assert seen["overflow"] <= 0, seen  # no horizontal scrolling
    assert seen["images"] >= 5 and seen["broken"] == 0, seen
    assert seen["winner"] == 1 and seen["highlighted"] == 1, seen
