"""What ``Model.fit`` is fed: seeded ``(X, X)`` batches of rows of ``X``.

Three feeds give the same batches in the same order: a Keras
``PyDataset`` (every backend), ``tf.data`` pipelines (TensorFlow) and row
chunks for the batch loop (:mod:`skae._keras._batch_loop`). TensorFlow and
JAX are imported only when they are Keras' backend, so that skae runs on any
Keras 3 backend installed.
"""

import math
import threading

import keras
import numpy as np

from .._augmentation import draw_moves, moved_images
from .._blocks import _DISK_ROWS, is_streamed, read_rows
from ._backend import keras_internal
from ._batch_loop import _BatchLoopTrainer, batch_loop_fits_keras
from ._trainers import TRAINERS


def _n_elements(n_rows, batch_size, batches_per_element=1):
    """Number of elements of a feed of ``n_rows`` rows.

    Its full batches are grouped ``batches_per_element`` at a time; the
    last, smaller batch comes alone.
    """
    n_full, rest = divmod(n_rows, batch_size)
    return math.ceil(n_full / batches_per_element) + (rest > 0)


class _EpochBatches(keras.utils.PyDataset):
    """``(X, X)`` batches of the rows ``indices`` of ``X``, reshuffled every epoch.

    With ``sample_weight`` (one per row of ``X``) the batches are
    ``(X, X, weights)``.

    The order comes from ``rng`` (``None``: no shuffling), so that training
    depends on ``random_state`` alone and never on Keras' or NumPy's global
    random state. The rows of an epoch are gathered once, in one vectorised
    copy, and the batches are views of that copy: no copy per batch. With
    ``moves=(image_shape, max_shift, max_rotation)`` each batch is instead
    gathered on its own, its images shifted and rotated at random (the same
    for input and target), by moves drawn for the whole epoch with its
    order: Keras reading a batch ahead draws nothing.
    """

    def __init__(self, X, indices, batch_size, rng=None, moves=None, sample_weight=None):
        super().__init__()
        self.X = X
        self.indices = indices
        self.batch_size = batch_size
        self.rng = rng
        self.moves = moves
        self.sample_weight = sample_weight
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
            batch = moved_images(batch, self.moves[0], self._moves[rows]).astype(batch.dtype, copy=False)
        else:
            if self._epoch is None:
                self._epoch = np.take(self.X, self._order, axis=0)
            batch = self._epoch[rows]
        if self.sample_weight is None:
            return batch, batch
        return batch, batch, self.sample_weight[self._order[rows]]

    def on_epoch_end(self):
        # Keras also calls this when it resets its adapter, so the rows are
        # gathered on first use, once per epoch served.
        if self.rng is not None:
            self._order = self.rng.permutation(self.indices)
            self._epoch = None
            if self.moves is not None:
                self._moves = draw_moves(len(self.indices), *self.moves[1:], self.rng)


# TensorFlow's CPU kernels require buffers aligned to this many bytes.
_TF_ALIGNMENT = 64


