"""Feeding, compiling and predicting fast, shared by the autoencoders.

TensorFlow is imported only when it is Keras' backend, so that skae runs on
any Keras 3 backend installed.
"""

import math
import threading

import keras
import numpy as np

# Largest number of rows passed to one predict call. Chunk sizes are powers of
# two times 64, so that a compiled (XLA) predict function sees few shapes.
_PREDICT_ROWS = 16384
_PAD_ROWS = 64


def _random_moves(batch, image_shape, max_shift, max_rotation, rng):
    """Each row of ``batch``, an image of ``image_shape``, shifted and rotated at random.

    Shifts of up to ``max_shift`` whole pixels along rows and columns and, when
    ``max_rotation`` > 0, a rotation about the image centre by up to that many
    degrees (bilinear interpolation), drawn independently per image; pixels
    moved in from outside are 0. Returns a new array.
    """
    n = len(batch)
    height, width, channels = image_shape
    row_shift, column_shift = rng.randint(-max_shift, max_shift + 1, size=(2, n))
    if max_rotation == 0:
        m = max_shift
        padded = np.pad(batch.reshape(n, *image_shape), ((0, 0), (m, m), (m, m), (0, 0)))
        rows = (np.arange(height) + m - row_shift[:, None])[:, :, None]
        columns = (np.arange(width) + m - column_shift[:, None])[:, None, :]
        return padded[np.arange(n)[:, None, None], rows, columns].reshape(batch.shape)
    angle = np.deg2rad(rng.uniform(-max_rotation, max_rotation, size=n))
    centre_row, centre_column = (height - 1) / 2, (width - 1) / 2
    # A rotation moves a pixel by at most 2 r sin(angle / 2): with that margin
    # of zeros (and 2 for the interpolation) every source pixel is inside.
    reach = 2 * math.hypot(centre_row, centre_column) * math.sin(math.radians(max_rotation) / 2)
    m = max_shift + math.ceil(reach) + 2
    padded = np.pad(batch.reshape(n, *image_shape), ((0, 0), (m, m), (m, m), (0, 0)))
    padded_width = width + 2 * m
    pixels = padded.reshape(-1, channels)
    # Where each output pixel comes from: its offset from the centre rotated
    # back, the shift undone; in float32, and gathered through flat indices,
    # which NumPy does faster than multi-dimensional ones.
    f32 = np.float32
    row = (np.arange(height, dtype=f32) - f32(centre_row))[None, :, None]
    column = (np.arange(width, dtype=f32) - f32(centre_column))[None, None, :]
    cos = np.cos(angle).astype(f32)[:, None, None]
    sin = np.sin(angle).astype(f32)[:, None, None]
    row_offset = (f32(centre_row + m) - row_shift.astype(f32))[:, None, None]
    column_offset = (f32(centre_column + m) - column_shift.astype(f32))[:, None, None]
    source_row = cos * row - sin * column + row_offset
    source_column = sin * row + cos * column + column_offset
    top, left = np.floor(source_row), np.floor(source_column)
    down, right = (source_row - top)[..., None], (source_column - left)[..., None]
    index = top.astype(np.intp) * padded_width + left.astype(np.intp)
    index += (np.arange(n) * padded.shape[1] * padded_width)[:, None, None]
    upper = np.take(pixels, index, axis=0)
    upper += right * (np.take(pixels, index + 1, axis=0) - upper)
    index += padded_width
    lower = np.take(pixels, index, axis=0)
    lower += right * (np.take(pixels, index + 1, axis=0) - lower)
    upper += down * (lower - upper)
    return upper.reshape(batch.shape).astype(batch.dtype, copy=False)


def _n_elements(n_rows, batch_size, batches_per_element=1):
    """Number of elements of a feed of ``n_rows`` rows.

    Its full batches are grouped ``batches_per_element`` at a time; the
    last, smaller batch comes alone.
    """
    n_full, rest = divmod(n_rows, batch_size)
    return math.ceil(n_full / batches_per_element) + (rest > 0)


