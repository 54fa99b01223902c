"""The encoder-decoder on tiny data and tiny models: tasks, shapes, teacher forcing, greedy and beam search, the
NumPy reference of a decoder step, the scores, and the refusals of bad input."""

from __future__ import annotations

import datetime
import re

import numpy as np
import pytest
import torch

from pipelines.data import DataError
from pipelines.data.seq2seq import (END_ID, START_ID, Symbols, check_source, is_pair_key, length_bucket, load_pairs,
                                    resolve_pairs)
from pipelines.models.seq2seq import EncoderDecoder
from pipelines.models.seq2seq_reference import decoder_weights_from_torch
from pipelines.models.seq2seq_spec import Seq2SeqSpec
from pipelines.training.request import SEQ2SEQ_MODELS, TrainRequest
from pipelines.translation.pairs import EncodedPairs, sequence_metrics
from pipelines.translation.runs import check_beam
from pipelines.translation.verify import compare_source

KINDS = [(cell, attention) for cell in ("rnn", "lstm", "gru") for attention in ("none", "additive", "dot", "general")]


def tiny_model(cell: str = "gru", attention: str = "additive", seed: int = 0) -> EncoderDecoder:
    torch.manual_seed(seed)
    spec = Seq2SeqSpec(cell=cell, attention=attention, hidden_size=6, embedding_size=4,
                       bidirectional=attention in ("additive", "general"))
    return EncoderDecoder(spec.resolved(vocabulary_size=12, longest_target=8)).eval()


def batch():
    source = torch.tensor([[4, 5, 6, 7, 8], [9, 10, 11, 0, 0]])
    return source, torch.tensor([5, 3]), torch.tensor([[START_ID, 5, 6, 7], [START_ID, 11, 10, 9]])


# ----------------------------------------------------------------------------
# Tasks


def test_dates_are_seeded_iso_and_say_the_same_date():
    first, again = load_pairs("dates", limit=300), load_pairs("dates", limit=300)
    assert first.train == again.train and first.train != first.test
    for pair in first.train:
        date = datetime.date.fromisoformat(pair.target)  # a real date, 1950-2029
        assert 1950 <= date.year <= 2029
        numbers = [int(number) for number in re.findall(r"\d+", pair.source)]
        assert date.day in numbers and (date.year in numbers or date.year % 100 in numbers), pair
    assert len({re.sub(r"\d+", "9", pair.source.lower()) for pair in first.train}) >= 10  # the forms, many ways


def test_reverse_and_copy_pairs():
    reverse, copy = load_pairs("reverse-12", limit=200), load_pairs("copy-12", limit=50)
    assert all(pair.target == pair.source[::-1] for pair in reverse.train)
    assert all(pair.target == pair.source for pair in copy.test)
    lengths = [len(pair.source) for pair in reverse.train]
    assert min(lengths) == 5 and max(lengths) == 12
    assert set("".join(pair.source for pair in reverse.train)) <= set("abcdefghijklmnopqrst")
    assert is_pair_key("reverse-60-limit200") and not is_pair_key("reverse") and not is_pair_key("rt-polarity")
    for bad in ("reverse-0", "copy-999", "reverse-x"):
        with pytest.raises(DataError):
            resolve_pairs(bad)


def test_symbols_encode_decode_and_length_buckets():
    symbols = Symbols.build(load_pairs("reverse-8", limit=20).train)
    ids = symbols.encode("abc")
    assert symbols.decode([*ids, END_ID, *ids]) == "abc"  # stops at the end symbol
    assert [length_bucket(n) for n in (1, 10, 11, 60)] == ["1-10", "1-10", "11-20", "51-60"]


def test_encoded_pairs_shift_the_target_for_teacher_forcing():
    symbols = Symbols.build(load_pairs("reverse-8", limit=20).train)
    pairs = load_pairs("reverse-8", limit=20).train[:2]
    source, lengths, inputs, targets = EncodedPairs.encode(pairs, symbols).padded(np.arange(2))
    assert list(lengths) == [len(pair.source) for pair in pairs]
    assert (inputs[:, 0] == START_ID).all()
    row = targets[0][targets[0] != -100]
    assert row[-1] == END_ID and list(inputs[0, 1 : len(row)]) == list(row[:-1])


# ----------------------------------------------------------------------------
# The model


