"""What several machines behind a load balancer need: the client's real address, shared
limits that survive a Redis hiccup, a request id in one log line per request, health."""

import io
import json
import logging

import pytest

from portal import create_app, storage
from portal.accounts.models import Role
from portal.config import from_environment
from tests import factories, servers
from tests.conftest import FormClient
from tests.test_registry_import import admin, extract, upload  # noqa: F401

PROXY = {"REMOTE_ADDR": "10.0.0.2"}  # the load balancer, as the app sees it
PRODUCTION = {"PORTAL_ENV": "production", "SECRET_KEY": "s", "ID_HASH_KEY": "i"}


def failed_sign_ins(client, count: int, forwarded_for: str) -> list[int]:
    """Answers to failed sign-ins, each for another account, from one client address."""
    return [
        client.post(
            "/login",
            data={"email": f"nobody{n}@example.cn", "password": "wrong-password-123"},
            headers={"X-Forwarded-For": forwarded_for},
            environ_base=PROXY,
        ).status_code
        for n in range(count)
    ]


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(app):
    app.config["TRUSTED_PROXIES"] = 1
    trusting = create_app(dict(app.config))
    client = FormClient(trusting.test_client())
    assert failed_sign_ins(client, 21, "203.0.113.7")[-1] == 429
    assert failed_sign_ins(client, 1, "198.51.100.9") == [422]
    trusting.extensions["db_engine"].dispose()


def test_without_trusted_proxies_a_forwarded_address_is_ignored(client):
    assert failed_sign_ins(client, 21, "203.0.113.7")[-1] == 429
    # A client cannot escape its limit by naming another address.
    assert failed_sign_ins(client, 1, "198.51.100.9") == [429]


def test_production_refuses_limits_kept_in_memory():
    with pytest.raises(RuntimeError, match="RATELIMIT_STORAGE_URI=redis://"):
        from_environment(PRODUCTION | {"CARD_KEYS": _card_keys()})
    shared = {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0", "CARD_KEYS": _card_keys()}
    assert from_environment(PRODUCTION | shared)["PRODUCTION"]


def _card_keys() -> str:
    from portal.cards import DEV_CARD_KEYS

    return DEV_CARD_KEYS


def test_limits_fall_back_to_memory_and_say_so_when_redis_is_down(app, caplog):
    down = f"redis://127.0.0.1:{servers.free_port()}/0"  # nothing listens there
    fallback = create_app(dict(app.config) | {"RATELIMIT_STORAGE_URI": down})
    client = FormClient(fallback.test_client())
    with caplog.at_level(logging.WARNING):
        answers = [
            client.post(
                "/login", data={"email": "someone@example.cn", "password": "wrong-password-1"}
            ).status_code
            for _ in range(4)
        ]
    assert answers == [422, 422, 422, 429]  # still limited, in this process's memory
    assert "falling back to in-memory storage" in caplog.text
    fallback.extensions["db_engine"].dispose()


# --- one line per request ---------------------------------------------------------------


def request_lines(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "portal.requests"]


def test_each_request_is_logged_once_with_its_id(client, auth, session, caplog):
    user = factories.user(session, Role.REVIEWER, email="reviewer@example.cn")
    session.commit()
    auth.login("reviewer@example.cn")
    caplog.clear()
    with caplog.at_level(logging.INFO):
        response = client.get("/vehicles?q=440102198001011234", headers={"X-Request-ID": "lb-42"})
    assert response.status_code == 200 and response.headers["X-Request-ID"] == "lb-42"
    [line] = request_lines(caplog)
    assert line.request_id == "lb-42" and line.method == "GET"
    assert line.path == "/vehicles" and line.user_id == user.id
    assert line.status == 200 and line.ms >= 0
    assert "440102198001011234" not in caplog.text  # the query is not logged


@pytest.mark.parametrize("given", ["", "a b", "x" * 65, "id;forged=1", "身份"], ids=range(5))
def test_a_missing_or_strange_request_id_is_replaced(client, caplog, given):
    with caplog.at_level(logging.INFO):
        response = client.get("/healthz", headers={"X-Request-ID": given})
    made = response.headers["X-Request-ID"]
    assert made != given and len(made) == 32
    assert request_lines(caplog)[0].request_id == made


def test_an_id_number_in_a_path_is_masked_in_the_log(client, caplog):
    with caplog.at_level(logging.INFO):
        assert client.get("/no-such-page/440102198001011234").status_code == 404
    [line] = request_lines(caplog)
    assert "440102198001011234" not in line.path and line.status == 404


def test_json_log_lines(app):
    app.config["LOG_FORMAT"] = "json"
    as_json = create_app(dict(app.config))
    errors = io.StringIO()
    as_json.test_client().get(
        "/healthz", headers={"X-Request-ID": "r-1"}, environ_overrides={"wsgi.errors": errors}
    )
    line = json.loads(errors.getvalue().splitlines()[-1])
    assert line["request_id"] == "r-1" and line["path"] == "/healthz" and line["status"] == 200
    assert line["levelname"] == "INFO" and line["name"] == "portal.requests"
    create_app({**app.config, "LOG_FORMAT": "text"})  # the handler is the process's: put it back
    as_json.extensions["db_engine"].dispose()


def test_the_job_logs_under_the_id_of_the_request_that_queued_it(admin, caplog):  # noqa: F811
    with caplog.at_level(logging.INFO):
        response = admin.post(
            "/admin/imports",
            data={"file": (io.BytesIO(extract([])), "empty.csv")},
            content_type="multipart/form-data",
            headers={"X-Request-ID": "upload-7"},
        )
    assert response.status_code == 303
    job_lines = [record for record in caplog.records if record.name == "portal.tasks"]
    assert [record.request_id for record in job_lines] == ["upload-7", "upload-7"]
    assert job_lines[-1].getMessage().endswith(": done")


# --- health -------------------------------------------------------------------------------


def test_alive_and_ready(client):
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["checks"] == {"database": "ok"}


def test_not_ready_names_the_part_that_failed(app, caplog):
    down = f"redis://127.0.0.1:{servers.free_port()}/0"
    broken = create_app(dict(app.config) | {"CACHE_URL": down})
    ready = broken.test_client().get("/readyz")
    assert ready.status_code == 503
    assert ready.json == {"status": "unavailable", "checks": {"database": "ok", "redis": "failed"}}
    assert "readiness: redis failed" in caplog.text
    broken.extensions["db_engine"].dispose()


def test_ready_checks_the_object_storage(s3_app):
    client = s3_app.test_client()
    assert client.get("/readyz").json["checks"] == {"database": "ok", "storage": "ok"}
    s3_app.config["STORAGE_URL"] = "s3://no-such-bucket/files"
    s3_app.extensions["storage"] = storage.from_config(s3_app.config)
    assert client.get("/readyz").json["checks"]["storage"] == "failed"
