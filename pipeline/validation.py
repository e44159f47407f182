"""Offline validation of schema.org JSON-LD, in a ``.jsonld`` file or in an HTML page.

Checks, without touching the network:

- the JSON parses (as a browser's ``JSON.parse`` would) and expands with PyLD, whose document
  loader serves only the schema.org context bundled in ``pipeline/data/schemaorg``;
- every ``@type`` and property is a schema.org term, and each property's domain admits the
  type of the node it is on (directly or through a superclass);
- every ``@id`` and URL value is absolute;
- Google's HowTo and VideoObject profiles;
- for HTML: the script element cannot be broken out of; and for a page (not a snippet: HTML
  that is nothing but JSON-LD script elements), every HowTo ``name`` and ``text`` appears in
  the page's visible text, and every step ``url`` anchor exists. A snippet has no page to
  compare with, so its report says what the page it goes into must show (:class:`HostContract`).

Problems are returned, never raised: only a file that cannot be read raises
:class:`UnreadableFileError`.
"""

from __future__ import annotations

import datetime as dt
import functools
import html.parser
import json
import re
import unicodedata
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError
from pyld import jsonld

from pipeline.diagnostics import PipelineError
from pipeline.files import read_regular

SCHEMA_PREFIXES = ("https://schema.org/", "http://schema.org/")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
JSONLD_SUFFIX = ".jsonld"
SNIPPET_SUFFIX = ".snippet.html"
SITEMAP_SUFFIX = ".xml"
MAX_FILE_BYTES = 2 * 1024 * 1024
"""The largest file ``validate`` reads: a page the pipeline writes is some tens of KB."""
MAX_OBJECTS = 4_000
"""The most JSON objects one document may hold to be expanded: expansion grows faster than
the document (2,000 objects take about a second), and a seed's HowTo holds a few hundred."""
MAX_CONTEXTS = 16
"""The most ``@context`` keys one document may hold: each scoped context is applied again to
every node it covers, which is what makes a small document take minutes."""
_CONTEXT_URLS = frozenset(
    {"schema.org", "schema.org/docs/jsonldcontext.json", "schema.org/docs/jsonldcontext.jsonld"}
)

Node = dict[str, Any]


