"""Pretrained embeddings: the corpus never holds a test review, the artifact round-trips, and the zoo option
starts (and, frozen, keeps) the embedding table, with run ids that say so and leave older ids alone."""

from __future__ import annotations

import io
import random
import tarfile

import numpy as np
import pytest
from safetensors.numpy import save_file

from conftest import synthetic_review
from pipelines.cli import main
from pipelines.data import Vocabulary
from pipelines.data.unlabelled import unlabelled_corpus
from pipelines.embeddings import EmbeddingsNotFound, choose_embeddings, list_embeddings, read_embeddings
from pipelines.models.spec import ModelSpec
from pipelines.models.zoos import zoo
from pipelines.runs import load_run
from pipelines.store import Store
from pipelines.training.config import TrainConfig
from pipelines.training.train import run_id_for, train_zoo
from pipelines.training.word2vec import Word2VecConfig, train_embeddings

TEST_ONLY_WORDS = ("zorblax", "quintessaflop", "mirrodrake")  # in test reviews and nowhere else
UNSUP_ONLY_WORD = "flimflammery"
TINY_WORD2VEC = Word2VecConfig(dimensions=8, min_count=1, epochs=2, workers=1, window=3, negative=3)


def write_archive(folder, per_class: int = 12, unsup: int = 40):
    """An aclImdb archive whose test reviews hold words no training-side review has."""
    rng = random.Random(7)
    members = {"aclImdb/README": "Large Movie Review Dataset v1.0"}
    for split in ("train", "test"):
        for sentiment, label in (("pos", 1), ("neg", 0)):
            for index in range(per_class):
                text = synthetic_review(label, rng)
                if split == "test":
                    text += " " + " ".join(TEST_ONLY_WORDS)
                members[f"aclImdb/{split}/{sentiment}/{index}_{8 if label else 2}.txt"] = text + "<br />The end."
    for index in range(unsup):
        members[f"aclImdb/train/unsup/{index}_0.txt"] = f"{synthetic_review(index % 2, rng)} a {UNSUP_ONLY_WORD}."
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "aclImdb_v1.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        for name, text in members.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


@pytest.fixture
def data_dir(tmp_path):
    folder = tmp_path / "data"
    write_archive(folder)
    return folder


@pytest.fixture
def embeddings(tmp_path, data_dir):
    store = Store(tmp_path / "artifacts")
    settings = train_embeddings(store.root, TINY_WORD2VEC, data_dir=data_dir, show_progress=False)
    return store, read_embeddings(store.root, settings.name)


def test_the_corpus_is_the_training_side_only(data_dir):
    corpus = unlabelled_corpus(data_dir, "unsup+train")
    assert len(corpus.texts) == 40 + 2 * 12
    assert all(review_id.startswith("train/") for review_id in corpus.ids)
    assert not any(word in text for text in corpus.texts for word in TEST_ONLY_WORDS)
    unsup_only = unlabelled_corpus(data_dir, "unsup")
    assert len(unsup_only.texts) == 40 and all(i.startswith("train/unsup/") for i in unsup_only.ids)


def test_the_embeddings_never_saw_a_test_review(embeddings):
    """Every word of the test reviews that no training-side review has is missing from the vectors."""
    _, vectors = embeddings
    assert UNSUP_ONLY_WORD in vectors.words  # the unlabelled reviews were read ...
    assert "great" in vectors.words and "awful" in vectors.words  # ... and the labelled training ones' text
    assert not set(TEST_ONLY_WORDS) & set(vectors.words)  # ... and never a test review
    corpus = vectors.settings.corpus
    assert corpus.parts == ["train/unsup", "train/pos", "train/neg"] and corpus.texts == 64


