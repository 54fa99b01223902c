"""The Keras zoo: the PyTorch zoo's twin, built from the same `ModelSpec`.

    model = build_keras_model(spec)   # token ids (batch, time) -> logits (batch, classes)

The layers mirror `torch_zoo.RecurrentClassifier` one for one, so weights can be
converted either way (`convert.py`) and both agree with the NumPy reference
(`reference.py`) to within 1e-5:

    Embedding(mask_zero) -> Dropout -> [RNN/LSTM/GRU, Bidirectional(concat) if bi]
    with Dropout between layers -> pooling over real tokens -> Dropout ->
    [Dense -> (BatchNormalization) -> ReLU -> Dropout] per head width -> Dense (logits)

Padding. Batches are post-padded with id 0. `mask_zero=True` turns those ids
into a mask that every later layer receives: a recurrent layer skips masked
steps (it carries its state over them), and Bidirectional's backward layer
starts at the last real token, because Keras reverses the mask with the inputs.
So padding never changes an output, exactly as in the PyTorch twin.

Softmax. Like the PyTorch model, this one ends in logits; training takes the
loss from logits and `KerasBackend.predict` applies the softmax.

Pooling "last" uses Keras's own last state (`return_sequences=False`): with a
mask, a forward layer returns its state after the last real token and the
backward layer its state after reading back to the first token, which is
`torch_zoo.pool(..., "last")`. "mean" is Keras's masked GlobalAveragePooling1D;
"max" needs the small `MaskedGlobalMaxPooling1D` below, because Keras's
GlobalMaxPooling1D ignores masks.
"""

from __future__ import annotations

import keras
from keras import layers, ops

from .spec import ModelSpec

# PyTorch's batch norm defaults, so converted weights give the same outputs
# (Keras's own defaults are epsilon 1e-3 and momentum 0.99).
BATCH_NORM_EPSILON = 1e-5
BATCH_NORM_MOMENTUM = 0.9  # Keras keeps 0.9 of the old running average; PyTorch's momentum=0.1 means the same
EMBEDDING_INIT_LIMIT = 0.05  # uniform(-0.05, 0.05), as in the PyTorch twin


@keras.saving.register_keras_serializable(package="rnnlens")
class MaskedGlobalMaxPooling1D(layers.Layer):
    """Max over the real (unmasked) time steps: (batch, time, features) -> (batch, features)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return ops.max(inputs, axis=1)
        real = ops.expand_dims(ops.cast(mask, "bool"), -1)  # (batch, time, 1)
        return ops.max(ops.where(real, inputs, float("-inf")), axis=1)  # every text has a real token

    def compute_mask(self, inputs, mask=None):
        return None  # the time axis is gone

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[2])


def recurrent_layer(spec: ModelSpec, return_sequences: bool, name: str) -> layers.Layer:
    """One recurrent layer of the spec's cell, wrapped in Bidirectional when the spec is bidirectional."""
    # Unidirectional: the cell is the layer and takes the name; bidirectional: the wrapper does.
    options = dict(units=spec.hidden_size, return_sequences=return_sequences, name=None if spec.bidirectional else name)
    if spec.cell == "rnn":
        cell = layers.SimpleRNN(activation="tanh", **options)
    elif spec.cell == "lstm":
        cell = layers.LSTM(activation="tanh", recurrent_activation="sigmoid", **options)
    else:
        # reset_after=True puts the reset gate after the recurrent matmul: PyTorch's GRU.
        cell = layers.GRU(activation="tanh", recurrent_activation="sigmoid", reset_after=True, **options)
    if not spec.bidirectional:
        return cell
    return layers.Bidirectional(cell, merge_mode="concat", name=name)


def pooling_layer(pooling: str) -> layers.Layer | None:
    """Over real tokens only; None for "last", which the last recurrent layer returns itself."""
    if pooling == "max":
        return MaskedGlobalMaxPooling1D(name="pooling")
    if pooling == "mean":
        return layers.GlobalAveragePooling1D(name="pooling")  # masked mean in Keras 3
    return None


def build_keras_model(spec: ModelSpec) -> keras.Model:
    """A functional Keras model: token ids (batch, time), post-padded with 0 -> logits (batch, classes).

    Layer names are fixed ("embedding", "recurrent_1", ..., "dense_1",
    "batch_norm_1", ..., "logits"): the weight converters find layers by them.
    """
    if spec.vocab_size < 3 or spec.num_classes < 2:
        raise ValueError("resolve the spec with the vocabulary size and class count first")
    if spec.init != "default":
        raise ValueError(f"the {spec.init} initialisation is built for PyTorch only (the memory lab's zoo); "
                         "train it with --framework torch")  # fmt: skip
    token_ids = keras.Input(shape=(None,), dtype="int32", name="token_ids")  # (batch, time)

    # (batch, time, embedding); id 0 is padding and becomes the mask every later layer reads
    x = layers.Embedding(
        spec.vocab_size, spec.embedding_size, mask_zero=True, name="embedding",
        embeddings_initializer=keras.initializers.RandomUniform(-EMBEDDING_INIT_LIMIT, EMBEDDING_INIT_LIMIT),
    )(token_ids)  # fmt: skip
    x = layers.Dropout(spec.dropout, name="embedding_dropout")(x)

    for layer in range(1, spec.layers + 1):
        if layer > 1:
            x = layers.Dropout(spec.dropout, name=f"recurrent_dropout_{layer}")(x)  # between recurrent layers
        # (batch, time, directions*hidden); the last layer returns (batch, directions*hidden) for "last"
        keep_time = layer < spec.layers or spec.pooling != "last"
        x = recurrent_layer(spec, keep_time, name=f"recurrent_{layer}")(x)

    pooling = pooling_layer(spec.pooling)
    if pooling is not None:
        x = pooling(x)  # (batch, directions*hidden)

    x = layers.Dropout(spec.dropout, name="head_dropout")(x)
    for index, width in enumerate(spec.head, start=1):
        x = layers.Dense(width, name=f"dense_{index}")(x)  # (batch, width)
        if spec.batch_norm:
            x = layers.BatchNormalization(
                epsilon=BATCH_NORM_EPSILON, momentum=BATCH_NORM_MOMENTUM, name=f"batch_norm_{index}"
            )(x)
        x = layers.ReLU(name=f"relu_{index}")(x)
        x = layers.Dropout(spec.dropout, name=f"dense_dropout_{index}")(x)
    logits = layers.Dense(spec.num_classes, name="logits")(x)  # (batch, classes); softmax in predict
    return keras.Model(token_ids, logits, name=f"rnnlens_{spec.short_name().replace('-', '_')}")


def count_keras_parameters(model: keras.Model) -> int:
    """Trainable values: batch norm's moving mean and variance are not counted (as in PyTorch)."""
    return int(sum(int(ops.size(weight)) for weight in model.trainable_weights))
