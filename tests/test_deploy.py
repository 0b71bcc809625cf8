"""Deployment files: the Dockerfile, .streamlit/config.toml and deploy/k8s/.

No Docker engine or cluster runs here, so these check what can be checked
without one: hadolint on the Dockerfile, the facts docs/deploy.md promises,
the manifests against Kubernetes' own schemas, and that the files agree with
each other (ports, user id, upload limit, torch pin).
"""

from __future__ import annotations

import ast
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "Dockerfile"
K8S = ROOT / "deploy" / "k8s"
CONFIG = ROOT / ".streamlit" / "config.toml"
K8S_VERSION = "1.37"
PORT = 8501


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with comments dropped and continuations joined."""
    out: list[tuple[str, str]] = []
    pending = ""
    for line in text.splitlines():
        if line.lstrip().startswith("#"):
            continue
        pending += line.rstrip()
        if pending.endswith("\\"):
            pending = pending[:-1] + " "
            continue
        if pending.strip():
            keyword, _, args = pending.strip().partition(" ")
            out.append((keyword.upper(), " ".join(args.split())))
        pending = ""
    return out


@pytest.fixture(scope="module")
def docker() -> list[tuple[str, str]]:
    return instructions(DOCKERFILE.read_text())


def args_of(docker: list[tuple[str, str]], keyword: str) -> list[str]:
    return [a for k, a in docker if k == keyword]


def pinned(requirement: str) -> str:
    """The exact version requirements.txt pins for ``requirement``."""
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        m = re.fullmatch(rf"{requirement}==(\S+)", line.split("#")[0].strip())
        if m:
            return m.group(1)
    raise AssertionError(f"{requirement} is not pinned with == in requirements.txt")


def test_instructions_parser_joins_continuations_and_drops_comments() -> None:
    text = "FROM a\n# note\nRUN x \\\n    # inside\n    && y\nUSER 1\n"
    assert instructions(text) == [("FROM", "a"), ("RUN", "x && y"), ("USER", "1")]


# --- hadolint ---------------------------------------------------------------

def hadolint(path: Path) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).parent / "hadolint"
    if not exe.exists():
        pytest.skip("hadolint not installed (pip install -r requirements-dev.txt)")
    return subprocess.run([str(exe), "--no-color", str(path)], capture_output=True,
                          text=True, timeout=60)


def test_hadolint_passes() -> None:
    result = hadolint(DOCKERFILE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_catches_a_bad_dockerfile(tmp_path: Path) -> None:
    # Proves the lint above is not a no-op: unpinned base image, cd, apt lists kept.
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python\nRUN cd /app && apt-get update && apt-get install -y curl\n")
    result = hadolint(bad)
    assert result.returncode != 0
    assert "DL3006" in result.stdout  # untagged image


# --- Dockerfile facts -------------------------------------------------------

def test_base_image_is_python_311_slim(docker: list[tuple[str, str]]) -> None:
    assert args_of(docker, "FROM") == ["python:3.11-slim"]


def test_torch_comes_from_the_cpu_index_at_the_pinned_version(
        docker: list[tuple[str, str]]) -> None:
    runs = " ".join(args_of(docker, "RUN"))
    m = re.search(r"pip install --index-url (\S+) torch==(\S+)", runs)
    assert m, "torch must be installed on its own from an explicit index"
    assert m.group(1) == "https://download.pytorch.org/whl/cpu"
    assert m.group(2) == pinned("torch")
    # The rest after torch, from the same file the venv uses.
    assert runs.index("torch==") < runs.index("pip install -r requirements.txt")


def test_runs_as_a_non_root_user_with_a_home(docker: list[tuple[str, str]]) -> None:
    users = args_of(docker, "USER")
    assert users, "no USER: the app would run as root"
    uid = users[-1].split(":")[0]
    assert uid not in {"root", "0"}
    useradd = next(a for a in args_of(docker, "RUN") if "useradd" in a)
    assert "--create-home" in useradd
    assert re.search(rf"--uid {uid}\b", useradd), "USER must be the user created"
    # Nothing after USER runs as root again.
    last_user = max(i for i, (k, _) in enumerate(docker) if k == "USER")
    assert all(k != "RUN" for k, _ in docker[last_user:])


def test_workdir_is_not_root(docker: list[tuple[str, str]]) -> None:
    workdirs = args_of(docker, "WORKDIR")
    assert workdirs and all(w.rstrip("/") not in {"", "."} for w in workdirs)


def test_exposes_the_streamlit_port(docker: list[tuple[str, str]]) -> None:
    assert args_of(docker, "EXPOSE") == [str(PORT)]


def test_healthcheck_uses_python_not_curl(docker: list[tuple[str, str]]) -> None:
    (check,) = args_of(docker, "HEALTHCHECK")
    assert f"127.0.0.1:{PORT}/_stcore/health" in check
    assert "urllib.request" in check
    assert not re.search(r"\b(curl|wget)\b", check)


def test_healthcheck_command_is_valid_python(docker: list[tuple[str, str]]) -> None:
    (check,) = args_of(docker, "HEALTHCHECK")
    exec_form = check[check.index("CMD") + 3:].strip()
    argv = yaml.safe_load(exec_form)  # a JSON array is YAML
    assert argv[:2] == ["python", "-c"]
    compile(argv[2], "<healthcheck>", "exec")


def test_streamlit_config_is_baked_in(docker: list[tuple[str, str]]) -> None:
    workdir = args_of(docker, "WORKDIR")[-1]
    copies = [shlex.split(a) for a in args_of(docker, "COPY")]
    # Streamlit reads .streamlit/config.toml from the directory it starts in.
    assert [".streamlit/config.toml", ".streamlit/config.toml"] in copies
    assert workdir == "/app"


def test_chromium_and_cjk_fonts_only_behind_the_build_arg(
        docker: list[tuple[str, str]]) -> None:
    assert "WITH_CHROMIUM=0" in args_of(docker, "ARG")
    apt = [a for a in args_of(docker, "RUN") if "apt-get install" in a]
    assert len(apt) == 1
    assert re.match(r'if \[ "\$WITH_CHROMIUM" = "1" \]; then', apt[0])
    assert "chromium" in apt[0] and "fonts-noto-cjk" in apt[0]
    assert "--no-install-recommends" in apt[0] and "rm -rf /var/lib/apt/lists" in apt[0]


def test_cmd_runs_the_warmed_server(docker: list[tuple[str, str]]) -> None:
    (cmd,) = args_of(docker, "CMD")
    assert yaml.safe_load(cmd) == ["python", "-m", "streamlit", "run", "sgdlab/ui/server.py"]
    assert (ROOT / "sgdlab" / "ui" / "server.py").is_file()


def ignore_regex(pattern: str) -> re.Pattern[str]:
    """Docker's .dockerignore glob as a regex: ``**/`` spans directories, ``*`` does not."""
    out = ""
    for part in re.split(r"(\*\*/|\*|\?)", pattern.strip("/")):
        out += {"**/": "(?:.*/)?", "*": "[^/]*", "?": "[^/]"}.get(part, re.escape(part))
    return re.compile(out)


