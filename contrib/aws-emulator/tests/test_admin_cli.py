"""The admin API, and the command-line tools run as subprocesses:
emulator.py, emuctl.py, genfixture.py."""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import boto3

from tests import helpers
from tests.helpers import acct_arn

PY = sys.executable
EMULATOR = os.path.join(helpers.EMU_DIR, "emulator.py")
EMUCTL = os.path.join(helpers.EMU_DIR, "emuctl.py")
GENFIXTURE = os.path.join(helpers.EMU_DIR, "genfixture.py")


class AdminAPI(helpers.EmulatorTestCase):

    def test_calls_are_recorded(self):
        self.lm.list_distributed_grants(MaxResults=5)
        self.create_grant(acct_arn("222222222222"), token="tok")
        with self.assertAwsError("ValidationException"):
            self.lm.delete_grant(GrantArn=self.state()["grants"][0]["arn"],
                                 Version="9")
        self.orgs.list_roots()
        self.sts.get_caller_identity()
        calls = self.calls()
        self.assertEqual([c["operation"] for c in calls],
                         ["ListDistributedGrants", "CreateGrant", "DeleteGrant",
                          "ListRoots", "GetCallerIdentity"])
        self.assertEqual([c["service"] for c in calls],
                         ["license-manager"] * 3 + ["organizations", "sts"])
        self.assertEqual([c["write"] for c in calls],
                         [False, True, True, False, False])
        self.assertEqual([c["status"] for c in calls], [200, 200, 400, 200, 200])
        self.assertEqual(calls[2]["error"], "ValidationException")
        self.assertEqual(calls[0]["request"], {"MaxResults": 5})
        self.assertEqual(calls[1]["request"]["ClientToken"], "tok")
        self.assertEqual({c["access_key_id"] for c in calls},
                         {helpers.ADMIN_KEY})
        self.assertEqual([c["seq"] for c in calls], [1, 2, 3, 4, 5])
        for call in calls:
            self.assertRegex(call["request_id"], r"^[0-9a-f-]{36}$")
        self.assertEqual(self.admin("POST", "/_emu/calls/reset", {}),
                         {"cleared": 5})
        self.assertEqual(self.calls(), [])

    def test_state_has_every_grant_field(self):
        created = self.create_grant(helpers.ou_arn("ou-ab12-prod0001"))
        state = self.state()
        parent = [g for g in state["grants"] if g["arn"] == created["GrantArn"]]
        subs = [g for g in state["grants"] if g["sub_grant"]]
        self.assertEqual(len(parent), 1)
        self.assertEqual(len(subs), 2)
        for field in ("arn", "name", "parent_arn", "license_arn", "principal",
                      "status", "version", "operations", "home_region", "tags",
                      "options", "client_tokens", "seq"):
            self.assertIn(field, parent[0])
        self.assertEqual({s["parent_arn"] for s in subs}, {created["GrantArn"]})
        for key in ("organization", "ous", "accounts", "licenses",
                    "credentials", "config"):
            self.assertIn(key, state)

    def test_grant_set_and_add(self):
        added = self.admin("POST", "/_emu/grant/add", {
            "license_arn": self.license_arn(), "principal":
                acct_arn("222222222222"), "status": "ACTIVE", "version": "4",
            "name": "preexisting", "operations": ["CheckoutLicense"]})
        self.assertRegex(added["arn"], r":grant:g-[0-9a-f]{32}$")
        grant = self.get_grant(added["arn"])
        self.assertEqual((grant["GrantStatus"], grant["Version"]),
                         ("ACTIVE", "4"))
        out = self.admin("POST", "/_emu/grant/set", {
            "arn": added["arn"], "status": "PENDING_WORKFLOW",
            "bump_version": True, "operations": ["CheckInLicense"]})
        self.assertEqual((out["status"], out["version"]),
                         ("PENDING_WORKFLOW", "5"))
        # A poked PENDING_WORKFLOW is stuck: no workflow completes it.
        self.assertEqual(self.get_grant(added["arn"])["GrantStatus"],
                         "PENDING_WORKFLOW")
        self.admin("POST", "/_emu/grant/set", {"arn": added["arn"],
                                               "version": 9})
        self.assertEqual(self.get_grant(added["arn"])["Version"], "9")
        self.admin("POST", "/_emu/grant/set", {"arn": "nope"}, expect=400)
        self.admin("POST", "/_emu/grant/add", {"principal": "x"}, expect=400)

    def test_unknown_admin_route(self):
        self.admin("GET", "/_emu/nope", expect=404)
        self.admin("GET", "/_emu/config", expect=405)


