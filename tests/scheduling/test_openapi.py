"""The OpenAPI schema says what the API does: one schema per name, every error documented
where it can occur, in the shape it is sent."""

import pytest
from ninja import Schema

from scheduling.api import api


@pytest.fixture(scope="module")
def schema():
    return api.get_openapi_schema()


def project_schemas(cls=Schema):
    for sub in cls.__subclasses__():
        if sub.__module__.split(".")[0] in {"peers", "sessions", "scheduling"}:
            yield sub
        yield from project_schemas(sub)


def test_no_two_schemas_share_a_name():
    by_name = {}
    for cls in project_schemas():
        by_name.setdefault(cls.__name__, set()).add(f"{cls.__module__}.{cls.__qualname__}")
    shared = {name: where for name, where in by_name.items() if len(where) > 1}
    assert not shared


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def test_every_error_is_documented_where_it_can_occur(schema):
    for label, operation in operations(schema):
        codes = {int(code) for code in operation["responses"]}
        if operation.get("security"):
            assert {401, 403} <= codes, label
        if any(p["in"] == "path" for p in operation.get("parameters", [])):
            assert 404 in codes, label
        if operation.get("parameters") or "requestBody" in operation:
            assert 422 in codes, label
        if "application/json" in operation.get("requestBody", {}).get("content", {}):
            assert {400, 413} <= codes, label
        for code, response in operation["responses"].items():
            if int(code) >= 400:
                ref = response["content"]["application/json"]["schema"]
                assert ref, label
    paths = dict(operations(schema))
    assert 409 in {int(c) for c in paths["POST /api/bookings"]["responses"]}
    assert 404 in {int(c) for c in paths["POST /api/bookings"]["responses"]}
    assert 429 in {
        int(c) for c in paths["POST /api/webinars/{webinar_id}/registrations"]["responses"]
    }


def test_error_shapes(schema):
    components = schema["components"]["schemas"]
    assert components["Refused"]["required"] == ["detail"]
    assert components["InvalidInput"]["properties"]["detail"]["type"] == "array"
    unauthorized = dict(operations(schema))["GET /api/me"]["responses"]
    assert unauthorized[401]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Refused"
    }


def test_what_the_schema_allows_the_api_takes(schema):
    components = schema["components"]["schemas"]
    reason = components["CancelIn"]["properties"]["reason"]
    assert reason["minLength"] == 1 and reason["pattern"] == r"\S"
    registration = components["RegistrationIn"]["properties"]
    assert registration["email"]["minLength"] >= 3
    assert components["TokenIn"]["properties"]["name"]["minLength"] == 1
    start = components["RescheduleIn"]["properties"]["start"]
    assert start["format"] == "date-time" and "2000 to 2099" in start["description"]
    assert components["BookingIn"]["additionalProperties"] is False
