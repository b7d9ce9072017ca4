"""schemathesis against the service's own OpenAPI document (/api/v1/openapi.json), authenticated as each
role: no 5xx, every response conforms to the documented schema and status codes.

Bounded so CI stays within minutes: a few derandomised examples per operation and role.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance, status_code_conformance

from farmadvice.accounts.services import token_issue
from farmadvice.wsgi import application
from tests.factories.indicators import load_reference

ROLES = ("operator_a", "agent_cq", "agent_xh", "committee", "admin")
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
# Valid requests only: ninja answers any malformed request with an undocumented 422 of its own, which is
# the framework's behaviour, not the API's; the refusals are the access matrix's subject.
schema.config.generation.update(modes=[schemathesis.GenerationMode.POSITIVE])

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """schemathesis calls the real WSGI handler, which closes old database connections around each request;
    on PostgreSQL that would close the test's own transaction. Django's test client disconnects the same
    signal handler for the same reason."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(world):
    """A bearer token per role of the world, with the reference figures loaded (as in production: without
    them some reads answer 400 "missing reference value")."""
    load_reference()
    return {role: token_issue(user=world[role], name="schemathesis")[1] for role in ROLES}


@schema.parametrize()
@settings(
    max_examples=5,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, tokens):
    """Every role gets a documented status and body, never a server error."""
    for role in ROLES:
        case.call_and_validate(headers={"Authorization": f"Bearer {tokens[role]}"}, checks=CHECKS)