def test_the_artifact_round_trips_and_lines_up_with_a_vocabulary(embeddings):
    store, vectors = embeddings
    assert vectors.vectors.shape == (vectors.settings.words, 8) and vectors.vectors.dtype == np.float32
    vocabulary = Vocabulary(["<pad>", "<unk>", "great", "awful", "neverseenword"], maxlen=10)
    table, coverage = vectors.table_for(vocabulary, seed=1)
    assert coverage == pytest.approx(2 / 3)
    assert np.all(table[0] == 0)  # the padding row
    np.testing.assert_array_equal(table[2], vectors.vectors[vectors.words.index("great")])
    assert np.abs(table[4]).max() <= 0.05  # a word the corpus lacks keeps the zoo's small random start
    again = train_embeddings(store.root, TINY_WORD2VEC, data_dir=None, show_progress=False,
                             corpus=unlabelled_corpus(store.root.parent / "data"))  # fmt: skip
    assert again.name == vectors.name and len(list_embeddings(store.root)) == 1  # kept, not trained twice


def test_damaged_or_missing_embeddings_say_so(embeddings, tmp_path):
    store, vectors = embeddings
    with pytest.raises(EmbeddingsNotFound, match="python -m pipelines embed"):
        choose_embeddings(tmp_path / "empty-store")
    with pytest.raises(EmbeddingsNotFound, match="no embeddings 'nope'"):
        read_embeddings(store.root, "nope")
    save_file({"vectors": np.zeros((3, 8), dtype=np.float32)}, str(store.root / "embeddings" / vectors.name /
                                                                       "vectors.safetensors"))  # fmt: skip
    with pytest.raises(EmbeddingsNotFound, match="damaged"):
        read_embeddings(store.root, vectors.name)


def test_pretrained_run_ids_say_so_and_older_ids_stay():
    config = TrainConfig()
    quick_gru, full_first = zoo("quick")[0].resolved(20000, 2), zoo("full")[0].resolved(20000, 2)
    # The ids these specs had before pretrained embeddings existed (computed on main before the change).
    assert run_id_for("torch", quick_gru, "rt-polarity", "abc123def456", config) == "torch-rnn-uni-1x64-mean-1a587832"
    assert run_id_for("torch", full_first, "rt-polarity", "abc123def456", config) == \
        "torch-rnn-bi-3x256-max-dense256x128-ccffca7d"  # fmt: skip
    from dataclasses import replace

    frozen = replace(quick_gru, embedding_size=8, embeddings="word2vec-x", frozen_embeddings=True)
    tuned = replace(frozen, frozen_embeddings=False)
    frozen_id = run_id_for("torch", frozen, "rt-polarity", "abc123def456", config)
    tuned_id = run_id_for("torch", tuned, "rt-polarity", "abc123def456", config)
    assert frozen_id.startswith("torch-rnn-uni-1x64-mean-pretrained-frozen-")
    assert tuned_id.startswith("torch-rnn-uni-1x64-mean-pretrained-tuned-")
    assert ModelSpec.from_json(frozen.to_json()) == frozen and "embeddings" not in quick_gru.to_json()
    with pytest.raises(ValueError, match="frozen_embeddings needs"):
        ModelSpec(frozen_embeddings=True)


def test_a_frozen_table_stays_as_pretrained_and_a_tuned_one_learns(embeddings, rt_data_dir):
    store, vectors = embeddings
    common = dict(data_dir=rt_data_dir, limit=40, only=["gru-uni-*"], overrides={"epochs": 2}, baselines=False,
                  show_progress=False, words=False)  # fmt: skip
    runs = {}
    for mode in ("frozen", "tuned"):
        [outcome] = train_zoo(store, "rt-polarity", "quick", ["torch"], pretrained=mode, **common)
        assert outcome.result == "trained" and f"pretrained-{mode}" in outcome.run_id, outcome.detail
        runs[mode] = load_run(store, "rt-polarity-limit40", outcome.run_id)
    vocabulary = runs["frozen"].vocabulary
    start, coverage = vectors.table_for(vocabulary, seed=TrainConfig().seed)
    frozen_table = runs["frozen"].model.embedding.weight.detach().numpy()
    tuned_table = runs["tuned"].model.embedding.weight.detach().numpy()
    np.testing.assert_array_equal(frozen_table, start)
    assert np.abs(tuned_table - start).max() > 1e-4
    record = runs["frozen"].record
    assert record.metrics.pretrained_coverage == pytest.approx(coverage) and coverage > 0.5
    assert record.metrics.trainable_parameters == record.metrics.parameters - frozen_table.size
    assert record.model_spec.embeddings == vectors.name and record.model_spec.embedding_size == 8
    assert record.spec.label.endswith("pretrained, frozen")
    # Attributions still mean "this token's push": Integrated Gradients' scores add up to the change in output.
    explanation = runs["frozen"].explain("a great and wonderful film", methods=["integrated_gradients"])
    ig = explanation.attributions["integrated_gradients"]
    assert len(ig.scores) == 5 and abs(ig.delta) < 0.05


