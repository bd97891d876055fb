"""deploy/Dockerfile: the one image, built from the repository root with what it copies."""
import os
import re

from .manifests import DEPLOY, ROOT, k8s_documents, laomo_containers, load_compose


def read(name):
    with open(os.path.join(DEPLOY, name), encoding="utf-8") as f:
        return f.read()


def instructions():
    text = read("Dockerfile").replace("\\\n", " ")
    return [line.split(None, 1) for line in text.splitlines() if line.strip() and not line.startswith("#")]


def test_the_image_installs_the_pinned_versions_and_runs_as_a_user():
    steps = instructions()
    assert steps[0] == ["FROM", "python:3.11-slim-bookworm"]
    assert any(op == "RUN" and "pip install -c constraints.txt ." in arg for op, arg in steps)
    (user,) = [arg for op, arg in steps if op == "USER"]
    assert user.split(":")[0] not in ("0", "root")
    # the uid the manifests run the laomo containers as
    assert laomo_containers()
    pod_users = {doc["spec"]["template"]["spec"]["securityContext"]["runAsUser"] for _, doc in k8s_documents()
                 if doc["kind"] in ("Deployment", "Job")}
    assert pod_users == {int(user.split(":")[0])}


def test_everything_it_copies_exists_and_is_in_the_build_context():
    allowed = {line[1:].rstrip("/") for line in read("Dockerfile.dockerignore").splitlines() if line.startswith("!")}
    copied = [arg.split()[:-1] for op, arg in instructions() if op == "COPY"]
    sources = [source for group in copied for source in group]
    assert {"pyproject.toml", "constraints.txt", "services", "gateway"} <= set(sources)
    for source in sources:
        assert os.path.exists(os.path.join(ROOT, source)), source
        assert source.rstrip("/") in allowed, source


def test_compose_builds_this_dockerfile_from_the_repository_root():
    build = load_compose()["services"]["migrate"]["build"]
    assert os.path.normpath(os.path.join(DEPLOY, build["context"])) == ROOT
    assert build["dockerfile"] == "deploy/Dockerfile"
    assert re.search(r"^WORKDIR /app$", read("Dockerfile"), re.MULTILINE)
