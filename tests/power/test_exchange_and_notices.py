"""Accounts in and out of Excel, all rows or none; notices to accounts picked by filters."""

import io
from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import translation

from fugong.core.spreadsheets import ImportRejected, read_rows, write_workbook
from fugong.notify.models import Broadcast, Message, MessageTemplate
from fugong.power.models import PowerAccount
from fugong.power.services import applications, exchange, notices

from .conftest import local, make_account

pytestmark = pytest.mark.django_db

HEADER = ["户号", "户名", "用户类别", "电压等级", "计费方式", "行业", "合同容量", "乡镇代码", "供电所", "手机"]


def csv_rows(lines):
    text = "\n".join(",".join(line) for line in [HEADER, *lines])
    return read_rows(io.BytesIO(text.encode()), "accounts.csv", exchange.COLUMNS)


def test_import_adds_and_updates_and_the_export_reads_back(company, demo):
    make_account(company, "3301260001", holder="旧名称")
    rows = csv_rows(
        [
            [
                "3301260001",
                "浙江昌达实业有限公司",
                "企业",
                "高压",
                "两部制",
                "制造业",
                "1250",
                "331126003",
                "松源供电所",
                "13905786001",
            ],
            ["3301261001", "张大妈", "居民", "低压", "", "", "8", "331126105", "百山祖供电所", ""],
        ]
    )
    with translation.override("zh-hans"):
        summary = exchange.import_accounts(demo["qy_power"], company, rows)
    assert (summary["created"], summary["updated"]) == (1, 1)
    assert PowerAccount.objects.get(number="3301260001").holder == "浙江昌达实业有限公司"
    household = PowerAccount.objects.get(number="3301261001")
    assert (household.kind, household.billing, household.industry) == ("resident", "single", "")

    with translation.override("en"):
        body = write_workbook(
            "accounts", exchange.COLUMNS, exchange.account_rows(PowerAccount.objects.all(), full_mobile=True)
        )
        again = read_rows(io.BytesIO(body), "accounts.xlsx", exchange.COLUMNS)
        assert exchange.import_accounts(demo["qy_power"], company, again)["updated"] == 2
    assert PowerAccount.objects.get(number="3301260001").mobile == "+8613905786001"


def test_a_bad_row_rejects_the_whole_file_naming_row_and_column(company, demo):
    rows = csv_rows(
        [
            ["3301262001", "好企业", "企业", "高压", "", "制造业", "400", "331126003", "松源供电所", ""],
            ["3301262002", "没有行业", "企业", "低压", "", "", "100", "331126003", "松源供电所", ""],
            ["3301262003", "错号码", "企业", "低压", "", "批发和零售业", "100", "331126003", "松源供电所", "12345"],
            ["3301262001", "重复", "企业", "低压", "", "制造业", "100", "999999", "松源供电所", ""],
        ]
    )
    with translation.override("zh-hans"), pytest.raises(ImportRejected) as rejected:
        exchange.import_accounts(demo["qy_power"], company, rows)
    found = {(e.row, e.column) for e in rejected.value.errors}
    assert found == {(3, "行业"), (4, "手机号"), (5, "户号"), (5, "乡镇代码")}  # row 5: both its bad columns
    assert not PowerAccount.objects.filter(number__startswith="33012620").exists()
    with pytest.raises(ImportRejected):
        exchange.import_accounts(demo["hufenfen"], company, rows[:1])  # staff do not import


def test_a_notice_goes_to_the_accounts_the_filters_pick_with_a_preview(company, relaxed, demo):
    suspended = make_account(company, "3301260011", holder="浙江金辉木业有限公司", mobile="13905786011")
    make_account(company, "3301260012", holder="丽水市大乾坤石材有限公司", mobile="13905786012", industry="mining")
    make_account(company, "3301260013", holder="没有手机的企业", mobile="")
    with time_machine.travel(local(date(2020, 2, 10)), tick=False):
        application = applications.apply(
            None, suspended, kind="suspension", capacity_kva=1250, start_on=date(2020, 2, 10)
        )
        applications.approve(None, application)
    template = MessageTemplate.objects.create(
        channel=MessageTemplate.objects.filter(channel__organisation=company).first().channel,
        kind="resumption_notice",
        text="{holder}（户号{account}）：复工时请一个电话申请恢复用电。",
        parameters=["holder", "account"],
    )
    assert template in notices.templates_for(company)
    from fugong.notify import recipients

    # The notify broadcast page's audience is the same as the "suspension in effect" filter.
    found = recipients.resolve(demo["qy_power"], "power_suspended", {})
    assert [(r.address, r.values["holder"]) for r in found] == [("+8613905786011", "浙江金辉木业有限公司")]
    filters = notices.Filters(standing=notices.Standing.IN_EFFECT)
    shown = notices.preview(demo["qy_power"], company, template, filters)
    assert shown.count == 1
    assert shown.sample_text == "浙江金辉木业有限公司（户号3301260011）：复工时请一个电话申请恢复用电。"
    assert shown.sample[0]["mobile"] == "139****6011"

    broadcast = notices.send_notice(demo["qy_power"], company, template, filters, title="复工提醒")
    assert Broadcast.objects.get(pk=broadcast.pk).total == 1
    assert list(Message.objects.filter(broadcast=broadcast).values_list("recipient", flat=True)) == ["+8613905786011"]

    everyone = notices.preview(demo["qy_power"], company, template, notices.Filters())
    assert everyone.count == 2  # the account without a mobile cannot be told
    mining = notices.preview(demo["qy_power"], company, template, notices.Filters(industry="mining"))
    assert mining.count == 1
    with pytest.raises(ValidationError):
        notices.send_notice(demo["qy_power"], company, template, notices.Filters(region_code="331126105"), title="x")
