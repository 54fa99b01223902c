"""Training configuration: dataclass defaults, then the data set's, then the CLI's.

    config = TrainConfig.layered(dataset.info.training, {"epochs": 3})

Each layer is a plain dict; unknown keys and values of the wrong type are
rejected with a message that names them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 10
    batch_size: int = 64
    learning_rate: float = 0.002
    weight_decay: float = 0.0
    clip_norm: float = 1.0  # gradient norm clipping
    patience: int = 3  # epochs without a better validation loss before stopping
    lr_patience: int = 1  # epochs without improvement before the learning rate drops
    lr_factor: float = 0.5
    seed: int = 42

    def __post_init__(self):
        if self.epochs < 1 or self.batch_size < 2 or self.patience < 1 or self.lr_patience < 0:
            raise ValueError("epochs and patience must be >= 1, batch_size >= 2, lr_patience >= 0")
        if self.learning_rate <= 0 or self.clip_norm <= 0 or not 0 < self.lr_factor < 1:
            raise ValueError("learning_rate and clip_norm must be positive, lr_factor in (0, 1)")

    @classmethod
    def layered(cls, *layers: dict) -> "TrainConfig":
        values: dict = {}
        types = {f.name: f.type for f in fields(cls)}
        for layer in layers:
            for key, value in layer.items():
                if value is None:
                    continue  # an option the user did not give
                if key not in types:
                    raise ValueError(f"unknown training setting {key!r}; known: {', '.join(types)}")
                expected = {"int": int, "float": float}[types[key]]
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    raise ValueError(f"training setting {key} must be a number, got {value!r}")
                if expected is int and float(value) != int(value):
                    raise ValueError(f"training setting {key} must be a whole number, got {value!r}")
                values[key] = expected(value)
        return cls(**values)

    def to_json(self) -> dict:
        return asdict(self)
