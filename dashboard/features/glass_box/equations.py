"""The cells' equations in LaTeX, and how each framework stores their weights: what the Glass box page shows.

The same equations as `pipelines/models/reference.py` (the NumPy forward pass)
and `pipelines/models/convert.py` (the frameworks' layouts), written for people.
"""

from __future__ import annotations

EQUATIONS = {
    "rnn": r"h_t = \tanh\left(W x_t + U h_{t-1} + b\right)",
    "lstm": r"""\begin{aligned}
i_t &= \sigma\left(W_i x_t + U_i h_{t-1} + b_i\right) && \text{input gate} \\
f_t &= \sigma\left(W_f x_t + U_f h_{t-1} + b_f\right) && \text{forget gate} \\
g_t &= \tanh\left(W_g x_t + U_g h_{t-1} + b_g\right) && \text{candidate} \\
o_t &= \sigma\left(W_o x_t + U_o h_{t-1} + b_o\right) && \text{output gate} \\
c_t &= f_t \odot c_{t-1} + i_t \odot g_t && \text{cell state} \\
h_t &= o_t \odot \tanh(c_t) && \text{hidden state}
\end{aligned}""",
    "gru": r"""\begin{aligned}
r_t &= \sigma\left(W_r x_t + U_r h_{t-1} + b_r\right) && \text{reset gate} \\
z_t &= \sigma\left(W_z x_t + U_z h_{t-1} + b_z\right) && \text{update gate} \\
n_t &= \tanh\left(W_n x_t + b_n + r_t \odot \left(U_n h_{t-1} + b'_n\right)\right) && \text{candidate} \\
h_t &= (1 - z_t) \odot n_t + z_t \odot h_{t-1} && \text{hidden state}
\end{aligned}""",
}

PAPERS = {
    "rnn": "Elman (1990), Finding structure in time",
    "lstm": "Hochreiter & Schmidhuber (1997); the forget gate from Gers, Schmidhuber & Cummins (2000)",
    "gru": "Cho et al. (2014); the reset gate applied after the product, as PyTorch and Keras (reset_after=True) do",
}

AROUND_THE_CELL = r"""\begin{aligned}
e_t &= E[\text{token}_t] && \text{embedding; dropout is off at inference} \\
h^{fw}_t &= \text{cell}(e_t,\ h^{fw}_{t-1}), \quad h^{bw}_t = \text{cell}'(e_t,\ h^{bw}_{t+1})
  && \text{forward; backward from the last real token} \\
p &= \operatorname{softmax}\left(W_{out} \operatorname{pool}_t \left[h^{fw}_t ; h^{bw}_t\right] + b_{out}\right)
  && \text{pooling over the real tokens only}
\end{aligned}"""

SIGMOID = r"\sigma(a) = \frac{1}{1 + e^{-a}} \in (0, 1), \qquad \odot \text{ : element by element}"

STORAGE = {
    "rnn": [
        ("PyTorch", "weight_ih (H, I) = W, weight_hh (H, H) = U; two biases b_ih + b_hh = b"),
        ("Keras", "kernel (I, H) = Wᵀ, recurrent_kernel (H, H) = Uᵀ; one bias b"),
    ],
    "lstm": [
        ("PyTorch", "weight_ih (4H, I): blocks i, f, g, o stacked; weight_hh (4H, H); two biases b_ih + b_hh = b"),
        ("Keras", "kernel (I, 4H): blocks i, f, c (= g), o side by side; recurrent_kernel (H, 4H); one bias b"),
    ],
    "gru": [
        ("PyTorch", "weight_ih (3H, I): blocks r, z, n; weight_hh (3H, H); b_ih, and b_hh whose n block is b'ₙ"),
        ("Keras", "kernel (I, 3H): blocks z, r, h (update first); bias (2, 3H): input row, recurrent row (b'ₙ)"),
    ],
}


def shapes(cell: str, input_size: int, hidden_size: int) -> str:
    """The sizes of one direction's weights, in LaTeX, e.g. for the first layer (input = the embedding)."""
    names = {"rnn": "", "lstm": r"_{i,f,g,o}", "gru": r"_{r,z,n}"}[cell]
    return (rf"W{names} \in \mathbb{{R}}^{{{hidden_size} \times {input_size}}}, \quad "
            rf"U{names} \in \mathbb{{R}}^{{{hidden_size} \times {hidden_size}}}, \quad "
            rf"b{names} \in \mathbb{{R}}^{{{hidden_size}}}")  # fmt: skip
