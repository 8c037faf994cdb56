"""Install it like any library: build both distributions (sdist, then the wheel from the sdist, so an
sdist that needs a file outside its project folder fails here), install each into a FRESH venv
outside the repository, and use it there as a user would.

The venvs get their dependencies from the package index pip is configured with (its cache makes
this quick); the built wheels are installed by path, by this checkout's pip (`pip --python`, so no
venv needs a pip of its own). Slow (seconds per build and per venv): it is the proof that
`pip install twofactor-client` and `pip install twofactor-emulator` work.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import venv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VERSION = (ROOT / "VERSION").read_text().strip()
API_KEY = "install-test-0000-4000-8000-000000000001"
SECRET_KEY = "install-test-secret-0123456789ab"
PHONE = "+919999999999"
# What the client may bring along: httpx, attrs, cryptography, pydantic (the Tata and datatechlabs
# clients' models) and their own dependencies.
CLIENT_DEPENDENCIES = {
    "annotated-types",
    "pydantic",
    "pydantic-core",
    "typing-inspection",
    "anyio",
    "attrs",
    "certifi",
    "cffi",
    "cryptography",
    "h11",
    "httpcore",
    "httpx",
    "idna",
    "pycparser",
    "sniffio",
    "typing-extensions",
}

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Built:
    client_wheel: Path
    emulator_wheel: Path
    client_sdist: Path
    emulator_sdist: Path


@dataclass(frozen=True)
class Venv:
    path: Path

    @property
    def python(self) -> Path:
        return self.path / "bin" / "python"

    def script(self, name: str) -> Path:
        return self.path / "bin" / name

    def run(self, *argv: str | Path, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TWOFACTOR_", "PYTHON", "VIRTUAL_ENV"))}
        env["PATH"] = f"{self.path / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        return subprocess.run(
            [str(arg) for arg in argv], capture_output=True, text=True, timeout=timeout, check=False, cwd=cwd, env=env
        )

    def pip(self, *arguments: str | Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """This checkout's pip acting on the venv (`--python`): a venv made without pip of its own
        (ensurepip costs seconds per venv), and so without pip among its distributions either."""
        return self.run(sys.executable, "-m", "pip", "--python", self.python, *arguments, timeout=timeout)

    def distributions(self) -> set[str]:
        listed = self.pip("list", "--format=json")
        assert listed.returncode == 0, listed.stderr
        return {re.sub(r"[-_.]+", "-", item["name"]).lower() for item in json.loads(listed.stdout)}


def _build(project: Path, out: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(project)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    out = tmp_path_factory.mktemp("dist")
    _build(ROOT, out)
    _build(ROOT / "emulator", out)
    return Built(
        client_wheel=out / f"twofactor_client-{VERSION}-py3-none-any.whl",
        emulator_wheel=out / f"twofactor_emulator-{VERSION}-py3-none-any.whl",
        client_sdist=out / f"twofactor_client-{VERSION}.tar.gz",
        emulator_sdist=out / f"twofactor_emulator-{VERSION}.tar.gz",
    )


def _venv(path: Path, *requirements: str | Path) -> Venv:
    venv.EnvBuilder(with_pip=False, clear=True).create(path)
    made = Venv(path)
    done = made.pip("install", "--quiet", "--disable-pip-version-check", *requirements, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return made


@pytest.fixture(scope="module")
def client_venv(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """A fresh venv with only the client distribution."""
    return _venv(tmp_path_factory.mktemp("client-venv"), built.client_wheel)


@pytest.fixture(scope="module")
def emulator_venv(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """A fresh venv with only the emulator distribution."""
    return _venv(tmp_path_factory.mktemp("emulator-venv"), built.emulator_wheel)


@pytest.fixture(scope="module")
def app_venv(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """An application's venv: the client to send OTPs, the emulator and pytest to test it."""
    return _venv(tmp_path_factory.mktemp("app-venv"), built.client_wheel, built.emulator_wheel, "pytest")


