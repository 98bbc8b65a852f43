from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from fugong.accounts.models import Membership
from fugong.core.http import AuthedRequest
from fugong.core.models import Job

from .dashboard import sections_for


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    """Today's work from each module the user belongs to, the most urgent first."""
    memberships = Membership.objects.filter(user=request.user).select_related("organisation", "region", "site")
    roles = [
        " · ".join(str(part) for part in (m.role_label, m.organisation or m.region, m.site) if part)
        for m in memberships
    ]
    context = {
        "sections": sections_for(request.user),
        "roles": roles,
        "today": timezone.localdate(),
        "jobs": Job.objects.filter(created_by=request.user)[:5],
    }
    return render(request, "site/home.html", context)
