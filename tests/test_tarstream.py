"""The streaming .tar.gz reader against archives written by the standard tarfile module."""

from __future__ import annotations

import gzip
import io
import tarfile

import pytest

from crawler import tarstream

LONG = "20260921-220149/jorf/global/texte/version/JORF/TEXT/00/00/54/86/14/" + "x" * 80 + ".xml"


def write(members: list[tarfile.TarInfo | tuple[str, bytes]], fmt: int) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", format=fmt) as tar:
        for member in members:
            if isinstance(member, tarfile.TarInfo):
                tar.addfile(member)
            else:
                name, data = member
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def special(name: str, kind: bytes, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, link
    return info


MEMBERS = [
    special("20260921-220149/jorf", tarfile.DIRTYPE),
    ("20260921-220149/jorf/a.xml", b"<a>premier</a>"),
    (LONG, b"<b>nom long</b>" * 100),
    ("20260921-220149/jorf/vide.xml", b""),
    ("20260921-220149/jorf/liste_suppression_jorf.dat", b"JORFTEXT000037157123\n"),
    special("20260921-220149/lien", tarfile.SYMTYPE, "/etc/passwd"),
    special("20260921-220149/dur", tarfile.LNKTYPE, "20260921-220149/jorf/a.xml"),
    special("20260921-220149/fifo", tarfile.FIFOTYPE),
    ("20260921-220149/jorf/accentué-é.xml", b"<c>\xc3\xa9</c>"),
]


@pytest.mark.parametrize("fmt", [tarfile.GNU_FORMAT, tarfile.PAX_FORMAT, tarfile.USTAR_FORMAT])
def test_same_members_as_tarfile(fmt):
    body = write(MEMBERS, fmt)
    expected = []
    with tarfile.open(fileobj=io.BytesIO(body), mode="r|gz") as tar:
        for member in tar:
            data = tar.extractfile(member).read() if member.isfile() else None
            expected.append((member.name, member.isfile(), member.isdir(), data))
    got = [
        (m.name, m.kind == "file", m.kind == "dir", data)
        for m, data in tarstream.iter_members(body, 1 << 20)
    ]
    assert got == expected
    kinds = [m.kind for m, _ in tarstream.iter_members(body, 1 << 20)]
    assert kinds == ["dir", "file", "file", "file", "file", "link", "link", "other", "file"]


def test_a_member_over_the_cap_is_skipped_and_the_next_one_read():
    body = write([("big.xml", b"x" * 5000), ("small.xml", b"<ok/>")], tarfile.GNU_FORMAT)
    got = list(tarstream.iter_members(body, 4096))
    assert [(m.name, m.size, data) for m, data in got] == [
        ("big.xml", 5000, None),
        ("small.xml", 5, b"<ok/>"),
    ]


def test_a_cut_archive_keeps_what_came_before_and_says_where_it_stopped():
    raw = gzip.decompress(write([("a.xml", b"<a/>"), ("b.xml", b"b" * 3000)], tarfile.GNU_FORMAT))
    cut = gzip.compress(raw[:2000])
    read = []
    with pytest.raises(tarstream.TarError, match=r"cut inside b\.xml"):
        for member, data in tarstream.iter_members(cut, 1 << 20):
            read.append((member.name, data))
    assert read == [("a.xml", b"<a/>")]


def test_a_corrupt_header_or_stream_is_an_error_not_a_crash():
    raw = bytearray(gzip.decompress(write([("a.xml", b"<a/>")], tarfile.GNU_FORMAT)))
    raw[10] ^= 0xFF  # inside the name: the checksum no longer matches
    with pytest.raises(tarstream.TarError, match="checksum"):
        list(tarstream.iter_members(gzip.compress(bytes(raw)), 1 << 20))
    with pytest.raises(tarstream.STREAM_ERRORS):
        list(tarstream.iter_members(b"not a gzip stream at all", 1 << 20))
    body = write([("a.xml", b"<a/>")], tarfile.GNU_FORMAT)
    with pytest.raises(tarstream.STREAM_ERRORS):
        list(tarstream.iter_members(body[: len(body) // 2], 1 << 20))


def test_an_archive_expanding_beyond_the_bound_stops():
    body = write([("zeros.bin", bytes(200_000)), ("after.xml", b"<a/>")], tarfile.GNU_FORMAT)
    assert len(body) < 2_000  # a small download
    with pytest.raises(tarstream.TarError, match="expands beyond"):
        list(tarstream.iter_members(body, 1 << 20, max_expanded=100_000))


def test_a_gzip_stream_in_several_members_or_padded_with_zeros_reads_the_same():
    body = write([("a.xml", b"<a/>" * 300), ("b.xml", b"<b/>" * 300)], tarfile.GNU_FORMAT)
    raw = gzip.decompress(body)
    expected = [(m.name, data) for m, data in tarstream.iter_members(body, 1 << 20)]
    split = gzip.compress(raw[:1500]) + gzip.compress(raw[1500:]) + bytes(700)
    assert [(m.name, data) for m, data in tarstream.iter_members(split, 1 << 20)] == expected
    with pytest.raises(tarstream.STREAM_ERRORS):  # something else after the stream
        list(tarstream.iter_members(gzip.compress(raw[:1500]) + b"garbage", 1 << 20))
