from django.urls import path

from . import views

app_name = "notify"
urlpatterns = [
    path("", views.outbox, name="outbox"),
    path("messages/<int:message_id>/", views.message_detail, name="message"),
    path("broadcasts/new/", views.broadcast_new, name="broadcast_new"),
    path("broadcasts/<int:broadcast_id>/", views.broadcast_detail, name="broadcast"),
    path("opt-outs/", views.opt_outs, name="opt_outs"),
    path("opt-outs/<int:opt_out_id>/cancel/", views.opt_out_cancel, name="opt_out_cancel"),
    path("channels/", views.channels, name="channels"),
    path("channels/new/", views.channel_edit, name="channel_create"),
    path("channels/<int:channel_id>/", views.channel_detail, name="channel"),
    path("channels/<int:channel_id>/edit/", views.channel_edit, name="channel_edit"),
    path(
        "channels/<int:channel_id>/templates/<slug:kind>/delete/", views.channel_delete_template, name="template_delete"
    ),
]
