"""The files in deploy/ say what the code does: services, ports, paths and commands.

Docker does not run here, so the compose file is read as YAML and its variables
filled in from chinwag.env.example the way Compose fills them; the commands the
image and the unit run are parsed by the real ``chinwag`` argument parser. The
systemd unit is checked by ``systemd-analyze verify`` where that exists.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.engine import make_url

from bot.cli import _parser
from bot.webhook import parse_listen, webhook_path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
WORKERS = ("worker1", "worker2")
VARIABLE = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:[-?])(?P<arg>[^}]*))?\}")


def example_env() -> dict[str, str]:
    values = {}
    for line in (DEPLOY / "chinwag.env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def interpolate(value: Any, env: dict[str, str]) -> Any:
    """Compose's ``${NAME}``, ``${NAME:-default}`` and ``${NAME:?error}``."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def fill(match: re.Match[str]) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        if env.get(name):
            return env[name]
        if op == ":?":
            raise AssertionError(f"{name} is required by compose.yaml: {arg}")
        return arg if op == ":-" else ""

    return VARIABLE.sub(fill, value)


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    raw = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return dict(interpolate(raw, example_env()))


def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return dict(compose["services"])


def caddyfile() -> str:
    return (DEPLOY / "Caddyfile").read_text()


def dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n\s*", " ", (DEPLOY / "Dockerfile").read_text())
    found = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            instruction, _, rest = line.strip().partition(" ")
            found.append((instruction.upper(), rest.strip()))
    return found


def instruction(name: str) -> list[str]:
    return [rest for found, rest in dockerfile() if found == name]


def unit() -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for line in (DEPLOY / "chinwag@.service").read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            values.setdefault(key.strip(), []).append(value.strip())
    return values


# -- compose ---------------------------------------------------------------------


def test_compose_has_the_database_the_migration_two_workers_and_the_proxy(
    compose: dict[str, Any],
) -> None:
    assert set(services(compose)) == {"postgres", "migrate", "worker1", "worker2", "proxy"}
    postgres = services(compose)["postgres"]
    assert any(v.endswith(":/var/lib/postgresql/data") for v in postgres["volumes"])
    assert postgres["healthcheck"]["test"][:2] == ["CMD", "pg_isready"]
    assert set(compose["volumes"]) >= {"pgdata"}