@pytest.mark.parametrize("cell,attention", [("rnn", "none"), ("gru", "additive"), ("lstm", "dot"), ("gru", "general")])
def test_shapes_and_attention_over_real_positions(cell, attention):
    model = tiny_model(cell, attention)
    source, lengths, inputs = batch()
    logits, weights = model(source, lengths, inputs)
    assert logits.shape == (2, 4, 12)
    if attention == "none":
        assert weights is None
    else:
        assert weights.shape == (2, 4, 5)
        assert torch.allclose(weights.sum(-1), torch.ones(2, 4))
        assert (weights[1, :, 3:] == 0).all()  # padding takes no attention
    alone, _ = model(source[1:, :3], lengths[1:], inputs[1:])
    assert torch.allclose(alone[0], logits[1], atol=1e-6)  # padding after a source changes nothing


def test_teacher_forcing_reads_the_given_symbols_and_free_running_its_own():
    model = tiny_model("lstm", "additive")
    source, lengths, inputs = batch()
    forced, _ = model(source, lengths, inputs)
    other = inputs.clone()
    other[:, 2] = 4
    forced_other, _ = model(source, lengths, other)
    assert torch.equal(forced[:, :2], forced_other[:, :2]) and not torch.allclose(forced[:, 2], forced_other[:, 2])
    free, _ = model(source, lengths, inputs, teacher_forcing=False)
    free_other, _ = model(source, lengths, other, teacher_forcing=False)
    assert torch.equal(free, free_other)  # only the first START is read
    greedy = model.greedy(source, lengths, steps=4)
    steps = greedy.ids.shape[1]
    assert torch.equal(free.argmax(-1)[:, :steps].masked_fill(greedy.ids == 0, 0), greedy.ids)


@pytest.mark.parametrize("cell,attention", [("gru", "none"), ("lstm", "additive"), ("rnn", "dot"), ("gru", "general")])
def test_beam_of_width_one_is_greedy_and_wider_beams_score_no_worse(cell, attention):
    model = tiny_model(cell, attention, seed=3)
    source, lengths, _ = batch()
    greedy = model.greedy(source[:1], lengths[:1], steps=9)
    [best] = model.beam_search(source[0], width=1, steps=9)
    written = greedy.ids[0].tolist()
    assert best.ids == written[: len(best.ids)]
    assert best.score == pytest.approx(float(greedy.log_probabilities[0].sum()), abs=1e-5)
    wide = model.beam_search(source[0], width=5, steps=9)
    assert len(wide) == 5 and [c.score for c in wide] == sorted((c.score for c in wide), reverse=True)
    assert wide[0].score >= best.score - 1e-6
    if attention != "none":
        assert wide[0].attention.shape == (len(wide[0].ids), 5)


@pytest.mark.parametrize("cell,attention", KINDS)
def test_the_numpy_decoder_step_matches_pytorch(cell, attention):
    model = tiny_model(cell, attention, seed=1).double()
    source, _, _ = batch()
    comparison = compare_source(model, source[0].numpy(), previous=[5, 9, 3, 4, 7])
    assert np.abs(comparison.framework_probabilities - comparison.reference_probabilities).max() < 1e-6
    if attention != "none":
        assert np.abs(comparison.framework_attention - comparison.reference_attention).max() < 1e-6
    assert decoder_weights_from_torch(model.spec, model.state_dict()).output.weight.shape == (6 + 6 * (
        2 if model.spec.bidirectional else 1), 12)  # fmt: skip


def test_dot_attention_refuses_a_bidirectional_encoder():
    with pytest.raises(ValueError, match="same size"):
        Seq2SeqSpec(attention="dot", bidirectional=True)


# ----------------------------------------------------------------------------
# Scores and bad input


def test_sequence_metrics_exact_per_token_and_by_length():
    sources = ["abc", "abcdefghijkl", "xy"]
    metrics = sequence_metrics(sources, ["cba", "lkjihgfedcba", "yx"], ["cba", "lkjihgfedcbX", "y"])
    assert metrics["exact_match"] == pytest.approx(1 / 3)
    # cba+END 4/4; 12 of 13 (one wrong symbol); "y"+END against "yx"+END: y right, END where x was, nothing at END
    assert metrics["token_accuracy"] == pytest.approx((4 + 12 + 1) / (4 + 13 + 3))
    assert [(b["bucket"], b["examples"], b["exact_match"]) for b in metrics["by_length"]] == [
        ("1-10", 2, 0.5), ("11-20", 1, 0.0)]


