"""The deployment kit, rendered from the one process list (deploy/processes.py).

    python -m deploy.kit            # rewrite deploy/compose.yaml and deploy/kubernetes/chuangxian.yaml
    python -m deploy.kit --check    # exit 1 when the committed files differ from the rendering

Both run the one image built from deploy/Containerfile; its entry point is
`python -m deploy.processes --exec NAME`, so the argument picks the process.

* compose.yaml — a small campus on one or a few Docker hosts: RabbitMQ (quorum
  queues as the vhost's default type), a three-member MongoDB replica set, each
  service and program with its replica count, two gateways behind nginx.
* kubernetes/chuangxian.yaml — a Deployment per process with liveness (/livez) and
  readiness (/readyz) probes, resources, secrets by reference (a Secret named
  ``chuangxian`` that the cluster's administrators create; never in this file), a
  Service for the gateway and HorizontalPodAutoscalers for the gateway and the
  applications service. RabbitMQ and MongoDB are expected as the campus's own (an
  operator or managed service): their URIs come from the Secret.
The unit test tests/unit/platform/test_kit.py keeps the committed files equal to this
rendering and validates the manifests offline against the Kubernetes schemas.
"""
import argparse
import os
import sys

import yaml

from deploy.processes import ROOT, processes

IMAGE = "registry.example.edu.cn/chuangxian/chuangxian:0.1.0"
PROBE_PORT = 9100
GATEWAY_PORT = 8000
# replicas on a small campus (about 20,000 students, one or two busy weeks a year)
REPLICAS = {"applications": 2, "gateway": 2}
SCALED = {"gateway": (2, 6), "applications": (2, 6)}   # HPA min, max
RESOURCES = {
    "gateway": {"requests": {"cpu": "250m", "memory": "256Mi"}, "limits": {"cpu": "1", "memory": "768Mi"}},
    "applications": {"requests": {"cpu": "200m", "memory": "256Mi"}, "limits": {"cpu": "1", "memory": "768Mi"}},
}
DEFAULT_RESOURCES = {"requests": {"cpu": "50m", "memory": "160Mi"}, "limits": {"cpu": "500m", "memory": "512Mi"}}
SECRET_KEYS = ["AMQP_URI", "MONGO_URI", "GATEWAY_SECRET_KEY"]


def _listed(config):
    return processes(config, environ={})


def _dns(name):
    return name.replace("_", "-")


# --------------------------------------------------------------------------- compose

