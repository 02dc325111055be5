"""Chinese error pages in the site's layout, rendered with DEBUG off and without the database
(these tests have no database access: a query would fail them)."""
import pytest
from django.test import Client

pytestmark = pytest.mark.urls("tests.serving.urls")


@pytest.fixture
def client():
    client = Client()
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize("code, says", [
    (400, "请求有误"),
    (403, "没有权限"),
    (404, "找不到您要访问的页面"),
    (500, "系统暂时出错"),
])
def test_error_pages_are_chinese_and_say_what_to_do(client, settings, code, says):
    assert settings.DEBUG is False
    response = client.get(f"/boom/{code}/")
    assert response.status_code == code
    html = response.content.decode()
    assert says in html
    assert "参保通" in html and "返回首页" in html
    assert "<li>" in html  # the steps to take
    assert "Content-Security-Policy" in response.headers


def test_unknown_url_gets_the_chinese_404(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "找不到您要访问的页面" in response.content.decode()


@pytest.mark.django_db
def test_csrf_failure_page_is_chinese_and_says_to_reload():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "页面已过期" in html and "刷新页面" in html
