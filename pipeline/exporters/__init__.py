"""Exporters: one module per output format, each registering one :class:`Exporter`.

Built-in exporters are listed in :data:`BUILTIN_EXPORTERS`; the registry imports them.
"""

from __future__ import annotations

from pipeline.exporters.base import ExportContext, Exporter

BUILTIN_EXPORTERS: tuple[str, ...] = (
    "pipeline.exporters.modeljson",
    "pipeline.exporters.jsonld",
    "pipeline.exporters.html",
    "pipeline.exporters.sqlite",
    "pipeline.exporters.cards",
)

__all__ = ["BUILTIN_EXPORTERS", "ExportContext", "Exporter"]
