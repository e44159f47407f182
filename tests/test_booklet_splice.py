"""A booklet updated for cards whose drawings changed is the booklet assembled again."""

from __future__ import annotations

import errno
import hashlib
import io
import mmap
import os
import re
import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from bench.corpus import build_corpus
from pipeline.cards import PlainArtefact, render_card
from pipeline.cards.booklet import assemble_booklet
from pipeline.cards.splice import Piece, identified, splice_booklet, write_pieces
from pipeline.config import Settings
from pipeline.model import Exercise
from tests.conftest import exercise_of

LAYOUTS = {
    "A4": Settings(),
    "2up with bleed": Settings(layout="2up", bleed_mm=3),
}


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return build_corpus(7, tmp_path_factory.mktemp("seeds"), random_seed=3)


@pytest.fixture(scope="module")
def pictured(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Seeds most of which show two pictures of their own."""
    return build_corpus(6, tmp_path_factory.mktemp("pictured"), random_seed=4, pictures=0.7)


def _cards(paths: list[Path], settings: Settings) -> list[PlainArtefact]:
    return [render_card(exercise_of(path), settings).artefact.plain() for path in paths]


def _step_twice(text: str) -> str:
    """The seed with its first Execution step said twice: other drawings, the same letters."""
    head, rest = text.split("## Execution\n", 1)
    first, after = rest.split("\n", 1)
    number, step = first.split(" ", 1)
    return f"{head}## Execution\n{number} {step} {step}\n{after}"


def _said_twice(path: Path, tmp_path: Path) -> Exercise:
    """The seed, with its first step said twice, in ``tmp_path``."""
    edited = tmp_path / path.name
    edited.write_text(_step_twice(path.read_text("utf-8")), "utf-8")
    return exercise_of(edited)


def joined(old: bytes, pieces: list[Piece]) -> bytes:
    """The spliced booklet's bytes, in memory."""
    return b"".join(old[piece] if isinstance(piece, slice) else piece for piece in pieces)


def _spliced(old: bytes, before: PlainArtefact, after: PlainArtefact) -> bytes | None:
    pieces = splice_booklet(old, [(before[3], after[3])])
    return None if pieces is None else joined(old, pieces)


@pytest.mark.parametrize("layout", list(LAYOUTS), ids=list(LAYOUTS))
def test_a_card_drawn_anew_is_spliced_to_the_bytes_of_the_booklet_assembled_again(
    seeds: list[Path], tmp_path: Path, layout: str
) -> None:
    settings = LAYOUTS[layout]
    cards = _cards(seeds, settings)
    old = assemble_booklet(cards, settings)
    for place in (0, 3, len(cards) - 1):
        after = render_card(_said_twice(seeds[place], tmp_path), settings).artefact.plain()
        # The same place, subsets, pictures and page count: only the drawing differs.
        assert after[:3] == cards[place][:3] and after[4:] == cards[place][4:]
        assert after[3] != cards[place][3] and len(after[3]) == len(cards[place][3])
        new = [*cards[:place], after, *cards[place + 1 :]]
        fresh = assemble_booklet(new, settings)
        assert _spliced(old, cards[place], after) == fresh
        assert len(PdfReader(io.BytesIO(fresh)).pages) == len(PdfReader(io.BytesIO(old)).pages)


def test_a_booklet_it_cannot_read_is_not_spliced(seeds: list[Path], tmp_path: Path) -> None:
    settings = Settings()
    cards = _cards(seeds[:3], settings)
    old = assemble_booklet(cards, settings)
    after = render_card(_said_twice(seeds[1], tmp_path), settings).artefact.plain()
    other = _cards(seeds[3:4], settings)[0]
    xref = old.rindex(b"\nxref\n")
    for damaged in (
        b"",
        b"%PDF-1.4\nnot a booklet",
        old[:-10],  # cut short
        old[:xref] + b"\n" + old[xref:],  # its table no longer where the trailer says
        old.replace(b"/Size", b"/Count"),
        _moved_first_object(old),  # the table no longer says where the objects are
    ):
        assert _spliced(damaged, cards[1], after) is None
    # A page the booklet does not hold, or holds twice, or a page more.
    assert _spliced(old, other, after) is None
    twice = assemble_booklet([*cards, cards[1]], settings)
    assert _spliced(twice, cards[1], after) is None
    assert splice_booklet(old, [(cards[1][3], (*after[3], after[3][0]))]) is None


def _moved_first_object(booklet: bytes) -> bytes:
    table = booklet.rindex(b"\nxref\n") + 1
    first = booklet.index(b" 65535 f \n", table) + len(b" 65535 f \n")
    offset = int(booklet[first : first + 10])
    return booklet[:first] + b"%010d" % (offset + 1) + booklet[first + 10 :]


def test_an_unchanged_page_leaves_the_booklet_as_it_was(seeds: list[Path]) -> None:
    settings = Settings()
    cards = _cards(seeds[:3], settings)
    old = assemble_booklet(cards, settings)
    assert _spliced(old, cards[1], cards[1]) == old


def test_a_booklet_of_pictures_is_spliced_without_its_pictures_changing_its_identifier(
    pictured: list[Path], tmp_path: Path
) -> None:
    settings = Settings()
    # A copy, edited in place: a card names its pictures' files, which stay where they are.
    folder = tmp_path / "seeds"
    shutil.copytree(pictured[0].parent, folder)
    seeds = [folder / path.name for path in pictured]
    cards = _cards(seeds, settings)
    assert sum(1 for card in cards if card[5]) >= 2  # cards that show pictures
    old = assemble_booklet(cards, settings)
    place = next(n for n, card in enumerate(cards) if card[5])
    seeds[place].write_text(_step_twice(seeds[place].read_text("utf-8")), "utf-8")
    after = render_card(exercise_of(seeds[place]), settings).artefact.plain()
    assert after[4:] == cards[place][4:] and after[3] != cards[place][3]
    new = [*cards[:place], after, *cards[place + 1 :]]
    assert _spliced(old, cards[place], after) == assemble_booklet(new, settings)


def test_the_identifier_is_a_hash_of_what_the_pages_say_not_of_the_pictures_bytes(
    pictured: list[Path],
) -> None:
    """Every page names each picture it shows after a hash of its bytes, so the identifier
    may leave the pictures' bytes out: two booklets with other pictures have other names in
    their pages, and so other identifiers."""
    settings = Settings()
    cards = _cards(pictured, settings)
    booklet = assemble_booklet(cards, settings)
    ident = booklet[booklet.rindex(b"/ID [ <") + 7 :][:32]
    xref = booklet.rindex(b"\nxref\n") + 1
    pictures = booklet.count(b"/Subtype /Image ")
    assert pictures >= 2
    # The same objects with every picture's bytes but its first line left out: the same hash.
    content = hashlib.sha256()
    head, *chunks = re.split(rb"(?<=\n)(?=\d+ 0 obj\n)", booklet[:xref])
    content.update(head)
    for chunk in chunks:
        content.update(identified(chunk))
    assert content.hexdigest()[:32].encode() == ident


@pytest.mark.parametrize(
    "kernel_copy", [True, False], ids=["copied by the kernel", "through memory"]
)
def test_a_spliced_booklet_is_written_as_joined(
    seeds: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kernel_copy: bool
) -> None:
    settings = Settings()
    cards = _cards(seeds[:4], settings)
    old = tmp_path / "cards.pdf"
    old.write_bytes(assemble_booklet(cards, settings))
    after = render_card(_said_twice(seeds[2], tmp_path), settings).artefact.plain()
    if not kernel_copy:

        def refused(*_: object) -> int:
            raise OSError(errno.EXDEV, "not across these files")

        monkeypatch.setattr(os, "copy_file_range", refused)
    with old.open("rb") as file:
        with mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            pieces = splice_booklet(mapped, [(cards[2][3], after[3])])
        assert pieces is not None
        new = tmp_path / "new.pdf"
        with new.open("wb") as sink:
            write_pieces(sink, file, pieces)
    expected = assemble_booklet([*cards[:2], after, *cards[3:]], settings)
    assert new.read_bytes() == expected
