"""Everything that speaks Keras: networks and layers, backend quirks and compile
settings, training (``_training.py``: compile, fit, DEC's loop), the feeds of
``Model.fit``, the batch loop, the fit guard and predict.

The estimators (``skae/_autoencoder.py``, ``skae/_deep_clustering.py``) hold the
scikit-learn side and call in here; nothing here imports an estimator.
"""
