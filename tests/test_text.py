import numpy as np
import pytest

from pipelines.data.text import (
    OOV_ID, PAD_ID, Vocabulary, read_tokens, tokenize, tokenize_with_spans, word_coverage,
)  # fmt: skip
from pipelines.encoding import EncodedSplit, pad_batch


def test_words_are_lowercased_and_punctuation_split():
    assert tokenize("Don't MISS it!!") == ["don't", "miss", "it", "!", "!"]


def test_emoji_and_html_become_tokens_not_markup():
    assert tokenize("Loved it 😍 <script>") == ["loved", "it", "😍", "<", "script", ">"]


def test_unicode_words_stay_whole():
    assert tokenize("Café naïve Ünïcode") == ["café", "naïve", "ünïcode"]


def test_spans_point_into_the_original_text():
    text = "  Great   FILM, truly."
    tokens = tokenize_with_spans(text)
    assert [t.text for t in tokens] == ["great", "film", ",", "truly", "."]
    assert [text[t.start : t.end] for t in tokens] == ["Great", "FILM", ",", "truly", "."]


def test_empty_and_whitespace_text_have_no_tokens():
    assert tokenize("") == [] and tokenize(" \n\t ") == []


def test_vocabulary_orders_by_frequency_then_alphabet():
    vocabulary = Vocabulary.build(["b a a", "c b a"], num_words=10, maxlen=5)
    assert vocabulary.tokens == ["<pad>", "<unk>", "a", "b", "c"]


def test_vocabulary_caps_size_and_drops_rare_words():
    texts = ["x x x y y z"]
    assert Vocabulary.build(texts, num_words=3, maxlen=5).tokens == ["<pad>", "<unk>", "x"]
    assert Vocabulary.build(texts, num_words=10, maxlen=5, min_count=2).tokens == ["<pad>", "<unk>", "x", "y"]


def test_unknown_words_map_to_oov_and_long_texts_are_cut():
    vocabulary = Vocabulary.build(["good film"], num_words=10, maxlen=3)
    assert vocabulary.encode("good strange film film") == [vocabulary.id_of("good"), OOV_ID, vocabulary.id_of("film")]


def test_batches_are_post_padded_and_empty_text_gets_one_token():
    vocabulary = Vocabulary.build(["good film"], num_words=10, maxlen=8)
    ids, lengths, _ = EncodedSplit.of_texts(["good film", ""], vocabulary).padded(np.arange(2))
    assert lengths.tolist() == [2, 1]
    assert ids.tolist() == [[vocabulary.id_of("good"), vocabulary.id_of("film")], [OOV_ID, PAD_ID]]
    assert ids.dtype == np.int64


def test_pad_batch_cuts_to_a_width_and_counts_only_the_steps_kept():
    ids, lengths = pad_batch([[5, 6, 7], [8]], width=2)
    assert ids.tolist() == [[5, 6], [8, PAD_ID]] and lengths.tolist() == [2, 1]
    ids, lengths = pad_batch([])
    assert ids.shape == (0, 1) and lengths.tolist() == []


def test_read_tokens_is_what_the_model_reads():
    vocabulary = Vocabulary.build(["good film"], num_words=10, maxlen=3)
    text = "Good <b>strange</b> film"
    tokens = read_tokens(text, vocabulary)
    assert [text[t.start : t.end] for t in tokens] == ["Good", "<", "b", ">", "strange", "<", "/", "b", ">", "film"]
    assert [t.known for t in tokens[:3]] == [True, False, False]
    assert [t.truncated for t in tokens] == [False] * 3 + [True] * 7
    assert [t.id for t in tokens if not t.truncated] == vocabulary.encode(text)  # the one account of it


def test_json_round_trip_keeps_mapping_and_fingerprint():
    vocabulary = Vocabulary.build(["one two two"], num_words=10, maxlen=7)
    restored = Vocabulary.from_json(vocabulary.to_json())
    assert restored.tokens == vocabulary.tokens and restored.maxlen == 7
    assert restored.fingerprint() == vocabulary.fingerprint()
    assert Vocabulary.build(["one two"], num_words=10, maxlen=7).fingerprint() != vocabulary.fingerprint()


def test_vocabulary_rejects_a_list_without_specials():
    with pytest.raises(ValueError):
        Vocabulary(["a", "b"], maxlen=3)


ENGLISH = Vocabulary.build(["the movie was amazing and beautiful", "a film , i loved it !", "un"], 100, maxlen=8)


@pytest.mark.parametrize("text, words, unknown, nothing_known, mostly_unknown", [
    ("The moive was amazng, beatiful!", 5, ("moive", "amazng", "beatiful"), False, True),  # 3 of 5: a warning
    ("Un film magnifique, je l'ai adoré.", 6, ("magnifique", "je", "l'ai", "adoré"), False, True),
    ("Ceci est incompréhensible ???", 3, ("Ceci", "est", "incompréhensible"), True, False),  # "?" is no word
    ("The movie was amazing, moive!", 5, ("moive",), False, False),  # 1 of 5 unknown: no warning
    ("The film, the film, the film, the end", 6, (), False, False),  # maxlen 8: "the end" is never read
    ("!!! ...", 0, (), True, False),
])  # fmt: skip
def test_word_coverage_counts_the_words_read_and_names_the_unknown_ones_as_typed(
        text, words, unknown, nothing_known, mostly_unknown):  # fmt: skip
    coverage = ENGLISH.coverage(text)
    assert (coverage.words, coverage.unknown) == (words, unknown)
    assert (coverage.nothing_known, coverage.mostly_unknown) == (nothing_known, mostly_unknown)
    assert coverage.known + len(coverage.unknown) == coverage.words and "<unk>" in coverage.handling


def test_a_bag_of_words_model_counts_its_own_features_and_the_majority_class_reads_no_words():
    from pipelines.baselines.model import fit_baseline
    from pipelines.models.bag_of_words_spec import BaselineSpec

    texts, labels = ["a wonderful film", "a dull film", "wonderful", "dull"] * 3, np.array([1, 0, 1, 0] * 3)
    tfidf = fit_baseline(BaselineSpec("tfidf-lr", min_df=1), texts, labels, texts, labels, ["negative", "positive"])
    coverage = tfidf.word_coverage("A wonderful moive " + "film " * 300)  # read whole: no maxlen
    assert (coverage.words, coverage.unknown) == (303, ("moive",)) and "dropped" in coverage.handling
    majority = fit_baseline(BaselineSpec("majority"), texts, labels, texts, labels, ["negative", "positive"])
    assert majority.word_coverage("a wonderful film") is None
    assert word_coverage("Wonderful", {"wonderful"}).nothing_known is False
