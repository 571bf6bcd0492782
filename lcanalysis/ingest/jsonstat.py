"""The PxWeb API's JSON answers read into a :class:`~lcanalysis.ingest.cube.Cube`.

- JSON-stat 2.0 (PxWeb API v2, ``"version": "2.0", "class": "dataset"``): ``id`` and
  ``size`` give the dimensions in order, each dimension's ``category.index`` (a list,
  or code -> position) and ``category.label`` (code -> label) its values; ``value``
  lists the cells in row-major order (the last dimension changing fastest), or maps
  position -> value; ``status`` (position -> symbol, a list, or one symbol for all)
  marks missing cells (a null value). ``role.time`` names the time dimension and
  ``role.metric`` the contents. A JSON-stat 1.0 bundle holding one dataset is read
  the same way.
- PxWeb API v1 (``columns``, ``data``): each column has ``code``, ``text`` and
  ``type`` (``d`` a dimension, ``t`` the time, ``c`` a content); each record's ``key``
  holds the codes of the dimension and time columns, ``values`` one string per
  content column (``".."`` missing). The labels are not in the answer: the codes
  are used as labels.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from lcanalysis.errors import InputError
from lcanalysis.ingest.cube import TIME_NAMES, YEAR, Cube, number
from lcanalysis.text import fold


def read_json_cube(path: Path) -> Cube:
    """Read a PxWeb API answer (JSON-stat 2.0 or API v1 JSON).

    Raises
    ------
    InputError
        When the file is not JSON, or is JSON of another kind.
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"not a JSON file: {exc}", file=path) from None
    if isinstance(data, dict) and "dataset" in data and isinstance(data["dataset"], dict):
        data = data["dataset"]  # JSON-stat 1.0 bundle
    if isinstance(data, dict) and "dimension" in data and "value" in data:
        return _jsonstat(data, path)
    if isinstance(data, dict) and "columns" in data and "data" in data:
        return _pxweb_v1(data, path)
    raise InputError(
        "not a PxWeb API answer: expected JSON-stat 2.0 ('dimension', 'value') or the "
        "v1 API's 'columns' and 'data'",
        file=path,
    )


def _jsonstat(data: dict, path: Path) -> Cube:
    ids = list(data.get("id") or data["dimension"].get("id", []))
    sizes = list(data.get("size") or data["dimension"].get("size", []))
    role = data.get("role") or data["dimension"].get("role") or {}
    time_ids = list(role.get("time") or [])
    metric_ids = set(role.get("metric") or [])
    labels: dict[str, str] = {}
    categories: list[list[tuple[str, str]]] = []
    for dim_id, size in zip(ids, sizes, strict=True):
        dim = data["dimension"][dim_id]
        category = dim.get("category", {})
        index = category.get("index")
        label = category.get("label", {})
        if index is None:
            order = list(label)
        elif isinstance(index, list):
            order = list(index)
        else:
            order = sorted(index, key=index.get)
        if len(order) != size:
            raise InputError(f"dimension {dim_id!r} has {len(order)} categories, size says {size}", file=path)
        categories.append([(code, str(label.get(code, code))) for code in order])
        labels[dim_id] = str(dim.get("label", dim_id))
    if not time_ids:
        time_ids = [d for d in ids if fold(labels[d]) in TIME_NAMES or fold(d) in TIME_NAMES]
    if not time_ids:
        raise InputError("JSON-stat answer without a time dimension (role.time)", file=path)
    time_id = time_ids[0]
    total = 1
    for size in sizes:
        total *= size
    values = data["value"]
    if isinstance(values, dict):
        values = [values.get(str(i)) for i in range(total)]
    if len(values) != total:
        raise InputError(f"JSON-stat 'value' has {len(values)} cells, the dimensions give {total}", file=path)
    dims = [d for d in ids if d != time_id]
    records = []
    strides = []
    stride = 1
    for size in reversed(sizes):
        strides.insert(0, stride)
        stride *= size
    time_at = ids.index(time_id)
    per_stub = strides[time_at] * sizes[time_at]  # cells of one stub row: the time onwards
    for position, cell in enumerate(values):
        combo = [categories[k][(position // strides[k]) % sizes[k]] for k in range(len(ids))]
        year = YEAR.search(combo[time_at][0]) or YEAR.search(combo[time_at][1])
        if year is None:
            raise InputError(f"time value {combo[time_at][1]!r} is not a year", file=path)
        value = None if cell is None else number(str(cell), file=path, row=None, column=time_id)
        row = position // per_stub + 1
        records.append(
            (*(label for k, (_, label) in enumerate(combo) if k != time_at),
             int(year.group(1)), value, row)
        )
    names = [labels[d] for d in dims]
    if len(set(map(fold, names))) != len(names):
        names = dims
    schema = dict.fromkeys(names, pl.String) | {"year": pl.Int32, "value": pl.Float64, "_row": pl.Int64}
    codes = {
        name: {label: code for code, label in categories[ids.index(d)]}
        for name, d in zip(names, dims, strict=True)
    }
    metric = [
        label for d in metric_ids if d in ids for _, label in categories[ids.index(d)]
    ]
    title = "; ".join([str(data.get("label", "")), *metric]).strip("; ")
    return Cube(
        frame=pl.DataFrame(records, schema=schema, orient="row"),
        dimensions=names,
        codes=codes,
        title=title,
        file=str(path),
        layout=f"JSON-stat {data.get('version', '1.0')} ({' x '.join(ids)})",
    )


def _pxweb_v1(data: dict, path: Path) -> Cube:
    columns = data["columns"]
    keys = [c for c in columns if c.get("type") in ("d", "t")]
    contents = [c for c in columns if c.get("type") == "c"]
    time = [c for c in keys if c.get("type") == "t"]
    if not time or not contents:
        raise InputError("PxWeb v1 answer without a time column ('t') or a content column ('c')", file=path)
    time_at = keys.index(time[0])
    dims = [c for c in keys if c is not time[0]]
    names = [str(c.get("text") or c["code"]) for c in dims]
    records = []
    for row, record in enumerate(data["data"], start=1):
        key = record["key"]
        year = YEAR.search(str(key[time_at]))
        if year is None:
            raise InputError(f"time value {key[time_at]!r} is not a year", file=path, row=row)
        for content, cell in zip(contents, record["values"], strict=True):
            value = number(str(cell), file=path, row=row, column=str(content.get("text")))
            stub = [str(k) for i, k in enumerate(key) if i != time_at]
            if len(contents) > 1:
                stub.append(str(content.get("text") or content["code"]))
            records.append((*stub, int(year.group(1)), value, row))
    if len(contents) > 1:
        names.append("tabellinnehåll")
    schema = dict.fromkeys(names, pl.String) | {"year": pl.Int32, "value": pl.Float64, "_row": pl.Int64}
    meta = data.get("metadata") or [{}]
    title = "; ".join(
        t for t in (str(meta[0].get("label", "")), *(str(c.get("text", "")) for c in contents)) if t
    )
    return Cube(
        frame=pl.DataFrame(records, schema=schema, orient="row"),
        dimensions=names,
        title=title,
        file=str(path),
        layout=f"PxWeb API v1 JSON ({' x '.join(str(c['code']) for c in keys)})",
    )