def _shared_tensor(tf, X):
    """``X`` as a TensorFlow tensor that shares its memory (no copy) if it can.

    ``tf.convert_to_tensor`` copies the array: for MNIST's 70000 rows
    220 MB more, in 0.05 s, or 1.5 s where the memory is new to the
    process (measured on a 2-core CPU). DLPack shares the buffer
    instead; TensorFlow aborts the process on a buffer that is not 64-byte
    aligned, so such an ``X`` (most arrays from ``malloc`` are 16-byte
    aligned) is first copied, once, into an aligned one. DLPack is
    TensorFlow's experimental ``tf.experimental.dlpack``: without it (see
    :func:`~skae._keras._backend.keras_internal`) ``X`` is copied.
    """
    X = np.asarray(X)
    dlpack = keras_internal(tf.experimental, "dlpack")
    if dlpack is None:
        return tf.convert_to_tensor(X)
    if not (
        X.flags.c_contiguous and X.flags.writeable and X.ctypes.data % _TF_ALIGNMENT == 0
    ):
        padding = _TF_ALIGNMENT // X.itemsize
        buffer = np.empty(X.size + padding, dtype=X.dtype)
        start = (-buffer.ctypes.data % _TF_ALIGNMENT) // X.itemsize
        aligned = buffer[start : start + X.size].reshape(X.shape)
        aligned[...] = X
        X = aligned
    return dlpack.from_dlpack(X.__dlpack__())


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

    Pass ``fit_arguments`` to ``fit``. With ``batches_per_call`` (the batch
    loop) the training pipeline repeats without end and ``fit`` is told its
    elements per epoch (``steps_per_epoch``): Keras then keeps one iterator for the
    whole fit instead of building one per epoch (about 10 ms of the main
    thread each, while the compiled step waits). The order of the next
    epoch is read when its first element is drawn, after ``on_epoch_begin``
    has written it: nothing in this pipeline reads ahead. The validation
    rows are then not given to ``fit`` (``validation_data`` is ``None``):
    Keras' ``evaluate`` would build an iterator and callbacks for every
    pass, about 30 ms each. This callback instead runs the model's own
    compiled test function over one kept iterator at the end of every
    epoch, as ``evaluate`` does (metrics reset, the same calls on the same
    elements), and adds ``val_``-prefixed results to the epoch's logs;
    list it before the callbacks that read them (``History``,
    ``EarlyStopping``). Where Keras lacks the undocumented
    ``make_test_function`` (see :func:`~skae._keras._backend.keras_internal`)
    the validation elements go to ``fit`` instead, with their number
    (``validation_steps``). The pipelines of per-batch training prefetch, so
    they keep Keras' iterator per epoch and validation goes to ``fit``.

    With ``moves=(image_shape, max_shift, max_rotation)`` (the batch loop
    only) each epoch's random moves of the training rows are drawn after its
    order, into a second variable, and the elements carry them:
    ``(X, indices, moves)`` (see :class:`_BatchLoopTrainer`).
    """

    def __init__(self, X, train, validation, batch_size, rng, batches_per_call=None, moves=None):
        super().__init__()
        import tensorflow as tf

        self._tf = tf
        self.data = _shared_tensor(tf, X)
        self._train = train
        self._batch_size = batch_size
        self._rng = rng
        self._image_moves = moves
        # The epoch's order (and moves) live in variables that the pipeline
        # reads when an epoch starts: a Python generator in the pipeline
        # (from_generator) costs as much as the Python batches did.
        order, epoch_moves = self._draw_epoch()
        self._order = tf.Variable(order, trainable=False)
        if moves is None:
            orders = tf.data.Dataset.range(1).map(lambda _: self._order.read_value())
        else:
            self._moves = tf.Variable(epoch_moves, trainable=False)
            orders = tf.data.Dataset.range(1).map(lambda _: (self._order.read_value(), self._moves.read_value()))
        self._training_steps = None
        if batches_per_call is None:
            self.training = self._batches(orders, len(train))
        else:
            self.training = self._row_chunks(orders.repeat(), len(train), batches_per_call)
            self._training_steps = _n_elements(len(train), batch_size, batches_per_call)
        self.validation = None
        self._validation_steps = 0
        if validation is not None:
            indices = tf.data.Dataset.from_tensors(tf.constant(validation, tf.int64))
            if batches_per_call is None:
                self.validation = self._batches(indices, len(validation))
            else:
                # The batch loop's test_step gathers and evaluates up to
                # batches_per_call batches per compiled call, as in training.
                self.validation = self._row_chunks(
                    indices.repeat(), len(validation), batches_per_call
                )
                self._validation_steps = _n_elements(len(validation), batch_size, batches_per_call)
        self._validates = bool(self._validation_steps) and (
            keras_internal(_BatchLoopTrainer, "make_test_function") is not None
        )

    @property
    def fit_arguments(self):
        """``fit``'s ``x``, ``validation_data`` and, for the batch loop, ``steps_per_epoch``.

        ``validation_data`` is ``None`` when this callback validates; when
        Keras validates the batch loop's endless elements, ``validation_steps``
        says how many make one pass.
        """
        arguments = {
            "x": self.training,
            "validation_data": None if self._validates else self.validation,
        }
        if self._training_steps is not None:
            arguments["steps_per_epoch"] = self._training_steps
        if self._validation_steps and not self._validates:
            arguments["validation_steps"] = self._validation_steps
        return arguments

    def on_train_begin(self, logs=None):
        if self._validates:
            self.model.make_test_function()
            self._validation_elements = iter(self.validation)

    def on_epoch_begin(self, epoch, logs=None):
        if epoch > 0:
            order, epoch_moves = self._draw_epoch()
            self._order.assign(order)
            if epoch_moves is not None:
                self._moves.assign(epoch_moves)

    def on_epoch_end(self, epoch, logs=None):
        if not self._validates:
            return
        self.model.reset_metrics()
        for _ in range(self._validation_steps):
            self.model.test_function(self._validation_elements)
        # Python floats, as Keras' evaluate returns them.
        results = self.model.get_metrics_result()
        logs.update({f"val_{name}": float(value) for name, value in results.items()})

    def on_train_end(self, logs=None):
        self._validation_elements = None

    def _draw_epoch(self):
        """The next epoch's order of the training rows and, with moves, their moves (else None)."""
        order = self._rng.permutation(self._train).astype(np.int64, copy=False)
        if self._image_moves is None:
            return order, None
        return order, draw_moves(len(order), *self._image_moves[1:], self._rng)

    def _split(self, n_rows, batches_per_element=None):
        """A function from an order of ``n_rows`` indices to a dataset of its batches.

        Each element is one batch of indices or, with ``batches_per_element``,
        an array of up to that many batches (one row each); the last,
        smaller batch comes alone. Given the rows' moves too (a row of moves
        per index) each element is a pair: the indices and their moves.
        """
        tf = self._tf
        size = self._batch_size
        n_full = n_rows // size

        def split(*arrays):
            # Whole batches from one reshape, as Keras' array adapter does:
            # far cheaper than batching row by row.
            full = tuple(tf.reshape(array[: n_full * size], [n_full, size, *array.shape[1:]]) for array in arrays)
            rest = tuple(array[n_full * size :] for array in arrays)
            if len(arrays) == 1:
                full, rest = full[0], rest[0]
            batches = tf.data.Dataset.from_tensor_slices(full)
            if batches_per_element is not None:
                batches = batches.batch(batches_per_element)
                rest = tf.nest.map_structure(lambda array: array[None], rest)
            if n_rows % size:
                batches = batches.concatenate(tf.data.Dataset.from_tensors(rest))
            return batches

        return split

    def _row_chunks(self, orders, n_rows, batches_per_call):
        """``(X, indices)`` elements for a `_BatchLoopTrainer`: up to ``batches_per_call`` batches of rows of ``X``.

        ``(X, indices, moves)`` where ``orders`` holds the rows' moves too.
        """
        tf = self._tf
        chunks = orders.flat_map(self._split(n_rows, batches_per_call))
        # No element may be read ahead of the epoch's order (tf.data's
        # default rewrites inject a prefetch). Without autotuning: with it,
        # a quarter to a third of the epochs of the tutorial's model ran on
        # one of two cores (0.30 s instead of 0.18 s, the same CPU time),
        # while an iterator was built per epoch or per validation pass.
        options = tf.data.Options()
        options.experimental_optimization.apply_default_optimizations = False
        options.experimental_optimization.inject_prefetch = False
        options.autotune.enabled = False
        elements = tf.data.Dataset.zip(tf.data.Dataset.from_tensors(self.data).repeat(), chunks)
        if isinstance(chunks.element_spec, tuple):
            elements = elements.map(lambda X, chunk: (X, *chunk))
        return elements.with_options(options)

    def _batches(self, orders, n_rows):
        tf = self._tf
        split = self._split(n_rows)

        def gather(rows, data):
            batch = tf.gather(data, rows)
            return batch, batch

        # flat_map hides the number of batches from Keras; repeat().take()
        # gives the same batches with their number known (take stops
        # before repeat starts over).
        batches = orders.flat_map(split).repeat().take(_n_elements(n_rows, self._batch_size))
        # As in Keras' array adapter: X enters the pipeline as a dataset
        # rather than captured by the map function, and tf.data's graph
        # rewrites, which serialise the pipeline's graph, are off.
        options = tf.data.Options()
        options.experimental_optimization.apply_default_optimizations = False
        data = tf.data.Dataset.from_tensors(self.data).repeat()
        return (
            tf.data.Dataset.zip(batches, data)
            .map(gather, num_parallel_calls=tf.data.AUTOTUNE)
            .with_options(options)
            .prefetch(tf.data.AUTOTUNE)
        )


