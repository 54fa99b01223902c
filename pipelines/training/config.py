"""Training configuration: dataclass defaults, then the data set's, then the CLI's.

    config = TrainConfig.layered(dataset.info.training, {"epochs": 3})

Each layer is a plain dict; unknown keys and values of the wrong type are
rejected with a message that names them. Every field is also a `train` flag
(`--learning-rate`, `--lr-patience`, ...): the CLI builds them from `FIELDS`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields


LATER_FIELDS = {"stop_at_accuracy": 0.0, "max_seconds": 0.0}


def setting(default, help: str):
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = setting(10, "epochs at most (early stopping may end sooner)")
    batch_size: int = setting(64, "examples per batch")
    learning_rate: float = setting(0.002, "Adam's learning rate")
    weight_decay: float = setting(0.0, "L2 penalty added to the gradient (as torch.optim.Adam does)")
    clip_norm: float = setting(1.0, "gradients are scaled down to this global norm")
    patience: int = setting(3, "epochs without a better validation loss before stopping")
    lr_patience: int = setting(1, "epochs without improvement before the learning rate drops")
    lr_factor: float = setting(0.5, "the learning rate is multiplied by this when it drops")
    seed: int = setting(42, "seed of the initial weights and the batch order")
    stop_at_accuracy: float = setting(0.0, "stop once the validation accuracy reaches this: the task is solved "
                                           "(0 = never; the memory tasks use 1.0)")
    max_seconds: float = setting(0.0, "stop once this many seconds have passed, mid-epoch if need be (0 = no limit; "
                                      "compares models at the same training time)")

    def __post_init__(self):
        for name, value in asdict(self).items():  # nan passes every comparison below (nan <= 0 is False)
            if not math.isfinite(value):
                raise ValueError(f"--{name.replace('_', '-')} must be a finite number, got {value}")
        if self.epochs < 1 or self.batch_size < 2 or self.patience < 1 or self.lr_patience < 0:
            raise ValueError("epochs and patience must be >= 1, batch_size >= 2, lr_patience >= 0")
        if self.learning_rate <= 0 or self.clip_norm <= 0 or not 0 < self.lr_factor < 1 or self.weight_decay < 0:
            raise ValueError("learning_rate and clip_norm must be positive, lr_factor in (0, 1), weight_decay >= 0")
        if self.max_seconds < 0:
            raise ValueError(f"max_seconds must be 0 (no limit) or more, got {self.max_seconds}")
        if not 0 <= self.stop_at_accuracy <= 1:
            raise ValueError(f"stop_at_accuracy must be between 0 (never) and 1, got {self.stop_at_accuracy}")

    @classmethod
    def layered(cls, *layers: dict) -> "TrainConfig":
        values: dict = {}
        for layer in layers:
            for key, value in layer.items():
                if value is None:
                    continue  # an option the user did not give
                if key not in FIELDS:
                    raise ValueError(f"unknown training setting {key!r}; known: {', '.join(FIELDS)}")
                expected = FIELDS[key].type
                if isinstance(value, bool) or not isinstance(value, (int, float)):
                    raise ValueError(f"training setting {key} must be a number, got {value!r}")
                if expected is int and float(value) != int(value):
                    raise ValueError(f"training setting {key} must be a whole number, got {value!r}")
                values[key] = expected(value)
        return cls(**values)

    def to_json(self) -> dict:
        """The settings; those added after run ids existed are left out at their defaults, so old ids stay."""
        data = asdict(self)
        for name, default in LATER_FIELDS.items():
            if data[name] == default:
                del data[name]
        return data


@dataclass(frozen=True)
class Setting:
    name: str
    type: type  # int or float: the default's type
    default: int | float
    help: str


FIELDS = {f.name: Setting(f.name, type(f.default), f.default, f.metadata["help"]) for f in fields(TrainConfig)}