class UnreadableFileError(PipelineError):
    """A file given to the validator cannot be read as UTF-8 text."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a document: where (a node or part of the file) and what."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


# -- the vocabulary -------------------------------------------------------------------------


@dataclass(frozen=True)
class Vocabulary:
    """The schema.org terms, by short name (``HowTo``, ``name``)."""

    ancestors: Mapping[str, frozenset[str]]
    """Each class with every class it is a subclass of, itself included."""
    domains: Mapping[str, frozenset[str]]
    """Each property with the classes of its ``domainIncludes``."""
    url_properties: frozenset[str]
    """Properties whose range is URL and not also Text: their string values must be URLs."""
    superseded: Mapping[str, str]
    """Terms schema.org has replaced, with their replacement."""


def _data_file(name: str) -> bytes:
    return resources.files("pipeline").joinpath("data", "schemaorg", name).read_bytes()


def _ids(value: object) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [v["@id"].removeprefix("schema:") for v in values if isinstance(v, dict) and "@id" in v]


def _as_list(value: object) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


@functools.cache
def vocabulary() -> Vocabulary:
    """The bundled schema.org vocabulary, read once on first use."""
    graph = json.loads(_data_file("schemaorg-current-https.jsonld"))["@graph"]
    parents: dict[str, list[str]] = {}
    domains: dict[str, frozenset[str]] = {}
    url_properties: set[str] = set()
    superseded: dict[str, str] = {}
    for node in graph:
        term = str(node["@id"]).removeprefix("schema:")
        kinds = _as_list(node.get("@type"))
        if "rdfs:Class" in kinds:
            parents[term] = _ids(node.get("rdfs:subClassOf"))
        if "rdf:Property" in kinds:
            domains[term] = frozenset(_ids(node.get("schema:domainIncludes")))
            ranges = set(_ids(node.get("schema:rangeIncludes")))
            if "URL" in ranges and "Text" not in ranges:
                url_properties.add(term)
        for replacement in _ids(node.get("schema:supersededBy")):
            superseded[term] = replacement

    @functools.cache
    def ancestors(term: str) -> frozenset[str]:
        found = {term}
        for parent in parents.get(term, ()):
            if parent in parents:
                found |= ancestors(parent)
        return frozenset(found)

    return Vocabulary(
        ancestors={term: ancestors(term) for term in parents},
        domains=domains,
        url_properties=frozenset(url_properties),
        superseded=superseded,
    )


@functools.cache
def _schema_context() -> Any:
    return json.loads(_data_file("schemaorgcontext.jsonld"))


class _OfflineContextError(Exception):
    pass


def _load_document(url: str, options: object = None) -> dict[str, Any]:
    parts = urllib.parse.urlsplit(url)
    key = (parts.netloc.lower().removeprefix("www.") + parts.path).rstrip("/")
    if parts.scheme not in ("http", "https") or key not in _CONTEXT_URLS:
        raise _OfflineContextError(
            f"the context {url} cannot be loaded offline (only https://schema.org is bundled)"
        )
    return {"contextUrl": None, "documentUrl": url, "document": _schema_context()}


def _schema_term(iri: str) -> str | None:
    for prefix in SCHEMA_PREFIXES:
        if iri.startswith(prefix):
            return iri.removeprefix(prefix)
    return None


def _is_absolute(iri: str) -> bool:
    if iri.startswith("_:"):
        return True
    parts = urllib.parse.urlsplit(iri)
    if parts.scheme in ("http", "https"):
        return bool(parts.netloc)
    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", iri))


# -- one document ---------------------------------------------------------------------------


def parse_json(text: str) -> tuple[object, Problem | None]:
    """``text`` parsed as a browser's ``JSON.parse`` would (no NaN or Infinity), or the
    problem that stops it."""

    def refuse(constant: str) -> object:
        raise ValueError(f"{constant} is not JSON")

    try:
        return json.loads(text, parse_constant=refuse), None
    except (json.JSONDecodeError, ValueError, RecursionError) as exc:
        return None, Problem("", f"not valid JSON: {exc}")


def _shape_problem(document: object) -> Problem | None:
    """Why ``document`` cannot be JSON-LD at all, before it is expanded."""
    tops: list[object] = document if isinstance(document, list) else [document]
    objects = [top for top in tops if isinstance(top, dict)]
    if not objects or len(objects) != len(tops):
        return Problem("", "not a JSON-LD document: expected a JSON object")
    if not all("@context" in top for top in objects):
        return Problem("", 'no "@context": give "@context": "https://schema.org"')
    return None


def _flatten(document: object) -> tuple[list[Node], list[Problem]]:
    if shape := _shape_problem(document):
        return [], [shape]
    options = {"documentLoader": _load_document, "base": None}
    try:
        flat = jsonld.flatten(jsonld.expand(document, options), None, options)
    # PyLD raises many exception types on arbitrary input; any of them is a problem to report.
    except Exception as exc:
        return [], [Problem("", f"JSON-LD does not expand: {_cause(exc)}")]
    nodes = [n for n in flat if isinstance(n, dict)] if isinstance(flat, list) else []
    if not nodes:
        return [], [Problem("", 'no schema.org data found (is "@context" missing?)')]
    return nodes, []


def _cause(exc: BaseException) -> str:
    """The message of the innermost cause: PyLD wraps the reason in several layers."""
    message = str(exc)
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, _OfflineContextError):
            return str(seen)
        if seen.args and isinstance(seen.args[0], str):
            message = seen.args[0]
        seen = getattr(seen, "cause", None) or seen.__cause__
    return message.splitlines()[0] if message else type(exc).__name__


def _types(node: Node) -> list[str]:
    return [t for t in _as_list(node.get("@type")) if isinstance(t, str)]


def _short_types(node: Node) -> set[str]:
    return {s for t in _types(node) if (s := _schema_term(t)) is not None}


def _label(node: Node) -> str:
    kinds = "/".join(_schema_term(t) or t for t in _types(node)) or "node"
    node_id = node.get("@id", "")
    return f"{kinds} {node_id}" if node_id and not node_id.startswith("_:") else kinds


def _check_vocabulary(nodes: list[Node]) -> Iterator[Problem]:
    vocab = vocabulary()
    for node in nodes:
        where = _label(node)
        node_id = node.get("@id")
        if isinstance(node_id, str) and not _is_absolute(node_id):
            yield Problem(where, f'"@id" {node_id!r} is not an absolute URL')
        properties = [key for key in node if not key.startswith("@")]
        if properties and not _types(node):
            yield Problem(where, 'has properties but no "@type"')
        yield from _check_types(where, node, vocab)
        ancestors = _ancestors(node, vocab)
        for iri in properties:
            yield from _check_property(where, iri, node[iri], ancestors, vocab)


def _ancestors(node: Node, vocab: Vocabulary) -> frozenset[str]:
    """Every schema.org class the node is an instance of, through its types' superclasses."""
    found: set[str] = set()
    for iri in _types(node):
        found |= vocab.ancestors.get(_schema_term(iri) or "", frozenset())
    return frozenset(found)


