"""The markup of the site's pages: a standalone page per exercise, and the index of them all.

Pages load nothing but the YouTube player: the style sheet (``page.css`` beside this module)
is inline, fonts are the reader's system fonts, and a Content-Security-Policy forbids every
script.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from importlib import resources

from pipeline.jsonld import CATALOGUE_NAME, embed_url
from pipeline.model import Exercise, Item, Paragraph, Section, SectionKind
from pipeline.pages.entry import IndexEntry as IndexEntry
from pipeline.pages.entry import steps_label
from pipeline.pages.layout import relative_link

_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; "
    "frame-src https://www.youtube.com; base-uri 'none'; form-action 'none'"
)

# Read once on import: every page carries the whole sheet.
_CSS = resources.files("pipeline.pages").joinpath("page.css").read_text("utf-8")


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
<style>
{_CSS}</style>
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


def _howto(exercise: Exercise) -> str:
    if not exercise.howto:
        return ""
    steps = "".join(
        f'<li id="step-{n}"><h3>{escape(step.name)}</h3>{_paragraphs(step.text)}</li>'
        for n, step in enumerate(exercise.howto, start=1)
    )
    return (
        f'<section class="howto"><h2>How to do it<span class="count">'
        f"{steps_label(len(exercise.howto))}</span></h2><ol>{steps}</ol></section>"
    )


def _closing(exercise: Exercise) -> str:
    if not exercise.outro:
        return ""
    paragraphs = "".join(f"<p>{_spans(p)}</p>" for p in exercise.outro)
    return f'<section class="closing">{paragraphs}</section>'


def _aka(exercise: Exercise) -> str:
    if not exercise.aliases:
        return ""
    return f'<p class="aka">Also known as: {escape(", ".join(exercise.aliases))}</p>'


def _updated(exercise: Exercise) -> str:
    if not exercise.updated:
        return ""
    day = exercise.updated.isoformat()
    return f'<p>Last updated <time datetime="{day}">{day}</time>.</p>'


def exercise_page(exercise: Exercise, canonical: str, script: str, *, catalogue_url: str) -> str:
    """The standalone HTML page of one exercise at URL ``canonical``, with ``script`` (its
    JSON-LD) in the head, linking to the catalogue page at ``catalogue_url``."""
    index = escape(relative_link(canonical, catalogue_url))
    howto = _howto(exercise)
    sections = "".join(_section(s) for s in exercise.sections)
    closing = _closing(exercise)
    aka = _aka(exercise)
    updated = _updated(exercise)
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
