"""People, what they may do where (memberships), API tokens, and the audit log."""

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fugong.core.validators import clean_mobile


class User(AbstractUser):
    """A person who logs in, by user name or by mobile number."""

    full_name = models.CharField(_("full name"), max_length=60, blank=True)
    # E.164 (+8613812345678); personal data: masked in lists, never logged.
    mobile = models.CharField(_("mobile"), max_length=20, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    def clean(self) -> None:
        """A user name that reads as a mobile number would take that sign-in from whoever has
        the number (sign-in accepts either): it is refused."""
        super().clean()
        try:
            clean_mobile(self.username)
        except ValidationError:
            return
        raise ValidationError({"username": _("A user name cannot be a mobile number: people sign in with theirs.")})

    def get_full_name(self) -> str:
        return self.full_name or self.username


# directory.Region.Level.CITY and COUNTY (accounts sits below the directory)
CITY_LEVEL = 2
COUNTY_LEVEL = 3


class Role(models.TextChoices):
    PLATFORM_ADMIN = "platform_admin", _("Platform administrator")
    COUNTY_COORDINATOR = "county_coordinator", _("County coordinator")
    ORG_ADMIN = "org_admin", _("Organisation administrator")
    SITE_STAFF = "site_staff", _("Site staff")
    VOLUNTEER = "volunteer", _("Volunteer")


class Membership(models.Model):
    """A role a user holds, and where it applies.

    - platform administrator: everywhere (no organisation, no region);
    - county coordinator: everything inside a region (a county, or a city for a city office);
    - organisation administrator, site staff, volunteer: inside one organisation, staff
      optionally tied to one site.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role)
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
    )
    region = models.ForeignKey(
        "directory.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="coordinators",
    )
    site = models.ForeignKey(
        "directory.Site",
        verbose_name=_("site"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff_memberships",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role="platform_admin", organisation__isnull=True, region__isnull=True, site__isnull=True)
                    | Q(role="county_coordinator", region__isnull=False, organisation__isnull=True, site__isnull=True)
                    | Q(role__in=["org_admin", "volunteer"], organisation__isnull=False, site__isnull=True)
                    | Q(role="site_staff", organisation__isnull=False)
                ),
                name="membership_scope_matches_role",
            ),
            # Partial constraints rather than NULLS NOT DISTINCT, which SQLite lacks.
            models.UniqueConstraint(
                fields=["user", "role", "organisation"],
                condition=Q(organisation__isnull=False),
                name="membership_unique_in_organisation",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "region"],
                condition=Q(organisation__isnull=True, region__isnull=False),
                name="membership_unique_in_region",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(role="platform_admin"),
                name="membership_unique_platform_admin",
            ),
        ]

    def __str__(self) -> str:
        where = self.organisation or self.region or _("everywhere")
        return f"{self.role_label} · {where}"

    @property
    def role_label(self) -> str:
        """The role in words; a coordinator over a city (the city office) is not a county's."""
        if self.role == Role.COUNTY_COORDINATOR and self.region is not None and self.region.level <= CITY_LEVEL:
            return str(_("City coordinator"))
        return str(self.get_role_display())


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for a phone app or another system; only its hash is stored."""

    PREFIX = "fg_"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(pgettext_lazy("thing", "name"), max_length=60)
    key_hash = models.CharField(_("key fingerprint"), max_length=64, unique=True)
    hint = models.CharField(_("token begins with"), max_length=12)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class AuditEntry(models.Model):
    """Who changed what, when, and from where. Written by services, never edited."""

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("who"), on_delete=models.SET_NULL, null=True, blank=True
    )
    actor_label = models.CharField(_("who"), max_length=150)  # kept when the user is deleted
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    # Scope, so organisation administrators and coordinators see their own trail.
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    region_code = models.CharField(_("region code"), max_length=12, blank=True, db_index=True)
    source = models.CharField(
        pgettext_lazy("where a change came from", "from"), max_length=16
    )  # web, api, task, command
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("device"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return (
            f"{timezone.localtime(self.created_at):%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"
        )
