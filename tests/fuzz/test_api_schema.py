"""The live OpenAPI schema, fuzzed in-process through the WSGI application, signed out and as
each demo role, with every check Schemathesis has: no server error, every status and body
the schema describes, a request the schema forbids refused, and a request it allows accepted.

The one allowance: a schema-valid request may be refused (422) by a rule a JSON schema cannot
state, and only by one the operation's description names: such errors carry `type: rule`
(a service's ValidationError) or a hard rule's `rules` (seating a peer). Any other 422 to a
schema-valid request fails the run.

Fixed seeds (Hypothesis derandomised) and a bounded number of examples per operation and role
keep the run repeatable and a few minutes long; FUZZ_EXAMPLES raises the bound. Generated text
holds no NUL character: the API refuses it in any text (422, as its description says), which a
JSON schema cannot state without repeating it on every string.
"""

import json
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance
from schemathesis.openapi.checks import RejectedPositiveData

from scheduling.api import RULE
from scheduling.wsgi import application
from tests.fuzz.demo_roles import DEMO_ROLES

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
schema.config.generation.update(allow_x00=False)


def refused_by_a_named_rule(response) -> bool:
    """A 422 whose every error is a rule beyond the schema, as the operation documents it."""
    if response.status_code != 422:
        return False
    try:
        body = json.loads(response.content)
    except ValueError:
        return False
    detail = body.get("detail")
    if isinstance(detail, list):
        return bool(detail) and all(error.get("type") == RULE for error in detail)
    return bool(body.get("rules")) or body.get("field") == "peer"


@schemathesis.check
def schema_valid_requests_are_accepted(ctx, response, case):
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        if refused_by_a_named_rule(response):
            return None
        raise


@pytest.fixture(params=("signed-out", *DEMO_ROLES))
def caller(request, role_headers):
    return request.param, role_headers[request.param]


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_within_its_schema(case, caller, tally):
    role, headers = caller
    label = f"{case.operation.method.upper()} {case.operation.path}"
    tally["operations"].add(label)
    tally["examples"][role] += 1
    case.call_and_validate(
        headers=headers,
        excluded_checks=[positive_data_acceptance],
        additional_checks=[schema_valid_requests_are_accepted],
    )
