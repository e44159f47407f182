"""The schema.org JSON-LD of an exercise page, and its serialisation that is safe inside HTML.

Everything here is a pure function of (exercise, settings): the same seed and settings give the
same document, and every ``@id`` is derived from the page URL.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from json.encoder import encode_basestring as _string
from typing import Any

from pipeline.config import Settings
from pipeline.i18n.labels import Labels, labels_for
from pipeline.model import Exercise, Item, Prescription
from pipeline.urls import check_base_url as check_base_url
from pipeline.urls import index_url, version_url
from pipeline.urls import page_url as page_url
from pipeline.video_times import iso_duration

SCHEMA_CONTEXT = "https://schema.org"

Node = dict[str, Any]

# In a JSON string these may appear raw; escaped they can never close a <script>, open an
# HTML comment, start a character reference, or end a JavaScript line.
_SCRIPT_UNSAFE = str.maketrans(
    {
        "<": "\\u003c",
        ">": "\\u003e",
        "&": "\\u0026",
        "\u2028": "\\u2028",
        "\u2029": "\\u2029",
    }
)


def exercise_document(exercise: Exercise, settings: Settings) -> Node:
    """The JSON-LD document of one exercise: a ``@graph`` of its WebPage, BreadcrumbList,
    HowTo and, when the video's upload date is known, VideoObject. Its fixed words (the
    breadcrumb's first name, the name of an unlabelled mistake) are in the exercise's
    language, the labels setting first; the breadcrumb starts at that language's index page,
    where the page's own breadcrumb links."""
    labels = labels_for(exercise.lang, settings.labels)
    index = index_url(exercise.lang, settings)
    page = page_url(exercise, settings)
    webpage: Node = {
        "@type": "WebPage",
        "@id": f"{page}#webpage",
        "url": page,
        "name": exercise.title,
        "description": exercise.description,
        "inLanguage": exercise.lang,
        "breadcrumb": {"@id": f"{page}#breadcrumb"},
        "mainEntity": {"@id": f"{page}#howto"},
    }
    if exercise.images:
        webpage["primaryImageOfPage"] = {"@id": f"{page}#picture-1"}
    if exercise.updated:
        webpage["dateModified"] = exercise.updated.isoformat()
    breadcrumb: Node = {
        "@type": "BreadcrumbList",
        "@id": f"{page}#breadcrumb",
        "itemListElement": [
            {"@type": "ListItem", "position": 1, "name": labels["exercises"], "item": index},
            {"@type": "ListItem", "position": 2, "name": exercise.title, "item": page},
        ],
    }
    video = video_object(exercise, page)
    graph = [webpage, breadcrumb, _howto(exercise, page, settings, labels, video is not None)]
    if video is not None:
        graph.append(video)
    return {"@context": SCHEMA_CONTEXT, "@graph": graph}


def _howto(
    exercise: Exercise, page: str, settings: Settings, labels: Labels, with_video: bool
) -> Node:
    """The HowTo node: what it is, how it is described, what it uses and works, its video
    and its steps, in that order of properties."""
    howto = _howto_identity(exercise, page)
    howto.update(_howto_translations(exercise, settings))
    howto.update(_howto_descriptors(exercise, labels))
    if exercise.images:
        howto["image"] = image_objects(exercise, page, settings)
    howto.update(_howto_tools_and_muscles(exercise))
    howto.update(_howto_credit(exercise))
    if settings.exercise_plan:
        howto.update(exercise_plan(exercise, labels))
    if with_video:
        howto["video"] = {"@id": f"{page}#video"}
    howto["step"] = _howto_steps(exercise, page, labels, with_video)
    return howto


def _howto_identity(exercise: Exercise, page: str) -> Node:
    """The HowTo's type, ``@id``, name, description, language and the page it is the main
    entity of: the properties every HowTo has."""
    return {
        "@type": "HowTo",
        "@id": f"{page}#howto",
        "name": exercise.title,
        "description": exercise.description,
        "inLanguage": exercise.lang,
        "mainEntityOfPage": {"@id": f"{page}#webpage"},
    }


def _howto_translations(exercise: Exercise, settings: Settings) -> Node:
    """How the HowTo is tied to its other language versions: the original names each
    translation (``workTranslation``), a translation names the original
    (``translationOfWork``)."""
    original = next((t for t in exercise.translations if t.original), None)
    if original is not None:
        url = version_url(original.slug, original.lang, settings)
        return {"translationOfWork": {"@id": f"{url}#howto"}}
    if exercise.translations:
        urls = [version_url(t.slug, t.lang, settings) for t in exercise.translations]
        return {"workTranslation": [{"@id": f"{url}#howto"} for url in urls]}
    return {}


