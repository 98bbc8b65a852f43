from django.urls import path

from .views import door, office, public

app_name = "screening"
urlpatterns = [
    path("", office.index, name="index"),
    path("open/", office.open_site, name="open"),
    path("trace/", office.trace, name="trace"),
    path("sites/<int:venue_id>/", office.venue_detail, name="venue"),
    path("sites/<int:venue_id>/rotate/", office.rotate, name="rotate"),
    path("sites/<int:venue_id>/close/", office.close, name="close"),
    path("sites/<int:venue_id>/poster.pdf", office.poster, name="poster"),
    path("sites/<int:venue_id>/policies/", office.venue_policies, name="policies"),
    path("regions/<str:code>/policies/", office.region_policies, name="region_policies"),
    path("policies/<int:policy_id>/withdraw/", office.withdraw, name="withdraw"),
    path("sites/<int:venue_id>/console/", door.console, name="console"),
    path("sites/<int:venue_id>/console/feed/", door.console_feed, name="console_feed"),
    path("sites/<int:venue_id>/checkins/", door.checkin_list, name="checkins"),
    path("sites/<int:venue_id>/hygiene/", door.hygiene, name="hygiene"),
    path("checkins/<int:checkin_id>/decide/", door.decide, name="decide"),
    path("v/<str:token>/", public.visit, name="visit"),
    path("r/<uuid:public_id>/", public.result, name="result"),
]
