"""Throw-away RabbitMQ virtual hosts, made and removed through the management API."""
import urllib.parse
import uuid

import pika
import requests

HTTP_TIMEOUT = 10


class ManagementApi:
    """The management API at ``http://user:password@host:port``."""

    def __init__(self, ctl_uri):
        parts = urllib.parse.urlsplit(ctl_uri)
        self.auth = (urllib.parse.unquote(parts.username or "guest"),
                     urllib.parse.unquote(parts.password or "guest"))
        port = f":{parts.port}" if parts.port else ""
        self.base = f"{parts.scheme}://{parts.hostname}{port}{parts.path.rstrip('/')}/api"
        self.http = requests.Session()
        self.http.auth = self.auth

    def url(self, *segments):
        return "/".join([self.base] + [urllib.parse.quote(s, safe="") for s in segments])

    def put(self, *segments, body=None):
        response = self.http.put(self.url(*segments), json=body or {}, timeout=HTTP_TIMEOUT)
        response.raise_for_status()

    def delete(self, *segments):
        response = self.http.delete(self.url(*segments), timeout=HTTP_TIMEOUT)
        if response.status_code != 404:
            response.raise_for_status()


def vhost_uri(amqp_uri, vhost):
    """``amqp_uri`` pointed at ``vhost`` instead of its own virtual host."""
    parts = urllib.parse.urlsplit(amqp_uri)
    return urllib.parse.urlunsplit(parts._replace(path="/" + urllib.parse.quote(vhost, safe="")))


class Vhost:
    """``with Vhost(api, amqp_uri, "relay") as vhost:`` -- ``vhost.amqp_uri`` until the block ends."""

    def __init__(self, api, amqp_uri, purpose):
        self.api = api
        self.name = f"laomo-bench-{purpose}-{uuid.uuid4().hex[:8]}"
        self.amqp_uri = vhost_uri(amqp_uri, self.name)
        self.user = urllib.parse.unquote(urllib.parse.urlsplit(amqp_uri).username or "guest")

    def __enter__(self):
        self.api.put("vhosts", self.name)
        try:
            self.api.put("permissions", self.name, self.user,
                         body={"configure": ".*", "write": ".*", "read": ".*"})
        except Exception:
            self.api.delete("vhosts", self.name)
            raise
        return self

    def __exit__(self, *exc_info):
        self.api.delete("vhosts", self.name)
        return False


def queue_depth(amqp_uri, queue):
    """Messages ready on ``queue`` now (a passive declare: exact, unlike the API's sampled stats)."""
    connection = pika.BlockingConnection(pika.URLParameters(amqp_uri))
    try:
        return connection.channel().queue_declare(queue, passive=True).method.message_count
    finally:
        connection.close()
