"""collab-jsonl: a collab_core store kept in one append-only JSON-lines file."""

from collab_jsonl.store import JsonLinesStore

__all__ = ["JsonLinesStore"]
