"""The JSON API root: authentication and the error shapes every router shares.

Errors are `{"detail": ...}`: 400 a body that cannot be read (not JSON, or a broken multipart
body), 401 not signed in, 403 not allowed,
404 unknown (any address under /api/ included), 409 conflict, 413 a body over the size limit,
422 invalid input with a list of `{"loc": [..., field], "msg": reason}`, 429 throttled, 503 the
database, its pooler or Redis out of reach for a moment (with Retry-After). The OpenAPI schema
documents each of them where it can occur (`documented_errors`), and every answer is checked
against it as it leaves (`SchedulingAPI.create_response`).
"""

import json
import logging
import re
from functools import cached_property

from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    ValidationError,
)
from django.db import InterfaceError, OperationalError
from django.http import JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.errors import ValidationError as InputError
from ninja.parser import Parser
from ninja.security import HttpBearer, SessionAuth
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from peers.api import router as peers_router
from peers.services import api_token_authenticate
from scheduling.engine.refusals import Refusal
from sessions.api import presenters
from sessions.api.bookings import router as sessions_router
from sessions.api.history import router as history_router
from sessions.api.invites import router as seats_router
from sessions.api.programme import router as programme_router
from sessions.api.staffing import router as staffing_router
from sessions.attendance.api import router as attendance_router
from sessions.feedback.api import router as feedback_router
from sessions.learning.api import router as learning_router
from sessions.packs.api import router as packs_router
from sessions.participants.api import router as participants_router
from sessions.services.bookings import BookingConflict, PanelChanged
from sessions.webinars.api import router as webinars_router

NUL_MESSAGE = "Text may not contain the NUL character."
logger = logging.getLogger(__name__)


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class SignedInSession(SessionAuth):
    """The browser's session. A caller who is not signed in is answered 401 like any other;
    only a signed-in session must also carry its CSRF token (403 without it)."""

    def __call__(self, request):
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


class NulCharacter(Exception):
    def __init__(self, loc: list):
        super().__init__(NUL_MESSAGE)
        self.loc = loc


def nul_locations(value, loc: list) -> list[list]:
    """Where in a decoded request the NUL character appears (PostgreSQL cannot store it)."""
    if isinstance(value, str):
        return [loc] if "\x00" in value else []
    if isinstance(value, dict):
        return [found for k, v in value.items() for found in nul_locations(v, [*loc, k])]
    if isinstance(value, list):
        return [found for i, v in enumerate(value) for found in nul_locations(v, [*loc, i])]
    return []


def _number(text: str) -> int | float:
    """A JSON number: a whole one (4.0, 1e2) is an integer, as JSON Schema counts it, so the
    strict bodies (peers.schemas.BodyIn) take it where the schema says `integer`."""
    value = float(text)
    return int(value) if value.is_integer() else value


class RequestParser(Parser):
    """JSON bodies and query strings as ninja reads them, with any NUL refused (422) whatever
    the field, so every database answers the same."""

    def parse_body(self, request):
        if not request.body.strip():
            return {}  # no body: an optional body's defaults; a required one's fields are missing
        data = json.loads(request.body, parse_float=_number)
        for loc in nul_locations(data, ["body"])[:1]:
            raise NulCharacter(loc)
        return data

    def parse_querydict(self, data, list_fields, request):
        parsed = super().parse_querydict(data, list_fields, request)
        source = "query" if data is request.GET else "form"
        errors = [
            {"type": "value_error", "loc": [source, key], "msg": NUL_MESSAGE}
            for key in data
            if nul_locations([key, *(data.getlist(key) if hasattr(data, "getlist") else [])], [])
        ]
        if errors:
            raise InputError(errors)
        return parsed


DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
ERROR_SHAPES = {
    "Refused": DETAIL,
    "InvalidInput": {
        "type": "object",
        "properties": {
            "detail": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "loc": {"type": "array", "items": {"type": ["string", "integer"]}},
                        "msg": {"type": "string"},
                        "type": {"type": "string"},
                    },
                    "required": ["loc", "msg"],
                },
            }
        },
        "required": ["detail"],
    },
}
ERROR_TEXT = {
    400: ("The body cannot be read: not valid JSON, or a broken multipart body.", "Refused"),
    401: ("Not signed in: send `Authorization: Bearer <token>` or a session.", "Refused"),
    403: (
        "Signed in, but not allowed (role or object), or a session without its CSRF token.",
        "Refused",
    ),
    404: ("Unknown object.", "Refused"),
    409: ("Conflict with the present state: nothing was changed.", "Refused"),
    413: ("The body is larger than the limit.", "Refused"),
    422: (
        "Invalid input: `loc` names the field, `msg` the reason; `type` is `rule` for a rule "
        "the schema cannot state (the operation's description names them).",
        "InvalidInput",
    ),
    429: ("Too many requests: try again after `Retry-After` seconds.", "Refused"),
    503: (
        "The database, its pooler or Redis was out of reach for a moment: nothing was changed; "
        "try again after `Retry-After` seconds.",
        "Refused",
    ),
}


