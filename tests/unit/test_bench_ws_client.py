"""bench/ws_client.py's WebSocket framing (RFC 6455): masked client frames decode back to
their payload, and server frames of every length form are parsed whole, leaving a partial
frame in the buffer."""
from __future__ import annotations

from bench.ws_client import frame, parse_frames


def _unmask(data: bytes) -> tuple[int, bytes]:
    assert data[1] & 0x80  # a client frame is masked
    n, at = data[1] & 0x7F, 2
    if n == 126:
        n, at = int.from_bytes(data[2:4], "big"), 4
    elif n == 127:
        n, at = int.from_bytes(data[2:10], "big"), 10
    key, body = data[at:at + 4], data[at + 4:]
    assert len(body) == n
    return data[0] & 0x0F, bytes(b ^ key[i % 4] for i, b in enumerate(body))


def _server(opcode: int, payload: bytes) -> bytes:
    n = len(payload)
    if n < 126:
        return bytes([0x80 | opcode, n]) + payload
    if n < 65536:
        return bytes([0x80 | opcode, 126]) + n.to_bytes(2, "big") + payload
    return bytes([0x80 | opcode, 127]) + n.to_bytes(8, "big") + payload


def test_client_frames_are_masked_and_decode_to_their_payload() -> None:
    for size in (0, 5, 125, 126, 4000, 70000):
        payload = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
        assert _unmask(frame(0x1, payload)) == (0x1, payload)


def test_server_frames_of_every_length_form_are_parsed_and_partial_ones_kept() -> None:
    small, medium, large = b'{"type":"next"}', b"m" * 300, b"l" * 70000
    stream = _server(0x1, small) + _server(0x9, b"") + _server(0x1, medium) \
        + _server(0x1, large)
    buffer = bytearray(stream[:-10])
    assert parse_frames(buffer) == [(0x1, small), (0x9, b""), (0x1, medium)]
    buffer += stream[-10:]
    assert parse_frames(buffer) == [(0x1, large)] and buffer == bytearray()
