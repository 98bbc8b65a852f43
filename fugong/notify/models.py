"""Outbound messages: channels, templates per message kind, the outbox, opt-outs."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fugong.core.masking import mask_recipient

from .kinds import label_of


class ChannelKind(models.TextChoices):
    CONSOLE = "console", _("Console / file (nothing leaves the machine)")
    EMAIL = "email", _("E-mail")
    ALIYUN_SMS = "aliyun_sms", _("SMS via Aliyun")
    TENCENT_SMS = "tencent_sms", _("SMS via Tencent Cloud")
    WECOM_ROBOT = "wecom_robot", _("WeCom group robot")
    DINGTALK_ROBOT = "dingtalk_robot", _("DingTalk group robot")


class Channel(models.Model):
    """A configured way out: an SMS account, a robot webhook, the mail server, the console."""

    name = models.CharField(pgettext_lazy("thing", "name"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ChannelKind)
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=_("Empty: available to the whole platform."),
    )
    # A platform channel (no organisation) may belong to a county: its coordinators (and the city's)
    # send through it, no one elsewhere does. One platform channel may be the default, the
    # one everyone who may send falls back on when they have none of their own.
    region = models.ForeignKey(
        "directory.Region",
        verbose_name=_("county"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Its coordinators send through it. Empty: the whole platform."),
    )
    is_default = models.BooleanField(
        _("platform default"),
        default=False,
        help_text=_("Offered to everyone who may send and has no channel of their own."),
    )
    options = models.JSONField(_("options"), default=dict, blank=True)  # sign name, app id, path, ...
    secret = models.TextField(_("secret (encrypted)"), blank=True)  # Fernet token; see crypto.py
    rate_per_minute = models.PositiveIntegerField(_("messages per minute"), default=600)
    daily_quota_per_recipient = models.PositiveIntegerField(_("messages per recipient per day"), default=20)
    is_active = models.BooleanField(_("active"), default=True)
    # Set by the engine when the provider says the account cannot send (balance, credentials,
    # muted robot); cleared when it expires, when an admin resumes it or saves the channel.
    paused_until = models.DateTimeField(_("paused until"), null=True, blank=True)
    pause_reason = models.CharField(_("why it is paused"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("channel")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ChannelKind.values), name="channel_kind_valid"),
            models.CheckConstraint(condition=Q(rate_per_minute__gte=1), name="channel_rate_positive"),
            models.CheckConstraint(
                condition=Q(region__isnull=True) | Q(organisation__isnull=True), name="channel_region_is_platform"
            ),
            models.CheckConstraint(
                condition=Q(is_default=False) | Q(organisation__isnull=True, region__isnull=True),
                name="channel_default_is_platform_wide",
            ),
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="channel_one_default"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_paused(self) -> bool:
        return self.paused_until is not None and self.paused_until > timezone.now()


class MessageTemplate(models.Model):
    """What a message kind (order_dispatched, volunteer_call, ...) looks like on one channel."""

    kind = models.SlugField(_("message kind"), max_length=60)
    channel = models.ForeignKey(Channel, verbose_name=_("channel"), on_delete=models.CASCADE, related_name="templates")
    provider_template = models.CharField(
        _("provider template code"),
        max_length=60,
        blank=True,
        help_text=_("SMS_123456789 (Aliyun) or 1234567 (Tencent)"),
    )
    text = models.TextField(_("text"), help_text=_("Named parameters in braces: {shop} 您的订单预计 {eta} 送达。"))
    parameters = models.JSONField(_("parameters, in order"), default=list, blank=True)

    class Meta:
        verbose_name = _("message template")
        constraints = [models.UniqueConstraint(fields=["kind", "channel"], name="template_unique_per_channel")]

    def __str__(self) -> str:
        return f"{label_of(self.kind)} @ {self.channel}"


class Broadcast(models.Model):
    """One message kind sent to a recipient list chosen from a module's query."""

    title = models.CharField(_("title"), max_length=120)
    channel = models.ForeignKey(Channel, verbose_name=_("channel"), on_delete=models.PROTECT, related_name="broadcasts")
    kind = models.SlugField(_("message kind"), max_length=60)
    source = models.CharField(_("recipients"), max_length=60)
    filters = models.JSONField(_("filters"), default=dict, blank=True)  # the audience's, as chosen
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    total = models.PositiveIntegerField(_("recipients"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("broadcast")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Not sent")  # opted out, over quota
    UNCERTAIN = "uncertain", _("Uncertain")  # the worker died mid-send and the provider cannot say


class Message(models.Model):
    channel = models.ForeignKey(Channel, verbose_name=_("channel"), on_delete=models.PROTECT, related_name="messages")
    kind = models.SlugField(_("message kind"), max_length=60)
    recipient = models.CharField(_("recipient"), max_length=254)  # E.164 mobile, e-mail, or "" for a robot
    parameters = models.JSONField(_("parameters"), default=dict)
    body = models.TextField(_("text"))
    status = models.CharField(_("status"), max_length=12, choices=MessageStatus, default=MessageStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claim_token = models.CharField(_("claim token"), max_length=32, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    provider_id = models.CharField(_("provider id"), max_length=100, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    client_key = models.CharField(_("client key"), max_length=100, blank=True)  # idempotent enqueue from the API
    broadcast = models.ForeignKey(
        Broadcast, verbose_name=_("broadcast"), on_delete=models.CASCADE, null=True, blank=True, related_name="messages"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["channel", "status", "next_attempt_at"], name="message_due"),
            models.Index(fields=["channel", "claimed_at"], name="message_recent_claims"),
            models.Index(fields=["channel", "recipient", "claimed_at"], name="message_recipient_claims"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=MessageStatus.values), name="message_status_valid"),
            models.CheckConstraint(
                condition=~Q(status="sending") | Q(lease_until__isnull=False, claim_token__gt=""),
                name="message_sending_is_claimed",
            ),
            models.UniqueConstraint(
                fields=["created_by", "client_key"], condition=~Q(client_key=""), name="message_client_key_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.channel}"


class MessageEvent(models.Model):
    """A message's history: queued, each attempt's outcome, reconciliation."""

    message = models.ForeignKey(Message, verbose_name=_("message"), on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("time"), default=timezone.now)
    status = models.CharField(_("status"), max_length=12, choices=MessageStatus)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_status_display()} @ {timezone.localtime(self.at):%H:%M:%S}"


class OptOut(models.Model):
    """Someone who asked not to get messages (on one kind of channel, or any)."""

    recipient = models.CharField(_("recipient"), max_length=254)
    channel_kind = models.CharField(_("channel kind"), max_length=20, choices=ChannelKind, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    # Who took the request (empty: a coordinator or the platform); only they may lift it.
    organisation = models.ForeignKey(
        "directory.Organisation", verbose_name=_("recorded by"), on_delete=models.SET_NULL, null=True, blank=True
    )
    # Taken by a coordinator: the region they coordinate (its code prefix); those who coordinate
    # it see and lift the entry, nobody in another county does. Empty with no organisation: the platform.
    region_code = models.CharField(_("region code"), max_length=12, blank=True, db_index=True)

    class Meta:
        verbose_name = _("opt-out")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "channel_kind"], name="opt_out_once"),
            models.CheckConstraint(
                condition=Q(channel_kind="") | Q(channel_kind__in=ChannelKind.values), name="opt_out_kind_valid"
            ),
        ]

    def __str__(self) -> str:  # masked: this text reaches the audit log
        return mask_recipient(self.recipient)
