"""Figures as plain JSON and as packed bytes: what plotly.js and the live view receive.

Arrays go out as plotly.js's typed-array form (base64 float32): half the bytes, and
JSON-ready from the start, so serialising is one fast ``json.dumps`` where plotly's
own encoder takes hundreds of milliseconds on a long run. The live view's data go as
one binary blob instead (:func:`pack`): a JSON header, then the arrays, which the
browser reads in place as typed arrays.
"""

from __future__ import annotations

import base64
import struct
from typing import Any

import numpy as np
import orjson
import plotly.graph_objects as go

_LEAVES = frozenset({str, int, float, bool, type(None)})
SMALL_ARRAY = 8  # arrays up to this size go as JSON lists: shorter than base64, and faster
MAGIC = b"SGDL"
_KINDS: dict[np.dtype[Any], str] = {
    np.dtype(np.float32): "f4", np.dtype(np.float64): "f8", np.dtype(np.uint16): "u2",
    np.dtype(np.uint32): "u4", np.dtype(np.int32): "i4", np.dtype(np.uint8): "u1"}


def encode(value: Any) -> Any:
    """The spec with every numpy array as plotly.js's typed-array form (base64, float32).

    A figure has thousands of nodes; leaves are passed over without a call. Small
    finite arrays become plain lists.
    """
    kind = type(value)
    if kind is dict:
        return {k: v if type(v) in _LEAVES else encode(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [v if type(v) in _LEAVES else encode(v) for v in value]
    if kind is np.ndarray:
        if value.dtype == object:
            return value.tolist()
        if value.size <= SMALL_ARRAY and value.ndim == 1 and np.isfinite(value).all():
            return value.tolist()
        arr = np.ascontiguousarray(value, dtype=np.float32)
        return {"dtype": "f4", "bdata": base64.b64encode(arr.tobytes()).decode("ascii")}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    return value


def to_spec(traces: list[dict], layout: dict, frames: list[dict] | None = None
            ) -> dict[str, Any]:
    """A figure's JSON-ready dict (unvalidated: tests validate every figure we build)."""
    return encode({"data": traces, "layout": layout, "frames": frames or []})


def figure(traces: list[dict], layout: dict) -> go.Figure:
    """A go.Figure of our traces and layout, without plotly's per-property validation."""
    return go.Figure(to_spec(traces, layout), _validate=False)


def pack(header: dict[str, Any], arrays: dict[str, np.ndarray]) -> bytes:
    """``MAGIC``, the header's length, the header as JSON, then every array, 8-byte aligned.

    The header gains ``"arrays": {name: [offset, length, kind]}``, offsets counted from
    the first array's byte; kinds are f4, f8, u1, u2, u4 and i4.
    """
    index: dict[str, list[Any]] = {}
    blobs: list[bytes] = []
    offset = 0
    for name, arr in arrays.items():
        arr = np.ascontiguousarray(arr)
        if arr.dtype not in _KINDS:
            raise TypeError(f"{name}: no typed-array kind for {arr.dtype}")
        index[name] = [offset, int(arr.size), _KINDS[arr.dtype]]
        raw = arr.tobytes()
        blobs.append(raw + b"\0" * (-len(raw) % 8))
        offset += len(blobs[-1])
    head = orjson.dumps({**header, "arrays": index}, option=orjson.OPT_SERIALIZE_NUMPY)
    head += b" " * (-(len(MAGIC) + 4 + len(head)) % 8)  # the arrays start 8-byte aligned
    return MAGIC + struct.pack("<I", len(head)) + head + b"".join(blobs)


def unpack(blob: bytes) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The header and the arrays of a :func:`pack` blob (what the browser reads, for tests)."""
    if blob[:4] != MAGIC:
        raise ValueError("not a packed live view")
    (size,) = struct.unpack("<I", blob[4:8])
    header = orjson.loads(blob[8:8 + size])
    start = 8 + size
    kinds: dict[str, np.dtype[Any]] = {v: k for k, v in _KINDS.items()}
    arrays = {name: np.frombuffer(blob, dtype=kinds[str(kind)], count=int(n),
                                  offset=start + int(offset))
              for name, (offset, n, kind) in header["arrays"].items()}
    return header, arrays
