"""The fleet of a plan: the bureau's own vehicles and drivers, and what volunteers lend that
day (their vehicles and the licensed members who may drive them). Who may drive what is
checked here, once, for both."""

from dataclasses import dataclass
from datetime import time
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from fugong.accounts import audit
from fugong.accounts.models import User
from fugong.accounts.permissions import require
from fugong.core.transactions import durable
from fugong.core.validators import clean_mobile
from fugong.directory.models import Organisation, Site
from fugong.routing.problem import Profile
from fugong.volunteers.models import Member, Offer, VehicleKind, licence_allows
from fugong.volunteers.queries import FleetVehicle, fleet_for_day

from ..access import may_plan
from ..models import DeliveryPlan, Driver, Echelon, PlanVehicle, Vehicle

# How each kind of vehicle moves through a county town and its villages (on a road graph,
# tricycles ride the bicycle network: no motorways, and lanes closed to cars).
PROFILES = {
    VehicleKind.TRICYCLE: Profile(VehicleKind.TRICYCLE, speed_kmh=10, road_factor=1.4, network="bicycle"),
    VehicleKind.E_TRICYCLE: Profile(VehicleKind.E_TRICYCLE, speed_kmh=18, road_factor=1.4, network="bicycle"),
    VehicleKind.VAN: Profile(VehicleKind.VAN, speed_kmh=35, road_factor=1.3),
    VehicleKind.CAR: Profile(VehicleKind.CAR, speed_kmh=40, road_factor=1.3),
    VehicleKind.LORRY: Profile(VehicleKind.LORRY, speed_kmh=45, road_factor=1.25),
}


@durable
def save_vehicle(
    actor: User | None, organisation: Organisation, vehicle: Vehicle | None = None, **fields: Any
) -> Vehicle:
    """One of the bureau's own vehicles, based at one of its sites."""
    require(may_plan(actor, organisation))
    creating = vehicle is None
    vehicle = vehicle or Vehicle(organisation=organisation)
    for name in ("kind", "plate", "capacity_cartons", "home", "is_active"):
        if name in fields:
            setattr(vehicle, name, fields.pop(name))
    if fields:
        raise TypeError(", ".join(fields))
    if vehicle.home_id and vehicle.home.organisation_id != organisation.pk:
        raise ValidationError({"home": _("Choose one of the bureau's sites.")})
    vehicle.full_clean(exclude=["organisation"])
    vehicle.save()
    audit.record(actor, "vehicle.create" if creating else "vehicle.update", vehicle, organisation_id=organisation.pk)
    return vehicle


@durable
def save_driver(actor: User | None, organisation: Organisation, driver: Driver | None = None, **fields: Any) -> Driver:
    """A member of the bureau's staff who drives; what they may drive follows their licence."""
    require(may_plan(actor, organisation))
    creating = driver is None
    driver = driver or Driver(organisation=organisation)
    for name in ("name", "mobile", "user", "licence", "e_tricycle_licence", "is_active"):
        if name in fields:
            setattr(driver, name, fields.pop(name))
    if fields:
        raise TypeError(", ".join(fields))
    try:
        driver.mobile = clean_mobile(driver.mobile)
    except ValidationError as invalid:
        raise ValidationError({"mobile": invalid.messages}) from None
    driver.full_clean(exclude=["organisation"])
    driver.save()
    audit.record(actor, "driver.create" if creating else "driver.update", driver, organisation_id=organisation.pk)
    return driver


def volunteer_vehicles(plan: DeliveryPlan) -> list[FleetVehicle]:
    """Vehicles volunteers of the bureau's teams lend on the plan's day."""
    vehicles, _drivers = fleet_for_day(plan.day, organisation_ids=[plan.organisation_id])
    return vehicles


def lent_hours(lent: FleetVehicle) -> tuple[time, time]:
    """The lending window as times of the plan's day (a window running to midnight ends 23:59)."""
    starts, ends = timezone.localtime(lent.available_from), timezone.localtime(lent.available_until)
    return starts.time(), ends.time() if ends.date() == starts.date() else time(23, 59)


def _check_driver(kind: str, driver: Driver | None, member: Member | None) -> None:
    person = driver or member
    if person is None:
        raise ValidationError({"driver": _("Every vehicle needs a driver.")})
    if not licence_allows(person.licence, person.e_tricycle_licence, kind):
        raise ValidationError(
            {
                "driver": _("%(name)s may not drive a %(vehicle)s.")
                % {"name": person.name, "vehicle": VehicleKind(kind).label}
            }
        )


