"""The SigV4 verifier against AWS's published vectors and the
lmgrantd-shaped ones in tests/data (see tests/data/README.md)."""

import datetime
import glob
import os
import unittest

from tests import helpers
import sigv4

SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
# The suite's get-vanilla-with-session-token .req lacks the token the signer
# must add (see the suite README).
SUITE_TOKEN = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"
LM_TOKEN = "IQoJb3JpZ2luX2VjEXAMPLETOKEN//////////wEaCXVzLWVhc3QtMSJHMEUCIQ"
# post-sts-header-after adds its token only after signing.
STS_AFTER_TOKEN = ("AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4F"
                   "ZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/"
                   "qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQD"
                   "YwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT3"
                   "8xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KS"
                   "YvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==")

TESTDATA = helpers.TESTDATA
SUITE_DIR = os.path.join(TESTDATA, "aws-sigv4-testsuite")
LM_DIR = os.path.join(TESTDATA, "sigv4-license-manager")


def read(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return fh.read()


def parse_req(text):
    """Parse a vector .req: request line, headers (with folded
    continuation lines), blank line, body."""
    head, _, body = text.partition("\n\n")
    lines = head.split("\n")
    method, rest = lines[0].split(" ", 1)
    target = rest.rsplit(" ", 1)[0]          # the path may contain spaces
    headers = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and headers:
            name, value = headers[-1]
            headers[-1] = (name, value + "\n" + line)
        elif line:
            name, _, value = line.partition(":")
            headers.append((name, value))
    path, _, query = target.partition("?")
    return method, path, query, headers, body.encode("utf-8")


class Cred:
    def __init__(self, secret, token=None):
        self.secret = secret
        self.session_token = token

    def expired(self, now):
        return False


def vector_cases(directory):
    return sorted(glob.glob(os.path.join(directory, "**", "*.req"),
                            recursive=True))


class SigV4Vectors(unittest.TestCase):

    def check_case(self, req_path, extra_headers=(), token=None):
        stem = req_path[:-4]
        method, path, query, headers, body = parse_req(read(req_path))
        headers += list(extra_headers)
        authz = read(stem + ".authz")
        auth = sigv4.parse_authorization(authz)
        amz_date = [v for n, v in headers if n.lower() == "x-amz-date"][0]

        creq = sigv4.canonical_request(method, path, query, headers,
                                       auth["signed_headers"],
                                       sigv4.sha256_hex(body))
        self.assertEqual(creq, read(stem + ".creq"))
        scope = sigv4.credential_scope(auth["date"], auth["region"],
                                       auth["service"])
        sts = sigv4.string_to_sign(amz_date, scope, creq)
        self.assertEqual(sts, read(stem + ".sts"))
        self.assertEqual(sigv4.signature(SECRET, auth["date"], auth["region"],
                                         auth["service"], sts),
                         auth["signature"])

        # And through the full verifier (fixed date: skew check off).
        full = headers + [("Authorization", authz)]
        cred, _ = sigv4.verify_request(
            method, path, query, full, body, service=auth["service"],
            region_check=lambda r: None,
            lookup=lambda k: Cred(SECRET, token) if k == "AKIDEXAMPLE"
            else None, now=None)
        self.assertEqual(cred.secret, SECRET)

        # A wrong secret must fail.
        with self.assertRaises(sigv4.AuthError) as cm:
            sigv4.verify_request(
                method, path, query, full, body, service=auth["service"],
                region_check=lambda r: None,
                lookup=lambda k: Cred(SECRET + "x", token), now=None)
        self.assertEqual(cm.exception.kind, "InvalidSignatureException")

    def test_aws_suite(self):
        cases = vector_cases(SUITE_DIR)
        self.assertEqual(len(cases), 34)
        for req_path in cases:
            name = os.path.basename(req_path)[:-4]
            with self.subTest(case=name):
                if name == "get-vanilla-with-session-token":
                    self.check_case(req_path, [("X-Amz-Security-Token",
                                                SUITE_TOKEN)], SUITE_TOKEN)
                elif name == "post-sts-header-before":
                    token = [l.split(":", 1)[1] for l in
                             read(req_path).split("\n")
                             if l.lower().startswith("x-amz-security-token")]
                    self.check_case(req_path, token=token[0])
                else:
                    self.check_case(req_path)

    def test_sts_header_after_is_rejected_by_policy(self):
        # Canonically valid, but the emulator insists a present token is
        # signed: an unsigned token could be swapped in transit.
        req_path = os.path.join(SUITE_DIR, "post-sts-token",
                                "post-sts-header-after",
                                "post-sts-header-after.req")
        self.check_case(req_path)
        method, path, query, headers, body = parse_req(read(req_path))
        headers += [("X-Amz-Security-Token", STS_AFTER_TOKEN),
                    ("Authorization", read(req_path[:-4] + ".authz"))]
        with self.assertRaises(sigv4.AuthError) as cm:
            sigv4.verify_request(
                method, path, query, headers, body, service="service",
                region_check=lambda r: None,
                lookup=lambda k: Cred(SECRET, STS_AFTER_TOKEN), now=None)
        self.assertEqual(cm.exception.kind, "IncompleteSignatureException")

    def test_license_manager_vectors(self):
        cases = vector_cases(LM_DIR)
        self.assertEqual(len(cases), 3)
        for req_path in cases:
            name = os.path.basename(req_path)[:-4]
            with self.subTest(case=name):
                self.check_case(req_path, token=LM_TOKEN
                                if "session-token" in name else None)

    def test_license_manager_vectors_with_emulator_policy(self):
        """The lmgrantd-shaped vectors pass the emulator's own checks
        (required signed headers, scope) at their fixed time."""
        for req_path in vector_cases(LM_DIR):
            method, path, query, headers, body = parse_req(read(req_path))
            headers.append(("Authorization", read(req_path[:-4] + ".authz")))
            service = "organizations" if "organizations" in req_path \
                else "license-manager"
            token = LM_TOKEN if "session-token" in req_path else None
            fixed = datetime.datetime(2026, 11, 23, 12, 0, 5,
                                      tzinfo=datetime.timezone.utc)
            sigv4.verify_request(
                method, path, query, headers, body, service=service,
                region_check=lambda r: None if r == "us-east-1" else "bad",
                lookup=lambda k: Cred(SECRET, token),
                required_signed=("content-type", "x-amz-target"),
                now=fixed, max_skew=900)
            with self.assertRaises(sigv4.AuthError) as cm:
                sigv4.verify_request(
                    method, path, query, headers, body, service=service,
                    region_check=lambda r: None,
                    lookup=lambda k: Cred(SECRET, token),
                    now=fixed + datetime.timedelta(minutes=16), max_skew=900)
            self.assertIn("Signature expired", cm.exception.message)


class SigV4Units(unittest.TestCase):
    def test_path_normalisation(self):
        self.assertEqual(sigv4.canonical_uri("//a/./b/../c//"), "/a/c/")
        self.assertEqual(sigv4.canonical_uri("/a%20b"), "/a%2520b")
        self.assertEqual(sigv4.canonical_uri(""), "/")

    def test_query_sorting_and_encoding(self):
        self.assertEqual(sigv4.canonical_query("b=2&a=1&a=0&c"),
                         "a=0&a=1&b=2&c=")

    def test_malformed_authorization(self):
        for header in ("AWS4-HMAC-SHA1 Credential=a/b/c/d/aws4_request",
                       "AWS4-HMAC-SHA256 Credential=a/b/c/d/aws4_request",
                       "AWS4-HMAC-SHA256 Credential=a/b/c/aws4_request, "
                       "SignedHeaders=host, Signature=" + "0" * 64,
                       "AWS4-HMAC-SHA256 Credential=a/b/c/d/aws4_request, "
                       "SignedHeaders=x-amz-date;host, Signature=" + "0" * 64):
            with self.subTest(header=header):
                with self.assertRaises(sigv4.AuthError) as cm:
                    sigv4.parse_authorization(header)
                self.assertEqual(cm.exception.kind,
                                 "IncompleteSignatureException")


if __name__ == "__main__":
    unittest.main()
