from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from fugong.api import api

# An outage met outside a view (a middleware) is a 503 too; anything else the usual 500 page.
handler500 = "fugong.core.middleware.server_error"

urlpatterns = [
    path("", include("fugong.site.urls")),
    path("", include("fugong.core.urls")),
    path("accounts/", include("fugong.accounts.urls")),
    path("directory/", include("fugong.directory.urls")),
    path("notify/", include("fugong.notify.urls")),
    path("volunteers/", include("fugong.volunteers.urls")),
    path("delivery/", include("fugong.delivery.urls")),
    path("screening/", include("fugong.screening.urls")),
    path("power/", include("fugong.power.urls")),
    path("resumption/", include("fugong.resumption.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/", api.urls),
]
