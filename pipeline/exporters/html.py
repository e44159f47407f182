"""The ``html`` exporter: a standalone page per exercise carrying the JSON-LD of what it shows,
and ``html/index.html`` listing them all.

The ``html/`` folder is the site at ``base_url``: each page is written where its URL (from
``url_pattern``) says, ``html/<slug>/index.html`` by default, and every link between pages is
relative, so the folder deployed at ``base_url`` serves each page at its canonical URL.

Pages load nothing but the YouTube player: the style sheet is inline, fonts are the reader's
system fonts, and a Content-Security-Policy forbids every script.
"""

from __future__ import annotations

import posixpath
import urllib.parse
from collections.abc import Sequence
from html import escape
from typing import NamedTuple

from pipeline.config import Settings
from pipeline.diagnostics import PipelineError
from pipeline.exporters.base import ExportContext, Exporter
from pipeline.jsonld import (
    CATALOGUE_NAME,
    catalogue_document,
    check_base_url,
    embed_url,
    exercise_document,
    page_url,
    script_element,
)
from pipeline.model import Exercise, Item, Paragraph, Section, SectionKind
from pipeline.registry import register
from pipeline.writer import OutputError

INDEX_FILE = "index.html"
"""The file a static host serves for a URL that ends in ``/``."""
_PAGE_SUFFIXES = (".html", ".htm")

# -- where the pages go, and how they link to each other ------------------------------------


def site_path(url: str, base_url: str) -> str | None:
    """The file under ``html/`` that serves ``url`` once ``html/`` is deployed at ``base_url``
    (``<base_url>push-up/`` -> ``push-up/index.html``, ``<base_url>push-up.html`` -> itself),
    or None when no static file can: ``url`` is not under ``base_url``, has a query, or names
    neither a folder nor an ``.html`` file."""
    if not url.startswith(base_url):
        return None
    rest = url[len(base_url) :]
    if "?" in rest or "#" in rest:
        return None
    *folders, name = (urllib.parse.unquote(part) for part in rest.split("/"))
    parts = [*folders, name or INDEX_FILE]
    if any(part in ("", ".", "..") or "/" in part or "\\" in part for part in parts):
        return None
    if not parts[-1].lower().endswith(_PAGE_SUFFIXES):
        return None
    return "/".join(parts)


def check_layout(settings: Settings) -> None:
    """Raise :class:`PipelineError` naming the setting when ``html/`` cannot be the site at
    ``base_url``: ``base_url`` must be a folder, and ``url_pattern`` must put each page in its
    own file below it."""
    base_url = check_base_url(settings)
    if not base_url.endswith("/") or urllib.parse.urlsplit(base_url).query:
        raise PipelineError(
            f"the base_url setting '{base_url}' must end with '/' for the html exporter: "
            "html/index.html is the page at base_url, and the exercise pages sit below it "
            f"(e.g. {base_url.split('?')[0].rstrip('/')}/)"
        )
    pattern = settings.url_pattern
    first, second = (pattern.format(base_url=base_url, slug=slug) for slug in ("a", "b"))
    path = site_path(first, base_url)
    shown = pattern.format(base_url=base_url, slug="<slug>")
    if not first.startswith(base_url):
        raise PipelineError(
            f"the url_pattern setting '{pattern}' gives '{shown}', which is not under base_url "
            f"'{base_url}': the html exporter writes the site at base_url; start url_pattern "
            "with {base_url}, or export only the JSON-LD (-f jsonld)"
        )
    if path is None:
        raise PipelineError(
            f"the url_pattern setting '{pattern}' gives '{shown}', which no static file can "
            "serve: end it with '/' (a page is then html/<slug>/index.html) or with '.html' "
            "(html/<slug>.html)"
        )
    if path == site_path(second, base_url) or path == INDEX_FILE:
        raise PipelineError(
            f"the url_pattern setting '{pattern}' does not give each page a URL of its own: "
            "use {slug} in it, e.g. {base_url}{slug}/"
        )


def page_path(exercise: Exercise, settings: Settings) -> str:
    """The output path of the exercise's page, ``html/`` + where its URL is below ``base_url``
    (``html/<slug>/index.html`` with the default ``url_pattern``)."""
    path = site_path(page_url(exercise, settings), check_base_url(settings))
    if path is None or path == INDEX_FILE:
        raise OutputError(
            f"the page of '{exercise.slug}' would be at {page_url(exercise, settings)}, "
            "where the html exporter cannot write a page of its own (it is the index page, or "
            "not a file below base_url); rename the seed or change url_pattern"
        )
    return f"html/{path}"


