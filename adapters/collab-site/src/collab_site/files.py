"""Writing the site's files: each by atomic replace (a temporary file in the same folder, then
``os.replace``), and only when its bytes change, so republishing leaves every file as it was."""

from __future__ import annotations

import os
import tempfile
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

__all__ = ["copy_assets", "write_atomic"]


def write_atomic(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` unless it already holds exactly that; ``True`` if written.

    A reader never sees a half-written file: the data goes to a temporary file beside ``path``,
    which then replaces it in one step.
    """
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, 0o644)  # mkstemp makes the file private; a site is read by a web server
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return True


def _copy_tree(source: Traversable, target: Path) -> list[Path]:
    written = []
    for entry in sorted(source.iterdir(), key=lambda e: e.name):
        if entry.is_dir():
            written.extend(_copy_tree(entry, target / entry.name))
        else:
            path = target / entry.name
            write_atomic(path, entry.read_bytes())
            written.append(path)
    return written


def copy_assets(folder: Path) -> list[Path]:
    """Copy the site's stylesheet and the vendored NHS.UK frontend (stylesheet, images, licence,
    version) into ``folder/assets``; the paths of the files copied."""
    return _copy_tree(files("collab_site").joinpath("static"), folder / "assets")
