"""The resumption API: a leaders' screen reads the ranking and figures of the cities it may
see; the city's coordinators upload files (a resent upload imports once), change the method
and compute."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import MULTIPART_CONTENT

from fugong.accounts import services as account_services
from fugong.core.models import Job
from fugong.resumption import api as resumption_api
from fugong.resumption import services
from fugong.resumption.models import DataFile

from .conftest import ACCOUNTS, imported
from .test_command import READINGS

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, demo):
    def make(username):
        _token, raw = account_services.create_api_token(demo[username], name="test")

        def call(method, path, **kw):
            kw.setdefault("content_type", "application/json")
            return getattr(client, method)(f"/api/resumption{path}", HTTP_AUTHORIZATION=f"Bearer {raw}", **kw)

        return call

    return make


def test_a_county_reads_the_city_ranking_and_figures(setup, tmp_path, api, monkeypatch):
    imported(setup, tmp_path, "accounts", ACCOUNTS, "accounts.csv")
    imported(setup, tmp_path, "readings", READINGS, "readings.csv")
    services.compute(setup, date(2020, 2, 10), date(2020, 2, 10))
    county = api("qingyuan")
    [listed] = county("get", "/setups").json()
    assert (listed["region"], listed["latest_day"], listed["may_manage"]) == ("331100", "2020-02-10", False)
    ranking = county("get", f"/setups/{setup.pk}/ranking").json()
    assert [(r["county_name"], r["index"], r["rank"]) for r in ranking] == [("庆元县", 47.916666666666664, 1),
                                                                             ("景宁畲族自治县", 0.0, 2)]  # fmt: skip
    figures = county("get", f"/setups/{setup.pk}/figures?county=331126&all_industries=true").json()
    assert {f["industry"] for f in figures} == {"", "制造业", "批发零售"}
    monkeypatch.setattr(resumption_api, "MAX_FIGURES", 2)
    too_many = county("get", f"/setups/{setup.pk}/figures?all_industries=true")
    assert too_many.status_code == 422 and "请缩短日期范围" in too_many.json()["message"]
    assert county("patch", f"/setups/{setup.pk}/method", data={"threshold": "0.25"}).status_code == 403
    assert county("post", f"/setups/{setup.pk}/compute").status_code == 403
    assert api("xiajiang")("get", f"/setups/{setup.pk}/ranking").status_code == 404  # another city


def test_the_api_gives_the_computed_days_and_any_days_ranking(setup, tmp_path, api):
    """#21 item 10: the days a picker offers, and the ranking of an earlier one."""
    imported(setup, tmp_path, "accounts", ACCOUNTS, "accounts.csv")
    later = "".join(f"{a},2020-02-11,500\n" for a in range(1, 7))
    imported(setup, tmp_path, "readings", READINGS + later, "readings.csv")
    services.compute(setup, date(2020, 2, 10), date(2020, 2, 11))
    county = api("qingyuan")
    [listed] = county("get", "/setups").json()
    assert (listed["latest_day"], listed["days"]) == ("2020-02-11", ["2020-02-11", "2020-02-10"])
    earlier = county("get", f"/setups/{setup.pk}/ranking?day=2020-02-10").json()
    assert [(r["day"], r["county"], round(r["index"], 2)) for r in earlier] == [
        ("2020-02-10", "331126", 47.92),
        ("2020-02-10", "331127", 0.0),
    ]


