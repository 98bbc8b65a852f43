from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fugong.core.http import client_ip
from fugong.core.validators import clean_mobile

from .models import COUNTY_LEVEL, Membership, Role, User
from .services import clear_login_failures, login_blocked, record_login_failure


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("User name or mobile number"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}),
    )

    def clean(self) -> dict[str, Any]:
        login = self.cleaned_data.get("username") or ""
        address = client_ip(self.request) if self.request is not None else None
        if login and login_blocked(login, address):
            raise forms.ValidationError(
                _("Too many failed sign-ins. Please wait a quarter of an hour, or ask your administrator."),
                code="throttled",
            )
        try:
            data = super().clean()
        except forms.ValidationError:
            if login:
                record_login_failure(login, address)
            raise
        clear_login_failures(login)
        return data


class PasswordForm(PasswordChangeForm):
    """Checks the old password and the new one's strength; the view saves through the service."""


def _targets(field: str) -> Any:
    """The rows a membership's `field` may point to (the directory's organisations, regions,
    sites), reached through the foreign key as a ModelForm would: accounts sits below the
    directory and imports none of it."""
    return Membership._meta.get_field(field).related_model._default_manager  # type: ignore[union-attr]


class MembershipForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    organisation: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("Organisation"), queryset=None, required=False
    )
    region: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("Region"), queryset=None, required=False)
    site: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("Site"), queryset=None, required=False)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        from .permissions import scope_of

        super().__init__(*args, **kwargs)
        scope = scope_of(actor)
        organisations = _targets("organisation").select_related("region").filter(scope.q_manages_organisation())
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        regions = _targets("region").filter(level__lte=COUNTY_LEVEL)
        if not scope.is_platform_admin:
            # Offer only the roles services.can_grant allows this person: an organisation's
            # administrator without a region grants no coordinator and needs no region list.
            regions = regions.filter(scope.q_region("code"))
            withheld = (
                {Role.PLATFORM_ADMIN} if scope.region_prefixes else {Role.PLATFORM_ADMIN, Role.COUNTY_COORDINATOR}
            )
            role_field = self.fields["role"]
            assert isinstance(role_field, forms.ChoiceField)
            role_field.choices = [c for c in Role.choices if c[0] not in withheld]
            if not scope.region_prefixes:
                del self.fields["region"]
        if "region" in self.fields:
            self.fields["region"].queryset = regions  # type: ignore[attr-defined]
        sites = _targets("site").select_related("organisation").filter(scope.q_manages_organisation("organisation__"))
        self.fields["site"].queryset = sites  # type: ignore[attr-defined]

    def membership(self) -> Membership:
        data = self.cleaned_data
        role = data["role"]
        return Membership(
            role=role,
            organisation=data["organisation"] if role not in {Role.PLATFORM_ADMIN, Role.COUNTY_COORDINATOR} else None,
            region=data["region"] if role == Role.COUNTY_COORDINATOR else None,
            site=data["site"] if role == Role.SITE_STAFF else None,
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        role = data.get("role")
        if role in {Role.ORG_ADMIN, Role.SITE_STAFF, Role.VOLUNTEER} and not data.get("organisation"):
            self.add_error("organisation", _("Choose the organisation this role belongs to."))
        if role == Role.COUNTY_COORDINATOR and not data.get("region"):
            self.add_error("region", _("Choose the region this coordinator looks after."))
        site = data.get("site")
        if site and data.get("organisation") and site.organisation_id != data["organisation"].pk:
            self.add_error("site", _("This site belongs to another organisation."))
        return data


class UserCreateForm(MembershipForm):
    username = forms.CharField(label=_("User name"), max_length=150)
    full_name = forms.CharField(label=_("Full name"), max_length=60)
    mobile = forms.CharField(label=_("Mobile"), max_length=20, required=False)
    password = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput, min_length=8)

    field_order = ["username", "full_name", "mobile", "password", "role", "organisation", "region", "site"]

    def clean_mobile(self) -> str:
        value = self.cleaned_data.get("mobile", "")
        return clean_mobile(value) if value else ""

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if User.objects.filter(username=username).exists():
            raise forms.ValidationError(_("This user name is taken."))
        return username


class UserEditForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=60)
    mobile = forms.CharField(label=_("Mobile"), max_length=20, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False)

    def clean_mobile(self) -> str:
        value = self.cleaned_data.get("mobile", "")
        return clean_mobile(value) if value else ""


class TokenForm(forms.Form):
    name = forms.CharField(
        label=pgettext_lazy("thing", "Name"),
        max_length=60,
        help_text=_("For example: the phone at the Baqiu network point"),
    )
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=730, initial=180)