def relative_link(page: str, target: str) -> str:
    """The link, relative to the page at URL ``page``, that a browser resolves to ``target``
    (``../`` from ``<base_url>push-up/`` to ``<base_url>``): the same on the deployed site as
    on a copy of it anywhere else."""
    source_path = urllib.parse.urlsplit(page).path
    target_path = urllib.parse.urlsplit(target).path
    link = posixpath.relpath(target_path, source_path[: source_path.rfind("/") + 1] or "/")
    if target_path.endswith("/"):
        link = "./" if link == "." else link + "/"
    if ":" in link.split("/", 1)[0]:
        # "a:b" would read as a URL scheme.
        link = "./" + link
    # An unusual base_url (one with "." or "//" in its path) keeps absolute links.
    return link if urllib.parse.urljoin(page, link) == target else target


_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; "
    "frame-src https://www.youtube.com; base-uri 'none'; form-action 'none'"
)

_CSS = """
:root {
  --ink: #16181d; --muted: #596070; --paper: #f5f4f0; --card: #fff; --line: #e4e1da;
  --accent: #e8511f; --accent-ink: #b23a0f; --night: #14161b; --good: #1d7a4c; --bad: #b42318;
  --radius: 16px;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--paper); color: var(--ink);
  font: 1.0625rem/1.6 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
    "Noto Sans", sans-serif;
}
a { color: var(--accent-ink); text-underline-offset: .15em; }
a:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; border-radius: 4px; }
.wrap { max-width: 74rem; margin: 0 auto; padding: 0 1.25rem; }
.hero { background: radial-gradient(circle at 85% 0%, #2b2f3a 0, var(--night) 55%);
  color: #f4f4f2; padding: 1.25rem 0 3rem; }
.hero a { color: #ffb598; }
.hero-index { padding-top: 3rem; }
.crumbs ol { list-style: none; display: flex; flex-wrap: wrap; gap: .4rem; margin: 0 0 2.25rem;
  padding: 0; font-size: .9rem; color: #b9bcc5; }
.crumbs li + li::before { content: "\\203A"; margin-right: .4rem; color: #7d828f; }
.hero-grid { display: grid; gap: 2rem; align-items: center; }
@media (min-width: 62rem) {
  .hero-grid.has-media { grid-template-columns: minmax(0, 1fr) minmax(0, 1.1fr); }
}
.brand { font-weight: 800; letter-spacing: .16em; text-transform: uppercase; font-size: .78rem;
  color: var(--accent); margin: 0 0 .5rem; }
h1 { font-size: clamp(2.1rem, 5vw, 3.5rem); line-height: 1.05; margin: 0 0 1rem;
  letter-spacing: -.025em; overflow-wrap: anywhere; }
.lede { font-size: clamp(1.08rem, 1.8vw, 1.25rem); color: #d7d9de; margin: 0; max-width: 40rem;
  overflow-wrap: anywhere; }
.aka { color: #b9bcc5; margin: .9rem 0 0; }
.facts { display: flex; flex-wrap: wrap; gap: .6rem; margin: 1.5rem 0 0; padding: 0; }
.facts div { background: #242731; border: 1px solid #383c48; border-radius: 999px;
  padding: .3rem .9rem; font-size: .92rem; }
.facts dt { display: inline; color: #a3a8b3; }
.facts dt::after { content: ": "; }
.facts dd { display: inline; margin: 0; color: #fff; font-weight: 600; }
.media { margin: 0; }
.player { position: relative; aspect-ratio: 16 / 9; background: #000; border-radius: var(--radius);
  overflow: hidden; box-shadow: 0 24px 48px -20px rgba(0, 0, 0, .7); }
.photo { margin: 0; }
.photo img { display: block; width: 100%; height: auto; border-radius: var(--radius);
  background: #e9e6df; }
.player iframe { position: absolute; inset: 0; width: 100%; height: 100%; border: 0; }
.media figcaption { font-size: .9rem; margin-top: .6rem; }
main.wrap { padding-top: 2.5rem; padding-bottom: 3rem; }
section { background: var(--card); border: 1px solid var(--line); border-radius: var(--radius);
  padding: 1.5rem 1.6rem 1.1rem; }
h2 { font-size: 1.35rem; line-height: 1.25; margin: 0 0 1.1rem; letter-spacing: -.01em; }
h2 .count { color: var(--muted); font-weight: 500; font-size: .95rem; margin-left: .5rem; }
h3 { font-size: 1.08rem; margin: 0 0 .35rem; line-height: 1.3; }
p { margin: 0 0 .75rem; overflow-wrap: anywhere; }
li { overflow-wrap: anywhere; }
.howto { margin-bottom: 1.5rem; }
.howto ol { list-style: none; counter-reset: step; margin: 0; padding: 0; display: grid;
  gap: 1rem; grid-template-columns: repeat(auto-fit, minmax(15rem, 1fr)); }
.howto li { counter-increment: step; background: var(--paper); border-radius: 12px;
  padding: 1.1rem 1.1rem .5rem; border-top: 4px solid var(--accent); scroll-margin-top: 1rem; }
.howto li::before { content: counter(step); display: grid; place-items: center; width: 2.2rem;
  height: 2.2rem; border-radius: 50%; background: var(--accent); color: #fff; font-weight: 800;
  margin-bottom: .7rem; }
.howto li:target { box-shadow: 0 0 0 3px var(--accent); }
.columns { display: grid; gap: 1.5rem; align-items: start; }
@media (min-width: 48rem) { .columns { grid-template-columns: repeat(2, minmax(0, 1fr)); } }
.list { margin: 0; padding-left: 1.4rem; }
.list li { margin-bottom: .6rem; padding-left: .25rem; }
.list li::marker { color: var(--accent-ink); font-weight: 700; }
.advice { list-style: none; margin: 0; padding: 0; }
.advice li { position: relative; padding: .05rem 0 .7rem 2.1rem; }
.advice li::before { position: absolute; left: 0; top: .15rem; width: 1.4rem; height: 1.4rem;
  border-radius: 50%; display: grid; place-items: center; font-size: .78rem; font-weight: 800;
  color: #fff; }
.tips li::before { content: "\\2713"; background: var(--good); }
.mistakes li::before { content: "\\2715"; background: var(--bad); }
.tips-section { border-top: 5px solid var(--good); }
.mistakes-section { border-top: 5px solid var(--bad); }
.closing { margin-top: 1.5rem; background: var(--night); color: #eceae4; border: 0;
  font-size: 1.12rem; padding: 1.5rem 1.75rem .9rem; }
code { font: .92em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  background: #efede8; padding: .05em .3em; border-radius: 4px; }
.site-footer { color: var(--muted); font-size: .9rem; padding: 1.5rem 0 2.5rem;
  border-top: 1px solid var(--line); }
.grid { list-style: none; padding: 0; margin: 0; display: grid; gap: 1.25rem;
  grid-template-columns: repeat(auto-fill, minmax(17rem, 1fr)); }
.grid li { background: var(--card); border: 1px solid var(--line); border-radius: var(--radius);
  border-top: 4px solid var(--accent); padding: 1.25rem 1.25rem .75rem; display: flex;
  flex-direction: column; }
.grid h2 { font-size: 1.15rem; margin-bottom: .5rem; }
.grid h2 a { color: var(--ink); text-decoration: none; }
.grid h2 a:hover { color: var(--accent-ink); text-decoration: underline; }
.grid p { color: var(--muted); font-size: .97rem; }
.grid .tag { margin-top: auto; font-size: .85rem; color: var(--accent-ink); font-weight: 600; }
@media (max-width: 30rem) {
  section { padding: 1.1rem 1rem .8rem; }
  .howto li { padding: .9rem .9rem .3rem; }
}
@media print {
  .hero { background: none; color: var(--ink); }
  .hero a, .lede, .aka, .facts dd { color: var(--ink); }
  .facts div { background: none; }
  .media { display: none; }
  .closing { background: none; color: var(--ink); }
  section { break-inside: avoid; }
}
"""


