"""Importing trust exports: CSV and XLSX files read row by row through a TOML mapping into
domain records, recorded in batches, with every row accounted for (committed, or written to a
rejects file with its reasons).

>>> from collab_core.importing import import_file
>>> summary = import_file(collab, "deaths.csv", "datix-mortality", trust="RX2")  # doctest: +SKIP
>>> summary.read == summary.committed + summary.rejected  # doctest: +SKIP
True

See ``docs/importing.md`` for the mapping format and the shipped mappings.
"""

from collab_core.importing.importer import (
    DEFAULT_BATCH_SIZE,
    ImportProgress,
    ImportSummary,
    KindCounts,
    ReasonCount,
    import_file,
)
from collab_core.importing.keys import IMPORT_NAMESPACE, child_key, import_key
from collab_core.importing.kinds import KINDS, FieldSpec, FieldType, KindSpec
from collab_core.importing.mapping import (
    ImportMapping,
    MappingError,
    load_mapping,
    parse_mapping,
    shipped_mappings,
)
from collab_core.importing.readers import SourceError, detect_encoding
from collab_core.importing.rejects import rejects_path_for
from collab_core.importing.samples import sample_path, shipped_samples
from collab_core.serialization import register_type

register_type(ImportSummary, "import_summary")
register_type(KindCounts, "import_kind_counts")
register_type(ReasonCount, "import_reason_count")
register_type(ImportProgress, "import_progress")

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "IMPORT_NAMESPACE",
    "KINDS",
    "FieldSpec",
    "FieldType",
    "ImportMapping",
    "ImportProgress",
    "ImportSummary",
    "KindCounts",
    "KindSpec",
    "MappingError",
    "ReasonCount",
    "SourceError",
    "child_key",
    "detect_encoding",
    "import_file",
    "import_key",
    "load_mapping",
    "parse_mapping",
    "rejects_path_for",
    "sample_path",
    "shipped_mappings",
    "shipped_samples",
]