def _check_types(where: str, node: Node, vocab: Vocabulary) -> Iterator[Problem]:
    for iri in _types(node):
        term = _schema_term(iri)
        if term is None or term not in vocab.ancestors:
            yield Problem(where, f'"@type" {term or iri!r} is not a schema.org type')
        elif term in vocab.superseded:
            yield Problem(where, f"type {term!r} is superseded by {vocab.superseded[term]!r}")


def _check_property(
    where: str, iri: str, values: object, ancestors: frozenset[str], vocab: Vocabulary
) -> Iterator[Problem]:
    term = _schema_term(iri)
    if term is None or term not in vocab.domains:
        yield Problem(where, f"{term or iri!r} is not a schema.org property")
        return
    if term in vocab.superseded:
        yield Problem(where, f"{term!r} is superseded by {vocab.superseded[term]!r}")
    domain = vocab.domains[term]
    if ancestors and domain and not domain & ancestors:
        allowed = ", ".join(sorted(domain))
        yield Problem(where, f"{term!r} is not a property of this type (only of {allowed})")
    for value in _as_list(values):
        yield from _check_value(where, term, value, vocab)


def _check_value(where: str, term: str, value: object, vocab: Vocabulary) -> Iterator[Problem]:
    if not isinstance(value, dict):
        return
    target = value.get("@id")
    if isinstance(target, str) and not _is_absolute(target):
        yield Problem(where, f"{term}: {target!r} is not an absolute URL")
    literal = value.get("@value")
    if term in vocab.url_properties and isinstance(literal, str) and not _is_absolute(literal):
        yield Problem(where, f"{term}: {literal!r} is not an absolute URL")


# -- Google's profile -----------------------------------------------------------------------


def _literals(node: Node, term: str) -> list[str]:
    found = []
    for prefix in SCHEMA_PREFIXES:
        for value in _as_list(node.get(prefix + term)):
            if isinstance(value, dict):
                literal = value.get("@value", value.get("@id"))
                if isinstance(literal, str | int | float):
                    found.append(str(literal))
    return found


def _refs(node: Node, term: str, index: Mapping[str, Node]) -> list[Node]:
    found = []
    for prefix in SCHEMA_PREFIXES:
        for value in _as_list(node.get(prefix + term)):
            if isinstance(value, dict) and isinstance(value.get("@id"), str):
                found.append(index.get(value["@id"], value))
    return found


def _has_text(node: Node, term: str) -> bool:
    return any(value.strip() for value in _literals(node, term))


def _is_iso8601(value: str) -> bool:
    for parse in (dt.date.fromisoformat, dt.datetime.fromisoformat):
        try:
            parse(value)
        except ValueError:
            continue
        return True
    return False


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


_DURATION = TypeAdapter(dt.timedelta)


def _duration_seconds(value: str) -> float | None:
    """The seconds of an ISO 8601 duration (``PT1M30S``); None when it is not one."""
    if not value.startswith("P"):
        return None
    try:
        return _DURATION.validate_python(value).total_seconds()
    except ValidationError:
        return None


_HOWTO_PARTS = frozenset({"HowToStep", "HowToSection", "HowToTip", "HowToDirection"})

Checker = Callable[[Node], Iterator[Problem]]