def _generated(suffix: str) -> list[str]:
    """The generated packages of one kind, found by listing (a new provider's are covered at once)."""
    return sorted(path.parent.name for path in (ROOT / "generated").glob(f"*_{suffix}/__init__.py"))


def _hand_written_client_packages() -> list[str]:
    """Every package of overrides/ (the clients and their shared base), found by listing."""
    return sorted(path.parent.name for path in (ROOT / "overrides").glob("*/__init__.py"))


def _documents() -> dict[str, dict[str, str]]:
    entries: dict[str, dict[str, str]] = json.loads((ROOT / "dist" / "index.json").read_text())["documents"]
    return entries


def test_the_client_wheel_holds_the_client_packages_and_the_documents(built: Built) -> None:
    names = set(zipfile.ZipFile(built.client_wheel).namelist())
    for package in [*_hand_written_client_packages(), *_generated("client")]:
        assert f"{package}/__init__.py" in names and f"{package}/py.typed" in names, package
    for entry in _documents().values():
        assert f"twofactor/openapi/{entry['yaml']}" in names and f"twofactor/openapi/{entry['json']}" in names
    assert "twofactor/openapi/index.json" in names
    metadata = zipfile.ZipFile(built.client_wheel).read(f"twofactor_client-{VERSION}.dist-info/METADATA").decode()
    assert "Project-URL: " in metadata and "License-Expression: MIT" in metadata


def test_the_emulator_wheel_holds_the_emulator_models_plugin_and_documents(built: Built) -> None:
    wheel = zipfile.ZipFile(built.emulator_wheel)
    names = set(wheel.namelist())
    for package in ["twofactor_emulator", "twofactor_models"]:
        assert f"{package}/__init__.py" in names and f"{package}/py.typed" in names, package
    for entry in _documents().values():
        assert f"twofactor_emulator/openapi/{entry['json']}" in names
    entry_points = wheel.read(f"twofactor_emulator-{VERSION}.dist-info/entry_points.txt").decode()
    assert "[pytest11]" in entry_points and "twofactor_emulator = " in entry_points
    assert "twofactor-emulator = twofactor_emulator.cli:main" in entry_points


def _packages(wheel: Path) -> set[str]:
    return {name.split("/")[0] for name in zipfile.ZipFile(wheel).namelist() if "/" in name} - {
        name.split("/")[0] for name in zipfile.ZipFile(wheel).namelist() if ".dist-info/" in name
    }


def test_the_two_wheels_share_no_package_and_together_hold_every_generated_one(built: Built) -> None:
    """Installing both must not make one overwrite the other's files; nothing generated is left out."""
    client, emulator = _packages(built.client_wheel), _packages(built.emulator_wheel)
    assert client & emulator == set()
    assert {*_generated("client"), *_generated("models")} <= client | emulator
    assert "twofactor_emulator" not in client and "twofactor" not in emulator


def test_the_client_alone_points_to_the_emulator_for_the_demo(client_venv: Venv) -> None:
    done = client_venv.run(client_venv.script("twofactor"), "demo")
    assert done.returncode == 2 and "pip install twofactor-emulator" in done.stderr and "Traceback" not in done.stderr


def test_the_emulator_installs_without_the_client(emulator_venv: Venv) -> None:
    installed = emulator_venv.distributions()
    assert "twofactor-emulator" in installed and "twofactor-client" not in installed
    version = emulator_venv.run(emulator_venv.script("twofactor-emulator"), "--version")
    assert version.returncode == 0 and version.stdout.strip() == f"twofactor-emulator {VERSION}"


