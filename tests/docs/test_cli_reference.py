"""The command reference in the docs is the one the commands generate, and documents every
command."""

from __future__ import annotations

from pathlib import Path

import typer.main

from collab_core.cli import app
from collab_core.cli.reference import reference_markdown

REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "cli-reference.md"


def test_the_cli_reference_is_generated_from_the_commands() -> None:
    assert REFERENCE.read_text(encoding="utf-8") == reference_markdown(), (
        "docs/cli-reference.md is out of date: run "
        "python -m collab_core.cli.reference > docs/cli-reference.md"
    )


def test_every_command_is_documented_with_its_help() -> None:
    command = typer.main.get_command(app)
    names = sorted(command.commands)  # type: ignore[attr-defined]
    text = REFERENCE.read_text(encoding="utf-8")
    assert len(names) >= 14
    for name in names:
        assert f"## `collab {name}`" in text
        assert command.commands[name].help  # type: ignore[attr-defined]
