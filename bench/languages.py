"""German and Russian versions of the generated seeds, written from native sentence pools.

:func:`bench.corpus.build_corpus` with ``languages`` writes, beside each English seed, its
translations: ``slug.de.md`` and ``slug.ru.md``, or, for about a tenth of them, a file named
after the translated title with ``translation_of: <slug>``, as multilingual collections hold
them. Nothing here is machine-translated English: a title is made from a small vocabulary
of movements, positions and equipment (``Bizepscurl stehend mit Langhantel``, ``Сгибание рук
на бицепс стоя со штангой``), or, for a name the vocabulary does not cover, is the English
name with a native prefix (``Übung: Atlas Stones``); the steps, tips, mistakes and closing
notes are drawn from pools written in each language. The frontmatter keeps what does not
depend on the language (the video, its upload date, the level).

Written for this project; no outside source.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field

from pipeline.slugs import slugify

Phrase = tuple[str, str]
"""A list item as (label, text)."""


@dataclass(frozen=True)
class Steps:
    """The sentences of one kind of exercise (with a load, or a stretch), by phase."""

    setup: tuple[Phrase, ...]
    start: tuple[Phrase, ...]
    move: tuple[Phrase, ...]
    hold: tuple[Phrase, ...]
    back: tuple[Phrase, ...]


@dataclass(frozen=True)
class Language:
    """What a seed in one language is written from."""

    tag: str
    headings: tuple[str, str, str, str]
    """Setup, Execution, Tips, Common Mistakes, as ``pipeline/i18n/headings.toml`` names them."""
    movements: tuple[tuple[tuple[str, ...], str], ...]
    """(words all in the English name, the movement's name); the first match wins. A name
    may hold ``{muscle}``, filled with the first muscle's title form."""
    positions: tuple[tuple[tuple[str, ...], str], ...]
    equipment: dict[str, Phrase]
    """free-exercise-db equipment -> (the frontmatter word, the phrase a title ends with)."""
    muscles: dict[str, tuple[str, str, str]]
    """free-exercise-db muscle -> (frontmatter word, in a description, in a title)."""
    whole_body: str
    categories: dict[str, str]
    descriptions: tuple[str, ...]
    """Templates with ``{muscles}`` (the description form of the first one or two)."""
    fallback: str
    """A title for a name the vocabulary does not cover, with ``{name}``."""
    variant: str
    """A title for the n-th variation, with ``{title}`` and ``{n}``."""
    strength: Steps
    stretch: Steps
    tips: tuple[Phrase, ...]
    mistakes: tuple[str, ...]
    outros: tuple[str, ...]
    joiner: str = field(default=" und ")


GERMAN = Language(
    tag="de",
    headings=("Vorbereitung", "Ausführung", "Tipps", "Häufige Fehler"),
    movements=(
        (("smr",), "Faszienrolle für {muscle}"),
        (("stretch",), "Dehnung für {muscle}"),
        (("good", "morning"), "Good Morning"),
        (("romanian", "deadlift"), "Rumänisches Kreuzheben"),
        (("stiff", "legged"), "Kreuzheben mit gestreckten Beinen"),
        (("deadlift",), "Kreuzheben"),
        (("front", "squat"), "Frontkniebeuge"),
        (("split", "squat"), "Split-Kniebeuge"),
        (("squat",), "Kniebeuge"),
        (("lunge",), "Ausfallschritt"),
        (("bench", "press"), "Bankdrücken"),
        (("leg", "press"), "Beinpresse"),
        (("shoulder", "press"), "Schulterdrücken"),
        (("military", "press"), "Schulterdrücken"),
        (("overhead", "press"), "Überkopfdrücken"),
        (("floor", "press"), "Bodendrücken"),
        (("push", "press"), "Stoßdrücken"),
        (("press",), "Drücken"),
        (("leg", "curl"), "Beinbeuger"),
        (("hamstring", "curl"), "Beinbeuger"),
        (("wrist", "curl"), "Handgelenkcurl"),
        (("hammer", "curl"), "Hammercurl"),
        (("preacher", "curl"), "Scottcurl"),
        (("curl",), "Bizepscurl"),
        (("upright", "row"), "Aufrechtes Rudern"),
        (("row",), "Rudern"),
        (("lateral", "raise"), "Seitheben"),
        (("front", "raise"), "Frontheben"),
        (("calf", "raise"), "Wadenheben"),
        (("leg", "raise"), "Beinheben"),
        (("raise",), "Armheben"),
        (("triceps", "extension"), "Trizepsstrecken"),
        (("tricep", "extension"), "Trizepsstrecken"),
        (("leg", "extension"), "Beinstrecker"),
        (("back", "extension"), "Rückenstrecken"),
        (("hip", "extension"), "Hüftstrecken"),
        (("extension",), "Strecken"),
        (("pushdown",), "Trizepsdrücken"),
        (("pulldown",), "Latziehen"),
        (("pullover",), "Überzüge"),
        (("chin", "up"), "Klimmzug im Untergriff"),
        (("pullup",), "Klimmzug"),
        (("pull", "up"), "Klimmzug"),
        (("pushup",), "Liegestütz"),
        (("push", "up"), "Liegestütz"),
        (("fly",), "Fliegende"),
        (("shrug",), "Schulterheben"),
        (("hang", "clean"), "Umsetzen aus dem Hang"),
        (("clean",), "Umsetzen"),
        (("snatch",), "Reißen"),
        (("jerk",), "Ausstoßen"),
        (("box", "jump"), "Kastensprung"),
        (("jump",), "Sprung"),
        (("dip",), "Dips"),
        (("glute", "bridge"), "Beckenheben"),
        (("bridge",), "Brücke"),
        (("crunch",), "Crunch"),
        (("sit", "up"), "Sit-up"),
        (("twist",), "Rumpfdrehung"),
        (("plank",), "Unterarmstütz"),
        (("kickback",), "Kickback"),
    ),
    positions=(
        (("standing",), "stehend"),
        (("seated",), "sitzend"),
        (("lying",), "liegend"),
        (("incline",), "auf der Schrägbank"),
        (("decline",), "auf der Negativbank"),
        (("one", "arm"), "einarmig"),
        (("single", "arm"), "einarmig"),
        (("one", "leg"), "einbeinig"),
        (("single", "leg"), "einbeinig"),
        (("alternating",), "im Wechsel"),
        (("alternate",), "im Wechsel"),
        (("bent", "over"), "vorgebeugt"),
        (("close", "grip"), "mit engem Griff"),
        (("wide", "grip"), "mit breitem Griff"),
        (("reverse", "grip"), "im Untergriff"),
    ),
    equipment={
        "barbell": ("Langhantel", "mit Langhantel"),
        "dumbbell": ("Kurzhanteln", "mit Kurzhanteln"),
        "cable": ("Kabelzug", "am Kabelzug"),
        "machine": ("Maschine", "an der Maschine"),
        "kettlebells": ("Kettlebell", "mit Kettlebell"),
        "bands": ("Widerstandsband", "mit Widerstandsband"),
        "medicine ball": ("Medizinball", "mit Medizinball"),
        "exercise ball": ("Gymnastikball", "auf dem Gymnastikball"),
        "foam roll": ("Faszienrolle", ""),
        "e-z curl bar": ("SZ-Stange", "mit SZ-Stange"),
        "body only": ("Eigengewicht", "mit Eigengewicht"),
        "other": ("Sonstiges", ""),
    },
    muscles={
        "abdominals": ("Bauchmuskeln", "die Bauchmuskeln", "die Bauchmuskeln"),
        "abductors": ("Abduktoren", "die Abduktoren", "die Abduktoren"),
        "adductors": ("Adduktoren", "die Adduktoren", "die Adduktoren"),
        "biceps": ("Bizeps", "den Bizeps", "den Bizeps"),
        "calves": ("Waden", "die Waden", "die Waden"),
        "chest": ("Brust", "die Brustmuskulatur", "die Brust"),
        "forearms": ("Unterarme", "die Unterarme", "die Unterarme"),
        "glutes": ("Gesäß", "die Gesäßmuskulatur", "das Gesäß"),
        "hamstrings": ("Beinbeuger", "die hintere Oberschenkelmuskulatur", "die Beinbeuger"),
        "lats": ("Latissimus", "den breiten Rückenmuskel", "den Latissimus"),
        "lower back": ("Unterer Rücken", "den unteren Rücken", "den unteren Rücken"),
        "middle back": ("Mittlerer Rücken", "den mittleren Rücken", "den mittleren Rücken"),
        "neck": ("Nacken", "den Nacken", "den Nacken"),
        "quadriceps": ("Quadrizeps", "den Quadrizeps", "den Quadrizeps"),
        "shoulders": ("Schultern", "die Schultern", "die Schultern"),
        "traps": ("Trapezmuskel", "den Trapezmuskel", "den Trapezmuskel"),
        "triceps": ("Trizeps", "den Trizeps", "den Trizeps"),
    },
    whole_body="den ganzen Körper",
    categories={
        "strength": "Kraft",
        "stretching": "Dehnung",
        "plyometrics": "Plyometrie",
        "powerlifting": "Kraftdreikampf",
        "olympic weightlifting": "Gewichtheben",
        "strongman": "Strongman",
        "cardio": "Ausdauer",
    },
    descriptions=(
        "Diese Übung trainiert gezielt {muscles}.",
        "Eine Übung für {muscles}, die sich gut in jeden Trainingsplan einfügt.",
        "Schritt für Schritt erklärt, mit Tipps und typischen Fehlern: So trainieren Sie "
        "{muscles} wirkungsvoll.",
        "Kräftigt {muscles} und schult eine saubere Technik.",
    ),
    fallback="Übung: {name}",
    variant="{title} (Variante {n})",
    strength=Steps(
        setup=(
            (
                "Gewicht wählen",
                "Wählen Sie ein Gewicht, das Sie über alle Wiederholungen sauber bewegen können.",
            ),
            ("Aufwärmen", "Machen Sie zuerst einen leichten Satz, um die Gelenke vorzubereiten."),
            (
                "Stand finden",
                "Stellen Sie die Füße etwa hüftbreit auf und verteilen Sie das "
                "Gewicht gleichmäßig.",
            ),
            (
                "Gerät einstellen",
                "Stellen Sie Sitz und Polster so ein, dass die Gelenke auf "
                "einer Linie mit dem Drehpunkt liegen.",
            ),
        ),
        start=(
            (
                "Ausgangsposition",
                "Spannen Sie Bauch und Gesäß an und bringen Sie den Körper in "
                "eine stabile Ausgangsposition.",
            ),
            ("Griff festigen", "Greifen Sie fest zu; die Handgelenke bleiben gerade."),
            (
                "Rücken gerade",
                "Ziehen Sie die Schulterblätter leicht zusammen und halten Sie den Rücken gerade.",
            ),
        ),
        move=(
            (
                "Bewegung ausführen",
                "Führen Sie die Bewegung langsam und kontrolliert aus, ohne Schwung zu holen.",
            ),
            (
                "Zielmuskeln arbeiten",
                "Bewegen Sie das Gewicht allein mit der Kraft der "
                "Zielmuskulatur, auf einer gleichmäßigen Bahn.",
            ),
            ("Ausatmen", "Atmen Sie aus, während Sie das Gewicht bewegen."),
        ),
        hold=(
            (
                "Kurz halten",
                "Halten Sie am Endpunkt kurz inne und spannen Sie die Muskulatur bewusst an.",
            ),
            ("Spannung halten", "Bleiben Sie auch am Umkehrpunkt unter Spannung."),
        ),
        back=(
            ("Zurückführen", "Führen Sie das Gewicht langsam in die Ausgangsposition zurück."),
            ("Absenken", "Senken Sie das Gewicht in drei Sekunden ab und atmen Sie dabei ein."),
            (
                "Wiederholen",
                "Wiederholen Sie die Bewegung für die geplante Anzahl an Wiederholungen.",
            ),
        ),
    ),
    stretch=Steps(
        setup=(
            ("Aufwärmen", "Dehnen Sie nur aufgewärmte Muskeln, etwa nach dem Training."),
            ("Platz schaffen", "Suchen Sie sich eine ebene Fläche mit genug Platz."),
        ),
        start=(
            ("Position einnehmen", "Bringen Sie den Körper ruhig in die Ausgangsposition."),
            ("Aufrichten", "Richten Sie den Oberkörper auf und lassen Sie die Schultern locker."),
        ),
        move=(
            (
                "In die Dehnung",
                "Gehen Sie langsam in die Dehnung, bis Sie einen deutlichen, aber "
                "angenehmen Zug spüren.",
            ),
            (
                "Langsam rollen",
                "Bewegen Sie sich langsam und verweilen Sie an empfindlichen Stellen.",
            ),
        ),
        hold=(
            ("Halten", "Halten Sie die Position 20 bis 30 Sekunden und atmen Sie ruhig weiter."),
        ),
        back=(
            ("Lösen", "Lösen Sie die Dehnung langsam und wechseln Sie dann die Seite."),
            ("Wiederholen", "Wiederholen Sie die Dehnung zwei- bis dreimal."),
        ),
    ),
    tips=(
        ("Tempo kontrollieren", "Zwei Sekunden nach oben, drei Sekunden nach unten."),
        ("Atmung", "Bei der Anstrengung ausatmen, beim Zurückführen einatmen."),
        ("Rumpf anspannen", "Halten Sie die Bauchmuskeln während der ganzen Bewegung fest."),
        ("Aufwärmen", "Ein leichter Satz vorweg bereitet die Gelenke vor."),
        ("Voller Bewegungsumfang", "Nutzen Sie den ganzen Weg, den Sie kontrollieren können."),
        ("Neutraler Nacken", "Halten Sie den Kopf in Verlängerung der Wirbelsäule."),
    ),
    mistakes=(
        "Mit Schwung statt mit Muskelkraft arbeiten.",
        "Den unteren Rücken ins Hohlkreuz fallen lassen.",
        "Das Gewicht zu schnell absenken.",
        "Die Gelenke am Ende jeder Wiederholung hart durchdrücken.",
        "Während des ganzen Satzes die Luft anhalten.",
        "Ein zu hohes Gewicht wählen und dabei die Technik vernachlässigen.",
    ),
    outros=(
        "Üben Sie mit wenig Gewicht, bis sich die Bewegung natürlich anfühlt.",
        "Brechen Sie bei stechenden Schmerzen ab und lassen Sie Ihre Technik von einem "
        "Trainer prüfen.",
    ),
)

RUSSIAN = Language(
    tag="ru",
    headings=("Подготовка", "Выполнение", "Советы", "Частые ошибки"),
    movements=(
        (("smr",), "Самомассаж {muscle} на ролике"),
        (("stretch",), "Растяжка {muscle}"),
        (("good", "morning"), "Гуд монинг"),
        (("romanian", "deadlift"), "Румынская тяга"),
        (("stiff", "legged"), "Становая тяга на прямых ногах"),
        (("deadlift",), "Становая тяга"),
        (("front", "squat"), "Фронтальные приседания"),
        (("split", "squat"), "Сплит-приседания"),
        (("squat",), "Приседания"),
        (("lunge",), "Выпады"),
        (("bench", "press"), "Жим лёжа"),
        (("leg", "press"), "Жим ногами"),
        (("shoulder", "press"), "Жим на плечи"),
        (("military", "press"), "Армейский жим"),
        (("overhead", "press"), "Жим над головой"),
        (("floor", "press"), "Жим лёжа на полу"),
        (("push", "press"), "Жимовой швунг"),
        (("press",), "Жим"),
        (("leg", "curl"), "Сгибание ног"),
        (("hamstring", "curl"), "Сгибание ног"),
        (("wrist", "curl"), "Сгибание запястий"),
        (("hammer", "curl"), "Молотковые сгибания"),
        (("preacher", "curl"), "Сгибание рук на скамье Скотта"),
        (("curl",), "Сгибание рук на бицепс"),
        (("upright", "row"), "Тяга к подбородку"),
        (("row",), "Тяга"),
        (("lateral", "raise"), "Разведение рук в стороны"),
        (("front", "raise"), "Подъём рук перед собой"),
        (("calf", "raise"), "Подъём на носки"),
        (("leg", "raise"), "Подъём ног"),
        (("raise",), "Подъём рук"),
        (("triceps", "extension"), "Разгибание рук на трицепс"),
        (("tricep", "extension"), "Разгибание рук на трицепс"),
        (("leg", "extension"), "Разгибание ног"),
        (("back", "extension"), "Гиперэкстензия"),
        (("hip", "extension"), "Разгибание бедра"),
        (("extension",), "Разгибание"),
        (("pushdown",), "Разгибание рук на блоке"),
        (("pulldown",), "Тяга верхнего блока"),
        (("pullover",), "Пуловер"),
        (("chin", "up"), "Подтягивания обратным хватом"),
        (("pullup",), "Подтягивания"),
        (("pull", "up"), "Подтягивания"),
        (("pushup",), "Отжимания"),
        (("push", "up"), "Отжимания"),
        (("fly",), "Разведение рук"),
        (("shrug",), "Шраги"),
        (("hang", "clean"), "Взятие на грудь с виса"),
        (("clean",), "Взятие на грудь"),
        (("snatch",), "Рывок"),
        (("jerk",), "Толчок"),
        (("box", "jump"), "Запрыгивания на тумбу"),
        (("jump",), "Прыжки"),
        (("dip",), "Отжимания на брусьях"),
        (("glute", "bridge"), "Ягодичный мостик"),
        (("bridge",), "Мостик"),
        (("crunch",), "Скручивания"),
        (("sit", "up"), "Подъёмы корпуса"),
        (("twist",), "Повороты корпуса"),
        (("plank",), "Планка"),
        (("kickback",), "Кикбэк"),
    ),
    positions=(
        (("standing",), "стоя"),
        (("seated",), "сидя"),
        (("lying",), "лёжа"),
        (("incline",), "на наклонной скамье"),
        (("decline",), "на скамье с отрицательным наклоном"),
        (("one", "arm"), "одной рукой"),
        (("single", "arm"), "одной рукой"),
        (("one", "leg"), "на одной ноге"),
        (("single", "leg"), "на одной ноге"),
        (("alternating",), "попеременно"),
        (("alternate",), "попеременно"),
        (("bent", "over"), "в наклоне"),
        (("close", "grip"), "узким хватом"),
        (("wide", "grip"), "широким хватом"),
        (("reverse", "grip"), "обратным хватом"),
    ),
    equipment={
        "barbell": ("Штанга", "со штангой"),
        "dumbbell": ("Гантели", "с гантелями"),
        "cable": ("Блочный тренажёр", "на блоке"),
        "machine": ("Тренажёр", "в тренажёре"),
        "kettlebells": ("Гиря", "с гирей"),
        "bands": ("Резиновая петля", "с резиновой петлёй"),
        "medicine ball": ("Медбол", "с медболом"),
        "exercise ball": ("Фитбол", "на фитболе"),
        "foam roll": ("Массажный ролик", ""),
        "e-z curl bar": ("EZ-гриф", "с EZ-грифом"),
        "body only": ("Собственный вес", "с собственным весом"),
        "other": ("Другое", ""),
    },
    muscles={
        "abdominals": ("Пресс", "мышцы пресса", "мышц пресса"),
        "abductors": ("Отводящие мышцы бедра", "отводящие мышцы бедра", "отводящих мышц бедра"),
        "adductors": ("Приводящие мышцы бедра", "приводящие мышцы бедра", "приводящих мышц бедра"),
        "biceps": ("Бицепс", "бицепс", "бицепса"),
        "calves": ("Икры", "икроножные мышцы", "икроножных мышц"),
        "chest": ("Грудь", "грудные мышцы", "грудных мышц"),
        "forearms": ("Предплечья", "предплечья", "предплечий"),
        "glutes": ("Ягодицы", "ягодичные мышцы", "ягодичных мышц"),
        "hamstrings": ("Бицепс бедра", "заднюю поверхность бедра", "задней поверхности бедра"),
        "lats": ("Широчайшие", "широчайшие мышцы спины", "широчайших мышц спины"),
        "lower back": ("Поясница", "поясницу", "поясницы"),
        "middle back": ("Середина спины", "среднюю часть спины", "средней части спины"),
        "neck": ("Шея", "мышцы шеи", "мышц шеи"),
        "quadriceps": ("Квадрицепсы", "квадрицепсы", "квадрицепсов"),
        "shoulders": ("Плечи", "плечи", "плеч"),
        "traps": ("Трапеции", "трапециевидные мышцы", "трапециевидных мышц"),
        "triceps": ("Трицепс", "трицепс", "трицепса"),
    },
    whole_body="всё тело",
    categories={
        "strength": "Силовые",
        "stretching": "Растяжка",
        "plyometrics": "Плиометрика",
        "powerlifting": "Пауэрлифтинг",
        "olympic weightlifting": "Тяжёлая атлетика",
        "strongman": "Стронгмен",
        "cardio": "Кардио",
    },
    descriptions=(
        "Это упражнение прорабатывает {muscles}.",
        "Хорошо нагружает {muscles} и учит держать технику.",
        "Пошаговая техника с советами и типичными ошибками; основная нагрузка приходится на "
        "{muscles}.",
        "Укрепляет {muscles}; подходит для тренировок любого уровня.",
    ),
    fallback="Упражнение «{name}»",
    variant="{title} (вариант {n})",
    strength=Steps(
        setup=(
            (
                "Подберите вес",
                "Возьмите такой вес, с которым вы сохраните технику во всех повторениях.",
            ),
            ("Разминка", "Сначала сделайте лёгкий подход, чтобы подготовить суставы."),
            (
                "Постановка ног",
                "Поставьте стопы примерно на ширине бёдер и распределите вес равномерно.",
            ),
            (
                "Настройте тренажёр",
                "Отрегулируйте сиденье и валики так, чтобы суставы были на "
                "одной линии с осью вращения.",
            ),
        ),
        start=(
            (
                "Исходное положение",
                "Напрягите пресс и ягодицы и займите устойчивое исходное положение.",
            ),
            ("Хват", "Возьмитесь крепко; запястья держите прямыми."),
            ("Прямая спина", "Слегка сведите лопатки и держите спину прямой."),
        ),
        move=(
            ("Движение", "Выполняйте движение медленно и подконтрольно, без рывков."),
            ("Работают мышцы", "Перемещайте вес только силой целевых мышц, по ровной траектории."),
            ("Выдох", "Выдыхайте на усилии."),
        ),
        hold=(
            ("Пауза", "В крайней точке задержитесь на секунду и напрягите мышцы."),
            ("Держите напряжение", "Не расслабляйтесь и в точке смены направления."),
        ),
        back=(
            ("Возврат", "Медленно вернитесь в исходное положение."),
            ("Опускание", "Опускайте вес три секунды, делая вдох."),
            ("Повторите", "Повторите движение нужное число раз."),
        ),
    ),
    stretch=Steps(
        setup=(
            ("Разогрейтесь", "Растягивайте только разогретые мышцы, например после тренировки."),
            ("Место", "Найдите ровную поверхность и достаточно свободного места."),
        ),
        start=(
            ("Положение", "Спокойно займите исходное положение."),
            ("Осанка", "Выпрямите корпус и расслабьте плечи."),
        ),
        move=(
            (
                "Растяжение",
                "Медленно входите в растяжку, пока не почувствуете заметное, но "
                "комфортное натяжение.",
            ),
            ("Прокатка", "Двигайтесь медленно и задерживайтесь на чувствительных участках."),
        ),
        hold=(("Удержание", "Удерживайте положение 20–30 секунд, продолжая спокойно дышать."),),
        back=(
            ("Выход", "Плавно выйдите из растяжки и смените сторону."),
            ("Повторите", "Повторите растяжку два-три раза."),
        ),
    ),
    tips=(
        ("Контроль темпа", "Две секунды вверх, три секунды вниз."),
        ("Дыхание", "Выдох на усилии, вдох при возвращении."),
        ("Напряжённый корпус", "Держите пресс напряжённым на протяжении всего движения."),
        ("Разминка", "Лёгкий подход перед рабочими подготовит суставы."),
        ("Полная амплитуда", "Двигайтесь в полной амплитуде, которую вы контролируете."),
        ("Нейтральная шея", "Держите голову на одной линии с позвоночником."),
    ),
    mistakes=(
        "Работа за счёт инерции, а не мышц.",
        "Прогиб в пояснице.",
        "Слишком быстрое опускание веса.",
        "Резкое выпрямление суставов в конце каждого повторения.",
        "Задержка дыхания на весь подход.",
        "Слишком большой вес в ущерб технике.",
    ),
    outros=(
        "Отработайте движение с лёгким весом, пока оно не станет естественным.",
        "При острой боли прекратите упражнение и попросите тренера проверить технику.",
    ),
    joiner=" и ",
)

LANGUAGES = {language.tag: language for language in (GERMAN, RUSSIAN)}
"""The languages a corpus can have besides English."""

RENAMED_SHARE = 0.1
"""About this share of translations have a file name of their own, with ``translation_of``."""

_PLURALS = {
    "curls": "curl",
    "squats": "squat",
    "rows": "row",
    "raises": "raise",
    "crunches": "crunch",
    "lunges": "lunge",
    "dips": "dip",
    "flyes": "fly",
    "flys": "fly",
    "ups": "up",
    "pushups": "pushup",
    "pullups": "pullup",
    "shrugs": "shrug",
    "extensions": "extension",
    "jumps": "jump",
    "kickbacks": "kickback",
}
_WORD = re.compile(r"[a-z]+")


def _words(name: str) -> set[str]:
    return {_PLURALS.get(w, w) for w in _WORD.findall(name.lower())}


def _first(rules: tuple[tuple[tuple[str, ...], str], ...], words: set[str]) -> str | None:
    return next((phrase for needed, phrase in rules if words.issuperset(needed)), None)


def native_title(exercise: dict[str, object], language: Language) -> str | None:
    """The exercise's name in ``language`` from the vocabulary, or ``None`` when the
    vocabulary has no word for its movement."""
    words = _words(str(exercise["name"]))
    movement = _first(language.movements, words)
    if movement is None:
        return None
    muscles = _muscles(exercise)
    if "{muscle}" in movement:
        if not muscles or muscles[0] not in language.muscles:
            return None
        return movement.format(muscle=language.muscles[muscles[0]][2])
    parts = [movement]
    for needed, phrase in language.positions:
        if words.issuperset(needed) and phrase not in " ".join(parts) and len(parts) < 3:
            parts.append(phrase)
    equipment = language.equipment.get(str(exercise.get("equipment")), ("", ""))[1]
    if equipment:
        parts.append(equipment)
    return " ".join(parts)


def _muscles(exercise: dict[str, object]) -> list[str]:
    primary: list[str] = exercise["primaryMuscles"]  # type: ignore[assignment]
    secondary: list[str] = exercise["secondaryMuscles"]  # type: ignore[assignment]
    return list(dict.fromkeys([*primary, *secondary]))


def _item(phrase: Phrase, rng: random.Random, *, index: int | None) -> str:
    bullet = "-" if index is None else f"{index}."
    label, text = phrase
    return f"{bullet} **{label}**: {text}" if rng.random() < 0.6 else f"{bullet} {text}"


def _execution(steps: Steps, rng: random.Random) -> list[Phrase]:
    """Three to five items in the order an exercise goes: start, move, (hold,) return."""
    chosen = [rng.choice(steps.start), rng.choice(steps.move)]
    if rng.random() < 0.6:
        chosen.append(rng.choice(steps.hold))
    chosen += rng.sample(steps.back, rng.randint(1, min(2, len(steps.back))))
    return chosen


@dataclass(frozen=True)
class Translation:
    """One translated seed: its file name and text, given its work's English seed."""

    file_name: str
    text: str


class Translator:
    """Writes each work's versions in one language, keeping titles and file names unique in
    that language across the corpus (every English slug is reserved: a translation that
    shares its slug takes it in its language)."""

    def __init__(self, language: Language, english_slugs: set[str], rng: random.Random) -> None:
        self.language = language
        self.rng = rng
        self.titles: set[str] = set()
        self.slugs = set(english_slugs)

    def title(self, exercise: dict[str, object], variant: int) -> str:
        """A title no other seed in this language has: the vocabulary's, else (or when it
        is taken) the English name with the language's prefix."""
        language = self.language

        def numbered(title: str) -> str:
            return language.variant.format(title=title, n=variant) if variant else title

        native = native_title(exercise, language)
        title = numbered(native) if native is not None else None
        if title is None or title in self.titles:
            title = numbered(language.fallback.format(name=exercise["name"]))
        self.titles.add(title)
        return title

    def translate(
        self, exercise: dict[str, object], variant: int, slug: str, english: str
    ) -> Translation:
        """The version of ``exercise`` (its English seed ``slug``, text ``english``) in this
        language."""
        language, rng = self.language, self.rng
        title = self.title(exercise, variant)
        file_slug = slug
        if rng.random() < RENAMED_SHARE:
            own = slugify(title)
            if own and own not in self.slugs:
                file_slug = own
                self.slugs.add(own)
        muscles = [m for m in _muscles(exercise) if m in language.muscles]
        named = [language.muscles[m][1] for m in muscles[:2]]
        front = [
            "description: "
            + _quoted(
                rng.choice(language.descriptions).format(
                    muscles=language.joiner.join(named) or language.whole_body
                )
            )
        ]
        # What does not depend on the language is the English seed's.
        front += re.findall(r"^(?:video|video_uploaded): .*$", english, flags=re.MULTILINE)
        front.append(f"title: {_quoted(title)}")
        if file_slug != slug:
            front.append(f"translation_of: {slug}")
        if muscles and rng.random() < 0.8:
            front.append(f"muscles: {_quoted_list(language.muscles[m][0] for m in muscles)}")
        equipment = language.equipment.get(str(exercise.get("equipment")))
        if equipment and rng.random() < 0.8:
            front.append(f"equipment: {_quoted_list([equipment[0]])}")
        if rng.random() < 0.8:
            front.append(f"level: {exercise['level']}")
            front.append(f"category: {_quoted(language.categories[str(exercise['category'])])}")
        if rng.random() < 0.3:
            front.append(f"aliases: {_quoted_list([str(exercise['name'])])}")
        body = self._body(exercise, rng)
        text = "\n".join(["---", *front, "---", "", *body])
        return Translation(f"{file_slug}.{language.tag}.md", text)

    def _body(self, exercise: dict[str, object], rng: random.Random) -> list[str]:
        language = self.language
        stretch = exercise["category"] == "stretching" or exercise.get("equipment") == "foam roll"
        steps = language.stretch if stretch else language.strength
        setup_heading, execution_heading, tips_heading, mistakes_heading = language.headings
        lines: list[str] = []
        setup = rng.sample(steps.setup, rng.choice([0, 1, 2]))
        if setup:
            lines += [
                f"## {setup_heading}",
                *(_item(p, rng, index=i + 1) for i, p in enumerate(setup)),
                "",
            ]
        execution = _execution(steps, rng)
        lines += [
            f"## {execution_heading}",
            *(_item(p, rng, index=i + 1) for i, p in enumerate(execution)),
            "",
        ]
        if rng.random() < 0.7:
            tips = rng.sample(language.tips, rng.randint(1, 3))
            lines += [f"## {tips_heading}", *(f"- **{lb}**: {tx}" for lb, tx in tips), ""]
        if rng.random() < 0.6:
            mistakes = rng.sample(language.mistakes, rng.randint(1, 3))
            lines += [f"## {mistakes_heading}", *(f"- {m}" for m in mistakes), ""]
        if rng.random() < 0.5:
            lines += [rng.choice(language.outros), ""]
        lines += ["<!-- howto -->", ""]
        for label, text in execution[: rng.randint(1, len(execution))]:
            lines += [f"### {label}", text, ""]
        return lines


def _quoted(text: str) -> str:
    # JSON's strings are YAML double-quoted scalars; kept readable, not \u-escaped.
    return json.dumps(text, ensure_ascii=False)


def _quoted_list(items: object) -> str:
    return "[" + ", ".join(_quoted(str(i)) for i in items) + "]"  # type: ignore[attr-defined]
