"""Every change in notify: channels, templates, opt-outs, and putting messages in the outbox."""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fugong.accounts import audit
from fugong.accounts.models import User
from fugong.accounts.permissions import require, scope_of
from fugong.core.transactions import durable
from fugong.core.validators import clean_mobile

from . import crypto, kinds
from .models import Broadcast, Channel, ChannelKind, Message, MessageEvent, MessageStatus, MessageTemplate, OptOut
from .queries import opted_out_among
from .rendering import check_template, render

CHANNEL_FIELDS = (
    "name",
    "kind",
    "organisation",
    "region",
    "is_default",
    "options",
    "rate_per_minute",
    "daily_quota_per_recipient",
    "is_active",
)


def can_manage_channel(actor: User | None, channel: Channel) -> bool:
    if actor is None:
        return True
    scope = scope_of(actor)
    if channel.organisation_id is None:
        return scope.is_platform_admin
    return scope.is_platform_admin or channel.organisation_id in scope.admin_org_ids


@durable
def save_channel(
    actor: User | None, channel: Channel | None = None, *, secret: str | None = None, **fields: Any
) -> Channel:
    """Create or change a channel; a new secret is stored encrypted and never audited."""
    creating = channel is None
    channel = channel or Channel()
    before = {} if creating else _channel_state(channel)
    if "options" in fields:
        fields["options"] = crypto.keep_redacted(fields["options"], channel.options)
    for name, value in fields.items():
        setattr(channel, name, value)
    require(can_manage_channel(actor, channel))
    if secret is not None:
        channel.secret = crypto.encrypt(secret)
    if not creating and channel.is_paused:  # an admin changed the configuration: try it
        _lift_pause(channel)
    _check_reach(channel)
    if channel.is_default:  # one default: the new one takes over (rolled back if this one is refused)
        Channel.objects.filter(is_default=True).exclude(pk=channel.pk).update(is_default=False)
    channel.full_clean()
    channel.save()
    changes = audit.diff(before, _channel_state(channel))
    if secret is not None:
        changes["secret"] = ["***", "***"]
    audit.record(
        actor,
        "channel.create" if creating else "channel.update",
        channel,
        changes=changes,
        organisation_id=channel.organisation_id,
    )
    return channel


@durable
def resume_channel(actor: User | None, channel: Channel) -> None:
    """An admin topped up the account or fixed it: send the held messages now."""
    require(can_manage_channel(actor, channel))
    channel = Channel.objects.select_for_update().get(pk=channel.pk)
    if channel.paused_until is None:  # a second click, or the pause already ended
        return
    reason = channel.pause_reason
    _lift_pause(channel)
    channel.save(update_fields=["paused_until", "pause_reason"])
    audit.record(
        actor,
        "channel.resume",
        channel,
        changes={"pause_reason": [reason, ""]},
        organisation_id=channel.organisation_id,
    )
    transaction.on_commit(lambda: _wake_dispatcher(channel.pk))


def _check_reach(channel: Channel) -> None:
    """A county's channel and the default are the platform's, not an organisation's."""
    if channel.organisation_id is not None and channel.region_id is not None:
        raise ValidationError(
            {"region": _("An organisation's channel serves that organisation; leave the county empty.")}
        )
    if channel.is_default and (channel.organisation_id is not None or channel.region_id is not None):
        raise ValidationError(
            {"is_default": _("The platform default serves everyone: it has no organisation and no county.")}
        )


def _lift_pause(channel: Channel) -> None:
    """Messages held by the pause become due now (callers check the channel is paused)."""
    now = timezone.now()
    Message.objects.filter(
        channel=channel, status=MessageStatus.QUEUED, next_attempt_at__gt=now, next_attempt_at__lte=channel.paused_until
    ).update(next_attempt_at=now)
    channel.paused_until, channel.pause_reason = None, ""


def _channel_state(channel: Channel) -> dict[str, Any]:
    state = audit.snapshot(channel, tuple(f for f in CHANNEL_FIELDS if f != "options"))
    state["options"] = str(crypto.redact_options(channel.options))
    return state


@durable
def save_template(
    actor: User | None, channel: Channel, *, kind: str, text: str, parameters: list[str], provider_template: str = ""
) -> MessageTemplate:
    """Define how a message kind reads on a channel; the text is checked against its parameters."""
    return _save_template(
        actor, channel, kind=kind, text=text, parameters=parameters, provider_template=provider_template
    )


