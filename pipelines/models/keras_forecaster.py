"""Seed 001's encoder-decoder forecaster in Keras, as the seed writes it (section 7.5.3), and its PyTorch twin's
weights in it.

    model = build_seq2seq_model(encoder_seq_len=26, decoder_seq_len=8, latent_dim=32)   # the seed's function
    model = keras_from_torch(torch_model)       # the same network with an EncoderDecoderForecaster's weights
    keras_forecasts(model, windows)             # (batch, horizon), as torch_model(windows) gives them

The forecast zoo trains the PyTorch model (pipelines/models/forecaster.py: forecasters train in PyTorch here); this
module keeps the seed's Keras code runnable and shows it is the same network: tests/test_forecasting.py copies
trained PyTorch weights in and compares the forecasts. The seed leaves its `decoder_input` open; like the PyTorch
model, `keras_forecasts` feeds the window's last value at every decoder step.

Weights (pipelines/models/convert.py has the layouts): Keras's LSTM kernel is PyTorch's weight_ih transposed, in
the same gate order (i, f, c, o = PyTorch's i, f, g, o); its one bias is PyTorch's two added; Dense's kernel is
Linear's weight transposed.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers


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
    spec = torch_model.spec
    if spec.cell != "lstm" or not spec.encoder_decoder:
        raise ValueError(f"the seed's model is an LSTM encoder-decoder; {spec.label()} is not")
    model = build_seq2seq_model(spec.lookback, spec.horizon, latent_dim=spec.hidden_size)
    state = torch_model.state_dict()
    model.get_layer("encoder_lstm").set_weights(_lstm_weights(state, "encoder"))
    model.get_layer("decoder_lstm").set_weights(_lstm_weights(state, "decoder"))
    model.get_layer("decoder_dense").set_weights([state["head.weight"].double().numpy().T,
                                                  state["head.bias"].double().numpy()])  # fmt: skip
    return model


def keras_forecasts(model: keras.Model, windows: np.ndarray) -> np.ndarray:
    """Encoded windows (batch, lookback) -> encoded forecasts (batch, horizon): every decoder step reads the
    window's last value, as the PyTorch twin's do."""
    horizon = model.get_layer("decoder_input").output.shape[1]
    windows = np.asarray(windows, dtype=np.float32)
    decoder = np.repeat(windows[:, -1:, None], horizon, axis=1)
    return np.asarray(model([windows[..., None], decoder], training=False))[..., 0]