class _GoogleProfile:
    """Google's HowTo and VideoObject rules: one small checker per ``@type``, as a renderer has
    one method per token type. The HowTo nodes are checked first, then every node by the
    checkers of its types, in :attr:`rules` order."""

    def __init__(self, nodes: list[Node]) -> None:
        self.nodes = nodes
        self.index = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str)}
        self.howtos = [n for n in nodes if "HowTo" in _short_types(n)]
        self.rules: dict[str, Checker] = {
            "HowToStep": self.how_to_step,
            "HowToSection": self.how_to_section,
            "HowToTip": self.how_to_tip_or_direction,
            "HowToDirection": self.how_to_tip_or_direction,
            "HowToTool": self.how_to_item,
            "HowToSupply": self.how_to_item,
            "VideoObject": self.video_object,
            "Clip": self.clip,
        }

    def check(self) -> Iterator[Problem]:
        """Every problem Google's rules find in the nodes."""
        yield from self.page()
        for howto in self.howtos:
            yield from self.how_to(howto)
        for node in self.nodes:
            kinds = _short_types(node)
            # A node that is both a HowToTip and a HowToDirection is checked once.
            checkers = dict.fromkeys(rule for kind, rule in self.rules.items() if kind in kinds)
            for checker in checkers:
                yield from checker(node)

    def page(self) -> Iterator[Problem]:
        """One HowTo per page, and no HowTo parts without one."""
        if len(self.howtos) > 1:
            yield Problem(
                "", f"{len(self.howtos)} HowTo nodes: Google allows exactly one HowTo per page"
            )
        if not self.howtos and any(_HOWTO_PARTS & _short_types(n) for n in self.nodes):
            yield Problem("", "HowTo steps, sections or tips without a HowTo")

    def how_to(self, node: Node) -> Iterator[Problem]:
        """A HowTo has a name and at least one step, each a HowToStep or HowToSection node."""
        if not _has_text(node, "name"):
            yield Problem(_label(node), "Google requires a name")
        steps = _refs(node, "step", self.index)
        if not steps and not _literals(node, "step"):
            yield Problem(_label(node), "Google requires at least one step")
        if _literals(node, "step") and not steps:
            yield Problem(_label(node), "step must be HowToStep or HowToSection nodes, not text")
        for value in _literals(node, "totalTime"):
            if _duration_seconds(value) is None:
                yield Problem(_label(node), f"totalTime {value!r} is not an ISO 8601 duration")
        for step in steps:
            if not {"HowToStep", "HowToSection"} & _short_types(step):
                yield Problem(
                    _label(step),
                    "a HowTo step must be a HowToStep or HowToSection (a tip or "
                    "direction belongs in a step's itemListElement)",
                )

    def how_to_item(self, node: Node) -> Iterator[Problem]:
        """A HowToTool or HowToSupply has a name: what the reader must have."""
        if not _has_text(node, "name"):
            yield Problem(_label(node), "Google requires a name")

    def how_to_step(self, node: Node) -> Iterator[Problem]:
        """A HowToStep has text, and its parts are directions or tips."""
        if not _has_text(node, "text"):
            yield Problem(_label(node), "Google requires text")
        for part in _refs(node, "itemListElement", self.index):
            if not {"HowToDirection", "HowToTip"} & _short_types(part):
                yield Problem(
                    _label(part),
                    "a HowToStep's itemListElement must be HowToDirection or HowToTip",
                )

    def how_to_section(self, node: Node) -> Iterator[Problem]:
        """A HowToSection has a name, and its parts are steps."""
        if not _has_text(node, "name"):
            yield Problem(_label(node), "Google requires a name")
        for part in _refs(node, "itemListElement", self.index):
            if "HowToStep" not in _short_types(part):
                yield Problem(_label(part), "a HowToSection's itemListElement must be HowToStep")

    def how_to_tip_or_direction(self, node: Node) -> Iterator[Problem]:
        """A HowToTip or HowToDirection has text."""
        if not _has_text(node, "text"):
            yield Problem(_label(node), "Google requires text")

    def video_object(self, node: Node) -> Iterator[Problem]:
        """A VideoObject has a name, a thumbnail and an ISO 8601 upload date; its duration,
        when given, is an ISO 8601 duration; its key moments (``Clip`` parts) start at
        different times, within the video."""
        for term in ("name", "thumbnailUrl", "uploadDate"):
            if not _has_text(node, term):
                yield Problem(_label(node), f"Google requires {term}")
        for value in _literals(node, "uploadDate"):
            if not _is_iso8601(value):
                yield Problem(_label(node), f"uploadDate {value!r} is not an ISO 8601 date")
        lengths = [_duration_seconds(value) for value in _literals(node, "duration")]
        for value, length in zip(_literals(node, "duration"), lengths, strict=True):
            if length is None:
                yield Problem(_label(node), f"duration {value!r} is not an ISO 8601 duration")
        yield from self._content_url(node)
        yield from self._clips(node, next((n for n in lengths if n is not None), None))

    @staticmethod
    def _content_url(video: Node) -> Iterator[Problem]:
        # Google reads contentUrl as the media file itself; a video site's watch page there
        # is a page, which Google's video guidelines say not to give.
        for value in _literals(video, "contentUrl"):
            host = urllib.parse.urlsplit(str(value)).hostname or ""
            if host.removeprefix("www.").removeprefix("m.") in _VIDEO_SITES:
                yield Problem(
                    _label(video),
                    f"contentUrl {value!r} is a page on {host}, not the video file: Google "
                    "requires the media file there; give the player in embedUrl instead",
                )

    def _clips(self, video: Node, length: float | None) -> Iterator[Problem]:
        starts: dict[float, str] = {}
        for clip in _refs(video, "hasPart", self.index):
            if "Clip" not in _short_types(clip):
                continue
            offsets = [_number(v) for v in _literals(clip, "startOffset")]
            for start in (o for o in offsets if o is not None):
                if start in starts:
                    yield Problem(
                        _label(clip),
                        f"starts at {start:g} s, as {starts[start]} does: Google requires "
                        "the key moments of a video to start at different times",
                    )
                starts.setdefault(start, _label(clip))
                if length is not None and start >= length:
                    yield Problem(
                        _label(clip), f"starts at {start:g} s, past the video's end ({length:g} s)"
                    )

    def clip(self, node: Node) -> Iterator[Problem]:
        """A Clip has a name, a start offset in seconds and the URL that starts the video
        there; its end offset, when given, comes after its start."""
        for term in ("name", "startOffset", "url"):
            if not _has_text(node, term):
                yield Problem(_label(node), f"Google requires {term}")
        start = None
        for value in _literals(node, "startOffset"):
            number = _number(value)
            if number is None or number < 0:
                yield Problem(_label(node), f"startOffset {value!r} is not a number of seconds")
            else:
                start = number
        for end in map(_number, _literals(node, "endOffset")):
            if end is None or end <= (start or 0):
                yield Problem(_label(node), "endOffset must be a number of seconds after the start")


