"""Which broker fans live events out (PUBLISH_URL), chosen by configuration
only, and what /readyz says of it."""

from __future__ import annotations

import pytest

from config import ConfigError, load_config
from skyframe import services
from skyframe.publish import MemoryBroker
from skyframe.publish_redis import RedisBroker, broker_from_url
from skyframe.wiring import publish_url
from tests.conftest import REDIS_URL

pytestmark = pytest.mark.one_database

PRODUCTION = {
    "SECRET_KEY": "k" * 48,
    "PUBLIC_URL": "https://sky.example",
    "JOBS_BACKEND": "rq",
}


def test_an_empty_publish_url_follows_the_jobs_backend():
    assert publish_url(load_config("testing")) == "memory://"
    rq = load_config("testing", overrides={"JOBS_BACKEND": "rq"})
    assert publish_url(rq) == rq["RQ_REDIS_URL"]
    named = load_config("testing", overrides={"PUBLISH_URL": "redis://127.0.0.1:6379/3"})
    assert publish_url(named) == "redis://127.0.0.1:6379/3"


def test_the_url_names_the_broker():
    assert isinstance(broker_from_url("memory://", prefix="x"), MemoryBroker)
    redis_broker = broker_from_url("redis://127.0.0.1:1/0", prefix="x")
    assert isinstance(redis_broker, RedisBroker)
    assert redis_broker.prefix == "x:publish:"
    with pytest.raises(ValueError, match="not a publish URL"):
        broker_from_url("postgres://x", prefix="x")


def test_an_app_gets_the_broker_its_configuration_names(app_factory):
    with app_factory().app_context():
        assert isinstance(services.broker(), MemoryBroker)
    app = app_factory(PUBLISH_URL="redis://127.0.0.1:1/0", CACHE_KEY_PREFIX="sky-test")
    with app.app_context():
        assert isinstance(services.broker(), RedisBroker)
        assert services.broker().prefix == "sky-test:publish:"
    with app_factory(JOBS_BACKEND="rq", RQ_REDIS_URL="redis://127.0.0.1:1/2").app_context():
        assert services.broker().url == "redis://127.0.0.1:1/2"


def test_a_publish_url_that_is_neither_memory_nor_redis_is_refused():
    with pytest.raises(ConfigError, match="PUBLISH_URL"):
        load_config("testing", overrides={"PUBLISH_URL": "amqp://broker"})


def test_production_refuses_memory_with_several_processes():
    with pytest.raises(ConfigError, match="PUBLISH_URL=memory:// cannot serve several"):
        load_config("production", overrides={**PRODUCTION, "PUBLISH_URL": "memory://"})
    settings = load_config("production", overrides=PRODUCTION)
    assert publish_url(settings) == settings["RQ_REDIS_URL"]
    # One process doing everything may keep events in its memory.
    inline = load_config(
        "production", overrides={**PRODUCTION, "JOBS_BACKEND": "inline", "PUBLISH_URL": "memory://"}
    )
    assert publish_url(inline) == "memory://"


def test_readyz_names_the_in_process_broker(client):
    body = client.get("/readyz").get_json()
    assert body["events"] == {"state": "ok", "backend": "memory"}
    assert body["status"] == "ready"


def test_readyz_is_degraded_when_the_brokers_redis_is_unreachable(app_factory):
    app = app_factory(PUBLISH_URL="redis://127.0.0.1:1/0")
    response = app.test_client().get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["events"] == {"state": "unreachable", "backend": "redis"}
    assert body["status"] == "degraded"


@pytest.mark.skipif(not REDIS_URL, reason="SKYFRAME_TEST_REDIS_URL is not set")
def test_readyz_says_the_brokers_redis_answers(app_factory):
    body = app_factory(PUBLISH_URL=REDIS_URL).test_client().get("/readyz").get_json()
    assert body["events"] == {"state": "ok", "backend": "redis"}
