"""Test helpers for the shared services of a deployment: Redis (rate-limit windows) and NATS
JetStream (the event relay). Every test run uses its own Redis key prefix and its own stream
and subject prefix (other test runs share the servers), and removes them at the end."""
from __future__ import annotations

import json
import shutil
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, AsyncIterator

import nats
import pytest

from tests.support.server import free_port

REDIS_URL = "redis://127.0.0.1:6379/0"
NATS_URL = "nats://127.0.0.1:4222"
NATS_SERVER = shutil.which("nats-server") or "/usr/sbin/nats-server"


def unique_name(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:12]}"


async def delete_redis_keys(prefix: str) -> None:
    from redis.asyncio import Redis

    client = Redis.from_url(REDIS_URL)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


@pytest.fixture
async def redis_prefix() -> AsyncIterator[str]:
    prefix = unique_name("test-") + ":"
    yield prefix
    await delete_redis_keys(prefix)


@dataclass(frozen=True)
class Received:
    """A message of the stream: subject, Nats-Msg-Id header and JSON body."""
    subject: str
    msg_id: str
    body: dict[str, Any] = field(hash=False, compare=False)


@dataclass
class StreamRef:
    url: str
    name: str
    subject_prefix: str

    def env(self) -> dict[str, str]:
        return {"EVENT_RELAY_URL": self.url, "EVENT_STREAM": self.name,
                "EVENT_SUBJECT_PREFIX": self.subject_prefix}

    async def messages(self) -> list[Received]:
        """Every message of the stream, in stream order."""
        nc = await nats.connect(self.url)
        try:
            js = nc.jetstream()
            info = await js.stream_info(self.name)
            found = []
            for seq in range(info.state.first_seq, info.state.last_seq + 1):
                msg = await js.get_msg(self.name, seq)
                found.append(Received(msg.subject, (msg.headers or {}).get("Nats-Msg-Id", ""),
                                      json.loads(msg.data or b"{}")))
            return found
        finally:
            await nc.close()

    async def delete(self) -> None:
        try:
            nc = await nats.connect(self.url, allow_reconnect=False, connect_timeout=2)
        except Exception:  # noqa: BLE001 - the broker is gone: nothing to delete
            return
        try:
            await nc.jetstream().delete_stream(self.name)
        except Exception:  # noqa: BLE001 - never created
            pass
        finally:
            await nc.close()


@pytest.fixture
async def stream() -> AsyncIterator[StreamRef]:
    """A stream and subject prefix of this test on the machine's NATS server."""
    ref = StreamRef(NATS_URL, unique_name("TEST_"), unique_name("t"))
    yield ref
    await ref.delete()


class PrivateNats:
    """A nats-server with JetStream of the test's own, on a free port, that can be stopped and
    started again on the same store directory."""

    def __init__(self, store: Path) -> None:
        self.port = free_port()
        self.store = store
        self.url = f"nats://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [NATS_SERVER, "-a", "127.0.0.1", "-p", str(self.port), "-js", "-sd",
             str(self.store)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        import socket

        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("nats-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None
