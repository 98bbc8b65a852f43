"""The audit log in the reader's words: what each recorded action was, and labels for the keys
services record that are not a field of the object (counts, a scope, a note on a change).

Entries keep codes (`plan.publish`, `zone_status`), so they can be searched and never change
language; these tables turn them into words when the log is read. A test checks that every
action and key a service records appears here (or is a model field).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import Role

ACTIONS = {
    # accounts
    "user.create": _("user created"),
    "user.update": _("user changed"),
    "user.password": _("password changed"),
    "membership.grant": _("role granted"),
    "membership.revoke": _("role removed"),
    "api_token.create": _("API token created"),
    "api_token.revoke": _("API token revoked"),
    "export.full_numbers": _("list downloaded with full mobiles"),
    "personal_data.erased": _("kept data erased after its retention period"),
    # directory
    "region.create": _("region created"),
    "region.update": _("region changed"),
    "region.zone_status": _("lockdown status changed"),
    "region.zone_status_scheduled": _("lockdown status change scheduled"),
    "region.zone_status_withdrawn": _("scheduled lockdown change withdrawn"),
    "organisation.create": _("organisation created"),
    "organisation.update": _("organisation changed"),
    "site.create": _("site created"),
    "site.update": _("site changed"),
    # notify
    "channel.create": _("channel created"),
    "channel.update": _("channel changed"),
    "channel.resume": _("channel resumed"),
    "message_template.save": _("message template saved"),
    "message_template.delete": _("message template removed"),
    "message.resend": _("message sent again"),
    "broadcast.start": _("broadcast started"),
    "notify.opt_out": _("opt-out recorded"),
    "notify.opt_out_cancel": _("opt-out withdrawn"),
    # delivery
    "shop.create": _("shop created"),
    "shop.update": _("shop changed"),
    "order.place": _("order placed"),
    "order.holds": _("orders held or released"),
    "vehicle.create": _("vehicle added"),
    "vehicle.update": _("vehicle changed"),
    "driver.create": _("driver added"),
    "driver.update": _("driver changed"),
    "plan.create": _("delivery plan created"),
    "plan.publish": _("delivery plan published"),
    "plan.close": _("delivery plan closed"),
    "plan.cancel": _("delivery plan cancelled"),
    "plan.stop_move": _("stop moved to another vehicle"),
    "plan.settings": _("delivery plan settings changed"),
    "plan.vehicle_add": _("vehicle added to a plan"),
    "plan.vehicle_remove": _("vehicle taken off a plan"),
    "route.link_renewed": _("driver's link renewed"),
    # screening
    "screening.venue_opened": _("screening started at a site"),
    "screening.venue_closed": _("screening ended at a site"),
    "screening.venue_code_rotated": _("venue code renewed"),
    "screening.policy_created": _("admission policy created"),
    "screening.policy_withdrawn": _("admission policy withdrawn"),
    "screening.referral_decided": _("referral decided"),
    "screening.disinfection_recorded": _("disinfection recorded"),
    "screening.purged": _("old check-ins deleted"),  # entries before core.erasure
    "screening.person_traced": _("one person's visits looked up by full number"),
    "screening.staff_fever_acted": _("what was done about a staff fever recorded"),
    # power
    "power.account.create": _("power account created"),
    "power.account.update": _("power account changed"),
    "power.accounts.import": _("power accounts imported"),
    "power.application.create": _("application taken"),
    "power.application.approved": _("application approved"),
    "power.application.rejected": _("application rejected"),
    "power.application.in_effect": _("suspension started"),
    "power.application.restoration_requested": _("restoration requested"),
    "power.application.restored": _("supply restored"),
    "power.application.extended": _("suspension extended"),
    "power.rules.save": _("suspension rules saved"),
    "power.tariff.set": _("capacity tariff set"),
    "power.window.save": _("hall window saved"),
    "power.hall.screen_renewed": _("hall screen link renewed"),
    "power.resident.create": _("resident registered"),
    "power.resident.update": _("resident changed"),
    "power.resident.end": _("resident's registration ended"),
    "power.residents.erased": _("ended registrations deleted"),  # entries before core.erasure
    "power.priority_call.create": _("priority call received"),
    "power.priority_call.assign": _("someone sent to a priority call"),
    "power.priority_call.repair_order": _("priority call made a repair order"),
    "power.home_visit.create": _("home visit recorded"),
    "power.revisit.done": _("revisit done"),
    # resumption
    "resumption.setup.save": _("index set-up saved"),
    "resumption.file.import": _("readings imported"),
    # volunteers
    "team.create": _("team created"),
    "team.update": _("team changed"),
    "team.leader": _("team leader set"),
    "member.create": _("member added"),
    "member.update": _("member changed"),
    "member.leave": _("member left"),
    "member.duty_link_renewed": _("duty link renewed"),
    "offer.create": _("offer recorded"),
    "offer.update": _("offer changed"),
    "offer.available": _("offer's time window added"),
    "offer.withdraw": _("offer withdrawn"),
    "help_call.open": _("call for help opened"),
    "help_call.send": _("call for help sent"),
    "help_call.confirm": _("people confirmed for a call"),
    "help_call.release": _("person stood down from a call"),
    "help_call.cancel": _("call for help cancelled"),
    "roster.plan": _("shifts planned"),
    "shift.assign": _("member put on a shift"),
    "shift.unassign": _("member taken off a shift"),
    "activity.record": _("activity recorded"),
    "aid.record": _("aid ledger entry"),
    "case.open": _("mediation case opened"),
    "case.session": _("mediation session recorded"),
    "case.close": _("mediation case closed"),
    "case.follow_up": _("mediation case followed up"),
}

CHANGE_LABELS = {
    "export": _("list"),
    "found": _("visits found"),
    "applies_to": _("applies to"),
    "checkins_deleted": _("check-ins deleted"),
    "checks": _("checks"),
    "count_rows": _("daily counts kept"),
    "confirmed": _("people confirmed"),
    "created": _("created"),
    "effective_from": _("effective from"),
    "member": _("member"),
    "next_on": _("Next revisit"),
    "n": pgettext_lazy("audit: a count or a scope", "rows"),
    "note": _("note"),
    "orders": pgettext_lazy("audit: a count or a scope", "orders"),
    "orders_held": _("orders held"),
    "orders_released": _("orders released"),
    "orders_returned": _("orders returned to the backlog"),
    "parties": pgettext_lazy("audit: a count or a scope", "parties"),
    "password": _("password"),
    "recipients": pgettext_lazy("audit: a count or a scope", "recipients"),
    "revisit_on": _("Revisit on"),
    "role": _("role"),
    "rows": pgettext_lazy("audit: a count or a scope", "rows"),
    "shifts": _("shifts"),
    "staff_temperatures_deleted": _("staff temperatures deleted"),
    "stop": _("stop"),
    "team": _("team"),
    "updated": _("updated"),
    "vehicle": _("vehicle"),
    "where": pgettext_lazy("audit: a count or a scope", "where"),
    "window": _("available from"),
}

# Codes recorded under a key that is not a choice field of the object: a membership's role,
# recorded on its user. (A model names its own, e.g. a list of codes, in `audit_choices`.)
CHANGE_CHOICES: dict[str, type[models.Choices]] = {"role": Role}

SOURCES = {
    "web": _("web page"),
    "api": _("API"),
    "task": _("background job"),
    "command": _("command"),
}
