"""The memory lab's lessons in words, one home for the pages' captions and the report's hand-out."""

TASK = ("Every sequence starts with one marker word, “left” or “right”, and D filler words follow; the class is the "
        "marker. The models read one way and answer from their final state, so the marker must survive D steps "
        "of the recurrence: a test of memory over distance, and nothing else.")  # fmt: skip

STARTS = ("Thick lines with filled markers start each cell as fairly as it can: the LSTM and GRU with chrono "
          "initialisation (their forget and update gates open from the first step, Tallec & Ollivier 2018), the RNN "
          "with an identity recurrent matrix (Le et al. 2015). Thin lines with open markers start each cell from "
          "PyTorch's default, where a gated cell's forget or update gate sits near 0.5 and halves a memory at every "
          "step: the gates make long memory possible, their start makes it learnable in a short budget. Each cell "
          "has its own colour, dash and marker, so lines that lie on one another (all at 100%) still show.")  # fmt: skip

BACKPROPAGATION = ("Backpropagation through time multiplies one Jacobian per step: ∂L/∂h_t = ∂L/∂h_T · ∏ "
                   "∂h_k/∂h_(k−1). Where each factor shrinks the gradient, the early steps are never learned from "
                   "(Seed 001, 7.2.3).")  # fmt: skip
