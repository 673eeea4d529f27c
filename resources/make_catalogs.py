"""Extract, update, pseudo-translate and compile calftimer's catalogs.

    python resources/make_catalogs.py            extract + update + pseudo + compile (writes)
    python resources/make_catalogs.py --check    only say what is out of date (exit 1 if any)
    python resources/make_catalogs.py --init de  start the catalog of a new language

Needs Babel (a dev/test dependency: ``pip install -e ".[test]"``); the app itself reads the
compiled ``.mo`` files with the standard library's gettext and never imports Babel.

What it does, in this order:

1. Extracts every marked text from ``calftimer/`` (the keywords of ``calftimer.core.i18n``:
   ``_``, ``n_``, ``p_``, ``np_``, ``N_``; ``babel.cfg`` says the same for ``pybabel``) into
   the template ``calftimer/locale/calftimer.pot``. Locations carry file names but no line
   numbers, and the dates are fixed, so the template changes only when a text does.
2. Updates each ``calftimer/locale/<lang>/LC_MESSAGES/calftimer.po`` from the template (new texts
   are added empty, changed ones are marked fuzzy, removed ones kept as obsolete ``#~``).
3. Writes the pseudo-locale ``qps`` (accented letters, about 40 % longer, placeholders, markup
   and ``&`` mnemonics intact) straight to ``calftimer/locale/qps/LC_MESSAGES/calftimer.mo``.
4. Compiles every ``.po`` to its ``.mo`` (fuzzy entries are left out, as gettext does).

The ``.mo`` files are committed: a checkout, the wheel (package data) and the PyInstaller bundle
(``packaging/calftimer.spec``) all carry them without a build step; tests check they are current.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "calftimer"
LOCALE = PACKAGE / "locale"
TEMPLATE = LOCALE / "calftimer.pot"
PSEUDO = "qps"
FIXED_DATE = datetime(2026, 1, 1, tzinfo=UTC)  # the template's dates: reruns change nothing

KEYWORDS = {
    "_": None,
    "n_": (1, 2),
    "p_": ((1, "c"), 2),
    "np_": ((1, "c"), 2, 3),
    "N_": None,
}
COMMENT_TAGS = ("Translators:",)

# A placeholder, markup or a character that must reach the translation unchanged.
PROTECTED = re.compile(r"\{[^{}]*\}|%\(\w+\)[sdif]|%[sdif%]|<[^<>]+>|&\w+;|&&|&(?=\w)|\\n|\n")
ACCENTED = dict(
    zip(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "àƀçðéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÅƁÇÐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ",
        strict=True,
    )
)
PADDING = "·~"  # what the pseudo-locale adds to make a text about 40 % longer


def pseudo(text: str) -> str:
    """``"Start {name}"`` -> ``"[Šţàŕţ {name} ·~·~]"``: accented, ~40 % longer, the same
    placeholders."""
    if not text:
        return text
    out: list[str] = []
    letters = 0
    pos = 0
    for match in PROTECTED.finditer(text):
        chunk = text[pos : match.start()]
        out.append("".join(ACCENTED.get(c, c) for c in chunk))
        letters += sum(c.isalnum() for c in chunk)
        out.append(match.group())
        pos = match.end()
    chunk = text[pos:]
    out.append("".join(ACCENTED.get(c, c) for c in chunk))
    letters += sum(c.isalnum() for c in chunk)
    # In words of at most six characters: a real translation wraps where this one does.
    pad = (PADDING * letters)[: max(1, round(letters * 0.4))]
    pad = " ".join(pad[i : i + 6] for i in range(0, len(pad), 6))
    body = "".join(out)
    # A trailing newline or colon stays at the end, where the code expects it.
    tail = re.search(r"(\s|:)*$", body)
    cut = tail.start() if tail else len(body)
    return f"[{body[:cut]} {pad}]{body[cut:]}"


def _babel():  # type: ignore[no-untyped-def]
    try:
        from babel.messages import catalog, extract, mofile, pofile
    except ImportError:
        sys.exit("make_catalogs.py needs Babel: pip install -e '.[test]' (or pip install babel)")
    return catalog, extract, mofile, pofile


def extract_template():  # type: ignore[no-untyped-def]
    catalog_mod, extract, _mofile, _pofile = _babel()
    template = catalog_mod.Catalog(
        project="calftimer",
        version="",
        copyright_holder="calftimer developers",
        msgid_bugs_address="https://github.com/calftimer/calftimer/issues",
        creation_date=FIXED_DATE,
        revision_date=FIXED_DATE,
        charset="utf-8",
        fuzzy=False,
    )
    found = extract.extract_from_dir(
        str(ROOT),
        method_map=[("calftimer/**.py", "python")],
        keywords=KEYWORDS,
        comment_tags=COMMENT_TAGS,
        strip_comment_tags=True,
        directory_filter=lambda path: "/." not in path.replace("\\", "/"),
    )
    for filename, lineno, message, comments, context in found:
        template.add(
            message,
            None,
            [(filename.replace("\\", "/"), lineno)],
            auto_comments=comments,
            context=context,
        )
    return template


def po_bytes(catalog, *, template: bool = False) -> bytes:  # type: ignore[no-untyped-def]
    _c, _e, _m, pofile = _babel()
    buf = io.BytesIO()
    pofile.write_po(
        buf, catalog, width=100, sort_output=True, include_lineno=False, ignore_obsolete=template
    )
    # The Babel version in the header would make the files differ between machines.
    return re.sub(rb'"Generated-By: [^"]*"\n', b"", buf.getvalue())


def mo_bytes(catalog) -> bytes:  # type: ignore[no-untyped-def]
    _c, _e, mofile, _p = _babel()
    buf = io.BytesIO()
    mofile.write_mo(buf, catalog, use_fuzzy=False)
    return buf.getvalue()


def pseudo_catalog(template):  # type: ignore[no-untyped-def]
    catalog_mod, _e, _m, _p = _babel()
    cat = catalog_mod.Catalog(
        locale="en",
        domain="calftimer",
        creation_date=FIXED_DATE,
        revision_date=FIXED_DATE,
        charset="utf-8",
        fuzzy=False,
    )
    for message in template:
        if not message.id:
            continue
        if isinstance(message.id, tuple | list):
            string: object = tuple(pseudo(part) for part in message.id)
        else:
            string = pseudo(message.id)
        cat.add(message.id, string, context=message.context)
    cat.language_team = PSEUDO
    return cat


def language_catalogs() -> Iterator[Path]:
    yield from sorted(LOCALE.glob("*/LC_MESSAGES/calftimer.po"))


def read_po(path: Path):  # type: ignore[no-untyped-def]
    _c, _e, _m, pofile = _babel()
    with path.open("rb") as fp:
        return pofile.read_po(fp, locale=path.parent.parent.name, domain="calftimer")


def planned_files() -> dict[Path, bytes]:
    """Every catalog file as this script would write it now."""
    template = extract_template()
    files = {TEMPLATE: po_bytes(template, template=True)}
    files[LOCALE / PSEUDO / "LC_MESSAGES" / "calftimer.mo"] = mo_bytes(pseudo_catalog(template))
    for po in language_catalogs():
        catalog = read_po(po)
        catalog.update(template, update_header_comment=False)
        files[po] = po_bytes(catalog)
        files[po.with_suffix(".mo")] = mo_bytes(catalog)
    return files


def out_of_date() -> list[Path]:
    return [
        path
        for path, data in planned_files().items()
        if not path.is_file() or path.read_bytes() != data
    ]


def init_language(code: str) -> Path:
    _c, _e, _m, _p = _babel()
    template = extract_template()
    po = LOCALE / code / "LC_MESSAGES" / "calftimer.po"
    if po.exists():
        sys.exit(f"{po} exists already: run without --init to update it")
    catalog = _c.Catalog(locale=code, domain="calftimer", fuzzy=False, charset="utf-8")
    catalog.update(template)
    po.parent.mkdir(parents=True, exist_ok=True)
    po.write_bytes(po_bytes(catalog))
    return po


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report out-of-date files")
    parser.add_argument("--init", metavar="LANG", help="start the catalog of a new language")
    args = parser.parse_args(argv)
    if args.init:
        print(f"created {init_language(args.init).relative_to(ROOT)}")
        return 0
    if args.check:
        stale = out_of_date()
        for path in stale:
            print(f"out of date: {path.relative_to(ROOT)}")
        return 1 if stale else 0
    for path, data in planned_files().items():
        if not path.is_file() or path.read_bytes() != data:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
