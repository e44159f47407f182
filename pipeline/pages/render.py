"""The markup of the site's pages: a standalone page per exercise, and the index of them all.

Pages load nothing but the YouTube player, and that only when the reader presses play: the
style sheet (``page.css`` beside this module) is inline, fonts are the reader's system fonts,
and a Content-Security-Policy forbids every script but the page's own, by their hashes: the
player's, the index's finder (``finder.js``) and, on every page, ``file_links.js``, which
makes the links to folders work when the site is opened from files.
"""

from __future__ import annotations

import base64
import hashlib
import urllib.parse
from collections.abc import Sequence
from html import escape
from importlib import resources

from pipeline.brand import BrandSettings
from pipeline.i18n.labels import Labels, Overrides, fill, labels_for
from pipeline.jsonld import embed_url, seek_url
from pipeline.model import Credit, Exercise, HowToStep, Item, Paragraph, Section, SectionKind
from pipeline.pages.entry import IndexEntry as IndexEntry
from pipeline.pages.finder import (
    DATA_FILE,
    FINDER_SCRIPT,
    Facet,
    facets,
    finder_extras,
    finder_form,
)
from pipeline.pages.layout import relative_link
from pipeline.pages.muscle_map import muscle_figure
from pipeline.video_times import clock


def _policy(*scripts: str, frames: str | None = None, connect: str | None = None) -> str:
    """A Content-Security-Policy that lets the page run ``scripts`` alone, by their hashes,
    and load nothing from elsewhere but pictures (and ``frames``, ``connect`` where given)."""
    sources = [
        "default-src 'none'",
        "style-src 'unsafe-inline'",
        "img-src 'self' https: data:",
        "script-src " + " ".join(_script_hash(script) for script in scripts),
    ]
    if frames:
        sources.append(f"frame-src {frames}")
    if connect:
        sources.append(f"connect-src {connect}")
    return "; ".join([*sources, "base-uri 'none'", "form-action 'none'"])


# Read once on import: every page carries the whole sheet.
_CSS = resources.files("pipeline.pages").joinpath("page.css").read_text("utf-8")
LINKS_SCRIPT = resources.files("pipeline.pages").joinpath("file_links.js").read_text("utf-8")
"""Every page's script: opened from a file, its links to folders open their index.html."""


def _page(
    *,
    lang: str,
    title: str,
    description: str,
    canonical: str,
    head: str,
    body: str,
    policy: str,
    social: str = "",
    brand: BrandSettings | None = None,
) -> str:
    # The brand's accent (checked for 4.5:1 on white) for the accents and the links alike.
    accent = brand.accent if brand is not None else None
    colours = (
        f":root {{ --accent: {accent}; --accent-ink: {accent}; }}\n"
        # On the dark hero the name is a light tint of the accent; the map's secondary
        # muscles are the accent half-way to white, as on the card.
        ".hero .brand { color: color-mix(in srgb, var(--accent) 35%, #fff); }\n"
        ".muscle-map .secondary { fill: color-mix(in srgb, var(--accent) 50%, #fff); }\n"
        if accent
        else ""
    )
    return f"""<!DOCTYPE html>
<html lang="{escape(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{escape(policy)}">
<meta name="referrer" content="strict-origin-when-cross-origin">
<title>{escape(title)}</title>
<meta name="description" content="{escape(description)}">
<link rel="canonical" href="{escape(canonical)}">
<link rel="icon" href="data:,">
{social}<style>
{_CSS}{colours}</style>
{head}
</head>
<body>
{body}
<script>{LINKS_SCRIPT}</script>
</body>
</html>
"""


def og_locale(lang: str) -> str:
    """The language tag as Open Graph spells a locale, ``language_TERRITORY``: the territory
    CLDR finds likeliest when the tag names none (``de`` -> ``de_DE``, ``pt-BR`` -> ``pt_BR``,
    ``zh-Hant`` -> ``zh_TW``)."""
    from babel import Locale, UnknownLocaleError

    try:
        locale = Locale.parse(lang, sep="-")
    except (ValueError, UnknownLocaleError):
        return lang.replace("-", "_")
    territory = locale.territory
    if territory is None:
        from babel.core import get_global

        subtags = get_global("likely_subtags")
        likely = subtags.get(f"{locale.language}_{locale.script}", "") if locale.script else ""
        likely = likely or subtags.get(locale.language, "")
        parts = [part for part in likely.split("_")[1:] if len(part) == 2 and part.isupper()]
        territory = parts[0] if parts else None
    return f"{locale.language}_{territory}" if territory else locale.language


