"""The container stack stays in step with the code and the metrics it exports.

docker-compose.yml lists exactly the services that exist (`services/<name>/__main__.py`),
each on its CONTRACT port; Prometheus scrapes all of them; the Grafana dashboard
and the alert rules query only metrics the kernel exports. Validating the compose
file needs `docker-compose` (v1) on PATH, which parses compose files without a
Docker engine.
"""

from __future__ import annotations

import importlib
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from prometheus_client import REGISTRY

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
PROMETHEUS_DIR = ROOT / "deploy" / "prometheus"
GRAFANA_DIR = ROOT / "deploy" / "grafana"
DASHBOARD_FILE = GRAFANA_DIR / "dashboards" / "switchyard-overview.json"

# CONTRACT §2: each service's HTTP_PORT.
SERVICE_PORTS = {
    "ingress": 8000,
    "admin": 8001,
    "sandbox": 8099,
    "router": 9101,
    "erp_sync": 9102,
    "fiscalizer": 9103,
    "whatsapp_bot": 9104,
    "outbound": 9105,
}
INFRASTRUCTURE = {"rabbitmq", "postgres", "migrate", "prometheus", "grafana"}
RABBITMQ_TARGET = "rabbitmq:15692"
PROMETHEUS_SELF_TARGET = "localhost:9090"


# What the kernel (libs.observability) and every service's metrics module export.
def _exported() -> tuple[set[str], set[str]]:
    for module in sorted(ROOT.glob("services/*/metrics.py")):
        importlib.import_module(f"services.{module.parent.name}.metrics")
    importlib.import_module("libs.observability")
    plain, histograms = set(), set()
    for family in REGISTRY.collect():
        if not family.name.startswith("switchyard_"):
            continue
        if family.type == "histogram":
            histograms.add(family.name)
        else:
            plain.add(family.name + "_total" if family.type == "counter" else family.name)
    return plain, histograms


EXPORTED_COUNTERS_AND_GAUGES, EXPORTED_HISTOGRAMS = _exported()
EXPORTED_METRICS = EXPORTED_COUNTERS_AND_GAUGES | EXPORTED_HISTOGRAMS
METRIC_NAME = re.compile(r"switchyard_[a-z_]+")
HISTOGRAM_SERIES_SUFFIX = re.compile(r"_(bucket|sum|count)$")


def load_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as stream:
        return yaml.safe_load(stream)


def docker_compose_binary() -> str:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.fail(
            "docker-compose is not on PATH; it validates compose files without a Docker "
            "engine. Install it with `apt-get install docker-compose`."
        )
    return binary


def run_compose_config(*files: Path) -> subprocess.CompletedProcess[str]:
    args = [docker_compose_binary()]
    for file in files:
        args += ["-f", str(file)]
    args += ["--project-directory", str(ROOT), "config", "-q"]
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)


def compose_services() -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = load_yaml(COMPOSE_FILE)["services"]
    return services


def compose_app_services() -> dict[str, dict[str, Any]]:
    return {
        name: definition
        for name, definition in compose_services().items()
        if name not in INFRASTRUCTURE
    }


def existing_services() -> set[str]:
    return {path.parent.name for path in (ROOT / "services").glob("*/__main__.py")}


def environment_of(definition: dict[str, Any]) -> dict[str, Any]:
    environment = definition.get("environment") or {}
    if isinstance(environment, list):
        pairs = (item.partition("=") for item in environment)
        return {key: value for key, _, value in pairs}
    return dict(environment)


def command_of(definition: dict[str, Any]) -> str:
    command = definition.get("command", "")
    return " ".join(command) if isinstance(command, list) else str(command)


def scrape_targets() -> set[str]:
    config = load_yaml(PROMETHEUS_DIR / "prometheus.yml")
    return {
        target
        for job in config["scrape_configs"]
        for static_config in job.get("static_configs", [])
        for target in static_config["targets"]
    }


def dashboard() -> dict[str, Any]:
    with DASHBOARD_FILE.open(encoding="utf-8") as stream:
        loaded: dict[str, Any] = json.load(stream)
    return loaded


