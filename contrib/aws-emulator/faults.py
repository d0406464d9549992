"""Runtime configuration and fault injection (throttling, failures, drops).

All of it is driven by Config, which the command line seeds and
POST /_emu/config changes at run time.  Used under the global lock.
"""

import math
import random
import time


class ConfigError(ValueError):
    pass


def _number(minimum=0.0, maximum=None, integer=False):
    def check(name, value):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError("%s must be a number or null" % name)
        if integer and int(value) != value:
            raise ConfigError("%s must be an integer" % name)
        if value < minimum or (maximum is not None and value > maximum):
            raise ConfigError("%s must be within [%s, %s]" % (
                name, minimum, "inf" if maximum is None else maximum))
        return int(value) if integer else value
    return check


def _flag(name, value):
    if not isinstance(value, bool):
        raise ConfigError("%s must be true, false or null" % name)
    return value


def _rules(name, value):
    if not isinstance(value, list):
        raise ConfigError("fail_rules must be a list or null")
    return [FailRule.parse(r) for r in value]


class Config:
    """Tunables.  None always means "off" (no throttling, no page cap,
    no grant limit, no skew check, no workflow delay, no one-active rule);
    delete_delay None means "as long as workflow_delay"."""

    CHECKS = {
        "throttle_rps": _number(minimum=0.001),
        "throttle_burst": _number(minimum=1, integer=True),
        "throttle_write_rps": _number(minimum=0.001),
        "fail_rate": _number(maximum=1.0),
        "drop_rate": _number(maximum=1.0),
        "latency_ms": _number(),
        "workflow_delay": _number(),
        "page_size": _number(minimum=1, integer=True),
        "fail_rules": _rules,
        "grant_limit": _number(integer=True),
        "max_skew": _number(),
        # Seconds added to the emulator's clock for the skew check: a
        # negative offset makes the client's clock look ahead.
        "clock_offset": _number(minimum=-math.inf),
        # Real AWS rules (issue 12); the defaults model AWS, false / null
        # turns each off.
        "one_active": _flag,
        "workflow_bumps_version": _flag,
        "delete_delay": _number(),
        "list_subgrants": _flag,
    }
    DEFAULTS = {"page_size": 3, "workflow_delay": 0, "grant_limit": 2000,
                "max_skew": 900, "one_active": True,
                "workflow_bumps_version": True, "list_subgrants": False}

    def __init__(self, **values):
        for name in self.CHECKS:
            setattr(self, name, self.DEFAULTS.get(name))
        self.update(values)

    def update(self, values):
        if not isinstance(values, dict):
            raise ConfigError("config must be a JSON object")
        for name in values:
            if name not in self.CHECKS:
                raise ConfigError("unknown config key %r; known: %s" % (
                    name, ", ".join(sorted(self.CHECKS))))
        checked = {name: (None if value is None else
                          self.CHECKS[name](name, value))
                   for name, value in values.items()}
        for name, value in checked.items():
            setattr(self, name, value)
        if self.grant_limit is None:
            self.grant_limit = math.inf

    def as_dict(self):
        out = {}
        for name in self.CHECKS:
            value = getattr(self, name)
            if name == "fail_rules" and value is not None:
                value = [r.as_dict() for r in value]
            if value == math.inf:
                value = None
            out[name] = value
        return out


class FailRule:
    """{"operation": "ListDistributedGrants", "nth": 3, "times": 1,
        "status": 500, "type": "ServerInternalException", "body": null}

    Calls of `operation` are counted from the moment the rule is set; calls
    nth .. nth+times-1 fail (times 0: every call from the nth on)."""

    KEYS = {"operation", "nth", "times", "status", "type", "body", "message",
            "service", "concurrent_write"}

    def __init__(self, operation, nth=1, times=1, status=500, type=None,
                 body=None, message=None, service=None,
                 concurrent_write=False):
        self.operation = operation
        self.nth = nth
        self.times = times
        self.status = status
        self.type = type
        self.body = body
        self.message = message
        self.service = service
        # Instead of failing: another writer changes the request's grant
        # (its Version grows) just before this call runs.
        self.concurrent_write = bool(concurrent_write)
        self.seen = 0

    @classmethod
    def parse(cls, raw):
        if not isinstance(raw, dict) or not isinstance(raw.get("operation"),
                                                       str):
            raise ConfigError("each fail rule needs an 'operation' string")
        unknown = set(raw) - cls.KEYS
        if unknown:
            raise ConfigError("unknown fail rule keys: %s" % sorted(unknown))
        rule = cls(**{k: v for k, v in raw.items() if v is not None})
        for name, low in (("nth", 1), ("times", 0), ("status", 100)):
            value = getattr(rule, name)
            if isinstance(value, bool) or not isinstance(value, int) or \
                    value < low:
                raise ConfigError("fail rule %s must be an integer >= %d" % (
                    name, low))
        if rule.status > 599:
            raise ConfigError("fail rule status must be an HTTP status")
        if rule.body is not None and not isinstance(rule.body, str):
            raise ConfigError("fail rule body must be a string")
        return rule

    def matches(self, service, operation):
        """Count a call; True when this call must fail."""
        if operation != self.operation or \
                (self.service and self.service != service):
            return False
        self.seen += 1
        if self.seen < self.nth:
            return False
        return self.times == 0 or self.seen < self.nth + self.times

    def as_dict(self):
        return {"operation": self.operation, "nth": self.nth,
                "times": self.times, "status": self.status, "type": self.type,
                "body": self.body, "message": self.message,
                "service": self.service,
                "concurrent_write": self.concurrent_write, "seen": self.seen}


class TokenBucket:
    def __init__(self, rate, burst):
        self.rate = rate
        self.burst = burst
        self.tokens = float(burst)
        self.last = time.monotonic()

    def take(self):
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.last) *
                          self.rate)
        self.last = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class Faults:
    def __init__(self, config, seed=None):
        self.config = config
        # Separate from the id generator so fault draws do not shift ids.
        self.rng = random.Random(None if seed is None else seed + 7919)
        self.reset_buckets()

    def reset_buckets(self):
        c = self.config
        self.bucket = None
        self.write_bucket = None
        if c.throttle_rps:
            burst = c.throttle_burst or max(1, int(math.ceil(c.throttle_rps)))
            self.bucket = TokenBucket(c.throttle_rps, burst)
        if c.throttle_write_rps:
            burst = max(1, int(math.ceil(c.throttle_write_rps)))
            self.write_bucket = TokenBucket(c.throttle_write_rps, burst)

    def throttled(self, is_write):
        if self.bucket and not self.bucket.take():
            return True
        if is_write and self.write_bucket and not self.write_bucket.take():
            return True
        return False

    def rule_for(self, service, operation):
        """The first fail rule that fires for this call, or None.  Every rule
        for the operation counts the call."""
        fired = None
        for rule in self.config.fail_rules or []:
            if rule.matches(service, operation) and fired is None:
                fired = rule
        return fired

    def random_failure(self):
        rate = self.config.fail_rate
        return bool(rate) and self.rng.random() < rate

    def random_drop(self):
        rate = self.config.drop_rate
        return bool(rate) and self.rng.random() < rate
