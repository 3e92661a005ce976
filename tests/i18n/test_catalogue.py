"""The German catalogue is complete, and the committed django.mo is the compiled django.po
(CI has no msgfmt: the .mo in the repository is what runs)."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "de" / "LC_MESSAGES"
ENTRY = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) (".*")$')


def po_entries(path: Path) -> list[dict[str, str]]:
    entries: list[dict[str, str]] = []
    current: dict[str, str] = {}
    key = ""
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        match = ENTRY.match(line)
        if match:
            key = match.group(1)
            if key == "msgid" and "msgid" in current:
                entries.append(current)
                current = {}
            current[key] = ast.literal_eval(match.group(2))
        elif line.startswith('"'):
            current[key] += ast.literal_eval(line)
    if current:
        entries.append(current)
    return [entry for entry in entries if entry["msgid"]]  # the header is msgid ""


def test_every_text_has_its_german():
    entries = po_entries(LOCALE / "django.po")
    assert len(entries) > 200
    missing = [
        entry["msgid"]
        for entry in entries
        if not all(value for key, value in entry.items() if key.startswith("msgstr"))
    ]
    assert missing == []
    fuzzy = "#, fuzzy" in (LOCALE / "django.po").read_text(encoding="utf-8").split("\n\n", 1)[1]
    assert not fuzzy, "a fuzzy entry is not used: check it and remove the flag"


def test_the_compiled_catalogue_is_the_po():
    with (LOCALE / "django.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]
    for entry in po_entries(LOCALE / "django.po"):
        if "msgid_plural" in entry:
            for n in (0, 1):
                assert catalogue[(entry["msgid"], n)] == entry[f"msgstr[{n}]"]
        else:
            assert catalogue.get(entry["msgid"]) == entry["msgstr"], (
                f"django.mo is older than django.po ({entry['msgid'][:40]!r}): run "
                "`manage.py compilemessages` and commit django.mo"
            )