def social_meta(
    *,
    kind: str,
    title: str,
    description: str,
    url: str,
    lang: str,
    image: tuple[str, str] | None = None,
    brand: BrandSettings | None = None,
) -> str:
    """The Open Graph and Twitter card ``<meta>`` elements that make a shared link a card in
    chat apps and social networks: ``kind`` (``article``, ``website``), the page's title,
    description, URL and locale, the picture (an absolute URL and its alternative text) if
    it has one, shown large, and the gym's name as the site's."""
    tags = [
        ("og:type", kind),
        ("og:title", title),
        ("og:description", description),
        ("og:url", url),
        ("og:locale", og_locale(lang)),
    ]
    if brand is not None and brand.name:
        tags.append(("og:site_name", brand.name))
    if image is not None:
        tags += [("og:image", image[0]), ("og:image:alt", image[1])]
    properties = "".join(
        f'<meta property="{name}" content="{escape(value)}">\n' for name, value in tags
    )
    card = "summary_large_image" if image is not None else "summary"
    return properties + f'<meta name="twitter:card" content="{card}">\n'


def _share_image(exercise: Exercise, canonical: str) -> tuple[str, str] | None:
    """The picture a shared link shows: the seed's first picture, else the video's
    thumbnail; with its alternative text."""
    if exercise.images:
        from pipeline.urls import picture_names

        picture = exercise.images[0]
        name = picture_names(exercise, canonical)[0]
        src = urllib.parse.urljoin(canonical, urllib.parse.quote(name)) if name else picture.src
        return src, picture.alt or exercise.title
    if exercise.video_id:
        from pipeline.jsonld import thumbnail_url

        return thumbnail_url(exercise.video_id), exercise.title
    return None


def _brand_name(brand: BrandSettings | None, labels: Labels) -> str:
    """What stands above a page's title: the gym's name, else the words for a guide."""
    return brand.name if brand is not None and brand.name else labels["brand"]


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


def _section(section: Section, labels: Labels) -> str:
    heading = escape(labels.heading(section.kind, section.heading))
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


def _facts(exercise: Exercise, labels: Labels) -> str:
    facts = [
        ("level", labels[f"level_{exercise.level.value}"] if exercise.level else None),
        ("category", exercise.category),
        ("equipment", ", ".join(exercise.equipment) or None),
        ("supplies", ", ".join(exercise.supplies) or None),
        ("muscles", ", ".join(exercise.muscles) or None),
        ("station", exercise.station),
    ]
    shown = "".join(
        f"<div><dt>{escape(labels[name])}</dt><dd>{escape(value)}</dd></div>"
        for name, value in facts
        if value
    )
    return f'<dl class="facts">{shown}</dl>' if shown else ""


def _workout(exercise: Exercise, labels: Labels) -> str:
    """What to do: the sets, reps, rest and tempo, then the machine's settings."""
    if exercise.prescription is None:
        return ""
    from pipeline.prescription import facts, setting_names

    shown = "".join(f"<li>{escape(fact)}</li>" for fact in facts(exercise.prescription, labels))
    numbers = f'<ul class="workout-facts">{shown}</ul>' if shown else ""
    settings = "".join(
        f"<div><dt>{escape(name)}</dt><dd>{escape(value)}</dd></div>"
        for name, value in setting_names(exercise.prescription)
    )
    machine = (
        f'<h3>{escape(labels["machine_settings"])}</h3><dl class="machine-settings">{settings}</dl>'
        if settings
        else ""
    )
    return (
        f'<section class="workout" aria-labelledby="workout">'
        f'<h2 id="workout">{escape(labels["workout"])}</h2>{numbers}{machine}</section>\n'
    )


