"""Reading raw exports: encoding and separator detection, XLSX, header aliases.

Every raw source is read into text columns with canonical names and the row each
record had in the file (see docs/data-contract.md, "Reading raw files"); SCB
statistical-database exports become the municipal_stats table.
"""

from lcanalysis.ingest.columns import (
    HeaderMapping,
    SourceColumns,
    load_column_config,
    map_headers,
)
from lcanalysis.ingest.detect import detect_encoding, detect_separator
from lcanalysis.ingest.read import (
    RawTable,
    SourceFiles,
    list_source_files,
    read_raw_file,
)
from lcanalysis.ingest.scb import ScbTable, municipal_stats_from_scb, read_scb_table

__all__ = [
    "HeaderMapping",
    "RawTable",
    "ScbTable",
    "SourceColumns",
    "SourceFiles",
    "detect_encoding",
    "detect_separator",
    "list_source_files",
    "load_column_config",
    "map_headers",
    "municipal_stats_from_scb",
    "read_raw_file",
    "read_scb_table",
]
