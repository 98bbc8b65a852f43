"""Excel/CSV import is all-or-nothing with errors by row; export reads back in."""

import io
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from fugong.accounts.models import AuditEntry
from fugong.core.spreadsheets import ImportRejected, read_rows
from fugong.directory import exchange
from fugong.directory.models import Organisation, Region, Site, ZoneStatus


def xlsx(rows: list[list[Any]]) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


def regions_from(rows: list[list[Any]]) -> list[Any]:
    return read_rows(xlsx(rows), "regions.xlsx", exchange.REGION_COLUMNS)


def test_a_bad_row_rejects_the_whole_file_with_every_error(demo: Any) -> None:
    rows = regions_from(
        [
            ["区划代码", "名称", "级别", "上级代码", "管控状态"],
            ["360823204", "百岁乡", "", "", ""],
            ["36082X205", "坏代码", "", "", ""],
            ["360823206", "", "", "", "封控"],
            ["360823207", "新乡", "", "", "半开"],
        ]
    )
    with pytest.raises(ImportRejected) as rejected:
        exchange.import_regions(demo["xiajiang"], rows)
    problems = {(e.row, e.column) for e in rejected.value.errors}
    assert problems == {(3, "区划代码"), (4, "名称"), (5, "管控状态")}
    assert not Region.objects.filter(code__in=["360823204", "360823206", "360823207"]).exists()
    assert not AuditEntry.objects.filter(action="region.create", actor=demo["xiajiang"]).exists()


def test_a_good_file_imports_towns_in_any_order_with_statuses(demo: Any) -> None:
    rows = regions_from(
        [
            ["code", "name", "level", "parent code", "lockdown status"],  # English headers
            ["360823204001", "百岁村", "", "", ""],  # a village before its town
            [360823204, "百岁乡", "", "", "closed"],  # a code Excel stored as a number
            ["360823100", "巴邱镇（更名）", "", "", "部分开放"],
        ]
    )
    summary = exchange.import_regions(demo["xiajiang"], rows)
    assert summary == {"rows": 3, "created": 2, "updated": 1, "unchanged": 0}
    assert Region.objects.get(code="360823204001").parent.code == "360823204"
    assert Region.objects.get(code="360823204").zone_status == ZoneStatus.CLOSED
    assert Region.objects.get(code="360823100").name == "巴邱镇（更名）"


def test_coordinators_cannot_import_outside_their_county(demo: Any) -> None:
    rows = regions_from([["区划代码", "名称"], ["331126106", "淤上乡"]])
    with pytest.raises(ImportRejected) as rejected:
        exchange.import_regions(demo["xiajiang"], rows)
    assert rejected.value.errors[0].row == 2


def test_missing_required_column_is_reported_on_the_header_row(demo: Any) -> None:
    with pytest.raises(ImportRejected) as rejected:
        read_rows(xlsx([["名称"], ["x"]]), "r.xlsx", exchange.REGION_COLUMNS)
    assert [(e.row, e.column) for e in rejected.value.errors] == [(1, "区划代码")]


def test_gbk_csv_from_excel_imports_sites(demo: Any) -> None:
    text = "单位,名称,类型,区划代码,纬度,经度,营业时间\n峡江县局,仁和网点,网点,360823101,27.63,115.28,07:00-21:00\n"
    rows = read_rows(io.BytesIO(text.encode("gb18030")), "sites.csv", exchange.SITE_COLUMNS)
    exchange.import_sites(demo["huanghuiyun"], rows)
    site = Site.objects.get(name="仁和网点")
    assert site.organisation.short_name == "峡江县局" and str(site.latitude) == "27.630000"


def test_site_rows_name_their_field_errors(demo: Any) -> None:
    text = "单位,名称,类型,区划代码,纬度,经度,营业时间\n县妇联,抢来的网点,网点,360823101,27.63,,9点-5点\n"
    rows = read_rows(io.BytesIO(text.encode()), "sites.csv", exchange.SITE_COLUMNS)
    with pytest.raises(ImportRejected) as rejected:
        exchange.import_sites(demo["huanghuiyun"], rows)  # not their organisation
    assert [(e.row, e.column) for e in rejected.value.errors] == [(2, "单位")]


