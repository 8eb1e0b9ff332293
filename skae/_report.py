"""The report of a ``skae run``: figures as PNG, scores as JSON, one HTML page."""

import html
import json
import math
from pathlib import Path

import numpy as np

_MAX_POINTS = 5000

FIGURES = {
    "training": "Training curve",
    "reconstructions": "Originals, codes and reconstructions",
    "confusion": "Majority-vote confusion matrix",
    "clusters": "Samples from each cluster",
    "latent": "Latent space",
    "grid_search": "Grid search",
    "comparison": "Scores of the recipes",
}

_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px;
       padding: 0 1em; color: #222; }
h1 { margin-bottom: 0.2em; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th { background: #f2f2f2; }
td.name, th.name { text-align: left; }
figure { margin: 1em 0 2em; }
img { max-width: 100%; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.9em; }
pre { background: #f7f7f7; padding: 0.6em; overflow-x: auto; }
"""


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _jsonable(value):
    """`value` as plain JSON types (NaN becomes None)."""
    value = json.loads(json.dumps(value, default=_json_default))

    def clean(v):
        if isinstance(v, float) and not math.isfinite(v):
            return None
        if isinstance(v, dict):
            return {k: clean(x) for k, x in v.items()}
        if isinstance(v, list):
            return [clean(x) for x in v]
        return v

    return clean(value)


def _save(figure, directory, name):
    import matplotlib.pyplot as plt

    figure.savefig(directory / f"{name}.png", dpi=90, bbox_inches="tight")
    plt.close(figure)
    return f"{name}.png"


def _latent_figure(pipeline, X, y, clusters, random_state):
    """Codes in 2-D by true label and by cluster, for at most _MAX_POINTS."""
    import matplotlib.pyplot as plt

    from .plot import LatentSpaceDisplay
    from .plot._base import _find_autoencoder

    if len(X) > _MAX_POINTS:
        rng = np.random.default_rng(random_state)
        chosen = np.sort(rng.choice(len(X), size=_MAX_POINTS, replace=False))
        X, y, clusters = X[chosen], y[chosen], clusters[chosen]
    autoencoder, X_seen = _find_autoencoder(pipeline, X, caller="report")
    codes = autoencoder.transform(X_seen)
    figure, (left, right) = plt.subplots(1, 2, figsize=(13, 5), layout="constrained")
    LatentSpaceDisplay.from_codes(codes, y, ax=left, random_state=random_state)
    LatentSpaceDisplay.from_codes(
        codes,
        clusters,
        label_name="cluster",
        cmap="tab20",
        ax=right,
        random_state=random_state,
    )
    left.set_title(f"Latent space (PCA of {len(X)} codes), coloured by true label")
    right.set_title("... and coloured by cluster")
    return figure


def _grid_search_figure(grid_search):
    import matplotlib.pyplot as plt

    param = next(key for key in grid_search if key.startswith("param_"))
    values = np.asarray(grid_search[param], dtype=float)
    mean = np.asarray(grid_search["mean_test_score"], dtype=float)
    std = np.asarray(grid_search["std_test_score"], dtype=float)
    order = np.argsort(values)
    figure, ax = plt.subplots(figsize=(6, 4), layout="constrained")
    ax.errorbar(values[order], mean[order], yerr=std[order], marker="o", capsize=4)
    ax.set(
        xlabel=param.removeprefix("param_"),
        ylabel="mean test score",
        title="Grid search (held-out folds, +/- one std)",
    )
    return figure


def _cells(tag, values):
    """One row of cells; the first, a name, is aligned left."""
    name = ' class="name"'
    return "".join(
        f"<{tag}{name if i == 0 else ''}>{html.escape(_format(v))}</{tag}>"
        for i, v in enumerate(values)
    )


def _table(rows, header):
    body = "".join(f"<tr>{_cells('td', row)}</tr>" for row in rows)
    return (
        f"<table><thead><tr>{_cells('th', header)}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def _format(value):
    if isinstance(value, float):
        return f"{value:.4f}" if math.isfinite(value) else "-"
    if value is None:
        return "-"
    return str(value)


def _html(summary, model, confusion, figures):
    title = summary.get("title", "skae run")
    sections = [
        f"<h1>{html.escape(title)}</h1>",
        "<h2>Run</h2>" + _table(_facts(summary), ["", "value"]),
        f"<h2>Model</h2><pre>{html.escape(model)}</pre>",
    ]

    scores = summary.get("scores", {})
    baseline = summary.get("baseline_scores")
    if baseline:
        rows = [(name, value, baseline.get(name)) for name, value in scores.items()]
        header = ["score", "autoencoder + KMeans", "KMeans on pixels"]
    else:
        rows = list(scores.items())
        header = ["score", "value"]
    sections.append("<h2>Scores</h2>" + _table(rows, header))

    grid = summary.get("grid_search")
    if grid:
        keys = list(grid)
        rows = list(zip(*(grid[key] for key in keys)))
        rows.sort(key=lambda row: row[keys.index("rank_test_score")] if "rank_test_score" in keys else 0)
        best = summary.get("best_params")
        sections.append(
            "<h2>Grid search</h2>"
            + (f"<p>Best parameters: <code>{html.escape(str(best))}</code></p>" if best else "")
            + _table(rows, [k.removeprefix("param_").replace("_", " ") for k in keys])
        )

    sections.append("<h2>Majority-vote confusion matrix</h2>" + _confusion_table(confusion))
    sections.append("<h2>Figures</h2>")
    sections += _figure_tags(figures)
    return _page(title, sections)


def _has_autoencoder(estimator):
    from .plot._base import _find_autoencoder

    try:
        _find_autoencoder(estimator, caller="report")
    except ValueError:
        return False
    return True


def _figures(estimator, X, y, clusters, n_samples, random_state):
    """The figures of one fitted estimator; those of its autoencoder if it has one."""
    from .plot import (
        ClusterGalleryDisplay,
        MajorityVoteConfusionMatrixDisplay,
        ReconstructionDisplay,
        TrainingCurveDisplay,
    )

    figures = {}
    if _has_autoencoder(estimator):
        figures["training"] = TrainingCurveDisplay.from_estimator(estimator).figure_
        figures["reconstructions"] = ReconstructionDisplay.from_estimator(
            estimator, X, n_samples=min(n_samples, len(X)), random_state=random_state
        ).figure_
    figures["confusion"] = MajorityVoteConfusionMatrixDisplay.from_predictions(y, clusters).figure_
    figures["clusters"] = ClusterGalleryDisplay.from_predictions(
        X, clusters, y_true=y, n_samples=n_samples, random_state=random_state
    ).figure_
    if "training" in figures:
        figures["latent"] = _latent_figure(estimator, X, y, clusters, random_state)
    return figures


def _confusion(y, clusters):
    from .metrics import majority_vote_confusion_matrix

    table = majority_vote_confusion_matrix(y, clusters)
    return _jsonable(
        {
            "true_labels": table.index.to_list(),
            "majority_labels": table.columns.to_list(),
            "counts": table.to_numpy(),
        }
    )


def _comparison_figure(recipes):
    """Grouped bars: each recipe's four scores, its fit time in its label."""
    import matplotlib.pyplot as plt

    metrics = ["hungarian_accuracy", "majority_vote_accuracy", "nmi", "ari"]
    height = 0.8 / len(metrics)
    figure, ax = plt.subplots(figsize=(8, 1 + 0.9 * len(recipes)), layout="constrained")
    positions = np.arange(len(recipes))
    for i, metric in enumerate(metrics):
        values = [recipe["scores"][metric] for recipe in recipes]
        ax.barh(positions + i * height, values, height, label=metric.replace("_", " "))
    ax.set_yticks(
        positions + 1.5 * height,
        [f"{recipe['name']} ({recipe['fit_seconds']:.0f} s)" for recipe in recipes],
    )
    ax.invert_yaxis()
    ax.set(xlim=(0, 1), xlabel="score (1 is perfect)", title="Recipes compared (fit time in brackets)")
    ax.legend(loc="lower right", fontsize="small")
    return figure


def _figure_tags(files):
    tags = []
    for name, filename in files.items():
        key = name if name in FIGURES else name.rpartition("_")[2]
        caption = html.escape(FIGURES.get(key, key))
        tags.append(
            f'<figure><img src="{html.escape(filename)}" alt="{caption}">'
            f"<figcaption>{caption}</figcaption></figure>"
        )
    return tags


def _confusion_table(confusion):
    rows = [[label, *row] for label, row in zip(confusion["true_labels"], confusion["counts"])]
    return (
        "<p>Rows: true label. Columns: clusters, named by their majority label.</p>"
        + _table(rows, ["true label", *confusion["majority_labels"]])
    )


def write_comparison_report(directory, X, y, recipes, *, summary=None, n_samples=10, random_state=0):
    """Write the report of several recipes: one comparison, then a section per recipe.

    Parameters
    ----------
    directory : str or path-like
        Where to write; created if missing. Existing files of the same names
        are replaced.

    X : array-like of shape (n_samples, n_features)
        The data the recipes were fitted on (images, one per row).

    y : array-like of shape (n_samples,)
        True labels.

    recipes : list of dict
        One per fitted recipe, with ``name``, ``estimator`` (fitted),
        ``clusters``, ``scores`` (a dict of floats), ``fit_seconds`` and
        ``steps`` (a description).

    summary : dict, default=None
        JSON-able facts of the run, shown in the page's Run table.

    n_samples : int, default=10
        Images per row of the reconstruction and cluster figures.

    random_state : int, default=0
        Seeds the choice of images and the projection.

    Returns
    -------
    paths : dict
        ``"html"``, ``"json"`` and one entry per figure, each a Path.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    summary = _jsonable(dict(summary or {}))
    X, y = np.asarray(X), np.asarray(y)
    title = summary.get("title", "skae run")
    files = {"comparison": _save(_comparison_figure(recipes), directory, "comparison")}
    names = ["recipe", "hungarian", "majority", "nmi", "ari", "fit seconds", "steps"]
    rows = [
        [
            recipe["name"],
            *(recipe["scores"][m] for m in ("hungarian_accuracy", "majority_vote_accuracy", "nmi", "ari")),
            recipe["fit_seconds"],
            recipe["steps"],
        ]
        for recipe in recipes
    ]
    sections = [
        f"<h1>{html.escape(title)}</h1>",
        "<h2>Run</h2>" + _table(_facts(summary), ["", "value"]),
        "<h2>Comparison</h2>" + _table(rows, names),
        *_figure_tags(files),
    ]
    report = {**summary, "recipes": {}}
    for recipe in recipes:
        name, clusters = recipe["name"], np.asarray(recipe["clusters"])
        figures = _figures(recipe["estimator"], X, y, clusters, n_samples, random_state)
        saved = {f"{name}_{key}": _save(fig, directory, f"{name}_{key}") for key, fig in figures.items()}
        files.update(saved)
        confusion = _confusion(y, clusters)
        model = repr(recipe["estimator"])
        sections += [
            f"<h2>Recipe {html.escape(name)}</h2>",
            f"<p>{html.escape(recipe['steps'])}, fitted in {recipe['fit_seconds']:.1f} s.</p>",
            _table(list(recipe["scores"].items()), ["score", "value"]),
            f"<pre>{html.escape(model)}</pre>",
            _confusion_table(confusion),
            *_figure_tags(saved),
        ]
        report["recipes"][name] = _jsonable(
            {
                "scores": recipe["scores"],
                "fit_seconds": recipe["fit_seconds"],
                "steps": recipe["steps"],
                "model": model,
                "confusion_matrix": confusion,
                "figures": saved,
            }
        )
    report["figures"] = files
    json_path = directory / "metrics.json"
    json_path.write_text(json.dumps(report, indent=2, allow_nan=False) + "\n")
    html_path = directory / "index.html"
    html_path.write_text(_page(title, sections), encoding="utf-8")
    return {"html": html_path, "json": json_path, **{k: directory / v for k, v in files.items()}}


def _facts(summary):
    return [
        (key.replace("_", " "), value)
        for key, value in summary.items()
        if key not in ("title", "scores", "baseline_scores", "grid_search", "figures")
        and not isinstance(value, (dict, list))
    ]


def _page(title, sections):
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)}</title>"
        f"<style>{_CSS}</style></head><body>\n" + "\n".join(sections) + "\n</body></html>\n"
    )


def write_report(directory, pipeline, X, y, clusters, *, summary=None, n_samples=10, random_state=0):
    """Write the figures, ``metrics.json`` and ``index.html`` of a run.

    Parameters
    ----------
    directory : str or path-like
        Where to write; created if missing. Existing files of the same names
        are replaced.

    pipeline : Pipeline
        The fitted pipeline, holding an autoencoder.

    X : array-like of shape (n_samples, n_features)
        The data the pipeline was run on (images, one per row).

    y : array-like of shape (n_samples,)
        True labels.

    clusters : array-like of shape (n_samples,)
        Cluster of each sample.

    summary : dict, default=None
        JSON-able facts of the run: ``scores``, ``baseline_scores``,
        ``grid_search`` (a dict of lists with ``param_*``, ``mean_test_score``,
        ``std_test_score``, ``rank_test_score``), ``best_params`` and any
        other scalar facts, shown in the page's Run table.

    n_samples : int, default=10
        Images per row of the reconstruction and cluster figures.

    random_state : int, default=0
        Seeds the choice of images and the projection.

    Returns
    -------
    paths : dict
        ``"html"``, ``"json"`` and one entry per figure, each a Path.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    summary = _jsonable(dict(summary or {}))
    X = np.asarray(X)
    y = np.asarray(y)
    clusters = np.asarray(clusters)

    figures = _figures(pipeline, X, y, clusters, n_samples, random_state)
    if summary.get("grid_search"):
        figures["grid_search"] = _grid_search_figure(summary["grid_search"])
    files = {name: _save(figure, directory, name) for name, figure in figures.items()}

    confusion = _confusion(y, clusters)
    model = repr(pipeline)
    report = {**summary, "model": model, "confusion_matrix": confusion, "figures": files}
    json_path = directory / "metrics.json"
    json_path.write_text(json.dumps(report, indent=2, allow_nan=False) + "\n")
    html_path = directory / "index.html"
    html_path.write_text(_html(summary, model, confusion, files), encoding="utf-8")
    return {"html": html_path, "json": json_path, **{k: directory / v for k, v in files.items()}}