def compose(listed):
    app_env = {
        "AMQP_URI": "amqp://${AMQP_USER:?set AMQP_USER}:${AMQP_PASSWORD:?set AMQP_PASSWORD}@rabbitmq:5672/chuangxian",
        "MONGO_URI": "mongodb://mongo1:27017,mongo2:27017,mongo3:27017/?replicaSet=rs0&w=majority",
        "GATEWAY_SECRET_KEY": "${GATEWAY_SECRET_KEY:?set GATEWAY_SECRET_KEY (openssl rand -hex 32)}",
        "PROBE_HOST": "0.0.0.0",
        "PROBE_PORT": str(PROBE_PORT),
        "GATEWAY_HOST": "0.0.0.0",
        "GATEWAY_PORT": str(GATEWAY_PORT),
        "GATEWAY_PROXY_HOPS": "1",
        "PUBLIC_URL": "${PUBLIC_URL:-https://chuangxian.example.edu.cn}",
    }
    services = {
        "rabbitmq": {
            "image": "rabbitmq:4.1-management",
            "hostname": "rabbitmq",
            "environment": {"RABBITMQ_DEFAULT_USER": "${AMQP_USER:?set AMQP_USER}",
                            "RABBITMQ_DEFAULT_PASS": "${AMQP_PASSWORD:?set AMQP_PASSWORD}",
                            "RABBITMQ_DEFAULT_VHOST": "chuangxian"},
            "volumes": ["./rabbitmq/rabbitmq.conf:/etc/rabbitmq/conf.d/90-chuangxian.conf:ro",
                        "rabbitmq-data:/var/lib/rabbitmq"],
            "healthcheck": {"test": ["CMD", "rabbitmq-diagnostics", "-q", "check_port_connectivity"],
                            "interval": "10s", "timeout": "10s", "retries": 12},
            "restart": "unless-stopped",
        },
    }
    members = ["mongo1", "mongo2", "mongo3"]
    for member in members:
        services[member] = {
            "image": "mongo:7.0",
            "hostname": member,
            "command": ["mongod", "--replSet", "rs0", "--bind_ip_all"],
            "volumes": [f"{member}-data:/data/db"],
            "healthcheck": {"test": ["CMD", "mongosh", "--quiet", "--eval", "db.adminCommand('ping').ok"],
                            "interval": "10s", "timeout": "10s", "retries": 12},
            "restart": "unless-stopped",
        }
    initiate = ("try { rs.status().ok } catch (e) { rs.initiate({_id: 'rs0', members: ["
                + ", ".join(f"{{_id: {i}, host: '{m}:27017'}}" for i, m in enumerate(members)) + "]}).ok }")
    services["mongo-init"] = {
        "image": "mongo:7.0",
        "command": ["mongosh", "--quiet", "--host", "mongo1", "--eval", initiate],
        "depends_on": {m: {"condition": "service_healthy"} for m in members},
        "restart": "no",
    }
    probe = [".venv/bin/python", "-c",
             "import sys,urllib.request;"
             "sys.exit(urllib.request.urlopen('http://127.0.0.1:%s/readyz',timeout=3).status!=200)"]
    for p in listed:
        gateway = p.name == "gateway"
        services[_dns(p.name)] = {
            "image": "${CX_IMAGE:-" + IMAGE + "}",
            "command": [p.name],
            "environment": app_env,
            "depends_on": {"rabbitmq": {"condition": "service_healthy"},
                           "mongo-init": {"condition": "service_completed_successfully"}},
            "deploy": {"replicas": REPLICAS.get(p.name, 1),
                       "resources": {"limits": {"memory": (RESOURCES.get(p.name) or DEFAULT_RESOURCES)
                                                ["limits"]["memory"].replace("Mi", "M")}}},
            "healthcheck": {"test": ["CMD"] + probe[:-1] + [probe[-1] % (GATEWAY_PORT if gateway else PROBE_PORT)],
                            "interval": "15s", "timeout": "5s", "retries": 4, "start_period": "60s"},
            "stop_grace_period": "40s",
            "restart": "unless-stopped",
        }
    services["nginx"] = {
        "image": "nginx:1.27",
        "ports": ["80:80"],
        "volumes": ["./nginx/chuangxian.conf:/etc/nginx/conf.d/default.conf:ro"],
        "depends_on": ["gateway"],
        "restart": "unless-stopped",
    }
    return {
        "name": "chuangxian",
        "services": services,
        "volumes": {v: {} for v in ["rabbitmq-data"] + [f"{m}-data" for m in members]},
    }


# --------------------------------------------------------------------------- kubernetes

def _labels(name):
    return {"app.kubernetes.io/name": "chuangxian", "app.kubernetes.io/component": _dns(name)}


