"""TrainRequest: one checked value per training request, the same from argparse, the Train page and a job's argv."""

from __future__ import annotations

import pytest

from pipelines.cli import build_parser, main
from pipelines.training.request import FORECASTERS, LANGUAGE_MODELS, LabRequest, TrainRequest


def parsed(argv: list[str]):
    return build_parser().parse_args(argv)


REQUESTS = [
    TrainRequest(),
    TrainRequest(dataset="nusax", language="javanese", zoo="sweep", frameworks=("torch", "keras"), limit=300,
                 overrides={"epochs": 3, "learning_rate": 0.01}, only=("gru-*", "lstm-bi-*"), seeds=3,
                 data_dir="/tmp/data", device="cpu", show_progress=False, top_words=False, baselines=False),
    TrainRequest(dataset="rt-polarity", executor="ray", address="auto", cpus_per_run=2.0, gpus_per_run=0.25,
                 ray_cpus=None),
    TrainRequest(dataset="rt-polarity", executor="ray", ray_cpus=2),
    TrainRequest(dataset="imdb", pretrained="frozen", embeddings="word2vec-imdb-1234"),
    TrainRequest(dataset="co2", zoo="forecast-quick", forecast_settings={"lookback": 26, "horizon": 8},
                 overrides={"epochs": 1}),
    TrainRequest(dataset="sales.csv", zoo="forecast", date_column="day", value_column="units",
                 forecast_settings={"test_fraction": 0.2}),
    TrainRequest(dataset="rt-polarity-chars", zoo="charlm-small", limit=50, overrides={"batch_size": 16}),
    TrainRequest(dataset="memory-d50", zoo="memory", seeds=2),
]


@pytest.mark.parametrize("request_", REQUESTS, ids=lambda request: " ".join(request.to_argv()[1:5]))
def test_a_request_survives_its_command_line(request_):
    """What a background job runs is what was asked: from_args(parse(to_argv(r))) == r."""
    assert TrainRequest.from_args(parsed(request_.to_argv())) == request_


@pytest.mark.parametrize("argv", [
    ["train"],
    ["train", "--dataset", "co2", "--zoo", "forecast-quick", "--lookback", "26", "--quiet"],
    ["train", "--framework", "both", "--only", "gru-*", "--epochs", "2", "--no-baselines", "--no-top-words"],
    ["train", "--dataset", "rt-polarity-chars", "--limit", "40"],
])  # fmt: skip
def test_a_command_line_survives_its_request(argv):
    request = TrainRequest.from_args(parsed(argv))
    assert TrainRequest.from_args(parsed(request.to_argv())) == request


def test_the_kind_of_data_picks_the_trainer_and_the_default_zoo():
    assert TrainRequest(dataset="rt-polarity-chars").zoo == "charlm"
    assert TrainRequest(dataset="rt-polarity-chars").kind == LANGUAGE_MODELS
    assert TrainRequest(dataset="my.csv", zoo="forecast").kind == FORECASTERS
    assert TrainRequest().zoo == "quick"


@pytest.mark.parametrize("fields, message", [
    (dict(seeds=0), "--seeds must be at least 1"),
    (dict(frameworks=("jax",)), "unknown framework 'jax'"),
    (dict(zoo="huge"), "unknown zoo 'huge' for rt-polarity"),
    (dict(overrides={"epochs": 0}), "epochs and patience must be >= 1"),
    (dict(overrides={"momentum": 0.9}), "unknown training setting 'momentum'"),
    (dict(cpus_per_run=2.0), "--cpus-per-run only apply to --executor ray"),
    (dict(executor="ray", cpus_per_run=0.0), "--cpus-per-run must be positive"),
    (dict(forecast_settings={"lookback": 10}), "--lookback apply to a series (forecasting), not to the text"),
    (dict(date_column="day"), "--date-column apply to a series"),
    (dict(embeddings="x"), "give --pretrained too"),
    (dict(pretrained="tuned", frameworks=("keras",)), "PyTorch runs only"),
    (dict(dataset="memory-d5", zoo="memory", pretrained="tuned"), "not to the memory lab's memory-d5"),
    (dict(dataset="co2", zoo="forecast", seeds=2), "--seeds repeats classifiers"),
    (dict(dataset="co2", zoo="forecast", limit=10), "--limit and --language apply to text data sets"),
    (dict(dataset="co2", zoo="forecast", pretrained="tuned"), "not to a series"),
    (dict(dataset="co2", zoo="quick"), "co2 is a series: train a forecast zoo on it"),
    (dict(dataset="co2", zoo="forecast", frameworks=("keras",), only=("gru-*",)),
     "--framework keras: only the encoder-decoder forecaster (seed 001's build_seq2seq_model) has a Keras twin"),
    (dict(dataset="rt-polarity-chars", executor="ray"), "--executor apply to classifier zoos or series, not to "
                                                         "language models"),
    (dict(dataset="rt-polarity-chars", forecast_settings={"horizon": 3}), "--horizon apply to classifier zoos"),
    (dict(dataset="rt-polarity-chars", frameworks=("keras",)), "PyTorch only, not --framework keras"),
    (dict(dataset="rt-polarity", zoo="charlm"), "holds language models: train it on a character corpus"),
    (dict(dataset="mnist"), "unknown data set 'mnist'"),
])  # fmt: skip
def test_a_bad_request_names_its_flag(fields, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        TrainRequest(**fields)


def test_the_command_line_refuses_flags_that_do_not_apply_in_one_line(tmp_path, capsys):
    assert main(["--artifacts", str(tmp_path), "train", "--lookback", "10"]) == 2
    assert capsys.readouterr().err.strip() == ("error: --lookback apply to a series (forecasting), not to the text "
                                               "data set rt-polarity")  # fmt: skip
    assert not any(tmp_path.iterdir())


def test_a_lab_request_checks_its_distances_and_survives_its_command_line():
    request = LabRequest(distances=(50, 5, 5), seeds=2, overrides={"epochs": 2}, show_progress=False, views=False)
    assert request.distances == (5, 50) and request.keys == ["memory-d5", "memory-d50"]
    assert LabRequest.from_args(parsed(request.to_argv())) == request
    assert [each.dataset for each in LabRequest(distractors=True, distances=(3,)).requests()] == ["memory-d3-distractors"]
    with pytest.raises(ValueError, match="distances must be 1 to 1000 steps"):
        LabRequest(distances=(0,))
    with pytest.raises(ValueError, match="--seeds must be at least 1"):
        LabRequest(seeds=0)
