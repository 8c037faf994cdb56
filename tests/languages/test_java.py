"""Java: the clients openapi-generator's `java` (native java.net.http) generates from the published
documents compile with javac against Debian-packaged jars only (no Maven repository), and for 2Factor
a plain `java` harness checks the envelope against the document's vectors and does a full round trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import GENERATED, ROOT, passed_names, run, tool

pytestmark = pytest.mark.slow

HARNESS = ROOT / "tests" / "languages" / "java"
# /usr/share/java/<name>.jar of the Debian packages ./dev setup installs: Jackson 2.14
# (libjackson2-{annotations,core,databind}-java), jakarta.annotation (libjakarta-annotation-api-java)
# and, for the form bodies the client builds with Apache HttpComponents, libhttpclient-java,
# libhttpcore-java and libhttpmime-java.
DEBIAN_JARS = [
    "jackson-annotations",
    "jackson-core",
    "jackson-databind",
    "jakarta-annotation-api",
    "httpclient",
    "httpcore",
    "httpmime",
]
CHECKS = [
    "envelope vectors",
    "AUTOGEN then VERIFY wrong and right",
    "AUTOGEN2 then VERIFY3",
    "custom OTP",
    "R1 form",
    "bulk",
    "encrypted GCM",
    "encrypted CBC",
]


def classpath() -> list[str]:
    jars = [Path("/usr/share/java") / f"{name}.jar" for name in DEBIAN_JARS]
    missing = [str(jar) for jar in jars if not jar.exists()]
    if missing:
        pytest.fail(f"Debian jars missing ({', '.join(missing)}): run ./dev setup")
    return [str(jar) for jar in jars]


# The other providers' clients (no round trip yet: compiled with 2Factor's and the harness). The
# packages (twofactor.client, tata_smart2fa.client, datatechlabs.client) do not overlap.
OTHER_CLIENTS = ["tata_smart2fa", "datatechlabs"]


def client_sources(client: str) -> list[Path]:
    return sorted((GENERATED / "java" / client / "src" / "main" / "java").rglob("*.java"))


@pytest.fixture(scope="module")
def classes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every generated Java client and the round-trip harness, compiled in one javac run (one JVM start)."""
    out = tmp_path_factory.mktemp("java-classes")
    sources = [source for client in ["twofactor", *OTHER_CLIENTS] for source in client_sources(client)]
    sources += sorted(HARNESS.glob("*.java"))
    run([tool("javac"), "-nowarn", "-encoding", "UTF-8", "-d", out, "-cp", ":".join(classpath()), *sources])
    return out


def test_every_generated_java_client_is_compiled() -> None:
    generated = {p.name for p in (GENERATED / "java").iterdir() if p.is_dir()}
    assert generated == {"twofactor", *OTHER_CLIENTS}


def test_other_provider_clients_compile(classes: Path) -> None:
    for client in OTHER_CLIENTS:
        assert client_sources(client), client
        assert (classes / client / "client" / "ApiClient.class").exists()
        # Every source file gave its class (javac fails the fixture on any error; this proves they were in it).
        for source in client_sources(client):
            package = source.relative_to(GENERATED / "java" / client / "src" / "main" / "java").with_suffix(".class")
            assert (classes / package).exists(), package


def harness(classes: Path, env: dict[str, str]) -> list[str | Path]:
    return [tool("java"), "-cp", ":".join([str(classes), *classpath()]), "RoundTrip"]


def test_java_round_trip(classes: Path, emulator_env: dict[str, str]) -> None:
    output = run(harness(classes, emulator_env), env=emulator_env)
    assert passed_names(output, r"^ok - (.+)$") == set(CHECKS), output
    assert f"all {len(CHECKS)} passed" in output


def test_a_failing_java_round_trip_fails(classes: Path, emulator_env: dict[str, str]) -> None:
    """The harness's exit code reaches pytest: with a wrong secret key the encrypted sends fail."""
    with pytest.raises(pytest.fail.Exception, match=r"exited 2:[\s\S]*not ok - encrypted GCM"):
        run(harness(classes, emulator_env), env=dict(emulator_env, TWOFACTOR_SECRET_KEY="w" * 32))
