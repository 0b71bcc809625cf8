"""The shared store: Redis, for several app replicas (SGDLAB_REDIS_URL=redis://host:6379/0).

A room is a hash ``sgdlab:room:CODE`` and a list ``sgdlab:room:CODE:runs``; every
change is one Lua script, so two replicas sending at once never break the cap
of MAX_RUNS or a closed room. Both keys carry Redis's own TTL (memory is given
back), and each script also checks the room's last use against ``now`` (the
same rule as the embedded store, and a clock tests can own).
"""

from __future__ import annotations

from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from sgdlab.board.rooms import MAX_RUNS, TTL_S, BoardError, Challenge, Room
from sgdlab.board.store import UNSET

PREFIX = "sgdlab:room:"
CONNECT_TIMEOUT_S = 1.0  # an unreachable Redis costs a student at most about this twice
READ_TIMEOUT_S = 2.0

# KEYS[1] the room's hash, KEYS[2] its runs; ARGV[1] now, ARGV[2] the TTL in seconds.
_LIVE = """
local function live()
  local used = redis.call('HGET', KEYS[1], 'last_used')
  return used and tonumber(used) >= tonumber(ARGV[1]) - tonumber(ARGV[2])
end
local function touch()
  redis.call('HINCRBY', KEYS[1], 'version', 1)
  redis.call('HSET', KEYS[1], 'last_used', ARGV[1])
  redis.call('EXPIRE', KEYS[1], ARGV[2])
  redis.call('EXPIRE', KEYS[2], ARGV[2])
end
"""
CREATE = _LIVE + """
if live() then return 0 end
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('HSET', KEYS[1], 'key_hash', ARGV[3], 'closed', '0', 'revealed', '0',
           'version', '-1', 'epoch', '0')
touch()
return 1
"""
SEND = _LIVE + """
if not live() then return -1 end
if redis.call('HGET', KEYS[1], 'closed') == '1' then return -2 end
local n = redis.call('LLEN', KEYS[2])
if n >= tonumber(ARGV[4]) then return -3 end
redis.call('RPUSH', KEYS[2], ARGV[3])
touch()
return n + 1
"""
UPDATE = _LIVE + """
if not live() then return 0 end
for i = 3, #ARGV, 2 do
  if ARGV[i + 1] == '' then redis.call('HDEL', KEYS[1], ARGV[i])
  else redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
touch()
return 1
"""
CLEAR = _LIVE + """
if not live() then return 0 end
redis.call('DEL', KEYS[2])
redis.call('HINCRBY', KEYS[1], 'epoch', 1)
redis.call('HSET', KEYS[1], 'revealed', '0')
touch()
return 1
"""
SEND_ERRORS = {-1: "no_room", -2: "closed", -3: "full"}


class RedisStore:
    """:class:`~sgdlab.board.store.BoardStore` in the Redis at ``url``."""

    def __init__(self, url: str) -> None:
        self.client = redis.Redis.from_url(
            url, decode_responses=True, socket_connect_timeout=CONNECT_TIMEOUT_S,
            socket_timeout=READ_TIMEOUT_S, retry=Retry(NoBackoff(), 1))
        self._create = self.client.register_script(CREATE)
        self._send = self.client.register_script(SEND)
        self._update = self.client.register_script(UPDATE)
        self._clear = self.client.register_script(CLEAR)

    @staticmethod
    def _keys(code: str) -> list[str]:
        return [PREFIX + code, PREFIX + code + ":runs"]

    def _call(self, script: Any, code: str, now: float, *args: Any) -> int:
        try:
            return int(script(keys=self._keys(code), args=[repr(float(now)), TTL_S, *args]))
        except redis.RedisError as e:
            raise BoardError("unreachable", str(e)) from e

    def create(self, code: str, key_hash: str, now: float) -> bool:
        return self._call(self._create, code, now, key_hash) == 1

    def room(self, code: str, now: float) -> Room | None:
        try:
            pipe = self.client.pipeline(transaction=True)
            pipe.hgetall(self._keys(code)[0])
            pipe.llen(self._keys(code)[1])
            fields, count = pipe.execute()
        except redis.RedisError as e:
            raise BoardError("unreachable", str(e)) from e
        if not fields or float(fields.get("last_used", "-inf")) < now - TTL_S:
            return None
        return Room(code, fields.get("key_hash", ""), int(count), fields.get("closed") == "1",
                    Challenge.from_json(fields.get("challenge")), fields.get("revealed") == "1",
                    int(fields.get("version", 0)), int(fields.get("epoch", 0)),
                    float(fields["last_used"]))

    def send(self, code: str, run_json: str, now: float) -> int:
        result = self._call(self._send, code, now, run_json, MAX_RUNS)
        if result < 0:
            raise BoardError(SEND_ERRORS[result], code)
        return result

    def runs(self, code: str, start: int = 0) -> list[str]:
        try:
            bodies = self.client.lrange(self._keys(code)[1], max(0, int(start)), -1)
            return [str(b) for b in bodies]
        except redis.RedisError as e:
            raise BoardError("unreachable", str(e)) from e

    def update(self, code: str, now: float, *, closed: bool | None = None,
               challenge: Challenge | None | object = UNSET,
               revealed: bool | None = None) -> Room:
        pairs: list[str] = []
        if closed is not None:
            pairs += ["closed", "1" if closed else "0"]
        if challenge is not UNSET:
            pairs += ["challenge", challenge.to_json() if isinstance(challenge, Challenge) else ""]
        if revealed is not None:
            pairs += ["revealed", "1" if revealed else "0"]
        if not self._call(self._update, code, now, *pairs):
            raise BoardError("no_room", code)
        return self._after(code, now)

    def clear(self, code: str, now: float) -> Room:
        if not self._call(self._clear, code, now):
            raise BoardError("no_room", code)
        return self._after(code, now)

    def _after(self, code: str, now: float) -> Room:
        room = self.room(code, now)
        if room is None:
            raise BoardError("no_room", code)
        return room
