"""What the command prints: the comparison table, its steps column, the scores."""

# The steps column's label of a step, by its class; the others show their class name.
_STEP_LABELS = {
    "MinMaxScaler": "scale",
    "AutoencoderTransformer": "autoencoder",
    "DeepEmbeddedClustering": "DEC",
    "SubsampledIsomap": "Isomap",
}


def steps(estimator):
    """The estimator's steps, short: ``scale > autoencoder > KMeans``.

    A fitted codes step of the balanced recipe shows as the autoencoder
    when it trained one, and not at all when the samples went on as they
    were; the deep recipe's Isomap step likewise.
    """
    from ..recipes import CodesOfLargeData, SubsampledIsomap

    names = []
    for _, step in getattr(estimator, "steps", [(None, estimator)]):
        if isinstance(step, SubsampledIsomap) and getattr(step, "isomap_", False) is None:
            continue
        if isinstance(step, CodesOfLargeData):
            if getattr(step, "autoencoder_", False) is None:
                continue
            step = step.autoencoder
        if step != "passthrough":
            names.append(type(step).__name__)
    return " > ".join(_STEP_LABELS.get(name, name) for name in names)


def comparison_table(fitted):
    """One row per fitted recipe: its scores, seconds to fit and steps."""
    import pandas as pd

    rows = [
        {
            "recipe": entry["name"] + (" (stopped)" if entry["interrupted"] else ""),
            "hungarian": entry["scores"]["hungarian_accuracy"],
            "majority": entry["scores"]["majority_vote_accuracy"],
            "nmi": entry["scores"]["nmi"],
            "ari": entry["scores"]["ari"],
            "fit_s": entry["fit_seconds"],
            "steps": entry["steps"],
        }
        for entry in fitted
    ]
    return pd.DataFrame(rows)


def print_comparison(table, data, out):
    """The comparison table on `data`: scores to 3 decimals, seconds to 1, steps aligned left."""
    print(f"\ncomparison on {data} (fit_s: seconds to fit):", file=out)
    width = table["steps"].str.len().max()
    text = table.to_string(
        index=False,
        float_format="{:.3f}".format,
        formatters={"fit_s": "{:.1f}".format, "steps": f"{{:<{width}}}".format},
    )
    print("\n".join(line.rstrip() for line in text.splitlines()), file=out)


def print_scores(scores, out):
    """One recipe's scores, one a line."""
    for metric, value in scores.items():
        print(f"{metric:>24}: {value:.4f}", file=out)


def print_confusion_matrix(recipe, y, clusters, out):
    """The majority-vote confusion matrix of `recipe`'s clusters."""
    from ..metrics import majority_vote_confusion_matrix

    print(
        f"\n{recipe}: majority-vote confusion matrix "
        "(rows: true label, columns: cluster named by majority):",
        file=out,
    )
    print(majority_vote_confusion_matrix(y, clusters).to_string(), file=out)
