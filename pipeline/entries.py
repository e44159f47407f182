"""A seed's *entry*: what an exporter's aggregate needs of it (an index line, a catalogue row,
a rendered card's drawing), returned by the exporter's per-seed hook.

Entries cross from the workers to the parent and are kept between runs in the build state, so
they travel as JSON of their declared type (:attr:`pipeline.exporters.base.Exporter.entry_type`)
and are always read back through it: a stored entry is data that is checked, never code that
runs, and an aggregate is built from the same decoded values whether its entries were made in
this run or an earlier one.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, overload

if TYPE_CHECKING:
    from pydantic import TypeAdapter


class EntryCodec:
    """JSON for the entries of one type (bytes as base64), and back, checked."""

    def __init__(self, entry_type: Any) -> None:
        self.entry_type = entry_type

    @functools.cached_property
    def _adapters(self) -> tuple[TypeAdapter[Any], TypeAdapter[list[Any]]]:
        # pydantic is loaded only by a run that has entries to make or read.
        from pydantic import ConfigDict, PydanticUserError, TypeAdapter

        many = list[self.entry_type]  # type: ignore[name-defined]
        try:
            config = ConfigDict(ser_json_bytes="base64", val_json_bytes="base64")
            return TypeAdapter(self.entry_type, config=config), TypeAdapter(many, config=config)
        except PydanticUserError:  # a model or dataclass: it carries its own config
            return TypeAdapter(self.entry_type), TypeAdapter(many)

    def encode(self, entry: Any) -> bytes:
        """The entry as JSON."""
        return self._adapters[0].dump_json(entry)

    def decode(self, data: bytes) -> Any:
        """One entry back; raises ``ValueError`` when ``data`` is not one."""
        return self._adapters[0].validate_json(data)

    def decode_all(self, blobs: Sequence[bytes]) -> list[Any | None]:
        """Every entry back, in order, with ``None`` for each that is not one (damaged, or of
        another shape). All at once when all are good, which is most of the time."""
        if not blobs:
            return []
        try:
            decoded_all = self._adapters[1].validate_json(b"[" + b",".join(blobs) + b"]")
            if len(decoded_all) == len(blobs):
                return list(decoded_all)
        except ValueError:
            pass
        decoded: list[Any | None] = []
        for data in blobs:
            try:
                decoded.append(self.decode(data))
            except ValueError:
                decoded.append(None)
        return decoded


@functools.cache
def codec_for(entry_type: Any) -> EntryCodec:
    """The codec of one entry type, made once per process. ``None`` (an exporter's default
    ``entry_type``) is the :class:`~pipeline.model.Exercise` model."""
    if entry_type is None:
        from pipeline.model import Exercise

        return codec_for(Exercise)
    return EntryCodec(entry_type)


class EntryError(ValueError):
    """A stored entry that the aggregate read cannot be read back through its type."""


class StoredEntries(Sequence[Any]):
    """An aggregate's ``count`` entries, loaded (``blobs`` gives their JSON) and read back
    through their type only when they are used: an update of the aggregate for the few seeds
    that changed reads only theirs (see
    :attr:`pipeline.exporters.base.ExportContext.changes`). One entry is read on its own;
    iterating, or a slice, reads them all at once. Raises :class:`EntryError` for an entry
    that cannot be read (the engine hands out lazily only entries it has read before)."""

    def __init__(self, codec: EntryCodec, count: int, blobs: Callable[[], Sequence[bytes]]) -> None:
        self._codec = codec
        self._count = count
        self._load = blobs
        self._loaded: Sequence[bytes] | None = None
        self._one: dict[int, Any] = {}
        self._all: list[Any] | None = None

    @property
    def _blobs(self) -> Sequence[bytes]:
        if self._loaded is None:
            self._loaded = self._load()
            if len(self._loaded) != self._count:
                raise EntryError(f"{self._count} entries, {len(self._loaded)} loaded")
        return self._loaded

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> Any: ...

    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return self._values()[index]
        if self._all is not None:
            return self._all[index]
        position = range(self._count)[index]  # IndexError as a list raises it
        if position not in self._one:
            try:
                self._one[position] = self._codec.decode(self._blobs[position])
            except ValueError:
                raise EntryError(f"stored entry {position} cannot be read") from None
        return self._one[position]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values())

    def _values(self) -> list[Any]:
        if self._all is None:
            values = self._codec.decode_all(self._blobs)
            if any(value is None for value in values):
                raise EntryError("stored entries cannot be read")
            self._all = values
        return self._all