class CommandLine(unittest.TestCase):
    """Runs the real processes; one emulator for the whole class."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.port_file = os.path.join(cls.tmp.name, "port")
        cls.log = os.path.join(cls.tmp.name, "emu.log")
        cls.proc = subprocess.Popen(
            [PY, EMULATOR, "--fixture", helpers.DEMO_FIXTURE, "--port", "0",
             "--port-file", cls.port_file, "--log", cls.log, "--seed", "3"],
            stderr=subprocess.PIPE, text=True)
        out = subprocess.run([PY, EMUCTL, "--port-file", cls.port_file,
                              "wait-ready", "--timeout", "20"],
                             capture_output=True, text=True)
        if out.returncode != 0:
            cls.proc.kill()
            raise AssertionError("emulator not ready: %s" % out.stderr)
        with open(cls.port_file) as fh:
            cls.port = int(fh.read())

    @classmethod
    def tearDownClass(cls):
        if cls.proc.poll() is None:
            cls.proc.kill()
            cls.proc.wait(5)
        cls.proc.stderr.close()
        cls.tmp.cleanup()

    def ctl(self, *args, expect=0):
        out = subprocess.run([PY, EMUCTL, "--port-file", self.port_file] +
                             list(args), capture_output=True, text=True,
                             timeout=20)
        self.assertEqual(out.returncode, expect, out.stderr)
        return out.stdout

    def lm(self):
        return boto3.client(
            "license-manager", region_name="us-east-1",
            endpoint_url="http://127.0.0.1:%d" % self.port,
            aws_access_key_id=helpers.ADMIN_KEY,
            aws_secret_access_key=helpers.ADMIN_SECRET,
            config=helpers.NO_RETRY)

    def test_1_port_file_and_state(self):
        with open(self.port_file) as fh:
            self.assertRegex(fh.read(), r"^\d+\n$")
        state = json.loads(self.ctl("state"))
        self.assertEqual(state["organization"]["id"], helpers.ORG_ID)
        self.assertEqual(state["config"]["page_size"], 3)

    def test_2_calls_count_and_admin_commands(self):
        self.ctl("reset-calls")
        lm = self.lm()
        lic = json.loads(self.ctl("state"))["licenses"][0]["arn"]
        lm.list_distributed_grants()
        created = lm.create_grant(
            ClientToken="cli", GrantName="g", LicenseArn=lic,
            Principals=[helpers.ou_arn("ou-ab12-prod0001")],
            HomeRegion="us-east-1", AllowedOperations=["CheckoutLicense"])
        self.assertEqual(self.ctl("calls", "--count").strip(), "2")
        self.assertEqual(self.ctl("calls", "--count", "--writes").strip(), "1")
        self.assertEqual(self.ctl("calls", "--count", "--op",
                                  "ListDistributedGrants").strip(), "1")
        self.assertEqual(len(json.loads(self.ctl("calls"))), 2)

        self.ctl("config", '{"workflow_delay": 3600}')
        lm.create_grant(
            ClientToken="cli-2", GrantName="g", LicenseArn=lic,
            Principals=[acct_arn("333333333333")], HomeRegion="us-east-1",
            AllowedOperations=["CheckoutLicense"])
        self.assertEqual(json.loads(self.ctl("advance")), {"completed": 1})

        self.ctl("account-move", "444444444444", "ou-ab12-prod0001")
        subs = [g for g in json.loads(self.ctl("state"))["grants"]
                if g["parent_arn"] == created["GrantArn"]]
        self.assertEqual(len(subs), 3)
        self.ctl("account-move", "444444444444", "ou-ab12-nope0001", expect=1)

        added = json.loads(self.ctl("grant-add", json.dumps({
            "license_arn": lic, "principal": acct_arn("666666666666"),
            "status": "DISABLED"})))
        out = json.loads(self.ctl("grant-set", json.dumps({
            "arn": added["arn"], "status": "ACTIVE", "bump_version": True})))
        self.assertEqual((out["status"], out["version"]), ("ACTIVE", "2"))
        self.ctl("config", "not json", expect=1)
        self.ctl("reset-calls")
        self.assertEqual(self.ctl("calls", "--count").strip(), "0")

    def test_3_log_has_calls_but_no_secret(self):
        self.lm().list_received_licenses()
        with open(self.log) as fh:
            text = fh.read()
        self.assertIn("ListReceivedLicenses", text)
        self.assertNotIn(helpers.ADMIN_SECRET, text)

    def test_9_shutdown(self):
        self.assertEqual(json.loads(self.ctl("shutdown")), {"ok": True})
        self.assertEqual(self.proc.wait(10), 0)
        self.assertIn("aws-emulator listening on 127.0.0.1:%d" % self.port,
                      self.proc.stderr.read())


class ProcessSignals(unittest.TestCase):

    def test_sigterm_exits_cleanly_and_genfixture_loads(self):
        with tempfile.TemporaryDirectory() as tmp:
            fixture = os.path.join(tmp, "big.json")
            gen = subprocess.run(
                [PY, GENFIXTURE, "--licenses", "3", "--accounts", "40",
                 "--ous", "5", "--grants-status", "DISABLED", "--seed", "9",
                 "--out", fixture], capture_output=True, text=True)
            self.assertEqual(gen.returncode, 0, gen.stderr)
            with open(fixture) as fh:
                data = json.load(fh)
            self.assertEqual(len(data["grants"]), 120)
            # Same seed, same file.
            again = os.path.join(tmp, "again.json")
            subprocess.run([PY, GENFIXTURE, "--licenses", "3", "--accounts",
                            "40", "--ous", "5", "--grants-status", "DISABLED",
                            "--seed", "9", "--out", again], check=True,
                           capture_output=True)
            with open(again) as fh:
                self.assertEqual(json.load(fh), data)

            port_file = os.path.join(tmp, "port")
            proc = subprocess.Popen(
                [PY, EMULATOR, "--fixture", fixture, "--port-file", port_file,
                 "--page-size", "50"], stderr=subprocess.PIPE, text=True)
            try:
                subprocess.run([PY, EMUCTL, "--port-file", port_file,
                                "wait-ready"], check=True, capture_output=True,
                               timeout=20)
                with open(port_file) as fh:
                    port = int(fh.read())
                lm = boto3.client(
                    "license-manager", region_name="us-east-1",
                    endpoint_url="http://127.0.0.1:%d" % port,
                    aws_access_key_id=helpers.ADMIN_KEY,
                    aws_secret_access_key=helpers.ADMIN_SECRET,
                    config=helpers.NO_RETRY)
                page = lm.list_distributed_grants()
                self.assertEqual(len(page["Grants"]), 50)
                self.assertEqual({g["GrantStatus"] for g in page["Grants"]},
                                 {"DISABLED"})
                proc.send_signal(signal.SIGTERM)
                self.assertEqual(proc.wait(10), 0)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait(5)
                proc.stderr.close()

    def test_bad_fixture_fails_fast(self):
        with tempfile.TemporaryDirectory() as tmp:
            bad = os.path.join(tmp, "bad.json")
            with open(bad, "w") as fh:
                json.dump({"accounts": [{"id": "12"}]}, fh)
            start = time.monotonic()
            out = subprocess.run([PY, EMULATOR, "--fixture", bad],
                                 capture_output=True, text=True, timeout=20)
            self.assertEqual(out.returncode, 2)
            self.assertIn("bad account id", out.stderr)
            self.assertLess(time.monotonic() - start, 10)


if __name__ == "__main__":
    unittest.main()
