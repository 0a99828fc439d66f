"""The ``python -m collab_sql`` command (also installed as ``collab-sql``): upgrade or
downgrade a database's schema, or show its current revision.

.. code-block:: console

    $ python -m collab_sql upgrade sqlite:///collab.db
    $ python -m collab_sql current postgresql://collab@db.example.nhs.uk/collab
    $ python -m collab_sql downgrade postgresql://collab@db.example.nhs.uk/collab --to 0004
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from collab_core import CollabError, ConfigurationError
from collab_sql.migrate import current, downgrade, head_revision, known_revisions, upgrade

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m collab_sql",
        description="Manage the schema of a collab-sql database (SQLite or PostgreSQL).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    up = commands.add_parser("upgrade", help="apply pending migrations to the database at URL")
    up.add_argument("url", metavar="URL", help="e.g. sqlite:///collab.db or postgresql://…")
    up.add_argument(
        "--to", default="head", metavar="REVISION", help="stop at this revision (default: head)"
    )
    down = commands.add_parser(
        "downgrade", help="migrate the database at URL back to an older revision, rows kept"
    )
    down.add_argument("url", metavar="URL")
    down.add_argument("--to", required=True, metavar="REVISION", help="e.g. 0004")
    now = commands.add_parser("current", help="show the schema revision of the database at URL")
    now.add_argument("url", metavar="URL")
    commands.add_parser("heads", help="list the revisions this collab-sql knows, oldest first")
    return parser


def _show(revision: str | None) -> str:
    return "none" if revision is None else revision


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit status (0 done, 1 failed, 2 bad usage)."""
    args = _parser().parse_args(argv)
    out = sys.stdout
    try:
        if args.command in ("upgrade", "downgrade"):
            migrate = upgrade if args.command == "upgrade" else downgrade
            result = migrate(args.url, args.to)
            if result.changed:
                out.write(
                    f"{result.url}: {args.command}d from {_show(result.before)} "
                    f"to {_show(result.after)}\n"
                )
            else:
                out.write(f"{result.url}: already at {_show(result.after)}\n")
        elif args.command == "current":
            revision = current(args.url)
            head = head_revision()
            if revision is None:
                state = " (no collab-sql schema yet)"
            else:
                state = " (head)" if revision == head else f" (head is {head})"
            out.write(f"{_show(revision)}{state}\n")
        else:
            out.write("\n".join(known_revisions()) + "\n")
    except ConfigurationError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    except CollabError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
