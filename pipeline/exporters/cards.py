"""The ``pdf`` exporter: a printable wall card per exercise, ``cards/<slug>.pdf``, and every
card in one booklet for a print run, ``cards.pdf``."""

from __future__ import annotations

import contextlib
import importlib
import mmap
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from pipeline.exporters.base import ExportContext, Exporter
from pipeline.registry import register
from pipeline.urls import lang_folder, lang_suffix

if TYPE_CHECKING:
    from pipeline.cards.splice import PageSwap, Piece
    from pipeline.model import Exercise, Source

# The card modules are imported where they are used: reportlab takes a tenth of a second to
# load, and a run with nothing to rebuild never needs it. So the entry's type is spelt out
# here; it is :data:`pipeline.cards.booklet.PlainArtefact` (a test holds them equal).
PlainArtefact = tuple[
    str,
    str,
    str,
    tuple[bytes, ...],
    tuple[tuple[str, str, str], ...],
    tuple[tuple[str, str, str, str], ...],
]


@register
class CardsExporter(Exporter):
    """Writes print-ready PDF wall cards (page size, 2up and bleed from the settings).

    A card is rendered once per seed: the booklet is assembled from each card's
    :class:`~pipeline.cards.CardArtefact` (its entry, as plain tuples), not drawn again."""

    name = "pdf"
    help = (
        "cards/<slug>.pdf: a printable wall card per seed; cards.pdf: all of them, by title "
        "(cards/<lang>/<slug>.pdf and cards.<lang>.pdf in a language other than default_lang)"
    )
    version = "17"  # the booklet's identifier is a SHA-256
    settings_used = (
        "page_size",
        "layout",
        "bleed_mm",
        "log_cells",
        "labels",
        "default_lang",
        "brand",
    )
    entry_type = PlainArtefact
    updates_aggregate = True
    outputs = ("cards/{slug}.pdf", "cards/{lang}/{slug}.pdf", "cards.pdf", "cards.{lang}.pdf")

    def check_settings(self) -> None:
        """Read the brand's logo, if any: one that cannot be drawn is an error before
        anything is written, not a card without it."""
        if self.settings.brand.logo is not None:
            from pathlib import Path

            from pipeline.brand import check_logo

            check_logo(Path(self.settings.brand.logo))

    def fingerprint(self) -> str:
        """As every exporter's, and the logo's bytes: a new logo under the same name rebuilds
        the cards."""
        base = super().fingerprint()
        logo = self.settings.brand.logo
        if logo is None:
            return base
        import hashlib
        from pathlib import Path

        try:
            data = Path(logo).read_bytes()
        except OSError:  # check_settings has said so before anything is written
            return base
        return hashlib.sha256(base.encode() + hashlib.sha256(data).digest()).hexdigest()[:16]

    def prepare(self) -> None:
        """Import reportlab and the card's drawing, and load the card faces (a fifth of a
        second) before the workers start: they share them, and the booklet at the end does
        not load them again."""
        from pipeline.cards import prepare_fonts

        prepare_fonts()
        importlib.import_module("pipeline.cards.render")

    def settings_warnings(self) -> list[tuple[str, str]]:
        """Each label of the labels setting that a card draws and cannot print as written
        (an emoji, a script the card font lacks)."""
        if not self.settings.labels:
            return []
        from pipeline.cards.glyphs import label_warnings

        return [("labels", message) for message in label_warnings(self.settings.labels)]

    def check_exercise(self, exercise: Exercise) -> list[tuple[Source, str]]:
        """The characters of the seed its card cannot print as written (an emoji, a
        script the card font lacks), each line's in one warning at that line. A seed all in
        ASCII is checked without loading reportlab."""
        from pipeline.cards.glyphs import glyph_warnings

        return glyph_warnings(exercise)

    def export_exercise(self, exercise: Exercise, context: ExportContext) -> PlainArtefact:
        """Write ``cards/<slug>.pdf`` (``cards/<lang>/<slug>.pdf`` in another language), report
        what the seed's author should fix (a card that needs more than one page, a character it
        cannot print), and return the card as the booklet needs it, as plain tuples: each
        page's compressed drawing, the font subsets it names, its title (a few kilobytes)."""
        from pipeline.cards import render_card

        card = render_card(exercise, context.settings)
        for message in card.warnings:
            context.warn(exercise.source, message)
        for source, message in self.check_exercise(exercise):
            context.warn(source, message)
        folder = lang_folder(exercise.lang, context.settings)
        context.writer.write_bytes(f"cards/{folder}{exercise.slug}.pdf", card.pdf)
        if context.blobs is not None:
            for image in card.images:  # the entry names them; the booklet reads them here
                context.blobs.put(image.body())
        return card.artefact.plain()

    def export_all(self, entries: Sequence[PlainArtefact], context: ExportContext) -> None:
        """Write a booklet per language, ``cards.pdf`` for ``default_lang`` and
        ``cards.<lang>.pdf`` for another: every card in it, ordered by title, assembled from
        the entries. Its warnings are the per-card ones, already reported by
        :meth:`export_exercise`."""
        if context.changes is not None and _updated(context):
            return
        from pipeline.cards import write_booklet

        settings = context.settings
        by_lang: dict[str, list[PlainArtefact]] = {}
        for entry in entries:
            by_lang.setdefault(entry[2], []).append(entry)
        if not by_lang:
            by_lang[settings.default_lang] = []  # an empty collection still has its booklet
        for lang, cards in sorted(by_lang.items()):
            with context.writer.stream(f"cards{lang_suffix(lang, settings)}.pdf") as sink:
                write_booklet(cards, settings, sink, context.blobs)
        if context.blobs is not None:
            context.blobs.prune({picture[1] for entry in entries for picture in entry[5]})