class _EpochBatches(keras.utils.PyDataset):
    """``(X, X)`` batches of the rows ``indices`` of ``X``, reshuffled every epoch.

    The order comes from ``rng`` (``None``: no shuffling), so that training
    depends on ``random_state`` alone and never on Keras' or NumPy's global
    random state. The rows of an epoch are gathered once, in one vectorised
    copy, and the batches are views of that copy: no copy per batch. With
    ``moves=(image_shape, max_shift, max_rotation)`` each batch is instead
    gathered on its own, its images shifted and rotated at random (the same
    for input and target).
    """

    def __init__(self, X, indices, batch_size, rng=None, moves=None):
        super().__init__()
        self.X = X
        self.indices = indices
        self.batch_size = batch_size
        self.rng = rng
        self.moves = moves
        self._order = indices
        self._epoch = None
        self.on_epoch_end()

    def __len__(self):
        return _n_elements(len(self.indices), self.batch_size)

    def __getitem__(self, index):
        rows = slice(index * self.batch_size, (index + 1) * self.batch_size)
        if self.moves is not None:
            # A moved batch is a new array anyway: gather its own rows only,
            # not a copy of the whole epoch.
            batch = np.take(self.X, self._order[rows], axis=0)
            batch = _random_moves(batch, *self.moves, self.rng)
            return batch, batch
        if self._epoch is None:
            self._epoch = np.take(self.X, self._order, axis=0)
        batch = self._epoch[rows]
        return batch, batch

    def on_epoch_end(self):
        # Keras also calls this when it resets its adapter, so the rows are
        # gathered on first use, once per epoch served.
        if self.rng is not None:
            self._order = self.rng.permutation(self.indices)
            self._epoch = None


# TensorFlow's CPU kernels require buffers aligned to this many bytes.
_TF_ALIGNMENT = 64


def _shared_tensor(tf, X):
    """``X`` as a TensorFlow tensor that shares its memory (no copy) if it can.

    ``tf.convert_to_tensor`` keeps two copies of a NumPy array alive for a
    while. DLPack shares the buffer instead; TensorFlow aborts the process
    on a buffer that is not 64-byte aligned, so such an ``X`` (most arrays
    from ``malloc`` are 16-byte aligned) is first copied, once, into an
    aligned one.
    """
    X = np.asarray(X)
    if not (
        X.flags.c_contiguous and X.flags.writeable and X.ctypes.data % _TF_ALIGNMENT == 0
    ):
        padding = _TF_ALIGNMENT // X.itemsize
        buffer = np.empty(X.size + padding, dtype=X.dtype)
        start = (-buffer.ctypes.data % _TF_ALIGNMENT) // X.itemsize
        aligned = buffer[start : start + X.size].reshape(X.shape)
        aligned[...] = X
        X = aligned
    return tf.experimental.dlpack.from_dlpack(X.__dlpack__())