# Sites whose video addresses are pages with a player, never the media file.
_VIDEO_SITES = frozenset({"youtube.com", "youtu.be", "vimeo.com", "dailymotion.com"})


def _check_google(nodes: list[Node]) -> Iterator[Problem]:
    return _GoogleProfile(nodes).check()


def _howto_parts(nodes: list[Node]) -> Iterator[Node]:
    """The HowTo nodes and everything they contain (steps, sections, tips, tools, supplies)."""
    index = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str)}
    queue = [n for n in nodes if "HowTo" in _short_types(n)]
    seen: set[int] = set()
    while queue:
        node = queue.pop(0)
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        for term in ("step", "itemListElement", "tool", "supply"):
            queue.extend(_refs(node, term, index))


# -- public entry points ----------------------------------------------------------------------


def _size_problem(document: object) -> Problem | None:
    """Why ``document`` is too large to expand in bounded time, if it is."""
    objects = contexts = 0
    stack = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            objects += 1
            contexts += "@context" in value
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    if objects > MAX_OBJECTS:
        return Problem("", f"holds {objects:,} JSON objects, over the {MAX_OBJECTS:,} validated")
    if contexts > MAX_CONTEXTS:
        return Problem("", f"holds {contexts} @context keys, over the {MAX_CONTEXTS} validated")
    return None


def _document_problems(document: object) -> tuple[list[Node], list[Problem]]:
    if (too_large := _size_problem(document)) is not None:
        return [], [too_large]
    nodes, problems = _flatten(document)
    problems.extend(_check_vocabulary(nodes))
    return nodes, problems


def validate_document(document: object) -> list[Problem]:
    """Every problem with a parsed JSON-LD document (vocabulary, URLs, Google's profile)."""
    nodes, problems = _document_problems(document)
    problems.extend(_check_google(nodes))
    return problems


def validate_jsonld(text: str) -> list[Problem]:
    """Every problem with the text of a ``.jsonld`` file."""
    document, problem = parse_json(text)
    return [problem] if problem else validate_document(document)


@dataclass
class PageContent:
    """What a validator needs from an HTML page."""

    scripts: list[str] = field(default_factory=list)
    """The text of every ``<script type="application/ld+json">``, as the browser sees it."""
    visible_text: str = ""
    """The text a reader sees, whitespace folded."""
    anchors: set[str] = field(default_factory=set)
    """Every ``id`` (and ``<a name>``) in the page."""
    canonical: str | None = None
    """The ``<link rel="canonical">`` URL, if any."""
    only_scripts: bool = True
    """True when the text holds nothing but JSON-LD script elements (and comments): a snippet
    to paste into a page, not a page."""
    players: set[str] = field(default_factory=set)
    """The video players it embeds: each ``<iframe src>``, and each ``data-embed`` of a
    player that a click makes (see :mod:`pipeline.pages.render`)."""


_INLINE = frozenset(
    [
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "cite",
        "code",
        "data",
        "dfn",
        "em",
        "i",
        "kbd",
        "mark",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "time",
        "u",
        "var",
    ]
)
_VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
        "param",
        "keygen",
    ]
)
_INVISIBLE = frozenset(
    ["head", "script", "style", "template", "noscript", "iframe", "object", "svg", "title"]
)


def _hides(tag: str, attributes: dict[str, str]) -> bool:
    """Whether the element keeps what it holds from the reader's sight."""
    style = re.sub(r"\s+", "", attributes.get("style", "").lower())
    return tag in _INVISIBLE or "hidden" in attributes or "display:none" in style


