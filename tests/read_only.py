"""A store no process may write: what a read-only mount (or another user's store) allows.

File modes would not do, because tests may run as root, who writes anyway; so every way Python opens a
file for writing under the store's folder raises PermissionError, as a read-only file system would.
"""

from __future__ import annotations

import os
from pathlib import Path

WRITING = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND


def make_read_only(monkeypatch, root: Path) -> None:
    root, real_open, real_os_open, real_mkdir = str(root), open, os.open, os.mkdir

    def refuse(path) -> None:
        raise PermissionError(13, "Read-only file system", str(path))

    def os_open(path, flags, *args, **kwargs):
        if str(path).startswith(root) and flags & WRITING:
            refuse(path)
        return real_os_open(path, flags, *args, **kwargs)

    def builtin_open(path, mode="r", *args, **kwargs):
        if str(path).startswith(root) and set(str(mode)) & set("wax+"):
            refuse(path)
        return real_open(path, mode, *args, **kwargs)

    def mkdir(path, *args, **kwargs):
        if str(path).startswith(root):
            refuse(path)
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", os_open)
    monkeypatch.setattr(os, "mkdir", mkdir)
    monkeypatch.setattr("builtins.open", builtin_open)
    monkeypatch.setattr("io.open", builtin_open)  # what pathlib's read_text and write_text call
