"""The ``collab`` command's application object, its global options and the way it ends: each
command group lives in its own module and registers itself here.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from collab_core import CollabError, Collaborative, ConfigurationError
from collab_core.cli.config import CollabConfig, load_config
from collab_core.cli.output import EXIT_FAILED, EXIT_USAGE, Screen
from collab_core.importing.values import mask_nhs_numbers

__all__ = ["app", "main", "open_collaborative", "settings"]

app = typer.Typer(
    name="collab",
    help=(
        "collab_core's command line: import a trust's exports, and report the collaborative's "
        "figures (Learning from Deaths, Duty of Candour, targets, measures) from its store."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


class _State:
    config_path: Path | None = None
    debug: bool = False


_state = _State()


@app.callback()
def _options(
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            help="The configuration file (default: $COLLAB_CONFIG, else ./collab.toml).",
            show_default=False,
        ),
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show a traceback when a command fails.")
    ] = False,
) -> None:
    """collab_core's command line."""
    _state.config_path = config
    _state.debug = debug


def settings() -> CollabConfig:
    """The configuration of this run (``--config``, ``collab.toml`` and ``COLLAB_*``)."""
    return load_config(_state.config_path)


@contextmanager
def open_collaborative(
    config: CollabConfig, *, publishers: bool = False, store: str | None = None
) -> Iterator[Collaborative]:
    """The configured collaborative, closed at the end of the command."""
    with Collaborative.open(
        store or config.store, publishers=config.publishers if publishers else None
    ) as collab:
        yield collab


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``collab`` command; returns its exit code (the console script exits with it)."""
    command = typer.main.get_command(app)
    screen = Screen()
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        code = command.main(args=args, prog_name="collab", standalone_mode=False)
    except ConfigurationError as exc:
        _fail(screen, exc)
        return EXIT_USAGE
    except CollabError as exc:
        _fail(screen, exc)
        return EXIT_FAILED
    except KeyboardInterrupt:
        screen.error("interrupted")
        return EXIT_FAILED
    except Exception as exc:
        return _click_ending(screen, exc)
    return code if isinstance(code, int) else 0


def _click_ending(screen: Screen, exc: Exception) -> int:
    """How a command line ended when the parser (click, or Typer's own copy of it) raised: a
    usage mistake is shown as the parser shows it; anything else is a fault of collab_core."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    if "Exit" in names:
        code = getattr(exc, "exit_code", 0)
        return code if isinstance(code, int) else 0
    if "Abort" in names:
        screen.error("interrupted")
        return EXIT_FAILED
    show, code = getattr(exc, "show", None), getattr(exc, "exit_code", None)
    if "ClickException" in names and callable(show) and isinstance(code, int):
        show()
        return code
    _fail(screen, exc, unexpected=True)
    return EXIT_FAILED


def _fail(screen: Screen, exc: BaseException, *, unexpected: bool = False) -> None:
    if _state.debug:
        traceback.print_exception(exc, file=sys.stderr)
    text = mask_nhs_numbers(str(exc))
    if unexpected:
        text = f"unexpected {type(exc).__name__}: {text}"
    hint = "" if _state.debug else " (run with --debug for the traceback)" if unexpected else ""
    screen.error(text + hint)
