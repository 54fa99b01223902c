"""Property-based tests (hypothesis): arbitrary Unicode through tokenize -> encode -> predict -> explain, and
arbitrary arguments through the command line. Nothing may raise but a ValueError that says what was wrong."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from safetensors.torch import save_file

from pipelines.cli import ATTRIBUTION_METHODS, main
from pipelines.data.text import Vocabulary, read_tokens, tokenize_with_spans
from pipelines.encoding import encode_text
from pipelines.models.spec import ModelSpec
from pipelines.models.torch_zoo import RecurrentClassifier
from pipelines.store import Store
from run_documents import metrics_document, spec_document
from test_explain import VOCABULARY, loaded_run, tiny_model

ODD_TEXTS = ["", " ", "\u0130stanbul", "ǅ", "ﬁne ﬁlm", "e\u0301\u0301", "👍🏽👨‍👩‍👧", "<script>x</script>", "\x00\n\t",
             "ß" * 40]  # fmt: skip
TEXTS = st.text(alphabet=st.characters(codec="utf-8"), max_size=120) | st.sampled_from(ODD_TEXTS)
QUICK = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@QUICK
@given(TEXTS)
def test_spans_always_index_the_text(text):
    tokens = tokenize_with_spans(text)
    previous_end = 0
    for token in tokens:
        assert previous_end <= token.start < token.end <= len(text)
        assert token.text == text[token.start : token.end].lower()
        previous_end = token.end
    read = read_tokens(text, VOCABULARY)
    assert [t.id for t in read if not t.truncated] == VOCABULARY.encode(text)
    assert all(0 <= token_id < len(VOCABULARY) for token_id in encode_text(text, VOCABULARY))


RUN = loaded_run(tiny_model("gru", bidirectional=True))


@QUICK
@given(TEXTS)
def test_predict_and_explain_any_text(text):
    probabilities = RUN.predict_proba([text])
    assert probabilities.shape == (1, 2) and np.isfinite(probabilities).all()
    assert probabilities.sum() == pytest.approx(1.0, abs=1e-5)
    try:
        explanation = RUN.explain(text, methods=["integrated_gradients", "occlusion"])
    except ValueError as error:  # the one refusal: a text with no token at all
        assert not tokenize_with_spans(text) and "nothing to explain" in str(error)
        return
    assert np.isfinite(explanation.probabilities).all() and np.isfinite(explanation.log_odds).all()
    for attribution in explanation.attributions.values():
        assert attribution.scores.shape == (explanation.read,) and np.isfinite(attribution.scores).all()
    for states in explanation.layers:
        assert np.isfinite(states.hidden).all() and all(np.isfinite(v).all() for v in states.values.values())
    for token in explanation.tokens:
        assert text[token.start : token.end].lower() == token.text


# -- the command line ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    """A store with one real (untrained) run a command can load: spec, weights, vocabulary, test texts."""
    store = Store(tmp_path_factory.mktemp("fuzz") / "store")
    vocabulary = Vocabulary(["<pad>", "<unk>", *[f"w{i}" for i in range(98)]], maxlen=20)
    spec = spec_document("torch-lstm-uni-1x64-00000000")
    spec["dataset"].update(key="ds", vocabulary_fingerprint=vocabulary.fingerprint())
    torch.manual_seed(0)
    model = RecurrentClassifier(ModelSpec.from_json(spec["model"]))
    import pandas as pd

    from pipelines.data import dataset_summary
    from pipelines.data.base import Dataset, DatasetInfo, Example

    examples = [Example(str(i), f"w{i} w{i + 1}", i % 2) for i in range(6)]
    info = DatasetInfo("ds", "Test data", ("negative", "positive"), "", "", num_words=100, maxlen=20)
    summary = dataset_summary(Dataset(info, examples, examples, examples), vocabulary)
    test = pd.DataFrame([{"id": e.id, "text": e.text, "label": e.label} for e in examples])
    store.write_dataset(summary, vocabulary, test)
    with store.claim("ds", spec["run_id"]) as claim:
        claim.write_json("spec.json", spec)
        claim.write_file("weights.safetensors", lambda path: save_file(
            {k: v.contiguous() for k, v in model.state_dict().items()}, str(path)))
        claim.write_frame("history.csv", pd.DataFrame([{"epoch": 1, "train_loss": 1.0, "train_accuracy": 0.5,
                          "val_loss": 1.0, "val_accuracy": 0.5, "learning_rate": 0.01, "grad_norm": 1.0}]))  # fmt: skip
        claim.write_frame("predictions.csv", pd.DataFrame({"id": ["0"], "label": [0], "predicted": [0]}))
        claim.write_json("metrics.json", metrics_document())
        claim.set_status("done")
    assert store.run("ds", spec["run_id"]).state == "done"
    return store


WORDS = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12)
RUN_ID = "torch-lstm-uni-1x64-00000000"
ARGUMENTS = st.one_of(
    st.tuples(st.just("list"), st.lists(st.sampled_from(["--json", "--dataset"]) | WORDS, max_size=3)),
    st.tuples(st.just("explain"), st.lists(st.sampled_from(["--run", RUN_ID, "--text", "--methods", "--target",
                                                            "--steps", "--json", "--exact-steps", "all",
                                                            *ATTRIBUTION_METHODS]) | WORDS, max_size=8)),
    st.tuples(st.just("verify"), st.lists(st.sampled_from(["--run", RUN_ID, "--limit", "--json", "2", "-1"]) | WORDS,
                                          max_size=5)),
    st.tuples(st.just("top-words"), st.lists(st.sampled_from(["--run", RUN_ID, "--top", "--min-count", "--json",
                                                              "--max-tokens", "0", "3"]) | WORDS, max_size=6)),
    st.tuples(st.just("train"), st.lists(st.sampled_from(["--dataset", "--zoo", "quick", "--epochs", "--limit",
                                                          "--data-dir", "--only", "--learning-rate", "nan", "-1",
                                                          "0", "1e309", "rt-polarity"]) | WORDS, max_size=6)),
)


@QUICK
@given(arguments=ARGUMENTS)
def test_any_command_line_ends_in_an_exit_status_never_a_traceback(store, arguments, monkeypatch, capsys):
    command, rest = arguments
    import pipelines.training.train as train

    def no_data(*args, **kwargs):  # everything up to reading the data is what is tested; nothing trains here
        from pipelines.data import DataError

        raise DataError("no data in this test")

    monkeypatch.setattr(train, "load_dataset", no_data)
    try:
        code = main(["--artifacts", str(store.root), command, *rest])
    except SystemExit as stop:  # argparse: a usage error (2) or --help (0)
        code = stop.code
    assert code in (0, 1, 2), (command, rest, code)
    error = capsys.readouterr().err
    assert "Traceback" not in error, error
    assert store.run("ds", RUN_ID).state == "done"  # nothing a command did harmed the run
