"""graphql-transport-ws `next` messages encoded once per subscriber group (docs/architecture.md,
"Live events").

Subscribers of one group share one execution per event (schema/shared_events.py): strawberry
hands each of them a result whose `data` is the same object. The payload
(`{"data": ..., "extensions": ...}`) is therefore encoded once, and each subscriber's message
is that text with its own id spliced in front: the same characters the encoder would have
written for the whole message (orjson writes keys in insertion order, without spaces).

Only payloads without `errors` are shared: ErrorCodes (schema/protection.py) may give each
subscriber's errors its own request id. A payload is reused only for the very same `data`
object (kept alive by the cache, so its id is not reused) and equal `extensions`; anything
else is encoded on its own, as before."""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Callable, Mapping

from adapters.live.bus import PerBus

Encode = Callable[[object], str]

# Recent payloads kept: the events of one fan-out are sent together, so a few suffice.
CACHE_SIZE = 256


class EncodedPayloads:
    """Bounded map from a result's `data` object to its encoded payload."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self.encodes = 0  # payloads actually encoded (tests count them)
        self._recent: OrderedDict[int, tuple[object, object, str]] = OrderedDict()

    def payload(self, payload: Mapping[str, Any], encode: Encode) -> str:
        data = payload.get("data")
        extensions = payload.get("extensions")
        shareable = isinstance(data, dict) and "errors" not in payload
        if shareable:
            found = self._recent.get(id(data))
            if found is not None and found[0] is data and found[1] == extensions:
                return found[2]
        self.encodes += 1
        text = encode(payload)
        if shareable:
            self._recent[id(data)] = (data, extensions, text)
            while len(self._recent) > self.size:
                self._recent.popitem(last=False)
        return text


def next_message(message: Mapping[str, Any], payloads: EncodedPayloads, encode: Encode) -> str:
    """The `next` message as text: `{"id":<id>,"type":"next","payload":<payload>}`."""
    return (f'{{"id":{encode(message["id"])},"type":"next","payload":'
            f'{payloads.payload(message["payload"], encode)}}}')


_PAYLOADS: PerBus[EncodedPayloads] = PerBus()


def payloads_for(bus: Any) -> EncodedPayloads:
    """The cache of one app, kept by its event bus (as schema/shared_events.py's)."""
    return _PAYLOADS.get(bus, EncodedPayloads)
