from django.urls import path

from .views import field, hall, notices, office, priority

app_name = "power"
urlpatterns = [
    path("", office.index, name="index"),
    path("accounts/", office.accounts, name="accounts"),
    path("accounts/new/", office.account_new, name="account_new"),
    path("accounts/import/", office.upload, name="upload"),
    path("accounts/<int:account_id>/", office.account_detail, name="account"),
    path("accounts/<int:account_id>/apply/", office.apply, name="apply"),
    path("applications/", office.application_list, name="applications"),
    path("applications/<int:application_id>/", office.application_detail, name="application"),
    path("applications/<int:application_id>/<slug:action>/", office.application_act, name="application_act"),
    path("field/", field.field_work, name="field_work"),
    path("rules/", office.rules, name="rules"),
    path("notices/", notices.compose, name="notices"),
    path("halls/<int:site_id>/", hall.hall_page, name="hall"),
    path("halls/<int:site_id>/take/", hall.take, name="take"),
    path("halls/<int:site_id>/windows/", hall.window_save, name="window_save"),
    path("halls/<int:site_id>/screen/renew/", hall.renew_screen, name="renew_screen"),
    path("windows/<int:window_id>/", hall.window_console, name="window"),
    path("screen/<str:token>/", hall.screen, name="screen"),
    path("number/<uuid:public_id>/", hall.take_after_checkin, name="take_after_checkin"),
    path("ticket/<uuid:public_id>/", hall.ticket_page, name="ticket"),
    path("priority/", priority.board, name="priority"),
    path("priority/residents/new/", priority.resident_new, name="resident_new"),
    path("priority/residents/<int:resident_id>/", priority.resident_detail, name="resident"),
    path("priority/residents/<int:resident_id>/call/", priority.resident_call, name="resident_call"),
    path("priority/residents/<int:resident_id>/end/", priority.resident_end, name="resident_end"),
    path("priority/calls/<int:call_id>/", priority.call_detail, name="call"),
    path("priority/calls/<int:call_id>/<slug:action>/", priority.call_act, name="call_act"),
    path("priority/revisits/<int:revisit_id>/done/", priority.revisit_done, name="revisit_done"),
]
