"""SigV4 enforcement on live requests."""

import datetime
import unittest

from tests import helpers
from tests.helpers import ADMIN_KEY, ADMIN_SECRET

LDG = "AWSLicenseManager.ListDistributedGrants"


def now_utc():
    return datetime.datetime.now(datetime.timezone.utc)


class AuthTests(helpers.EmulatorTestCase):

    def test_valid_request_passes(self):
        self.assertEqual(self.lm.list_distributed_grants()["Grants"], [])

    def test_wrong_secret(self):
        lm = self.client("license-manager", secret=ADMIN_SECRET + "x")
        with self.assertAwsError("InvalidSignatureException", 400,
                                 "signature we calculated does not match"):
            lm.list_distributed_grants()
        sts = self.client("sts", secret=ADMIN_SECRET + "x")
        with self.assertAwsError("SignatureDoesNotMatch", 400):
            sts.get_caller_identity()

    def test_unknown_access_key(self):
        lm = self.client("license-manager", key="AKIAUNKNOWNKEY000000")
        with self.assertAwsError("UnrecognizedClientException", 400):
            lm.list_distributed_grants()
        sts = self.client("sts", key="AKIAUNKNOWNKEY000000")
        with self.assertAwsError("InvalidClientTokenId", 400):
            sts.get_caller_identity()

    def test_wrong_region_for_license_manager(self):
        lm = self.client("license-manager", region="eu-west-1")
        with self.assertAwsError("InvalidSignatureException",
                                 contains="scoped to a valid region"):
            lm.list_distributed_grants()

    def test_organizations_must_be_signed_for_us_east_1(self):
        orgs = self.client("organizations", region="eu-west-1")
        with self.assertAwsError("InvalidSignatureException",
                                 contains="us-east-1"):
            orgs.list_roots()

    def test_sts_accepts_any_region_looking_scope(self):
        sts = self.client("sts", region="eu-central-1")
        self.assertEqual(sts.get_caller_identity()["Account"], helpers.MGMT)
        status, _, body = self.raw_sts_with_region("not_a_region")
        self.assertEqual(status, 400)
        self.assertIn(b"<Code>SignatureDoesNotMatch</Code>", body)

    def raw_sts_with_region(self, region):
        import sigv4
        body = b"Action=GetCallerIdentity&Version=2011-06-15"
        headers = [("Host", "127.0.0.1:%d" % self.emu.port),
                   ("Content-Type",
                    "application/x-www-form-urlencoded; charset=utf-8")]
        headers = sigv4.sign_headers(
            "POST", "/", "", headers, body, access_key_id=ADMIN_KEY,
            secret=ADMIN_SECRET, region=region, service="sts",
            amz_date=now_utc().strftime("%Y%m%dT%H%M%SZ"))
        return self.raw(headers, body)

    def test_wrong_scope_service(self):
        status, headers, body = self.signed_json(LDG, {}, service="sts")
        self.assertEqual(status, 400)
        self.assertEqual(body["__type"], "InvalidSignatureException")
        self.assertIn("'license-manager'", body["message"])
        self.assertIn("x-amzn-RequestId", headers)

    def signed_at(self, minutes):
        """ListDistributedGrants signed (by the emulator's test signer, not
        by botocore, whose clock has no public hook) `minutes` from now."""
        when = now_utc() + datetime.timedelta(minutes=minutes)
        return self.signed_json(LDG, {},
                                amz_date=when.strftime("%Y%m%dT%H%M%SZ"))

    def test_clock_skew(self):
        for minutes, text in ((-16, "Signature expired"),
                              (16, "Signature not yet current")):
            with self.subTest(minutes=minutes):
                status, headers, body = self.signed_at(minutes)
                self.assertEqual(status, 400, body)
                self.assertEqual(body["__type"], "InvalidSignatureException")
                self.assertIn(text, body["message"])
        status, _, body = self.signed_at(-14)
        self.assertEqual(status, 200, body)

    def test_skew_limit_is_configurable(self):
        self.config(max_skew=60)
        status, _, body = self.signed_at(-2)
        self.assertEqual(status, 400, body)
        self.assertEqual(body["__type"], "InvalidSignatureException")
        status, _, body = self.signed_at(0)
        self.assertEqual(status, 200, body)

    def test_scope_date_must_match_x_amz_date(self):
        import sigv4
        amz_date = now_utc().strftime("%Y%m%dT%H%M%SZ")
        headers = [("Host", "127.0.0.1:%d" % self.emu.port),
                   ("Content-Type", "application/x-amz-json-1.1"),
                   ("X-Amz-Target", LDG)]
        signed = sigv4.sign_headers("POST", "/", "", headers, b"{}",
                                    access_key_id=ADMIN_KEY,
                                    secret=ADMIN_SECRET, region="us-east-1",
                                    service="license-manager",
                                    amz_date=amz_date)
        auth = dict(signed)["Authorization"].replace(
            "/%s/" % amz_date[:8], "/20200101/")
        signed = [(n, auth if n == "Authorization" else v) for n, v in signed]
        status, _, body = self.raw(signed, b"{}")
        self.assertEqual(body["__type"], "InvalidSignatureException")
        self.assertIn("Date in Credential scope", body["message"])

    def test_target_and_content_type_must_be_signed(self):
        for name in ("x-amz-target", "content-type"):
            with self.subTest(header=name):
                status, _, body = self.signed_json(LDG, {}, unsigned=(name,))
                self.assertEqual(status, 400)
                self.assertEqual(body["__type"],
                                 "IncompleteSignatureException")
                self.assertIn(name, body["message"])

    def test_missing_authorization(self):
        status, _, body = self.raw(
            [("Host", "127.0.0.1"),
             ("Content-Type", "application/x-amz-json-1.1"),
             ("X-Amz-Target", LDG)], b"{}")
        self.assertEqual(status, 400)
        self.assertEqual(body["__type"], "MissingAuthenticationTokenException")

    def test_session_token_with_long_term_key_rejected(self):
        status, _, body = self.signed_json(LDG, {}, token="bogus")
        self.assertEqual(body["__type"], "UnrecognizedClientException")

    def test_assumed_role_needs_its_session_token(self):
        creds = self.sts.assume_role(
            RoleArn=helpers.ACTIVATOR_ROLE % "222222222222",
            RoleSessionName="tests")["Credentials"]
        self.assertTrue(creds["AccessKeyId"].startswith("ASIA"))
        no_token = self.client("license-manager", key=creds["AccessKeyId"],
                               secret=creds["SecretAccessKey"])
        with self.assertAwsError("UnrecognizedClientException"):
            no_token.list_received_grants()
        wrong = self.client("license-manager", key=creds["AccessKeyId"],
                            secret=creds["SecretAccessKey"],
                            token=creds["SessionToken"] + "x")
        with self.assertAwsError("UnrecognizedClientException"):
            wrong.list_received_grants()
        good = self.client("license-manager", key=creds["AccessKeyId"],
                           secret=creds["SecretAccessKey"],
                           token=creds["SessionToken"])
        self.assertEqual(good.list_received_grants()["Grants"], [])

    def test_expired_temporary_credentials(self):
        creds = self.sts.assume_role(
            RoleArn=helpers.ACTIVATOR_ROLE % "222222222222",
            RoleSessionName="tests")["Credentials"]
        lm = self.client("license-manager", key=creds["AccessKeyId"],
                         secret=creds["SecretAccessKey"],
                         token=creds["SessionToken"])
        lm.list_received_grants()
        self.admin("POST", "/_emu/credentials/expire",
                   {"access_key_id": creds["AccessKeyId"]})
        with self.assertAwsError("ExpiredTokenException",
                                 contains="expired"):
            lm.list_received_grants()
        sts = self.client("sts", key=creds["AccessKeyId"],
                          secret=creds["SecretAccessKey"],
                          token=creds["SessionToken"])
        with self.assertAwsError("ExpiredToken"):
            sts.get_caller_identity()

    def test_secret_never_in_admin_views(self):
        creds = self.sts.assume_role(
            RoleArn=helpers.ACTIVATOR_ROLE % "222222222222",
            RoleSessionName="tests")["Credentials"]
        self.lm.list_distributed_grants()
        dump = repr(self.state()) + repr(self.calls())
        for secret in (ADMIN_SECRET, creds["SecretAccessKey"],
                       creds["SessionToken"]):
            self.assertNotIn(secret, dump)


if __name__ == "__main__":
    unittest.main()
