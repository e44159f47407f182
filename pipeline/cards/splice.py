"""A booklet updated for cards whose drawings changed, to the bytes assembling it again gives.

A booklet (:mod:`pipeline.cards.booklet`) is numbered and laid out by its cards' order, their
font subsets, pictures and page counts, never by what their pages draw: each card page is
one Form XObject whose stream is the card's compressed drawing, as it is. So when a card
keeps its place, its subsets, its pictures and its number of pages, the booklet assembled
again differs from the last only in those streams, and so in the offsets after them, the
cross-reference table and the file identifier. Splicing the new streams into the last
booklet gives those same bytes without reading any other card's entry.

The identifier is a hash of the objects, but of a picture's object only its first line: a
picture is named in every page that shows it after a hash of its bytes, so the pages say
which pictures the booklet holds, and a booklet of photos (200 MB at 10,000 cards) is
updated without reading its photos again.

Anything unexpected in the old file (a stream not found once and only once, no trailer as
the booklet writes it) gives no update: the booklet is then assembled again.
"""

from __future__ import annotations

import bisect
import errno
import hashlib
import itertools
import os
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, BinaryIO

if TYPE_CHECKING:
    from hashlib import _Hash

PageSwap = tuple[Sequence[bytes], Sequence[bytes]]
"""A card's pages as the last booklet holds them, and as they are now (as many)."""

_PICTURE = b"<< /Type /XObject /Subtype /Image "
"""How a picture's object body begins (see :meth:`pipeline.cards.pictures.CardImage.body`)."""

_TRAILER = re.compile(
    rb"xref\n0 (?P<size>\d+)\n0000000000 65535 f \n"
    rb"(?P<offsets>(?:\d{10} 00000 n \n)*)"
    rb"trailer\n<< /ID \[ <(?P<id>[0-9a-f]{32})> <(?P=id)> \] /Info (?P<info>\d+) 0 R "
    rb"/Root (?P<root>\d+) 0 R /Size (?P=size) >>\nstartxref\n(?P<start>\d+)\n%%EOF\n\Z"
)
_ENTRY = 20
"""Bytes of one cross-reference entry (``0000012345 00000 n \\n``)."""


def identity() -> _Hash:
    """A new hash for a booklet's identifier, to be fed what :func:`identified` gives. SHA-256
    (cut to the 16 bytes of a PDF file identifier, by :func:`identifier`) rather than the MD5
    reportlab takes: processors with SHA extensions hash the 50 MB of a 10,000-card booklet
    in half the time."""
    return hashlib.sha256()


def identifier(content: _Hash) -> bytes:
    """The file identifier (32 hex digits) of the booklet ``content`` hashed."""
    return content.hexdigest()[:32].encode()


def identified(chunk: bytes) -> bytes:
    """What of an object (``N 0 obj`` to ``endobj``) its booklet's identifier hashes: all of
    it, or a picture's first line."""
    line = chunk.index(b"\n") + 1
    return chunk[:line] if chunk.startswith(_PICTURE, line) else chunk


def _stream(page: bytes) -> bytes:
    """A form's stream as the booklet writes it, from its dictionary's last entry on."""
    return b"/Length %d >>\nstream\n%s\nendstream" % (len(page), page)


Piece = bytes | slice
"""A piece of a spliced booklet: bytes of its own, or a stretch of the old booklet."""


def splice_booklet(old: Any, swaps: Sequence[PageSwap]) -> list[Piece] | None:
    """The booklet ``old`` (bytes, or a read-only map of its file) with each card page of
    ``swaps`` drawn anew, as pieces to write one after another (see :func:`write_pieces`);
    None when ``old`` is not a booklet this can update (it is then assembled again)."""
    trailer = _trailer(old)
    if trailer is None:
        return None
    pictures = _pictures(old, _offsets(trailer), trailer.start())
    if pictures is None:
        return None
    edits = _edits(old, _between(pictures, trailer.start()), swaps)
    return None if edits is None else _spliced(old, trailer, edits, pictures)


def _trailer(old: Any) -> re.Match[bytes] | None:
    """The cross-reference table and trailer at the end of ``old``, as the booklet writes
    them."""
    xref_at = old.rfind(b"\nxref\n") + 1
    match = _TRAILER.match(old, xref_at) if xref_at > 0 else None
    if match is None or int(match["start"]) != xref_at:
        return None
    if len(match["offsets"]) != (int(match["size"]) - 1) * _ENTRY:
        return None
    return match


def _pictures(old: Any, offsets: list[int], end: int) -> list[tuple[int, int]] | None:
    """Where the pictures' objects are in ``old``, each after its first line (which the
    identifier hashes): the stretches an update need not read. None unless every object is
    where the table says, one after another, as the booklet writes them."""
    pictures = []
    for number, (start, stop) in enumerate(itertools.pairwise([*offsets, end]), 1):
        header = b"%d 0 obj\n" % number
        line = start + len(header)
        if stop <= line or old[start:line] != header:
            return None
        if old[line : line + len(_PICTURE)] == _PICTURE:
            pictures.append((line, stop))
    return pictures


def _between(pictures: list[tuple[int, int]], end: int) -> list[tuple[int, int]]:
    """The stretches before ``end`` that are not ``pictures``."""
    starts = [0, *(stop for _, stop in pictures)]
    stops = [*(start for start, _ in pictures), end]
    return [(start, stop) for start, stop in zip(starts, stops, strict=True) if start < stop]


