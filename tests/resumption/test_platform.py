"""A city's index in the platform: files imported into the store (refused whole with the row
and the reason), figures computed by county and industry, suspensions from the power module."""

import os
import re
from datetime import date
from io import BytesIO

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import InMemoryStorage
from django.utils import translation

from fugong.core.spreadsheets import ImportRejected
from fugong.power.services import applications
from fugong.resumption import services
from fugong.resumption.models import DataFile, IndexFigure

from ..power.conftest import local
from .conftest import ACCOUNTS, imported
from .test_command import READINGS

pytestmark = pytest.mark.django_db


def test_figures_by_county_and_industry_are_computed_and_stored(setup, tmp_path):
    imported(setup, tmp_path, "accounts", ACCOUNTS, "accounts.csv")
    readings = imported(setup, tmp_path, "readings", READINGS, "readings.csv")
    assert (readings.rows, readings.first_day, readings.last_day) == (14, date(2019, 12, 1), date(2020, 2, 10))
    assert services.days_to_compute(setup) == (date(2019, 12, 3), date(2020, 2, 10))
    assert services.compute(setup, date(2020, 2, 10), date(2020, 2, 10)) == 5
    counties = IndexFigure.objects.filter(setup=setup, industry="").order_by("rank")
    assert [(f.county, round(f.index, 2), f.rank) for f in counties] == [("331126", 47.92, 1), ("331127", 0.0, 2)]
    industries = IndexFigure.objects.filter(setup=setup, county="331126").exclude(industry="")
    assert {f.industry: f.rank for f in industries} == {"制造业": 1, "批发零售": 2}
    assert services.days_to_compute(setup) is None  # nothing new since


def test_a_bad_file_is_refused_whole_with_row_and_reason(setup, tmp_path):
    imported(setup, tmp_path, "accounts", ACCOUNTS, "accounts.csv")
    with pytest.raises(ImportRejected) as refused, translation.override("en"):
        imported(setup, tmp_path, "readings", READINGS + "7,2020-02-10,5\n", "bad.csv")
    [problem] = refused.value.errors
    assert (problem.row, problem.column, refused.value.total) == (16, "account_id", 1)
    assert problem.message == "Account 7 is not in the accounts file."
    assert not DataFile.objects.filter(kind="readings").exists()
    assert not list((tmp_path / "store").glob("*/readings-*"))  # nothing left in the store
    with pytest.raises(ValidationError, match="330100"):
        imported(setup, tmp_path, "accounts", "account_id,county\n1,330100\n", "other.csv")
    imported(setup, tmp_path, "readings", READINGS, "readings.csv")
    with pytest.raises(ValidationError, match=re.escape("readings.csv")):
        imported(setup, tmp_path, "readings", "account_id,day,kwh\n1,2020-02-10,1\n", "again.csv")


def test_accounts_under_a_power_suspension_are_left_out(setup, tmp_path, company, relaxed, changda):
    # The power company's account 3301260001 suspended from 9 to 11 February 2020.
    accounts = ACCOUNTS + f"{changda.number},331126,制造业\n"
    rows = READINGS + f"{changda.number},2019-12-01,100\n{changda.number},2020-02-10,0\n"
    imported(setup, tmp_path, "accounts", accounts, "accounts.csv")
    imported(setup, tmp_path, "readings", rows, "readings.csv")
    with time_machine.travel(local(date(2020, 2, 9)), tick=False):
        suspension = applications.apply(
            None, changda, kind="suspension", capacity_kva=1250, start_on=date(2020, 2, 9), end_on=date(2020, 2, 11)
        )
        applications.approve(None, suspension)
    services.compute(setup, date(2020, 2, 10), date(2020, 2, 10))
    qingyuan = IndexFigure.objects.get(setup=setup, county="331126", industry="")
    assert (qingyuan.accounts, qingyuan.excluded) == (3, 1)  # not counted as a closed enterprise


def test_only_coordinators_over_the_city_change_it(setup, demo):
    with pytest.raises(PermissionDenied):
        services.save_setup(demo["qingyuan"], setup.region, threshold="0.25")  # a county's coordinator
    with pytest.raises(PermissionDenied):
        services.import_file(demo["qy_power"], setup, "accounts", "x.csv", "x.csv")