def test_the_option_refuses_what_it_cannot_do(embeddings, rt_data_dir, tmp_path):
    store, _ = embeddings
    common = dict(data_dir=rt_data_dir, limit=40, only=["gru-uni-*"], show_progress=False, words=False, baselines=False)
    with pytest.raises(ValueError, match="PyTorch runs only"):
        train_zoo(store, "rt-polarity", "quick", ["torch", "keras"], pretrained="frozen", **common)
    with pytest.raises(ValueError, match="give --pretrained too"):
        train_zoo(store, "rt-polarity", "quick", ["torch"], embeddings="word2vec-x", **common)
    with pytest.raises(EmbeddingsNotFound, match="no embeddings 'word2vec-x'"):
        train_zoo(store, "rt-polarity", "quick", ["torch"], pretrained="tuned", embeddings="word2vec-x", **common)


def test_the_commands(data_dir, rt_data_dir, tmp_path, capsys):
    artifacts = str(tmp_path / "cli-store")
    train = ["--artifacts", artifacts, "train", "--dataset", "rt-polarity", "--limit", "30", "--only", "gru-uni-*",
             "--epochs", "1", "--data-dir", str(rt_data_dir), "--quiet", "--no-top-words"]  # fmt: skip
    assert main([*train, "--pretrained", "frozen"]) == 2
    assert "python -m pipelines embed" in capsys.readouterr().err
    assert main(["--artifacts", artifacts, "embed", "--data-dir", str(data_dir), "--dimensions", "6", "--epochs", "1",
                 "--min-count", "1", "--workers", "1", "--quiet"]) == 0  # fmt: skip
    assert "no test review" in capsys.readouterr().out
    assert main([*train, "--pretrained", "tuned"]) == 0
    assert "of the vocabulary pretrained" in capsys.readouterr().out
    assert main(["--artifacts", artifacts, "list"]) == 0
    listing = capsys.readouterr().out
    assert "-pretrained-tuned-" in listing and "[pretrained embeddings]" in listing and "word2vec-imdb-" in listing
    with pytest.raises(SystemExit) as exit_status:  # argparse refuses an unknown corpus with status 2
        main(["--artifacts", artifacts, "embed", "--corpus", "everything"])
    assert exit_status.value.code == 2


def test_the_unpacked_folder_gives_the_same_corpus_and_an_archive_without_unsup_is_refused(data_dir, tmp_path):
    import tarfile as tar

    from pipelines.data import DataError

    with tar.open(data_dir / "aclImdb_v1.tar.gz") as archive:
        archive.extractall(tmp_path / "unpacked", filter="data")
    from_archive, from_folder = unlabelled_corpus(data_dir), unlabelled_corpus(tmp_path / "unpacked")
    assert from_folder.ids == from_archive.ids and from_folder.texts == from_archive.texts
    with tar.open(data_dir / "aclImdb_v1.tar.gz") as archive:  # a copy without train/unsup
        archive.extractall(tmp_path / "labelled-only", filter="data")
    for review in (tmp_path / "labelled-only" / "aclImdb" / "train" / "unsup").iterdir():
        review.unlink()
    with pytest.raises(DataError, match="no unlabelled reviews"):
        unlabelled_corpus(tmp_path / "labelled-only")


def test_the_real_corpus_is_the_training_side_only(real_data_dir):
    corpus = unlabelled_corpus(real_data_dir)
    assert len(corpus.texts) == 75_000
    assert sum(review_id.startswith("train/unsup/") for review_id in corpus.ids) == 50_000
    assert all(review_id.startswith("train/") for review_id in corpus.ids)
    assert "<br" not in corpus.texts[0]  # HTML line breaks cleaned as for the labelled reviews
