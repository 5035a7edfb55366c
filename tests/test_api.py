import pytest

from support import SEED_NUMBERS


def test_areas_national_first(client):
    response = client.get("/api/v1/areas")
    assert response.status_code == 200
    slugs = [a["slug"] for a in response.json["areas"]]
    assert slugs[0] == "national"
    assert {"cheshire-east", "cheshire-west-and-chester", "halton", "warrington"} <= set(slugs)


def test_bundle_has_every_seed_number_and_a_version(client):
    bundle = client.get("/api/v1/bundle").json
    phones = {s["phone"] for s in bundle["services"]}
    assert set(SEED_NUMBERS) <= phones
    assert len(bundle["version"]) == 20
    assert {g["slug"] for g in bundle["guides"]} >= {"silent-solution", "recognising-the-signs",
                                                     "worried-about-someone", "safety-plan"}
    cwac = next(s for s in bundle["services"] if s["phone"] == "0300 123 7047")
    assert "option 2" in cwac["phone_extra"]
    assert all(s["source"].startswith("https://") and s["last_checked"] for s in bundle["services"])


def test_bundle_answers_304_to_matching_etag(client):
    first = client.get("/api/v1/bundle")
    assert first.headers["Cache-Control"] == "public, no-cache"
    etag = first.headers["ETag"]
    again = client.get("/api/v1/bundle", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    changed = client.get("/api/v1/bundle", headers={"If-None-Match": '"something-else"'})
    assert changed.status_code == 200


@pytest.mark.parametrize("url", ["/api/v1/areas", "/api/v1/services", "/api/v1/guides",
                                 "/api/v1/services/warrington-refuge", "/api/v1/guides/safety-plan"])
def test_every_endpoint_supports_conditional_get(client, url):
    etag = client.get(url).headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304


@pytest.mark.parametrize("url", ["/api/v1/bundle", "/api/v1/services", "/api/v1/guides/safety-plan"])
@pytest.mark.parametrize("if_match", ["junk", '"junk"', 'W/"weak", "other"'])
def test_a_failed_if_match_is_the_json_error_not_the_resource(client, url, if_match):
    response = client.get(url, headers={"If-Match": if_match})
    assert response.status_code == 412
    assert response.json == {"error": {"status": 412, "code": "precondition_failed",
                                       "message": "If-Match does not match the current version."}}
    assert response.headers["Cache-Control"] == "no-store" and "ETag" not in response.headers


def test_a_matching_if_match_still_gets_the_resource(client):
    etag = client.get("/api/v1/bundle").headers["ETag"]
    for if_match in (etag, f'"other", {etag}', "*"):
        response = client.get("/api/v1/bundle", headers={"If-Match": if_match})
        assert response.status_code == 200 and response.json["version"]


def test_services_filter_by_area_and_category(client):
    halton = client.get("/api/v1/services?area=halton").json["services"]
    assert [s["phone"] for s in halton] == ["0300 111 1247"]
    police = client.get("/api/v1/services?category=police").json["services"]
    assert {s["phone"] for s in police} == {"999", "101"}


def test_service_has_tel_link_and_open_now(client):
    service = client.get("/api/v1/services/national-domestic-violence-helpline").json["service"]
    assert service["tel"] == "tel:08082000247"
    assert service["open_now"] is True
    local = client.get("/api/v1/services/halton-domestic-abuse-forum").json["service"]
    assert local["open_now"] is None  # hours unknown, not guessed


def test_open_now_filter(client):
    rows = client.get("/api/v1/services?open_now=true").json["services"]
    assert rows and all(r["open_now"] is True for r in rows)


@pytest.mark.parametrize("url, field", [
    ("/api/v1/services?area=Not A Slug", "area"),
    ("/api/v1/services?category=pizza", "category"),
    ("/api/v1/services?open_now=perhaps", "open_now"),
    ("/api/v1/services?colour=red", "colour"),
    ("/api/v1/guides?audience=everyone", "audience"),
    ("/api/v1/bundle?x=1", "x"),
])
def test_bad_query_is_a_clear_400(client, url, field):
    response = client.get(url)
    assert response.status_code == 400
    assert response.is_json
    error = response.json["error"]
    assert error["code"] == "bad_request"
    assert field in error["fields"]


@pytest.mark.parametrize("url", ["/api/v1/areas/atlantis", "/api/v1/services/nobody", "/api/v1/guides/nothing",
                                 "/api/v1/services?area=atlantis", "/api/v1/no-such-thing"])
def test_unknown_things_are_json_404s(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response.json["error"]["status"] == 404


def test_wrong_method_is_405_with_allow(client):
    response = client.post("/api/v1/bundle", json={})
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert response.json["error"]["code"] == "method_not_allowed"


def test_unexpected_failure_is_json_without_a_trace(app, client, monkeypatch):
    from pwa import content

    def broken():
        raise RuntimeError("secret internals")
    monkeypatch.setattr(content, "bundle", broken)
    response = client.get("/api/v1/bundle")
    assert response.status_code == 500
    assert response.json["error"]["code"] == "internal_server_error"
    assert b"secret internals" not in response.data and b"Traceback" not in response.data
