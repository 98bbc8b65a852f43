"""Admission policies: versions in force from a date, a site's own or its region's.

A version that has come into force is never edited, because check-ins were judged by it;
rules change by adding a new version. A version not yet in force may be withdrawn.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.accounts import audit
from fugong.accounts.models import User
from fugong.accounts.permissions import require
from fugong.core.transactions import durable
from fugong.directory.models import Region, Site

from ..access import may_manage_site, may_set_region_policy
from ..models import CHECK_PARAMETER, AdmissionPolicy, CheckKind, Decision, PolicyCheck


@dataclass(frozen=True)
class CheckSpec:
    kind: str
    parameter: int | Decimal | None = None
    on_fail: str = Decision.REFUSE
    on_doubt: str = Decision.REFER


# The seeds' rules: 三查一戴 at the network point, 一测温二登记三受理 at the service hall.
THREE_CHECKS_ONE_MASK = [
    CheckSpec(CheckKind.HEALTH_CODE),
    CheckSpec(CheckKind.RISK_AREA, 14),
    CheckSpec(CheckKind.TEST_RESULT, 48),
    CheckSpec(CheckKind.MASK, on_fail=Decision.REFER),
]
MEASURE_REGISTER_SERVE = [
    CheckSpec(CheckKind.TEMPERATURE, Decimal("37.3")),
    CheckSpec(CheckKind.HEALTH_CODE),
    CheckSpec(CheckKind.MASK, on_fail=Decision.REFER),
]


def ancestor_codes(region: Region) -> list[str]:
    """The region's code and those of every region above it (GB/T 2260 prefixes, zero-padded)."""
    codes = [region.code]
    for level in range(region.level - 1, 0, -1):
        codes.append(Region.prefix_of(region.code, level).ljust(Region.CODE_LENGTH[level], "0"))
    return codes


def _with_checks(qs: Any) -> Any:
    return qs.prefetch_related(Prefetch("checks", queryset=PolicyCheck.objects.order_by("position", "pk")))


def in_force(site: Site, at: datetime | None = None) -> AdmissionPolicy | None:
    """The policy that applies at `site` at `at` (now): the site's own latest version in force,
    else the one of the nearest region above it."""
    at = at or timezone.now()
    own = _with_checks(AdmissionPolicy.objects.filter(site=site, effective_from__lte=at)).first()
    if own is not None:
        return own
    codes = ancestor_codes(site.region)
    candidates = list(
        _with_checks(
            AdmissionPolicy.objects.filter(region__code__in=codes, effective_from__lte=at).select_related("region")
        )
    )
    if not candidates:
        return None
    # Nearest region first (the longest code prefix), then the latest version there.
    return max(candidates, key=lambda p: (p.region.level, p.effective_from))


def versions_for(site: Site) -> Any:
    """Every version that can apply at the site, newest first: its own and its regions'."""
    codes = ancestor_codes(site.region)
    return _with_checks(
        AdmissionPolicy.objects.filter(Q(site=site) | Q(region__code__in=codes)).select_related("site", "region")
    )


def _check_from(spec: CheckSpec, position: int) -> PolicyCheck:
    try:
        kind = CheckKind(spec.kind)
    except ValueError:
        raise ValidationError({"checks": _("Unknown check: %(kind)s") % {"kind": spec.kind}}) from None
    check = PolicyCheck(kind=kind, position=position, on_fail=spec.on_fail, on_doubt=spec.on_doubt)
    name = CHECK_PARAMETER.get(kind)
    if name:
        if spec.parameter is None:
            raise ValidationError({f"{kind}_parameter": _("“%(check)s” needs its value.") % {"check": kind.label}})
        setattr(check, name, spec.parameter)
    return check


@durable
def create_policy(
    actor: User | None,
    *,
    name: str,
    checks: list[CheckSpec],
    site: Site | None = None,
    region: Region | None = None,
    effective_from: datetime | None = None,
    note: str = "",
) -> AdmissionPolicy:
    """A new version for a site or a region, in force from `effective_from` (now if not given)."""
    if (site is None) == (region is None):
        raise ValidationError(_("A policy applies to a site or to a region."))
    if site is not None:
        require(may_manage_site(actor, site))
    else:
        assert region is not None
        require(may_set_region_policy(actor, region))
    now = timezone.now()
    effective_from = effective_from or now
    # People cannot rewrite the past (check-ins were judged by what was in force); the demo
    # loader and imports of old records (actor None) can.
    if actor is not None and effective_from < now - timedelta(minutes=5):
        raise ValidationError({"effective_from": _("A new version cannot start in the past.")})
    if not checks:
        raise ValidationError({"checks": _("Choose at least one check.")})
    kinds = [c.kind for c in checks]
    if len(set(kinds)) != len(kinds):
        raise ValidationError({"checks": _("Each check can appear once.")})
    built = [_check_from(spec, i) for i, spec in enumerate(checks)]
    policy = AdmissionPolicy(site=site, region=region, name=name, effective_from=effective_from, note=note)
    policy.created_by = actor if actor is not None and actor.pk else None
    policy.full_clean()
    policy.save()
    for check in built:
        check.policy = policy
        check.full_clean()
    PolicyCheck.objects.bulk_create(built)
    where = site or region
    audit.record(
        actor,
        "screening.policy_created",
        policy,
        changes={
            "applies_to": [None, str(where)],
            "effective_from": [None, effective_from.isoformat()],
            "checks": [None, [c.kind for c in built]],  # the version itself keeps every parameter
        },
        organisation_id=site.organisation_id if site else None,
        region_code=(site.region.code if site else region.code if region else ""),
    )
    return policy


@durable
def withdraw_policy(actor: User | None, policy: AdmissionPolicy) -> None:
    """Drop a version announced for later; one already in force stays (check-ins cite it)."""
    policy = (
        AdmissionPolicy.objects.select_for_update(of=("self",))
        .select_related("site__region", "region")
        .get(pk=policy.pk)
    )
    if policy.site is not None:
        require(may_manage_site(actor, policy.site))
    else:
        assert policy.region is not None
        require(may_set_region_policy(actor, policy.region))
    if policy.effective_from <= timezone.now():
        raise ValidationError(_("This version is already in force; add a new version instead."))
    audit.record(
        actor,
        "screening.policy_withdrawn",
        policy,
        organisation_id=policy.site.organisation_id if policy.site else None,
        region_code=policy.site.region.code if policy.site else policy.region.code if policy.region else "",
    )
    policy.delete()


def copy_specs(policy: AdmissionPolicy) -> list[CheckSpec]:
    """A version's checks, to start the next version from."""
    return [CheckSpec(c.kind, c.parameter, c.on_fail, c.on_doubt) for c in policy.checks.all()]