def _save_template(
    actor: User | None, channel: Channel, *, kind: str, text: str, parameters: list[str], provider_template: str = ""
) -> MessageTemplate:
    """The work of the service above, inside the caller's transaction."""
    require(can_manage_channel(actor, channel))
    check_template(text, parameters)
    template = MessageTemplate.objects.filter(channel=channel, kind=kind).first() or MessageTemplate(
        channel=channel, kind=kind
    )
    template.text, template.parameters, template.provider_template = text, list(parameters), provider_template
    template.full_clean()
    template.save()
    audit.record(
        actor,
        "message_template.save",
        template,
        changes={"text": [None, text]},
        organisation_id=channel.organisation_id,
    )
    return template


@durable
def delete_template(actor: User | None, channel: Channel, kind: str) -> None:
    require(can_manage_channel(actor, channel))
    template = MessageTemplate.objects.filter(channel=channel, kind=kind).first()
    if template is not None:
        audit.record(actor, "message_template.delete", template, organisation_id=channel.organisation_id)
        template.delete()


def may_keep_opt_outs(actor: User | None) -> bool:
    """Whoever runs an outbox takes a person's "no more messages" (by phone, at the counter)."""
    return actor is None or scope_of(actor).has_role("county_coordinator", "org_admin")


def may_lift_opt_out(actor: User | None, entry: OptOut) -> bool:
    """Whoever took it: the organisation's administrators, or the coordinators of the region
    it was taken in (never another county's), or the platform's administrators."""
    if actor is None:
        return True
    scope = scope_of(actor)
    if scope.is_platform_admin:
        return True
    if entry.organisation_id is not None:
        return entry.organisation_id in scope.admin_org_ids
    return bool(entry.region_code) and scope.covers_region(entry.region_code)


def q_visible_opt_outs(actor: User) -> Q:
    """The entries a person keeps (may_lift_opt_out): every opt-out is honoured everywhere, but
    each office lists only the ones it took."""
    scope = scope_of(actor)
    if scope.is_platform_admin:
        return Q()
    return Q(organisation_id__in=scope.admin_org_ids) | (Q(organisation__isnull=True) & scope.q_region("region_code"))


def opt_out_address(recipient: str) -> str:
    """An opt-out is for a person, whatever the channel: an e-mail address or an E.164 mobile."""
    if "@" in recipient:
        return normalise_recipient(ChannelKind.EMAIL, recipient)
    return clean_mobile(recipient)


@durable
def opt_out(actor: User | None, recipient: str, *, channel_kind: str = "", note: str = "") -> OptOut:
    """Nothing more goes to this recipient (on one kind of channel, or on any); saying it twice
    changes nothing."""
    require(may_keep_opt_outs(actor))
    if channel_kind and channel_kind not in ChannelKind.values:
        raise ValidationError({"channel_kind": _("Unknown channel kind: %(kind)s") % {"kind": channel_kind}})
    try:
        address = opt_out_address(recipient)
    except ValidationError as error:
        raise ValidationError({"recipient": error.messages}) from None
    scope = scope_of(actor) if actor is not None else None
    admin_of = sorted(scope.admin_org_ids) if scope is not None else []
    region_code = scope.region_prefixes[0] if scope is not None and scope.region_prefixes and not admin_of else ""
    entry, created = OptOut.objects.get_or_create(
        recipient=address,
        channel_kind=channel_kind,
        defaults={"note": note, "organisation_id": admin_of[0] if admin_of else None, "region_code": region_code},
    )
    if created:
        # The audit shows the entry masked (OptOut.__str__): the number itself is personal data.
        audit.record(actor, "notify.opt_out", entry, changes={"channel_kind": [None, channel_kind]})
    return entry


@durable
def cancel_opt_out(actor: User | None, entry: OptOut) -> None:
    """The person asked to get messages again. Only whoever took the opt-out may lift it."""
    require(may_lift_opt_out(actor, entry))
    audit.record(actor, "notify.opt_out_cancel", entry, changes={"channel_kind": [entry.channel_kind, None]})
    entry.delete()


@durable
def send(
    actor: User | None,
    channel: Channel,
    kind: str,
    recipients: Iterable[str],
    parameters: Mapping[str, Any] | None = None,
    *,
    per_recipient: Mapping[str, Mapping[str, Any]] | None = None,
) -> int:
    """Messages someone asked for (the API): `enqueue` in a transaction of their own."""
    return enqueue(actor, channel, kind, recipients, parameters, per_recipient=per_recipient)


