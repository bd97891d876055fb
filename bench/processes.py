"""Services of a bench section, each a ``nameko run`` process as a deployment runs it (not a section).

Configured by the environment only, on the section's own broker vhost, each with a free metrics port and a
log file in the section's directory.
"""
import os
import subprocess
import sys

from bench.memory import stop_processes, tail
from services.chassis.testing import free_port, wait_for
from services.chassis.topology import declare

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
START_TIMEOUT = 60.0


def service_class(name):
    return f"services.{name}.service:{name.capitalize()}Service"


class ServiceProcesses:
    """``services``: {name: service class}; ``env``: what each process gets beyond ``AMQP_URI``, its
    metrics port and a quiet log (the databases, the keys, ...)."""

    def __init__(self, amqp_uri, directory, services, env):
        self.amqp_uri, self.directory, self.services = amqp_uri, directory, services
        self.ports = {name: free_port() for name in services}
        self.env = dict(os.environ, AMQP_URI=amqp_uri, LOG_LEVEL="WARNING", **env,
                        **{f"{name.upper()}_METRICS_PORT": str(port) for name, port in self.ports.items()})
        self.env.pop("LAOMO_CLOCK_FILE", None)
        self.processes = {}

    def log(self, name):
        return os.path.join(self.directory, f"{name}.log")

    def start(self, answering):
        """Declares the topology, starts every process, and waits until ``answering()`` is true."""
        declare(self.amqp_uri, list(self.services.values()))
        nameko = os.path.join(os.path.dirname(sys.executable), "nameko")
        for name, cls in self.services.items():
            with open(self.log(name), "wb") as log:
                self.processes[name] = subprocess.Popen(
                    [nameko, "run", "--config", f"services/{name}/config.yml", service_class(name)],
                    cwd=REPO_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)

        def up():
            self.check()
            return answering()

        wait_for(up, timeout=START_TIMEOUT, interval=0.25,
                 message=f"the services to answer (logs in {self.directory})")
        return {name: process.pid for name, process in self.processes.items()}

    def check(self):
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited {process.returncode}: {tail(self.log(name))}")

    def stop(self):
        stop_processes(self.processes.values())