def test_bad_sources_and_beams_are_refused_in_words():
    symbols = Symbols.build(load_pairs("reverse-8", limit=20).train)
    assert check_source("abc", symbols) == "abc"
    with pytest.raises(ValueError, match="empty"):
        check_source("  ", symbols)
    with pytest.raises(ValueError, match="'x', 'Z'"):
        check_source("abxZ", symbols)
    with pytest.raises(ValueError, match="100,000 characters"):
        check_source("a" * 100_000, symbols)
    for width in (0, 11, True):
        with pytest.raises(ValueError, match="1 to 10"):
            check_beam(width)


def test_train_requests_for_seq2seq_tasks():
    assert TrainRequest(dataset="dates").kind == SEQ2SEQ_MODELS and TrainRequest(dataset="dates").zoo == "seq2seq"
    assert TrainRequest(dataset="reverse-60", zoo="seq2seq", limit=200).store_key() == "reverse-60-limit200"
    with pytest.raises(ValueError, match="not a sequence-to-sequence task"):
        TrainRequest(dataset="rt-polarity", zoo="seq2seq")
    with pytest.raises(ValueError, match="PyTorch only"):
        TrainRequest(dataset="dates", frameworks=("keras",))
    with pytest.raises(ValueError, match="train a seq2seq zoo"):
        TrainRequest(dataset="copy-10", zoo="quick")


# ----------------------------------------------------------------------------
# NusaX Indonesian -> English, word by word (a tiny parallel copy: the real one is ../shared/data's)

DICTIONARY = {"saya": "i", "suka": "like", "makan": "eat", "nasi": "rice", "kue": "cake", "enak": "tasty",
              "tidak": "not", "murah": "cheap", "mahal": "expensive", "hotel": "hotel", "ini": "this", "itu": "that"}


