from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from fugong.accounts.models import Membership
from fugong.core.http import AuthedRequest

from .dashboard import sections_for
from .models import Job


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
    return render(request, "core/home.html", context)


@login_required
def job_progress(request: AuthedRequest, job_id: int) -> HttpResponse:
    """The progress card of a job; htmx polls it every second until the job finishes."""
    job = Job.objects.filter(pk=job_id, created_by=request.user).first()
    if job is None:
        raise Http404
    return render(request, "core/_job.html", {"job": job})


def healthz(request: HttpRequest) -> HttpResponse:
    """For the load balancer and the benchmarks' reference: the process answers (no database)."""
    return HttpResponse("ok", content_type="text/plain")