def _credit(credit: Credit | None, labels: Labels, css_class: str = "credit") -> str:
    """Who wrote the text (or made the picture), its licence and its source, each linked
    where the seed gives an address (the licence with ``rel="license"``, which search
    engines read)."""
    if credit is None:
        return ""
    from pipeline.credit import shown_url

    parts = []
    if credit.author:
        author = escape(credit.author)
        if credit.author_url:
            author = f'<a href="{escape(credit.author_url)}">{author}</a>'
        parts.append(fill(escape(labels["credit_by"]), author=author))
    if credit.license_name and credit.license_url:
        terms = f'<a rel="license" href="{escape(credit.license_url)}">'
        terms += f"{escape(credit.license_name)}</a>"
        parts.append(fill(escape(labels["credit_license"]), license=terms))
    if credit.source_url:
        source = f'<a href="{escape(credit.source_url)}">{escape(shown_url(credit.source_url))}</a>'
        parts.append(fill(escape(labels["credit_source"]), source=source))
    joined = " \u00b7 ".join(parts)
    return f'<p class="{css_class}">{joined}</p>\n'


def _video(exercise: Exercise, labels: Labels) -> str:
    """The video as a button that loads YouTube's player only when it is pressed: nothing
    is asked of YouTube before the reader chooses to play (without scripts, the button is a
    link to the video on YouTube). :data:`PLAYER_SCRIPT` makes the player."""
    if not exercise.video_id:
        return ""
    title = escape(labels.text("video_title", title=exercise.title))
    watch = escape(exercise.video_url or "")
    return (
        '<figure class="media" id="video">'
        f'<div class="player" data-embed="{escape(embed_url(exercise.video_id))}" '
        f'data-title="{title}">'
        f'<a class="play" href="{watch}" data-seek="0">'
        '<span class="play-button" aria-hidden="true"></span>'
        f'<span class="play-text">{escape(labels["play_video"])}</span>'
        f'<span class="play-title">{escape(exercise.title)}</span></a></div>'
        f"<figcaption>{escape(labels['video_notice'])} "
        f'<a href="{watch}">{escape(labels["watch_on_youtube"])}</a></figcaption>'
        "</figure>"
    )


PLAYER_SCRIPT = """(function () {
  var player = document.querySelector(".player[data-embed]");
  if (!player) return;
  function play(start) {
    var frame = document.createElement("iframe");
    frame.src = player.dataset.embed + "?autoplay=1" + (start > 0 ? "&start=" + start : "");
    frame.title = player.dataset.title;
    frame.allow = "accelerometer; autoplay; clipboard-write; encrypted-media; gyroscope; " +
      "picture-in-picture; web-share";
    frame.allowFullscreen = true;
    frame.referrerPolicy = "strict-origin-when-cross-origin";
    player.replaceChildren(frame);
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-seek]");
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    play(parseInt(link.dataset.seek, 10) || 0);
    if (!link.classList.contains("play")) player.scrollIntoView({ block: "center" });
  });
})();
"""
"""The page's one script: a click on the video's button, or on a step's time, puts YouTube's
player in the button's place, started at that time. The page's policy lets it alone run, by
its hash."""


def _player_script(exercise: Exercise) -> str:
    return f"\n<script>{PLAYER_SCRIPT}</script>" if exercise.video_id else ""


def _script_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


_PAGE_POLICY = _policy(LINKS_SCRIPT, PLAYER_SCRIPT, frames="https://www.youtube.com")
_INDEX_POLICY = _policy(LINKS_SCRIPT, FINDER_SCRIPT, connect="'self'")


def _pictures(exercise: Exercise, canonical: str, labels: Labels, css_class: str) -> str:
    """The exercise's pictures, side by side (start and end position), each with its
    caption and credit; a local one by its file beside the page, with its size, so the page
    does not shift as it loads. The JSON-LD marks them up, so the page must show them."""
    if not exercise.images:
        return ""
    from pipeline.urls import picture_names

    count = len(exercise.images)
    figures = []
    for number, (picture, name) in enumerate(
        zip(exercise.images, picture_names(exercise, canonical), strict=True), start=1
    ):
        alt = picture.alt or (
            exercise.title if count == 1 else f"{exercise.title} ({number}/{count})"
        )
        size = f' width="{picture.width}" height="{picture.height}"' if picture.width else ""
        src = urllib.parse.quote(name) if name else picture.src
        caption = f"<p>{escape(picture.caption)}</p>" if picture.caption else ""
        credit = _credit(picture.credit, labels, "picture-credit")
        below = f"<figcaption>{caption}{credit}</figcaption>" if caption or credit else ""
        figures.append(
            f'<figure id="picture-{number}"><img src="{escape(src)}" alt="{escape(alt)}"{size} '
            f'loading="lazy" decoding="async">{below}</figure>'
        )
    return f'<div class="{css_class} pictures-{min(count, 2)}">{"".join(figures)}</div>'