def write_parallel_nusax(folder, sizes=(("train.csv", 40), ("valid.csv", 8), ("test.csv", 10)), seed: int = 0):
    """NusaX's layout (indonesian/ and english/, the same ids) holding word-for-word sentences of DICTIONARY."""
    import csv
    import random

    rng = random.Random(seed)
    words = sorted(DICTIONARY)
    rows = {file: [] for file, _ in sizes}
    for file, size in sizes:
        for index in range(size):
            sentence = [rng.choice(words) for _ in range(rng.randint(2, 6))]
            rows[file].append((index, " ".join(sentence).capitalize() + ".",
                               " ".join(DICTIONARY[word] for word in sentence).capitalize() + "."))
    for language, column in (("indonesian", 1), ("english", 2)):
        target = folder / "nusax-sentiment" / language
        target.mkdir(parents=True, exist_ok=True)
        for file, _ in sizes:
            with open(target / file, "w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(["id", "text", "label"])
                writer.writerows([row[0], row[column], "neutral"] for row in rows[file])
    return folder


def test_nusax_pairs_are_parallel_lower_cased_words(tmp_path):
    from pipelines.data.seq2seq import Words, build_table, unit_of

    data = load_pairs("nusax-id-en", data_dir=write_parallel_nusax(tmp_path))
    assert [len(split) for split in data.splits().values()] == [40, 8, 10] and data.info.unit == "words"
    first = data.train[0]
    assert first.source.endswith(" .") and first.source == first.source.lower()
    assert first.target == " ".join(DICTIONARY.get(word, word) for word in first.source.split())
    table = build_table(data)
    assert isinstance(table, Words) and unit_of("nusax-id-en-limit5") == "words" and unit_of("dates") == "characters"
    ids = table.encode("Saya suka XYZ!")
    assert ids[2] == 1 and table.decode([*ids[:2], END_ID, 7]) == "saya suka"  # <unk> read; decoding stops at END
    assert table.unknown("Saya suka XYZ dan xyz!") == ["xyz", "dan", "!"]
    assert is_pair_key("nusax-id-en") and is_pair_key("nusax-id-en-limit50") and not is_pair_key("nusax-javanese")
    assert resolve_pairs("nusax-id-en", limit=5).key == "nusax-id-en-limit5"
    assert len(load_pairs("nusax-id-en", limit=5, data_dir=tmp_path).test) == 5


def test_nusax_files_that_are_not_parallel_are_refused(tmp_path):
    write_parallel_nusax(tmp_path)
    english = tmp_path / "nusax-sentiment" / "english" / "valid.csv"
    english.write_text(english.read_text().replace("\n7,", "\n99,"))
    with pytest.raises(DataError, match="not parallel: ids"):
        load_pairs("nusax-id-en", data_dir=tmp_path)


def test_a_sentence_reads_unknown_words_as_unk_and_one_with_none_known_is_refused(tmp_path):
    from pipelines.data.seq2seq import build_table, unknown_words_note

    table = build_table(load_pairs("nusax-id-en", data_dir=write_parallel_nusax(tmp_path)))
    assert check_source("Saya suka durian.", table) == "Saya suka durian."  # 'durian' is read as <unk>
    assert unknown_words_note(table.unknown("Saya suka durian.")) == (
        "1 word never seen in training, read as <unk>: 'durian'")
    for text, message in (("", "empty: type a sentence"), ("durian rambutan", "none of the source's words"),
                          ("saya " * 30_000, "150,000 characters long")):  # fmt: skip
        with pytest.raises(ValueError, match=message):
            check_source(text, table)


def test_word_metrics_count_words_and_bucket_by_words():
    metrics = sequence_metrics(["saya suka nasi", "a b c d e f g h i j k"], ["i like rice", "x y"],
                               ["i like cake", "x y"], split=str.split)
    assert metrics["token_accuracy"] == pytest.approx((3 + 3) / (4 + 3))  # 'cake' for 'rice' is one wrong word
    assert [bucket["bucket"] for bucket in metrics["by_length"]] == ["1-10", "11-20"]


def test_the_baselines_copy_and_learn_a_word_for_word_dictionary(tmp_path):
    from pipelines.translation.baselines import WordDictionary, baseline_scores, text_scores

    data = load_pairs("nusax-id-en", data_dir=write_parallel_nusax(tmp_path, sizes=(("train.csv", 200),
                      ("valid.csv", 5), ("test.csv", 30))))  # fmt: skip
    dictionary = WordDictionary.learn(data.train)
    assert {word: dictionary.best[word] for word in DICTIONARY} == DICTIONARY  # IBM Model 1 finds every pair
    assert dictionary.translate("saya suka durian") == "i like durian"  # an unseen word is copied
    scores = baseline_scores(data.train, data.test)
    assert scores["dictionary"]["bleu"] == pytest.approx(100) and scores["dictionary"]["chrf"] == pytest.approx(100)
    assert 0 < scores["copy"]["bleu"] < 50 and 0 < scores["copy"]["chrf"] < scores["dictionary"]["chrf"]
    assert text_scores(["i like rice ."], ["rice"])["bleu"] == 0.0
    with pytest.raises(ValueError, match="one output per target"):
        text_scores(["a"], [])


def test_free_running_reads_its_own_guesses_so_its_scores_differ_from_teacher_forcing():
    from pipelines.data.seq2seq import Pair
    from pipelines.training.seq2seq import scored

    symbols = Symbols.build([Pair("0", "abcdefgh", "hgfedcba")])
    pairs = EncodedPairs.encode([Pair(str(i), "abcdefgh"[: 3 + i], "abcdefgh"[: 3 + i][::-1]) for i in range(5)],
                                symbols)  # fmt: skip
    torch.manual_seed(0)
    model = EncoderDecoder(Seq2SeqSpec(hidden_size=6, embedding_size=4).resolved(len(symbols), 8)).eval()
    forced = scored(model, pairs, np.arange(5), torch.device("cpu"))
    free = scored(model, pairs, np.arange(5), torch.device("cpu"), teacher_forcing=False)
    assert forced != free and all(np.isfinite(value) for value in (*forced, *free))
    assert 0 <= free[1] <= 1 and 0 <= forced[1] <= 1


def test_a_target_word_never_seen_in_training_is_left_out_of_the_loss(tmp_path):
    from pipelines.data.seq2seq import Pair, build_table
    from pipelines.translation.pairs import IGNORED

    table = build_table(load_pairs("nusax-id-en", data_dir=write_parallel_nusax(tmp_path)))
    encoded = EncodedPairs.encode([Pair("0", "saya suka durian", "i like durian")], table)
    _, _, inputs, targets = encoded.padded(np.array([0]))
    assert targets[0].tolist() == [table.encode("i")[0], table.encode("like")[0], IGNORED, END_ID]
    assert inputs[0, 3] == 1  # the decoder still reads it, as <unk>