class _TensorFlowBatches(keras.callbacks.Callback):
    """``tf.data`` pipelines of ``(X, X)`` batches, for the TensorFlow backend.

    Batches like those of :class:`_EpochBatches`, but the rows are gathered by
    ``tf.gather`` in tf.data's own threads, as Keras does for arrays, instead
    of going through Python batch by batch: on a 2-core CPU that Python
    feeding costs more than the training step of the tutorial's model.
    NumPy still draws each epoch's order from ``rng``, in the callback's
    ``on_epoch_begin``: pass the object to ``fit`` as a callback. The order
    then depends on the epoch number alone, not on how often Keras creates
    iterators or resets its data adapter.
    """

    def __init__(self, X, train, validation, batch_size, rng, batches_per_call=None):
        super().__init__()
        import tensorflow as tf

        self._tf = tf
        self.data = _shared_tensor(tf, X)
        self._train = train
        self._batch_size = batch_size
        self._rng = rng
        # The epoch's order lives in a variable that the pipeline reads when
        # an epoch starts: a Python generator in the pipeline (from_generator)
        # costs as much as the Python batches did.
        self._order = tf.Variable(self._draw_order(), trainable=False)
        orders = tf.data.Dataset.range(1).map(lambda _: self._order.read_value())
        if batches_per_call is None:
            self.training = self._batches(orders, len(train))
        else:
            self.training = self._row_chunks(orders, len(train), batches_per_call)
        self.validation = None
        if validation is not None:
            indices = tf.data.Dataset.from_tensors(tf.constant(validation, tf.int64))
            self.validation = self._batches(indices, len(validation))

    def on_epoch_begin(self, epoch, logs=None):
        if epoch > 0:
            self._order.assign(self._draw_order())

    def _draw_order(self):
        return self._rng.permutation(self._train).astype(np.int64, copy=False)

    def _split(self, n_rows, batches_per_element=None):
        """A function from an order of ``n_rows`` indices to a dataset of its batches.

        Each element is one batch of indices or, with ``batches_per_element``,
        an array of up to that many batches (one row each); the last,
        smaller batch comes alone.
        """
        tf = self._tf
        size = self._batch_size
        n_full = n_rows // size

        def split(order):
            # Whole batches from one reshape, as Keras' array adapter does:
            # far cheaper than batching row by row.
            batches = tf.data.Dataset.from_tensor_slices(
                tf.reshape(order[: n_full * size], [n_full, size])
            )
            rest = order[n_full * size :]
            if batches_per_element is not None:
                batches = batches.batch(batches_per_element)
                rest = rest[None, :]
            if n_rows % size:
                batches = batches.concatenate(tf.data.Dataset.from_tensors(rest))
            return batches

        return split

    def _row_chunks(self, orders, n_rows, batches_per_call):
        """Arrays of up to ``batches_per_call`` batches of row indices, for a `_BatchLoopTrainer`."""
        n_elements = _n_elements(n_rows, self._batch_size, batches_per_call)
        return orders.flat_map(self._split(n_rows, batches_per_call)).apply(
            self._tf.data.experimental.assert_cardinality(n_elements)
        )

    def _batches(self, orders, n_rows):
        tf = self._tf
        split = self._split(n_rows)

        def gather(rows, data):
            batch = tf.gather(data, rows)
            return batch, batch

        # As in Keras' array adapter: X enters the pipeline as a dataset
        # rather than captured by the map function, and tf.data's graph
        # rewrites, which serialise the pipeline's graph, are off.
        options = tf.data.Options()
        options.experimental_optimization.apply_default_optimizations = False
        data = tf.data.Dataset.from_tensors(self.data).repeat()
        return (
            tf.data.Dataset.zip(orders.flat_map(split), data)
            .map(gather, num_parallel_calls=tf.data.AUTOTUNE)
            .with_options(options)
            .prefetch(tf.data.AUTOTUNE)
            .apply(tf.data.experimental.assert_cardinality(_n_elements(n_rows, self._batch_size)))
        )


class _RowChunks(_EpochBatches):
    """``(X, indices)`` elements for a :class:`_BatchLoopTrainer` on JAX.

    ``X`` is put on the device once and passed whole with every element
    (JAX would bake an array captured by the compiled function into the
    program); ``indices`` are the rows of up to ``batches_per_call``
    batches, one batch per row, or the last, smaller batch alone. The
    batches and their order are those of :class:`_EpochBatches` with the
    same ``rng``.
    """

    def __init__(self, X, indices, batch_size, rng, batches_per_call):
        import jax

        super().__init__(jax.device_put(X), indices, batch_size, rng)
        self.batches_per_call = batches_per_call

    def __len__(self):
        return _n_elements(len(self.indices), self.batch_size, self.batches_per_call)

    def __getitem__(self, index):
        size = self.batch_size
        n_full = len(self.indices) // size
        first = index * self.batches_per_call
        if first < n_full:
            last = min(first + self.batches_per_call, n_full)
            rows = self._order[first * size : last * size].reshape(-1, size)
        else:
            rows = self._order[n_full * size :][None]
        return self.X, rows.astype(np.int32)


