"""Text of a reportlab PDF without a PDF library (pypdf/pdfminer are not dependencies).

Enough for what `digests.exports` writes: page content streams (ASCII85 and/or Flate, or plain) whose text
operators (Tj, TJ, ', ") show literal or hex strings; strings in the CID font STSong-Light
(encoding UniGB-UCS2-H) are UCS-2 big-endian, the rest Latin-1. Cross-checked against poppler's
pdftotext on the same files during development.
"""

from __future__ import annotations

import base64
import re
import zlib

_OBJECT = re.compile(rb"(?<![0-9])(\d+) 0 obj(.*?)endobj", re.S)
_STREAM = re.compile(rb"^(.*?)stream\r?\n(.*?)\r?\n?endstream", re.S)
_TOKEN = re.compile(rb"/(F\d+)\s+[\d.]+\s+Tf|\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>|\[|\]|T[jJ]|'|\"")
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"(": b"(",
            b")": b")", b"\\": b"\\"}  # fmt: skip


def _literal(raw: bytes) -> bytes:
    out, i = bytearray(), 1
    while i < len(raw) - 1:
        c = raw[i : i + 1]
        if c == b"\\":
            nxt = raw[i + 1 : i + 2]
            if nxt in _ESCAPES:
                out += _ESCAPES[nxt]
                i += 2
                continue
            octal = re.match(rb"[0-7]{1,3}", raw[i + 1 : i + 4])
            if octal:
                out.append(int(octal.group(), 8) & 0xFF)
                i += 1 + len(octal.group())
                continue
            i += 1
            continue
        out += c
        i += 1
    return bytes(out)


def _objects(pdf: bytes) -> dict[bytes, bytes]:
    return {m.group(1): m.group(2) for m in _OBJECT.finditer(pdf)}


def _cid_fonts(objects: dict[bytes, bytes]) -> set[bytes]:
    """Resource names (F1, F2…) of Type0 (CID) fonts."""
    names = set()
    for body in objects.values():
        for m in re.finditer(rb"/(F\d+)\s+(\d+)\s+0\s+R", body):
            if b"/Type0" in objects.get(m.group(2), b""):
                names.add(m.group(1))
    return names


def _streams(objects: dict[bytes, bytes]):
    for obj in objects.values():
        m = _STREAM.match(obj)
        if m is None:
            continue
        head, body = m.group(1), m.group(2)
        if b"ASCII85Decode" in head:
            body = re.sub(rb"\s", b"", body).removeprefix(b"<~").removesuffix(b"~>")
            body = base64.a85decode(body)
        if b"FlateDecode" in head:
            try:
                body = zlib.decompress(body)
            except zlib.error:
                continue
        yield body


def extract_text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF-"), "not a PDF"
    assert pdf.rstrip().endswith(b"%%EOF"), "truncated PDF"
    objects = _objects(pdf)
    cid = _cid_fonts(objects)
    chunks: list[str] = []
    for stream in _streams(objects):
        if b"BT" not in stream:
            continue
        font = b""
        for token in _TOKEN.finditer(stream):
            t = token.group(0)
            if token.group(1):
                font = token.group(1)
                continue
            if t.startswith(b"("):
                data = _literal(t)
            elif t.startswith(b"<"):
                data = bytes.fromhex(re.sub(rb"\s", b"", t[1:-1]).decode())
            else:
                if t in (b"Tj", b"'", b'"'):
                    chunks.append("\n")
                continue
            if font in cid and len(data) % 2 == 0:
                chunks.append(data.decode("utf-16-be", errors="replace"))
            else:
                chunks.append(data.decode("latin-1"))
    return "".join(chunks)
