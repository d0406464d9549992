#!/usr/bin/env python3
"""Test-only local emulator of AWS License Manager, Organizations and STS.

One HTTP/1.1 port on 127.0.0.1 serves the three APIs (JSON 1.1 for License
Manager and Organizations, the query protocol for STS) plus an
unauthenticated admin API under /_emu/.  It is strict on purpose: SigV4 on
every request, model validation of every input, small pages, opaque tokens,
and injectable faults.  See README.md.
"""

import argparse
import datetime
import json
import os
import signal
import sys
import threading
import time
import traceback
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Server(ThreadingHTTPServer):
    # Python's default backlog of 5 drops connections when a client (e.g.
    # Terraform) opens ten at once; real AWS endpoints accept them.
    request_queue_size = 128
from xml.sax.saxutils import escape

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import faults as flt        # noqa: E402
import iam                  # noqa: E402
import services as svc      # noqa: E402
import sigv4                # noqa: E402
import state as st          # noqa: E402
import validate as val      # noqa: E402
from state import ApiError  # noqa: E402

JSON_CONTENT_TYPE = "application/x-amz-json-1.1"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
STS_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/"
STS_VERSION = "2011-06-15"
TARGET_PREFIXES = {"AWSLicenseManager": "license-manager",
                   "AWSOrganizationsV20161128": "organizations"}

# Errors raised before the service itself sees the request use "message"
# even on Organizations, whose own errors say "Message".
GATEWAY_ERRORS = {
    "MissingAuthenticationTokenException", "IncompleteSignatureException",
    "InvalidSignatureException", "UnrecognizedClientException",
    "ExpiredTokenException", "SerializationException",
    "UnknownOperationException", "UnsupportedMediaTypeException",
    "NotImplementedException"}
# JSON error type -> STS (query protocol) error code.
STS_CODES = {
    "MissingAuthenticationTokenException": "MissingAuthenticationToken",
    "IncompleteSignatureException": "IncompleteSignature",
    "InvalidSignatureException": "SignatureDoesNotMatch",
    "UnrecognizedClientException": "InvalidClientTokenId",
    "ExpiredTokenException": "ExpiredToken",
    "NotImplementedException": "NotImplemented",
}
THROTTLE_TYPES = {"license-manager": "RateLimitExceededException",
                  "organizations": "TooManyRequestsException",
                  "sts": "Throttling"}
INTERNAL_TYPES = {"license-manager": "ServerInternalException",
                  "organizations": "ServiceException",
                  "sts": "InternalFailure"}
VALIDATION_TYPES = {"license-manager": "ValidationException",
                    "organizations": "InvalidInputException",
                    "sts": "ValidationError"}


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc)


class Request:
    """One AWS request as the pipeline sees it."""

    def __init__(self, method, raw_path, raw_query, headers, body):
        self.method = method
        self.raw_path = raw_path
        self.raw_query = raw_query
        self.headers = headers                  # [(name, value)] wire order
        self.body = body
        self.service = None
        self.operation = None
        self.params = None                      # decoded input, when parsed
        self.parse_error = None
        self.signing_region = None              # the verified scope's region
        self.access_key_id = sigv4.access_key_from_header(
            self.header("authorization"))

    def header(self, name):
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None

    @property
    def protocol(self):
        return "query" if self.service == "sts" else "json"


class Response:
    def __init__(self, status, body=b"", content_type=JSON_CONTENT_TYPE,
                 drop=False):
        self.status = status
        self.body = body
        self.content_type = content_type
        self.drop = drop


# --------------------------------------------------------------------------
# The emulator (state + pipeline), independent of the HTTP plumbing
# --------------------------------------------------------------------------