def _check_hub(plan: DeliveryPlan, echelon: str, hub: Site) -> None:
    if echelon == Echelon.TRUNK and hub.pk != plan.depot_id:
        raise ValidationError({"hub": _("Trunk vehicles start at the plan's transfer station.")})
    if echelon == Echelon.LAST_MILE and not plan.network_points.filter(pk=hub.pk).exists():
        raise ValidationError({"hub": _("Last-mile vehicles start at one of the plan's network points.")})


@durable
def add_vehicle(
    actor: User | None,
    plan: DeliveryPlan,
    *,
    echelon: str,
    hub: Site,
    vehicle: Vehicle | None = None,
    offer: Offer | None = None,
    driver: Driver | None = None,
    member: Member | None = None,
    available_from: time,
    available_until: time,
    max_reloads: int = -1,
) -> PlanVehicle:
    """Put a vehicle with its driver into the plan's fleet."""
    return _add_vehicle(
        actor,
        plan,
        echelon=echelon,
        hub=hub,
        vehicle=vehicle,
        offer=offer,
        driver=driver,
        member=member,
        available_from=available_from,
        available_until=available_until,
        max_reloads=max_reloads,
    )


def _add_vehicle(
    actor: User | None,
    plan: DeliveryPlan,
    *,
    echelon: str,
    hub: Site,
    vehicle: Vehicle | None = None,
    offer: Offer | None = None,
    driver: Driver | None = None,
    member: Member | None = None,
    available_from: time,
    available_until: time,
    max_reloads: int = -1,
) -> PlanVehicle:
    """The work of the service above, inside the caller's transaction."""
    require(may_plan(actor, plan.organisation))
    if not plan.is_editable:
        raise ValidationError(_("This plan can no longer be changed."))
    if (vehicle is None) == (offer is None):
        raise ValidationError({"vehicle": _("Choose one vehicle.")})
    _check_hub(plan, echelon, hub)
    if vehicle is not None:
        if vehicle.organisation_id != plan.organisation_id or not vehicle.is_active:
            raise ValidationError({"vehicle": _("This is not one of the bureau's vehicles.")})
        kind, capacity, label = vehicle.kind, vehicle.capacity_cartons, str(vehicle)
    else:
        assert offer is not None
        lent = next((v for v in volunteer_vehicles(plan) if v.offer_id == offer.pk), None)
        if lent is None:
            raise ValidationError({"vehicle": _("This vehicle is not lent on that day.")})
        if member is not None and member.pk not in lent.driver_ids:
            raise ValidationError(
                {"driver": _("The owner has not named %(name)s as a driver.") % {"name": member.name}}
            )
        from_, until = lent_hours(lent)
        if available_from < from_ or available_until > until:
            raise ValidationError(
                {
                    "available_from": _("The vehicle is lent from %(from)s to %(until)s.")
                    % {"from": f"{from_:%H:%M}", "until": f"{until:%H:%M}"}
                }
            )
        kind, capacity, label = (
            lent.vehicle_kind,
            lent.capacity_cartons,
            # Without a plate the owner names it, said as the owner's: the driver may be someone else.
            f"{VehicleKind(lent.vehicle_kind).label} {lent.plate}"
            if lent.plate
            else _("%(owner)s's %(kind)s") % {"owner": lent.owner, "kind": VehicleKind(lent.vehicle_kind).label},
        )
    if driver is not None and driver.organisation_id != plan.organisation_id:
        raise ValidationError({"driver": _("This is not one of the bureau's drivers.")})
    _check_driver(kind, driver, member)
    if available_from >= available_until:
        raise ValidationError({"available_until": _("The vehicle must be available for some time.")})
    person = driver or member
    assert person is not None
    if plan.fleet.filter(driver=driver).exists() if driver else plan.fleet.filter(member=member).exists():
        raise ValidationError(
            {"driver": _("%(name)s already drives another vehicle in this plan.") % {"name": person.name}}
        )
    added = PlanVehicle.objects.create(
        plan=plan,
        echelon=echelon,
        hub=hub,
        kind=kind,
        capacity_cartons=capacity,
        label=label[:60],
        available_from=available_from,
        available_until=available_until,
        max_reloads=max_reloads,
        vehicle=vehicle,
        offer=offer,
        driver=driver,
        member=member,
        driver_name=person.name,
        driver_mobile=person.mobile,
    )
    audit.record(
        actor, "plan.vehicle_add", plan, changes={"vehicle": [None, str(added)]}, organisation_id=plan.organisation_id
    )
    return added