def _edits(
    old: Any, stretches: list[tuple[int, int]], swaps: Sequence[PageSwap]
) -> list[tuple[int, int, bytes]] | None:
    """Each changed page's stream in ``old`` (in the ``stretches`` that hold pages), as
    (where, how long, what instead), in order; None when one is not there exactly once."""
    edits = []
    for before, after in swaps:
        if len(before) != len(after):
            return None
        for last, now in zip(before, after, strict=True):
            if last == now:
                continue
            needle = _stream(last)
            found = [at for start, stop in stretches for at in _found(old, needle, start, stop)]
            if len(found) != 1:
                return None
            edits.append((found[0], len(needle), _stream(now)))
    edits.sort()
    overlapping = any(a[0] + a[1] > b[0] for a, b in itertools.pairwise(edits))
    return None if overlapping else edits


def _found(old: Any, needle: bytes, start: int, stop: int) -> list[int]:
    """Where ``needle`` is in ``old[start:stop]``: nowhere, once, or (twice) too often."""
    at = old.find(needle, start, stop)
    if at < 0:
        return []
    again = old.find(needle, at + 1, stop)
    return [at] if again < 0 else [at, again]


def _offsets(trailer: re.Match[bytes]) -> list[int]:
    table = trailer["offsets"]
    return [int(table[n : n + 10]) for n in range(0, len(table), _ENTRY)]


def _spliced(
    old: Any,
    trailer: re.Match[bytes],
    edits: list[tuple[int, int, bytes]],
    pictures: list[tuple[int, int]],
) -> list[Piece]:
    """``old`` with ``edits`` made, and the cross-reference table, identifier and trailer
    that go with them."""
    body = memoryview(old)[: trailer.start()]
    offsets = _offsets(trailer)
    pieces: list[Piece] = []
    starts, shifts = [], []
    position, shift = 0, 0
    for at, length, replacement in edits:
        pieces += [slice(position, at), replacement]
        position = at + length
        shift += len(replacement) - length
        starts.append(at)
        shifts.append(shift)
    pieces.append(slice(position, trailer.start()))
    ident = _identifier(body, edits, pictures)
    moved = []
    for offset in offsets:
        edit = bisect.bisect_left(starts, offset) - 1  # moved by every edit before it
        moved.append(offset + (shifts[edit] if edit >= 0 else 0))
    size = trailer["size"]
    pieces.append(b"xref\n0 %s\n0000000000 65535 f \n" % size)
    pieces.append(b"".join(b"%010d 00000 n \n" % offset for offset in moved))
    pieces.append(
        b"trailer\n<< /ID [ <%s> <%s> ] /Info %s 0 R /Root %s 0 R /Size %s >>\n"
        b"startxref\n%d\n%%%%EOF\n"
        % (ident, ident, trailer["info"], trailer["root"], size, trailer.start() + shift)
    )
    return pieces


def _identifier(
    body: memoryview, edits: list[tuple[int, int, bytes]], pictures: list[tuple[int, int]]
) -> bytes:
    """The identifier of the booklet ``body`` with ``edits`` made: the hash the booklet's
    writer takes (see :func:`identified`), its ``pictures`` passed over without reading them
    (no edit falls in one)."""
    content = identity()
    position = 0
    skipped = ((start, stop - start, b"") for start, stop in pictures)
    for at, length, instead in sorted([*edits, *skipped]):
        content.update(body[position:at])
        content.update(instead)
        position = at + length
    content.update(body[position:])
    return identifier(content)


def write_pieces(sink: BinaryIO, old: BinaryIO, pieces: Sequence[Piece]) -> None:
    """Write the spliced booklet to ``sink``: the stretches of the old booklet (the file
    ``old``) copied by the kernel where it can, file to file, without passing through this
    process. Raises :class:`OSError` when ``old`` is shorter than its pieces say."""
    for piece in pieces:
        if isinstance(piece, slice):
            sink.flush()
            _copy(old.fileno(), sink, piece.start, piece.stop)
        else:
            sink.write(piece)


_CHUNK = 16 << 20


def _copy(source: int, sink: BinaryIO, position: int, end: int) -> None:
    """Copy ``source`` from ``position`` to ``end`` to the end of ``sink``, a stretch at a
    time, each dropped from the page cache once copied. The old booklet is about to be
    replaced, so its pages are of no more use, and freed, they are the pages the new booklet
    takes: pages long left free are several times slower to take on a virtual machine (a
    one-seed change wrote a 200 MB booklet in 0.07 s instead of 0.3 to 0.5 s)."""
    kernel = hasattr(os, "copy_file_range")
    while position < end:
        size = min(_CHUNK, end - position)
        copied = 0
        if kernel:
            try:
                copied = os.copy_file_range(source, sink.fileno(), size, position)
            except OSError:  # not on this file system, or these files: through memory instead
                kernel = False
        if not copied:
            data = os.pread(source, size, position)
            if not data:
                raise OSError(errno.EIO, "the booklet ended before its last object")
            sink.write(data)
            sink.flush()
            copied = len(data)
        if hasattr(os, "posix_fadvise"):
            os.posix_fadvise(source, position, copied, os.POSIX_FADV_DONTNEED)
        position += copied
