from support import SEED_NUMBERS


def test_helplines_page_shows_every_seed_number_with_tel_links(client):
    html = client.get("/helplines").get_data(as_text=True)
    for number in SEED_NUMBERS:
        assert number in html
    for tel in ["tel:08082000247", "tel:03001235101", "tel:03001237047", "tel:03001111247", "tel:01925243359",
                "tel:999", "tel:101"]:
        assert f'href="{tel}"' in html
    assert "option 2" in html
    assert "Details last checked 5 May 2020: they may have changed." in html


def test_helplines_area_filter_keeps_national_numbers(client):
    # Every service is on the page (components/area-filter.js filters it offline); those left out are hidden.
    html = client.get("/helplines?area=warrington").get_data(as_text=True)
    assert 'id="warrington-refuge" data-categories="refuge local-support">' in html
    assert 'id="national-domestic-violence-helpline" data-categories="helpline friends-family">' in html
    assert 'aria-labelledby="area-halton" data-area="halton" data-area-kind="local" hidden>' in html
    assert client.get("/helplines?area=atlantis").status_code == 404


def test_home_has_silent_solution_and_helpline(client):
    html = client.get("/").get_data(as_text=True)
    assert 'href="tel:999"' in html and "press <strong>55</strong>" in html
    assert "0808 2000 247" in html


def test_guides_render_markdown(client):
    html = client.get("/guides/silent-solution").get_data(as_text=True)
    assert "<strong>press 55</strong>" in html
    assert "<strong>Pressing 55 does not tell the police where you are</strong>" in html
    assert client.get("/guides/none-such").status_code == 404


def test_every_page_has_the_same_neutral_title(client):
    for url in ["/", "/helplines", "/guides", "/guides/safety-plan", "/limits", "/check", "/worried", "/missing"]:
        html = client.get(url).get_data(as_text=True)
        assert "<title>Open Door</title>" in html, url
        assert "abuse" not in html.split("<title>")[1].split("</title>")[0].lower()


def test_pages_need_no_inline_script_or_style(client):
    for url in ["/", "/helplines", "/guides/safety-plan", "/limits", "/check", "/worried"]:
        html = client.get(url).get_data(as_text=True)
        assert "<script>" not in html and " style=" not in html and "<style" not in html


def test_an_unexpected_error_logs_the_route_not_what_was_read(app, client, monkeypatch, caplog):
    from pwa import content

    def broken(model, slug):
        raise RuntimeError("broken")
    monkeypatch.setattr(content, "by_slug", broken)
    response = client.get("/guides/leaving-safely?from=home")
    assert response.status_code == 500 and b"Traceback" not in response.data
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "/guides/<slug>" in logged
    assert "leaving-safely" not in logged and "from=home" not in logged


def test_a_database_failure_logs_no_query_parameters(app, client, caplog):
    # The error of a failed query repeats its parameters: here, which guide someone opened.
    from pwa.extensions import db

    with app.app_context():
        db.session.execute(db.text("DROP TABLE guide"))
        db.session.commit()
    response = client.get("/guides/leaving-safely")
    assert response.status_code == 500
    assert "/guides/<slug>" in caplog.text and "[SQL parameters hidden" in caplog.text
    assert "leaving-safely" not in caplog.text