@durable
def remove_vehicle(actor: User | None, vehicle: PlanVehicle) -> None:
    plan = vehicle.plan
    require(may_plan(actor, plan.organisation))
    if not plan.is_editable:
        raise ValidationError(_("This plan can no longer be changed."))
    audit.record(
        actor,
        "plan.vehicle_remove",
        plan,
        changes={"vehicle": [str(vehicle), None]},
        organisation_id=plan.organisation_id,
    )
    vehicle.delete()


@dataclass(frozen=True)
class Suggestion:
    """A vehicle and driver the plan could use, as `add_vehicle` takes them."""

    fields: dict[str, Any]


def suggest_fleet(plan: DeliveryPlan) -> list[Suggestion]:
    """Everything available that day, each with a licensed driver nobody else drives: bureau
    vehicles based at the transfer station run the trunk (and may come back after the
    deadline), those based at a network point of the plan its last mile, others the first
    network point's; volunteers' vehicles go to the network point of their team's town (a plan
    for another town's network points leaves them for that town's plan)."""
    points = list(plan.network_points.select_related("region").order_by("pk"))
    if not points:
        return []
    used_drivers: set[int] = set(plan.fleet.exclude(driver=None).values_list("driver_id", flat=True))
    used_members: set[int] = set(plan.fleet.exclude(member=None).values_list("member_id", flat=True))
    taken_vehicles = set(plan.fleet.exclude(vehicle=None).values_list("vehicle_id", flat=True))
    taken_offers = set(plan.fleet.exclude(offer=None).values_list("offer_id", flat=True))
    drivers = list(Driver.objects.filter(organisation=plan.organisation, is_active=True).order_by("pk"))
    found = []
    bureau = (
        Vehicle.objects.filter(organisation=plan.organisation, is_active=True)
        .exclude(pk__in=taken_vehicles)
        .select_related("home")
    )
    # The biggest vehicles first, so the best-licensed drivers go where they are needed.
    for vehicle in bureau.order_by("-capacity_cartons", "pk"):
        trunk = plan.depot_id is not None and vehicle.home_id == plan.depot_id
        if not trunk and vehicle.home.kind == Site.Kind.NETWORK_POINT and vehicle.home not in points:
            continue  # it serves its own network point's shops, which are not in this plan
        driver = next(
            (
                d
                for d in drivers
                if d.pk not in used_drivers and licence_allows(d.licence, d.e_tricycle_licence, vehicle.kind)
            ),
            None,
        )
        if driver is None:
            continue
        used_drivers.add(driver.pk)
        hub = vehicle.home if vehicle.home in points else points[0]
        found.append(
            Suggestion(
                {
                    "echelon": Echelon.TRUNK if trunk else Echelon.LAST_MILE,
                    "hub": plan.depot if trunk else hub,
                    "vehicle": vehicle,
                    "driver": driver,
                    "available_from": plan.trunk_starts_at if trunk else plan.trunk_deadline,
                    "available_until": plan.last_mile_ends_at,
                }
            )
        )
    lent_vehicles = volunteer_vehicles(plan)
    named = {i for lent in lent_vehicles for i in lent.driver_ids}
    members = {m.pk: m for m in Member.objects.filter(pk__in=named).select_related("team__region")}
    offers = Offer.objects.in_bulk([lent.offer_id for lent in lent_vehicles])
    for lent in lent_vehicles:
        if lent.offer_id in taken_offers:
            continue
        member = next(
            (
                members[i]
                for i in lent.driver_ids
                if i in members and i not in used_members and members[i].may_drive_a(lent.vehicle_kind)
            ),
            None,
        )
        if member is None:
            continue
        town = member.team.region.code
        home = next((p for p in points if town.startswith(p.region.prefix) or p.region.code.startswith(town)), None)
        if home is None:  # lent in a town this plan does not serve: left for that town's plan
            continue
        used_members.add(member.pk)
        taken_offers.add(lent.offer_id)
        lent_from, lent_until = lent_hours(lent)
        from_, until = max(lent_from, plan.trunk_deadline), min(lent_until, plan.last_mile_ends_at)
        if from_ >= until:
            continue
        found.append(
            Suggestion(
                {
                    "echelon": Echelon.LAST_MILE,
                    "hub": home,
                    "offer": offers[lent.offer_id],
                    "member": member,
                    "available_from": from_,
                    "available_until": until,
                }
            )
        )
    return found


@durable
def take_suggested_fleet(actor: User | None, plan: DeliveryPlan) -> int:
    """Add every suggested vehicle; returns how many were added."""
    suggestions = suggest_fleet(plan)
    for suggestion in suggestions:
        _add_vehicle(actor, plan, **suggestion.fields)
    return len(suggestions)