def enqueue(
    actor: User | None,
    channel: Channel,
    kind: str,
    recipients: Iterable[str],
    parameters: Mapping[str, Any] | None = None,
    *,
    per_recipient: Mapping[str, Mapping[str, Any]] | None = None,
    client_key: str = "",
    broadcast: Broadcast | None = None,
) -> int:
    """Put one message per recipient in the outbox; the worker sends them. Returns how many.

    `per_recipient` adds parameters for individual recipients (the shop's own order time).
    Recipients who opted out are recorded as not sent. With a `client_key`, a resent
    request enqueues nothing more. Runs in the caller's transaction: the services that tell
    people call it.
    """
    if not channel.is_active:
        raise ValidationError(_("The channel “%(name)s” is switched off.") % {"name": channel.name})
    template = MessageTemplate.objects.filter(channel=channel, kind=kind).first()
    if template is None:
        raise ValidationError(
            _("The channel “%(name)s” has no template for “%(kind)s”.") % {"name": channel.name, "kind": kind}
        )
    base = dict(parameters or {})
    recipients = list(dict.fromkeys(normalise_recipients(channel.kind, list(recipients))))  # once each, in order
    per_recipient = {normalise_recipient(channel.kind, k): v for k, v in (per_recipient or {}).items()}
    opted_out = opted_out_among(recipients, channel.kind)
    now = timezone.now()
    author = actor.pk if actor is not None and actor.pk else None
    shared_body = None if per_recipient else render(template.text, base)  # a broadcast renders once
    rows = []
    for index, recipient in enumerate(recipients):
        values = {**base, **per_recipient.get(recipient, {})} if per_recipient else base
        skipped = recipient in opted_out
        rows.append(
            {
                "channel_id": channel.pk,
                "kind": kind,
                "recipient": recipient,
                "parameters": values,
                "body": shared_body if shared_body is not None else render(template.text, values),
                "status": MessageStatus.SKIPPED if skipped else MessageStatus.QUEUED,
                "error": "opted out" if skipped else "",
                "created_by_id": author,
                "client_key": client_key if index == 0 else "",
                "broadcast_id": broadcast.pk if broadcast else None,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
                "claim_token": "",
                "provider_id": "",
            }
        )
    try:
        with transaction.atomic():
            insert_messages(rows)
    except IntegrityError:
        if client_key and Message.objects.filter(created_by=actor, client_key=client_key).exists():
            return 0  # the same request came again: already in the outbox
        raise
    transaction.on_commit(lambda: _wake_dispatcher(channel.pk))
    return len(rows)


SMS_KINDS = frozenset({ChannelKind.ALIYUN_SMS, ChannelKind.TENCENT_SMS, ChannelKind.CONSOLE})


MAX_ADDRESS = Message._meta.get_field("recipient").max_length or 254


def normalise_recipient(channel_kind: str, value: str) -> str:
    """One form per recipient, so opt-outs and quotas match: E.164 mobiles on SMS channels
    (and the console, which stands in for them), checked addresses for e-mail; robots take
    a mobile to @-mention (E.164 too, so opt-outs match), or nothing."""
    if channel_kind in SMS_KINDS:
        return clean_mobile(value)
    if channel_kind == ChannelKind.EMAIL:
        validate_email(value.strip())
        if len(value.strip()) > MAX_ADDRESS:  # the validator allows 320
            raise ValidationError(_("An e-mail address has at most %(n)d characters.") % {"n": MAX_ADDRESS})
        return value.strip()
    return clean_mobile(value) if value.strip() else ""  # a robot @-mentions by mobile, or no one


def normalise_recipients(channel_kind: str, values: list[str]) -> list[str]:
    """All recipients normalised; errors name each bad one's position (recipients.3)."""
    cleaned, errors = [], {}
    for index, value in enumerate(values):
        try:
            cleaned.append(normalise_recipient(channel_kind, value))
        except ValidationError as error:
            errors[f"recipients.{index}"] = error.messages
    if errors:
        raise ValidationError(errors)
    return cleaned


def insert_messages(rows: list[dict[str, Any]]) -> None:
    """Insert outbox rows in bulk: a broadcast to every account of a county is tens of
    thousands of rows, and the ORM's per-field preparation would dominate. PostgreSQL takes
    them through COPY; other databases through one executemany."""
    columns = list(rows[0])
    fields = {name: _concrete_field(name) for name in columns}
    quote = connection.ops.quote_name
    table = quote(Message._meta.db_table)
    column_list = ", ".join(quote(str(fields[name].column)) for name in columns)
    prepared: dict[int, Any] = {}

    def prepare(name: str, value: Any) -> Any:
        if name == "parameters":  # often the same dict for every row: prepare it once
            if id(value) not in prepared:
                prepared[id(value)] = fields[name].get_db_prep_save(value, connection)
            return prepared[id(value)]
        if isinstance(value, datetime):
            return connection.ops.adapt_datetimefield_value(value)
        return value

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Raw COPY bypasses Django's cursor wrapper: map driver errors (a duplicate
            # client key) to Django's IntegrityError ourselves.
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row([prepare(name, row[name]) for name in columns])
            return
        # Names come from the model, quoted by the backend; values are parameters.
        sql = f"INSERT INTO {table} ({column_list}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
        cursor.executemany(sql, [[prepare(name, row[name]) for name in columns] for row in rows])