def _howto(exercise: Exercise, labels: Labels) -> str:
    if not exercise.howto:
        return ""
    steps = "".join(
        f'<li id="step-{n}"><h3>{escape(step.name)}{_step_time(exercise, step, labels)}</h3>'
        f"{_paragraphs(step.text)}</li>"
        for n, step in enumerate(exercise.howto, start=1)
    )
    return (
        f'<section class="howto"><h2>{escape(labels["howto"])}<span class="count">'
        f"{escape(labels.count('steps', len(exercise.howto)))}</span></h2><ol>{steps}</ol>"
        "</section>"
    )


def _step_time(exercise: Exercise, step: HowToStep, labels: Labels) -> str:
    """The time the video shows a step at, as a link that starts the player there (to the
    video on YouTube at that time, without scripts)."""
    if step.video_time is None or not exercise.video_id:
        return ""
    shown = clock(step.video_time)
    return (
        f' <a class="seek" href="{escape(seek_url(exercise, step.video_time))}" '
        f'data-seek="{step.video_time}" '
        f'aria-label="{escape(labels.text("watch_from", time=shown))}">{shown}</a>'
    )


def _closing(exercise: Exercise) -> str:
    if not exercise.outro:
        return ""
    paragraphs = "".join(f"<p>{_spans(p)}</p>" for p in exercise.outro)
    return f'<section class="closing">{paragraphs}</section>'


def _aka(exercise: Exercise, labels: Labels) -> str:
    if not exercise.aliases:
        return ""
    names = escape(", ".join(exercise.aliases))
    return f'<p class="aka">{fill(escape(labels["also_known_as"]), names=names)}</p>'


def _updated(exercise: Exercise, labels: Labels) -> str:
    if not exercise.updated:
        return ""
    day = exercise.updated.isoformat()
    date = f'<time datetime="{day}">{day}</time>'
    return f"<p>{fill(escape(labels['updated']), date=date)}</p>"


def _languages(page: str, versions: Sequence[tuple[str, str]], label: str) -> str:
    """A language switcher on the page at URL ``page``: under ``label``, a link to each of
    ``versions`` (a tag and the URL of the page in that language), named in its own
    language and marked up as in it, so a reader finds their language by its own name and a
    screen reader says it in that language."""
    if not versions:
        return ""
    from pipeline.i18n import language_name

    links = "".join(
        f'<li><a href="{escape(relative_link(page, url))}" hreflang="{escape(lang)}" '
        f'lang="{escape(lang)}">{escape(language_name(lang))}</a></li>'
        for lang, url in versions
    )
    return (
        f'<nav class="languages" aria-labelledby="languages"><span id="languages">'
        f"{escape(label)}</span><ul>{links}</ul></nav>"
    )


