"""Service configuration: ``config.yml`` files with ``${ENV:default}`` values.

``nameko run --config`` reads the same files the same way; this module lets
the migration command, the topology step and tests read them too.
"""
import os

import yaml
from nameko.cli.main import setup_yaml_parser

setup_yaml_parser()

DEFAULT_DB_URI = "sqlite:///var/{service}.sqlite3"


def load_config(path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f) or {}


def service_config_path(service_name):
    """Where a service's own ``config.yml`` lives in the source tree."""
    here = os.path.dirname(os.path.abspath(__file__))
    if service_name == "gateway":
        return os.path.join(os.path.dirname(os.path.dirname(here)), "gateway", "config.yml")
    return os.path.join(os.path.dirname(here), service_name, "config.yml")


def db_uri(config, service_name):
    """The database URI of ``service_name``: ``DB_URI`` from config, else its SQLite file."""
    uri = config.get("DB_URI") or DEFAULT_DB_URI.format(service=service_name)
    return str(uri)