def _concrete_field(attname: str) -> models.Field[Any, Any]:
    """The field behind an attribute name ("channel_id" is the channel foreign key)."""
    for field in Message._meta.concrete_fields:
        if field.attname == attname:
            return field
    raise LookupError(attname)


def _wake_dispatcher(channel_id: int) -> None:
    from .tasks import dispatch_messages

    dispatch_messages.enqueue(channel_id)


@durable
def start_broadcast(
    actor: User,
    channel: Channel,
    kind: str,
    audience_key: str,
    parameters: Mapping[str, Any],
    *,
    title: str,
    filters: Mapping[str, str] | None = None,
) -> Broadcast:
    """Send one message kind to an audience the actor may reach, narrowed by its filters;
    each recipient's own parameters ({shop}, {name}) fill its message."""
    from . import recipients

    audience = recipients.get(actor, audience_key)
    chosen = recipients.checked_filters(actor, audience, filters or {})
    found = recipients.resolve(actor, audience_key, chosen)
    per_recipient = {r.address: dict(r.values) for r in found if r.values}
    return _broadcast(
        actor,
        channel,
        kind,
        [r.address for r in found],
        parameters,
        title=title,
        source=audience_key,
        per_recipient=per_recipient or None,
        filters=chosen,
    )


@durable
def broadcast(
    actor: User,
    channel: Channel,
    kind: str,
    recipients: list[str],
    parameters: Mapping[str, Any],
    *,
    title: str,
    source: str,
    per_recipient: Mapping[str, Mapping[str, Any]] | None = None,
) -> Broadcast:
    """Send one message kind to recipients a module selected (its own list or filters); the
    broadcast records how many and from which list, for the outbox's progress."""
    return _broadcast(
        actor, channel, kind, recipients, parameters, title=title, source=source, per_recipient=per_recipient
    )


def _broadcast(
    actor: User,
    channel: Channel,
    kind: str,
    recipients: list[str],
    parameters: Mapping[str, Any],
    *,
    title: str,
    source: str,
    per_recipient: Mapping[str, Mapping[str, Any]] | None = None,
    filters: Mapping[str, str] | None = None,
) -> Broadcast:
    """The work of the service above, inside the caller's transaction."""
    from .queries import usable_channels

    require(usable_channels(actor).filter(pk=channel.pk).exists())
    if not recipients:
        raise ValidationError({"audience": _("This list has nobody to send to.")})
    record = Broadcast.objects.create(
        title=title,
        channel=channel,
        kind=kind,
        source=source,
        filters=dict(filters or {}),
        parameters=dict(parameters),
        created_by=actor,
        total=len(recipients),
    )
    enqueue(actor, channel, kind, recipients, parameters, per_recipient=per_recipient, broadcast=record)
    audit.record(
        actor,
        "broadcast.start",
        record,
        changes={"recipients": [None, len(recipients)]},
        organisation_id=channel.organisation_id,
    )
    return record


TEST_KIND = kinds.register("channel_test", gettext_lazy("Test message"))


@durable
def send_test(actor: User | None, channel: Channel, recipient: str) -> int:
    """A test message through a channel, so an administrator sees it arrive."""
    require(can_manage_channel(actor, channel))
    if not channel.templates.filter(kind=TEST_KIND).exists():
        _save_template(
            actor, channel, kind=TEST_KIND, text="【复工】测试消息：{channel} 可以正常发送。", parameters=["channel"]
        )
    return enqueue(actor, channel, TEST_KIND, [recipient], {"channel": channel.name})


@durable
def resend(actor: User | None, message: Message) -> None:
    """A person decided an uncertain or failed message should go out again."""
    require(can_manage_channel(actor, message.channel))
    if message.status not in {MessageStatus.UNCERTAIN, MessageStatus.FAILED}:
        raise ValidationError(_("Only failed or uncertain messages can be sent again."))
    old = message.status
    updated = Message.objects.filter(pk=message.pk, status=old).update(
        status=MessageStatus.QUEUED, next_attempt_at=timezone.now(), attempts=0, error=""
    )
    if not updated:  # a second click, or someone else was quicker
        return
    MessageEvent.objects.create(message=message, status=MessageStatus.QUEUED, detail=f"resent by {actor}")
    audit.record(
        actor,
        "message.resend",
        message,
        changes={"status": [old, "queued"]},
        organisation_id=message.channel.organisation_id,
    )
    transaction.on_commit(lambda: _wake_dispatcher(message.channel_id))
