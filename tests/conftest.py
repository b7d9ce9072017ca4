from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation
from ninja.testing import TestClient

from api.api import api
from farmadvice.accounts.services import token_issue
from tests.factories.accounts import make_user
from tests.factories.registry import FarmFactory, town


class ApiClient:
    """ninja's TestClient authenticated with a real bearer token for `user` (or anonymous)."""

    def __init__(self, user: Any | None):
        self.client = TestClient(api)
        self.headers = {}
        if user is not None:
            _token, key = token_issue(user=user, name="test")
            self.headers["Authorization"] = f"Bearer {key}"

    def __getattr__(self, method: str):
        call = getattr(self.client, method)
        return lambda path, **kw: call(path, headers={**self.headers, **kw.pop("headers", {})}, **kw)


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in the default language, zh-Hans. A request through LocaleMiddleware leaves the
    language it chose active in the thread (nothing deactivates it), so one English request would turn the
    messages of every later test in the process into English."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def api_client():
    return ApiClient


@pytest.fixture
def world(db):
    """Two towns, a farm in each with its own operator, an agent per town, the committee and an admin."""
    chengqiao, xinhe = town("Chengqiao"), town("Xinhe")
    farm_a = FarmFactory(code="CQ-A", name="甲农场", town=chengqiao)
    farm_b = FarmFactory(code="XH-B", name="乙农场", town=xinhe)
    return {
        "chengqiao": chengqiao,
        "xinhe": xinhe,
        "farm_a": farm_a,
        "farm_b": farm_b,
        "operator_a": make_user("operator", "operator_a", farms=[farm_a]),
        "operator_b": make_user("operator", "operator_b", farms=[farm_b]),
        "agent_cq": make_user("agent", "agent_cq", towns=[chengqiao]),
        "agent_xh": make_user("agent", "agent_xh", towns=[xinhe]),
        "committee": make_user("committee", "committee"),
        "admin": make_user("admin", "admin"),
    }
