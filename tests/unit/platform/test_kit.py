"""The deployment kit (deploy/kit.py): the committed compose file and Kubernetes
manifests are what the process list renders, every process is in both, and the
manifests pass the Kubernetes schemas offline (kubernetes-validate, strict)."""
import copy
import os

import kubernetes_validate
import pytest
import yaml

from deploy import kit
from deploy.processes import ROOT, processes

K8S_VERSION = "1.30.0"


def _load(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as handle:
        return handle.read()


def test_the_committed_kit_is_the_rendering_of_the_process_list():
    for path, text in kit.render().items():
        assert _load(path) == text, f"{path} is stale: run `python -m deploy.kit`"


def test_every_manifest_passes_the_kubernetes_schemas():
    docs = list(yaml.safe_load_all(_load("deploy/kubernetes/chuangxian.yaml")))
    for doc in docs:
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
    kinds = [d["kind"] for d in docs]
    names = {p.name for p in processes("deploy/config.yml", environ={})}
    deployments = {d["spec"]["template"]["spec"]["containers"][0]["args"][0]: d
                   for d in docs if d["kind"] == "Deployment"}
    assert set(deployments) == names
    for name, deployment in deployments.items():
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        assert container["livenessProbe"]["httpGet"]["path"] == "/livez"
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["resources"]["requests"] and container["resources"]["limits"]["memory"]
        secrets = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in container["env"] if "valueFrom" in e}
        assert set(secrets) == {"AMQP_URI", "MONGO_URI", "GATEWAY_SECRET_KEY"}
        assert all(ref["name"] == "chuangxian" for ref in secrets.values())
        assert not any(e.get("value") and "amqp://" in e["value"] for e in container["env"])
    assert "Secret" not in kinds   # secrets by reference only
    scaled = {d["spec"]["scaleTargetRef"]["name"] for d in docs if d["kind"] == "HorizontalPodAutoscaler"}
    assert scaled == {"chuangxian-gateway", "chuangxian-applications"}


def test_the_validation_catches_a_broken_manifest():
    docs = list(yaml.safe_load_all(_load("deploy/kubernetes/chuangxian.yaml")))
    broken = copy.deepcopy(next(d for d in docs if d["kind"] == "Deployment"))
    broken["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["httpGet"]["prot"] = 9100
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, K8S_VERSION, strict=True)
    broken = copy.deepcopy(next(d for d in docs if d["kind"] == "HorizontalPodAutoscaler"))
    broken["spec"]["minReplicas"] = "two"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, K8S_VERSION, strict=True)


def test_the_compose_file_is_a_whole_small_campus():
    compose = yaml.safe_load(_load("deploy/compose.yaml"))
    services = compose["services"]
    names = {p.name.replace("_", "-") for p in processes("deploy/config.yml", environ={})}
    assert names <= set(services)
    assert {"rabbitmq", "mongo1", "mongo2", "mongo3", "mongo-init", "nginx"} <= set(services)
    for name, service in services.items():
        assert set(service) <= {"image", "hostname", "command", "environment", "volumes", "healthcheck", "restart",
                                "depends_on", "deploy", "ports", "stop_grace_period"}, name
        for dependency in service.get("depends_on", []):
            assert dependency in services, (name, dependency)
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert os.path.exists(os.path.join(ROOT, "deploy", source)), volume
            else:
                assert source in compose["volumes"], volume
    for name in names:
        service = services[name]
        assert isinstance(service["deploy"]["replicas"], int) and service["deploy"]["replicas"] >= 1
        assert service["command"] == [next(p.name for p in processes("deploy/config.yml", environ={})
                                           if p.name.replace("_", "-") == name)]
        assert "replicaSet=rs0" in service["environment"]["MONGO_URI"]
        assert "guest" not in service["environment"]["AMQP_URI"]
    assert services["applications"]["deploy"]["replicas"] == 2 and services["gateway"]["deploy"]["replicas"] == 2
    assert "default_queue_type = quorum" in _load("deploy/rabbitmq/rabbitmq.conf")


def test_the_image_runs_any_process_by_argument():
    containerfile = _load("deploy/Containerfile")
    assert 'ENTRYPOINT [".venv/bin/python", "-m", "deploy.processes", "--exec"]' in containerfile
    with pytest.raises(SystemExit, match="no process named 'nope'"):
        from deploy.processes import exec_process
        exec_process("deploy/config.yml", "nope")