def _page(*, lang: str, title: str, description: str, canonical: str, head: str, body: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="{escape(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{escape(_CSP)}">
<meta name="referrer" content="strict-origin-when-cross-origin">
<title>{escape(title)}</title>
<meta name="description" content="{escape(description)}">
<link rel="canonical" href="{escape(canonical)}">
<style>{_CSS}</style>
{head}
</head>
<body>
{body}
</body>
</html>
"""


def _spans(paragraph: Paragraph) -> str:
    parts = []
    for span in paragraph.spans:
        text = escape(span.text)
        if span.code:
            text = f"<code>{text}</code>"
        if span.emphasis:
            text = f"<em>{text}</em>"
        if span.strong:
            text = f"<strong>{text}</strong>"
        parts.append(text)
    return "".join(parts)


def _item(item: Item, anchor: str | None = None) -> str:
    attribute = f' id="{anchor}"' if anchor else ""
    label = f"<strong>{escape(item.label)}</strong>: " if item.label else ""
    return f"<li{attribute}>{label}{_spans(item)}</li>"


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{escape(p)}</p>" for p in text.split("\n\n") if p.strip())


def _section(section: Section) -> str:
    heading = escape(section.heading)
    if section.kind in (SectionKind.SETUP, SectionKind.EXECUTION):
        items = "".join(_item(item) for item in section.items)
        return f'<section><h2>{heading}</h2><ol class="list">{items}</ol></section>'
    if section.kind in (SectionKind.TIPS, SectionKind.MISTAKES):
        # The anchors match the HowToTip @ids of the JSON-LD (#tip-N, #mistake-N).
        kind = "tip" if section.kind is SectionKind.TIPS else "mistake"
        items = "".join(_item(item, f"{kind}-{n}") for n, item in enumerate(section.items, 1))
        return (
            f'<section class="{kind}s-section"><h2>{heading}</h2>'
            f'<ul class="advice {kind}s">{items}</ul></section>'
        )
    paragraphs = "".join(f"<p>{_spans(item)}</p>" for item in section.items)
    return f"<section><h2>{heading}</h2>{paragraphs}</section>"


def _facts(exercise: Exercise) -> str:
    facts = [
        ("Level", exercise.level.value.capitalize() if exercise.level else None),
        ("Category", exercise.category),
        ("Equipment", ", ".join(exercise.equipment) or None),
        ("Muscles", ", ".join(exercise.muscles) or None),
    ]
    shown = "".join(
        f"<div><dt>{name}</dt><dd>{escape(value)}</dd></div>" for name, value in facts if value
    )
    return f'<dl class="facts">{shown}</dl>' if shown else ""


def _video(exercise: Exercise) -> str:
    if not exercise.video_id:
        return ""
    title = escape(f"Video: {exercise.title}")
    watch = escape(exercise.video_url or "")
    return (
        '<figure class="media"><div class="player">'
        f'<iframe src="{escape(embed_url(exercise.video_id))}" title="{title}" '
        'loading="lazy" referrerpolicy="strict-origin-when-cross-origin" '
        'allow="accelerometer; clipboard-write; encrypted-media; gyroscope; '
        'picture-in-picture; web-share" allowfullscreen></iframe></div>'
        f'<figcaption><a href="{watch}">Watch on YouTube</a></figcaption></figure>'
    )


def _image(exercise: Exercise, css_class: str) -> str:
    # The JSON-LD marks the image up, so the page must show it.
    if not exercise.image:
        return ""
    return (
        f'<figure class="{css_class}">'
        f'<img src="{escape(exercise.image)}" alt="{escape(exercise.title)}" loading="lazy">'
        "</figure>"
    )


def exercise_page(exercise: Exercise, canonical: str, script: str, *, catalogue_url: str) -> str:
    """The standalone HTML page of one exercise at URL ``canonical``, with ``script`` (its
    JSON-LD) in the head, linking to the catalogue page at ``catalogue_url``."""
    index = escape(relative_link(canonical, catalogue_url))
    steps = "".join(
        f'<li id="step-{n}"><h3>{escape(step.name)}</h3>{_paragraphs(step.text)}</li>'
        for n, step in enumerate(exercise.howto, start=1)
    )
    howto = (
        f'<section class="howto"><h2>How to do it<span class="count">{_steps(len(exercise.howto))}'
        f"</span></h2><ol>{steps}</ol></section>"
        if exercise.howto
        else ""
    )
    sections = "".join(_section(s) for s in exercise.sections)
    closing = (
        '<section class="closing">'
        + "".join(f"<p>{_spans(p)}</p>" for p in exercise.outro)
        + "</section>"
        if exercise.outro
        else ""
    )
    aka = (
        f'<p class="aka">Also known as: {escape(", ".join(exercise.aliases))}</p>'
        if exercise.aliases
        else ""
    )
    updated = (
        f'<p>Last updated <time datetime="{exercise.updated.isoformat()}">'
        f"{exercise.updated.isoformat()}</time>.</p>"
        if exercise.updated
        else ""
    )
    media = _video(exercise) or _image(exercise, "media photo")
    photo = _image(exercise, "photo") if exercise.video_id else ""
    body = f"""<header class="hero">
<div class="wrap">
<nav class="crumbs" aria-label="Breadcrumb"><ol>
<li><a href="{index}">{CATALOGUE_NAME}</a></li>
<li aria-current="page">{escape(exercise.title)}</li>
</ol></nav>
<div class="hero-grid{" has-media" if media else ""}">
<div>
<p class="brand">Exercise guide</p>
<h1>{escape(exercise.title)}</h1>
<p class="lede">{escape(exercise.description)}</p>
{aka}{_facts(exercise)}
</div>
{media}
</div>
</div>
</header>
<main class="wrap">
{howto}
<div class="columns">
{photo}{sections}
</div>
{closing}
</main>
<footer class="site-footer"><div class="wrap">
{updated}<p><a href="{index}">All exercises</a></p>
</div></footer>"""
    return _page(
        lang=exercise.lang,
        title=exercise.title,
        description=exercise.description,
        canonical=canonical,
        head=script,
        body=body,
    )


def _steps(count: int) -> str:
    return f"{count} step{'' if count == 1 else 's'}"


class IndexEntry(NamedTuple):
    """What the index page shows of one exercise (the exporter's digest)."""

    slug: str
    title: str
    description: str
    url: str
    steps: int
    video: bool
    level: str | None

    @classmethod
    def of(cls, exercise: Exercise, settings: Settings) -> IndexEntry:
        """The index entry of one exercise."""
        return cls(
            exercise.slug,
            exercise.title,
            exercise.description,
            page_url(exercise, settings),
            len(exercise.howto),
            exercise.video_id is not None,
            exercise.level.value if exercise.level else None,
        )

    def summary(self) -> str:
        """Steps, video and level, as the index shows them under the description."""
        parts = [_steps(self.steps)] if self.steps else []
        if self.video:
            parts.append("video")
        if self.level:
            parts.append(self.level)
        return escape(" \u00b7 ".join(parts))


def index_page(entries: Sequence[IndexEntry], catalogue_url: str, script: str) -> str:
    """The catalogue page: every exercise with its description and a link to its page."""
    cards = "".join(
        f'<li><h2><a href="{escape(relative_link(catalogue_url, e.url))}">'
        f"{escape(e.title)}</a></h2>"
        f'<p>{escape(e.description)}</p><p class="tag">{e.summary()}</p></li>'
        for e in entries
    )
    body = f"""<header class="hero hero-index">
<div class="wrap">
<p class="brand">Exercise guide</p>
<h1>{CATALOGUE_NAME}</h1>
<p class="lede">{len(entries)} step-by-step guide{"" if len(entries) == 1 else "s"}.</p>
</div>
</header>
<main class="wrap">
<ul class="grid">{cards}</ul>
</main>"""
    return _page(
        lang="en",
        title=CATALOGUE_NAME,
        description=CATALOGUE_NAME,
        canonical=catalogue_url,
        head=script,
        body=body,
    )


@register
class HtmlExporter(Exporter):
    """Writes a styled page per exercise with its JSON-LD, and an index of every exercise."""

    name = "html"
    help = "html/<slug>/index.html and html/index.html: standalone pages with their JSON-LD"
    version = "2"
    settings_used = ("base_url", "url_pattern")

    def check_settings(self) -> None:
        """Refuse to start without an absolute ``base_url`` (the pages' JSON-LD needs it), or
        when the page URLs cannot be files in ``html/`` deployed at ``base_url``."""
        check_layout(self.settings)

    def export_exercise(self, exercise: Exercise, context: ExportContext) -> None:
        """Write the page where its URL says: ``html/<slug>/index.html`` by default."""
        settings = context.settings
        script = script_element(exercise_document(exercise, settings))
        canonical = page_url(exercise, settings)
        page = exercise_page(exercise, canonical, script, catalogue_url=check_base_url(settings))
        context.writer.write_text(page_path(exercise, settings), page)

    def digest(self, exercise: Exercise) -> IndexEntry:
        """What the index shows of the exercise."""
        return IndexEntry.of(exercise, self.settings)

    def export_all(self, digests: Sequence[IndexEntry], context: ExportContext) -> None:
        """Write ``html/index.html``, listing the exercises in slug order."""
        base_url = check_base_url(context.settings)
        pages = [(entry.title, entry.url) for entry in digests]
        script = script_element(catalogue_document(pages, context.settings))
        context.writer.write_text("html/index.html", index_page(digests, base_url, script))
