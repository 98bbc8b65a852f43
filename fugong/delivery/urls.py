from django.urls import path

from .views import documents, fleet, office, plans, public, run

app_name = "delivery"
urlpatterns = [
    path("", office.backlog, name="backlog"),
    path("shops/", office.shops, name="shops"),
    path("shops/<int:shop_id>/", office.shop_detail, name="shop"),
    path("import/", office.upload, name="upload"),
    path("fleet/", fleet.bureau_fleet, name="fleet"),
    path("plans/", plans.plans, name="plans"),
    path("plans/<int:plan_id>/", plans.plan_detail, name="plan"),
    path("plans/<int:plan_id>/live/", plans.plan_live, name="plan_live"),
    path("plans/<int:plan_id>/routes/<int:route_id>/link/", plans.route_link, name="route_link"),
    path("plans/<int:plan_id>/print/<str:kind>/", documents.plan_document, name="plan_document"),
    path("r/<str:token>/", run.run, name="run"),
    path("status/", public.order_status, name="status"),
]
