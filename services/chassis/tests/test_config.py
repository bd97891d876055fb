from services.chassis.config import db_uri, load_config


def test_env_values_with_defaults(tmp_path, monkeypatch):
    path = tmp_path / "config.yml"
    path.write_text(
        "AMQP_URI: ${TEST_AMQP:amqp://guest:guest@127.0.0.1:5673/}\n"
        "DB_URI: ${TEST_DB_URI:sqlite:///var/x.sqlite3}\n"
        "RPC_TIMEOUT: ${TEST_TIMEOUT:10}\n"
        "CLOCK_FILE: ${TEST_CLOCK:}\n"
        "NAME: 北京市总工会\n", encoding="utf-8")
    monkeypatch.delenv("TEST_AMQP", raising=False)
    monkeypatch.setenv("TEST_TIMEOUT", "2.5")
    config = load_config(path)
    assert config["AMQP_URI"] == "amqp://guest:guest@127.0.0.1:5673/"
    assert config["RPC_TIMEOUT"] == 2.5  # parsed as YAML, as nameko run does
    assert config["CLOCK_FILE"] is None
    assert config["NAME"] == "北京市总工会"
    monkeypatch.setenv("TEST_DB_URI", "postgresql://u@h/db")
    assert db_uri(load_config(path), "registry") == "postgresql://u@h/db"


def test_db_uri_defaults_to_the_service_sqlite_file():
    assert db_uri({}, "welfare") == "sqlite:///var/welfare.sqlite3"
