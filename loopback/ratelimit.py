"""Fault injection and optional Discord-like rate-limit enforcement."""

from __future__ import annotations

import asyncio
import hashlib
import math
import re
import time
from dataclasses import dataclass, field

from .router import Reply

DEFAULT_MESSAGES = {
    400: (50035, "Invalid Form Body"),
    401: (0, "401: Unauthorized"),
    403: (50013, "Missing Permissions"),
    404: (0, "404: Not Found"),
    500: (0, "500: Internal Server Error"),
    502: (0, "502: Bad Gateway"),
    503: (0, "503: Service Unavailable"),
}
CODE_MESSAGES = {
    50007: "Cannot send messages to this user",
    50001: "Missing Access",
    50013: "Missing Permissions",
    10003: "Unknown Channel",
    10004: "Unknown Guild",
    10007: "Unknown Member",
    10008: "Unknown Message",
    10011: "Unknown Role",
    10062: "Unknown interaction",
    40060: "Interaction has already been acknowledged.",
}


def rate_limited(retry_after: float, *, global_: bool = False, limit: int = 1, bucket: str = "loopback") -> Reply:
    """A 429 shaped so discord.py retries it: `Via` header and a JSON body with `retry_after`."""
    headers = {
        "Via": "1.1 google",
        "Retry-After": str(max(1, math.ceil(retry_after))),
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
        "X-RateLimit-Reset-After": f"{retry_after:.3f}",
        "X-RateLimit-Bucket": bucket,
        "X-RateLimit-Scope": "global" if global_ else "user",
    }
    if global_:
        headers["X-RateLimit-Global"] = "true"
    body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": global_, "code": 0}
    return Reply(429, body, headers)


def error(status: int, code: int | None = None, message: str | None = None) -> Reply:
    """A Discord-shaped JSON error reply."""
    default_code, default_message = DEFAULT_MESSAGES.get(status, (0, f"{status}: Error"))
    code = default_code if code is None else code
    message = message or CODE_MESSAGES.get(code) or default_message
    return Reply(status, {"message": message, "code": code})


@dataclass
class Injection:
    """The next `times` requests matching method and path pattern get this status."""

    method: str
    pattern: re.Pattern[str]
    status: int
    times: int
    code: int | None
    retry_after: float
    global_: bool
    message: str | None = None
    after: bool = False  # Discord did the work, then the answer was lost (a 500 or a 429 from a proxy on the way back)
    hits: int = 0

    def reply(self) -> Reply:
        """The reply this injection answers with."""
        if self.status == 429:
            return rate_limited(self.retry_after, global_=self.global_)
        return error(self.status, self.code, self.message)


@dataclass
class Hold:
    """The next `times` matching requests are carried out, and their answers wait until `release()`: the window
    in which a crash leaves Discord having done something the bot never heard about."""

    method: str
    pattern: re.Pattern[str]
    times: int
    paths: list[str] = field(default_factory=list)  # the requests held so far
    reached: asyncio.Event = field(default_factory=asyncio.Event)  # set when the first one is held
    released: asyncio.Event = field(default_factory=asyncio.Event)

    def release(self) -> None:
        """Let every held answer (and any later one) go."""
        self.released.set()


class Faults:
    """Pending injected failures, consumed in the order they were added, and held answers."""

    def __init__(self) -> None:
        self.pending: list[Injection] = []
        self.holds: list[Hold] = []

    def take_hold(self, method: str, path: str) -> Hold | None:
        """The hold this (successful) request's answer waits on, if any."""
        for hold in self.holds:
            if hold.method in (method, "*") and hold.pattern.search(path):
                hold.paths.append(path)
                if len(hold.paths) >= hold.times:
                    self.holds.remove(hold)
                return hold
        return None

    def add(self, injection: Injection) -> Injection:
        """Queue an injection."""
        self.pending.append(injection)
        return injection

    def take(self, method: str, path: str) -> Reply | None:
        """The injected reply for this request, if one is pending."""
        inj = self.take_injection(method, path)
        return None if inj is None else inj.reply()

    def take_injection(self, method: str, path: str) -> Injection | None:
        """The pending injection this request consumes, if any."""
        for inj in self.pending:
            if inj.method in (method, "*") and inj.pattern.search(path):
                inj.hits += 1
                if inj.hits >= inj.times:
                    self.pending.remove(inj)
                return inj
        return None


class RateLimiter:
    """Fixed-window buckets per route (plus a global one), answering 429 when a window is full."""

    def __init__(self) -> None:
        self.enabled = False
        self.per_route = 5
        self.per_seconds = 1.0
        self.global_per_second = 50
        self._buckets: dict[str, list[float]] = {}
        self._global = [0.0, 0.0]
        self.limited = 0
        self.global_limited = 0

    def configure(self, enabled: bool, per_route: int, per_seconds: float, global_per_second: int) -> None:
        """Turn enforcement on or off and set the limits."""
        self.enabled, self.per_route, self.per_seconds = enabled, per_route, per_seconds
        self.global_per_second = global_per_second
        self._buckets.clear()
        self._global = [0.0, 0.0]

    def check(self, bucket_key: str, template: str, *, counts_globally: bool) -> tuple[Reply | None, dict[str, str]]:
        """Count a request; return a 429 reply when limited, else the X-RateLimit headers to add."""
        if not self.enabled:
            return None, {}
        now = time.monotonic()
        bucket_hash = hashlib.sha1(template.encode()).hexdigest()[:16]
        if counts_globally:
            if now - self._global[0] >= 1.0:
                self._global = [now, 0.0]
            if self._global[1] >= self.global_per_second:
                self.global_limited += 1
                return rate_limited(max(0.001, 1.0 - (now - self._global[0])), global_=True), {}
        window = self._buckets.setdefault(bucket_key, [now, 0.0])
        if now - window[0] >= self.per_seconds:
            window[0], window[1] = now, 0.0
        reset_after = max(0.001, self.per_seconds - (now - window[0]))
        if window[1] >= self.per_route:
            self.limited += 1
            return rate_limited(reset_after, limit=self.per_route, bucket=bucket_hash), {}
        window[1] += 1
        if counts_globally:
            self._global[1] += 1
        headers = {
            "X-RateLimit-Limit": str(self.per_route),
            "X-RateLimit-Remaining": str(int(self.per_route - window[1])),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": bucket_hash,
        }
        return None, headers