def input_errors(operation: dict) -> set[int]:
    """The error statuses an operation can answer by what it takes, whatever it does: a
    sign-in (401, 403), a path parameter (404), any input (422), a body of any kind (400, 413),
    and a store out of reach for a moment (503), which any operation can meet."""
    codes = {503}
    parameters = operation.get("parameters", [])
    if operation.get("security"):
        codes |= {401, 403}
    if any(p["in"] == "path" for p in parameters):
        codes.add(404)
    if parameters or "requestBody" in operation:
        codes.add(422)
    if "requestBody" in operation:
        codes |= {400, 413}
    return codes


def documented_errors(operation: dict) -> set[int]:
    """Those, and the refusals its router declares (`response={409: ...}`)."""
    declared = {int(code) for code in operation.get("responses", {}) if int(code) >= 400}
    return declared | input_errors(operation)


class UndocumentedStatus(AssertionError):
    """An operation answered a status its schema does not list: the schema (or the router's
    `response=`) is missing it."""


def _route_key(route: str) -> str:
    """A Django route (`seats/<int:seat_id>`) in the schema's words (`seats/{seat_id}`)."""
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", route)


class SchedulingAPI(NinjaAPI):
    @cached_property
    def documented_statuses(self) -> dict[tuple[str, str], frozenset[int]]:
        """Each operation's statuses as its schema lists them, by method and path below /api/."""
        schema = self.get_openapi_schema()
        root = self.get_root_path({})
        return {
            (method.upper(), path.removeprefix(root)): frozenset(map(int, operation["responses"]))
            for path, methods in schema["paths"].items()
            for method, operation in methods.items()
        }

    def create_response(self, request, data, *, status=None, temporal_response=None):
        """Every answer of an operation, errors and refusals included, passes here: one whose
        status the schema does not list fails loudly where `API_STRICT_STATUSES` is on
        (development and the tests), and is logged as an error elsewhere."""
        response = super().create_response(
            request, data, status=status, temporal_response=temporal_response
        )
        self.check_documented(request, response.status_code)
        return response

    def check_documented(self, request, status: int) -> None:
        route = getattr(getattr(request, "resolver_match", None), "route", None)
        if not isinstance(route, str):
            return
        key = (request.method, _route_key(route).removeprefix(self.get_root_path({})[1:]))
        documented = self.documented_statuses.get(key)
        if documented is None or status in documented:
            return
        message = f"{key[0]} /{key[1]} answered {status}, which its schema does not list."
        if settings.API_STRICT_STATUSES:
            raise UndocumentedStatus(message)
        logger.error(message)

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(ERROR_SHAPES)
        for methods in schema["paths"].values():
            for operation in methods.values():
                responses = operation.setdefault("responses", {})
                declared = {int(code): code for code in responses}
                generic = input_errors(operation)
                for code in sorted(documented_errors(operation)):
                    description, shape = ERROR_TEXT.get(code, ("Refused.", "Refused"))
                    shared = {"$ref": f"#/components/schemas/{shape}"}
                    response = responses.setdefault(declared.get(code, code), {})
                    response.setdefault("description", description)
                    content = response.setdefault("content", {"application/json": {}})
                    body = content.setdefault("application/json", {})
                    own = body.setdefault("schema", shared)
                    # A refusal of the operation's own (e.g. a hard rule, 422) in its shape,
                    # beside the shape every operation answers that status in.
                    if code in generic and own != shared:
                        body["schema"] = {"anyOf": [own, shared]}
        return schema


api = SchedulingAPI(
    title="LGA peer panel and webinar scheduling",
    version="1",
    description=(
        "Councils book virtual peer panels; peers keep their availability; councillors find "
        "webinars. Browser pages use the session (with CSRF); scripts send "
        "`Authorization: Bearer <token>` (`python manage.py issue_token USERNAME`)."
    ),
    auth=[BearerToken(), SignedInSession()],
    parser=RequestParser(),
)