def dockerignored(path: str, patterns: list[str]) -> bool:
    """Docker's rule: the last pattern matching the path or a parent directory decides."""
    parts = path.split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    ignored = False
    for pattern in patterns:
        regex = ignore_regex(pattern.removeprefix("!"))
        if any(regex.fullmatch(p) for p in prefixes):
            ignored = not pattern.startswith("!")
    return ignored


def test_dockerignored_reference_cases() -> None:
    patterns = ["*", "!pkg/", "**/*.pyc"]
    assert dockerignored("README.md", patterns)
    assert not dockerignored("pkg/a.py", patterns)
    assert dockerignored("pkg/sub/a.pyc", patterns)


def test_dockerignore_sends_what_copy_needs_and_nothing_else(
        docker: list[tuple[str, str]]) -> None:
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    sources = [s for a in args_of(docker, "COPY") for s in shlex.split(a)[:-1]]
    assert sources
    for source in sources:
        assert not dockerignored(source.rstrip("/"), patterns), f"{source} is ignored"
    for secret_or_bulk in [".venv/bin/python", ".git/config", ".streamlit/secrets.toml",
                           "tests/test_deploy.py", "sgdlab/__pycache__/x.pyc"]:
        assert dockerignored(secret_or_bulk, patterns), f"{secret_or_bulk} is sent"


