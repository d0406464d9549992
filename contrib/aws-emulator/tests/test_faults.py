"""Injected faults: throttling, failures, dropped answers, fail rules,
latency; and concurrent clients."""

import threading
import time
import unittest

from botocore.exceptions import ClientError, ConnectionClosedError

from tests import helpers
from tests.helpers import acct_arn


class Faults(helpers.EmulatorTestCase):
    options = {"seed": 42}

    def test_throttle_all_calls(self):
        self.config(throttle_rps=0.001, throttle_burst=2)
        self.lm.list_distributed_grants()
        self.lm.list_distributed_grants()
        with self.assertAwsError("RateLimitExceededException", 429):
            self.lm.list_distributed_grants()
        with self.assertAwsError("TooManyRequestsException", 429):
            self.orgs.list_roots()
        with self.assertAwsError("Throttling", 429):
            self.sts.get_caller_identity()
        errors = [c["error"] for c in self.calls()]
        self.assertEqual(errors, [None, None, "RateLimitExceededException",
                                  "TooManyRequestsException", "Throttling"])
        # Admin calls are never throttled.
        self.state()
        self.config(throttle_rps=None)
        self.lm.list_distributed_grants()

    def test_throttle_writes_only(self):
        self.config(throttle_write_rps=0.001)
        self.create_grant(acct_arn("222222222222"))
        with self.assertAwsError("RateLimitExceededException", 429):
            self.create_grant(acct_arn("333333333333"))
        for _ in range(5):
            self.lm.list_distributed_grants()
        self.assertEqual(len(self.state()["grants"]), 1)

    def test_throttle_refills(self):
        self.config(throttle_rps=20, throttle_burst=1)
        self.lm.list_distributed_grants()
        with self.assertAwsError("RateLimitExceededException"):
            self.lm.list_distributed_grants()
        time.sleep(0.1)
        self.lm.list_distributed_grants()

    def test_fail_rate(self):
        self.config(fail_rate=1.0)
        with self.assertAwsError("ServerInternalException", 500):
            self.create_grant(acct_arn("222222222222"))
        with self.assertAwsError("ServiceException", 500):
            self.orgs.list_roots()
        with self.assertAwsError("InternalFailure", 500):
            self.sts.get_caller_identity()
        self.config(fail_rate=None)
        # Decided before executing: nothing was created.
        self.assertEqual(self.lm.list_distributed_grants()["Grants"], [])

    def test_drop_rate_commits_write_then_closes(self):
        self.config(drop_rate=1.0)
        with self.assertRaises(ConnectionClosedError):
            self.create_grant(acct_arn("222222222222"), token="drop-1")
        # Reads are never dropped.
        grants = self.lm.list_distributed_grants()["Grants"]
        self.assertEqual(len(grants), 1)
        self.config(drop_rate=None)
        # A retry with the same token finds the committed grant.
        again = self.create_grant(acct_arn("222222222222"), token="drop-1")
        self.assertEqual(again["GrantArn"], grants[0]["GrantArn"])
        dropped = [c for c in self.calls() if c["dropped"]]
        self.assertEqual(len(dropped), 1)
        self.assertIsNone(dropped[0]["status"])
        self.assertTrue(dropped[0]["write"])

    def test_fail_rule_nth_call(self):
        self.config(fail_rules=[{"operation": "ListDistributedGrants",
                                 "nth": 3, "times": 2, "status": 500,
                                 "type": "ServerInternalException"}])
        self.lm.list_distributed_grants()
        self.lm.list_distributed_grants()
        self.orgs.list_roots()          # other operations do not count
        for _ in range(2):
            with self.assertAwsError("ServerInternalException", 500):
                self.lm.list_distributed_grants()
        self.lm.list_distributed_grants()
        rule = self.state()["config"]["fail_rules"][0]
        self.assertEqual(rule["seen"], 5)

    def test_fail_rule_defaults_per_service(self):
        self.config(fail_rules=[{"operation": "ListRoots", "status": 429}])
        with self.assertAwsError("TooManyRequestsException", 429):
            self.orgs.list_roots()
        self.orgs.list_roots()

    def test_fail_rule_raw_bodies(self):
        truncated = '{"Grant": {"GrantArn": "arn:aws:lic'
        self.config(fail_rules=[
            {"operation": "GetGrant", "nth": 1, "status": 200,
             "body": truncated},
            {"operation": "ListReceivedLicenses", "nth": 1, "status": 502,
             "body": "<html>upstream gateway</html>"}])
        status, headers, body = self.signed_json(
            "AWSLicenseManager.GetGrant",
            {"GrantArn": "arn:aws:license-manager::111111111111:grant:g-" +
             "0" * 32})
        self.assertEqual((status, body), (200, truncated.encode()))
        self.assertEqual(headers["Content-Length"], str(len(truncated)))
        with self.assertRaises(ClientError) as cm:
            self.lm.list_received_licenses()
        self.assertEqual(
            cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 502)
        # Both rules fired once; the next calls are normal.
        self.lm.list_received_licenses()

    def test_fail_rule_can_fail_writes_with_any_type(self):
        self.config(fail_rules=[{"operation": "CreateGrant", "status": 400,
                                 "type": "ValidationException",
                                 "message": "injected"}])
        with self.assertAwsError("ValidationException", 400, "injected"):
            self.create_grant(acct_arn("222222222222"))
        self.create_grant(acct_arn("222222222222"))

    def test_latency(self):
        self.config(latency_ms=150)
        start = time.monotonic()
        self.lm.list_distributed_grants()
        self.assertGreaterEqual(time.monotonic() - start, 0.15)
        start = time.monotonic()
        self.state()                       # admin calls have no latency
        self.assertLess(time.monotonic() - start, 0.15)

    def test_bad_config_rejected(self):
        for bad in ({"fail_rate": 2}, {"page_size": 0}, {"nope": 1},
                    {"fail_rules": [{"nth": 1}]}, {"throttle_burst": 1.5}):
            with self.subTest(config=bad):
                self.admin("POST", "/_emu/config", bad, expect=400)