def test_export_reads_back_as_an_import(demo: Any) -> None:
    from fugong.core.spreadsheets import write_workbook

    data = write_workbook("sites", exchange.SITE_COLUMNS, exchange.site_rows(Site.objects.all()))
    rows = read_rows(io.BytesIO(data), "sites.xlsx", exchange.SITE_COLUMNS)
    assert len(rows) == Site.objects.count()
    summary = exchange.import_sites(None, rows)
    assert summary == {"rows": Site.objects.count(), "created": 0, "updated": 0, "unchanged": Site.objects.count()}


def test_export_page_is_scoped_and_masked_by_role(client_for: Any) -> None:
    response = client_for("huanghuiyun").get("/directory/export/sites.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "巴邱网点" in names and "客户服务中心营业厅" not in names


def test_upload_runs_as_a_background_job_and_reports_rows(client_for: Any, run_tasks: Any) -> None:
    upload = xlsx([["区划代码", "名称"], ["360823204", "百岁乡"], ["bad", "x"]])
    upload.name = "regions.xlsx"
    client = client_for("xiajiang")
    response = client.post("/directory/import/regions/", {"file": upload})
    job = response.context["job"]
    assert job.status == "queued"
    run_tasks()
    card = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'data-status="failed"' in card and "<td>3</td>" in card
    assert not Region.objects.filter(code="360823204").exists()


def test_organisation_import_validates_credit_codes(demo: Any) -> None:
    text = "名称,类型,区划代码,统一社会信用代码\n巴邱南路诚信互助小组,其他,360823100,91360823MA0000000X\n"
    rows = read_rows(io.BytesIO(text.encode()), "orgs.csv", exchange.ORGANISATION_COLUMNS)
    with pytest.raises(ImportRejected) as rejected:
        exchange.import_organisations(demo["xiajiang"], rows)
    assert rejected.value.errors[0].row == 2
    assert not Organisation.objects.filter(name="巴邱南路诚信互助小组").exists()


def test_reimporting_an_export_changes_and_audits_nothing(client_for: Any, demo: Any) -> None:
    """A coordinator exports every region and sends the file back: nothing to do, not refused."""
    data = client_for("xiajiang").get("/directory/export/regions.xlsx").content
    rows = read_rows(io.BytesIO(data), "regions.xlsx", exchange.REGION_COLUMNS)
    audit_entries = AuditEntry.objects.count()
    summary = exchange.import_regions(demo["xiajiang"], rows)
    assert summary["unchanged"] == Region.objects.count() and summary["created"] == summary["updated"] == 0
    assert AuditEntry.objects.count() == audit_entries


def test_an_ambiguous_organisation_name_must_be_a_credit_code(demo: Any) -> None:
    from fugong.directory import services

    for code in ("360823100", "360823101"):
        services.create_organisation(None, name="诚信互助小组", kind="other", region=Region.objects.get(code=code))
    text = "单位,名称,类型,区划代码\n诚信互助小组,仓库,仓库,360823100\n"
    rows = read_rows(io.BytesIO(text.encode()), "sites.csv", exchange.SITE_COLUMNS)
    with pytest.raises(ImportRejected) as rejected:
        exchange.import_sites(demo["admin"], rows)
    assert "credit code" in rejected.value.errors[0].message or "信用代码" in rejected.value.errors[0].message


def test_a_formula_typed_as_a_name_is_exported_as_text(demo: Any, client_for: Any) -> None:
    """Every export is written by core.spreadsheets: a site named like a formula comes out as
    text that a spreadsheet shows and never runs, and reads back unchanged."""
    from openpyxl import load_workbook

    site = Site.objects.get(name="巴邱网点")
    names = ['=HYPERLINK("http://evil.example","点我")', "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)"]
    for name in names:
        Site.objects.filter(pk=site.pk).update(name=name)
        data = client_for("huanghuiyun").get("/directory/export/sites.xlsx").content
        sheet = load_workbook(io.BytesIO(data)).active
        cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row if cell.value == name]
        assert cells and all(cell.data_type == "s" and cell.quotePrefix for cell in cells), name
        assert name in {row.values["name"] for row in read_rows(io.BytesIO(data), "s.xlsx", exchange.SITE_COLUMNS)}
