"""A streaming reader of ``.tar.gz`` archives held in memory.

A DILA archive holds tens of thousands of members of a few kilobytes; the standard
``tarfile`` stream mode spends about 50 µs on each header, more than parsing the XML. This
reader decodes only what a crawl needs (name, type and size, from ustar, GNU and pax
headers, the header checksum checked) and costs a few microseconds a member.

It reads from memory and writes nothing anywhere: a member's name is only a label, a link is
never followed, a device is never opened. Sizes are bounded: a member larger than the cap is
skipped (its bytes read and dropped, never held), an extended header larger than 1 MiB or an
archive expanding beyond ``max_expanded`` bytes stops the reading with ``TarError``.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass

BLOCK = 512
_ZERO = bytes(BLOCK)
_MAX_EXTENDED = 1 << 20
_SKIP_CHUNK = 1 << 20
_IN_CHUNK = 1 << 18  # compressed bytes fed to zlib at a time
_OUT_CHUNK = 1 << 20  # at most this much decompressed at a time (a gzip bomb stays bounded)
_GZIP_MAGIC = b"\x1f\x8b"
MAX_EXPANDED = 2 << 30
# Errors the gzip layer raises on a corrupt or cut stream.
STREAM_ERRORS = (OSError, EOFError, zlib.error)


class TarError(ValueError):
    """The archive cannot be read past this point."""


@dataclass(frozen=True, slots=True)
class Member:
    name: str
    kind: str  # "file", "dir", "link" or "other" (device, FIFO, unknown type)
    size: int


def iter_members(
    body: bytes, max_member_bytes: int, max_expanded: int = MAX_EXPANDED
) -> Iterator[tuple[Member, bytes | None]]:
    """Each member with its bytes; bytes are None for anything but a file within the cap.

    Raises ``TarError`` (or a gzip error, see ``STREAM_ERRORS``) where the archive stops
    being readable; the members yielded before stay valid.
    """
    read = _Inflated(body).read
    expanded = 0
    long_name = ""
    pax: dict[str, str] = {}
    while True:
        header = read(BLOCK)
        if not header or header == _ZERO:
            return  # end of archive (two zero blocks, or a stream cut after a member)
        if len(header) < BLOCK:
            raise TarError("archive cut inside a header")
        _check(header)
        flag = header[156:157]
        size = int(pax["size"]) if "size" in pax else _number(header[124:136])
        padded = size + (-size % BLOCK)
        expanded += BLOCK + padded
        if expanded > max_expanded:
            raise TarError(f"archive expands beyond {max_expanded} bytes")
        if flag in (b"L", b"K", b"x", b"g"):
            if size > _MAX_EXTENDED:
                raise TarError(f"extended header of {size} bytes")
            data = read(padded)[:size]
            if len(data) < size:
                raise TarError("archive cut inside an extended header")
            if flag == b"L":
                long_name = data.split(b"\0", 1)[0].decode("utf-8", "replace")
            elif flag == b"x":
                pax = _pax_records(data)
            continue
        name = pax.get("path") or long_name or _name(header)
        long_name, pax = "", {}
        kind = _KINDS.get(flag, "other")
        member = Member(name.rstrip("/") if kind == "dir" else name, kind, size)
        if kind == "file" and size <= max_member_bytes:
            data = read(padded)
            if len(data) < padded:
                raise TarError(f"archive cut inside {name}")
            yield member, data[:size] if padded != size else data
        else:
            _skip(read, padded)
            yield member, None


_KINDS = {b"0": "file", b"\0": "file", b"7": "file", b"5": "dir", b"1": "link", b"2": "link"}


class _Inflated:
    """The decompressed gzip stream (one or more members), read in large pieces; zlib
    checks each member's CRC and length as it ends."""

    def __init__(self, body: bytes):
        self.body, self.fed = body, 0
        self.inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self.buffer, self.offset = b"", 0

    def read(self, count: int) -> bytes:
        end = self.offset + count
        if end <= len(self.buffer):
            self.offset = end
            return self.buffer[end - count : end]
        parts = [self.buffer[self.offset :]]
        have = len(parts[0])
        while have < count:
            more = self._more()
            if not more:
                break
            parts.append(more)
            have += len(more)
        self.buffer = b"".join(parts)
        self.offset = min(count, len(self.buffer))
        return self.buffer[: self.offset]

    def _more(self) -> bytes:
        inflater = self.inflater
        while True:
            if inflater.unconsumed_tail:
                return inflater.decompress(inflater.unconsumed_tail, _OUT_CHUNK)
            if inflater.eof:
                rest = inflater.unused_data.lstrip(b"\0")  # zero padding after a member
                if not rest and self.fed < len(self.body):
                    rest = self.body[self.fed : self.fed + _IN_CHUNK].lstrip(b"\0")
                    self.fed += _IN_CHUNK
                    if not rest:
                        continue
                if not rest:
                    return b""
                if not rest.startswith(_GZIP_MAGIC):
                    raise OSError("data after the end of the gzip stream is not gzip")
                self.inflater = inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
                out = inflater.decompress(rest, _OUT_CHUNK)
            elif self.fed < len(self.body):
                piece = self.body[self.fed : self.fed + _IN_CHUNK]
                self.fed += _IN_CHUNK
                out = inflater.decompress(piece, _OUT_CHUNK)
            else:
                raise EOFError("the compressed stream ends before its end marker")
            if out:
                return out


