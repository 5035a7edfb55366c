"""The OpenAPI description matches the API, and schemathesis finds no server error and no non-JSON 4xx.

Runs in-process against the WSGI app (no network), once on SQLite and once on PostgreSQL.
"""
import base64

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

API_PREFIX = "/api/v1"


def assert_error_shape(body: dict, status: int) -> None:
    assert set(body) == {"error"}, body
    error = body["error"]
    assert error["status"] == status
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    assert set(error) <= {"status", "code", "message", "fields"}


def client_errors_are_json(ctx, response, case) -> None:
    """Every 4xx explains itself in the documented JSON error shape."""
    if 400 <= response.status_code < 500:
        assert response.headers.get("content-type", [""])[0].startswith("application/json"), response.headers
        assert_error_shape(response.json(), response.status_code)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_conforms_and_never_fails(app, mode):
    # schemathesis' own pytest loader does not run on pytest 9, so each operation gets a plain Hypothesis run.
    schema = schemathesis.openapi.from_wsgi(f"{API_PREFIX}/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8  # all but /openapi.json itself, which schemathesis leaves out

    if mode == GenerationMode.NEGATIVE:
        # Only query and path parameters and bodies have values that break the schema; a free-form header has none.
        operations = [op for op in operations if len(op.query) or len(op.path_parameters) or len(op.body)]
    for operation in operations:
        # Bounded: a couple of dozen cases per operation and mode keeps the run to seconds.
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def exercise(case):
            response = case.call_and_validate(additional_checks=[client_errors_are_json])
            assert response.status_code < 500

        exercise()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_backup_api_with_a_real_backup_and_token_never_fails(app, client, mode):
    """Random cases aimed at an existing backup with its own token, so they get past the 404 and the 403."""
    from backup_support import Device

    app.config.update(BACKUP_RATE_PER_BACKUP=10_000, BACKUP_RATE_PER_ADDRESS=10_000, BACKUP_CREATES_PER_ADDRESS=10_000)
    device = Device(client)
    assert device.create().status_code == 201
    first = device.record("kept")
    assert device.put(1, first).status_code == 201
    schema = schemathesis.openapi.from_wsgi(f"{API_PREFIX}/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    operations = [op for op in operations if "backup_id" in {p.name for p in op.path_parameters}]
    assert len(operations) == 5
    statuses = set()
    for operation in operations:
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def exercise(case):
            case.path_parameters = {**(case.path_parameters or {}), "backup_id": device.id}
            case.headers = {**(case.headers or {}), **device.auth}
            response = case.call()
            statuses.add(response.status_code)
            assert response.status_code < 500, response.text[:300]
            client_errors_are_json(None, response, case)

        exercise()
    assert statuses & {200, 202} and statuses & {400, 409, 413, 415}
    # Whatever was sent, the record written first is still there as it was.
    assert base64.b64decode(device.read_all()[0]["body"]) == first


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_unsupported_methods_are_405_json(client, method):
    for path in ["/", "/bundle", "/services/national-domestic-violence-helpline", "/openapi.json"]:
        response = getattr(client, method)(API_PREFIX + path)
        assert response.status_code == 405 and "GET" in response.headers["Allow"]
        assert_error_shape(response.get_json(), 405)


def test_every_api_route_is_described(app, client):
    described = set(client.get(f"{API_PREFIX}/openapi.json").get_json()["paths"])
    routes = {rule.rule.removeprefix(API_PREFIX).replace("<", "{").replace(">", "}") or "/"
              for rule in app.url_map.iter_rules() if rule.rule.startswith(API_PREFIX + "/")}
    assert routes == described


def test_spec_is_cacheable_and_strict(client):
    first = client.get(f"{API_PREFIX}/openapi.json")
    assert first.status_code == 200 and first.get_json()["openapi"].startswith("3.1")
    again = client.get(f"{API_PREFIX}/openapi.json", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    unknown = client.get(f"{API_PREFIX}/openapi.json?debug=1")
    assert unknown.status_code == 400
    assert_error_shape(unknown.get_json(), 400)


def test_query_parameters_follow_the_validation_schemas(client):
    services = client.get(f"{API_PREFIX}/openapi.json").get_json()["paths"]["/services"]["get"]
    query = {p["name"]: p["schema"] for p in services["parameters"] if p["in"] == "query"}
    assert set(query) == {"area", "category", "open_now"}
    assert "refuge" in query["category"]["enum"] and query["open_now"]["type"] == "boolean"
    # A value outside the documented enum is refused with a field error naming it.
    refused = client.get(f"{API_PREFIX}/services?category=nonsense").get_json()
    assert "category" in refused["error"]["fields"]


@pytest.mark.parametrize("path", ["/areas/%00", "/services/%00x", "/guides/a%00b", "/services?area=%00"])
def test_nul_bytes_are_a_client_error(client, path):
    # PostgreSQL refuses NUL in text; that must surface as a 404/400, never a 500.
    response = client.get(API_PREFIX + path)
    assert response.status_code in (400, 404)
    assert_error_shape(response.get_json(), response.status_code)


def test_nul_bytes_in_a_page_slug_are_a_404(client):
    assert client.get("/guides/a%00b").status_code == 404