def _deployment(p):
    gateway = p.name == "gateway"
    port = GATEWAY_PORT if gateway else PROBE_PORT
    env = [{"name": key, "valueFrom": {"secretKeyRef": {"name": "chuangxian", "key": key}}} for key in SECRET_KEYS]
    env += [{"name": "PROBE_HOST", "value": "0.0.0.0"}, {"name": "PROBE_PORT", "value": str(PROBE_PORT)},
            {"name": "GATEWAY_HOST", "value": "0.0.0.0"}, {"name": "GATEWAY_PORT", "value": str(GATEWAY_PORT)},
            {"name": "GATEWAY_PROXY_HOPS", "value": "1"}]
    container = {
        "name": _dns(p.name),
        "image": IMAGE,
        "args": [p.name],
        "envFrom": [{"configMapRef": {"name": "chuangxian"}}],
        "env": env,
        "ports": [{"name": "http" if gateway else "probes", "containerPort": port}],
        "resources": RESOURCES.get(p.name, DEFAULT_RESOURCES),
        "startupProbe": {"httpGet": {"path": "/livez", "port": port}, "periodSeconds": 5, "failureThreshold": 36},
        "livenessProbe": {"httpGet": {"path": "/livez", "port": port}, "periodSeconds": 15, "timeoutSeconds": 3,
                          "failureThreshold": 4},
        "readinessProbe": {"httpGet": {"path": "/readyz", "port": port}, "periodSeconds": 10, "timeoutSeconds": 3,
                           "failureThreshold": 3},
        "securityContext": {"runAsNonRoot": True, "allowPrivilegeEscalation": False,
                            "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]}},
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": f"chuangxian-{_dns(p.name)}", "labels": _labels(p.name)},
        "spec": {
            "replicas": REPLICAS.get(p.name, 1),
            "selector": {"matchLabels": _labels(p.name)},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "template": {
                "metadata": {"labels": _labels(p.name),
                             "annotations": {"prometheus.io/scrape": "true", "prometheus.io/port": str(port),
                                             "prometheus.io/path": "/metrics"}},
                "spec": {
                    "terminationGracePeriodSeconds": 40,
                    "securityContext": {"runAsUser": 10001, "runAsGroup": 10001, "fsGroup": 10001},
                    "containers": [container],
                    "volumes": [{"name": "tmp", "emptyDir": {}}],
                },
            },
        },
    }


def _hpa(name, low, high):
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": f"chuangxian-{_dns(name)}", "labels": _labels(name)},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": f"chuangxian-{_dns(name)}"},
            "minReplicas": low,
            "maxReplicas": high,
            "metrics": [{"type": "Resource",
                         "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}],
        },
    }


def kubernetes(listed):
    docs = [{
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "chuangxian", "labels": _labels("config")},
        "data": {"MONGO_DB_PREFIX": "cx", "PUBLIC_URL": "https://chuangxian.example.edu.cn",
                 "GATEWAY_WORKERS": "2", "GATEWAY_THREADS": "8", "MAX_WORKERS": "10"},
    }]
    docs += [_deployment(p) for p in listed]
    docs.append({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "chuangxian-gateway", "labels": _labels("gateway")},
        "spec": {"selector": _labels("gateway"),
                 "ports": [{"name": "http", "port": 80, "targetPort": GATEWAY_PORT}]},
    })
    docs += [_hpa(name, low, high) for name, (low, high) in SCALED.items()]
    docs.append({
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": "chuangxian-gateway", "labels": _labels("gateway")},
        "spec": {"minAvailable": 1, "selector": {"matchLabels": _labels("gateway")}},
    })
    return docs


HEADER = ("# Generated by `python -m deploy.kit` from deploy/processes.py: edit deploy/kit.py, then\n"
          "# regenerate. See docs/OPERATIONS.md.\n")


def render(config="deploy/config.yml"):
    """{path relative to the repository: text}."""
    listed = _listed(config)
    dump = dict(allow_unicode=True, sort_keys=False, width=120)
    return {
        "deploy/compose.yaml": HEADER + yaml.safe_dump(compose(listed), **dump),
        "deploy/kubernetes/chuangxian.yaml": HEADER + yaml.safe_dump_all(kubernetes(listed), **dump),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="deploy/config.yml")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    stale = []
    for path, text in render(args.config).items():
        full = os.path.join(ROOT, path)
        current = open(full, encoding="utf-8").read() if os.path.exists(full) else None
        if current != text:
            stale.append(path)
            if not args.check:
                with open(full, "w", encoding="utf-8") as handle:
                    handle.write(text)
    if args.check and stale:
        print("out of date (run python -m deploy.kit): " + ", ".join(stale), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