class _BatchLoopTrainer(keras.Model):
    """Trains ``autoencoder`` on several batches per call, in one compiled loop.

    For the TensorFlow and JAX backends with XLA. Each element ``fit`` feeds
    holds row indices of ``X``, one batch per row (or the last, smaller batch
    alone); ``train_step`` gathers the batches and runs Keras' own
    ``train_step`` on each in a loop (``tf.while_loop``, ``jax.lax.scan``),
    so that XLA compiles the gathers, the steps and the loop into one
    program. Keras' ``steps_per_execution`` instead launches the compiled
    step once per batch, pulling the batch from ``tf.data`` or Python in
    between, which costs the tutorial's model about a third of its epoch on
    a 2-core CPU. The batches, their order and the reported loss (Keras'
    running mean) are those of per-batch training; only a non-finite loss
    is noticed per call instead of per batch.

    On TensorFlow the elements are the indices alone and ``X`` is the tensor
    ``data``; on JAX they are ``(X, indices)`` (see :class:`_RowChunks`).
    """

    def __init__(self, autoencoder, data=None):
        # Keras' default name from the class, with its leading underscore,
        # is not a valid TensorFlow name scope.
        super().__init__(name="batch_loop_trainer")
        self.autoencoder = autoencoder
        self._data = data

    def call(self, inputs, training=False):
        return self.autoencoder(inputs, training=training)

    def train_step(self, *args):
        # Keras' TensorFlow trainer passes the data, its JAX trainer the
        # state and the data.
        if keras.backend.backend() == "jax":
            return self._jax_steps(*args)
        return self._tensorflow_steps(*args)

    def _tensorflow_steps(self, rows):
        import tensorflow as tf

        def step(i, logs):
            batch = tf.gather(self._data, rows[i])
            return i + 1, super(_BatchLoopTrainer, self).train_step((batch, batch))

        _, logs = tf.while_loop(
            lambda i, logs: i < tf.shape(rows)[0],
            step,
            (tf.constant(0), self.get_metrics_result()),
        )
        return logs

    def _jax_steps(self, state, data):
        import jax

        X, rows = data

        def step(state, batch_rows):
            batch = jax.numpy.take(X, batch_rows, axis=0)
            logs, state = super(_BatchLoopTrainer, self).train_step(state, (batch, batch))
            return state, logs

        state, logs = jax.lax.scan(step, state, rows)
        return jax.tree_util.tree_map(lambda values: values[-1], logs), state


def _fit_data(model, X, train, validation, batch_size, rng, moves=None):
    """``(model, x, validation_data, callbacks)`` for ``model.fit(x, ...)`` on rows of ``X``.

    ``model`` is the compiled Keras model to train. ``train`` rows are
    reshuffled every epoch from ``rng``, and shifted and rotated at random
    with ``moves=(image_shape, max_shift, max_rotation)``; ``validation``
    rows (or ``None``) keep their order and are never moved. With
    TensorFlow or JAX, XLA and ``steps_per_execution > 1`` (and neither
    moves nor, on JAX, a Keras distribution) the model returned is a
    :class:`_BatchLoopTrainer` around ``model``, compiled with its optimizer
    and loss, which runs up to ``steps_per_execution`` batches per call.
    """
    backend = keras.backend.backend()
    # The moves are drawn by NumPy batch by batch, so they go through the
    # PyDataset on every backend. A Keras distribution (JAX) splits every
    # array fed to fit along its first axis over the devices: batches, not
    # the rows and indices of a batch loop.
    loop = (
        moves is None
        and model.jit_compile
        and model.steps_per_execution > 1
        and (
            backend == "tensorflow"
            or (backend == "jax" and keras.distribution.distribution() is None)
        )
    )
    batches_per_call = model.steps_per_execution if loop else None
    if backend == "tensorflow" and moves is None:
        batches = _TensorFlowBatches(X, train, validation, batch_size, rng, batches_per_call)
        training, validation_data, callbacks = batches.training, batches.validation, [batches]
    else:
        validation_data = None
        if validation is not None:
            # Batches of X's held-out rows, copied once and never converted
            # into a second tensor copy by Keras.
            validation_data = _EpochBatches(X, validation, batch_size)
        if batches_per_call is None:
            training = _EpochBatches(X, train, batch_size, rng, moves)
        else:
            training = _RowChunks(X, train, batch_size, rng, batches_per_call)
        callbacks = []
    if batches_per_call is None:
        return model, training, validation_data, callbacks
    trainer = _BatchLoopTrainer(model, batches.data if backend == "tensorflow" else None)
    trainer.compile(optimizer=model.optimizer, loss=model.loss, jit_compile=True)
    # Built here, from one row, so that Keras does not build the trainer
    # from the first element, which holds indices, not rows.
    sample = X[train[:1]]
    trainer.compute_loss(x=sample, y=sample, y_pred=trainer(sample))
    return trainer, training, validation_data, callbacks


