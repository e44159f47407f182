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
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

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
