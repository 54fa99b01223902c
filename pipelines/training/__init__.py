"""Training: everything the `train` command runs, and nothing a reader of the store needs.

- train.py: `train_zoo`, the `train` command (data set -> vocabulary -> every run not yet in the store)
- config.py: `TrainConfig`, the settings of one run (dataclass defaults, the data set's, the CLI's)
- loop.py: what both frameworks' loops share (epoch tallies, early stopping, results)
- torch_loop.py, keras_loop.py: one readable training loop per framework
- bucketing.py: length-bucketed training batches
- jobs.py: a zoo trained by a background `python -m pipelines train` process

Loading a finished run (`pipelines.runs`) imports none of this.
"""
