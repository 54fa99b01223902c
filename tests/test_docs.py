"""The documents a user reads first are true: the README is a front door, its links lead somewhere, its commands
parse, and the command-line reference is the parser's own."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.cli import build_parser

PROJECT = Path(__file__).resolve().parent.parent
README = PROJECT / "README.md"
DOCUMENTS = [README, PROJECT / "CONTRIBUTING.md", PROJECT / "BENCHMARKS.md", *sorted((PROJECT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def test_the_readme_is_a_front_door():
    assert len(README.read_text().splitlines()) < 200


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_every_relative_link_leads_to_a_file(document):
    targets = [target for target in LINK.findall(document.read_text()) if "://" not in target]
    missing = [target for target in targets if not (document.parent / target).exists()]
    assert missing == []


def readme_commands() -> list[str]:
    """Every `python -m pipelines ...` the README shows, in code blocks, tables and text."""
    found = re.findall(r"python -m pipelines ([^`\n|]+)", README.read_text())
    return [command.split("#")[0].strip() for command in found]


def test_every_command_the_readme_shows_parses():
    commands = readme_commands()
    assert len(commands) >= 5
    for command in commands:
        try:
            build_parser().parse_args(shlex.split(command))
        except SystemExit as error:
            pytest.fail(f"`python -m pipelines {command}` does not parse (exit {error.code})")


def test_every_make_target_the_readme_names_exists():
    targets = set(re.findall(r"(?m)^([a-z-]+):", (PROJECT / "Makefile").read_text()))
    named = set(re.findall(r"make ([a-z-]+)", README.read_text()))
    assert named and named <= targets


def test_the_command_line_reference_is_the_parsers_own():
    result = subprocess.run([sys.executable, "scripts/cli_reference.py", "--check"], cwd=PROJECT,
                            capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stderr
