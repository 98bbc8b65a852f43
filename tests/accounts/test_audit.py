"""Every write goes through a service and leaves an audit entry: who, what, when, from where."""

import ast
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import translation

from fugong.accounts import audit
from fugong.accounts import services as account_services
from fugong.accounts.audit_words import ACTIONS, CHANGE_LABELS
from fugong.accounts.models import AuditEntry, Membership, Role, User
from fugong.directory import services
from fugong.directory.models import Organisation, Region, Site
from fugong.power.models import ApplicationStatus, Window
from fugong.screening.models import AdmissionPolicy


def test_web_edit_records_who_what_and_from_where(client_for: Any, demo: Any) -> None:
    site = Site.objects.get(name="巴邱网点")
    client = client_for("huanghuiyun")
    response = client.post(
        f"/directory/sites/{site.pk}/edit/",
        {
            "organisation": site.organisation_id,
            "name": "巴邱网点",
            "kind": "network_point",
            "region": site.region_id,
            "address": "峡江县巴邱镇人民北路88号",
            "latitude": "27.5823",
            "longitude": "115.3167",
            "opening_hours": "07:00-21:00",
            "phone": "0796-3662000",
            "is_active": "on",
        },
        REMOTE_ADDR="10.1.2.3",
        HTTP_USER_AGENT="Mozilla/5.0 (Android)",
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(action="site.update").latest("pk")
    assert entry.actor == demo["huanghuiyun"]
    assert entry.changes == {"address": ["峡江县巴邱镇人民北路", "峡江县巴邱镇人民北路88号"]}
    assert (entry.source, entry.ip_address, entry.user_agent) == ("web", "10.1.2.3", "Mozilla/5.0 (Android)")
    assert entry.organisation_id == site.organisation_id


def test_each_service_leaves_an_audit_entry(demo: Any) -> None:
    admin = demo["admin"]
    county = Region.objects.get(code="360823")
    acts = {
        "region.create": lambda: services.save_region(admin, code="360823204", name="百岁乡", parent=county),
        "region.zone_status": lambda: services.set_zone_status(admin, county, "open", note="解封"),
        "organisation.create": lambda: services.create_organisation(
            admin, name="巴邱南路诚信互助小组", kind="other", region=county
        ),
        "site.create": lambda: services.create_site(
            admin,
            organisation=Organisation.objects.get(short_name="峡江县局"),
            name="仁和网点",
            kind="network_point",
            region=county,
            latitude=Decimal("27.6"),
            longitude=Decimal("115.2"),
        ),
        "user.create": lambda: account_services.create_user(
            admin,
            username="heidi",
            password="Xinshiji-2022",
            full_name="何娣",
            mobile="13907960009",
            membership=Membership(role=Role.VOLUNTEER, organisation=Organisation.objects.get(short_name="峡江县局")),
        ),
        "api_token.create": lambda: account_services.create_api_token(admin, name="phone"),
    }
    for action, act in acts.items():
        before = AuditEntry.objects.filter(action=action, actor=admin).count()
        act()
        assert AuditEntry.objects.filter(action=action, actor=admin).count() == before + 1, action
    assert AuditEntry.objects.filter(action="membership.grant", object_repr="何娣").exists()


def test_personal_data_never_enters_the_audit_log(demo: Any) -> None:
    account_services.update_user(demo["admin"], demo["laoyan"], mobile="13907960099")
    entry = AuditEntry.objects.filter(action="user.update").latest("pk")
    assert entry.changes == {"mobile": ["***", "***"]}
    assert "13907960099" not in str(AuditEntry.objects.values_list("changes", flat=True))


def test_audit_log_page_is_scoped(client_for: Any, demo: Any) -> None:
    services.update_site(demo["qy_power"], Site.objects.get(name="客户服务中心营业厅"), phone="0578-6120000")
    assert "客户服务中心营业厅" in client_for("qy_power").get("/accounts/audit/").content.decode()
    assert "客户服务中心营业厅" not in client_for("huanghuiyun").get("/accounts/audit/?action=site.").content.decode()
    assert "客户服务中心营业厅" in client_for("admin").get("/accounts/audit/?action=site.").content.decode()


@pytest.mark.django_db
def test_a_failed_service_writes_neither_change_nor_audit(demo: Any) -> None:
    site = Site.objects.get(name="巴邱网点")
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.update_site(demo["huanghuiyun"], site, address="new", opening_hours="25:00-26:00")
    assert list(refused.value.message_dict) == ["opening_hours"]
    assert AuditEntry.objects.count() == before
    assert Site.objects.get(pk=site.pk).address == "峡江县巴邱镇人民北路"


def test_the_audit_page_shows_changes_in_words_whatever_was_recorded(client_for: Any, demo: Any) -> None:
    """Field names by their verbose name, choices by label, booleans as 是/否, nothing as a dash,
    a related row by its name; a list or mapping recorded by a service neither breaks the page nor
    shows Python's repr."""
    region = Region.objects.get(code="360823")
    changes = {
        "zone_status": ["open", "closed"],
        "is_active": [True, False],
        "name": [None, "峡江"],
        "parent": [None, str(region.parent_id)],
        "note": ["", "解封"],
        "x": [[1], {"a": 2}],
    }
    AuditEntry.objects.create(
        actor_label="admin",
        action="region.update",
        object_type="directory.region",
        object_id=str(region.pk),
        object_repr=str(region),
        changes=changes,
        region_code=region.code,
        source="web",
    )
    page = client_for("xiajiang").get("/accounts/audit/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    text = page.content.decode()
    assert "网页" in text
    zone = Region._meta.get_field("zone_status")
    assert (
        f"{zone.verbose_name}</strong>: {dict(zone.flatchoices)['open']} → {dict(zone.flatchoices)['closed']}" in text
    )
    assert "— → 峡江" in text
    assert f"上级区域</strong>: — → {region.parent}" in text
    assert "备注</strong>: — → 解封" in text
    assert "1 → {&quot;a&quot;: 2}" in text
    assert "True" not in text and "None" not in text


def test_codes_recorded_off_the_model_are_shown_by_their_labels(demo: Any) -> None:
    """A role recorded on the user it was granted to, a window's business kinds (a list of codes)
    and a policy's checks read as the words on the forms where they were chosen."""

    def entry(model: Any, changes: dict[str, Any]) -> AuditEntry:
        return AuditEntry(object_type=model._meta.label_lower, changes=changes)

    with translation.override("zh-hans"):
        role = audit.readable_changes(entry(User, {"role": [None, "county_coordinator"]}))
        kinds = audit.readable_changes(entry(Window, {"kinds": [["invoice"], ["invoice", "consultation"]]}))
        checks = audit.readable_changes(entry(AdmissionPolicy, {"checks": [None, ["health_code", "mask"]]}))
    assert (role[0].field, role[0].after) == ("角色", "县级协调员")
    assert (kinds[0].before, kinds[0].after) == ("打发票", "打发票、咨询")
    assert checks[0].after == "健康码、佩戴口罩"
    moments = audit.readable_changes(entry(AdmissionPolicy, {"x": ["2026-11-26T00:00:00+00:00", "2026-13-45T00:00"]}))
    assert (moments[0].before, moments[0].after) == ("2026-11-26 08:00", "2026-13-45T00:00")  # Shanghai time


def package_trees() -> Iterator[tuple[str, ast.Module]]:
    package = Path(audit.__file__).resolve().parent.parent
    for path in package.rglob("*.py"):
        yield path.name, ast.parse(path.read_text(encoding="utf-8"))


def audit_calls() -> Iterator[tuple[str, ast.Call]]:
    """Every call that records an audit entry in the package, with its file's name."""
    for filename, tree in package_trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
                if name in ("record", "record_about", "_save_audited") and len(node.args) > 1:
                    yield filename, node


def test_every_key_a_service_records_has_words_for_it() -> None:
    """The class of "English on the audit page": a key in a `changes={...}` literal anywhere in
    the code is a field of some model or has a label in audit_words.CHANGE_LABELS."""
    fields = {field.name for model in apps.get_models() for field in model._meta.get_fields()}
    unlabelled = set()
    for filename, tree in package_trees():
        for node in ast.walk(tree):
            # changes={...} in the call itself, or changes = {...} built before it
            in_call = isinstance(node, ast.keyword) and node.arg == "changes"
            built = isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "changes" for t in node.targets)
            recorded = getattr(node, "value", None)
            if not (in_call or built) or not isinstance(recorded, ast.Dict):
                continue
            keys = {key.value for key in recorded.keys if isinstance(key, ast.Constant)}
            unlabelled |= {f"{filename}: {key}" for key in keys - fields - set(CHANGE_LABELS)}
    assert not unlabelled, sorted(unlabelled)


def test_every_action_a_service_records_has_words_for_it() -> None:
    """The log reads "配送计划已发布", not plan.publish: each recorded action (a literal, either
    branch of a conditional, or an f-string's prefix) has a label in audit_words.ACTIONS."""
    missing = set()
    for filename, call in audit_calls():
        action = call.args[1]
        branches = [action.body, action.orelse] if isinstance(action, ast.IfExp) else [action]
        for branch in branches:
            if isinstance(branch, ast.Constant) and branch.value not in ACTIONS:
                missing.add(f"{filename}: {branch.value}")
            if isinstance(branch, ast.JoinedStr) and isinstance(branch.values[0], ast.Constant):
                prefix = branch.values[0].value
                if not any(code.startswith(prefix) for code in ACTIONS):
                    missing.add(f"{filename}: {prefix}…")
    assert not missing, sorted(missing)
    statuses = {f"power.application.{status}" for status in ApplicationStatus.values} - {"power.application.applied"}
    assert statuses <= set(ACTIONS)


def test_the_audit_page_names_each_action_and_filters_by_it(client_for: Any, demo: Any) -> None:
    county = Region.objects.get(code="360823")
    services.set_zone_status(demo["admin"], county, "open", note="解封")
    client = client_for("xiajiang")
    page = client.get("/accounts/audit/", {"action": "region.zone_status"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = page.content.decode()
    assert "<td>管控状态已变更</td>" in text and "region.zone_status<" not in text
    assert '<option value="region.zone_status" selected>管控状态已变更</option>' in text
