"""web/graphiql_assets.py: the install step that fetches GraphiQL's pinned npm tarballs and
verifies them (sha512 integrity) before extracting the locked files, without Node."""
from __future__ import annotations

import base64
import hashlib
import io
import json
import tarfile
from pathlib import Path
from typing import Any

import pytest

from web import graphiql_assets as assets


def _tarball(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


@pytest.fixture
def registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """A fake registry: metadata and one tarball, and a lock pinning that tarball."""
    tarball = _tarball({"package/dist/lib.js": b"console.log(1)", "package/other.js": b"x"})
    state: dict[str, Any] = {"tarball": tarball, "announced": _integrity(tarball)}
    lock = tmp_path / "lock.json"
    lock.write_text(json.dumps({"packages": [{
        "name": "@scope/lib", "version": "1.2.3", "integrity": _integrity(tarball),
        "files": {"package/dist/lib.js": "lib.js"}}]}))
    state["lock"] = lock

    def fake_get(url: str, timeout: float = 60.0) -> bytes:
        if url == "https://registry.test/@scope%2Flib/1.2.3":
            return json.dumps({"dist": {"tarball": "https://registry.test/lib.tgz",
                                        "integrity": state["announced"]}}).encode()
        assert url == "https://registry.test/lib.tgz", url
        return bytes(state["tarball"])

    monkeypatch.setattr(assets, "_get", fake_get)
    return state


def test_installs_only_the_locked_files_once(registry: dict[str, Any], tmp_path: Path) -> None:
    target = tmp_path / "static"
    assert assets.install(target, registry["lock"], "https://registry.test") is True
    assert (target / "lib.js").read_bytes() == b"console.log(1)"
    assert not (target / "other.js").exists()
    assert assets.installed(target, registry["lock"])
    assert assets.install(target, registry["lock"], "https://registry.test") is False


def test_a_tampered_tarball_is_refused(registry: dict[str, Any], tmp_path: Path) -> None:
    registry["tarball"] = _tarball({"package/dist/lib.js": b"alert('evil')"})
    with pytest.raises(assets.AssetError, match="does not match its pinned integrity"):
        assets.install(tmp_path / "static", registry["lock"], "https://registry.test")
    assert not assets.installed(tmp_path / "static", registry["lock"])


def test_a_registry_announcing_another_integrity_is_refused(registry: dict[str, Any],
                                                            tmp_path: Path) -> None:
    registry["announced"] = "sha512-AAAA"
    with pytest.raises(assets.AssetError, match="the registry announces"):
        assets.install(tmp_path / "static", registry["lock"], "https://registry.test")


def test_the_committed_lock_pins_sha512_for_every_package() -> None:
    packages = assets.load_lock()
    assert {p["name"] for p in packages} >= {"react", "react-dom", "graphiql",
                                             "@graphiql/plugin-explorer"}
    assert all(p["integrity"].startswith("sha512-") and p["files"] for p in packages)
