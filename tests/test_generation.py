"""Language models: the alphabet, the n-gram baselines, the recurrent models' scores and sampling, by hand and small."""

import math

import numpy as np
import pytest
import torch

from pipelines.data.characters import BOUNDARY, BOUNDARY_ID, Alphabet, normalise, passages
from pipelines.data.text import OOV_ID, PAD_ID
from pipelines.encoding import IGNORED, EncodedPassages
from pipelines.generation import SamplingSettings, clean_prompt
from pipelines.generation.ngram import NGramModel
from pipelines.generation.sampling import MAX_LENGTH, MAX_PROMPT, sampling_distribution
from pipelines.generation.scoring import Scores, language_model_metrics, score_ngram, score_recurrent
from pipelines.generation.writer import LoadedLanguageModel, NGramReader, RecurrentReader
from pipelines.models.language_model import CharLanguageModel, count_parameters, parameter_count
from pipelines.models.language_model_spec import LanguageModelSpec

TEXTS = ["the cat sat on the mat.", "a cat ran.", "the dog sat.", "the mat is red.", "a dog and a cat."] * 4
CPU = torch.device("cpu")


@pytest.fixture(scope="module")
def alphabet() -> Alphabet:
    return Alphabet.build(TEXTS, min_count=2)


def tiny_model(alphabet: Alphabet, cell: str = "lstm", layers: int = 2, seed: int = 0) -> CharLanguageModel:
    torch.manual_seed(seed)
    return CharLanguageModel(LanguageModelSpec(cell=cell, layers=layers, hidden_size=8, embedding_size=4).resolved(
        len(alphabet))).eval()  # fmt: skip


# -- the alphabet ------------------------------------------------------------------------------


def test_the_alphabet_reads_a_passage_between_two_boundaries(alphabet):
    assert alphabet.characters[:3] == ["<pad>", "<unk>", BOUNDARY]
    assert alphabet.characters[3] == " "  # the commonest character first
    inputs, targets = alphabet.sequence("a cat")
    assert inputs[0] == BOUNDARY_ID and targets[-1] == BOUNDARY_ID
    assert list(inputs[1:]) == list(targets[:-1]) == list(alphabet.encode("a cat"))
    assert alphabet.size == len(alphabet) - 1  # every symbol but padding can be predicted


def test_rare_and_unseen_characters_read_as_unknown(alphabet):
    assert "z" not in alphabet and "i" in alphabet  # "is" is in TEXTS four times; "z" never
    assert alphabet.encode("iz")[1] == OOV_ID
    assert alphabet.unknown("zéz a") == ["z", "é"]
    assert Alphabet.from_json(alphabet.to_json()).characters == alphabet.characters


def test_whitespace_becomes_one_space_and_long_reviews_are_cut_at_spaces():
    assert normalise("  A\nfine\t\tfilm \r\n") == "A fine film"
    assert passages("one two three four", 9) == ["one two", "three", "four"]
    assert passages("x" * 12, 5) == ["xxxxx", "xxxxx", "xx"]  # one enormous word: cut inside it
    assert passages("   ", 5) == []


def test_padded_passages_ignore_their_padding(alphabet):
    split = EncodedPassages.encode(["a cat", "the dog sat."], alphabet)
    inputs, targets = split.padded(np.array([0, 1]))
    assert inputs.shape == targets.shape == (2, 13)
    assert (inputs[0, 6:] == PAD_ID).all() and (targets[0, 6:] == IGNORED).all() and targets[0, 5] == BOUNDARY_ID
    assert split.symbols == 6 + 13


# -- n-gram baselines --------------------------------------------------------------------------


@pytest.mark.parametrize("order", [1, 2, 3, 5])
def test_every_ngram_distribution_sums_to_one(alphabet, order):
    model = NGramModel.fit(alphabet, TEXTS, order)
    contexts = [(), (BOUNDARY_ID,) * 4, tuple(alphabet.encode("e ca")), tuple(alphabet.encode("zzzz"))]
    contexts += [tuple(row[:-1]) for row in model.ngrams]
    for context in contexts:
        probabilities = model.distribution(context)
        assert probabilities[PAD_ID] == 0.0 and (probabilities[1:] > 0).all()
        assert probabilities.sum() == pytest.approx(1.0, abs=1e-12)