def _skip(read, count: int) -> None:
    while count > 0:
        got = len(read(min(count, _SKIP_CHUNK)))
        if not got:
            raise TarError("archive cut inside a member")
        count -= got


def _check(header: bytes) -> None:
    try:
        stored = _number(header[148:156])
    except TarError:
        raise TarError("unreadable header checksum") from None
    # The sum of the header's bytes, its checksum field counted as spaces, at C speed: the
    # low half of Adler-32 is 1 + the sum of the bytes modulo 65,521, and 256 bytes sum to
    # at most 65,280.
    unsigned = (
        (zlib.adler32(header[:256]) & 0xFFFF)
        + (zlib.adler32(header[256:]) & 0xFFFF)
        - 2
        - sum(header[148:156])
        + 8 * 32
    )
    if stored != unsigned:
        signed = unsigned - 2 * sum(b for b in header[:148] + header[156:] if b > 127)
        if stored != signed:
            raise TarError("header checksum mismatch: not a tar archive, or a corrupt one")


def _number(field: bytes) -> int:
    if field[:1] and field[0] & 0x80:  # GNU base-256
        if field[0] == 0xFF:
            raise TarError("negative number in a header")
        return int.from_bytes(bytes([field[0] & 0x7F]) + field[1:], "big")
    text = field.split(b"\0", 1)[0].strip()
    if not text:
        return 0
    try:
        return int(text, 8)
    except ValueError:
        raise TarError(f"bad number {text[:12]!r} in a header") from None


def _name(header: bytes) -> str:
    name = header[:100].split(b"\0", 1)[0]
    if header[257:263] == b"ustar\0":  # POSIX: a prefix may hold the leading directories
        prefix = header[345:500].split(b"\0", 1)[0]
        if prefix:
            name = prefix + b"/" + name
    return name.decode("utf-8", "replace")


def _pax_records(data: bytes) -> dict[str, str]:
    """``path`` and ``size`` from a pax extended header (``<len> <key>=<value>\\n`` records)."""
    out: dict[str, str] = {}
    position = 0
    while position < len(data):
        space = data.find(b" ", position)
        if space < 0:
            break
        try:
            length = int(data[position:space])
        except ValueError:
            raise TarError("malformed pax header") from None
        if length <= 0:
            raise TarError("malformed pax header")
        record = data[space + 1 : position + length - 1]
        key, _, value = record.partition(b"=")
        if key in (b"path", b"size"):
            out[key.decode()] = value.decode("utf-8", "replace")
        position += length
    if "size" in out and not out["size"].isdigit():
        raise TarError("malformed pax size")
    return out
