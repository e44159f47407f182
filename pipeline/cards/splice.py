"""A booklet updated for cards whose drawings changed, to the bytes assembling it again gives.

A booklet (:mod:`pipeline.cards.booklet`) is numbered and laid out by its cards' order, their
font subsets, pictures and page counts, never by what their pages draw: each card page is
one Form XObject whose stream is the card's compressed drawing, as it is. So when a card
keeps its place, its subsets, its pictures and its number of pages, the booklet assembled
again differs from the last only in those streams, and so in the offsets after them, the
cross-reference table and the file identifier (a hash of the objects). Splicing the new
streams into the last booklet gives those same bytes without reading every card's entry.

Anything unexpected in the old file (a stream not found once and only once, no trailer as
the booklet writes it) gives no update: the booklet is then assembled again.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import re
from collections.abc import Sequence

PageSwap = tuple[Sequence[bytes], Sequence[bytes]]
"""A card's pages as the last booklet holds them, and as they are now (as many)."""

_TRAILER = re.compile(
    rb"xref\n0 (?P<size>\d+)\n0000000000 65535 f \n"
    rb"(?P<offsets>(?:\d{10} 00000 n \n)*)"
    rb"trailer\n<< /ID \[ <(?P<id>[0-9a-f]{32})> <(?P=id)> \] /Info (?P<info>\d+) 0 R "
    rb"/Root (?P<root>\d+) 0 R /Size (?P=size) >>\nstartxref\n(?P<start>\d+)\n%%EOF\n\Z"
)
_ENTRY = 20
"""Bytes of one cross-reference entry (``0000012345 00000 n \\n``)."""


def _stream(page: bytes) -> bytes:
    """A form's stream as the booklet writes it, from its dictionary's last entry on."""
    return b"/Length %d >>\nstream\n%s\nendstream" % (len(page), page)


def splice_booklet(old: bytes, swaps: Sequence[PageSwap]) -> list[bytes | memoryview] | None:
    """The booklet ``old`` with each card page of ``swaps`` drawn anew, as pieces to write one
    after another; None when ``old`` is not a booklet this can update (it is then assembled
    again)."""
    trailer = _trailer(old)
    if trailer is None:
        return None
    edits = _edits(old, trailer.start(), swaps)
    return None if edits is None else _spliced(old, trailer, edits)


def _trailer(old: bytes) -> re.Match[bytes] | None:
    """The cross-reference table and trailer at the end of ``old``, as the booklet writes
    them."""
    xref_at = old.rfind(b"\nxref\n") + 1
    match = _TRAILER.match(old, xref_at) if xref_at > 0 else None
    if match is None or int(match["start"]) != xref_at:
        return None
    if len(match["offsets"]) != (int(match["size"]) - 1) * _ENTRY:
        return None
    return match


def _edits(old: bytes, end: int, swaps: Sequence[PageSwap]) -> list[tuple[int, int, bytes]] | None:
    """Each changed page's stream in ``old`` (before ``end``), as (where, how long, what
    instead), in order; None when one is not there exactly once."""
    edits = []
    for before, after in swaps:
        if len(before) != len(after):
            return None
        for last, now in zip(before, after, strict=True):
            if last == now:
                continue
            needle = _stream(last)
            at = old.find(needle, 0, end)
            if at < 0 or old.find(needle, at + 1, end) >= 0:
                return None
            edits.append((at, len(needle), _stream(now)))
    edits.sort()
    overlapping = any(a[0] + a[1] > b[0] for a, b in itertools.pairwise(edits))
    return None if overlapping else edits


def _spliced(
    old: bytes, trailer: re.Match[bytes], edits: list[tuple[int, int, bytes]]
) -> list[bytes | memoryview]:
    """``old`` with ``edits`` made, and the cross-reference table, identifier and trailer
    that go with them."""
    body = memoryview(old)[: trailer.start()]
    pieces: list[bytes | memoryview] = []
    starts, shifts = [], []
    position, shift = 0, 0
    for at, length, replacement in edits:
        pieces += [body[position:at], replacement]
        position = at + length
        shift += len(replacement) - length
        starts.append(at)
        shifts.append(shift)
    pieces.append(body[position:])
    content = hashlib.md5(usedforsecurity=False)
    for piece in pieces:
        content.update(piece)
    ident = content.hexdigest().encode()
    table = trailer["offsets"]
    offsets = []
    for number in range(0, len(table), _ENTRY):
        offset = int(table[number : number + 10])
        # Moved by every edit before it.
        edit = bisect.bisect_left(starts, offset) - 1
        offsets.append(offset + (shifts[edit] if edit >= 0 else 0))
    size = trailer["size"]
    pieces.append(b"xref\n0 %s\n0000000000 65535 f \n" % size)
    pieces.append(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    pieces.append(
        b"trailer\n<< /ID [ <%s> <%s> ] /Info %s 0 R /Root %s 0 R /Size %s >>\n"
        b"startxref\n%d\n%%%%EOF\n"
        % (ident, ident, trailer["info"], trailer["root"], size, trailer.start() + shift)
    )
    return pieces
