"""GraphiQL's browser assets, served by the application itself (no CDN; README, GraphiQL).

`python -m web.graphiql_assets` (run by `./dev` on every install) makes web/static/graphiql/
match web/graphiql.lock.json: for each pinned npm package it reads the registry's metadata of
that exact version, checks that the registry still announces the pinned `dist.integrity`,
downloads the tarball, checks its sha512 against the lock, and extracts only the files the
lock names. No Node, standard library only. A stamp file holding the lock's sha256 makes a
second run a no-op; a changed lock fetches again. NPM_CONFIG_REGISTRY points at a mirror.

Exit status: 0 when the assets are in place, 2 with a one-line reason otherwise.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import sys
import tarfile
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
LOCK_PATH = HERE / "graphiql.lock.json"
STATIC_DIR = HERE / "static" / "graphiql"
STAMP = ".lock-sha256"
DEFAULT_REGISTRY = "https://registry.npmjs.org"


class AssetError(Exception):
    """The assets could not be fetched or did not verify; the message says which and why."""


def load_lock(path: Path = LOCK_PATH) -> list[dict[str, Any]]:
    return list(json.loads(path.read_text(encoding="utf-8"))["packages"])


def lock_digest(path: Path = LOCK_PATH) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def installed(static_dir: Path = STATIC_DIR, lock_path: Path = LOCK_PATH) -> bool:
    """True when static_dir holds every file of the lock, extracted from this very lock."""
    stamp = static_dir / STAMP
    if not stamp.is_file() or stamp.read_text().strip() != lock_digest(lock_path):
        return False
    return all((static_dir / target).is_file()
               for package in load_lock(lock_path) for target in package["files"].values())


def verify_integrity(data: bytes, integrity: str) -> None:
    """`integrity` is npm's Subresource-Integrity form, "sha512-<base64>"."""
    algorithm, _, expected = integrity.partition("-")
    if algorithm != "sha512":
        raise AssetError(f"unsupported integrity algorithm {algorithm!r} (want sha512)")
    actual = base64.b64encode(hashlib.sha512(data).digest()).decode()
    if actual != expected:
        raise AssetError(f"tarball does not match its pinned integrity {integrity}")


def _get(url: str, timeout: float = 60.0) -> bytes:
    request = urllib.request.Request(url, headers={"Accept": "application/json, */*"})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        return bytes(response.read())


def fetch_package(package: dict[str, Any], registry: str) -> bytes:
    """The verified tarball of one locked package."""
    name, version, integrity = package["name"], package["version"], package["integrity"]
    meta_url = f"{registry.rstrip('/')}/{urllib.parse.quote(name, safe='@')}/{version}"
    meta = json.loads(_get(meta_url))
    dist = meta.get("dist") or {}
    if dist.get("integrity") != integrity:
        raise AssetError(f"{name}@{version}: the registry announces integrity "
                         f"{dist.get('integrity')!r}, the lock pins {integrity!r}")
    tarball = _get(dist["tarball"])
    try:
        verify_integrity(tarball, integrity)
    except AssetError as exc:
        raise AssetError(f"{name}@{version}: {exc}") from exc
    return tarball


def extract(tarball: bytes, files: dict[str, str], target_dir: Path, label: str) -> None:
    """Write the named members to target_dir under their locked names (nothing else)."""
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        for member_name, target in files.items():
            member = archive.extractfile(member_name)
            if member is None:
                raise AssetError(f"{label}: {member_name} is not in the tarball")
            (target_dir / Path(target).name).write_bytes(member.read())


def install(static_dir: Path = STATIC_DIR, lock_path: Path = LOCK_PATH,
            registry: str | None = None) -> bool:
    """Fetch, verify and extract every locked package; False when already in place."""
    if installed(static_dir, lock_path):
        return False
    registry = registry or os.environ.get("NPM_CONFIG_REGISTRY") or DEFAULT_REGISTRY
    static_dir.mkdir(parents=True, exist_ok=True)
    for package in load_lock(lock_path):
        label = f"{package['name']}@{package['version']}"
        try:
            tarball = fetch_package(package, registry)
        except OSError as exc:
            raise AssetError(f"{label}: cannot download from {registry} ({exc})") from exc
        extract(tarball, package["files"], static_dir, label)
    (static_dir / STAMP).write_text(lock_digest(lock_path) + "\n")
    return True


def main() -> int:
    try:
        fetched = install()
    except AssetError as exc:
        print(f"error: GraphiQL assets: {exc}. Check the network access to the npm registry "
              "(or set NPM_CONFIG_REGISTRY to a mirror) and run `./dev` again.", file=sys.stderr)
        return 2
    if fetched:
        print(f"GraphiQL assets installed in {STATIC_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