class Emulator:
    def __init__(self, fixture, *, region="us-east-1", seed=None,
                 log_path=None, **config):
        self.fixture = fixture
        self.region = region
        self.seed = seed
        self.lock = threading.Lock()
        # The fixture's "config" object, then the caller's (command line)
        # options on top.
        initial = fixture.get("config") or {}
        if not isinstance(initial, dict):
            raise flt.ConfigError("fixture config must be a JSON object")
        self.initial_config = dict(initial, **config)
        config = self.initial_config
        self.config = flt.Config(**config)
        self.faults = flt.Faults(self.config, seed)
        self.state = st.State(fixture, self.config, seed)
        self.calls = []
        self.call_seq = 0
        self.validators = {name: val.Validator(val.load_model(name))
                           for name in val.MODEL_FILES}
        self.log_file = open(log_path, "a", encoding="utf-8") \
            if log_path else None
        self.httpd = None
        self.thread = None
        self.shutdown_requested = False

    # -- lifecycle ----------------------------------------------------------

    def bind(self, port=0):
        self.httpd = _Server(("127.0.0.1", port), Handler)
        self.httpd.daemon_threads = True
        self.httpd.emulator = self
        return self.httpd.server_address[1]

    @property
    def port(self):
        return self.httpd.server_address[1]

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def start(self, port=0):
        """Serve in a background thread (used by the in-process tests)."""
        self.bind(port)
        # A short poll interval keeps stop() fast for the test suite.
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()
        return self

    def request_shutdown(self):
        # shutdown() blocks until serve_forever returns, so never call it on
        # the serving thread itself.
        threading.Thread(target=self.httpd.shutdown, daemon=True).start()

    def stop(self):
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()
        if self.thread:
            self.thread.join(5)
        if self.log_file:
            self.log_file.close()
            self.log_file = None

    def log(self, line):
        if self.log_file:
            self.log_file.write("%s %s\n" % (
                utc_now().strftime("%Y-%m-%dT%H:%M:%S.%fZ"), line))
            self.log_file.flush()

    # -- AWS pipeline ------------------------------------------------------------

    def handle_aws(self, req):
        """Run one AWS request through every stage; returns a Response."""
        try:
            self._route(req)
        except ApiError as err:
            # Routing failed (unknown target, bad content type...).
            with self.lock:
                return self._finish(req, err, None)
        if self.config.latency_ms:
            time.sleep(self.config.latency_ms / 1000.0)
        with self.lock:
            self.state.tick()
            try:
                result, err = self._execute(req), None
            except ApiError as e:
                result, err = None, e
            # drop_rate: the write is committed, then the answer is lost.
            drop = err is None and svc.is_write(req.service, req.operation) \
                and self.faults.random_drop()
            return self._finish(req, err, result, drop)

    def _route(self, req):
        target = req.header("x-amz-target")
        ctype = (req.header("content-type") or "").split(";")[0].strip().lower()
        if req.method != "POST" or req.raw_path != "/":
            raise ApiError("UnknownOperationException",
                           "Only POST / is served (got %s %s)." % (
                               req.method, req.raw_path))
        if target is not None:
            prefix, _, operation = target.partition(".")
            req.service = TARGET_PREFIXES.get(prefix)
            if req.service is None or not operation:
                req.service = None
                raise ApiError("UnknownOperationException",
                               "Unknown X-Amz-Target %r." % target)
            req.operation = operation
            if ctype != JSON_CONTENT_TYPE:
                raise ApiError("UnsupportedMediaTypeException",
                               "Content-Type must be %s, got %r." % (
                                   JSON_CONTENT_TYPE, ctype), status=415)
            self._parse_json(req)
        elif ctype == FORM_CONTENT_TYPE:
            req.service = "sts"
            self._parse_form(req)
        else:
            raise ApiError("UnknownOperationException",
                           "Missing X-Amz-Target header (JSON APIs) or form "
                           "body (STS).")
        model = self.validators[req.service].model
        if req.operation not in model["operations"]:
            raise ApiError("UnknownOperationException" if req.protocol ==
                           "json" else "InvalidAction",
                           "Operation %s is not part of the %s API." % (
                               req.operation, req.service))
        if req.operation not in svc.HANDLERS[req.service]:
            raise ApiError("NotImplementedException",
                           "The emulator does not implement %s." %
                           req.operation, status=501)

    def _parse_json(self, req):
        try:
            params = json.loads(req.body.decode("utf-8")) if req.body else {}
            if not isinstance(params, dict):
                raise ValueError("the body must be a JSON object")
            req.params = params
        except (ValueError, UnicodeDecodeError) as e:
            req.parse_error = ApiError("SerializationException",
                                       "Request body is not valid JSON: %s"
                                       % e)

    def _parse_form(self, req):
        try:
            pairs = urllib.parse.parse_qsl(req.body.decode("utf-8"),
                                           keep_blank_values=True,
                                           strict_parsing=bool(req.body))
        except (ValueError, UnicodeDecodeError):
            raise ApiError("MalformedQueryString", "Malformed form body.")
        form = {}
        for key, value in pairs:
            if key in form:
                raise ApiError("MalformedQueryString",
                               "Parameter %s appears more than once." % key)
            form[key] = value
        action = form.pop("Action", None)
        version = form.pop("Version", None)
        if not action:
            raise ApiError("MissingAction", "Missing Action parameter.")
        if version != STS_VERSION:
            raise ApiError("InvalidAction",
                           "Could not find operation %s for version %s" % (
                               action, version))
        req.operation = action
        req.params = form

    # Operations AWS serves without a signature: the request carries its
    # own proof.
    UNSIGNED = {("sts", "AssumeRoleWithWebIdentity")}

    def _execute(self, req):
        identity = None
        if (req.service, req.operation) not in self.UNSIGNED:
            identity = self._authenticate(req)
        self._inject_faults(req)
        if req.parse_error:
            raise req.parse_error
        params = self._validated_params(req)
        iam.check_policy(identity, req.service, req.operation, params)
        ctx = svc.Ctx(self.state, self.config, identity, req.service,
                      req.operation, time.time(), self.region)
        svc.GATES[req.service](ctx)
        return svc.HANDLERS[req.service][req.operation](ctx, params)

    def _region_problem(self, service, region):
        """Why the credential scope's region is wrong for `service`, or None.
        License Manager: the configured region; Organizations: us-east-1
        only; STS: any region-looking name."""
        if service == "license-manager":
            ok, hint = region == self.region, ""
        elif service == "organizations":
            ok, hint = region == "us-east-1", \
                " Organizations is signed for us-east-1."
        else:
            ok, hint = bool(sigv4.REGION_RE.match(region)), ""
        if ok:
            return None
        return "Credential should be scoped to a valid region, not '%s'.%s" % (
            region, hint)

    def _authenticate(self, req):
        # JSON APIs route on these two headers, so they must be signed.
        required = ("content-type", "x-amz-target") \
            if req.protocol == "json" else ()
        try:
            cred, auth = sigv4.verify_request(
                req.method, req.raw_path, req.raw_query, req.headers,
                req.body, service=req.service,
                region_check=lambda r: self._region_problem(req.service, r),
                lookup=self.state.credentials.get, required_signed=required,
                now=utc_now() + datetime.timedelta(
                    seconds=self.config.clock_offset or 0),
                max_skew=self.config.max_skew)
        except sigv4.AuthError as e:
            raise ApiError(e.kind, e.message)
        req.signing_region = auth["region"]
        return cred

    def _inject_faults(self, req):
        write = svc.is_write(req.service, req.operation)
        if self.faults.throttled(write):
            raise ApiError(THROTTLE_TYPES[req.service], "Rate exceeded",
                           status=429)
        rule = self.faults.rule_for(req.service, req.operation)
        if rule is not None and rule.concurrent_write:
            grant = self.state.grants.get((req.params or {}).get("GrantArn"))
            if grant is not None:
                grant.bump()
            return
        if rule is not None:
            raise ApiError(rule.type or self._default_type(req.service,
                                                           rule.status),
                           rule.message or "Injected failure (fail rule)",
                           status=rule.status,
                           extra={"__raw_body": rule.body})
        if self.faults.random_failure():
            raise ApiError(INTERNAL_TYPES[req.service],
                           "Injected failure (fail_rate)", status=500)

    @staticmethod
    def _default_type(service, status):
        if status == 429:
            return THROTTLE_TYPES[service]
        if status >= 500:
            return INTERNAL_TYPES[service]
        return VALIDATION_TYPES[service]

    def _validated_params(self, req):
        validator = self.validators[req.service]
        try:
            if req.service == "sts":
                params = val.decode_query_params(validator, req.operation,
                                                 req.params)
            else:
                params = req.params
            validator.validate(req.operation, params)
            params = val.strip_nulls(params)
        except val.InputInvalid as e:
            extra = {"Reason": e.reason} if req.service == "organizations" \
                and e.reason != "UNKNOWN" else {}
            raise ApiError(VALIDATION_TYPES[req.service], e.message,
                           extra=extra)
        return params

    # -- answers and the call log -----------------------------------------------

    def _finish(self, req, err, result, drop=False):
        request_id = str(uuid.uuid4())
        if err is not None:
            response = self._error_response(req, err, request_id)
        elif req.protocol == "query":
            response = Response(200, sts_xml(req.operation, result,
                                             request_id), "text/xml")
        else:
            response = Response(200, json.dumps(result).encode())
        response.request_id = request_id
        response.drop = drop
        self._record(req, response, err)
        return response

    def _error_response(self, req, err, request_id):
        raw = err.extra.get("__raw_body")
        if raw is not None:
            ctype = "text/xml" if req.protocol == "query" else \
                JSON_CONTENT_TYPE
            return Response(err.status, raw.encode("utf-8"), ctype)
        if req.protocol == "query":
            return Response(err.status, sts_error_xml(err, request_id),
                            "text/xml")
        key = "message" if req.service != "organizations" or \
            err.type in GATEWAY_ERRORS else "Message"
        body = {"__type": err.type, key: err.message}
        body.update({k: v for k, v in err.extra.items()
                     if not k.startswith("__")})
        return Response(err.status, json.dumps(body).encode())

    def _record(self, req, response, err):
        """Append to the call log; the caller holds the lock."""
        self.call_seq += 1
        self.calls.append({
            "seq": self.call_seq, "time": time.time(),
            "request_id": response.request_id,
            "service": req.service, "operation": req.operation,
            "access_key_id": req.access_key_id,
            "region": req.signing_region,
            "status": None if response.drop else response.status,
            "error": err.type if err else None,
            "write": svc.is_write(req.service, req.operation),
            "dropped": response.drop,
            "request": redact(req.params),
        })
        self.log("%s %s key=%s status=%s error=%s%s" % (
            req.service, req.operation, req.access_key_id, response.status,
            err.type if err else "-", " DROPPED" if response.drop else ""))

    # -- admin API ---------------------------------------------------------

    def handle_admin(self, method, path, body):
        """Returns (status, JSON-able body)."""
        route = ADMIN_ROUTES.get((method, path))
        if route is None:
            known = {p for _, p in ADMIN_ROUTES}
            return (405 if path in known else 404), {
                "error": "no admin route %s %s" % (method, path)}
        try:
            payload = json.loads(body.decode("utf-8")) if body.strip() else {}
        except ValueError as e:
            return 400, {"error": "invalid JSON: %s" % e}
        with self.lock:
            self.state.tick()
            try:
                return 200, route(self, payload)
            except (ApiError, st.FixtureError, flt.ConfigError, KeyError,
                    TypeError, ValueError) as e:
                return 400, {"error": getattr(e, "message", None) or
                             "%s: %s" % (type(e).__name__, e)}

    def admin_state(self, payload):
        out = self.state.dump()
        out["config"] = self.config.as_dict()
        out["region"] = self.region
        out["now"] = time.time()
        return out

    def admin_calls(self, payload):
        return list(self.calls)

    def admin_calls_reset(self, payload):
        cleared = len(self.calls)
        self.calls = []
        return {"cleared": cleared}

    def admin_advance(self, payload):
        return {"completed": self.state.tick(force=True)}

    def admin_config(self, payload):
        self.config.update(payload)
        self.faults.reset_buckets()
        return self.config.as_dict()

    def admin_grant_set(self, payload):
        grant = self.state.grants.get(payload["arn"])
        if grant is None:
            raise ApiError("NotFound", "unknown grant %s" % payload["arn"])
        if "status" in payload:
            if payload["status"] not in st.GRANT_STATUSES:
                raise ApiError("BadStatus", "bad status %r" % payload["status"])
            # A raw poke: no workflow, no sub-grant side effects.
            self.state.cancel_workflow(grant)
            grant.status = payload["status"]
        if "version" in payload:
            grant.version = str(int(payload["version"]))
        if payload.get("bump_version"):
            grant.bump()
        if "operations" in payload:
            grant.operations = list(payload["operations"])
        return grant.dump()

    def admin_grant_add(self, payload):
        return self.state.add_fixture_grant(payload).dump()

    def admin_subscription_add(self, payload):
        return dict(self.state.add_subscription(payload))

    def admin_workflow_fail(self, payload):
        principal = payload.get("principal")
        unknown = set(payload) - {"principal", "status_reason", "clear"}
        if unknown:
            raise ApiError("BadKey", "unknown keys: %s" % sorted(unknown))
        if not isinstance(principal, str) or not principal:
            raise ApiError("BadPrincipal", "principal must be an ARN string")
        if payload.get("clear"):
            self.state.set_workflow_failure(principal, None)
            return {"principal": principal, "status_reason": None}
        reason = payload.get("status_reason")
        if not isinstance(reason, str) or not reason:
            raise ApiError("BadReason", "status_reason must be a non-empty "
                                        "string (or give clear: true)")
        self.state.set_workflow_failure(principal, reason)
        return {"principal": principal, "status_reason": reason}

    def admin_license_set(self, payload):
        lic = self.state.licenses.get(payload.get("arn"))
        if lic is None:
            raise ApiError("NotFound", "unknown license %r" %
                           payload.get("arn"))
        keys = ("status", "home_region", "allowed_operations")
        unknown = set(payload) - {"arn"} - set(keys)
        if unknown:
            raise ApiError("BadKey", "cannot set license.%s" %
                           sorted(unknown)[0])
        changed = dict(lic, **{k: payload[k] for k in keys if k in payload})
        st.State.check_license(changed, st.admin_error)
        lic.update(changed)
        return dict(lic)

    def admin_account_move(self, payload):
        self.state.move_account(payload["account"], payload["parent"])
        return dict(self.state.accounts[payload["account"]])

    def admin_account_add(self, payload):
        for key in payload:
            if key not in ("account", "parent", "name"):
                raise ApiError("BadKey", "cannot set account.%s" % key)
        self.state.join_account(payload.get("account"), payload.get("parent"),
                                payload.get("name"))
        return dict(self.state.accounts[payload["account"]])

    def admin_account_set(self, payload):
        acct = self.state.accounts.get(payload.get("account"))
        if acct is None:
            raise ApiError("NotFound", "unknown account %r" %
                           payload.get("account"))
        for key in payload:
            if key not in ("account", "requires_accept", "name", "email"):
                raise ApiError("BadKey", "cannot set account.%s" % key)
        if "requires_accept" in payload:
            acct["requires_accept"] = bool(payload["requires_accept"])
        for key in ("name", "email"):
            if key in payload:
                acct[key] = str(payload[key])
        return dict(acct)

    def admin_org_set(self, payload):
        org = self.state.org
        for key in payload:
            if key not in ("trusted_access", "trusted_access_marketplace",
                           "feature_set"):
                raise ApiError("BadKey", "cannot set organization.%s" % key)
        org.update(payload)
        return dict(org)

    def admin_credentials_expire(self, payload):
        key = payload.get("access_key_id")
        hit = [c for c in self.state.credentials.values()
               if c.temporary and (key is None or c.access_key_id == key)]
        if key is not None and not hit:
            raise ApiError("NotFound", "no temporary credential %s" % key)
        for cred in hit:
            cred.force_expired = True
        return {"expired": [c.access_key_id for c in hit]}

    def admin_reset(self, payload):
        """Back to the fixture, an empty call log and (unless keep_config)
        the start-up configuration."""
        if not payload.get("keep_config"):
            self.config.__init__(**self.initial_config)
            self.faults.reset_buckets()
        self.state = st.State(self.fixture, self.config, self.seed)
        self.calls = []
        return {"ok": True}

    def admin_ready(self, payload):
        return {"ok": True, "port": self.port}

    def admin_shutdown(self, payload):
        # The handler shuts the server down after this answer is sent.
        self.shutdown_requested = True
        return {"ok": True}