class Concurrency(helpers.EmulatorTestCase):

    def test_parallel_creates_are_consistent(self):
        errors = []
        accounts = ["222222222222", "333333333333", "444444444444",
                    "555555555555", "666666666666"]

        def worker(index):
            try:
                # boto3 clients are thread-safe; each call opens or reuses a
                # keep-alive connection from the pool.
                for n in range(4):
                    self.create_grant(acct_arn(accounts[index]),
                                      token="t-%d-%d" % (index, n))
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)

        # Create the client before the threads: boto3's default session is
        # not thread-safe for client creation.
        self.assertTrue(self.lm)
        threads = [threading.Thread(target=worker, args=(i,))
                   for i in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        self.assertEqual(errors, [])
        grants = self.state()["grants"]
        self.assertEqual(len(grants), 20)
        self.assertEqual(len({g["arn"] for g in grants}), 20)
        self.assertEqual(sorted(g["seq"] for g in grants), list(range(1, 21)))


if __name__ == "__main__":
    unittest.main()



class ConcurrentWriteRuleTest(helpers.EmulatorTestCase):
    """A fail rule with concurrent_write bumps the grant's version just
    before the call runs, so the caller sees the stale-version error."""

    def test_delete_sees_a_stale_version(self):
        lic = self.admin("GET", "/_emu/state")["licenses"][0]["arn"]
        grant = self.admin("POST", "/_emu/grant/add", {
            "license_arn": lic, "principal": "arn:aws:iam::222222222222:root",
            "status": "ACTIVE", "operations": ["CheckoutLicense"],
            "name": "g", "home_region": "us-east-1"})
        self.admin("POST", "/_emu/config", {"fail_rules": [
            {"operation": "DeleteGrant", "nth": 1, "times": 1,
             "concurrent_write": True}]})
        with self.assertRaises(self.lm.exceptions.ValidationException) as cm:
            self.lm.delete_grant(GrantArn=grant["arn"],
                                 Version=grant["version"])
        self.assertIn("doesn't match the latest version 2", str(cm.exception))
        self.lm.delete_grant(GrantArn=grant["arn"], Version="2")