def test_the_dashboard_shows_the_ranking_and_exports_it(setup, tmp_path, client_for):
    imported(setup, tmp_path, "accounts", ACCOUNTS, "accounts.csv")
    imported(setup, tmp_path, "readings", READINGS, "readings.csv")
    services.compute(setup, date(2020, 2, 10), date(2020, 2, 10))
    page = client_for("qingyuan").get("/resumption/").content.decode()  # a county of the city
    assert "庆元县" in page and "47.92" in page and 'id="index-series"' in page
    assert "/resumption/files/" not in page  # reads, does not manage
    assert "/resumption/files/" in client_for("lishui").get("/resumption/").content.decode()  # the city's office
    export = client_for("admin").get(f"/resumption/?setup={setup.pk}&export=1")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client_for("xiajiang").get("/resumption/").status_code == 403  # another city's coordinator
    menu = client_for("qingyuan").get("/").content.decode()
    assert 'data-nav="resumption:dashboard"' in menu


def test_coordinators_import_and_compute_through_jobs(setup, tmp_path, client_for, run_tasks, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    admin = client_for("admin")
    admin.post(
        "/resumption/files/",
        {"setup": setup.pk, "kind": "accounts", "file": _upload("accounts.csv", ACCOUNTS)},
    )
    response = admin.post(
        "/resumption/files/",
        {"setup": setup.pk, "kind": "readings", "file": _upload("readings.csv", READINGS)},
    )
    assert response.status_code == 302 and DataFile.objects.filter(kind="readings").exists()
    admin.post("/resumption/compute/", {"setup": setup.pk})
    assert IndexFigure.objects.filter(setup=setup, industry="", day=date(2020, 2, 10)).count() == 2
    # A lower threshold, then every day again: A2 (29 of 100) now counts as resumed.
    admin.post("/resumption/method/", {"setup": setup.pk, "baseline_kind": "window", "baseline_start": "2019-12-01",
                                       "baseline_end": "2019-12-02", "threshold": "0.25", "weight": "0.50",
                                       "exclude_suspended": "on"})  # fmt: skip
    admin.post("/resumption/compute/", {"setup": setup.pk, "again": "1"})
    county_a = IndexFigure.objects.get(setup=setup, industry="", day=date(2020, 2, 10), county="331126")
    assert county_a.resumed == 3


def test_local_reopening_days_are_entered_on_the_method_form(setup, client_for):
    admin = client_for("admin")
    method = {"setup": setup.pk, "baseline_kind": "day_type", "baseline_start": "2019-12-01",
              "baseline_end": "2019-12-31", "threshold": "0.30", "weight": "0.50"}  # fmt: skip
    # 2020-02-09 was a Sunday; one county reopened that day.
    page = admin.post("/resumption/method/", {**method, "reopening_days": "2020-02-09\n2020-02-08, 2020-02-09"},
                      follow=True)  # fmt: skip
    setup.refresh_from_db()
    assert setup.reopening_days == ["2020-02-08", "2020-02-09"]
    assert services.method_of(setup, date(2020, 2, 9), date(2020, 2, 9), ()).workday_overrides == {
        date(2020, 2, 8): True,
        date(2020, 2, 9): True,
    }
    assert "2020-02-08\n2020-02-09</textarea>" in page.content.decode()  # shown back as entered
    refused = admin.post("/resumption/method/", {**method, "reopening_days": "2020-02-30"})
    assert refused.status_code == 400  # the page again, the panel open with what was entered
    shown = refused.content.decode()
    assert '<details class="panel" open>' in shown and "2020-02-30</textarea>" in shown
    assert re.search(r'data-field="reopening_days">.*“2020-02-30”不是日期', shown, re.S)
    setup.refresh_from_db()
    assert setup.reopening_days == ["2020-02-08", "2020-02-09"]  # nothing changed


def _upload(name, text):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_the_power_company_sees_its_customers_not_resumed_and_tells_them(setup, tmp_path, client_for, changda):
    from fugong.notify.models import Message, MessageTemplate

    accounts = ACCOUNTS + f"{changda.number},331126,制造业\n"
    rows = READINGS + f"{changda.number},2019-12-01,800\n{changda.number},2020-02-10,12\n"
    imported(setup, tmp_path, "accounts", accounts, "accounts.csv")
    imported(setup, tmp_path, "readings", rows, "readings.csv")
    services.compute(setup, date(2020, 2, 10), date(2020, 2, 10))
    staff_page = client_for("hufenfen").get(f"/resumption/not-resumed/?setup={setup.pk}").content.decode()
    assert "浙江昌达实业有限公司" in staff_page and "139****6001" in staff_page
    assert 'data-total="3"' in staff_page  # A2 (29 of 100), A5 (59 of 200) and 昌达 (12 of 800)
    # The list says how many it holds: 昌达 is the company's; the other Qingyuan account of the
    # readings is not in its register (so it cannot be listed, and the page says why).
    counts = staff_page.split("data-not-resumed-counts>")[1].split("</p>")[0]
    assert counts == "其中本公司用电户 1 户；另有 1 个户号不在本公司用电户档案中"
    coordinator = client_for("qingyuan").get(f"/resumption/not-resumed/?setup={setup.pk}").content.decode()
    assert "浙江昌达实业有限公司" not in coordinator  # counts for coordinators, names for the company
    channel = MessageTemplate.objects.filter(channel__organisation=changda.organisation).first().channel
    template = MessageTemplate.objects.create(
        channel=channel,
        kind="resume_reminder",
        text="{holder}：复工了吗？一个电话即可恢复用电。",
        parameters=["holder"],
    )
    response = client_for("qy_power").post(
        f"/resumption/not-resumed/?setup={setup.pk}", {"template": template.pk, "title": "复工提醒"}
    )
    assert response.status_code == 302
    assert list(Message.objects.filter(kind="resume_reminder").values_list("recipient", flat=True)) == [
        "+8613905786001"
    ]


def test_files_dropped_in_the_inbox_are_imported_or_set_aside_with_the_reason(setup, settings, tmp_path):
    settings.RESUMPTION_INBOX = tmp_path / "inbox"
    folder = settings.RESUMPTION_INBOX / "331100"
    folder.mkdir(parents=True)
    (folder / "accounts-2020.csv").write_text(ACCOUNTS)
    (folder / "readings-1.csv").write_text(READINGS)
    (folder / "readings-2.csv").write_text("account_id,day,kwh\n1,2020-02-11,-3\n")
    with translation.override("en"):  # the file's problems in the language of the deployment
        assert services.import_inbox() == {"imported": 2, "failed": 1}
    assert sorted(p.name for p in (folder / "done").iterdir()) == ["accounts-2020.csv", "readings-1.csv"]
    reason = (folder / "failed" / "readings-2.error.txt").read_text()
    assert reason == "readings-2.csv, row 2, kwh: The kWh cannot be negative (-3.0).\n"
    assert DataFile.objects.filter(kind="readings").count() == 1
    assert services.import_inbox() == {"imported": 0, "failed": 0}  # nothing twice


def test_a_file_that_is_not_parquet_is_set_aside_not_a_crash_of_the_inbox(setup, settings, tmp_path):
    """A text file named .parquet (or damaged) in the inbox is refused with the reason; the run
    goes on with the next file instead of stopping on it every quarter of an hour."""
    settings.RESUMPTION_INBOX = tmp_path / "inbox"
    folder = settings.RESUMPTION_INBOX / "331100"
    folder.mkdir(parents=True)
    (folder / "accounts-2020.parquet").write_text(ACCOUNTS)
    (folder / "readings-1.csv").write_text(READINGS)
    assert services.import_inbox() == {"imported": 0, "failed": 2}  # the readings need the accounts
    reason = (folder / "failed" / "accounts-2020.error.txt").read_text()
    assert reason.startswith("accounts-2020.parquet") and "Parquet" in reason
    assert not DataFile.objects.exists()


def test_the_upload_page_refuses_a_file_over_the_limit_before_a_job_starts(setup, client_for, settings):
    from fugong.core.models import Job

    settings.FUGONG_MAX_UPLOAD_BYTES = 2**20 // 2
    large = _upload("readings.csv", "account_id,day,kwh\n" + "1,2020-02-10,5\n" * 40_000)  # 0.6 MB
    page = client_for("admin").post(
        "/resumption/files/", {"setup": setup.pk, "kind": "readings", "file": large}, follow=True
    )
    assert "0.5 MB" in page.content.decode() and not Job.objects.exists()


class ObjectStorage(InMemoryStorage):
    """Like object storage (S3): no local paths, so a worker reads a temporary copy."""

    def path(self, name):
        raise NotImplementedError

    def _relative_path(self, name):  # its own bookkeeping keeps using the paths it has inside
        return os.path.relpath(InMemoryStorage.path(self, name), self.location)


def test_a_refused_upload_lists_every_problem_under_the_files_own_name(setup, client_for, settings):
    """#21 item 11: a readings file with a day that is not a date (row 4), an unknown account
    (row 6) and a kWh that is not a number (row 7) is refused with all three, by row and column,
    in the person's language and under the name it was uploaded with (not the temporary copy's,
    which a storage without local paths makes); the result's page can be reloaded."""
    from fugong.core.models import Job

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.STORAGES = settings.STORAGES | {"default": {"BACKEND": f"{__name__}.ObjectStorage"}}
    lishui = client_for("lishui")
    lishui.post(
        "/resumption/files/", {"setup": setup.pk, "kind": "accounts", "file": _upload("accounts.csv", ACCOUNTS)}
    )
    bad = "account_id,day,kwh\n1,2020-02-10,30\n2,2020-02-10,29\n3,2020-13-40,40\n4,2020-02-10,5\n9,2020-02-10,1\n"
    bad += "5,2020-02-10,lots\n"
    response = lishui.post(
        "/resumption/files/", {"setup": setup.pk, "kind": "readings", "file": _upload("二月读数.csv", bad)}
    )
    assert response.status_code == 302  # post/redirect/get
    job = Job.objects.get(kind="resumption.import", status="failed")
    assert [(e["row"], e["column"]) for e in job.result["errors"]] == [(4, "day"), (6, "account_id"), (7, "kwh")]
    assert "二月读数.csv" in job.message and ".csv" not in job.message.replace("二月读数.csv", "")
    page = lishui.get(response["Location"])
    assert page.status_code == 200 and lishui.get(response["Location"]).status_code == 200  # reloaded
    text = page.content.decode()
    assert "二月读数.csv" in text and "tmp" not in text
    assert "“lots”不是数字。" in text  # the person's language (the platform's, Chinese, here)
    assert "2020-13-40" in text and " 9 " in job.result["errors"][1]["message"]
    assert not DataFile.objects.filter(kind="readings").exists()


def test_more_problems_than_are_listed_are_counted(setup, tmp_path):
    imported(setup, tmp_path, "accounts", ACCOUNTS, "accounts.csv")
    rows = "".join(f"{n},2020-02-{n % 28 + 1:02d},-1\n" for n in range(1, 7)) * 50  # 300 rows, all wrong
    with pytest.raises(ImportRejected) as refused:
        imported(setup, tmp_path, "readings", "account_id,day,kwh\n" + rows, "bad.csv")
    assert refused.value.total > len(refused.value.errors) == 200 and refused.value.more == refused.value.total - 200


def test_any_computed_day_is_shown_exported_and_listed(setup, tmp_path, client_for, changda):
    """#21 item 10: `?day=` opens the page, its export and its list of enterprises not resumed
    on that day; a day without figures falls back to the latest, saying so."""
    from openpyxl import load_workbook

    accounts = ACCOUNTS + f"{changda.number},331126,制造业\n"
    # 11 February: every account back at its baseline, 昌达 too.
    later = "".join(f"{a},2020-02-11,500\n" for a in (1, 2, 3, 4, 5, 6, changda.number))
    rows = READINGS + later + f"{changda.number},2019-12-01,800\n{changda.number},2020-02-10,12\n"
    imported(setup, tmp_path, "accounts", accounts, "accounts.csv")
    imported(setup, tmp_path, "readings", rows, "readings.csv")
    services.compute(setup, date(2020, 2, 10), date(2020, 2, 11))
    qingyuan = client_for("qingyuan")
    latest = qingyuan.get(f"/resumption/?setup={setup.pk}").content.decode()
    assert re.search(r'<option value="2020-02-11" selected>', latest) and '<option value="2020-02-10">' in latest
    earlier = qingyuan.get(f"/resumption/?setup={setup.pk}&day=2020-02-10").content.decode()
    assert '<option value="2020-02-10" selected>' in earlier and "2020年2月10日" in earlier
    assert _indexes(earlier)[1] == "0.00" and "0.00" not in _indexes(latest)  # Jingning closed on the 10th only
    assert f"?setup={setup.pk}&amp;day=2020-02-10&amp;export=1" in earlier
    export = client_for("admin").get(f"/resumption/?setup={setup.pk}&day=2020-02-10&export=1")
    sheet = load_workbook(BytesIO(export.content)).active
    assert {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)} == {"2020-02-10"}
    assert "2020-02-10" in export["Content-Disposition"]
    staff = client_for("hufenfen")
    assert 'data-total="3"' in staff.get(f"/resumption/not-resumed/?setup={setup.pk}&day=2020-02-10").content.decode()
    assert 'data-total="0"' in staff.get(f"/resumption/not-resumed/?setup={setup.pk}").content.decode()
    missing = qingyuan.get(f"/resumption/?setup={setup.pk}&day=2020-02-12").content.decode()
    assert "data-day-set-aside" in missing and '<option value="2020-02-11" selected>' in missing