def _howto_descriptors(exercise: Exercise, labels: Labels) -> Node:
    """The optional properties describing the HowTo (other names, date modified, level),
    each present only when the seed gives it."""
    descriptors: Node = {}
    if exercise.aliases:
        descriptors["alternateName"] = list(exercise.aliases)
    if exercise.updated:
        descriptors["dateModified"] = exercise.updated.isoformat()
    if exercise.level:
        descriptors["educationalLevel"] = labels[exercise.level.value]
    return descriptors


def _howto_tools_and_muscles(exercise: Exercise) -> Node:
    """The equipment the exercise uses as HowToTools, what it uses up as HowToSupplies, the
    time it takes as the ``totalTime``, and the muscles it works as what the HowTo is about,
    each present only when the seed gives it."""
    subjects: Node = {}
    if exercise.equipment:
        subjects["tool"] = [{"@type": "HowToTool", "name": name} for name in exercise.equipment]
    if exercise.supplies:
        subjects["supply"] = [{"@type": "HowToSupply", "name": n} for n in exercise.supplies]
    prescription = exercise.prescription
    if prescription is not None and prescription.time_seconds is not None:
        subjects["totalTime"] = iso_duration(prescription.time_seconds)
    if exercise.muscles:
        subjects["about"] = [{"@type": "Muscle", "name": name} for name in exercise.muscles]
    return subjects


def exercise_plan(exercise: Exercise, labels: Labels) -> Node:
    """What makes the HowTo also an ``ExercisePlan`` (health-lifesci): its second type and
    the prescription's ``repetitions`` (a number, or a range as a QuantitativeValue),
    ``restPeriods`` (in seconds), ``activityDuration``, the sets and tempo as
    ``additionalVariable`` text, and the category as ``exerciseType``; nothing when the seed
    gives no sets, reps or rest."""
    plan = exercise.prescription
    if plan is None or (plan.sets, plan.reps_max, plan.rest_seconds) == (None, None, None):
        return {}
    node: Node = {"@type": ["HowTo", "ExercisePlan"]}
    if exercise.category:
        node["exerciseType"] = exercise.category
    node.update(_plan_numbers(plan))
    variables = [labels.count("sets", plan.sets)] if plan.sets is not None else []
    if plan.tempo is not None:
        variables.append(labels.text("tempo", tempo=plan.tempo))
    if variables:
        node["additionalVariable"] = variables
    return node


def _plan_numbers(plan: Prescription) -> Node:
    """The ExercisePlan's quantities: repetitions, rest periods and duration, those given."""
    node: Node = {}
    low, high = plan.reps_min, plan.reps_max
    if low is not None and high is not None:
        node["repetitions"] = (
            low
            if low == high
            else {"@type": "QuantitativeValue", "minValue": low, "maxValue": high}
        )
    if plan.rest_seconds is not None:
        rest = {"@type": "QuantitativeValue", "value": plan.rest_seconds, "unitCode": "SEC"}
        node["restPeriods"] = rest
    if plan.time_seconds is not None:
        node["activityDuration"] = iso_duration(plan.time_seconds)
    return node


def _howto_credit(exercise: Exercise) -> Node:
    """Whose text it is and on what terms: ``author`` (a Person, with the page the seed gives
    for them), ``license`` (the address of its terms) and ``isBasedOn`` (the source)."""
    credit = exercise.credit
    if credit is None:
        return {}
    node: Node = {}
    if credit.author:
        author: Node = {"@type": "Person", "name": credit.author}
        if credit.author_url:
            author["url"] = credit.author_url
        node["author"] = author
    if credit.license_url:
        node["license"] = credit.license_url
    if credit.source_url:
        node["isBasedOn"] = credit.source_url
    return node


def image_objects(exercise: Exercise, page: str, settings: Settings) -> list[Node]:
    """The exercise's pictures as ImageObjects, in seed order, each with the ``@id`` of its
    figure on the page: its address (a local picture's where the html exporter publishes
    it), caption, and the credit Google Images shows (``creator``, ``creditText``,
    ``license``, ``acquireLicensePage``)."""
    from pipeline.urls import picture_urls

    nodes = []
    for number, (picture, url) in enumerate(
        zip(exercise.images, picture_urls(exercise, settings), strict=True), start=1
    ):
        node: Node = {"@type": "ImageObject", "@id": f"{page}#picture-{number}"}
        node["contentUrl"] = url
        if picture.caption or picture.alt:
            node["caption"] = picture.caption or picture.alt
        credit = picture.credit
        if credit is not None:
            if credit.author:
                creator: Node = {"@type": "Person", "name": credit.author}
                if credit.author_url:
                    creator["url"] = credit.author_url
                node["creator"] = creator
                node["creditText"] = credit.author
            if credit.license_url:
                node["license"] = credit.license_url
            if credit.source_url:
                node["acquireLicensePage"] = credit.source_url
        nodes.append(node)
    return nodes