# The `type` of a 422 from a rule beyond what the schema states (a service's ValidationError:
# the end after the start, an address that can take mail): each operation's description
# names its rules, so a request the schema allows is refused only by one of them.
RULE = "rule"


def validation_errors(exc: ValidationError) -> list[dict]:
    if hasattr(exc, "error_dict"):
        return [
            {"type": RULE, "loc": ["body", name], "msg": " ".join(messages)}
            for name, messages in exc.message_dict.items()
        ]
    return [{"type": RULE, "loc": ["body"], "msg": " ".join(exc.messages)}]


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    return api.create_response(request, {"detail": validation_errors(exc)}, status=422)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc: PermissionDenied):
    message = str(exc) or "You are not allowed to do that."
    return api.create_response(request, {"detail": message}, status=403)


def refusal_body(exc: Refusal) -> dict:
    """A refusal's JSON body: the ones that carry data are shaped by their presenter."""
    if isinstance(exc, PanelChanged):
        return presenters.panel_changed_out(exc)
    if isinstance(exc, BookingConflict):
        return presenters.booking_conflict_out(exc)
    return exc.body()


@api.exception_handler(Refusal)
def on_refusal(request, exc: Refusal):
    response = api.create_response(request, refusal_body(exc), status=exc.status)
    for name, value in exc.headers().items():
        response[name] = value
    return response


@api.exception_handler(RequestDataTooBig)
def on_too_big(request, exc: RequestDataTooBig):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    detail = f"The request body is larger than the limit of {limit:,} bytes."
    return api.create_response(request, {"detail": detail}, status=413)


UNAVAILABLE = (
    "The service could not reach its database or task queue just now. Try again in a few seconds."
)
RETRY_AFTER_SECONDS = 5


def on_unavailable(request, exc):
    """A restart of PostgreSQL, pgbouncer or Redis under a request in flight: a clean 503 the
    client may retry, rather than a server error page. Throttles fail safe here too: an
    attempt that cannot be counted is refused, not let through."""
    response = api.create_response(request, {"detail": UNAVAILABLE}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


for unavailable in (OperationalError, InterfaceError, RedisConnectionError, RedisTimeoutError):
    api.add_exception_handler(unavailable, on_unavailable)


def unreadable_body(request, detail: str):
    return api.create_response(request, {"detail": detail}, status=400)


# A body Django cannot take apart: multipart without a boundary or cut short, too many fields or
# files, a client gone mid-upload. Django would answer an HTML page (or, with DEBUG, ninja a
# traceback); every operation answers JSON instead, whichever reads the body (the operation's
# parameters, or the CSRF check of a session).
@api.exception_handler(MultiPartParserError)
@api.exception_handler(UnreadablePostError)
def on_broken_multipart(request, exc: Exception):
    reason = str(exc).rstrip(".") or "it ends too early"
    return unreadable_body(request, f"The multipart/form-data body cannot be read: {reason}.")


@api.exception_handler(BadRequest)
@api.exception_handler(SuspiciousOperation)
def on_bad_request(request, exc: Exception):
    return unreadable_body(request, str(exc) or "The request cannot be read.")


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    """Ninja turns any failure to read a body into a 400; a body over the size limit (413)
    and a NUL character (422) are told apart by their cause, and a broken body says why."""
    cause = exc.__cause__
    if isinstance(cause, RequestDataTooBig):
        return on_too_big(request, cause)
    if isinstance(cause, NulCharacter):
        error = {"type": "value_error", "loc": cause.loc, "msg": NUL_MESSAGE}
        return api.create_response(request, {"detail": [error]}, status=422)
    if isinstance(cause, MultiPartParserError | UnreadablePostError):
        return on_broken_multipart(request, cause)
    if isinstance(cause, ValueError):  # json.JSONDecodeError and UnicodeDecodeError among them
        return unreadable_body(request, f"The body is not valid JSON: {cause}.")
    return api.create_response(request, {"detail": exc.message}, status=exc.status_code)


@csrf_exempt
def not_found(request, *args, **kwargs):
    """Any other address under /api/ answers like an unknown object: JSON, not a page."""
    return JsonResponse({"detail": "Not Found"}, status=404)


api.add_router("/", peers_router)
api.add_router("/", sessions_router)
api.add_router("/", seats_router)
api.add_router("/", webinars_router)
api.add_router("/", history_router)
api.add_router("/", programme_router)
api.add_router("/", staffing_router)
api.add_router("/", packs_router)
api.add_router("/", feedback_router)
api.add_router("/", participants_router)
api.add_router("/", attendance_router)
api.add_router("/", learning_router)
