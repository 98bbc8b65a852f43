from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from fugong.core.http import AuthedRequest

from .models import Job


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