def _howto_steps(
    exercise: Exercise, page: str, labels: Labels, with_video: bool = False
) -> list[Node]:
    """The HowToStep nodes, numbered from 1, each with the key moment of the video that
    shows it (when the video is marked up), the tips and mistakes inside the last one."""
    steps: list[Node] = []
    for number, step in enumerate(exercise.howto, start=1):
        node: Node = {
            "@type": "HowToStep",
            "@id": f"{page}#step-{number}",
            "position": number,
            "name": step.name,
            "text": step.text,
            "url": f"{page}#step-{number}",
        }
        if with_video and step.video_time is not None:
            node["video"] = {"@id": f"{page}#clip-{number}"}
        steps.append(node)
    tips = tip_nodes(exercise, page, labels)
    if steps and tips:
        # Google reads HowToTip only inside a step's itemListElement; the tips and mistakes
        # follow the steps on the page, so they go with the last step (see docs/jsonld.md).
        steps[-1]["itemListElement"] = tips
    return steps


def tip_nodes(exercise: Exercise, page: str, labels: Labels | None = None) -> list[Node]:
    """The seed's tips and common mistakes as HowToTip nodes, with ``@id``s that are the page's
    ``#tip-N`` and ``#mistake-N`` anchors; ``labels`` (default: the exercise's language's)
    name an unlabelled mistake."""
    nodes = [_tip(item, f"{page}#tip-{n}", item.label) for n, item in enumerate(exercise.tips, 1)]
    if exercise.mistakes:
        # A mistake's text alone ("Lifting hips off the pad.") would read as advice, so an
        # unlabelled one is named by its section's heading, which the page shows above it.
        heading = (labels or labels_for(exercise.lang))["mistakes"]
        nodes.extend(
            _tip(item, f"{page}#mistake-{n}", item.label or heading)
            for n, item in enumerate(exercise.mistakes, 1)
        )
    return nodes


def _tip(item: Item, node_id: str, name: str | None) -> Node:
    node: Node = {"@type": "HowToTip", "@id": node_id}
    if name:
        node["name"] = name
    node["text"] = item.text
    return node


def video_object(exercise: Exercise, page: str) -> Node | None:
    """The VideoObject of the exercise's video, or None when there is no video or its upload
    date is unknown (Google requires ``uploadDate``)."""
    if not exercise.video_id or exercise.video_uploaded is None:
        return None
    video: Node = {
        "@type": "VideoObject",
        "@id": f"{page}#video",
        "name": exercise.title,
        "description": exercise.description,
        "thumbnailUrl": thumbnail_url(exercise.video_id),
        "uploadDate": exercise.video_uploaded.isoformat(),
        # No contentUrl: Google reads it as the media file itself, which YouTube does not
        # publish; its watch page is the url, its player the embedUrl.
        "embedUrl": embed_url(exercise.video_id),
        "url": exercise.video_url,
        "inLanguage": exercise.lang,
    }
    if exercise.video_duration is not None:
        video["duration"] = iso_duration(exercise.video_duration)
    clips = key_moments(exercise, page)
    if clips:
        video["hasPart"] = clips
    return video


def key_moments(exercise: Exercise, page: str) -> list[Node]:
    """A ``Clip`` for each howto step that gives its time in the video: its name, where it
    starts and ends (where the next timed step starts, or the video's end when its duration
    is known), and the video's address at that time."""
    timed = [(n, s) for n, s in enumerate(exercise.howto, 1) if s.video_time is not None]
    clips = []
    for index, (number, step) in enumerate(timed):
        assert step.video_time is not None
        clip: Node = {
            "@type": "Clip",
            "@id": f"{page}#clip-{number}",
            "name": step.name,
            "startOffset": step.video_time,
        }
        end = timed[index + 1][1].video_time if index + 1 < len(timed) else None
        end = end if end is not None else exercise.video_duration
        if end is not None:
            clip["endOffset"] = end
        clip["url"] = seek_url(exercise, step.video_time)
        clips.append(clip)
    return clips


