"""Many sessions, one cached model: predictions and explanations from several threads at once never meet.

The dashboard keeps one loaded model per run (`st.cache_resource`) and every browser session's script
runs in its own thread, so a Playground prediction in one session can land in the middle of an explanation
in another. Before the fix, attribution hooks on the shared model caught those predictions: 12-20% of
explanations failed, and with a dense ReLU head (the full zoo's shape) predictions failed too.
"""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from test_explain import TEXT, loaded_run, tiny_model

THREADS = 8
CALLS = 96  # per model: half predictions, half explanations, interleaved


@pytest.mark.parametrize("shape", ["plain", "dense relu head"])
def test_predictions_and_explanations_from_many_threads_all_succeed(shape):
    head = dict(head=(8, 7), batch_norm=True, bidirectional=True, layers=2) if shape == "dense relu head" else {}
    run = loaded_run(tiny_model(**head))
    alone = run.explain(TEXT, methods=["integrated_gradients", "deeplift"])
    expected = run.predict_proba([TEXT])[0]

    def predict(index: int):
        return run.predict_proba([f"{TEXT} {'great ' * (index % 5)}"])

    def explanation(index: int):
        return run.explain(TEXT, methods=["integrated_gradients", "deeplift"])

    with ThreadPoolExecutor(THREADS) as pool:
        futures = [pool.submit(predict if index % 2 else explanation, index) for index in range(CALLS)]
        failures = [repr(future.exception()) for future in futures if future.exception() is not None]
        results = [future.result() for future in futures if future.exception() is None]
    assert not failures, f"{len(failures)} of {CALLS} calls failed, e.g. {failures[0]}"
    for result in results[::2]:  # every explanation: the same as alone, unit contributions included
        for name, attribution in alone.attributions.items():
            np.testing.assert_allclose(result.attributions[name].scores, attribution.scores, atol=1e-6)
        for together, single in zip(result.layers, alone.layers):
            np.testing.assert_allclose(together.unit_contribution, single.unit_contribution, atol=1e-6)
    np.testing.assert_allclose(run.predict_proba([TEXT])[0], expected, atol=1e-7)
