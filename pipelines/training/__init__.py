"""Training: everything the `train` command runs, and nothing a reader of the store needs.

- train.py: `train_zoo`, the `train` command (data set -> vocabulary -> every run not yet in the store)
- config.py: `TrainConfig`, the settings of one run (dataclass defaults, the data set's, the CLI's)
- loop.py: the one epoch loop every model trains with (epoch tallies, early stopping, results)
- torch_loop.py, keras_loop.py: each framework's steps in that loop (forecast_loop.py: a forecaster's loss)
- bucketing.py: how an epoch's batches are drawn (length-bucketed for texts, shuffled for windows)
- jobs.py: a zoo trained by a background `python -m pipelines train` process

Loading a finished run (`pipelines.runs`) imports none of this.
"""
