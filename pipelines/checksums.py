"""Checksums of a finished run's files: a run is done only while its files are the ones training wrote.

    files = checksums_of(run_folder)           # {"weights.safetensors": {"bytes": ..., "sha256": ...}, ...}
    problem = mismatch(run_folder, files)      # None, or "weights.safetensors has 20,000 bytes, training wrote ..."

`RunClaim.set_status("done")` records them in status.json (so every writer of
the store gets them, whichever machine trained the run), and every reader
checks them when it reads the run: a truncated, emptied, replaced or deleted
file makes the run "corrupt" everywhere, and the next `train` redoes it.

Hashing is cheap (SHA-256 reads about 1 GB/s here, a quick-zoo run has 3 MB of
files) and done once per file version and process: a digest is remembered
under the file's size, modification time, inode and change time, so a page that
lists the runs every few seconds hashes nothing twice. The change time is what
catches a same-size edit whose modification time was set back (`os.utime` can
restore st_mtime, never st_ctime).
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

CHUNK = 1 << 20
_MEMORY_LIMIT = 4096  # digests remembered per process
_digests: dict[tuple, str] = {}
_digests_lock = threading.Lock()


def sha256_of(path: Path) -> str:
    """The file's SHA-256 (hex), remembered while the file keeps its size, mtime, inode and ctime."""
    facts = os.stat(path)
    key = (str(path), facts.st_size, facts.st_mtime_ns, facts.st_ino, facts.st_ctime_ns)
    with _digests_lock:
        known = _digests.get(key)
    if known is not None:
        return known
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    value = digest.hexdigest()
    with _digests_lock:
        if len(_digests) >= _MEMORY_LIMIT:
            _digests.clear()  # a crude bound: hashing again is cheap, growing without end is not
        _digests[key] = value
    return value


def checksums_of(folder: Path, skip: set[str]) -> dict[str, dict]:
    """Size and SHA-256 of every plain file in `folder`, except hidden ones (locks, temporaries) and `skip`."""
    files = {}
    for path in sorted(Path(folder).iterdir()):
        if path.name.startswith(".") or path.name in skip or not path.is_file():
            continue
        files[path.name] = {"bytes": path.stat().st_size, "sha256": sha256_of(path)}
    return files


def mismatch(folder: Path, files: dict) -> str | None:
    """The first file that is not as recorded, in words; None when every one matches."""
    for name, expected in files.items():
        if expected is None:
            return f"{name} has no recorded checksum"
        path = Path(folder) / name
        try:
            size = path.stat().st_size
        except OSError:
            return f"{name} is missing"
        if size != expected.bytes:
            return f"{name} has {size:,} bytes, training wrote {expected.bytes:,} (truncated or replaced)"
        try:
            if sha256_of(path) != expected.sha256:
                return f"{name} does not match the checksum training recorded (changed after training)"
        except OSError as error:
            return f"{name} cannot be read ({error.strerror or error})"
    return None
