"""The exporter registry refuses what would make names ambiguous."""

from __future__ import annotations

import pytest

from pipeline.exporters.base import Exporter
from pipeline.registry import RegistryError, get_exporter, load_exporters, register


def test_builtin_exporters_are_registered() -> None:
    assert "json" in load_exporters()
    assert get_exporter("json").name == "json"


def test_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(RegistryError, match="no exporter named 'nope' \\(known: json"):
        get_exporter("nope")


def test_duplicate_and_nameless_exporters_are_refused() -> None:
    class Again(Exporter):
        name = "json"

    class Nameless(Exporter):
        pass

    with pytest.raises(RegistryError, match="'json' is taken"):
        register(Again)
    with pytest.raises(RegistryError, match="has no valid name"):
        register(Nameless)
    assert get_exporter("json") is not Again
