"""The OpenAPI schema at /api/v1/schema/: valid OpenAPI 3, every endpoint with its parameters
and the token scheme."""
import pytest
import yaml
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db


def test_the_schema_is_valid_openapi_with_every_endpoint(client):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    validate_schema(schema)  # raises on an invalid document
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {"/api/v1/status/", "/api/v1/coverage/",
                                    "/api/v1/unenrolled/"}
    status = schema["paths"]["/api/v1/status/"]["get"]
    assert {p["name"] for p in status["parameters"]} == {"id_number", "year"}
    assert set(status["responses"]) == {"200", "400", "401", "404", "429", "503"}
    assert status["security"] == [{"departmentToken": []}]
    token = schema["components"]["securitySchemes"]["departmentToken"]
    assert (token["type"], token["in"], token["name"]) == ("apiKey", "header", "Authorization")


def test_the_schema_as_json(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "参保通 数据共享接口"


def test_the_schema_describes_only_reading(client):
    schema = yaml.safe_load(client.get("/api/v1/schema/").content)
    assert {method for path in schema["paths"].values() for method in path} == {"get"}
