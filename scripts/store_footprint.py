"""How the store grows: files and bytes per finished run, measured in a store; weights per zoo, from the formula.

    python scripts/store_footprint.py --artifacts artifacts             # every data set in the store
    python scripts/store_footprint.py --zoo full --vocabulary 40000      # IMDb's full zoo: weights per run

A run's weights are its float32 parameters (4 bytes each, plus safetensors'
small header); the rest (predictions, metrics with their curves, history,
spec, status) grows with the test split, not the model.
"""

from __future__ import annotations

import argparse
import json
import statistics

from pipelines.models.spec import parameter_count
from pipelines.models.zoos import zoo
from pipelines.store import Store


def footprint(store: Store, dataset: str) -> dict:
    """Files and bytes per finished run of a data set, and the median bytes of each file."""
    sizes: dict[str, list[int]] = {}
    per_run = []
    for record in store.runs(dataset):
        if record.state != "done":
            continue
        files = [path for path in record.path.iterdir() if path.is_file() and path.name != ".lock"]
        per_run.append((len(files), sum(path.stat().st_size for path in files)))
        for path in files:
            sizes.setdefault(path.name, []).append(path.stat().st_size)
    if not per_run:
        return {"runs": 0}
    counts, totals = zip(*per_run)
    return {"runs": len(per_run), "files_per_run": sorted(set(counts)),
            "bytes_per_run": {"median": int(statistics.median(totals)), "min": min(totals), "max": max(totals)},
            "median_bytes_by_file": {name: int(statistics.median(values)) for name, values in sorted(sizes.items())}}


def weights(zoo_name: str, vocabulary: int, classes: int) -> list[dict]:
    """Each model of a zoo: parameters and float32 weight bytes, from the closed-form count."""
    rows = []
    for spec in zoo(zoo_name):
        parameters = parameter_count(spec.resolved(vocabulary, classes), "torch")
        rows.append({"model": spec.short_name(), "parameters": parameters, "weight_bytes": 4 * parameters})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--artifacts", default=None, help="measure this store")
    parser.add_argument("--zoo", default=None, help="or: the weights of this zoo's models, from the formula")
    parser.add_argument("--vocabulary", type=int, default=20_000, help="with --zoo: vocabulary size")
    parser.add_argument("--classes", type=int, default=2)
    arguments = parser.parse_args()
    if arguments.zoo:
        rows = weights(arguments.zoo, arguments.vocabulary, arguments.classes)
        for row in rows:
            print(f"{row['model']:<34} {row['parameters']:>11,} parameters  {row['weight_bytes'] / 2**20:8.1f} MiB")
        print(f"zoo total {sum(row['weight_bytes'] for row in rows) / 2**20:.0f} MiB of weights")
    if arguments.artifacts:
        store = Store(arguments.artifacts)
        print(json.dumps({dataset: footprint(store, dataset) for dataset in store.datasets()}, indent=1))


if __name__ == "__main__":
    main()