def exercise_page(
    exercise: Exercise,
    canonical: str,
    script: str,
    *,
    catalogue_url: str,
    versions: Sequence[tuple[str, str]] = (),
    overrides: Overrides | None = None,
    brand: BrandSettings | None = None,
) -> str:
    """The standalone HTML page of one exercise at URL ``canonical``, with ``script`` (its
    JSON-LD) in the head, linking to the catalogue page at ``catalogue_url`` and to its
    other language ``versions`` (each a tag and its page's URL); its fixed words in the
    exercise's language, ``overrides`` (the labels setting) first."""
    labels = labels_for(exercise.lang, overrides)
    languages = _languages(canonical, versions, labels["also_in"])
    index = escape(relative_link(canonical, catalogue_url))
    howto = _howto(exercise, labels)
    sections = "".join(_section(s, labels) for s in exercise.sections)
    closing = _closing(exercise)
    aka = _aka(exercise, labels)
    updated = _updated(exercise, labels)
    credit = _credit(exercise.credit, labels)
    media = _video(exercise, labels) or _pictures(exercise, canonical, labels, "media photo")
    photo = _pictures(exercise, canonical, labels, "photo") if exercise.video_id else ""
    # The map and the pictures side by side, as on the card.
    muscles = muscle_figure(exercise, labels)
    figures = (
        f'<div class="figures">{muscles}{photo}</div>\n' if muscles and photo else muscles + photo
    )

    body = f"""<header class="hero">
<div class="wrap">
<nav class="crumbs" aria-label="{escape(labels["breadcrumb"])}"><ol>
<li><a href="{index}">{escape(labels["exercises"])}</a></li>
<li aria-current="page">{escape(exercise.title)}</li>
</ol></nav>
<div class="hero-grid{" has-media" if media else ""}">
<div>
<p class="brand">{escape(_brand_name(brand, labels))}</p>
<h1>{escape(exercise.title)}</h1>
<p class="lede">{escape(exercise.description)}</p>
{aka}{_facts(exercise, labels)}{languages}
</div>
{media}
</div>
</div>
</header>
<main class="wrap">
{_workout(exercise, labels)}{figures}{howto}
<div class="columns">
{sections}
</div>
{closing}
</main>
<footer class="site-footer"><div class="wrap">
{credit}{updated}<p><a href="{index}">{escape(labels["all_exercises"])}</a></p>
</div></footer>{_player_script(exercise)}"""
    return _page(
        lang=exercise.lang,
        title=exercise.title,
        description=exercise.description,
        canonical=canonical,
        head=script,
        body=body,
        policy=_PAGE_POLICY,
        social=social_meta(
            kind="article",
            title=exercise.title,
            description=exercise.description,
            url=canonical,
            lang=exercise.lang,
            image=_share_image(exercise, canonical),
            brand=brand,
        ),
        brand=brand,
    )


def index_page(
    entries: Sequence[IndexEntry],
    catalogue_url: str,
    script: str,
    *,
    lang: str = "en",
    languages: Sequence[tuple[str, str]] = (),
    overrides: Overrides | None = None,
    brand: BrandSettings | None = None,
    found: Sequence[Facet] | None = None,
) -> str:
    """The catalogue page at URL ``catalogue_url``: every exercise with its description and a
    link to its page, and a link to the catalogue page of each of the other ``languages``
    (a tag and its URL); its own words in ``lang`` (``overrides``, the labels setting,
    first). With scripts, a search form over the exercises and filters by their ``found``
    facets (worked out from ``entries`` when not given) find among them."""
    labels = labels_for(lang, overrides)
    switcher = _languages(catalogue_url, languages, labels["other_languages"])
    cards = "".join(
        f'<li><h2><a href="{escape(relative_link(catalogue_url, e.url))}">'
        f"{escape(e.title)}</a></h2>"
        f'<p>{escape(e.description)}</p><p class="tag">{e.summary(labels)}</p></li>'
        for e in entries
    )
    name = escape(labels["exercises"])
    description = f"{labels.count('guides', len(entries))}."
    if found is None:
        found = facets(entries)
    finder = finder_form(found, labels, DATA_FILE) if entries else ""
    extras = finder_extras(labels) if entries else ""
    body = f"""<header class="hero hero-index">
<div class="wrap">
<p class="brand">{escape(_brand_name(brand, labels))}</p>
<h1>{name}</h1>
<p class="lede">{escape(description)}</p>
{switcher}</div>
</header>
<main class="wrap">
{finder}<ul class="grid" id="exercises">{cards}</ul>
{extras}</main>"""
    return _page(
        lang=lang,
        title=labels["exercises"],
        description=description,
        canonical=catalogue_url,
        head=script,
        body=body,
        policy=_INDEX_POLICY,
        social=social_meta(
            kind="website",
            title=labels["exercises"],
            description=description,
            url=catalogue_url,
            lang=lang,
            brand=brand,
        ),
        brand=brand,
    )
