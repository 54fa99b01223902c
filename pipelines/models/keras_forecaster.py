"""Seed 001's encoder-decoder forecaster in Keras, as the seed writes it (section 7.5.3): trained in the forecast
zoos with `--framework keras`, and its PyTorch twin's weights in it.

    model = build_seq2seq_model(encoder_seq_len=26, decoder_seq_len=8, latent_dim=32)   # the seed's function
    model = keras_forecaster_for(spec)          # the same, for a resolved ForecasterSpec (the zoo's runs)
    model = keras_from_torch(torch_model)       # the same network with an EncoderDecoderForecaster's weights
    keras_forecasts(model, windows)             # (batch, horizon), as torch_model(windows) gives them
    encoded_forecasts(model, windows)           # the same as a tensor: the forward pass training differentiates
    encoder_states(model, windows)              # (batch, lookback, hidden): the encoder's states, step by step

The forecast zoos train it as a run of its own, framework "keras", beside its PyTorch twin
(pipelines/models/forecaster.py): `train --dataset co2 --zoo forecast-quick --framework keras|both`. It trains in
the project's one epoch loop (pipelines/training/keras_forecast_loop.py), is saved whole as `model.keras`, and
the forecasting reader (pipelines/forecasting/runs.py) loads it for `forecast` and the pages. It is the only
forecaster written in Keras (`ForecasterSpec.keras_twin`); the direct forecasters train in PyTorch only.
tests/test_forecasting.py also copies trained PyTorch weights in and compares the forecasts: the two are one
network. The seed leaves its `decoder_input` open; like the PyTorch model, every decoder step reads the window's
last value (`decoder_inputs`), so training and forecasting compute the same thing.

Weights (pipelines/models/convert.py has the layouts): Keras's LSTM kernel is PyTorch's weight_ih transposed, in
the same gate order (i, f, c, o = PyTorch's i, f, g, o); its one bias is PyTorch's two added; Dense's kernel is
Linear's weight transposed. So the Keras model has 4 × hidden fewer parameters per LSTM than its twin.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops

BATCH = 1024  # windows per forward pass


def build_seq2seq_model(encoder_seq_len=10, decoder_seq_len=10, input_dim=1, output_dim=1, latent_dim=64):
    """Simple Seq2Seq model (seed 001, section 7.5.3, as written there).

    encoder_seq_len: input sequence length; decoder_seq_len: output sequence length; latent_dim: hidden dimension.
    """
    # Encoder
    encoder_inputs = layers.Input(shape=(encoder_seq_len, input_dim), name="encoder_input")
    encoder_lstm = layers.LSTM(latent_dim, return_state=True, name="encoder_lstm")
    encoder_outputs, state_h, state_c = encoder_lstm(encoder_inputs)
    encoder_states = [state_h, state_c]  # Context vector
    # Decoder
    decoder_inputs = layers.Input(shape=(decoder_seq_len, output_dim), name="decoder_input")
    decoder_lstm = layers.LSTM(latent_dim, return_sequences=True, return_state=True, name="decoder_lstm")
    decoder_outputs, _, _ = decoder_lstm(decoder_inputs, initial_state=encoder_states)
    decoder_dense = layers.Dense(output_dim, activation="linear", name="decoder_dense")
    decoder_outputs = decoder_dense(decoder_outputs)
    # Model
    model = keras.Model([encoder_inputs, decoder_inputs], decoder_outputs, name="Seq2Seq")
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    return model


def _lstm_weights(state: dict, prefix: str) -> list[np.ndarray]:
    weight = lambda name: state[f"{prefix}.{name}"].detach().cpu().double().numpy()  # noqa: E731
    return [weight("weight_ih_l0").T, weight("weight_hh_l0").T, weight("bias_ih_l0") + weight("bias_hh_l0")]


def keras_from_torch(torch_model) -> keras.Model:
    """The seed's Keras model holding a PyTorch `EncoderDecoderForecaster`'s weights (an LSTM one)."""
    model = keras_forecaster_for(torch_model.spec)
    state = torch_model.state_dict()
    model.get_layer("encoder_lstm").set_weights(_lstm_weights(state, "encoder"))
    model.get_layer("decoder_lstm").set_weights(_lstm_weights(state, "decoder"))
    model.get_layer("decoder_dense").set_weights([state["head.weight"].double().numpy().T,
                                                  state["head.bias"].double().numpy()])  # fmt: skip
    return model


def keras_forecaster_for(spec) -> keras.Model:
    """The seed's model for a resolved ForecasterSpec that has a Keras twin (untrained)."""
    if not spec.keras_twin:
        raise ValueError(f"seed 001 writes only the LSTM encoder-decoder in Keras; {spec.label()} trains in PyTorch")
    return build_seq2seq_model(spec.lookback, spec.horizon, latent_dim=spec.hidden_size)


def decoder_inputs(windows, horizon: int):
    """(batch, horizon, 1): the window's last value at every decoder step (NumPy or TensorFlow windows)."""
    return ops.repeat(windows[:, -1:, None], horizon, axis=1)


def encoded_forecasts(model: keras.Model, windows, training: bool = False):
    """Encoded windows (batch, lookback) -> encoded forecasts (batch, horizon), as a tensor: every decoder step
    reads the window's last value, as the PyTorch twin's do. The one forward pass of training and forecasting."""
    horizon = model.get_layer("decoder_input").output.shape[1]
    windows = ops.convert_to_tensor(windows, dtype="float32")  # Keras takes NumPy or tensors, not both at once
    return model([windows[..., None], decoder_inputs(windows, horizon)], training=training)[..., 0]


def keras_forecasts(model: keras.Model, windows: np.ndarray) -> np.ndarray:
    """`encoded_forecasts` of NumPy windows, `BATCH` at a time, as NumPy (batch, horizon)."""
    windows = np.asarray(windows, dtype=np.float32)
    outputs = np.zeros((len(windows), model.get_layer("decoder_input").output.shape[1]), dtype=np.float32)
    for start in range(0, len(windows), BATCH):
        outputs[start : start + BATCH] = np.asarray(encoded_forecasts(model, windows[start : start + BATCH]))
    return outputs


def encoder_states(model: keras.Model, windows: np.ndarray) -> np.ndarray:
    """The encoder's hidden states (batch, lookback, hidden) while it reads windows (batch, lookback): the seed's
    encoder returns only its last state, so a copy of it that returns every step's reads the windows."""
    encoder = model.get_layer("encoder_lstm")
    every_step = layers.LSTM(encoder.units, return_sequences=True)
    windows = np.asarray(windows, dtype=np.float32)[..., None]
    every_step.build(windows.shape)
    every_step.set_weights(encoder.get_weights())
    return np.asarray(every_step(windows))