def test_the_city_uploads_once_sets_the_method_and_computes(setup, api, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    admin = api("admin")

    def upload(kind, name, text, key):
        data = {"kind": kind, "file": SimpleUploadedFile(name, text.encode(), content_type="text/csv")}
        return admin(
            "post", f"/setups/{setup.pk}/files", data=data, content_type=MULTIPART_CONTENT, HTTP_IDEMPOTENCY_KEY=key
        )

    assert upload("accounts", "accounts.csv", ACCOUNTS, "a-1").status_code == 202
    first = upload("readings", "readings.csv", READINGS, "r-1")
    again = upload("readings", "readings.csv", READINGS, "r-1")  # the client did not hear the answer
    assert first.status_code == again.status_code == 202 and first.json()["id"] == again.json()["id"]
    assert first.json()["status"] == "succeeded" and DataFile.objects.filter(kind="readings").count() == 1
    bad = upload("readings", "more.csv", "account_id,day,kwh\n1,2020-02-11,-5\n", "r-2")
    assert bad.json()["status"] == "failed" and "more.csv" in Job.objects.get(pk=bad.json()["id"]).message
    assert [(e["row"], e["column"]) for e in bad.json()["result"]["errors"]] == [(2, "kwh")]  # by row and column
    assert upload("meters", "x.csv", "a\n", "x-1").json()["errors"]["kind"] == ["请选择用户文件或电量文件。"]

    refused = admin("patch", f"/setups/{setup.pk}/method", data={"threshold": "1.5", "baseline_start": "2019-12-01",
                                                             "baseline_end": "2019-12-02"})  # fmt: skip
    assert refused.status_code == 422 and "threshold" in refused.json()["errors"]
    undated = admin("patch", f"/setups/{setup.pk}/method", data={"baseline_end": None})
    assert undated.json()["errors"] == {"baseline_end": ["请填写基准期的第一天和最后一天。"]}
    saved = admin("patch", f"/setups/{setup.pk}/method", data={"threshold": "0.25", "baseline_start": "2019-12-01",
                                                           "baseline_end": "2019-12-02",
                                                           "reopening_days": ["2020-02-09"]})  # fmt: skip
    assert saved.json()["threshold"] == "0.25" and saved.json()["reopening_days"] == ["2020-02-09"]
    weighted = admin("patch", f"/setups/{setup.pk}/method", data={"weight": "0.50"}).json()
    assert (weighted["threshold"], weighted["reopening_days"]) == ("0.25", ["2020-02-09"])  # the rest stays
    job = admin("post", f"/setups/{setup.pk}/compute").json()
    assert job["status"] == "succeeded"
    ranking = admin("get", f"/setups/{setup.pk}/ranking?day=2020-02-10").json()
    assert ranking[0]["county"] == "331126" and ranking[0]["resumed"] == 3  # A2's 29 of 100 counts at 25%


def test_a_multipart_body_without_its_boundary_is_a_json_400(setup, api):
    """The caller's broken request, answered like every API error, not as a server error page."""
    response = api("admin")("post", f"/setups/{setup.pk}/files", data=b"--x\r\nabc", content_type="multipart/form-data")
    assert response.status_code == 400 and response["Content-Type"].startswith("application/json")
    assert "boundary" in response.json()["message"]


def test_an_upload_too_large_or_not_parquet_is_refused_before_a_job_starts(setup, api, settings):
    settings.FUGONG_MAX_UPLOAD_BYTES = 2**20 // 2
    admin = api("admin")

    def upload(name, data):
        files = {"kind": "accounts", "file": SimpleUploadedFile(name, data)}
        return admin("post", f"/setups/{setup.pk}/files", data=files, content_type=MULTIPART_CONTENT)

    large = upload("accounts.csv", b"account_id,county\n" + b"1,331126\n" * 70_000)  # 0.6 MB
    assert large.status_code == 422 and "0.5 MB" in large.json()["errors"]["file"][0]
    fake = upload("accounts.parquet", ACCOUNTS.encode())
    assert fake.status_code == 422 and "Parquet" in fake.json()["errors"]["file"][0]
    assert not Job.objects.exists()
    assert upload("accounts.csv", ACCOUNTS.encode()).status_code == 202


def test_null_reopening_days_clear_them(setup, api):
    """The column holds a list, never NULL: `null` answered 500; it means no reopening days,
    as an empty list does. A `null` threshold is refused naming the field."""
    admin = api("admin")
    url = f"/setups/{setup.pk}/method"
    assert admin("patch", url, data={"reopening_days": ["2020-02-03"]}).json()["reopening_days"] == ["2020-02-03"]
    cleared = admin("patch", url, data={"reopening_days": None})
    assert cleared.status_code == 200 and cleared.json()["reopening_days"] == []
    refused = admin("patch", url, data={"threshold": None})
    assert refused.status_code == 422 and list(refused.json()["errors"]) == ["threshold"]
