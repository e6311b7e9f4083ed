"""The JSON API root: authentication and the error shapes every router shares.

Errors are `{"detail": ...}`: 401 not signed in, 403 not allowed, 404 unknown, 409 conflict,
422 invalid input with a list of `{"loc": [..., field], "msg": reason}`.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import NinjaAPI
from ninja.security import HttpBearer, SessionAuth

from peers.api import router as peers_router
from peers.services import api_token_authenticate
from scheduling.engine.refusals import Refusal
from sessions.api import router as sessions_router
from sessions.api.history import router as history_router
from sessions.api.invites import router as seats_router
from sessions.api.programme import router as programme_router
from sessions.api.webinars import router as webinars_router


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="LGA peer panel and webinar scheduling",
    version="1",
    description=(
        "Councils book virtual peer panels; peers keep their availability; councillors find "
        "webinars. Browser pages use the session (with CSRF); scripts send "
        "`Authorization: Bearer <token>` (`python manage.py issue_token USERNAME`)."
    ),
    auth=[BearerToken(), SessionAuth()],
)


def validation_errors(exc: ValidationError) -> list[dict]:
    if hasattr(exc, "error_dict"):
        return [
            {"type": "value_error", "loc": ["body", name], "msg": " ".join(messages)}
            for name, messages in exc.message_dict.items()
        ]
    return [{"type": "value_error", "loc": ["body"], "msg": " ".join(exc.messages)}]


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    return api.create_response(request, {"detail": validation_errors(exc)}, status=422)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc: PermissionDenied):
    message = str(exc) or "You are not allowed to do that."
    return api.create_response(request, {"detail": message}, status=403)


@api.exception_handler(Refusal)
def on_refusal(request, exc: Refusal):
    response = api.create_response(request, exc.body(), status=exc.status)
    for name, value in exc.headers().items():
        response[name] = value
    return response


api.add_router("/", peers_router)
api.add_router("/", sessions_router)
api.add_router("/", seats_router)
api.add_router("/", webinars_router)
api.add_router("/", history_router)
api.add_router("/", programme_router)
