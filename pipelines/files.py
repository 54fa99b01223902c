"""Writing files so that a reader never sees half of one: the one home for atomic writes.

    write_json(path, {"state": "done"})          # a temporary name in the same folder, then a rename
    write_atomically(path, lambda tmp: model.save(tmp))   # for files a library writes itself

The store, the data caches and the downloads all write through here.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Callable


def write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Call `write(temporary_path)`, then move the result to `path` in one step."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Same folder (so the rename is atomic), same suffix (Keras insists on ".keras"),
    # created by the writer itself so it gets the usual permissions.
    temporary = path.with_name(f".{path.stem}.{uuid.uuid4().hex[:12]}.tmp{path.suffix}")
    try:
        write(temporary)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    write_atomically(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))


def write_json(path: Path, data, indent: int | None = 1) -> None:
    write_text(path, json.dumps(data, indent=indent, ensure_ascii=False, allow_nan=False) + "\n")


def read_json(path: Path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)