# Samples seen in training (rows x epochs) from which XLA's compile time,
# around a second on CPU, is paid back: about three epochs of MNIST.
_JIT_MIN_SAMPLES = 200_000


def _resolve_jit_compile(jit_compile, n_samples_seen=None):
    """``jit_compile`` for ``Model.compile``.

    Keras' own ``"auto"`` turns XLA off for TensorFlow on CPU; on the small
    dense autoencoders here XLA trains about 2x faster there, so skae's
    ``"auto"`` turns it on for TensorFlow whenever training sees enough
    samples (``n_samples_seen``, rows x epochs) to pay the compile time back,
    and always for JAX, whose non-compiled mode runs op by op.
    """
    if jit_compile != "auto":
        return bool(jit_compile)
    backend = keras.backend.backend()
    if backend == "jax":
        return True
    if backend == "tensorflow":
        return n_samples_seen is None or n_samples_seen >= _JIT_MIN_SAMPLES
    return False


def _dtype_policy(precision):
    """Keras dtype policy of the layers for ``precision``."""
    return "mixed_bfloat16" if precision == "bfloat16" else "float32"


def _set_inference_jit(models, jit_compile):
    """Compile the predict functions of ``models`` with XLA or not.

    ``jit_compile`` is the resolved value used for training.
    """
    for model in models:
        model.jit_compile = jit_compile


# JAX donates its state buffers on each predict call, so calls from several
# threads at once fail; one at a time is correct on every backend.
_PREDICT_LOCK = threading.Lock()


def _predict_rows(n_samples):
    """Rows of each predict chunk: a power of two times 64, at most _PREDICT_ROWS."""
    needed = -(-n_samples // _PAD_ROWS)
    return min(_PREDICT_ROWS, _PAD_ROWS * 2 ** math.ceil(math.log2(max(needed, 1))))


def _predict(model, X):
    """Output of ``model`` for ``X``, in padded chunks, as float32.

    CPU matrix products round a row differently in the last bit depending on
    where it falls in a batch. Padding every chunk to a multiple of 64 rows
    makes a sample's output independent of the other samples passed with
    it, so ``transform`` is exactly invariant to order and subsets.
    """
    n_samples = X.shape[0]
    rows = _predict_rows(n_samples)
    output = np.empty((n_samples, model.output_shape[-1]), dtype=np.float32)
    padded = None
    for start in range(0, n_samples, rows):
        chunk = X[start : start + rows]
        n_rows = chunk.shape[0]
        if n_rows < rows:
            if padded is None:
                padded = np.zeros((rows, *chunk.shape[1:]), dtype=chunk.dtype)
            padded[:n_rows] = chunk
            chunk = padded
        with _PREDICT_LOCK:
            result = keras.ops.convert_to_numpy(model.predict_on_batch(chunk))
        output[start : start + n_rows] = result[:n_rows]
    return output