def test_kneser_ney_bigram_by_hand():
    """Passages "ab" and "b": bigrams (⏎ a) (a b) (b ⏎) (⏎ b) (b ⏎), with ⏎ the boundary."""
    alphabet = Alphabet.build(["ab", "b"])  # <pad> <unk> ⏎ b a: four symbols to predict
    b, a, end = alphabet.encode("b")[0], alphabet.encode("a")[0], BOUNDARY_ID
    model = NGramModel.fit(alphabet, ["ab", "b"], order=2)
    # Bigram counts 1, 1, 2, 1: n1 = 3, n2 = 1, D2 = 3 / (3 + 2).
    assert model.levels[1].discount == pytest.approx(0.6)
    # Unigram continuation counts (distinct left neighbours): a {⏎}, b {a, ⏎}, ⏎ {b} = 1, 2, 1 of 4;
    # n1 = 2, n2 = 1: D1 = 2 / (2 + 2); three symbols seen, so D1 * 3 / 4 of the mass goes to uniform (1/4 each).
    assert model.levels[0].discount == pytest.approx(0.5)
    unigram = {a: 0.5 / 4 + 0.5 * 3 / 4 / 4, b: 1.5 / 4 + 0.5 * 3 / 4 / 4, end: 0.5 / 4 + 0.5 * 3 / 4 / 4,
               OOV_ID: 0.5 * 3 / 4 / 4}  # fmt: skip
    assert sum(unigram.values()) == pytest.approx(1.0)
    after_b = model.distribution((b,))  # b was followed by ⏎ twice: c(b) = 2, one distinct follower
    assert after_b[end] == pytest.approx((2 - 0.6) / 2 + 0.6 * 1 / 2 * unigram[end])
    assert after_b[a] == pytest.approx(0.6 * 1 / 2 * unigram[a])
    assert after_b[OOV_ID] == pytest.approx(0.6 * 1 / 2 * unigram[OOV_ID])
    assert model.distribution((OOV_ID,))[b] == pytest.approx(unigram[b])  # an unseen context: the unigram's


def test_ngram_counts_round_trip_through_safetensors(alphabet, tmp_path):
    model = NGramModel.fit(alphabet, TEXTS, 3)
    model.save(tmp_path / "ngram.safetensors")
    loaded = NGramModel.load(tmp_path / "ngram.safetensors", alphabet, 3)
    context = tuple(alphabet.encode("e "))
    assert np.array_equal(loaded.distribution(context), model.distribution(context))
    assert loaded.parameters == model.parameters == len(model.ngrams)


def test_longer_ngrams_fit_their_training_text_better(alphabet):
    bits = [score_ngram(NGramModel.fit(alphabet, TEXTS, order), TEXTS).bits_per_character for order in (1, 2, 3, 5)]
    assert bits == sorted(bits, reverse=True) and bits[-1] < 1.0


# -- scores --------------------------------------------------------------------------------------


def test_a_model_that_predicts_uniformly_scores_log2_of_the_alphabet(alphabet):
    """The issue's check: bits per character of a know-nothing model = log2(alphabet size)."""
    model = tiny_model(alphabet)
    torch.nn.init.zeros_(model.output.weight)
    torch.nn.init.zeros_(model.output.bias)
    scores = score_recurrent(model, EncodedPassages.encode(TEXTS[:5], alphabet), CPU)
    assert scores.bits_per_character == pytest.approx(math.log2(alphabet.size), abs=1e-6)
    knows_nothing = NGramModel.fit(alphabet, [], order=3)  # no counts: uniform at every order
    assert score_ngram(knows_nothing, TEXTS[:5]).bits_per_character == pytest.approx(math.log2(alphabet.size))


def test_metrics_by_hand():
    scores = Scores(np.log([0.5, 0.25, 1.0, 0.125]), np.array([True, False, True, False]), passages=2, unknown=1)
    metrics = language_model_metrics(scores, Alphabet.build(["abc"]), validation=scores)
    assert metrics["bits_per_character"] == pytest.approx((1 + 2 + 0 + 3) / 4)
    assert metrics["perplexity"] == pytest.approx(2**1.5)
    assert metrics["accuracy"] == 0.5 and metrics["characters"] == 4 and metrics["unknown_characters"] == 1
    assert metrics["alphabet_size"] == 5 and metrics["validation_bits_per_character"] == pytest.approx(1.5)


def test_padding_and_batch_company_change_no_score(alphabet):
    model = tiny_model(alphabet)
    alone = score_recurrent(model, EncodedPassages.encode(["a cat"], alphabet), CPU)
    together = score_recurrent(model, EncodedPassages.encode(["the dog sat on the mat.", "a cat"], alphabet), CPU)
    assert np.allclose(alone.log_probabilities, together.log_probabilities[-6:], atol=1e-6)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_reading_one_character_at_a_time_equals_reading_the_passage_at_once(alphabet, cell):
    """What writing relies on: a state carried from call to call is the state of one long read."""
    model = tiny_model(alphabet, cell)
    inputs, targets = alphabet.sequence("the cat sat.")
    reader = RecurrentReader(model, CPU)
    state, stepwise = reader.start(), []
    for index in inputs:
        probabilities, state, hidden = reader.read(state, [int(index)])
        stepwise.append(probabilities)
    at_once = score_recurrent(model, EncodedPassages.encode(["the cat sat."], alphabet), CPU)
    assert np.allclose(np.log(np.array(stepwise)[np.arange(len(targets)), targets]), at_once.log_probabilities,
                       atol=1e-5)  # fmt: skip


