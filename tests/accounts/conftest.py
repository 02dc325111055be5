import pytest
from django.test import Client


@pytest.fixture
def anon():
    """A fresh browser: real logins through the login page (with its request, for axes)."""
    return Client()


def login(client, username, password, url="/accounts/login/", **extra):
    return client.post(url, {"username": username, "password": password}, **extra)
