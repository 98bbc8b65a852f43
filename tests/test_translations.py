"""Chinese is the first language: every string is translated and the compiled catalogue is current."""

import re
import subprocess
from pathlib import Path

from django.utils import translation
from django.utils.translation import pgettext

PO = Path(__file__).resolve().parent.parent / "fugong/locale/zh_Hans/LC_MESSAGES/django.po"


def test_no_string_is_left_untranslated_or_fuzzy() -> None:
    for flag in ("--untranslated", "--only-fuzzy"):
        result = subprocess.run(["msgattrib", flag, str(PO)], capture_output=True, text=True, check=True)  # noqa: S607
        assert result.stdout.strip() == "", f"{flag} entries:\n{result.stdout}"


def test_compiled_catalogue_matches_the_po_file(tmp_path: Path) -> None:
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(compiled), str(PO)], check=True)  # noqa: S607
    assert compiled.read_bytes() == PO.with_suffix(".mo").read_bytes(), "run `make messages` and commit django.mo"


# English words that mean different things in different places ("Open" a record / a zone that is open;
# a shop's owner / a vehicle's owner; a person's name / a site's name; checked "in" / "in" a town). Each
# use must say which it means with pgettext, so one Chinese word can never stand for both.
AMBIGUOUS = frozenset(
    {
        *("Open", "open", "Close", "close", "Closed", "closed", "Full", "Left", "Plan", "Available"),
        *("From", "from", "To", "to", "In", "in", "Out", "out", "On", "on", "Off", "off", "Back", "back"),
        *("Owner", "owner", "Name", "name", "Accounts", "Received", "Done", "done", "Record", "Due"),
    }
)
ENTRY = re.compile(r'^(?:msgctxt "(?P<context>[^"]*)"\n)?msgid "(?P<msgid>[^"]*)"\n', re.MULTILINE)


def entries_without_context() -> set[str]:
    text = PO.read_text(encoding="utf-8")
    return {match["msgid"] for match in ENTRY.finditer(text) if match["context"] is None}


def test_words_with_several_meanings_always_say_which_they_mean() -> None:
    bare = sorted(AMBIGUOUS & entries_without_context())
    assert not bare, f"use pgettext with a context for: {', '.join(bare)}"


def test_the_meanings_are_translated_apart() -> None:
    with translation.override("zh-hans"):
        assert pgettext("lockdown status", "Open") == "已放开"
        assert pgettext("action", "Open") != pgettext("lockdown status", "Open")
        assert pgettext("shop", "Owner") != pgettext("vehicle", "Owner") == "车主"
        assert pgettext("person", "Name") == "姓名"
        assert pgettext("thing", "Name") == "名称"
        assert pgettext("shift", "in") == "签到"


def test_every_field_of_every_model_is_named_in_chinese() -> None:
    """A field's name reaches people in form errors ("该字段不能为空"), the audit log and the API
    docs: none may fall back to Django's English default (the attribute name)."""
    from django.apps import apps

    latin = re.compile(r"[A-Za-z]{2,}")
    units = {"kVA", "ID", "IP", "API"}
    unnamed = []
    with translation.override("zh-hans"):
        for model in apps.get_models():
            if not model.__module__.startswith("fugong."):
                continue
            for field in model._meta.get_fields():
                if field.auto_created or not hasattr(field, "verbose_name"):
                    continue
                words = set(latin.findall(str(field.verbose_name))) - units
                if words:
                    unnamed.append(f"{model._meta.label}.{field.name}: {field.verbose_name}")
    assert not unnamed, unnamed