def _indexes(page: str) -> list[str]:
    """The ranking's index column, top to bottom."""
    table = page[page.index("data-ranking") : page.index("</table>", page.index("data-ranking"))]
    return re.findall(r"<strong>([\d.]+)</strong>", table)


def test_the_lists_of_enterprises_not_resumed_are_kept_when_computing(
    setup, tmp_path, client_for, changda, monkeypatch
):
    """#21 item 12: the page of enterprises not yet resumed reads the day's list kept when the
    figures were computed; it never goes through the readings (the first time in a process
    that loaded the engine's libraries: 5.7 s). Computing a day again replaces its list."""
    accounts = ACCOUNTS + f"{changda.number},331126,制造业\n"
    later = "".join(f"{a},2020-02-11,500\n" for a in (1, 2, 3, 4, 5, 6))
    rows = READINGS + later + f"{changda.number},2019-12-01,800\n{changda.number},2020-02-10,12\n"
    imported(setup, tmp_path, "accounts", accounts, "accounts.csv")
    imported(setup, tmp_path, "readings", rows, "readings.csv")
    services.compute(setup, date(2020, 2, 10), date(2020, 2, 11))

    def refused(*args, **kwargs):
        raise AssertionError("the page went through the readings")

    monkeypatch.setattr(services, "_engine_inputs", refused)
    staff = client_for("hufenfen")
    page = staff.get(f"/resumption/not-resumed/?setup={setup.pk}&day=2020-02-10").content.decode()
    assert 'data-total="3"' in page and "浙江昌达实业有限公司" in page  # A2, A5 and 昌达 (12 of 800)
    page = staff.get(f"/resumption/not-resumed/?setup={setup.pk}&day=2020-02-11").content.decode()
    assert 'data-total="1"' in page and "浙江昌达实业有限公司" in page  # 昌达 sent nothing on the 11th
    monkeypatch.undo()
    lower = services.save_setup(None, setup.region, threshold="0.25")  # A2 (29 of 100), A5 (59 of 200) back
    services.compute(lower, date(2020, 2, 10), date(2020, 2, 10))
    monkeypatch.setattr(services, "_engine_inputs", refused)
    assert 'data-total="1"' in staff.get(f"/resumption/not-resumed/?setup={setup.pk}&day=2020-02-10").content.decode()
    assert 'data-total="1"' in staff.get(f"/resumption/not-resumed/?setup={setup.pk}&day=2020-02-11").content.decode()
