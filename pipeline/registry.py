"""The exporter registry: exporters by name, duplicates refused."""

from __future__ import annotations

import importlib
from typing import TypeVar

from pipeline.diagnostics import PipelineError
from pipeline.exporters import BUILTIN_EXPORTERS
from pipeline.exporters.base import Exporter

E = TypeVar("E", bound=type[Exporter])

_EXPORTERS: dict[str, type[Exporter]] = {}


class RegistryError(PipelineError):
    """An exporter class cannot be registered, or a name is not registered."""


def register(cls: E) -> E:
    """Class decorator: add an exporter to the registry under its ``name``."""
    name = getattr(cls, "name", "")
    if not isinstance(name, str) or not name or not name.isidentifier():
        raise RegistryError(f"exporter {cls.__qualname__} has no valid name")
    existing = _EXPORTERS.get(name)
    if existing is not None and existing is not cls:
        raise RegistryError(
            f"exporter name '{name}' is taken by {existing.__module__}.{existing.__qualname__}"
        )
    _EXPORTERS[name] = cls
    return cls


def load_exporters() -> dict[str, type[Exporter]]:
    """Every registered exporter by name, in the order they were registered."""
    for module in BUILTIN_EXPORTERS:
        importlib.import_module(module)
    return dict(_EXPORTERS)


def get_exporter(name: str) -> type[Exporter]:
    """The exporter registered under ``name``."""
    exporters = load_exporters()
    try:
        return exporters[name]
    except KeyError:
        known = ", ".join(exporters)
        raise RegistryError(f"no exporter named '{name}' (known: {known})") from None
