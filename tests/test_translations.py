"""Chinese is the first language: every string is translated and the compiled catalogue is current."""

import subprocess
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "fugong/locale/zh_Hans/LC_MESSAGES/django.po"


def test_no_string_is_left_untranslated_or_fuzzy() -> None:
    for flag in ("--untranslated", "--only-fuzzy"):
        result = subprocess.run(["msgattrib", flag, str(PO)], capture_output=True, text=True, check=True)  # noqa: S607
        assert result.stdout.strip() == "", f"{flag} entries:\n{result.stdout}"


def test_compiled_catalogue_matches_the_po_file(tmp_path: Path) -> None:
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(compiled), str(PO)], check=True)  # noqa: S607
    assert compiled.read_bytes() == PO.with_suffix(".mo").read_bytes(), "run `make messages` and commit django.mo"
