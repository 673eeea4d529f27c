"""Scratch catalogs of the spoken texts for the six languages, for tests of the voice's grammar
before (and independently of) the real catalogs: each language's own word order, plural forms
and joining words, so a test sees what a real translation does to the clips.

``write_catalog(tmp, "de")`` writes ``tmp/de/LC_MESSAGES/calftimer.mo``; ``using(tmp, "de")``
makes it the language in use (it is offered only once its real catalog is complete, so the
test lists it for the while).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from calftimer.core import cues, i18n

# msgid (a tuple for a plural, with the context first for p_) -> translation (a tuple of
# plural forms). Only the spoken texts and a few exercise names: the rest stays English.
Translations = dict[str | tuple[str, ...], str | tuple[str, ...]]

_COUNTS = (
    ("{n} rep", "{n} reps"),
    ("{n} set", "{n} sets"),
    ("{n} metre", "{n} metres"),
    ("{n} second", "{n} seconds"),
    ("{n} minute", "{n} minutes"),
    ("{n} hour", "{n} hours"),
)


def _language(
    rest: str,
    set_of: str,
    legs: tuple[str, str, str, str, str],
    short: tuple[str, str, str, str],
    counts: tuple[tuple[str, ...], ...],
    two_units: str,
    names: dict[str, str],
) -> Translations:
    texts: Translations = {
        cues.REST_NEXT: rest,
        cues.SET_OF: set_of,
        ("spoken length", "{larger} {smaller}"): two_units,
    }
    # The phrases' own msgids: a rewording in cues cannot leave these catalogs behind.
    leg_ids = (
        cues.LEFT_LEG,
        cues.RIGHT_LEG,
        cues.SWITCH_LEGS,
        cues.SWITCH_TO_LEFT,
        cues.SWITCH_TO_RIGHT,
    )
    texts.update(zip(leg_ids, legs, strict=True))
    short_ids = (cues.TO_FAILURE, cues.HALFWAY, cues.TEN_SECONDS, cues.SESSION_COMPLETE)
    texts.update(zip(short_ids, short, strict=True))
    texts.update(zip(_COUNTS, counts, strict=True))
    texts.update(names)
    return texts


LANGUAGES: dict[str, tuple[str, Translations]] = {
    "de": (
        "nplurals=2; plural=(n != 1);",
        _language(
            "Pause, {amount}. Als Nächstes: {step}",
            "Satz {number} von {sets}.",
            (
                "Linkes Bein.",
                "Rechtes Bein.",
                "Bein wechseln.",
                "Wechsel auf das linke Bein.",
                "Wechsel auf das rechte Bein.",
            ),
            ("bis zur Erschöpfung", "Halbzeit.", "Zehn Sekunden.", "Training beendet."),
            (
                ("{n} Wiederholung", "{n} Wiederholungen"),
                ("{n} Satz", "{n} Sätze"),
                ("{n} Meter", "{n} Meter"),
                ("{n} Sekunde", "{n} Sekunden"),
                ("{n} Minute", "{n} Minuten"),
                ("{n} Stunde", "{n} Stunden"),
            ),
            "{larger} {smaller}",
            {"Soleus squat": "Soleus-Kniebeuge", "Seated calf raise": "Wadenheben im Sitzen"},
        ),
    ),
    "fr": (
        "nplurals=3; plural=(n == 0 || n == 1) ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2;",
        _language(
            "Repos, {amount}. Ensuite : {step}",
            "Série {number} sur {sets}.",
            (
                "Jambe gauche.",
                "Jambe droite.",
                "Changez de jambe.",
                "Passez à la jambe gauche.",
                "Passez à la jambe droite.",
            ),
            ("jusqu'à l'échec", "À mi-parcours.", "Dix secondes.", "Séance terminée."),
            (
                ("{n} répétition", "{n} de répétitions", "{n} répétitions"),
                ("{n} série", "{n} de séries", "{n} séries"),
                ("{n} mètre", "{n} de mètres", "{n} mètres"),
                ("{n} seconde", "{n} de secondes", "{n} secondes"),
                ("{n} minute", "{n} de minutes", "{n} minutes"),
                ("{n} heure", "{n} d'heures", "{n} heures"),
            ),
            "{larger} {smaller}",
            {"Soleus squat": "Squat soléaire"},
        ),
    ),
    "es": (
        "nplurals=3; plural=(n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2);",
        _language(
            "Descanso, {amount}. Siguiente: {step}",
            "Serie {number} de {sets}.",
            (
                "Pierna izquierda.",
                "Pierna derecha.",
                "Cambia de pierna.",
                "Cambia a la pierna izquierda.",
                "Cambia a la pierna derecha.",
            ),
            ("hasta el fallo", "Mitad.", "Diez segundos.", "Sesión completada."),
            (
                ("{n} repetición", "{n} de repeticiones", "{n} repeticiones"),
                ("{n} serie", "{n} de series", "{n} series"),
                ("{n} metro", "{n} de metros", "{n} metros"),
                ("{n} segundo", "{n} de segundos", "{n} segundos"),
                ("{n} minuto", "{n} de minutos", "{n} minutos"),
                ("{n} hora", "{n} de horas", "{n} horas"),
            ),
            "{larger} y {smaller}",
            {},
        ),
    ),
    "it": (
        "nplurals=3; plural=(n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2);",
        _language(
            "Recupero, {amount}. Prossimo: {step}",
            "Serie {number} di {sets}.",
            (
                "Gamba sinistra.",
                "Gamba destra.",
                "Cambia gamba.",
                "Passa alla gamba sinistra.",
                "Passa alla gamba destra.",
            ),
            ("fino a esaurimento", "Metà.", "Dieci secondi.", "Sessione completata."),
            (
                ("{n} ripetizione", "{n} di ripetizioni", "{n} ripetizioni"),
                ("{n} serie", "{n} di serie", "{n} serie"),
                ("{n} metro", "{n} di metri", "{n} metri"),
                ("{n} secondo", "{n} di secondi", "{n} secondi"),
                ("{n} minuto", "{n} di minuti", "{n} minuti"),
                ("{n} ora", "{n} di ore", "{n} ore"),
            ),
            "{larger} e {smaller}",
            {},
        ),
    ),
    "nl": (
        "nplurals=2; plural=(n != 1);",
        _language(
            "Rust, {amount}. Hierna: {step}",
            "Set {number} van {sets}.",
            (
                "Linkerbeen.",
                "Rechterbeen.",
                "Wissel van been.",
                "Wissel naar je linkerbeen.",
                "Wissel naar je rechterbeen.",
            ),
            ("tot falen", "Halverwege.", "Tien seconden.", "Training voltooid."),
            (
                ("{n} herhaling", "{n} herhalingen"),
                ("{n} set", "{n} sets"),
                ("{n} meter", "{n} meter"),
                ("{n} seconde", "{n} seconden"),
                ("{n} minuut", "{n} minuten"),
                ("{n} uur", "{n} uur"),
            ),
            "{larger} en {smaller}",
            {},
        ),
    ),
    "pt_BR": (
        "nplurals=3; plural=(n == 0 || n == 1) ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2;",
        _language(
            "Descanso, {amount}. Próximo: {step}",
            "Série {number} de {sets}.",
            (
                "Perna esquerda.",
                "Perna direita.",
                "Troque de perna.",
                "Passe para a perna esquerda.",
                "Passe para a perna direita.",
            ),
            ("até a falha", "Metade.", "Dez segundos.", "Sessão concluída."),
            (
                ("{n} repetição", "{n} de repetições", "{n} repetições"),
                ("{n} série", "{n} de séries", "{n} séries"),
                ("{n} metro", "{n} de metros", "{n} metros"),
                ("{n} segundo", "{n} de segundos", "{n} segundos"),
                ("{n} minuto", "{n} de minutos", "{n} minutos"),
                ("{n} hora", "{n} de horas", "{n} horas"),
            ),
            "{larger} e {smaller}",
            {},
        ),
    ),
}


def write_catalog(root: Path, code: str, texts: Translations | None = None) -> Path:
    """``root/<code>/LC_MESSAGES/calftimer.mo`` with ``texts`` (default: ``LANGUAGES[code]``)."""
    plural_forms, default = LANGUAGES.get(code, ("nplurals=2; plural=(n != 1);", {}))
    catalog = Catalog(locale=code.split("_")[0], domain=i18n.DOMAIN)
    catalog._num_plurals = int(plural_forms.split(";")[0].split("=")[1])
    catalog._plural_expr = plural_forms.split("plural=")[1].rstrip(";")
    for msgid, translation in (default if texts is None else texts).items():
        if isinstance(msgid, tuple) and len(msgid) == 2 and isinstance(translation, str):
            catalog.add(msgid[1], translation, context=msgid[0])  # p_(context, text)
        else:
            catalog.add(msgid, translation)
    path = i18n.catalog_path(code, root)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    path.write_bytes(buffer.getvalue())
    return path


@contextmanager
def using(root: Path, code: str) -> Iterator[None]:
    """``code``'s catalog in ``root`` in use for the block, English after."""
    shipped = i18n.SHIPPED
    if all(lang.code != code for lang in shipped):
        i18n.SHIPPED = (*shipped, i18n.Language(code, code))
    try:
        if i18n.set_language(code, root).code != code:
            raise RuntimeError(f"{code}: the scratch catalog in {root} did not load")
        yield
    finally:
        i18n.SHIPPED = shipped
        i18n.set_language(i18n.SOURCE_LANGUAGE)
