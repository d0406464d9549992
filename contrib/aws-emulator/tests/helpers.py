"""Shared test plumbing: an in-process emulator per test class, boto3
clients pointed at it, raw signed requests and admin calls."""

import contextlib
import datetime
import functools
import http.client
import json
import os
import sys
import unittest

EMU_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO_ROOT = os.path.dirname(os.path.dirname(EMU_DIR))
if EMU_DIR not in sys.path:
    sys.path.insert(0, EMU_DIR)

# Never let a proxy setting route test traffic away from 127.0.0.1.
for _var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy",
             "ALL_PROXY", "all_proxy"):
    os.environ.pop(_var, None)
os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"
# Nor any local AWS profile or endpoint override.
for _var in list(os.environ):
    if _var.startswith("AWS_") and _var != "AWS_CA_BUNDLE":
        os.environ.pop(_var)
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull

import boto3                      # noqa: E402
import botocore.loaders           # noqa: E402
import botocore.session           # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

import emulator                   # noqa: E402
import sigv4                      # noqa: E402

DEMO_FIXTURE = os.path.join(EMU_DIR, "fixtures", "demo.json")
MODELS_DIR = os.path.join(EMU_DIR, "models")
TESTDATA = os.path.join(EMU_DIR, "tests", "data")
ADMIN_KEY = "AKIAEMULATORADMIN001"
ADMIN_SECRET = "emulatorSecretKey/ForTestsOnly0000000001"
MGMT = "111111111111"
ORG_ID = "o-exampleorg1"
SONNET_SKU = "prod-4pmewlybdftbs"
HAIKU_SKU = "prod-5oba7y7jpji56"
COHERE_SKU = "prod-tukx4z3hrewle"
ACTIVATOR_ROLE = "arn:aws:iam::%s:role/LicenseGrantActivator"
NO_RETRY = Config(retries={"total_max_attempts": 1, "mode": "standard"},
                  connect_timeout=5, read_timeout=15)
NO_RETRY_NO_VALIDATION = NO_RETRY.merge(Config(parameter_validation=False))


@functools.lru_cache(maxsize=None)
def boto_session():
    """One boto3 session whose botocore loader reads the emulator's own
    models (botocore's data layout) before botocore's built-in ones: the
    clients then speak the API the emulator validates against with any
    botocore, Debian 12's 1.29 included, whose older License Manager model
    lacks e.g. CreateGrant's Tags."""
    core = botocore.session.get_session()
    core.register_component(
        "data_loader", botocore.loaders.Loader(extra_search_paths=[MODELS_DIR]))
    return boto3.session.Session(botocore_session=core)


def load_demo():
    with open(DEMO_FIXTURE) as fh:
        return json.load(fh)


def ou_arn(ou_id):
    return "arn:aws:organizations::%s:ou/%s/%s" % (MGMT, ORG_ID, ou_id)


def org_arn():
    return "arn:aws:organizations::%s:organization/%s" % (MGMT, ORG_ID)


def acct_arn(account):
    return "arn:aws:iam::%s:root" % account


