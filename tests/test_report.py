"""Tests for ``skae run --report DIR``."""

import importlib.util
import json
from html.parser import HTMLParser

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from skae._cli import main  # noqa: E402
from skae._report import _jsonable  # noqa: E402

FIGURES = ["training", "reconstructions", "confusion", "clusters", "latent"]
SCORES = ["majority_vote_accuracy", "hungarian_accuracy", "nmi", "ari"]
FAST = ["--recipe", "tutorial", "--epochs", "2", "--batch-size", "128", "--n-samples", "300", "--quiet"]


class _References(HTMLParser):
    """Collect every src and href of a page."""

    def __init__(self):
        super().__init__()
        self.sources = []
        self.links = []
        self.tables = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "src" in attrs:
            self.sources.append(attrs["src"])
        if "href" in attrs:
            self.links.append(attrs["href"])
        self.tables += tag == "table"


def _read_page(path):
    parser = _References()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """The report of a short run on the embedded digits."""
    directory = tmp_path_factory.mktemp("report")
    assert main(["run", *FAST, "--baseline", "--report", str(directory)]) == 0
    return directory


def test_report_writes_figures_json_and_html(report):
    """Check every figure is a PNG file and the JSON holds the scores."""
    for name in FIGURES:
        png = report / f"{name}.png"
        assert png.is_file()
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not (report / "grid_search.png").exists()

    metrics = json.loads((report / "metrics.json").read_text())
    assert set(SCORES) <= set(metrics["scores"])
    assert set(SCORES) <= set(metrics["baseline_scores"])
    for value in metrics["scores"].values():
        assert -1.0 <= value <= 1.0
    assert metrics["n_samples"] == 300
    assert metrics["figures"] == {name: f"{name}.png" for name in FIGURES}
    assert "AutoencoderTransformer" in metrics["model"]
    counts = np.array(metrics["confusion_matrix"]["counts"])
    assert counts.sum() == 300
    assert len(metrics["confusion_matrix"]["majority_labels"]) == counts.shape[1] == 10


def test_report_html_references_existing_local_files(report):
    """Check the page opens from disk: every image it references is beside it."""
    page = _read_page(report / "index.html")
    assert sorted(page.sources) == sorted(f"{name}.png" for name in FIGURES)
    for source in page.sources:
        assert "://" not in source
        assert (report / source).is_file()
    assert page.links == []  # no stylesheets or scripts to fetch
    text = (report / "index.html").read_text(encoding="utf-8")
    assert "majority_vote_accuracy" in text
    assert "KMeans on pixels" in text
    assert "AutoencoderTransformer" in text
    assert page.tables == 3  # run facts, scores, confusion matrix


@pytest.mark.slow
def test_report_with_grid_search(tmp_path):
    """Check a grid search adds its table, its figure and its JSON results."""
    directory = tmp_path / "nested" / "report"
    argv = ["run", *FAST, "--epochs", "1", "--grid", "2,4", "--cv", "2"]
    assert main([*argv, "--report", str(directory)]) == 0
    metrics = json.loads((directory / "metrics.json").read_text())
    assert metrics["grid_search"]["param_autoencoder__encoding_dim"] == [2, 4]
    grid = metrics["grid_search"]
    best = grid["param_autoencoder__encoding_dim"][grid["rank_test_score"].index(1)]
    assert metrics["best_params"] == {"autoencoder__encoding_dim": best}
    page = _read_page(directory / "index.html")
    assert "grid_search.png" in page.sources
    for source in page.sources:
        assert (directory / source).is_file()
    assert page.tables == 4
    assert "Grid search" in (directory / "index.html").read_text(encoding="utf-8")


def test_jsonable_converts_numpy_and_nan():
    """Check NumPy scalars and arrays become JSON types, NaN becomes null."""
    value = {"a": np.float32(0.5), "b": np.arange(2), "c": [float("nan"), np.int64(3)]}
    assert _jsonable(value) == {"a": 0.5, "b": [0, 1], "c": [None, 3]}


@pytest.mark.skipif(
    importlib.util.find_spec("skae.recipes") is None, reason="skae.recipes not in this tree yet"
)
@pytest.mark.slow
def test_report_of_a_comparison(tmp_path):
    """Check a run of several recipes gets a comparison figure and one section per recipe."""
    argv = ["run", *FAST, "--recipe", "kmeans,tutorial", "--report", str(tmp_path)]
    assert main(argv) == 0
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert list(metrics["recipes"]) == ["kmeans", "tutorial"]
    for recipe in metrics["recipes"].values():
        assert set(SCORES) <= set(recipe["scores"]) and recipe["fit_seconds"] > 0
    # KMeans has no autoencoder: no training curve, reconstructions or codes.
    assert set(metrics["recipes"]["kmeans"]["figures"]) == {"kmeans_confusion", "kmeans_clusters"}
    assert set(metrics["recipes"]["tutorial"]["figures"]) == {f"tutorial_{name}" for name in FIGURES}
    page = _read_page(tmp_path / "index.html")
    assert "comparison.png" in page.sources
    assert len(page.sources) == 1 + 2 + len(FIGURES)
    for source in page.sources:
        assert (tmp_path / source).is_file()
    text = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "Recipe kmeans" in text and "Recipe tutorial" in text
