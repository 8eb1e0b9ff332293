"""Keras layers of skae's networks: the variational posterior and DEC's soft assignment."""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="skae")
class _Posterior(keras.layers.Layer):
    """Draws a code from the posterior ``N(mean, exp(log_var))`` and adds its KL term.

    Outside training it returns the mean. The KL divergence to ``N(0, I)`` is
    summed over the code and multiplied by ``kl_scale``, then added with
    ``add_loss`` so that it works on every Keras backend.
    """

    def __init__(self, kl_scale, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.kl_scale = kl_scale
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, training=None):
        mean, log_var = inputs
        # exp overflows float32 for log-variances beyond ~88, which unscaled
        # inputs can reach within a batch; e^20 is far beyond any useful scale.
        log_var = ops.clip(log_var, -20.0, 20.0)
        kl = -0.5 * ops.sum(1.0 + log_var - ops.square(mean) - ops.exp(log_var), axis=-1)
        self.add_loss(self.kl_scale * ops.mean(kl))
        if not training:
            return mean
        noise = keras.random.normal(ops.shape(mean), seed=self.seed_generator)
        return mean + ops.exp(0.5 * log_var) * noise

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "kl_scale": self.kl_scale}


def soft_assignments(codes, centers, alpha, xp=ops):
    """DEC's q: the Student-t similarity of each code to each centre, normalised per sample.

    Parameters
    ----------
    codes : array of shape (n_samples, encoding_dim)
        The codes.

    centers : array of shape (n_clusters, encoding_dim)
        The cluster centres.

    alpha : float
        Degrees of freedom of the Student-t kernel.

    xp : module, default=keras.ops
        The array functions to compute with: ``keras.ops`` inside a network,
        ``numpy`` on NumPy arrays (the same operations, so the same bits as
        DEC computed before it had a Keras layer).

    Returns
    -------
    q : array of shape (n_samples, n_clusters)
        Rows sum to 1.
    """
    squared_distances = xp.sum(xp.square(xp.expand_dims(codes, 1) - centers), axis=2)
    q = xp.power(1.0 + squared_distances / alpha, -(alpha + 1.0) / 2.0)
    return q / xp.sum(q, axis=1, keepdims=True)


class _SoftAssignment(keras.layers.Layer):
    """Keras layer computing DEC's q from codes (:func:`soft_assignments`); the cluster centres are its weights."""

    def __init__(self, n_clusters, alpha, **kwargs):
        super().__init__(**kwargs)
        self.n_clusters = n_clusters
        self.alpha = alpha

    def build(self, input_shape):
        self.centers = self.add_weight(
            shape=(self.n_clusters, input_shape[-1]), initializer="zeros", name="centers"
        )

    def call(self, codes):
        return soft_assignments(codes, self.centers, self.alpha)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n_clusters)
