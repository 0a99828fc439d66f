"""The site's manifest: which publication holds each page, kept in the output folder
(``_collab_site/``) with a copy of each publication it names, so that every page drawn from
several publications (the overview, the trusts, the themes) can be drawn again when one more
arrives."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import attrs
import orjson

from collab_core import CollabError, from_json, to_json
from collab_core.ports import Publication
from collab_site.files import write_atomic

__all__ = ["Entry", "Manifest", "ManifestError"]

FOLDER = "_collab_site"
_VERSION = 1


class ManifestError(CollabError):
    """The site's manifest cannot be read: the folder holds something else, or was damaged."""


@attrs.frozen
class Entry:
    """The publication that holds one page.

    :param key: the delivery key (the outbox's, or the publication's id).
    :param file: its copy, relative to the manifest's folder.
    """

    key: str
    publication_id: str
    created_at: dt.datetime
    file: str

    def newer_than(self, other: Entry) -> bool:
        """Whether this entry should hold the page rather than ``other``: the later
        publication, or, for two made at the same moment, the greater key (so the outcome does
        not depend on the order of delivery)."""
        return (self.created_at, self.key) > (other.created_at, other.key)


@attrs.define
class Manifest:
    """The pages of a site folder and the publications behind them."""

    folder: Path
    entries: dict[str, Entry] = attrs.field(factory=dict)
    pages: list[str] = attrs.field(factory=list)

    @property
    def path(self) -> Path:
        return self.folder / FOLDER / "manifest.json"

    @classmethod
    def load(cls, folder: Path) -> Manifest:
        """The manifest in ``folder``, or an empty one for a new site."""
        manifest = cls(folder)
        try:
            data = orjson.loads(manifest.path.read_bytes())
        except FileNotFoundError:
            return manifest
        except orjson.JSONDecodeError as exc:
            raise ManifestError(f"{manifest.path}: not valid JSON ({exc})") from None
        if not isinstance(data, dict) or data.get("version") != _VERSION:
            raise ManifestError(
                f"{manifest.path}: version must be {_VERSION} (a site written by another "
                "version of collab-site, or not a site's manifest)"
            )
        try:
            manifest.entries = {
                page: Entry(
                    key=e["key"],
                    publication_id=e["publication_id"],
                    created_at=dt.datetime.fromisoformat(e["created_at"]),
                    file=e["file"],
                )
                for page, e in data["entries"].items()
            }
            manifest.pages = list(data["pages"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ManifestError(f"{manifest.path}: an entry is incomplete ({exc!r})") from None
        return manifest

    def hold(self, page: str, publication: Publication, key: str) -> bool:
        """Let ``publication`` hold ``page`` unless a newer one does; ``True`` if it does now.
        Its copy is written before the manifest names it."""
        name = hashlib.sha256(page.encode()).hexdigest()[:32]
        entry = Entry(key, str(publication.id), publication.created_at, f"publications/{name}.json")
        current = self.entries.get(page)
        if current is not None and current.publication_id == entry.publication_id:
            return True  # the same publication again, under whatever key: nothing changes
        if current is not None and not entry.newer_than(current):
            return False
        write_atomic(self.folder / FOLDER / entry.file, to_json(publication).encode())
        self.entries[page] = entry
        return True

    def publications(self) -> list[Publication]:
        """The publications that hold the pages, in page order."""
        out = []
        for page in sorted(self.entries):
            path = self.folder / FOLDER / self.entries[page].file
            try:
                out.append(from_json(Publication, path.read_bytes()))
            except FileNotFoundError:
                raise ManifestError(
                    f"{path}: the copy of the publication for {page} is missing"
                ) from None
        return out

    def save(self) -> None:
        data = {
            "version": _VERSION,
            "entries": {
                page: {
                    "key": e.key,
                    "publication_id": e.publication_id,
                    "created_at": e.created_at.isoformat(),
                    "file": e.file,
                }
                for page, e in sorted(self.entries.items())
            },
            "pages": sorted(self.pages),
        }
        write_atomic(self.path, orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")