@pytest.fixture
def emulator_process(emulator_venv: Venv, tmp_path: Path) -> Iterator[str]:
    """The installed emulator serving on a free port; yields its base URL."""
    config = tmp_path / "accounts.toml"
    config.write_text(f'[[accounts]]\napi_key = "{API_KEY}"\nsecret_key = "{SECRET_KEY}"\nsandbox = false\n')
    command = [emulator_venv.script("twofactor-emulator"), "serve", "--port", "0", "--db", tmp_path / "e.sqlite3"]
    process = subprocess.Popen(
        [*map(str, command), "--config", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first_line = process.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:\d+", first_line)
        assert found, first_line + (process.stderr.read() if process.stderr else "")
        yield found.group(0)
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_the_installed_client_talks_to_the_installed_emulator(
    client_venv: Venv, emulator_process: str, tmp_path: Path
) -> None:
    program = textwrap.dedent(
        f"""
        import httpx
        from twofactor import TwoFactor
        with TwoFactor() as client:  # key and base URL from the environment
            sent = client.otp.send({PHONE!r})
            otp = httpx.get({emulator_process!r} + "/_emulator/otp", params={{"phone": {PHONE!r}}}).json()["otp"]
            print(client.otp.verify(sent.session_id, otp).matched)
        """
    )
    env_run = client_venv.run(
        "env",
        f"TWOFACTOR_API_KEY={API_KEY}",
        f"TWOFACTOR_BASE_URL={emulator_process}",
        client_venv.python,
        "-c",
        program,
    )
    assert env_run.returncode == 0 and env_run.stdout.strip() == "True", env_run.stderr[-2000:]
    cli = client_venv.run(
        "env",
        f"TWOFACTOR_API_KEY={API_KEY}",
        client_venv.script("twofactor"),
        "--base-url",
        emulator_process,
        "--json",
        "otp",
        "send",
        PHONE,
    )
    assert cli.returncode == 0 and json.loads(cli.stdout)["session_id"], cli.stderr


def test_the_client_installs_with_its_few_dependencies(client_venv: Venv) -> None:
    installed = client_venv.distributions() - {"twofactor-client", "setuptools"}  # a bare 3.11 venv has setuptools
    assert installed <= CLIENT_DEPENDENCIES, f"unexpected dependencies: {sorted(installed - CLIENT_DEPENDENCIES)}"
    assert {"httpx", "attrs", "cryptography"} <= installed
    version = client_venv.run(client_venv.script("twofactor"), "--version")
    assert version.returncode == 0 and version.stdout.strip() == f"twofactor {VERSION}"
    code = "import twofactor, twofactor.documents as d; print(twofactor.__version__, d.path('twofactor').is_file())"
    shown = client_venv.run(client_venv.python, "-c", code)
    assert shown.stdout.split() == [VERSION, "True"], shown.stderr


@pytest.mark.parametrize("command", ["twofactor", "twofactor-emulator"])
def test_the_demo_runs_from_the_installed_distributions(app_venv: Venv, tmp_path: Path, command: str) -> None:
    done = app_venv.run(app_venv.script(command), "demo", "--db", str(tmp_path / "demo.sqlite3"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "round trip OK" in done.stdout


def test_the_emulator_alone_points_to_the_client_for_the_demo(emulator_venv: Venv) -> None:
    done = emulator_venv.run(emulator_venv.script("twofactor-emulator"), "demo")
    assert done.returncode == 2 and "pip install twofactor-client" in done.stderr and "Traceback" not in done.stderr


def test_the_pytest_plugin_works_in_a_separate_project(app_venv: Venv, tmp_path: Path) -> None:
    project = tmp_path / "shop"
    (project / "tests").mkdir(parents=True)
    (project / "tests" / "test_login.py").write_text(
        textwrap.dedent(
            f"""
            from twofactor import TwoFactor


            def test_login_with_an_otp(twofactor_emulator):
                with TwoFactor(twofactor_emulator.api_key, base_url=twofactor_emulator.base_url) as client:
                    sent = client.otp.send({PHONE!r})
                    code = twofactor_emulator.latest_otp({PHONE!r})
                    assert client.otp.verify(sent.session_id, code).matched
            """
        )
    )
    done = app_venv.run(app_venv.python, "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=project, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "1 passed" in done.stdout
