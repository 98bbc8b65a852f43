from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class IdempotencyKey(models.Model):
    """A request a phone may resend: the first one acts, the rest get its stored answer."""

    scope = models.CharField(_("scope"), max_length=64)  # whose key: "user:12", "public:site:3"
    key = models.CharField(_("key"), max_length=100)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True)
    response_body = models.JSONField(_("response body"), null=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_key_unique_in_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"


class Job(models.Model):
    """A piece of background work a person started and watches (an import, a plan, a broadcast)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), on_delete=models.SET_NULL, null=True
    )
    task_result_id = models.CharField(_("task id"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.QUEUED)
    done = models.PositiveIntegerField(pgettext_lazy("items processed", "done"), default=0)
    total = models.PositiveIntegerField(_("total"), null=True, blank=True)
    message = models.CharField(_("message"), max_length=300, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("background job")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(total__isnull=True) | Q(done__lte=F("total")),
                name="job_done_not_above_total",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running"]) | Q(finished_at__isnull=False),
                name="job_finished_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.SUCCEEDED, self.Status.FAILED}

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.total:
            return 0
        return min(100, round(100 * self.done / self.total))


class PeriodicRun(models.Model):
    """One scheduled slot of a periodic job, claimed by exactly one worker.

    Several workers may run on several hosts; the unique constraint is what makes
    "enqueue the 03:00 purge" happen once.
    """

    name = models.CharField(pgettext_lazy("thing", "name"), max_length=64)
    slot = models.DateTimeField(_("scheduled for"))
    task_result_id = models.CharField(_("task id"), max_length=64, blank=True)
    enqueued_at = models.DateTimeField(_("enqueued at"), auto_now_add=True)

    class Meta:
        verbose_name = _("periodic run")
        constraints = [
            models.UniqueConstraint(fields=["name", "slot"], name="periodic_run_once_per_slot"),
        ]

    def __str__(self) -> str:
        return f"{self.name} @ {timezone.localtime(self.slot):%Y-%m-%d %H:%M}"


class RateEvent(models.Model):
    """One request that counts against a limit (a venue's check-ins, an address's tries), kept a
    day. In the database, so every web process and host counts the same."""

    key = models.CharField(_("counted against"), max_length=120)  # "checkin-venue:3", "checkin-address:1.2.3.4"
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("rate-limited request")
        indexes = [models.Index(fields=["key", "at"], name="rate_event_key_at")]

    def __str__(self) -> str:
        return f"{self.key} @ {timezone.localtime(self.at):%Y-%m-%d %H:%M:%S}"


class WorkerHeartbeat(models.Model):
    """A running worker says it is alive (fugong.core.heartbeat); /readyz reads the freshest.

    One row per worker process, named host:pid, written every few seconds and deleted when the
    worker stops cleanly; a row left by a killed worker goes stale and is ignored, then removed.
    """

    name = models.CharField(_("worker"), max_length=200)  # host:pid
    started_at = models.DateTimeField(_("started at"))
    last_seen = models.DateTimeField(_("last seen"), db_index=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        constraints = [models.UniqueConstraint(fields=["name"], name="worker_heartbeat_one_per_worker")]

    def __str__(self) -> str:
        return self.name