def test_the_migration_runs_first_and_is_a_real_command(compose: dict[str, Any]) -> None:
    migrate = services(compose)["migrate"]
    assert migrate["command"] == ["db", "upgrade"]
    args = _parser().parse_args(migrate["command"])
    assert (args.command, args.db_command) == ("db", "upgrade")
    assert migrate["restart"] == "no"
    for name in WORKERS:
        depends = services(compose)[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"
        assert depends["postgres"]["condition"] == "service_healthy"


def test_both_workers_share_the_database_and_the_webhook_on_distinct_ports(
    compose: dict[str, Any],
) -> None:
    workers = [services(compose)[name]["environment"] for name in WORKERS]
    assert workers[0]["CHINWAG_DATABASE_URL"] == workers[1]["CHINWAG_DATABASE_URL"]
    assert workers[0]["CHINWAG_WEBHOOK_URL"] == workers[1]["CHINWAG_WEBHOOK_URL"]
    database = make_url(workers[0]["CHINWAG_DATABASE_URL"])
    assert database.get_backend_name() == "postgresql"
    assert database.host == "postgres"  # the compose service
    assert database.password == example_env()["POSTGRES_PASSWORD"]
    env = example_env()
    assert workers[0]["CHINWAG_WEBHOOK_URL"] == (
        f"https://{env['CHINWAG_DOMAIN']}{env['CHINWAG_WEBHOOK_PATH']}"
    )
    ports = [parse_listen(w["CHINWAG_LISTEN"])[1] for w in workers]
    assert len(set(ports)) == 2
    for name, port in zip(WORKERS, ports, strict=True):
        assert services(compose)[name]["expose"] == [str(port)]
        assert services(compose)[name]["env_file"] == "chinwag.env"


def test_only_the_proxy_is_published(compose: dict[str, Any]) -> None:
    published = {name for name, service in services(compose).items() if "ports" in service}
    assert published == {"proxy"}
    proxy = services(compose)["proxy"]
    assert proxy["image"].startswith("caddy:")
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    assert (DEPLOY / "Caddyfile").is_file()


def test_the_env_example_defines_every_variable_compose_requires() -> None:
    text = (DEPLOY / "compose.yaml").read_text()
    required = {m["name"] for m in VARIABLE.finditer(text) if m["op"] == ":?"}
    assert required <= set(example_env()), required - set(example_env())


# -- the proxy -------------------------------------------------------------------


def test_the_proxy_balances_posts_on_the_webhook_path_across_both_workers(
    compose: dict[str, Any],
) -> None:
    config = caddyfile()
    upstreams = re.search(r"reverse_proxy\s+([^{]+)\{", config)
    assert upstreams is not None
    ports = {
        name: parse_listen(services(compose)[name]["environment"]["CHINWAG_LISTEN"])[1]
        for name in WORKERS
    }
    assert upstreams.group(1).split() == [f"{name}:{port}" for name, port in ports.items()]
    assert re.search(r"method POST\s+path \{\$CHINWAG_WEBHOOK_PATH\}", config)
    assert "health_uri /readyz" in config
    assert re.search(r"handle \{\s+respond 404\s+\}", config)  # nothing else is served
    proxy_env = services(compose)["proxy"]["environment"]
    webhook_url = services(compose)["worker1"]["environment"]["CHINWAG_WEBHOOK_URL"]
    assert webhook_path(webhook_url) == proxy_env["CHINWAG_WEBHOOK_PATH"]
    assert webhook_url.startswith(f"https://{proxy_env['CHINWAG_DOMAIN']}/")


def routes(node: Any, matched: tuple[dict[str, Any], ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every handler in Caddy's JSON config, with the matchers of the routes around it."""
    if isinstance(node, dict):
        if "handler" in node:
            yield matched, node
        here = matched + tuple(node.get("match", ())) if "handle" in node else matched
        for value in node.values():
            yield from routes(value, here)
    elif isinstance(node, list):
        for value in node:
            yield from routes(value, matched)


def test_caddy_reads_the_caddyfile_as_meant(compose: dict[str, Any], tmp_path: Path) -> None:
    caddy = shutil.which("caddy")
    if caddy is None:
        pytest.skip("caddy is not installed here: the Caddyfile was not adapted by Caddy")
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        **services(compose)["proxy"]["environment"],
    }
    result = subprocess.run(
        [caddy, "adapt", "--adapter", "caddyfile", "--config", str(DEPLOY / "Caddyfile")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    proxies = [
        (matched, handler)
        for matched, handler in routes(json.loads(result.stdout))
        if handler["handler"] == "reverse_proxy"
    ]
    assert len(proxies) == 1
    matched, proxy = proxies[0]
    assert [u["dial"] for u in proxy["upstreams"]] == ["worker1:8081", "worker2:8082"]
    assert proxy["health_checks"]["active"]["uri"] == "/readyz"
    assert {"host": [env["CHINWAG_DOMAIN"]]} in matched
    assert {"method": ["POST"], "path": [env["CHINWAG_WEBHOOK_PATH"]]} in matched


# -- the image -------------------------------------------------------------------


def test_the_image_is_python_3_11_slim_and_runs_as_a_user() -> None:
    assert instruction("FROM") == ["python:3.11-slim"]
    users = instruction("USER")
    assert users and users[-1] not in ("root", "0")
    assert any("useradd" in run and users[-1] in run for run in instruction("RUN"))
    for source in (rest.split()[0] for rest in instruction("COPY")):
        assert (ROOT / source).exists(), source


def test_the_entrypoint_is_chinwag_run() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    entrypoint = yaml.safe_load(instruction("ENTRYPOINT")[0])
    command = yaml.safe_load(instruction("CMD")[0])
    assert entrypoint == ["chinwag"] and scripts["chinwag"] == "bot.cli:main"
    assert command == ["run"]
    assert _parser().parse_args(command).command == "run"


def test_the_healthcheck_runs_a_module_that_exists_on_the_listened_port() -> None:
    (healthcheck,) = instruction("HEALTHCHECK")
    assert "--interval=" in healthcheck and "--timeout=" in healthcheck
    command = yaml.safe_load(healthcheck.split("CMD", 1)[1].strip())
    assert command == ["python", "-m", "bot.healthcheck"]
    assert importlib.util.find_spec("bot.healthcheck") is not None
    listen = next(rest for rest in instruction("ENV") if "CHINWAG_LISTEN=" in rest)
    port = re.search(r"CHINWAG_LISTEN=\S+:(\d+)", listen)
    assert port is not None and instruction("EXPOSE") == [port.group(1)]


def test_the_build_context_keeps_the_package_and_drops_the_rest() -> None:
    ignored = (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
    assert "**" in ignored
    for kept in (
        "pyproject.toml",
        "README.md",
        "bot/**",
        "handlers/**",
        "storage/**",
        "locales/**",
    ):
        assert f"!{kept}" in ignored


# -- systemd ---------------------------------------------------------------------


def test_the_unit_runs_chinwag_run_per_instance_port() -> None:
    values = unit()
    (exec_start,) = values["ExecStart"]
    program, *args = exec_start.split()
    assert program.endswith("/bin/chinwag")
    assert args[0] == "run"
    parsed = _parser().parse_args([arg.replace("%i", "1") for arg in args])
    assert parsed.command == "run" and parsed.listen == "127.0.0.1:8081"
    assert parse_listen(args[2].replace("%i", "2")) == ("127.0.0.1", 8082)
    assert values["EnvironmentFile"] == ["/etc/chinwag/chinwag.env"]
    assert values["Restart"] == ["on-failure"]
    assert values["RestartPreventExitStatus"] == ["2"]  # a bad setting: restarting won't help
    assert values["User"] == ["chinwag"]
    for hardening in ("NoNewPrivileges", "ProtectSystem", "ProtectHome", "PrivateTmp"):
        assert values[hardening][0] in ("yes", "strict"), hardening
    assert values["ProtectSystem"] == ["strict"]


def test_systemd_analyze_verifies_the_unit(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed here: the unit was not verified")
    chinwag = Path(sys.executable).with_name("chinwag")
    if not chinwag.exists():
        pytest.skip(f"no chinwag script next to {sys.executable} to stand in for ExecStart")
    text = (DEPLOY / "chinwag@.service").read_text()
    # verify checks that ExecStart's program exists: point it at this venv's chinwag.
    text = text.replace("/opt/chinwag/venv/bin/chinwag", str(chinwag))
    instance = tmp_path / "chinwag@1.service"
    instance.write_text(text)
    result = subprocess.run(
        [analyze, "verify", str(instance)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == ""