def seek_url(exercise: Exercise, seconds: int) -> str:
    """The video's watch address, starting at ``seconds``."""
    return f"{exercise.video_url}&t={seconds}s"


def thumbnail_url(video_id: str) -> str:
    """The YouTube thumbnail of a video, as Google reads it (480 by 360)."""
    return f"https://i.ytimg.com/vi/{video_id}/hqdefault.jpg"


def embed_url(video_id: str) -> str:
    """The YouTube embed URL of a video."""
    return f"https://www.youtube.com/embed/{video_id}"


def catalogue_document(
    pages: Sequence[tuple[str, str]],
    settings: Settings,
    *,
    url: str | None = None,
    lang: str | None = None,
) -> Node:
    """The JSON-LD of a catalogue page (``url``, by default ``base_url``): a CollectionPage
    whose main entity is the list of exercise pages (title, page URL), in the order given,
    named in ``lang`` (default: the default_lang setting)."""
    base_url = url or check_base_url(settings)
    lang = lang or settings.default_lang
    labels = labels_for(lang, settings.labels)
    return {
        "@context": SCHEMA_CONTEXT,
        "@graph": [
            {
                "@type": "CollectionPage",
                "@id": f"{base_url}#webpage",
                "url": base_url,
                "name": labels["exercises"],
                "inLanguage": lang,
                "mainEntity": {"@id": f"{base_url}#exercises"},
            },
            {
                "@type": "ItemList",
                "@id": f"{base_url}#exercises",
                "numberOfItems": len(pages),
                "itemListElement": [
                    {"@type": "ListItem", "position": number, "name": title, "url": url}
                    for number, (title, url) in enumerate(pages, start=1)
                ],
            },
        ],
    }


def dumps_script_safe(document: object) -> str:
    """``document`` as indented JSON in which ``<``, ``>``, ``&``, U+2028 and U+2029 are
    ``\\u`` escapes, so the text can sit inside a ``<script>`` element whatever it holds."""
    # Those characters only ever occur inside JSON strings, where \\uXXXX means the same.
    return indented_json(document).translate(_SCRIPT_UNSAFE)


def indented_json(document: object) -> str:
    """``json.dumps(document, indent=2, ensure_ascii=False)``, the same text, faster: the
    standard encoder, once indented, is its Python version, which took a sixth of a second
    for an index's ten thousand entries. Anything but dicts with text keys, lists, tuples,
    text, numbers, booleans and ``None`` goes to ``json.dumps``."""
    chunks: list[str] = []
    try:
        _indented(document, chunks, "\n")
    except TypeError:
        return json.dumps(document, indent=2, ensure_ascii=False)
    return "".join(chunks)


def _indented(value: object, chunks: list[str], newline: str) -> None:
    """Append ``value`` as indented JSON; ``newline`` is a line break and the indent of the
    line ``value`` is on."""
    kind = type(value)
    if kind is str:
        chunks.append(_string(value))  # type: ignore[arg-type]
    elif kind is dict:
        _indented_object(value, chunks, newline)  # type: ignore[arg-type]
    elif kind is list or kind is tuple:
        _indented_array(value, chunks, newline)  # type: ignore[arg-type]
    elif value is None or kind is bool or kind is int or kind is float:
        chunks.append(json.dumps(value))
    else:
        raise TypeError(kind)


def _indented_object(value: dict[object, object], chunks: list[str], newline: str) -> None:
    if not value:
        chunks.append("{}")
        return
    inner = newline + "  "
    separator = "{" + inner
    for key, item in value.items():
        if type(key) is not str:
            raise TypeError(type(key))
        chunks.append(f"{separator}{_string(key)}: ")
        _indented(item, chunks, inner)
        separator = "," + inner
    chunks.append(newline + "}")


def _indented_array(value: Sequence[object], chunks: list[str], newline: str) -> None:
    if not value:
        chunks.append("[]")
        return
    inner = newline + "  "
    separator = "[" + inner
    for item in value:
        chunks.append(separator)
        _indented(item, chunks, inner)
        separator = "," + inner
    chunks.append(newline + "]")


def script_element(document: object) -> str:
    """The ``<script type="application/ld+json">`` element holding ``document``."""
    return wrap_script(dumps_script_safe(document))


def wrap_script(script_safe_json: str) -> str:
    """The script element around JSON already made safe by :func:`dumps_script_safe`."""
    return f'<script type="application/ld+json">\n{script_safe_json}\n</script>'