def test_copied_package_is_complete() -> None:
    # The image copies sgdlab/ and app.py only: the app must not import a
    # local module that stays behind.
    local = {p.stem for p in ROOT.glob("*.py")} | {p.name for p in ROOT.iterdir() if p.is_dir()}
    app_imports = set(re.findall(r"^\s*(?:from|import) (\w+)", (ROOT / "app.py").read_text(),
                                 re.M))
    assert app_imports & local <= {"sgdlab"}


# --- .streamlit/config.toml -------------------------------------------------

@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    return tomllib.loads(CONFIG.read_text())


def test_config_production_facts(config: dict[str, Any]) -> None:
    assert config["server"]["headless"] is True
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"]["maxUploadSize"] == 50
    assert config["client"]["showErrorDetails"] == "none"
    assert config["browser"]["gatherUsageStats"] is False
    assert config["theme"]["base"] == "light"
    # One script thread per session: a dragged slider must not fork the script.
    assert config["runner"]["fastReruns"] is False


# Caches whose keys come from a small fixed set, so they cannot grow with use.
BOUNDED_BY_KEY = {"cached_builtin_table": "one entry per built-in data set"}


def cache_decorators(source: str) -> list[tuple[str, set[str]]]:
    """(function name, keyword names) of every @st.cache_data / @st.cache_resource."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef):
            for d in node.decorator_list:
                call = d if isinstance(d, ast.Call) else None
                target = call.func if call else d
                if isinstance(target, ast.Attribute) and target.attr in ("cache_data",
                                                                         "cache_resource"):
                    out.append((node.name, {k.arg for k in call.keywords if k.arg}
                                if call else set()))
    return out


def test_cache_decorators_reference_cases() -> None:
    src = ("@st.cache_data(max_entries=3)\ndef a(): ...\n"
           "@st.cache_resource\ndef b(): ...\n")
    assert cache_decorators(src) == [("a", {"max_entries"}), ("b", set())]


def test_every_app_cache_is_bounded() -> None:
    # Students try settings without end: a cache without max_entries or ttl
    # keeps every result anyone ever asked for, until the pod runs out of memory.
    sources = [ROOT / "app.py", *sorted((ROOT / "sgdlab").rglob("*.py"))]
    found = [(path.name, name, kw) for path in sources
             for name, kw in cache_decorators(path.read_text())]
    assert found, "no caches found: is the app still cached?"
    unbounded = [(f, n) for f, n, kw in found
                 if not kw & {"max_entries", "ttl"} and n not in BOUNDED_BY_KEY]
    assert not unbounded


def test_upload_limit_is_the_apps_own(config: dict[str, Any]) -> None:
    from sgdlab.datasets import MAX_MB, UPLOAD_MB

    # The server's cap is above the app's own limit, so a file just over the limit
    # reaches the app and is refused in the reader's language.
    assert config["server"]["maxUploadSize"] == UPLOAD_MB > MAX_MB


def luminance(hex_color: str) -> float:
    """WCAG relative luminance of #rrggbb."""
    channels = [int(hex_color[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_reference_values() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_theme_projects_well(config: dict[str, Any]) -> None:
    # Projectors lose contrast: ask for WCAG AAA text and AA for the accent.
    theme = config["theme"]
    assert contrast(theme["textColor"], theme["backgroundColor"]) >= 7
    assert contrast(theme["textColor"], theme["secondaryBackgroundColor"]) >= 7
    assert contrast(theme["primaryColor"], theme["backgroundColor"]) >= 4.5
    assert theme["baseFontSize"] >= 16


def test_every_config_key_is_a_streamlit_option(config: dict[str, Any]) -> None:
    # A misspelt key is silently ignored by Streamlit: check against its own list.
    from streamlit import config as st_config

    options = st_config.get_config_options()
    keys = [f"{section}.{key}" for section, table in config.items() for key in table]
    unknown = [k for k in keys if k not in options]
    assert not unknown


def test_cache_budget_parses(config: dict[str, Any]) -> None:
    from streamlit.runtime.caching.global_cache_budget import (
        config_max_cache_data_size_to_bytes,
    )

    assert config_max_cache_data_size_to_bytes(config["server"]["maxCacheDataSize"]) == 256 * 2**20


def test_streamlit_reads_the_config_file() -> None:
    code = ("from streamlit import config as c; c.get_config_options(force_reparse=True);"
            "print(c.get_option('server.maxUploadSize'), c.get_option('client.showErrorDetails'),"
            "c.get_option('browser.gatherUsageStats'))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=60, check=True).stdout.split()
    assert out == ["50", "none", "False"]


# --- Kubernetes manifests ---------------------------------------------------

def load_manifests() -> dict[str, dict[str, Any]]:
    """Every resource by kind ("Deployment") for the app's own, by kind and name
    ("Deployment/sgdlab-redis") for the others."""
    by_kind: dict[str, dict[str, Any]] = {}
    for path in sorted(K8S.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                name = doc["metadata"]["name"]
                key = doc["kind"] if name == "sgdlab" else f"{doc['kind']}/{name}"
                assert key not in by_kind, f"two {key}s"
                by_kind[key] = doc
    return by_kind


@pytest.fixture(scope="module")
def k8s() -> dict[str, dict[str, Any]]:
    return load_manifests()


def test_every_manifest_validates_against_the_kubernetes_schema(
        k8s: dict[str, dict[str, Any]]) -> None:
    kubernetes_validate = pytest.importorskip("kubernetes_validate")
    assert set(k8s) >= {"Deployment", "Service", "HorizontalPodAutoscaler", "Ingress"}
    for resource in k8s.values():
        # strict: unknown fields (a typo) fail too.
        kubernetes_validate.validate(resource, K8S_VERSION, strict=True)


def test_schema_validation_has_teeth(k8s: dict[str, dict[str, Any]]) -> None:
    kubernetes_validate = pytest.importorskip("kubernetes_validate")
    broken = yaml.safe_load(yaml.safe_dump(k8s["Service"]))
    broken["spec"]["sessionAfinity"] = "ClientIP"  # misspelt
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, K8S_VERSION, strict=True)


def container(k8s: dict[str, dict[str, Any]]) -> dict[str, Any]:
    (c,) = k8s["Deployment"]["spec"]["template"]["spec"]["containers"]
    return c


def test_probes_hit_the_health_endpoint(k8s: dict[str, dict[str, Any]]) -> None:
    c = container(k8s)
    ports = {p["name"]: p["containerPort"] for p in c["ports"]}
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        get = c[probe]["httpGet"]
        assert get["path"] == "/_stcore/health"
        assert ports.get(get["port"], get["port"]) == PORT
    # Liveness must be more patient than readiness: a busy pod is not dead.
    assert (c["livenessProbe"]["periodSeconds"] * c["livenessProbe"]["failureThreshold"]
            > c["readinessProbe"]["periodSeconds"] * c["readinessProbe"]["failureThreshold"])


def quantity(value: str) -> float:
    units = {"m": 1e-3, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30}
    for suffix, factor in units.items():
        if str(value).endswith(suffix):
            return float(str(value)[:-len(suffix)]) * factor
    return float(value)


def test_quantity_reference_values() -> None:
    assert quantity("500m") == 0.5 and quantity("1Gi") == 2**30 and quantity("2") == 2


def test_resources_requested_and_limited(k8s: dict[str, dict[str, Any]]) -> None:
    res = container(k8s)["resources"]
    for kind in ("cpu", "memory"):
        assert 0 < quantity(res["requests"][kind]) <= quantity(res["limits"][kind])


def test_pod_runs_as_the_image_user_and_locked_down(
        k8s: dict[str, dict[str, Any]], docker: list[tuple[str, str]]) -> None:
    pod = k8s["Deployment"]["spec"]["template"]["spec"]
    uid = int(args_of(docker, "USER")[-1].split(":")[0])
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] == uid
    assert pod["automountServiceAccountToken"] is False
    sc = container(k8s)["securityContext"]
    assert sc["allowPrivilegeEscalation"] is False
    assert sc["readOnlyRootFilesystem"] is True
    assert sc["capabilities"]["drop"] == ["ALL"]
    # With a read-only root, the user's home and /tmp must be mounted writable.
    mounts = {m["mountPath"] for m in container(k8s)["volumeMounts"]}
    home = re.search(r"--home-dir (\S+)", " ".join(args_of(docker, "RUN")))
    assert home and {"/tmp", home.group(1)} <= mounts


def test_image_is_not_latest(k8s: dict[str, dict[str, Any]]) -> None:
    image = container(k8s)["image"]
    assert ":" in image.rsplit("/", 1)[-1] and not image.endswith(":latest")


def test_service_is_sticky_and_selects_the_pods(k8s: dict[str, dict[str, Any]]) -> None:
    svc, dep = k8s["Service"]["spec"], k8s["Deployment"]["spec"]
    assert svc["sessionAffinity"] == "ClientIP"
    labels = dep["template"]["metadata"]["labels"]
    assert svc["selector"].items() <= labels.items()
    assert dep["selector"]["matchLabels"].items() <= labels.items()
    (port,) = svc["ports"]
    assert port["targetPort"] in {p["name"] for p in container(k8s)["ports"]}


def test_hpa_scales_the_deployment_and_shrinks_slowly(k8s: dict[str, dict[str, Any]]) -> None:
    hpa = k8s["HorizontalPodAutoscaler"]["spec"]
    assert hpa["scaleTargetRef"]["kind"] == "Deployment"
    assert hpa["scaleTargetRef"]["name"] == k8s["Deployment"]["metadata"]["name"]
    assert 1 <= hpa["minReplicas"] <= hpa["maxReplicas"]
    # Each pod removed drops its students' sessions.
    assert hpa["behavior"]["scaleDown"]["stabilizationWindowSeconds"] >= 300


def test_ingress_uses_cookie_affinity_and_the_upload_limit(
        k8s: dict[str, dict[str, Any]], config: dict[str, Any]) -> None:
    ing = k8s["Ingress"]
    notes = ing["metadata"]["annotations"]
    assert notes["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert int(notes["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 600  # websockets
    body = notes["nginx.ingress.kubernetes.io/proxy-body-size"]
    assert body == f"{config['server']['maxUploadSize']}m"
    backends = [p["backend"]["service"] for r in ing["spec"]["rules"]
                for p in r["http"]["paths"]]
    svc = k8s["Service"]
    assert all(b["name"] == svc["metadata"]["name"] for b in backends)
    assert all(b["port"]["name"] in {p["name"] for p in svc["spec"]["ports"]} for b in backends)


# --- the class board's Redis --------------------------------------------------

REDIS = "sgdlab-redis"


def env_of(c: dict[str, Any]) -> list[dict[str, Any]]:
    return list(c.get("env", []))


def test_redis_is_pinned_unpersisted_bounded_and_locked_down(
        k8s: dict[str, dict[str, Any]]) -> None:
    dep = k8s[f"Deployment/{REDIS}"]
    assert dep["spec"]["replicas"] == 1  # two stores would be two boards
    pod = dep["spec"]["template"]["spec"]
    (c,) = pod["containers"]
    image = c["image"]
    assert re.fullmatch(r"redis:\d+\.\d+\.\d+-alpine", image), image
    args = c["args"]
    # rooms live a day: no snapshots, no append-only file, and a memory cap that evicts
    # the least recently used rooms (every key has a TTL) instead of refusing writes
    assert args[args.index("--save") + 1] == "" and args[args.index("--appendonly") + 1] == "no"
    assert quantity(args[args.index("--maxmemory") + 1].replace("mb", "Mi")) < quantity(
        c["resources"]["limits"]["memory"])
    assert args[args.index("--maxmemory-policy") + 1] == "volatile-lru"
    assert args[args.index("--requirepass") + 1] == "$(REDIS_PASSWORD)"
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["automountServiceAccountToken"] is False
    sc = c["securityContext"]
    assert sc["readOnlyRootFilesystem"] is True and sc["allowPrivilegeEscalation"] is False
    assert sc["capabilities"]["drop"] == ["ALL"]
    assert {m["mountPath"] for m in c["volumeMounts"]} == {"/data"}  # its only writable place
    for probe in ("readinessProbe", "livenessProbe"):
        assert c[probe]["tcpSocket"]["port"] in {p["name"] for p in c["ports"]}


def test_the_app_reaches_redis_through_its_service_with_the_shared_password(
        k8s: dict[str, dict[str, Any]]) -> None:
    from urllib.parse import urlsplit

    app_env = env_of(container(k8s))
    names = [e["name"] for e in app_env]
    url = next(e["value"] for e in app_env if e["name"] == "SGDLAB_REDIS_URL")
    # Kubernetes expands $(VAR) only from variables defined before it in the list.
    assert names.index("REDIS_PASSWORD") < names.index("SGDLAB_REDIS_URL")
    parts = urlsplit(url)
    assert parts.scheme == "redis" and parts.password == "$(REDIS_PASSWORD)"
    svc = k8s[f"Service/{REDIS}"]
    assert parts.hostname == svc["metadata"]["name"]
    (port,) = svc["spec"]["ports"]
    assert parts.port == port["port"]
    redis_pod = k8s[f"Deployment/{REDIS}"]["spec"]["template"]
    (rc,) = redis_pod["spec"]["containers"]
    assert port["targetPort"] in {p["name"] for p in rc["ports"]}
    assert svc["spec"]["selector"].items() <= redis_pod["metadata"]["labels"].items()
    # the app's Service must not pick the store's pods, nor the store's the app's
    app_labels = k8s["Deployment"]["spec"]["template"]["metadata"]["labels"]
    assert not k8s["Service"]["spec"]["selector"].items() <= redis_pod["metadata"]["labels"].items()
    assert not svc["spec"]["selector"].items() <= app_labels.items()
    secret = next(e for e in env_of(rc) if e["name"] == "REDIS_PASSWORD")
    app_secret = next(e for e in app_env if e["name"] == "REDIS_PASSWORD")
    assert secret["valueFrom"] == app_secret["valueFrom"]


def test_only_the_app_may_reach_redis(k8s: dict[str, dict[str, Any]]) -> None:
    policy = k8s[f"NetworkPolicy/{REDIS}"]["spec"]
    redis_labels = k8s[f"Deployment/{REDIS}"]["spec"]["template"]["metadata"]["labels"]
    app_labels = k8s["Deployment"]["spec"]["template"]["metadata"]["labels"]
    assert policy["podSelector"]["matchLabels"].items() <= redis_labels.items()
    assert policy["policyTypes"] == ["Ingress"]
    (rule,) = policy["ingress"]
    (source,) = rule["from"]
    assert source["podSelector"]["matchLabels"].items() <= app_labels.items()


def test_docs_tell_when_to_use_redis() -> None:
    text = (ROOT / "docs" / "deploy.md").read_text()
    for fact in ("SGDLAB_REDIS_URL", "SGDLAB_DATA_DIR", "redis-password", "redis.yaml"):
        assert fact in text, fact
