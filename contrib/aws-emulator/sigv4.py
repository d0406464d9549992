"""AWS Signature Version 4 (header form) for the test emulator.

Two layers:
  * pure functions that build the canonical request, the string to sign and
    the signature, exactly as the AWS spec describes them; these are checked
    against AWS's published vectors in tests/test_sigv4_vectors.py;
  * verify_request(), which the server calls on every AWS request and which
    also enforces the emulator's policy (scope, required signed headers,
    clock skew, credential lookup, session tokens).

Secrets never leave this module: errors name the access key id at most.
"""

import datetime
import hashlib
import hmac
import re
import urllib.parse

ALGORITHM = "AWS4-HMAC-SHA256"
AMZ_DATE_RE = re.compile(r"^(\d{8})T(\d{6})Z$")
SIGNATURE_RE = re.compile(r"^[0-9a-f]{64}$")
REGION_RE = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")


class AuthError(Exception):
    """A request failed authentication.  `kind` is the JSON error type; the
    server maps it to the query-protocol (STS) code where needed."""

    def __init__(self, kind, message, access_key_id=None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.access_key_id = access_key_id


# --------------------------------------------------------------------------
# Canonical request pieces
# --------------------------------------------------------------------------

def sha256_hex(data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def _quote(text, safe):
    # urllib.parse.quote keeps A-Z a-z 0-9 and "_.-~" unencoded and writes
    # upper-case hex, which is exactly the SigV4 "URI encode" rule.
    return urllib.parse.quote(text, safe=safe)


def normalize_path(raw_path):
    """Remove dot segments and empty segments (RFC 3986 style, non-S3).

    A trailing slash survives unless the whole path collapses to "/"."""
    if not raw_path:
        return "/"
    segments = []
    for seg in raw_path.split("/"):
        if seg in ("", "."):
            continue
        if seg == "..":
            if segments:
                segments.pop()
            continue
        segments.append(seg)
    path = "/" + "/".join(segments)
    if raw_path.endswith("/") and segments:
        path += "/"
    return path


def canonical_uri(raw_path):
    """Canonical URI of the path exactly as it came on the request line.

    Non-S3 services encode the (already wire-encoded) path once more, so a
    "%" on the wire becomes "%25" here; raw characters (as in the AWS
    vectors) are encoded once.  This matches botocore's signer."""
    return _quote(normalize_path(raw_path), safe="/")


def canonical_query(raw_query):
    """Sorted, re-encoded query string ("" when there is none)."""
    if not raw_query:
        return ""
    pairs = []
    for part in raw_query.split("&"):
        if part == "":
            continue
        key, _, value = part.partition("=")
        # Decode whatever the client encoded, then encode canonically, so
        # raw UTF-8 and percent-encoded input give the same result.
        key = _quote(urllib.parse.unquote(key), safe="")
        value = _quote(urllib.parse.unquote(value), safe="")
        pairs.append((key, value))
    pairs.sort()
    return "&".join("%s=%s" % kv for kv in pairs)


def canonical_header_value(values):
    """Trim each value, collapse inner whitespace runs (this also unfolds
    obsolete multi-line headers), join repeated headers with ","."""
    return ",".join(" ".join(v.split()) for v in values)


def group_headers(header_items):
    """[(name, value), ...] in wire order -> {lower name: [values...]}"""
    grouped = {}
    for name, value in header_items:
        grouped.setdefault(name.strip().lower(), []).append(value)
    return grouped


def canonical_request(method, raw_path, raw_query, header_items,
                      signed_headers, payload_hash):
    grouped = group_headers(header_items)
    lines = [method.upper(), canonical_uri(raw_path), canonical_query(raw_query)]
    header_block = "".join(
        "%s:%s\n" % (name, canonical_header_value(grouped.get(name, [])))
        for name in signed_headers)
    return "\n".join(lines) + "\n" + header_block + "\n" + \
        ";".join(signed_headers) + "\n" + payload_hash


def credential_scope(date, region, service):
    return "%s/%s/%s/aws4_request" % (date, region, service)


def string_to_sign(amz_date, scope, creq):
    return "\n".join([ALGORITHM, amz_date, scope, sha256_hex(creq)])


def signing_key(secret, date, region, service):
    def _hmac(key, msg):
        return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()
    k = _hmac(("AWS4" + secret).encode("utf-8"), date)
    k = _hmac(k, region)
    k = _hmac(k, service)
    return _hmac(k, "aws4_request")


def signature(secret, date, region, service, sts):
    key = signing_key(secret, date, region, service)
    return hmac.new(key, sts.encode("utf-8"), hashlib.sha256).hexdigest()


# --------------------------------------------------------------------------
# Authorization header
# --------------------------------------------------------------------------

def parse_authorization(value):
    """Parse 'AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...'.

    Returns a dict with access_key_id, date, region, service, terminator,
    signed_headers (list) and signature.  Raises AuthError
    (IncompleteSignatureException) when the header is malformed."""
    value = value.strip()
    algorithm, _, rest = value.partition(" ")
    if algorithm != ALGORITHM:
        raise AuthError("IncompleteSignatureException",
                        "Unsupported AWS 'algorithm': '%s'" % algorithm)
    params = {}
    for item in rest.split(","):
        item = item.strip()
        if not item:
            continue
        name, eq, val = item.partition("=")
        if not eq or name in params:
            raise AuthError("IncompleteSignatureException",
                            "Authorization header requires each component "
                            "'Name=Value' exactly once: '%s'" % item)
        params[name] = val
    missing = [p for p in ("Credential", "SignedHeaders", "Signature")
               if p not in params]
    if missing:
        raise AuthError("IncompleteSignatureException", " ".join(
            "Authorization header requires '%s' parameter." % p
            for p in missing))
    cred = params["Credential"].split("/")
    if len(cred) != 5 or cred[4] != "aws4_request" or not cred[0]:
        raise AuthError("IncompleteSignatureException",
                        "Credential should be of the form "
                        "'<key>/<YYYYMMDD>/<region>/<service>/aws4_request'.")
    signed = params["SignedHeaders"].split(";")
    if not all(signed) or signed != sorted(set(signed)) or \
            any(h != h.lower() for h in signed):
        raise AuthError("IncompleteSignatureException",
                        "SignedHeaders must be lower-case, sorted and "
                        "without duplicates: '%s'" % params["SignedHeaders"],
                        cred[0])
    if not SIGNATURE_RE.match(params["Signature"]):
        raise AuthError("IncompleteSignatureException",
                        "Signature must be 64 lower-case hex digits.", cred[0])
    return {
        "access_key_id": cred[0], "date": cred[1], "region": cred[2],
        "service": cred[3], "signed_headers": signed,
        "signature": params["Signature"],
    }


def access_key_from_header(value):
    """Best effort: the access key id named in an Authorization header, for
    the call log of requests that fail before full parsing."""
    m = re.search(r"Credential=([^/,\s]+)/", value or "")
    return m.group(1) if m else None


# --------------------------------------------------------------------------
# Verification with the emulator's policy
# --------------------------------------------------------------------------

def _fmt(ts):
    return ts.strftime("%Y%m%dT%H%M%SZ")


def check_skew(amz_date, now, max_skew):
    """Reject a request whose X-Amz-Date is too far from `now` (aware UTC)."""
    when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(
        tzinfo=datetime.timezone.utc)
    delta = datetime.timedelta(seconds=max_skew)
    minutes = int(max_skew // 60)
    if when < now - delta:
        raise AuthError("InvalidSignatureException",
                        "Signature expired: %s is now earlier than %s "
                        "(%s - %d min.)" % (amz_date, _fmt(now - delta),
                                            _fmt(now), minutes))
    if when > now + delta:
        raise AuthError("InvalidSignatureException",
                        "Signature not yet current: %s is still later than "
                        "%s (%s + %d min.)" % (amz_date, _fmt(now + delta),
                                               _fmt(now), minutes))


def verify_request(method, raw_path, raw_query, header_items, body, *,
                   service, region_check, lookup, required_signed=(),
                   now=None, max_skew=900):
    """Authenticate one request.

    service:        the scope service the target API needs.
    region_check:   callable(region) -> error message or None.
    lookup:         callable(access_key_id) -> credential object or None; the
                    object has .secret, .session_token (None for long-term
                    keys) and .expired(now) -> bool.
    required_signed: header names (lower case) that must be signed besides
                    host and x-amz-date.
    now:            aware UTC datetime; None disables the skew and expiry
                    checks (fixed-date vectors).
    max_skew:       allowed |now - X-Amz-Date| in seconds; None: no check.

    Returns (credential, parsed authorization).  Raises AuthError."""
    grouped = group_headers(header_items)
    auth_values = grouped.get("authorization")
    if not auth_values:
        raise AuthError("MissingAuthenticationTokenException",
                        "Missing Authentication Token")
    if len(auth_values) > 1:
        raise AuthError("IncompleteSignatureException",
                        "Only one Authorization header is allowed.")
    auth = parse_authorization(auth_values[0])
    key_id = auth["access_key_id"]

    amz_dates = grouped.get("x-amz-date")
    if not amz_dates or len(amz_dates) != 1 or \
            not AMZ_DATE_RE.match(amz_dates[0].strip()):
        raise AuthError("IncompleteSignatureException",
                        "Authorization header requires existence of a valid "
                        "'X-Amz-Date' header (YYYYMMDD'T'HHMMSS'Z').", key_id)
    amz_date = amz_dates[0].strip()

    _check_signed_headers(auth, grouped, required_signed, key_id)
    _check_scope(auth, amz_date, service, region_check, key_id)
    if now is not None and max_skew is not None:
        check_skew(amz_date, now, max_skew)

    cred = lookup(key_id)
    if cred is None:
        raise AuthError("UnrecognizedClientException",
                        "The security token included in the request is "
                        "invalid.", key_id)

    creq = canonical_request(method, raw_path, raw_query, header_items,
                             auth["signed_headers"], sha256_hex(body))
    scope = credential_scope(auth["date"], auth["region"], auth["service"])
    expected = signature(cred.secret, auth["date"], auth["region"],
                         auth["service"], string_to_sign(amz_date, scope, creq))
    if not hmac.compare_digest(expected, auth["signature"]):
        raise AuthError("InvalidSignatureException",
                        "The request signature we calculated does not match "
                        "the signature you provided. Check your AWS Secret "
                        "Access Key and signing method. Consult the service "
                        "documentation for details.", key_id)

    _check_session_token(cred, grouped, key_id, now)
    return cred, auth


def _check_signed_headers(auth, grouped, required_signed, key_id):
    signed = set(auth["signed_headers"])
    needed = ["host", "x-amz-date"] + list(required_signed)
    if "x-amz-security-token" in grouped:
        # A token that is not signed could be swapped by anyone on the path.
        needed.append("x-amz-security-token")
    for name in needed:
        if name not in signed:
            raise AuthError("IncompleteSignatureException",
                            "'%s' must be a 'SignedHeader' in the AWS "
                            "Authorization." % name, key_id)
    for name in auth["signed_headers"]:
        if name not in grouped:
            raise AuthError("IncompleteSignatureException",
                            "Signed header '%s' is not present in the "
                            "request." % name, key_id)


def _check_scope(auth, amz_date, service, region_check, key_id):
    if auth["date"] != amz_date[:8]:
        raise AuthError("InvalidSignatureException",
                        "Date in Credential scope does not match YYYYMMDD "
                        "from ISO-8601 version of date from HTTP: '%s' != "
                        "'%s', from '%s'." % (auth["date"], amz_date[:8],
                                              amz_date), key_id)
    if auth["service"] != service:
        raise AuthError("InvalidSignatureException",
                        "Credential should be scoped to correct service: "
                        "'%s'. " % service, key_id)
    problem = region_check(auth["region"])
    if problem:
        raise AuthError("InvalidSignatureException", problem, key_id)


def _check_session_token(cred, grouped, key_id, now):
    tokens = grouped.get("x-amz-security-token")
    if cred.session_token is None:
        if tokens:
            raise AuthError("UnrecognizedClientException",
                            "The security token included in the request is "
                            "invalid.", key_id)
        return
    if not tokens or len(tokens) != 1 or not hmac.compare_digest(
            tokens[0].strip().encode(), cred.session_token.encode()):
        raise AuthError("UnrecognizedClientException",
                        "The security token included in the request is "
                        "invalid.", key_id)
    if now is not None and cred.expired(now):
        raise AuthError("ExpiredTokenException",
                        "The security token included in the request is "
                        "expired", key_id)


# --------------------------------------------------------------------------
# Signing (used by tests that need hand-made requests)
# --------------------------------------------------------------------------

def sign_headers(method, raw_path, raw_query, header_items, body, *,
                 access_key_id, secret, region, service, amz_date,
                 session_token=None):
    """Return header_items plus X-Amz-Date/token/Authorization, signing all
    headers given.  Only for tests and tools; the server never signs."""
    items = list(header_items) + [("X-Amz-Date", amz_date)]
    if session_token:
        items.append(("X-Amz-Security-Token", session_token))
    signed = sorted({n.lower() for n, _ in items})
    creq = canonical_request(method, raw_path, raw_query, items, signed,
                             sha256_hex(body))
    scope = credential_scope(amz_date[:8], region, service)
    sig = signature(secret, amz_date[:8], region, service,
                    string_to_sign(amz_date, scope, creq))
    items.append(("Authorization", "%s Credential=%s/%s, SignedHeaders=%s, "
                  "Signature=%s" % (ALGORITHM, access_key_id, scope,
                                    ";".join(signed), sig)))
    return items