class _PageReader(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = PageContent()
        self._text: list[str] = []
        self._hidden: list[str] = []
        self._script: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        kind = attributes.get("type", "").split(";")[0].strip().lower()
        is_jsonld = tag == "script" and kind == "application/ld+json"
        if not is_jsonld:
            self.page.only_scripts = False
        if tag == "body":
            # </head> may be left out; the body is visible whatever was left open before it.
            self._hidden.clear()
        self._note_anchors(tag, attributes)
        self._note_canonical(tag, attributes)
        self._note_player(tag, attributes)
        if is_jsonld:
            self._script = []
        self._note_hidden(tag, attributes)
        if tag not in _INLINE:
            self._text.append(" ")

    def _note_hidden(self, tag: str, attributes: dict[str, str]) -> None:
        if tag not in _VOID and (self._hidden or _hides(tag, attributes)):
            self._hidden.append(tag)

    def _note_anchors(self, tag: str, attributes: dict[str, str]) -> None:
        for name in ("id", "name") if tag == "a" else ("id",):
            if attributes.get(name):
                self.page.anchors.add(attributes[name])

    def _note_canonical(self, tag: str, attributes: dict[str, str]) -> None:
        rel = attributes.get("rel", "").lower().split()
        if tag == "link" and "canonical" in rel and self.page.canonical is None:
            self.page.canonical = attributes.get("href")

    def _note_player(self, tag: str, attributes: dict[str, str]) -> None:
        # A player is an iframe, or a click-to-load placeholder naming the iframe it becomes.
        if tag == "iframe" and attributes.get("src"):
            self.page.players.add(attributes["src"])
        if attributes.get("data-embed"):
            self.page.players.add(attributes["data-embed"])

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and self._hidden and self._hidden[-1] == tag:
            self._hidden.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.page.scripts.append("".join(self._script))
            self._script = None
        if tag in self._hidden:
            while self._hidden.pop() != tag:
                pass
        if tag not in _INLINE:
            self._text.append(" ")

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script.append(data)
            return
        if data.strip():
            self.page.only_scripts = False
        if not self._hidden:
            self._text.append(data)

    def handle_decl(self, decl: str) -> None:
        # A <!DOCTYPE> starts a document, not a fragment.
        self.page.only_scripts = False

    def close(self) -> None:
        super().close()
        if self._script is not None:
            self.page.scripts.append("".join(self._script))
            self._script = None
        self.page.visible_text = normalise_text("".join(self._text))


def normalise_text(text: str) -> str:
    """``text`` in NFC with whitespace runs folded to one space, for comparing what a page
    shows with what its markup says."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def read_page(text: str) -> PageContent:
    """The JSON-LD scripts, visible text, anchors and canonical URL of an HTML page."""
    reader = _PageReader()
    reader.feed(text)
    reader.close()
    return reader.page


_SCRIPT_BREAKERS = re.compile(r"<!--|<script|</script", re.IGNORECASE)


def validate_html(text: str) -> list[Problem]:
    """Every problem with the JSON-LD of an HTML page, and between it and what the page shows."""
    page = read_page(text)
    nodes, problems = _script_problems(page)
    if nodes:
        problems.extend(_check_parity(nodes, page))
    return problems


def _script_problems(page: PageContent) -> tuple[list[Node], list[Problem]]:
    """The nodes of every JSON-LD script element of ``page``, and every problem with them that
    does not depend on what the page shows."""
    if not page.scripts:
        return [], [Problem("", 'no <script type="application/ld+json"> element')]
    problems: list[Problem] = []
    nodes: list[Node] = []
    for number, script in enumerate(page.scripts, start=1):
        where = f"script {number}" if len(page.scripts) > 1 else ""

        def located(found: Iterable[Problem], where: str = where) -> list[Problem]:
            return [Problem(" ".join(filter(None, (where, p.where))), p.message) for p in found]

        if breaker := _SCRIPT_BREAKERS.search(script):
            problems += located(
                [
                    Problem(
                        "", f"{breaker.group(0)!r} inside the script element: escape < as \\u003c"
                    )
                ]
            )
        document, problem = parse_json(script)
        if problem:
            problems += located([problem])
            continue
        script_nodes, found = _document_problems(document)
        nodes += script_nodes
        problems += located(found)
    problems.extend(_check_google(nodes))
    return nodes, problems


def _check_parity(nodes: list[Node], page: PageContent) -> Iterator[Problem]:
    for node in _howto_parts(nodes):
        yield from _check_visible(node, page)
        if "HowToStep" in _short_types(node):
            yield from _check_step_urls(node, page)
    for node in nodes:
        if "VideoObject" in _short_types(node):
            yield from _check_player(node, page)


def _check_player(video: Node, page: PageContent) -> Iterator[Problem]:
    """The page embeds the player the markup names: Google reads ``embedUrl`` as the player
    on the page, so it must be that page's player (its address, with or without a query)."""
    players = {urllib.parse.urlsplit(p)._replace(query="").geturl() for p in page.players}
    for url in _literals(video, "embedUrl"):
        if url not in players:
            yield Problem(_label(video), f"embedUrl {url!r} is not a player on the page")


def _check_visible(node: Node, page: PageContent) -> Iterator[Problem]:
    """Every ``name`` and ``text`` of the node is in the page's visible text."""
    for term in ("name", "text"):
        for value in _literals(node, term):
            if normalise_text(value) not in page.visible_text:
                shown = value if len(value) <= 60 else value[:57] + "..."
                yield Problem(_label(node), f"{term} {shown!r} is not visible on the page")


def _check_step_urls(node: Node, page: PageContent) -> Iterator[Problem]:
    """Each ``url`` of a step points at an anchor that is on this page."""
    for url in _literals(node, "url"):
        address, fragment = urllib.parse.urldefrag(url)
        if fragment and urllib.parse.unquote(fragment) not in page.anchors:
            yield Problem(_label(node), f"url {url!r}: the page has no #{fragment} anchor")
        elif fragment and page.canonical and address != page.canonical:
            yield Problem(
                _label(node), f"url {url!r} is not on this page (canonical {page.canonical})"
            )


class Mode(StrEnum):
    """How a file is validated."""

    DOCUMENT = "JSON-LD document"
    """A ``.jsonld`` file: the JSON-LD rules."""
    PAGE = "page"
    """An HTML page: the JSON-LD rules, and the page must show what its markup says."""
    SNIPPET = "snippet"
    """HTML that is only JSON-LD script elements, to paste into a page: the JSON-LD rules, and
    a :class:`HostContract` for the page it goes into."""
    SITEMAP = "sitemap"
    """A ``sitemap.xml`` (or its index): see :mod:`pipeline.sitecheck`."""


@dataclass(frozen=True)
class HostContract:
    """What the page a snippet is pasted into must carry for the snippet's markup to be
    honest: what ``pipeline validate`` checks on that page (visible-content parity)."""

    pages: tuple[str, ...]
    """The URLs the steps' ``url`` point into: the host page's own (canonical) URL."""
    texts: tuple[str, ...]
    """Every ``name`` and ``text`` of the HowTo and its parts, to be visible on the page."""
    parts: tuple[tuple[str, int], ...]
    """How many of each HowTo part (HowToStep, HowToTip, HowToTool...) those texts come from."""
    anchors: tuple[str, ...]
    """The ``id``s the steps' ``url`` fragments name, to be on the page."""
    video: bool
    """True when the snippet marks up a VideoObject: the page must embed that video."""

    def __str__(self) -> str:
        if not self.texts:
            return "it marks up no HowTo, so nothing is asked of the page it goes into"
        sources = ["the HowTo"] + [
            _count(count, *_PART_NAMES[kind]) for kind, count in self.parts if kind in _PART_NAMES
        ]
        demands = [
            f"show as visible text the {_count(len(self.texts), 'name or text', 'names and texts')}"
            f" it marks up (of {_listed(sources)})"
        ]
        if self.pages:
            demands.insert(0, f"be {' or '.join(self.pages)} (its canonical URL)")
        if self.anchors:
            demands.append(f"carry the ids {', '.join(self.anchors)}")
        if self.video:
            demands.append("embed the video it marks up")
        return f"the page it goes into must {_listed(demands)}; validate that page to check it"


_PART_NAMES = {
    "HowToSection": ("section", "sections"),
    "HowToStep": ("step", "steps"),
    "HowToDirection": ("direction", "directions"),
    "HowToTip": ("tip", "tips"),
    "HowToTool": ("tool", "tools"),
    "HowToSupply": ("supply", "supplies"),
}


def _count(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _listed(items: list[str]) -> str:
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else items[0]


def host_contract(nodes: list[Node]) -> HostContract:
    """What a page must show for ``nodes`` (a snippet's JSON-LD) to describe it honestly."""
    texts: dict[str, None] = {}
    counts: dict[str, int] = {}
    pages: dict[str, None] = {}
    anchors: dict[str, None] = {}
    for node in _howto_parts(nodes):
        kinds = _short_types(node)
        for term in ("name", "text"):
            texts.update(dict.fromkeys(normalise_text(v) for v in _literals(node, term)))
        for kind in sorted(kinds & _PART_NAMES.keys()):
            counts[kind] = counts.get(kind, 0) + 1
        if "HowToStep" in kinds:
            for address, anchor in _step_anchors(node):
                pages[address] = None
                anchors[anchor] = None
    texts.pop("", None)
    return HostContract(
        pages=tuple(pages),
        texts=tuple(texts),
        parts=tuple((kind, counts[kind]) for kind in _PART_NAMES if kind in counts),
        anchors=tuple(anchors),
        video=any("VideoObject" in _short_types(n) for n in nodes),
    )


def _step_anchors(node: Node) -> Iterator[tuple[str, str]]:
    """The page and the anchor of each ``url`` of a step that names an anchor."""
    for url in _literals(node, "url"):
        address, fragment = urllib.parse.urldefrag(url)
        if fragment:
            yield address, urllib.parse.unquote(fragment)


@dataclass(frozen=True)
class FileReport:
    """What validating one file found, and how it was validated."""

    mode: Mode
    problems: list[Problem]
    contract: HostContract | None = None
    """For a snippet whose JSON-LD could be read: what its host page must show."""
    types: frozenset[str] = frozenset()
    """The schema.org types of its nodes, by short name."""

    @property
    def rules(self) -> str:
        """The checks the mode runs, as the report names them."""
        if self.mode is Mode.PAGE:
            return "page: JSON-LD rules and what the page shows"
        if self.mode is Mode.SNIPPET:
            return "snippet: JSON-LD rules only; there is no page to compare it with"
        if self.mode is Mode.SITEMAP:
            return "sitemap: sitemaps.org's rules, hreflang, and each URL a page beside it"
        return "JSON-LD document: JSON-LD rules"


def _read_text(path: Path) -> str:
    """The file's text, at most :data:`MAX_FILE_BYTES` of UTF-8 (a byte order mark dropped);
    :class:`UnreadableFileError` otherwise."""
    try:
        data = read_regular(path, MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            reason = f"it is over the {MAX_FILE_BYTES // (1024 * 1024)} MiB validate reads"
            raise UnreadableFileError(f"cannot read {path}: {reason}")
        return data.decode("utf-8").removeprefix("\ufeff")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UnreadableFileError(f"cannot read {path}: {reason}") from None


def check_file(path: Path) -> FileReport:
    """Validate a ``.jsonld`` file or HTML (by its suffix); HTML that holds nothing but
    JSON-LD script elements, or a name ending in ``.snippet.html``, is a snippet. Raises
    :class:`UnreadableFileError` when the file cannot be read."""
    suffix = path.suffix.lower()
    if suffix == SITEMAP_SUFFIX:
        return _sitemap_report(path)
    text = _read_text(path)
    if suffix not in HTML_SUFFIXES:
        return _document_report(text)
    page = read_page(text)
    nodes, problems = _script_problems(page)
    if page.scripts and (page.only_scripts or path.name.lower().endswith(SNIPPET_SUFFIX)):
        contract = host_contract(nodes) if nodes else None
        return FileReport(Mode.SNIPPET, problems, contract, _all_types(nodes))
    if nodes:
        problems.extend(_check_parity(nodes, page))
    return FileReport(Mode.PAGE, problems, types=_all_types(nodes))


def _document_report(text: str) -> FileReport:
    document, problem = parse_json(text)
    if problem is not None:
        return FileReport(Mode.DOCUMENT, [problem])
    nodes, problems = _document_problems(document)
    problems.extend(_check_google(nodes))
    return FileReport(Mode.DOCUMENT, problems, types=_all_types(nodes))


def _sitemap_report(path: Path) -> FileReport:
    from pipeline.sitecheck import check_sitemap

    found = check_sitemap(path)
    problems = [Problem(f"line {line}" if line else "", message) for line, message in found]
    return FileReport(Mode.SITEMAP, problems)


def _all_types(nodes: list[Node]) -> frozenset[str]:
    return frozenset().union(*(_short_types(node) for node in nodes))


HOWTO_NOTE = (
    "Google has shown no HowTo rich results since September 2023: the HowTo markup still "
    "describes the exercise to other search engines and apps, but what can earn a rich "
    "result in Google Search is the VideoObject (with its key moments) and the breadcrumb"
)
"""What ``pipeline validate`` says, once, when it has read a HowTo (see docs/jsonld.md)."""


def validate_file(path: Path) -> list[Problem]:
    """Every problem with a ``.jsonld`` file, an HTML page or a snippet (see
    :func:`check_file`); raises :class:`UnreadableFileError` when the file cannot be read."""
    return check_file(path).problems


def _validated(file: Path) -> bool:
    """Whether a folder's file is one ``validate`` reads: JSON-LD, HTML, or a sitemap (its
    parts are read through it)."""
    suffix = file.suffix.lower()
    return suffix in HTML_SUFFIXES or suffix == JSONLD_SUFFIX or file.name.lower() == "sitemap.xml"


def files_in(path: Path) -> list[Path]:
    """``path`` itself, or, for a folder, every ``.jsonld``, HTML and ``sitemap.xml`` file
    below it in path order, leaving out hidden folders."""
    if not path.is_dir():
        return [path]
    found = [
        file
        for file in path.rglob("*")
        if file.is_file()
        and _validated(file)
        and not any(part.startswith(".") for part in file.relative_to(path).parts)
    ]
    return sorted(found, key=lambda file: file.relative_to(path).as_posix())