class EmulatorTestCase(unittest.TestCase):
    """Starts one in-process emulator for the class; every test begins from
    the fixture with an empty call log and the class's configuration."""

    fixture = None                 # None: demo.json
    options = {}                   # Emulator(**options)

    @classmethod
    def setUpClass(cls):
        fixture = cls.fixture if cls.fixture is not None else load_demo()
        cls.emu = emulator.Emulator(fixture, **cls.options).start()
        cls._clients = {}

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()

    def setUp(self):
        self.admin("POST", "/_emu/reset", {})

    # -- clients -------------------------------------------------------------

    def client(self, service, key=ADMIN_KEY, secret=ADMIN_SECRET, token=None,
               region="us-east-1", validate=True):
        cache_key = (service, key, secret, token, region, validate)
        if cache_key not in self._clients:
            self._clients[cache_key] = boto_session().client(
                service, region_name=region, endpoint_url=self.emu.url,
                aws_access_key_id=key, aws_secret_access_key=secret,
                aws_session_token=token,
                config=NO_RETRY if validate else NO_RETRY_NO_VALIDATION)
        return self._clients[cache_key]

    @property
    def lm(self):
        return self.client("license-manager")

    @property
    def orgs(self):
        return self.client("organizations")

    @property
    def sts(self):
        return self.client("sts")

    def assumed(self, account, service="license-manager"):
        """A client using credentials from AssumeRole into `account`."""
        creds = self.sts.assume_role(RoleArn=ACTIVATOR_ROLE % account,
                                     RoleSessionName="tests")["Credentials"]
        return self.client(service, key=creds["AccessKeyId"],
                           secret=creds["SecretAccessKey"],
                           token=creds["SessionToken"])

    # -- admin ---------------------------------------------------------------

    def admin(self, method, path, payload=None, expect=200):
        conn = http.client.HTTPConnection("127.0.0.1", self.emu.port,
                                          timeout=10)
        try:
            body = json.dumps(payload).encode() if payload is not None \
                else None
            conn.request(method, path, body=body)
            resp = conn.getresponse()
            data = json.loads(resp.read() or b"null")
        finally:
            conn.close()
        self.assertEqual(resp.status, expect, data)
        return data

    def config(self, **values):
        return self.admin("POST", "/_emu/config", values)

    def state(self):
        return self.admin("GET", "/_emu/state")

    def calls(self):
        return self.admin("GET", "/_emu/calls")

    def advance(self):
        return self.admin("POST", "/_emu/advance", {})

    # -- domain shortcuts ------------------------------------------------------

    def license_arn(self, sku=SONNET_SKU):
        for lic in self.state()["licenses"]:
            if lic["product_sku"] == sku:
                return lic["arn"]
        raise AssertionError("no license %s" % sku)

    def create_grant(self, principal, sku=SONNET_SKU, token=None, **extra):
        params = dict(ClientToken=token or os.urandom(8).hex(),
                      GrantName="lmgrantd:test", LicenseArn=self.license_arn(sku),
                      Principals=[principal], HomeRegion="us-east-1",
                      AllowedOperations=["CheckoutLicense", "CheckInLicense"])
        params.update(extra)
        return self.lm.create_grant(**params)

    def get_grant(self, arn, client=None):
        return (client or self.lm).get_grant(GrantArn=arn)["Grant"]

    def sub_grants(self, parent_arn, sku=SONNET_SKU):
        out, token = [], None
        while True:
            kw = {"LicenseArn": self.license_arn(sku),
                  "Filters": [{"Name": "ParentArn", "Values": [parent_arn]}]}
            if token:
                kw["NextToken"] = token
            page = self.lm.list_received_grants_for_organization(**kw)
            out.extend(page["Grants"])
            token = page.get("NextToken")
            if not token:
                return {g["GranteePrincipalArn"].split(":")[4]: g for g in out}

    def activate(self, arn, client=None, **extra):
        return (client or self.lm).create_grant_version(
            ClientToken=os.urandom(8).hex(), GrantArn=arn, Status="ACTIVE",
            **extra)

    # -- assertions ------------------------------------------------------------

    @contextlib.contextmanager
    def assertAwsError(self, error_type, status=None, contains=None):
        with self.assertRaises(ClientError) as cm:
            yield cm
        err = cm.exception.response["Error"]
        meta = cm.exception.response["ResponseMetadata"]
        self.assertEqual(err["Code"], error_type, cm.exception.response)
        if status is not None:
            self.assertEqual(meta["HTTPStatusCode"], status)
        if contains is not None:
            self.assertIn(contains, err.get("Message", ""))
        self.assertTrue(meta.get("RequestId"))

    # -- raw requests --------------------------------------------------------

    def raw(self, headers, body=b"", method="POST", path="/"):
        """Send exactly these headers and body; return (status, headers,
        parsed body or raw bytes)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.emu.port,
                                          timeout=10)
        try:
            conn.putrequest(method, path, skip_host=True,
                            skip_accept_encoding=True)
            for name, value in headers:
                conn.putheader(name, value)
            conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            resp = conn.getresponse()
            data = resp.read()
        finally:
            conn.close()
        try:
            parsed = json.loads(data)
        except ValueError:
            parsed = data
        return resp.status, dict(resp.getheaders()), parsed

    def signed_json(self, target, body, *, service="license-manager",
                    region="us-east-1", key=ADMIN_KEY, secret=ADMIN_SECRET,
                    amz_date=None, token=None, extra_headers=(),
                    content_type="application/x-amz-json-1.1",
                    unsigned=()):
        """A JSON 1.1 request signed by the emulator's own test signer;
        header names in `unsigned` are added after signing."""
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        amz_date = amz_date or datetime.datetime.now(
            datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        headers = [("Host", "127.0.0.1:%d" % self.emu.port),
                   ("Content-Type", content_type),
                   ("X-Amz-Target", target)] + list(extra_headers)
        signed = [h for h in headers if h[0].lower() not in unsigned]
        out = sigv4.sign_headers("POST", "/", "", signed, body,
                                 access_key_id=key, secret=secret,
                                 region=region, service=service,
                                 amz_date=amz_date, session_token=token)
        out += [h for h in headers if h[0].lower() in unsigned]
        return self.raw(out, body)
