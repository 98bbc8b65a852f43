from django.urls import path

from . import views

app_name = "directory"
urlpatterns = [
    path("regions/", views.regions, name="regions"),
    path("regions/<str:code>/", views.region_detail, name="region"),
    path("zone-changes/<int:change_id>/withdraw/", views.zone_change_withdraw, name="zone_change_withdraw"),
    path("organisations/", views.organisations, name="organisations"),
    path("organisations/new/", views.organisation_edit, name="organisation_create"),
    path("organisations/<int:org_id>/", views.organisation_detail, name="organisation"),
    path("organisations/<int:org_id>/edit/", views.organisation_edit, name="organisation_edit"),
    path("sites/", views.sites, name="sites"),
    path("sites/new/", views.site_edit, name="site_create"),
    path("sites/<int:site_id>/", views.site_detail, name="site"),
    path("sites/<int:site_id>/edit/", views.site_edit, name="site_edit"),
    path("import/<str:kind>/", views.import_file, name="import"),
    path("export/<str:kind>.xlsx", views.export_file, name="export"),
]