def _updated(context: ExportContext) -> bool:
    """Update the booklets for the cards whose drawings alone changed (see
    :mod:`pipeline.cards.splice`), leaving the others as they are; False, with nothing
    written, when any change is more than that or a booklet cannot be updated."""
    from pipeline.cards.splice import write_pieces

    swaps = _swaps(context)
    if swaps is None:
        return False
    writer = context.writer
    with contextlib.ExitStack() as stack:
        booklets = {}
        for name, swapped in sorted(swaps.items()):
            file = _opened(stack, writer.target(name))
            pieces = None if file is None else _spliced(file, swapped)
            if file is None or pieces is None:
                return False
            booklets[name] = (file, pieces)
        for name in context.last_files:
            if name not in booklets:
                writer.keep(name)
        for name, (file, pieces) in booklets.items():
            with writer.stream(name) as sink:
                write_pieces(sink, file, pieces)
        # The old booklets are gone but for these files: closing them frees their blocks (a
        # twentieth of a second for 200 MB), which the run need not wait for.
        released = stack.pop_all()
        threading.Thread(target=released.close, name="pipeline-release", daemon=True).start()
    return True


def _opened(stack: contextlib.ExitStack, path: Path) -> BinaryIO | None:
    """The booklet at ``path``, open until ``stack`` closes; None when it cannot be."""
    try:
        return stack.enter_context(path.open("rb"))
    except OSError:
        return None


def _spliced(file: BinaryIO, swapped: list[PageSwap]) -> list[Piece] | None:
    """The pieces of the booklet ``file`` with the pages ``swapped`` (see
    :func:`pipeline.cards.splice.splice_booklet`), worked out on a map of it (a booklet of
    photos is 200 MB: it is not read in), unmapped before they are written; None when it
    cannot be updated."""
    from pipeline.cards.splice import splice_booklet

    try:
        with mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            return splice_booklet(mapped, swapped)
    except (OSError, ValueError):  # gone, or empty
        return None


def _swaps(context: ExportContext) -> dict[str, list[PageSwap]] | None:
    """The changed cards' pages, before and after, by booklet; None when a card changed more
    than its drawings (its place: slug, title, language; subsets, pictures or page count), or
    a booklet is not in the folder."""
    assert context.changes is not None
    if not all(context.writer.target(name).is_file() for name in context.last_files):
        return None
    swaps: dict[str, list[PageSwap]] = {}
    for last, now in context.changes:
        if last[:3] != now[:3] or last[4:] != now[4:] or len(last[3]) != len(now[3]):
            return None
        name = f"cards{lang_suffix(now[2], context.settings)}.pdf"
        if name not in context.last_files:
            return None
        swaps.setdefault(name, []).append((last[3], now[3]))
    return swaps
