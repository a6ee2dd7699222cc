"""One encoded `next` payload per subscriber group, each message with its own id
(web/socket_frames.py)."""
from __future__ import annotations

import json

import orjson

from web.socket_frames import EncodedPayloads, next_message


def encode(value: object) -> str:
    return orjson.dumps(value).decode()


def message(sub_id: str, payload: dict[str, object]) -> dict[str, object]:
    return {"id": sub_id, "type": "next", "payload": payload}


def test_the_spliced_message_is_what_the_encoder_writes_for_the_whole_message() -> None:
    data = {"orderUpdates": {"type": "ORDER_STATUS_CHANGED", "note": "é \"quoted\" \u2028"}}
    for sub_id in ("1", "a\"b\\c", "ünï", "x" * 40):
        for payload in ({"data": data}, {"data": data, "extensions": {"cost": {"a": 1}}},
                        {"data": None, "errors": [{"message": "no"}]}):
            whole = message(sub_id, payload)
            spliced = next_message(whole, EncodedPayloads(), encode)
            assert spliced == encode(whole)
            assert json.loads(spliced) == whole


def test_one_encode_per_shared_data_object_and_equal_extensions() -> None:
    payloads = EncodedPayloads()
    shared = {"orderUpdates": {"status": "PROCESSING"}}
    cost = {"cost": {"requestedQueryCost": 3, "maximumAvailable": 1000}}
    sent = [next_message(message(str(i), {"data": shared, "extensions": dict(cost)}),
                         payloads, encode) for i in range(50)]
    assert payloads.encodes == 1
    assert [json.loads(s)["id"] for s in sent] == [str(i) for i in range(50)]
    assert len({s.split(",", 1)[1] for s in sent}) == 1  # the same payload characters
    # an equal but distinct data object (another group's execution) is encoded on its own
    next_message(message("1", {"data": dict(shared), "extensions": cost}), payloads, encode)
    assert payloads.encodes == 2
    # other extensions: encoded on its own, and what it says is its own
    other = next_message(message("1", {"data": shared, "extensions": {"x": 1}}), payloads, encode)
    assert payloads.encodes == 3 and json.loads(other)["payload"]["extensions"] == {"x": 1}


def test_payloads_with_errors_are_never_shared_and_the_cache_is_bounded() -> None:
    payloads = EncodedPayloads(size=4)
    shared = {"orderUpdates": None}
    for i in range(3):
        errors = [{"message": "boom", "extensions": {"requestId": str(i)}}]
        sent = next_message(message("1", {"data": shared, "errors": errors}), payloads, encode)
        assert json.loads(sent)["payload"]["errors"] == errors
    assert payloads.encodes == 3
    kept = [{"n": i} for i in range(10)]
    for data in kept:
        next_message(message("1", {"data": data}), payloads, encode)
    assert len(payloads._recent) == 4
