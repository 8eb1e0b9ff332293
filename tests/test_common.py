"""scikit-learn's estimator checks over every public estimator."""

from sklearn.cluster import KMeans
from sklearn.utils.estimator_checks import parametrize_with_checks

from skae import AutoencoderTransformer, MajorityVoteClassifier


def _estimators():
    return [
        AutoencoderTransformer(encoding_dim=3, epochs=2, batch_size=32, random_state=0),
        MajorityVoteClassifier(KMeans(n_clusters=3, n_init=2, random_state=0)),
        MajorityVoteClassifier(random_state=0),
    ]


@parametrize_with_checks(_estimators())
def test_sklearn_compatible_estimator(estimator, check):
    """Check that the estimator passes scikit-learn's estimator checks."""
    check(estimator)
