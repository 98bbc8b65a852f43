"""The JSON API at /api/: each app contributes a router; OpenAPI at /api/docs."""

from fugong.accounts.api import BrowserSessionAuth, TokenAuth
from fugong.accounts.api import router as accounts_router
from fugong.core.api import make_api
from fugong.core.api import router as core_router
from fugong.delivery.api import router as delivery_router
from fugong.directory.api import router as directory_router
from fugong.notify.api import router as notify_router
from fugong.power.api import router as power_router
from fugong.resumption.api import router as resumption_router
from fugong.screening.api import router as screening_router
from fugong.volunteers.api import router as volunteers_router

api = make_api(auth=[TokenAuth(), BrowserSessionAuth()])
api.add_router("/", core_router)
api.add_router("/", accounts_router)
api.add_router("/directory/", directory_router)
api.add_router("/notify/", notify_router)
api.add_router("/volunteers/", volunteers_router)
api.add_router("/delivery/", delivery_router)
api.add_router("/screening/", screening_router)
api.add_router("/power/", power_router)
api.add_router("/resumption/", resumption_router)
