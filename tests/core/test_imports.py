"""Imports that fail well: a file that is not what it claims, too large, with an over-long cell
or too many rows is refused with a message naming the problem (and the row and column where
there is one), never an unexpected error, and nothing is written; every bad cell of a row is
reported, up to a cap followed by how many more there are."""

import io
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils.translation import gettext as _
from openpyxl import Workbook

from fugong.core.models import Job
from fugong.core.spreadsheets import MAX_REPORTED_PROBLEMS, ImportRejected, read_rows
from fugong.directory import exchange
from fugong.directory.models import Region

UNEXPECTED = ("unexpected", "意外")


def workbook_bytes(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def regions(data: bytes, name: str) -> Any:
    return read_rows(io.BytesIO(data), name, exchange.REGION_COLUMNS)


def refusal(data: bytes, name: str) -> ImportRejected:
    with pytest.raises(ImportRejected) as rejected:
        regions(data, name)
    return rejected.value


def test_an_over_long_csv_cell_is_named_by_its_row(db: Any) -> None:
    """Python's csv stops at a field of 131,072 characters: that is the person's row 3, not a crash."""
    text = "区划代码,名称\n360823204,百岁乡\n360823205," + "长" * 140_000 + "\n"
    [error] = refusal(text.encode(), "regions.csv").errors
    assert error.row == 3 and "32767" in error.message
    # Longer than a spreadsheet cell holds, shorter than csv's limit: row and column.
    text = "区划代码,名称\n360823205," + "长" * 40_000 + "\n360823206,x" + "\n"
    [error] = refusal(text.encode(), "regions.csv").errors
    assert (error.row, error.column) == (2, "名称") and "32767" in error.message


@pytest.mark.parametrize(
    "data",
    [
        os.urandom(4096),  # random bytes
        "区划代码,名称\n360823204,百岁乡\n".encode(),  # a CSV renamed .xlsx
        b"",
    ],
    ids=["random-bytes", "text-file", "empty"],
)
def test_a_fake_xlsx_is_refused_as_not_a_workbook(db: Any, data: bytes) -> None:
    [error] = refusal(data, "regions.xlsx").errors
    assert error.row == 1 and ".xlsx" in error.message


def test_an_empty_workbook_is_refused_as_empty(db: Any) -> None:
    [error] = refusal(workbook_bytes([]), "regions.xlsx").errors
    assert error.message == str(_("The file is empty."))


def test_a_zip_that_is_not_a_workbook_and_an_old_xls_are_refused(db: Any) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("readme.txt", "not a workbook")
    assert ".xlsx" in refusal(archive.getvalue(), "regions.xlsx").errors[0].message
    old_excel = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(2000)
    assert ".xls)" in refusal(old_excel, "regions.xlsx").errors[0].message


def test_a_damaged_workbook_is_refused(db: Any) -> None:
    """A zip that looks like a workbook from its directory but whose parts are not XML."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("[Content_Types].xml", "<Types")
        zipped.writestr("xl/workbook.xml", os.urandom(300))
    assert ".xlsx" in refusal(archive.getvalue(), "regions.xlsx").errors[0].message


@override_settings(FUGONG_MAX_UPLOAD_BYTES=2**20 // 10)  # an .xlsx may then unpack to 1 MB
def test_a_workbook_that_would_unpack_past_the_limit_is_refused_before_it_is_unpacked(db: Any) -> None:
    good = workbook_bytes([["区划代码", "名称"], ["360823204", "百岁乡"]])
    assert len(regions(good, "regions.xlsx")) == 1
    archive = io.BytesIO(good)
    with zipfile.ZipFile(archive, "a", compression=zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("xl/media/padding.bin", bytes(2 * 2**20))  # 2 MB of zeros, a few KB packed
    assert len(archive.getvalue()) < 2**20 // 10
    [error] = refusal(archive.getvalue(), "regions.xlsx").errors
    assert "1 MB" in error.message


@override_settings(FUGONG_MAX_IMPORT_ROWS=3)
@pytest.mark.parametrize("name", ["regions.csv", "regions.xlsx"])
def test_a_file_with_more_rows_than_the_limit_is_refused(db: Any, name: str) -> None:
    def file_of(rows: list[list[str]]) -> bytes:
        return workbook_bytes(rows) if name.endswith(".xlsx") else "\n".join(",".join(r) for r in rows).encode()

    rows = [["区划代码", "名称"]] + [[f"36082320{n}", f"乡{n}"] for n in range(4)]
    [error] = refusal(file_of(rows), name).errors
    assert "3" in error.message
    assert len(regions(file_of(rows[:4]), name)) == 3  # at the limit: read


def test_a_workbook_declaring_a_huge_sheet_is_read_as_wide_as_its_columns(db: Any) -> None:
    """A sheet may declare (or have) cells far to the right; only the import's columns are read."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["区划代码", "名称"])
    sheet.append(["360823204", "百岁乡"])
    sheet.cell(row=3, column=16_000, value="far away")
    out = io.BytesIO()
    book.save(out)
    [row] = regions(out.getvalue(), "regions.xlsx")
    assert row.values == {"code": "360823204", "name": "百岁乡"}


# The three spreadsheet import pages: (user, address, other fields).
PAGES = {
    "directory": ("xiajiang", "/directory/import/regions/", {}),
    "power": ("qy_power", "/power/accounts/import/", {}),
    "delivery": ("huyao", "/delivery/import/", {"kind": "orders"}),
}


def stored_uploads() -> set[Path]:
    return {p for p in (Path(settings.MEDIA_ROOT) / "imports").rglob("*") if p.is_file()}


@pytest.mark.parametrize("page", PAGES)
@override_settings(FUGONG_MAX_UPLOAD_BYTES=2**20 // 2)
def test_every_import_page_refuses_a_large_or_fake_file_before_keeping_it(
    client_for: Any, page: str, run_tasks: Any
) -> None:
    user, address, fields = PAGES[page]
    client = client_for(user)
    before = stored_uploads()
    large = SimpleUploadedFile("big.csv", b"a,b\n" + b"1,2\n" * 160_000)  # 0.6 MB
    response = client.post(address, {**fields, "file": large})
    assert response.status_code == 200
    [message] = response.context["form"].errors["file"]
    assert "0.5 MB" in message and "0.6 MB" in message
    for name, data in (("random.xlsx", os.urandom(5000)), ("text.xlsx", b"a,b\n1,2\n"), ("data.xls", b"a")):
        response = client.post(address, {**fields, "file": SimpleUploadedFile(name, data)})
        assert response.context["form"].errors["file"], name
        assert ".xlsx" in response.context["form"].errors["file"][0], name
    assert not Job.objects.exists() and stored_uploads() == before
    # A good file still goes through, as a job.
    good = SimpleUploadedFile("ok.csv", b"x\n1\n")
    response = client.post(address, {**fields, "file": good})
    assert response.context["job"] is not None and not response.context["form"].errors
    run_tasks()
    assert stored_uploads() == before  # the worker deleted it after reading


def test_a_damaged_file_fails_its_job_with_the_reason_and_saves_nothing(client_for: Any, run_tasks: Any) -> None:
    """What passes the upload check but cannot be read (here an over-long CSV cell) fails in the
    worker with the reason, not "unexpected error"."""
    client = client_for("xiajiang")
    text = "区划代码,名称\n360823204,百岁乡\n360823205," + "长" * 140_000 + "\n"
    client.post("/directory/import/regions/", {"file": SimpleUploadedFile("regions.csv", text.encode())})
    run_tasks()
    job = Job.objects.get()
    assert job.status == "failed" and not any(word in job.message for word in UNEXPECTED)
    [error] = job.result["errors"]
    assert error["row"] == 3 and "32767" in error["message"]
    assert not Region.objects.filter(code="360823204").exists()


def test_every_bad_cell_of_a_row_is_reported(demo: Any) -> None:
    text = "区划代码,名称,级别,上级代码,管控状态\n36082X205,坏乡,第五级,999999,半开\n"
    rows = read_rows(io.BytesIO(text.encode()), "regions.csv", exchange.REGION_COLUMNS)
    with pytest.raises(ImportRejected) as rejected:
        exchange.import_regions(demo["xiajiang"], rows)
    found = {(e.row, e.column) for e in rejected.value.errors}
    assert found == {(2, "区划代码"), (2, "级别"), (2, "上级代码"), (2, "管控状态")}


def test_problems_past_the_cap_are_counted_not_listed(client_for: Any, run_tasks: Any) -> None:
    """150 rows with two bad cells each: 300 problems, the first 200 listed, then "and 100 more"."""
    lines = ["区划代码,名称,级别"] + [f"bad{n},乡{n},第九级" for n in range(150)]
    client = client_for("xiajiang")
    upload = SimpleUploadedFile("regions.csv", "\n".join(lines).encode())
    client.post("/directory/import/regions/", {"file": upload})
    run_tasks()
    job = Job.objects.get()
    assert job.status == "failed" and "300" in job.message
    assert len(job.result["errors"]) == MAX_REPORTED_PROBLEMS == 200 and job.result["more"] == 100
    assert {e["row"] for e in job.result["errors"]} == set(range(2, 102))  # both cells of the first 100 rows
    card = client.get(f"/jobs/{job.pk}/").content.decode()
    assert card.count("<tr><td>") == 200
    assert 'class="more-problems">' in card and "100" in card.split('class="more-problems">')[1].split("</td>")[0]
