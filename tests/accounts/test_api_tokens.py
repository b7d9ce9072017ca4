"""Bearer tokens: who a key lets in, and every way it stops letting them in."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from ninja.testing import TestClient

from api.api import api
from farmadvice.accounts import access
from farmadvice.accounts.models import ApiToken, Profile, Role
from farmadvice.accounts.services import token_issue

pytestmark = pytest.mark.django_db


def get(key: str, path: str = "/farms/CQ-A"):
    return TestClient(api).get(path, headers={"Authorization": f"Bearer {key}"})


class TestAuthenticate:
    def test_a_usable_token_gives_its_user_with_the_role(self, world):
        token, key = token_issue(user=world["agent_cq"], name="phone")
        user = ApiToken.authenticate(key)
        assert user.pk == world["agent_cq"].pk
        assert user.api_token_id == token.pk
        assert access.role_of(user) == Role.AGENT
        assert user.api_token_stale is True  # never used yet

    def test_an_unknown_key_gives_nobody(self, world):
        token_issue(user=world["agent_cq"], name="phone")
        assert ApiToken.authenticate("not-a-key") is None

    def test_a_revoked_token_gives_nobody(self, world):
        token, key = token_issue(user=world["agent_cq"], name="phone")
        token.revoked_at = timezone.now()
        token.save()
        assert ApiToken.authenticate(key) is None

    def test_a_token_expires_at_its_time(self, world):
        expires = timezone.now() + dt.timedelta(hours=1)
        _token, key = token_issue(user=world["agent_cq"], name="phone", expires_at=expires)
        assert ApiToken.authenticate(key, now=expires - dt.timedelta(seconds=1)) is not None
        assert ApiToken.authenticate(key, now=expires) is None
        assert ApiToken.authenticate(key, now=expires + dt.timedelta(days=1)) is None

    def test_an_inactive_user_gives_nobody(self, world):
        _token, key = token_issue(user=world["agent_cq"], name="phone")
        get_user_model().objects.filter(pk=world["agent_cq"].pk).update(is_active=False)
        assert ApiToken.authenticate(key) is None

    def test_a_user_without_a_role_has_none(self, world):
        user = get_user_model().objects.create_user(username="nobody", password="x" * 12)
        _token, key = token_issue(user=user, name="script")
        authenticated = ApiToken.authenticate(key)
        assert authenticated.pk == user.pk
        assert access.role_of(authenticated) is None
        assert not Profile.objects.filter(user=user).exists()

    def test_stale_means_last_used_over_a_minute_ago(self, world):
        token, key = token_issue(user=world["agent_cq"], name="phone")
        now = timezone.now()
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now - dt.timedelta(seconds=30))
        assert ApiToken.authenticate(key, now=now).api_token_stale is False
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now - dt.timedelta(seconds=61))
        assert ApiToken.authenticate(key, now=now).api_token_stale is True


class TestThroughTheApi:
    def test_a_usable_token_reads_and_is_touched_once_a_minute(self, world):
        token, key = token_issue(user=world["operator_a"], name="phone")
        assert get(key).status_code == 200
        token.refresh_from_db()
        first_use = token.last_used_at
        assert first_use is not None
        assert get(key).status_code == 200
        token.refresh_from_db()
        assert token.last_used_at == first_use  # not rewritten within the minute

    def test_the_role_still_decides_what_the_token_reads(self, world):
        _token, key = token_issue(user=world["operator_a"], name="phone")
        assert get(key, "/farms/XH-B").status_code == 404  # another operator's farm does not exist for them

    @pytest.mark.parametrize("how", ["revoked", "expired", "inactive user"])
    def test_a_token_that_stopped_working_is_401(self, world, how):
        token, key = token_issue(user=world["agent_cq"], name="phone")
        assert get(key).status_code == 200
        if how == "revoked":
            ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
        elif how == "expired":
            ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
        else:
            get_user_model().objects.filter(pk=world["agent_cq"].pk).update(is_active=False)
        response = get(key)
        assert response.status_code == 401
        assert get(key, "/farms").status_code == 401
