"""The bureau's own vehicles and drivers: what the planner offers besides the volunteers'."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from fugong.core.forms import apply_errors
from fugong.core.http import AuthedRequest
from fugong.directory.models import Site

from ..forms import DriverForm, VehicleForm
from ..models import Driver, Vehicle
from ..services import fleet
from .office import bureau_of


@login_required
def bureau_fleet(request: AuthedRequest) -> HttpResponse:
    bureau, bureaus = bureau_of(request)
    sites = Site.objects.filter(organisation=bureau, is_active=True)
    vehicle = None
    if request.GET.get("vehicle"):
        vehicle = get_object_or_404(Vehicle, organisation=bureau, pk=request.GET["vehicle"])
    driver = None
    if request.GET.get("driver"):
        driver = get_object_or_404(Driver, organisation=bureau, pk=request.GET["driver"])
    posted = request.POST if request.method == "POST" else None
    vehicle_form = VehicleForm(posted if posted and "save_vehicle" in posted else None, instance=vehicle, sites=sites)
    driver_form = DriverForm(posted if posted and "save_driver" in posted else None, instance=driver)
    form, save = (
        (vehicle_form, fleet.save_vehicle) if posted and "save_vehicle" in posted else (driver_form, fleet.save_driver)
    )
    if posted and form.is_valid():
        try:
            save(request.user, bureau, form.instance if form.instance.pk else None, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(f"{request.path}?bureau={bureau.pk}")
    context = {
        "bureau": bureau,
        "bureaus": bureaus,
        "vehicles": Vehicle.objects.filter(organisation=bureau).select_related("home"),
        "drivers": Driver.objects.filter(organisation=bureau),
        "vehicle_form": vehicle_form,
        "driver_form": driver_form,
        "editing_vehicle": vehicle,
        "editing_driver": driver,
    }
    return render(request, "delivery/bureau_fleet.html", context)