def test_parameter_count_formula_matches_pytorch(alphabet):
    for cell in ("rnn", "lstm", "gru"):
        model = tiny_model(alphabet, cell, layers=2)
        assert count_parameters(model) == parameter_count(model.spec)


# -- sampling ------------------------------------------------------------------------------------


def writer_of(model, alphabet) -> LoadedLanguageModel:
    reader = NGramReader(model) if isinstance(model, NGramModel) else RecurrentReader(model, CPU)
    return LoadedLanguageModel("run", "label", alphabet, reader)


@pytest.mark.parametrize("kind", ["recurrent", "ngram"])
def test_seeded_sampling_writes_the_same_text_again(alphabet, kind):
    model = tiny_model(alphabet) if kind == "recurrent" else NGramModel.fit(alphabet, TEXTS, 3)
    writer = writer_of(model, alphabet)
    settings = SamplingSettings(length=80, temperature=1.5, seed=7)
    first, again = writer.write("the ", settings), writer_of(model, alphabet).write("the ", settings)
    assert first.text == again.text and len(first.text) == 80
    assert [step.probability for step in first.steps] == [step.probability for step in again.steps]
    other = writer.write("the ", SamplingSettings(length=80, temperature=1.5, seed=8))
    assert other.text != first.text
    assert "<unk>" not in first.text + other.text and "<pad>" not in first.text + other.text


def test_top_k_one_always_takes_the_likeliest_character(alphabet):
    model = NGramModel.fit(alphabet, TEXTS, 3)
    writer = writer_of(model, alphabet)
    greedy = [writer.write("the", SamplingSettings(length=30, top_k=1, seed=seed)).text for seed in (0, 1, 2)]
    assert len(set(greedy)) == 1
    for step in writer.write("the", SamplingSettings(length=30, top_k=1)).steps:
        assert step.character == step.candidates[0][0] and step.sampling_probability == 1.0


def test_temperature_and_top_k_shape_the_distribution():
    probabilities = np.array([0.0, 0.1, 0.2, 0.3, 0.4])  # <pad>, <unk>, three characters
    plain = sampling_distribution(probabilities, SamplingSettings(temperature=1.0))
    assert plain[:2].tolist() == [0.0, 0.0] and plain[2:] == pytest.approx(np.array([2, 3, 4]) / 9)
    cold = sampling_distribution(probabilities, SamplingSettings(temperature=0.05))
    hot = sampling_distribution(probabilities, SamplingSettings(temperature=5.0))
    assert cold[4] > 0.99 and hot[2:].max() - hot[2:].min() < plain[2:].max() - plain[2:].min()
    assert np.count_nonzero(sampling_distribution(probabilities, SamplingSettings(top_k=2))) == 2


def test_the_hidden_states_follow_the_prompt_and_the_text(alphabet):
    generation = writer_of(tiny_model(alphabet, layers=2), alphabet).write("the cat", SamplingSettings(length=12))
    assert generation.hidden(0).shape == generation.hidden(1).shape == (len("the cat") + 12, 8)


def test_stop_at_end_stops_when_the_review_ends(alphabet):
    writer = writer_of(NGramModel.fit(alphabet, TEXTS, 5), alphabet)
    text = writer.write("the dog sa", SamplingSettings(length=MAX_LENGTH, temperature=0.1, stop_at_end=True)).text
    assert text.endswith(BOUNDARY) and text.count(BOUNDARY) == 1 and len(text) < 50


@pytest.mark.parametrize("settings, message", [
    (dict(temperature=0), "temperature must be above 0"),
    (dict(temperature=-1), "temperature must be above 0"),
    (dict(temperature=float("nan")), "temperature must be above 0"),
    (dict(length=0), "length must be 1 to 5,000"),
    (dict(length=100_000), "length must be 1 to 5,000 characters, got 100,000"),
    (dict(top_k=-1), "top-k must be 0"),
    (dict(seed=-5), "seed must be 0 or a positive"),
])  # fmt: skip
def test_bad_settings_are_refused_in_words(settings, message):
    with pytest.raises(ValueError, match=message):
        SamplingSettings(**settings)


def test_prompts_are_cleaned_or_refused_in_words(alphabet):
    assert clean_prompt("", alphabet) == ""  # a review from its first character
    assert clean_prompt("  the\n cat ", alphabet) == "the cat "
    with pytest.raises(ValueError, match=r"never saw in training: 'z' \(U\+007A\), '😀' \(U\+1F600\)"):
        clean_prompt("the zoo 😀", alphabet)
    with pytest.raises(ValueError, match="at most 2,000"):
        clean_prompt("a" * (MAX_PROMPT + 1), alphabet)
