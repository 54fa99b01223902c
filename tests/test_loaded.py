"""One shape for a loaded run: every kind loads through `pipelines.loaded.load` and answers what it says it can."""

from __future__ import annotations

from pipelines.loaded import CALLS, LOADERS, LoadedModel, load
from pipelines.store import Store
from pipelines.tasks import TASKS, Capability, task_of


def test_every_kind_has_a_loader_and_every_capability_its_calls():
    assert set(LOADERS) == set(TASKS)
    assert set(CALLS) == set(Capability)


def test_every_kind_loads_in_one_shape_and_answers_what_it_says_it_can(trained):
    """The contract the dashboard's one model cache relies on: record, spec, label, capabilities, the calls."""
    store = Store(trained)
    first_of_each_kind = {}
    for dataset in store.datasets():
        for record in store.runs(dataset):
            if record.state == "done":
                first_of_each_kind.setdefault(record.task, record)
    assert set(first_of_each_kind) == set(TASKS)  # the trained store holds every kind
    for kind, record in first_of_each_kind.items():
        run = load(store, record.dataset, record.run_id)
        assert isinstance(run, LoadedModel), kind
        assert run.record.run_id == record.run_id and run.spec == record.model_spec, kind
        assert isinstance(run.label, str) and run.label, kind
        assert run.capabilities and run.capabilities <= task_of(record).capabilities, kind
        for capability in run.capabilities:
            assert all(callable(getattr(run, call, None)) for call in CALLS[capability]), (kind, capability)


def test_a_baseline_forecaster_says_it_has_no_hidden_states(trained):
    store = Store(trained)
    runs = [load(store, "co2", record.run_id) for record in store.runs("co2") if record.state == "done"]
    recurrent = [run for run in runs if run.recurrent]
    baselines = [run for run in runs if not run.recurrent]
    assert recurrent and baselines
    assert all(Capability.HIDDEN_STATES in run.capabilities for run in recurrent)
    assert all(run.capabilities == {Capability.FORECAST} for run in baselines)
