"""The exporter registry: exporters by name, duplicates refused, and no two exporters of a
run declaring outputs that could be one file."""

from __future__ import annotations

import importlib
import importlib.metadata
import itertools
from collections.abc import Iterable, Mapping, Sequence
from typing import TypeVar

from pipeline.config import Settings
from pipeline.diagnostics import PipelineError
from pipeline.exporters import BUILTIN_EXPORTERS
from pipeline.exporters.base import Exporter
from pipeline.path_templates import TemplateError, may_be_inside, overlap, parse_template
from pipeline.state import LEGACY_DIR

ENTRY_POINT_GROUP = "pipeline.exporters"

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
    if callable(getattr(cls, "digest", None)):
        # The hook of earlier versions: silently never called, its aggregate would get exercises.
        raise RegistryError(
            f"exporter '{name}' defines digest(), which is no longer called: return what "
            "export_all needs of a seed from export_exercise, and name its type in entry_type "
            "(see docs/exporters.md)"
        )
    _EXPORTERS[name] = cls
    return cls


_plugins_loaded = False


def load_exporters() -> dict[str, type[Exporter]]:
    """Every exporter by name: the built-in ones in :data:`BUILTIN_EXPORTERS` order, then those
    other packages declare in the ``pipeline.exporters`` entry-point group, by name."""
    global _plugins_loaded
    for module in BUILTIN_EXPORTERS:
        importlib.import_module(module)
    if not _plugins_loaded:
        _plugins_loaded = True
        for entry_point in sorted(
            importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name
        ):
            _load_plugin(entry_point)
    order = {module: index for index, module in enumerate(BUILTIN_EXPORTERS)}
    ranked = sorted(
        _EXPORTERS.values(), key=lambda cls: (order.get(cls.__module__, len(order)), cls.name)
    )
    return {cls.name: cls for cls in ranked}


def _load_plugin(entry_point: importlib.metadata.EntryPoint) -> None:
    try:
        loaded = entry_point.load()
    except Exception as error:  # a broken plug-in is named, not a traceback
        raise RegistryError(
            f"exporter plug-in '{entry_point.name}' ({entry_point.value}) cannot be loaded: "
            f"{type(error).__name__}: {error}"
        ) from None
    if not (isinstance(loaded, type) and issubclass(loaded, Exporter)):
        raise RegistryError(
            f"exporter plug-in '{entry_point.name}' ({entry_point.value}) is not an Exporter class"
        )
    if _EXPORTERS.get(loaded.name) is not loaded:
        register(loaded)


def create_exporters(names: Sequence[str], settings: Settings) -> list[Exporter]:
    """Instances of the named exporters (every registered one when ``names`` is empty), each
    once, with their settings and declared outputs checked before anything is written."""
    classes = [get_exporter(n) for n in names] if names else list(load_exporters().values())
    exporters = [cls(settings) for cls in dict.fromkeys(classes)]
    for exporter in exporters:
        exporter.check_settings()
    check_outputs(declared_outputs(exporters))
    return exporters


def declared_outputs(exporters: Iterable[Exporter]) -> dict[str, tuple[str, ...]]:
    """The output templates of each exporter, by name, as ``OutputWriter(declared=...)``
    takes them."""
    return {exporter.name: tuple(exporter.output_templates()) for exporter in exporters}


def check_outputs(declared: Mapping[str, Sequence[str]]) -> None:
    """Raise :class:`RegistryError` when an exporter declares an output that is not a plain
    path inside the output folder, or one in the pipeline's own folder there, or when two
    exporters declare templates that one path matches: each file has one owner."""
    for name, templates in declared.items():
        for template in templates:
            _check_template(name, template)
    for (first, ours), (second, theirs) in itertools.combinations(declared.items(), 2):
        for one, other in itertools.product(ours, theirs):
            example = overlap(one, other)
            if example is not None:
                shown = one if one == other else example
                raise RegistryError(
                    f"exporters '{first}' and '{second}' would both write {shown}: '{first}' "
                    f"declares {one} and '{second}' declares {other}; a file has one owner, "
                    "so change the outputs of one of them, or choose the exporters with --format"
                )


def _check_template(name: str, template: str) -> None:
    try:
        parse_template(template)
    except TemplateError as error:
        raise RegistryError(
            f"exporter '{name}' declares an output that is not a plain relative path inside "
            f"the output folder: {error}"
        ) from None
    if may_be_inside(template, LEGACY_DIR):
        raise RegistryError(
            f"exporter '{name}' declares the output '{template}', which could be in "
            f"{LEGACY_DIR}/, where earlier versions kept their state: it is removed on sight"
        )


def get_exporter(name: str) -> type[Exporter]:
    """The exporter registered under ``name``."""
    exporters = load_exporters()
    try:
        return exporters[name]
    except KeyError:
        known = ", ".join(exporters)
        raise RegistryError(f"no exporter named '{name}' (known: {known})") from None