ADMIN_ROUTES = {
    ("GET", "/_emu/state"): Emulator.admin_state,
    ("GET", "/_emu/calls"): Emulator.admin_calls,
    ("GET", "/_emu/ready"): Emulator.admin_ready,
    ("POST", "/_emu/calls/reset"): Emulator.admin_calls_reset,
    ("POST", "/_emu/advance"): Emulator.admin_advance,
    ("POST", "/_emu/config"): Emulator.admin_config,
    ("POST", "/_emu/grant/set"): Emulator.admin_grant_set,
    ("POST", "/_emu/grant/add"): Emulator.admin_grant_add,
    ("POST", "/_emu/account/move"): Emulator.admin_account_move,
    ("POST", "/_emu/account/add"): Emulator.admin_account_add,
    ("POST", "/_emu/account/set"): Emulator.admin_account_set,
    ("POST", "/_emu/org/set"): Emulator.admin_org_set,
    ("POST", "/_emu/subscription/add"): Emulator.admin_subscription_add,
    ("POST", "/_emu/workflow/fail"): Emulator.admin_workflow_fail,
    ("POST", "/_emu/license/set"): Emulator.admin_license_set,
    ("POST", "/_emu/credentials/expire"): Emulator.admin_credentials_expire,
    ("POST", "/_emu/reset"): Emulator.admin_reset,
    ("POST", "/_emu/shutdown"): Emulator.admin_shutdown,
}

