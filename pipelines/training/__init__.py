"""Training: everything the `train` command runs, and nothing a reader of the store needs.

- request.py: `TrainRequest` (and the lab's `LabRequest`), what to train as one checked value; no framework
- dispatch.py: `train(store, request)`, which sends a request to the trainer of its kind of data:
  train.py (classifiers: data set -> vocabulary -> every run not yet in the store), forecast.py (forecasters),
  language_models.py (character language models); lab.py trains the memory lab's sweep through train.py
- config.py: `TrainConfig`, the settings of one run (dataclass defaults, the data set's, the CLI's)
- loop.py: the one epoch loop every model trains with (epoch tallies, early stopping, results)
- torch_loop.py, keras_loop.py: each framework's steps in that loop (forecast_loop.py: a forecaster's loss)
- bucketing.py: how an epoch's batches are drawn (length-bucketed for texts, shuffled for windows)
- jobs.py: a request trained by a background `python -m pipelines train` process (`request.to_argv()`)

Loading a finished run (`pipelines.runs`) imports none of this.
"""
