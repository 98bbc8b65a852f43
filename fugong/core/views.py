from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from prometheus_client import CONTENT_TYPE_LATEST

from fugong.core.http import AuthedRequest

from . import metrics as monitoring
from . import readiness
from .models import Job


@login_required
def job_progress(request: AuthedRequest, job_id: int) -> HttpResponse:
    """The progress card of a job; htmx polls it every second until the job finishes."""
    job = Job.objects.filter(pk=job_id, created_by=request.user).first()
    if job is None:
        raise Http404
    return render(request, "core/_job.html", {"job": job})


HEALTHY = b'{"status": "ok"}'


def healthz(request: HttpRequest) -> HttpResponse:
    """For the load balancer and the benchmarks' reference: the process answers (no database)."""
    return HttpResponse(HEALTHY, content_type="application/json")


@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    """Each readiness check's outcome and the verdict: 200 ready, 503 not (fugong.core.readiness)."""
    ready, checks = readiness.run_checks()
    return JsonResponse({"status": "ready" if ready else "unready", "checks": checks}, status=200 if ready else 503)


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus's scrape, for the bearer of METRICS_TOKEN or an allowed address; for anyone else no such page."""
    if not monitoring.may_read(request):
        raise Http404
    return HttpResponse(monitoring.exposition(), content_type=CONTENT_TYPE_LATEST)