SECRET_WORDS = ("secret", "password", "sessiontoken", "tokencode",
                "webidentitytoken")


def redact(value):
    """Copy of a request body for the call log, without anything secret."""
    if isinstance(value, dict):
        return {k: ("***" if any(w in k.lower() for w in SECRET_WORDS)
                    else redact(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


# --------------------------------------------------------------------------
# STS XML
# --------------------------------------------------------------------------

def _xml_value(value):
    if isinstance(value, dict):
        return "".join("<%s>%s</%s>" % (k, _xml_value(v), k)
                       for k, v in value.items())
    if isinstance(value, list):
        return "".join("<member>%s</member>" % _xml_value(v) for v in value)
    return escape(str(value))


def sts_xml(operation, result, request_id):
    return ('<%sResponse xmlns="%s"><%sResult>%s</%sResult>'
            '<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata>'
            '</%sResponse>' % (operation, STS_NAMESPACE, operation,
                               _xml_value(result), operation, request_id,
                               operation)).encode("utf-8")


def sts_error_xml(err, request_id):
    code = STS_CODES.get(err.type, err.type)
    kind = "Receiver" if err.status >= 500 else "Sender"
    return ('<ErrorResponse xmlns="%s"><Error><Type>%s</Type><Code>%s</Code>'
            '<Message>%s</Message></Error><RequestId>%s</RequestId>'
            '</ErrorResponse>' % (STS_NAMESPACE, kind, escape(code),
                                  escape(err.message), request_id)
            ).encode("utf-8")


# --------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, keep-alive
    # clients would wait for a delayed ACK (~40 ms) on every call.
    disable_nagle_algorithm = True
    # Idle keep-alive connections are closed after this many seconds, so
    # abandoned clients do not pin threads forever.
    timeout = 300

    def version_string(self):
        return "aws-emulator"

    def _serve(self):
        emulator = self.server.emulator
        body = self._read_body()
        if body is None:
            return
        raw_path, _, raw_query = self.path.partition("?")
        if raw_path.startswith("/_emu/"):
            status, payload = emulator.handle_admin(self.command, raw_path,
                                                    body)
            self._send(Response(status, json.dumps(payload).encode(),
                                "application/json"), str(uuid.uuid4()))
            if emulator.shutdown_requested:
                self.close_connection = True
                emulator.request_shutdown()
            return
        req = Request(self.command, raw_path, raw_query,
                      list(self.headers.items()), body)
        try:
            response = emulator.handle_aws(req)
        except Exception:  # noqa: BLE001 - an emulator bug, made visible
            traceback.print_exc()
            response = Response(500, json.dumps({
                "__type": "EmulatorBug",
                "message": "unexpected emulator error (traceback on the "
                           "emulator's stderr)"}).encode())
            response.request_id = str(uuid.uuid4())
        if response.drop:
            # The write is committed; the client never hears about it.
            self.close_connection = True
            return
        self._send(response, response.request_id)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

    def _read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self._read_chunked()
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self.close_connection = True
            self._send(Response(400, json.dumps({
                "__type": "SerializationException",
                "message": "Invalid Content-Length"}).encode()),
                str(uuid.uuid4()))
            return None
        return self.rfile.read(length) if length > 0 else b""

    def _read_chunked(self):
        data = b""
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip(), 16)
            if size == 0:
                while self.rfile.readline().strip():
                    pass
                return data
            data += self.rfile.read(size)
            self.rfile.readline()

    def _send(self, response, request_id):
        self.send_response(response.status)
        self.send_header("x-amzn-RequestId", request_id)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        self.wfile.write(response.body)

    def log_message(self, fmt, *args):
        pass    # the emulator logs AWS calls itself (--log)


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------

def load_fixture(path):
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


def write_port_file(path, port):
    """Atomically: readers never see a half-written file."""
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w") as fh:
        fh.write("%d\n" % port)
    os.replace(tmp, path)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--fixture", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file")
    p.add_argument("--region", default="us-east-1")
    # Unset options leave the fixture's "config" (or the default) alone.
    p.add_argument("--page-size", type=int)
    p.add_argument("--workflow-delay", type=float)
    p.add_argument("--throttle-rps", type=float)
    p.add_argument("--throttle-burst", type=int)
    p.add_argument("--throttle-write-rps", type=float)
    p.add_argument("--fail-rate", type=float)
    p.add_argument("--drop-rate", type=float)
    p.add_argument("--latency-ms", type=float)
    p.add_argument("--grant-limit", type=int)
    p.add_argument("--seed", type=int)
    p.add_argument("--max-skew", type=float)
    p.add_argument("--log")
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    config = {"page_size": args.page_size,
              "workflow_delay": args.workflow_delay,
              "throttle_rps": args.throttle_rps,
              "throttle_burst": args.throttle_burst,
              "throttle_write_rps": args.throttle_write_rps,
              "fail_rate": args.fail_rate, "drop_rate": args.drop_rate,
              "latency_ms": args.latency_ms, "grant_limit": args.grant_limit,
              "max_skew": args.max_skew}
    config = {k: v for k, v in config.items() if v is not None}
    try:
        emulator = Emulator(load_fixture(args.fixture), region=args.region,
                            seed=args.seed, log_path=args.log, **config)
        port = emulator.bind(args.port)
    except (OSError, ValueError, KeyError, st.FixtureError) as e:
        print("aws-emulator: %s" % e, file=sys.stderr)
        return 2
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: emulator.request_shutdown())
    if args.port_file:
        write_port_file(args.port_file, port)
    print("aws-emulator listening on 127.0.0.1:%d" % port, file=sys.stderr,
          flush=True)
    emulator.log("listening on 127.0.0.1:%d" % port)
    emulator.httpd.serve_forever(poll_interval=0.1)
    emulator.httpd.server_close()
    emulator.log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
