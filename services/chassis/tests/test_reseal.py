"""`python -m services.chassis.reseal`: its help, its arguments, the declarations it relies on, and the
databases and keys it refuses. Re-sealing and re-indexing each service's data is tested in that service's
tests (services/<name>/tests/test_reseal.py)."""
import importlib
import os
import subprocess
import sys

import pytest

from services.chassis import reseal
from services.chassis.migrations import SERVICES, upgrade
from services.chassis.personal_data import new_key

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def models_of(service):
    return importlib.import_module("gateway.models" if service == "gateway" else f"services.{service}.models")


def test_help_tells_the_procedure_and_the_maintenance_window_of_a_reindex():
    done = subprocess.run([sys.executable, "-m", "services.chassis.reseal", "--help"], check=False, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    usage = " ".join(done.stdout.split())
    assert usage.startswith("usage: python -m services.chassis.reseal [-h] [--batch N] [--reindex] SERVICE [SERVICE ...]")
    for words in ("registry, nomination, welfare", "REGISTRY_DB_URI", "LAOMO_PERSONAL_DATA_KEYS=<new>,<old>",
                  "--reindex (rotating LAOMO_BLIND_INDEX_KEY) NEEDS A MAINTENANCE WINDOW",
                  "Stop the services", "run this with --reindex for every SERVICE, then start them",
                  "cannot be recomputed", "rows per transaction (default 500)"):
        assert words in usage


@pytest.mark.parametrize("argv", [[], ["association"], ["--batch", "0", "registry"], ["--batch", "x", "welfare"]],
                         ids=["no service", "a service without sealed data", "batch 0", "batch not a number"])
def test_bad_arguments_are_a_usage_error(argv, capsys):
    with pytest.raises(SystemExit) as exited:
        reseal.main(argv)
    assert exited.value.code == 2
    assert "usage: python -m services.chassis.reseal" in capsys.readouterr().err


def test_the_services_that_seal_are_exactly_those_with_sealed_or_indexed_columns():
    def has_personal_data(service):
        return any(c.name.endswith(("_sealed", "_index")) for t in models_of(service).Base.metadata.tables.values()
                   for c in t.columns)

    assert {s for s in SERVICES if has_personal_data(s)} == set(reseal.SERVICES)
    for service in reseal.SERVICES:
        reseal.declarations(service)  # each one's declaration matches its tables


def test_a_sealed_or_indexed_column_left_out_of_the_declaration_stops_the_command(monkeypatch):
    models = models_of("registry")
    monkeypatch.setattr(models, "SEALED_COLUMNS", ())
    with pytest.raises(reseal.ResealError, match="honourees.id_number_sealed"):
        reseal.declarations("registry")
    monkeypatch.undo()
    monkeypatch.setattr(models, "BLIND_INDEXES", ())
    with pytest.raises(reseal.ResealError, match="honourees.id_number_index"):
        reseal.declarations("registry")
    models = models_of("welfare")
    monkeypatch.setattr(models, "SEALED_COLUMNS", models.SEALED_COLUMNS + ("postings.memo_sealed",))
    with pytest.raises(reseal.ResealError, match="postings.memo_sealed"):
        reseal.declarations("welfare")


def keys(monkeypatch, personal=None, index=None):
    for name, value in (("LAOMO_PERSONAL_DATA_KEYS", personal), ("LAOMO_BLIND_INDEX_KEY", index)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)


def test_without_keys_the_command_does_nothing(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("REGISTRY_DB_URI", f"sqlite:///{tmp_path}/registry.sqlite3")
    keys(monkeypatch, index=new_key())
    assert reseal.main(["registry"]) == 2
    assert "PERSONAL_DATA_KEYS is not set" in capsys.readouterr().err
    keys(monkeypatch, personal=new_key())
    assert reseal.main(["registry"]) == 2
    assert "BLIND_INDEX_KEY is not set" in capsys.readouterr().err
    assert os.listdir(tmp_path) == []


def test_a_database_that_is_not_the_service_s_is_refused(monkeypatch, tmp_path, capsys, db_uri):
    keys(monkeypatch, new_key(), new_key())
    monkeypatch.setenv("WELFARE_DB_URI", f"sqlite:///{tmp_path}/missing/welfare.sqlite3")
    assert reseal.main(["welfare"]) == 1
    captured = capsys.readouterr()
    assert "no database file" in captured.err and "set WELFARE_DB_URI" in captured.err
    assert not os.path.exists(tmp_path / "missing" / "welfare.sqlite3")

    upgrade("welfare", db_uri)  # another service's database, migrated
    monkeypatch.setenv("NOMINATION_DB_URI", db_uri)
    assert reseal.main(["nomination"]) == 1
    captured = capsys.readouterr()
    assert "the database has no table" in captured.err and "NOMINATION_DB_URI" in captured.err
    assert "laomo: stopped by an error; all: 0 rows examined" in captured.out


class Stop(Exception):
    pass


def test_the_database_address_is_printed_without_its_password(monkeypatch, capsys):
    def no_engine(uri, *args):
        raise Stop()

    monkeypatch.setattr(reseal, "DatabaseEngine", no_engine)  # stop before connecting anywhere
    keys(monkeypatch, new_key(), new_key())
    monkeypatch.setenv("REGISTRY_DB_URI", "postgresql://laomo:s3cret@db.example:5432/laomo_registry")
    with pytest.raises(Stop):
        reseal.main(["registry"])
    out = capsys.readouterr().out
    assert "laomo: registry: postgresql://laomo:***@db.example:5432/laomo_registry, re-sealing in batches of 500" in out
    assert "s3cret" not in out