class _RowChunks(_EpochBatches):
    """``(X, indices)`` elements for a :class:`_BatchLoopTrainer` on JAX.

    ``X`` is put on the device once and passed whole with every element
    (JAX would bake an array captured by the compiled function into the
    program); ``indices`` are the rows of up to ``batches_per_call``
    batches, one batch per row, or the last, smaller batch alone. The
    batches and their order are those of :class:`_EpochBatches` with the
    same ``rng``; with ``moves`` the elements are ``(X, indices, moves)``,
    the rows' moves those of :class:`_EpochBatches`.
    """

    def __init__(self, X, indices, batch_size, rng, batches_per_call, moves=None):
        import jax

        super().__init__(jax.device_put(X), indices, batch_size, rng, moves)
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
        if self.moves is None:
            return self.X, rows.astype(np.int32)
        first_row = min(first, n_full) * size
        return self.X, rows.astype(np.int32), self._moves[first_row : first_row + rows.size].reshape(*rows.shape, 3)


class _StreamedBatches(keras.utils.PyDataset):
    """Batches of the rows ``indices`` of an ``X`` that is read block by block (on disk, Dask).

    As :class:`_EpochBatches` (with ``sample_weight``, ``moves``) or, with
    ``batches_per_call``, as :class:`_RowChunks` for the batch loop, but
    each element carries its own rows, ``(rows of up to batches_per_call
    batches, their indices)`` (and with ``moves`` the rows' moves), so that
    ``X`` is never whole in memory. The
    rows are read in blocks of about ``_DISK_ROWS`` (a whole number of
    elements), the next block in a background thread while the current
    one is trained on. An epoch takes the full blocks in an order drawn
    from ``rng`` and the last, smaller block last, each block's rows
    shuffled within it: the shuffle is by blocks, not over all rows. With
    one block (no more than ``_DISK_ROWS`` rows) that is the order of
    :class:`_TensorFlowBatches` with the same ``rng``, so such data gives
    the same batches whether it sits in memory or not. As there, the
    order is drawn when an epoch begins, by the callback
    :attr:`reshuffle` (pass it to ``fit``), not when Keras calls
    ``on_epoch_end``, which it also does before training; except with
    ``at_epoch_end``, for the cases that take :class:`_EpochBatches` in
    memory, which draws it there. Each block's moves are drawn with its
    order, by position in it.
    """

    def __init__(
        self, X, indices, batch_size, rng=None, moves=None, sample_weight=None,
        batches_per_call=None, at_epoch_end=False,
    ):
        super().__init__()
        self.at_epoch_end = at_epoch_end
        self.X = X
        self.batch_size = batch_size
        self.rng = rng
        self.moves = moves
        self.sample_weight = sample_weight
        self.batches_per_call = batches_per_call
        self.element_rows = batch_size * (batches_per_call or 1)
        self.elements_per_block = max(1, _DISK_ROWS // self.element_rows)
        block_rows = self.element_rows * self.elements_per_block
        self.blocks = [indices[start : start + block_rows] for start in range(0, len(indices), block_rows)]
        self._lock = threading.Lock()
        self._read = {}
        self._reading = {}
        self._order = list(range(len(self.blocks)))
        self._permutations = [None] * len(self.blocks)
        self._draw_order()
        self.reshuffle = keras.callbacks.LambdaCallback(
            on_epoch_begin=lambda epoch, logs=None: epoch > 0 and not at_epoch_end and self._draw_order()
        )

    def __len__(self):
        return _n_elements(sum(map(len, self.blocks)), self.batch_size, self.batches_per_call or 1)

    def __getitem__(self, index):
        position, element = divmod(index, self.elements_per_block)
        if position == len(self.blocks):  # the last block's smaller batch, alone
            position, element = position - 1, self.elements_per_block
        number = self._order[position]
        rows = self._block(number)
        if position + 1 < len(self.blocks):
            self._read_ahead(self._order[position + 1])
        permutation = self._permutations[number]
        first = element * self.element_rows
        n_full = len(rows) // self.batch_size * self.batch_size
        if first < n_full:
            chosen = slice(first, min(first + self.element_rows, n_full))
        else:
            chosen = slice(n_full, None)
        order = np.arange(len(rows))[chosen] if permutation is None else permutation[chosen]
        batch = np.take(rows, order, axis=0)
        moves = None if self.moves is None else self._moves[number][chosen]
        if self.batches_per_call is not None:
            size = self.batch_size if chosen.start < n_full else len(batch)
            indices = np.arange(len(batch), dtype=np.int32).reshape(-1, size)
            return (batch, indices) if moves is None else (batch, indices, moves.reshape(*indices.shape, 3))
        if moves is not None:
            batch = moved_images(batch, self.moves[0], moves).astype(batch.dtype, copy=False)
        if self.sample_weight is None:
            return batch, batch
        return batch, batch, self.sample_weight[self.blocks[number][order]]

    def on_epoch_end(self):
        if self.at_epoch_end:
            self._draw_order()

    def _draw_order(self):
        if self.rng is None:
            return
        n_full = len(self.blocks) - (len(self.blocks[-1]) < len(self.blocks[0]))
        if n_full > 1:
            self._order = list(self.rng.permutation(n_full)) + self._order[n_full:]
        self._permutations = [self.rng.permutation(len(block)) for block in self.blocks]
        if self.moves is not None:
            # Each block's moves by position in its order, drawn with the
            # order as in memory: one block moves as in-memory data does.
            self._moves = [draw_moves(len(block), *self.moves[1:], self.rng) for block in self.blocks]

    def _block(self, number):
        self._read_ahead(number)
        with self._lock:
            thread = self._reading.get(number)
        if thread is not None:
            thread.join()
        with self._lock:
            self._reading.pop(number, None)
            rows = self._read[number]
            # Two blocks at most: this one and the one read ahead.
            for other in [key for key in self._read if key != number and key not in self._reading]:
                del self._read[other]
        if isinstance(rows, BaseException):
            raise rows
        return rows

    def _read_ahead(self, number):
        with self._lock:
            if number in self._read or number in self._reading:
                return

            def read():
                try:
                    rows = read_rows(self.X, self.blocks[number])
                except BaseException as error:  # raised where the block is used
                    rows = error
                with self._lock:
                    self._read[number] = rows

            thread = threading.Thread(target=read, daemon=True)
            self._reading[number] = thread
            thread.start()


def _fit_data(model, X, train, validation, batch_size, rng, moves=None, reuse=None, sample_weight=None):
    """``(model, feed, callbacks)`` for ``model.fit(**feed, callbacks=callbacks)`` on rows of ``X``.

    ``feed`` holds ``x``, ``validation_data`` (``None`` without
    ``validation`` rows, or when the TensorFlow batch loop's feed callback
    validates) and ``steps_per_epoch`` (and ``validation_steps``) where
    ``x`` (and ``validation_data``) repeat without end (see
    :class:`_TensorFlowBatches`).

    ``model`` is the compiled Keras model to train. ``train`` rows are
    reshuffled every epoch from ``rng``, and shifted and rotated at random
    with ``moves=(image_shape, max_shift, max_rotation)``; ``validation``
    rows (or ``None``) keep their order and are never moved. With
    TensorFlow or JAX, XLA, and ``steps_per_execution > 1`` or (TensorFlow)
    an epoch of one batch (and not, on JAX, a Keras distribution) the model returned is a
    :class:`_BatchLoopTrainer` around ``model``, compiled with its optimizer
    and loss, which runs up to ``steps_per_execution`` batches per call and
    moves their images itself.
    With ``reuse=(spec, make_network)`` the model returned (that trainer, or
    a network compiled as ``model`` is) is instead borrowed from
    :data:`~skae._keras._trainers.TRAINERS`, kept under ``spec`` (the
    :class:`~skae._keras._spec.NetworkSpec` of ``model`` and its training)
    with the trainer chosen here (``make_network()`` makes a new network
    like ``model`` when none is kept), starting from ``model``'s weights:
    train it in ``TRAINERS.lent(trainer, model)``.
    With ``sample_weight`` (one per row of ``X``; training and validation
    losses weighted) the batches are the ``PyDataset``'s, in Keras' own
    loop, on every backend.
    """
    backend = keras.backend.backend()
    streamed = is_streamed(X)
    # A Keras distribution (JAX) splits every array fed to fit along its
    # first axis over the devices: batches, not the rows and indices of a
    # batch loop.
    # On TensorFlow an epoch of one batch takes the loop too, one batch per
    # call as in Keras' own loop: so that Keras keeps one iterator for the
    # whole fit and the feed validates (see _TensorFlowBatches), which on
    # small data is most of the time of an epoch.
    one_batch = backend == "tensorflow" and len(train) <= batch_size
    loop = (
        sample_weight is None
        and model.jit_compile
        and (model.steps_per_execution > 1 or one_batch)
        and (
            backend == "tensorflow"
            or (backend == "jax" and keras.distribution.distribution() is None)
        )
        and batch_loop_fits_keras()
    )
    batches_per_call = model.steps_per_execution if loop else None
    if streamed:
        feed, callbacks = _streamed_feed(X, train, validation, batch_size, rng, moves, sample_weight, batches_per_call)
    elif backend == "tensorflow" and sample_weight is None and (moves is None or loop):
        batches = _TensorFlowBatches(X, train, validation, batch_size, rng, batches_per_call, moves)
        feed = batches.fit_arguments
        callbacks = [batches]
    else:
        validation_data = None
        if validation is not None:
            # Batches of X's held-out rows, copied once and never converted
            # into a second tensor copy by Keras.
            validation_data = _EpochBatches(X, validation, batch_size, sample_weight=sample_weight)
        if batches_per_call is None:
            training = _EpochBatches(X, train, batch_size, rng, moves, sample_weight)
        else:
            training = _RowChunks(X, train, batch_size, rng, batches_per_call, moves)
        feed = {"x": training, "validation_data": validation_data}
        callbacks = []
    sample = read_rows(X, train[:1]) if streamed else X[train[:1]]
    if batches_per_call is None:
        if reuse is None:
            return model, feed, callbacks
        compiled, trainer, settings = _compiled_like, "keras", ()
    else:
        image_shape = None if moves is None else moves[0]
        if reuse is None:
            return _compiled_trainer(model, model, sample, image_shape), feed, callbacks
        compiled, settings = _compiled_trainer, (image_shape,)
        trainer = "batch loop" if moves is None else f"batch loop moving images of shape {image_shape}"
    spec, make_network = reuse
    trainer = TRAINERS.borrow(
        spec.trained_by(trainer), model, lambda: compiled(make_network(), model, sample, *settings)
    )
    return trainer, feed, callbacks


def _streamed_feed(X, train, validation, batch_size, rng, moves, sample_weight, batches_per_call):
    """``fit``'s ``x`` and ``validation_data``, and the callbacks, for an ``X`` read block by block (see :class:`_StreamedBatches`).

    On JAX the batch loop validates with Keras' own step, on batches of rows.
    """
    tensorflow = keras.backend.backend() == "tensorflow"
    # The order is drawn as by the feed the same fit in memory takes.
    at_epoch_end = not tensorflow or (moves is not None and batches_per_call is None) or sample_weight is not None
    training = _StreamedBatches(X, train, batch_size, rng, moves, sample_weight, batches_per_call, at_epoch_end)
    validation_data = None
    if validation is not None:
        per_call = batches_per_call if tensorflow else None
        validation_data = _StreamedBatches(X, validation, batch_size, sample_weight=sample_weight, batches_per_call=per_call)
    feed = {"x": training, "validation_data": validation_data}
    if tensorflow and batches_per_call is not None:
        feed = {name: None if batches is None else _tensorflow_elements(batches) for name, batches in feed.items()}
    return feed, [training.reshuffle]


def _tensorflow_elements(batches):
    """The batch loop's elements of ``batches`` as a ``tf.data`` pipeline, an epoch per iteration.

    Keras would infer the shape of a ``PyDataset``'s elements from the
    first ones, which fixes the batch size of the indices and then rejects
    the last, smaller batch. Without tf.data's autotuning, which ran a
    quarter of the epochs on one of two cores (see :class:`_TensorFlowBatches`);
    one element is prepared while the one before trains.
    """
    import tensorflow as tf

    signature = (
        tf.TensorSpec((None, batches.X.shape[1]), tf.float32),
        tf.TensorSpec((None, None), tf.int32),
    )
    if batches.moves is not None:
        signature += (tf.TensorSpec((None, None, 3), tf.float32),)
    options = tf.data.Options()
    options.experimental_optimization.apply_default_optimizations = False
    options.autotune.enabled = False
    elements = tf.data.Dataset.from_generator(
        lambda: (batches[index] for index in range(len(batches))), output_signature=signature
    )
    # repeat().take() tells Keras the number of elements (a generator's is
    # unknown), without starting the generator over.
    return elements.repeat().take(len(batches)).prefetch(1).with_options(options)


def _built(model, sample):
    """The compiled ``model``, its loss and metrics built from ``sample`` rows.

    So Keras never builds it from the first element of the feed: a batch
    loop's elements hold indices, not rows, and on JAX a moved batch would
    draw one batch's random moves more in the first fit than in later ones.
    """
    model.compute_loss(x=sample, y=sample, y_pred=model(sample))
    return model


def _compiled_like(network, model, sample):
    """``network`` compiled as ``model`` is: its optimizer, loss, XLA and steps per execution."""
    network.compile(
        optimizer=model.optimizer,
        loss=model.loss,
        jit_compile=model.jit_compile,
        steps_per_execution=model.steps_per_execution,
    )
    return _built(network, sample)


def _compiled_trainer(network, model, sample, image_shape=None):
    """A :class:`_BatchLoopTrainer` around ``network`` (moving images of ``image_shape``), compiled with ``model``'s optimizer and loss."""
    trainer = _BatchLoopTrainer(network, image_shape)
    trainer.compile(optimizer=model.optimizer, loss=model.loss, jit_compile=True)
    return _built(trainer, sample)