def all_panels(panels: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for panel in panels:
        yield panel
        yield from all_panels(panel.get("panels", []))


def dashboard_queries(board: dict[str, Any]) -> list[str]:
    queries = [
        target["expr"]
        for panel in all_panels(board["panels"])
        for target in panel.get("targets", [])
    ]
    for variable in board["templating"]["list"]:
        query = variable.get("query")
        queries.append(query["query"] if isinstance(query, dict) else str(query))
    return queries


def metric_names(promql: str) -> set[str]:
    names = set()
    for name in METRIC_NAME.findall(promql):
        base = HISTOGRAM_SERIES_SUFFIX.sub("", name)
        names.add(base if base in EXPORTED_HISTOGRAMS else name)
    return names


def test_compose_file_validates_with_docker_compose_config() -> None:
    result = run_compose_config(COMPOSE_FILE)

    assert result.returncode == 0, result.stderr


def test_a_service_built_from_the_x_service_anchor_validates_with_docker_compose_config(
    tmp_path: Path,
) -> None:
    compose = load_yaml(COMPOSE_FILE)
    environment = {**compose["x-service"]["environment"], "HTTP_PORT": "8000"}
    probe = {
        **compose["x-service"],
        "command": "python -m services.probe",
        "environment": environment,
        "ports": ["8000:8000"],
    }
    compose["services"]["probe"] = probe
    expanded = tmp_path / "docker-compose.yml"
    expanded.write_text(yaml.safe_dump(compose), encoding="utf-8")

    result = run_compose_config(expanded)

    assert result.returncode == 0, result.stderr


def test_x_service_anchor_waits_for_broker_database_and_migrations_and_checks_healthz() -> None:
    template = load_yaml(COMPOSE_FILE)["x-service"]

    assert template["build"] == {"context": ".", "dockerfile": "deploy/Dockerfile"}
    assert template["depends_on"] == {
        "rabbitmq": {"condition": "service_healthy"},
        "postgres": {"condition": "service_healthy"},
        "migrate": {"condition": "service_completed_successfully"},
    }
    assert template["restart"] == "unless-stopped"
    assert "/healthz" in " ".join(template["healthcheck"]["test"])
    assert template["environment"]["HTTP_HOST"] == "0.0.0.0"


def test_migrate_is_a_one_shot_that_runs_the_kernel_migrations() -> None:
    migrate = compose_services()["migrate"]

    assert command_of(migrate) == "python -m libs.db.migrate"
    assert migrate["build"]["dockerfile"] == "deploy/Dockerfile"
    assert migrate["depends_on"]["postgres"] == {"condition": "service_healthy"}
    assert migrate["restart"] == "no"


def test_compose_app_services_are_exactly_the_service_packages_with_a_main_module() -> None:
    assert set(compose_app_services()) == existing_services()


def test_each_compose_app_service_runs_its_module_on_its_contract_port() -> None:
    template = load_yaml(COMPOSE_FILE)["x-service"]

    for name, definition in compose_app_services().items():
        assert name in SERVICE_PORTS, f"add {name}'s HTTP_PORT to CONTRACT §2 and this test"
        assert command_of(definition) == f"python -m services.{name}"
        assert str(environment_of(definition).get("HTTP_PORT")) == str(SERVICE_PORTS[name])
        for key in ("build", "depends_on", "healthcheck", "restart"):
            assert definition.get(key) == template[key], f"{name} must use <<: *service"


def test_prometheus_scrapes_every_compose_app_service_and_rabbitmq() -> None:
    targets = scrape_targets()
    expected_apps = {f"{name}:{SERVICE_PORTS[name]}" for name in compose_app_services()}

    assert RABBITMQ_TARGET in targets
    assert targets - {RABBITMQ_TARGET, PROMETHEUS_SELF_TARGET} == expected_apps


def test_prometheus_loads_alert_rules_that_query_only_exported_metrics() -> None:
    config = load_yaml(PROMETHEUS_DIR / "prometheus.yml")
    assert config["rule_files"] == ["alerts.yml"]
    rules = load_yaml(PROMETHEUS_DIR / "alerts.yml")

    expressions = [rule["expr"] for group in rules["groups"] for rule in group["rules"]]
    used = set().union(*(metric_names(expression) for expression in expressions))

    assert expressions
    assert used <= EXPORTED_METRICS
    assert any("up == 0" in expression for expression in expressions)


def test_dashboard_is_the_switchyard_overview_with_a_service_variable() -> None:
    board = dashboard()
    panel_ids = [panel["id"] for panel in all_panels(board["panels"])]

    assert board["title"] == "Switchyard overview"
    assert 36 <= board["schemaVersion"] <= 41
    assert [variable["name"] for variable in board["templating"]["list"]] == ["service"]
    assert len(panel_ids) == len(set(panel_ids))


def test_dashboard_queries_reference_only_exported_metrics() -> None:
    board = dashboard()
    used = set().union(*(metric_names(query) for query in dashboard_queries(board)))

    assert used <= EXPORTED_METRICS, sorted(used - EXPORTED_METRICS)
    assert {
        "switchyard_messages_consumed_total",
        "switchyard_messages_published_total",
        "switchyard_retries_scheduled_total",
        "switchyard_queue_depth",
        "switchyard_handler_duration_seconds",
        "switchyard_outbox_pending",
        "switchyard_broker_reconnects_total",
    } <= used


def test_every_dashboard_panel_queries_the_provisioned_prometheus_datasource() -> None:
    for panel in all_panels(dashboard()["panels"]):
        if panel["type"] == "row":
            continue
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert target["datasource"] == {"type": "prometheus", "uid": "prometheus"}
            assert target["expr"].strip(), panel["title"]


def test_grafana_datasource_points_at_the_prometheus_compose_service() -> None:
    provisioning = load_yaml(GRAFANA_DIR / "provisioning" / "datasources" / "prometheus.yml")
    (datasource,) = provisioning["datasources"]
    url = urlsplit(datasource["url"])
    prometheus = compose_services()["prometheus"]

    assert datasource["uid"] == "prometheus"
    assert datasource["type"] == "prometheus"
    assert url.hostname == "prometheus"
    assert any(str(port).endswith(f":{url.port}") for port in prometheus["ports"])


def test_grafana_loads_dashboards_from_the_folder_compose_mounts() -> None:
    provisioning = load_yaml(GRAFANA_DIR / "provisioning" / "dashboards" / "dashboards.yml")
    (provider,) = provisioning["providers"]
    mounts = dict(volume.split(":")[:2] for volume in compose_services()["grafana"]["volumes"])

    assert provider["type"] == "file"
    assert mounts["./deploy/grafana/dashboards"] == provider["options"]["path"]
    assert mounts["./deploy/grafana/provisioning"] == "/etc/grafana/provisioning"
