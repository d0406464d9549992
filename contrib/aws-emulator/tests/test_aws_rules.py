"""Issue 12's AWS rules: one active license per product per account,
member-owned subscriptions, failed workflows, PENDING_DELETE, versioned
workflow steps, sub-grants in ListDistributedGrants, license status,
operations and home region, the organization's feature set; the knobs that
switch them and the fixture / emuctl ways to set them up."""

import json
import os
import subprocess
import sys
import tempfile


from tests import helpers
from tests.helpers import acct_arn, ou_arn, org_arn

PROD = "ou-ab12-prod0001"
WORKLOADS = "ou-ab12-wkld0001"
PRIVATE_OFFER = ("arn:aws:license-manager::294406891311:license:"
                 "l-0000000000000000000000000000beef")
ALL_GRANTS = {"ActivationOverrideBehavior": "ALL_GRANTS_PERMITTED_BY_ISSUER"}
BLOCKED = "Another license for this product is already active in account %s (%s)"
EMUCTL = os.path.join(helpers.EMU_DIR, "emuctl.py")
EMULATOR = os.path.join(helpers.EMU_DIR, "emulator.py")


def fixture_with_private_offer():
    """demo.json plus a second license (a private offer) of Sonnet's product."""
    fx = helpers.load_demo()
    fx["licenses"].append(dict(fx["licenses"][0], arn=PRIVATE_OFFER,
                               name="Claude Sonnet 4 (private offer)"))
    return fx


class RulesTestCase(helpers.EmulatorTestCase):
    fixture = fixture_with_private_offer()

    def add_active(self, account, license_arn=None, name="by-hand"):
        """A grant made outside lmgrantd (the console), ACTIVE already."""
        return self.admin("POST", "/_emu/grant/add", {
            "license_arn": license_arn or self.license_arn(),
            "principal": acct_arn(account), "status": "ACTIVE",
            "name": name, "operations": ["CheckoutLicense"]})["arn"]

    def stored(self, arn):
        return [g for g in self.state()["grants"] if g["arn"] == arn][0]

    def subscriptions(self):
        return self.state()["subscriptions"]


class OneActivePerProduct(RulesTestCase):

    def test_defaults_are_strict(self):
        config = self.state()["config"]
        self.assertEqual((config["one_active"], config["workflow_bumps_version"],
                          config["delete_delay"], config["list_subgrants"]),
                         (True, True, None, False))

    def test_ou_grant_without_override_leaves_the_account_disabled(self):
        by_hand = self.add_active("222222222222")
        ou = self.create_grant(ou_arn(PROD))["GrantArn"]
        self.activate(ou)
        # The parent completes; only 222's sub-grant stays DISABLED.
        self.assertEqual(self.get_grant(ou)["GrantStatus"], "WORKFLOW_COMPLETED")
        subs = self.sub_grants(ou)
        self.assertEqual(subs["555555555555"]["GrantStatus"], "ACTIVE")
        self.assertEqual(subs["222222222222"]["GrantStatus"], "DISABLED")
        self.assertEqual(subs["222222222222"]["StatusReason"],
                         BLOCKED % ("222222222222", by_hand))
        self.assertEqual(self.get_grant(by_hand)["GrantStatus"], "ACTIVE")
        # Activating again with DISTRIBUTED_GRANTS_ONLY changes nothing.
        self.activate(ou, Options={
            "ActivationOverrideBehavior": "DISTRIBUTED_GRANTS_ONLY"})
        self.assertEqual(self.sub_grants(ou)["222222222222"]["GrantStatus"],
                         "DISABLED")

    def test_all_grants_permitted_by_issuer_replaces_the_other_grant(self):
        by_hand = self.add_active("222222222222")
        ou = self.create_grant(ou_arn(PROD))["GrantArn"]
        self.activate(ou, Options=ALL_GRANTS)
        self.assertEqual({k: v["GrantStatus"] for k, v in
                          self.sub_grants(ou).items()},
                         {"222222222222": "ACTIVE", "555555555555": "ACTIVE"})
        old = self.get_grant(by_hand)
        self.assertEqual((old["GrantStatus"], old["StatusReason"]),
                         ("DISABLED", "Replaced by %s" % ou))
        self.assertEqual(old["Version"], "2")        # was 1: a change

    def test_second_license_of_the_same_product_stays_disabled(self):
        public = self.create_grant(acct_arn("333333333333"))["GrantArn"]
        self.activate(public)
        private = self.create_grant(acct_arn("333333333333"),
                                    LicenseArn=PRIVATE_OFFER)["GrantArn"]
        self.activate(private)
        grant = self.get_grant(private)
        self.assertEqual((grant["GrantStatus"], grant["StatusReason"]),
                         ("DISABLED", BLOCKED % ("333333333333", public)))
        # Seen in every listing that returns grants.
        listed = {g["GrantArn"]: g for g in
                  self.lm.list_distributed_grants()["Grants"]}
        self.assertEqual(listed[private]["StatusReason"],
                         BLOCKED % ("333333333333", public))
        member = self.assumed("333333333333")
        received = {g["GrantArn"]: g for g in
                    member.list_received_grants()["Grants"]}
        self.assertIn("StatusReason", received[private])
        self.assertEqual(self.stored(private)["status_reason"],
                         BLOCKED % ("333333333333", public))
        # The swap: the private offer wins, the public grant is disabled.
        self.activate(private, Options=ALL_GRANTS)
        grant = self.get_grant(private)
        self.assertEqual(grant["GrantStatus"], "ACTIVE")
        self.assertNotIn("StatusReason", grant)
        self.assertEqual(self.get_grant(public)["StatusReason"],
                         "Replaced by %s" % private)

    def test_other_products_and_accounts_do_not_conflict(self):
        self.add_active("222222222222")
        haiku = self.create_grant(acct_arn("222222222222"),
                                  sku=helpers.HAIKU_SKU)["GrantArn"]
        other = self.create_grant(acct_arn("555555555555"))["GrantArn"]
        self.activate(haiku)
        self.activate(other)
        self.assertEqual(self.get_grant(haiku)["GrantStatus"], "ACTIVE")
        self.assertEqual(self.get_grant(other)["GrantStatus"], "ACTIVE")

    def test_sub_grant_blocks_an_account_grant_named_by_its_parent(self):
        org = self.create_grant(org_arn())["GrantArn"]
        self.activate(org)
        account = self.create_grant(acct_arn("444444444444"))["GrantArn"]
        self.activate(account)
        self.assertEqual(self.get_grant(account)["StatusReason"],
                         BLOCKED % ("444444444444", org))

    def test_organization_to_ou_swap(self):
        """Make before break: the OU grant replaces the organization's
        sub-grants in its accounts only."""
        org = self.create_grant(org_arn())["GrantArn"]
        self.activate(org)
        ou = self.create_grant(ou_arn(WORKLOADS))["GrantArn"]
        self.activate(ou, Options=ALL_GRANTS)
        self.assertEqual({s["GrantStatus"] for s in
                          self.sub_grants(ou).values()}, {"ACTIVE"})
        org_subs = self.sub_grants(org)
        for account in ("222222222222", "333333333333", "555555555555"):
            self.assertEqual((org_subs[account]["GrantStatus"],
                              org_subs[account]["StatusReason"]),
                             ("DISABLED", "Replaced by %s" % ou))
        for account in ("444444444444", "666666666666"):
            self.assertEqual(org_subs[account]["GrantStatus"], "ACTIVE")

    def test_account_joining_later_follows_the_rule(self):
        ou = self.create_grant(ou_arn(PROD))["GrantArn"]
        self.activate(ou)
        by_hand = self.add_active("444444444444")
        self.admin("POST", "/_emu/account/move",
                   {"account": "444444444444", "parent": PROD})
        self.assertEqual(self.sub_grants(ou)["444444444444"]["GrantStatus"],
                         "DISABLED")
        self.activate(ou)
        sub = self.sub_grants(ou)["444444444444"]
        self.assertEqual((sub["GrantStatus"], sub["StatusReason"]),
                         ("DISABLED", BLOCKED % ("444444444444", by_hand)))
        self.activate(ou, Options=ALL_GRANTS)
        self.assertEqual(self.sub_grants(ou)["444444444444"]["GrantStatus"],
                         "ACTIVE")
        self.assertEqual(self.get_grant(by_hand)["GrantStatus"], "DISABLED")

    def test_override_needs_status_active(self):
        arn = self.create_grant(acct_arn("222222222222"))["GrantArn"]
        with self.assertAwsError("ValidationException",
                                 contains="Status ACTIVE"):
            self.lm.create_grant_version(ClientToken="o", GrantArn=arn,
                                         GrantName="renamed", Options=ALL_GRANTS)

    def test_switched_off(self):
        self.config(one_active=False)
        by_hand = self.add_active("222222222222")
        second = self.create_grant(acct_arn("222222222222"),
                                   LicenseArn=PRIVATE_OFFER)["GrantArn"]
        self.activate(second)
        self.assertEqual(self.get_grant(second)["GrantStatus"], "ACTIVE")
        self.assertEqual(self.get_grant(by_hand)["GrantStatus"], "ACTIVE")


class Subscriptions(RulesTestCase):

    def test_subscription_gives_way_to_an_account_grant(self):
        added = self.admin("POST", "/_emu/subscription/add", {
            "account": "222222222222", "product_sku": helpers.SONNET_SKU})
        self.assertEqual(added, {"account": "222222222222", "product_sku":
                                 helpers.SONNET_SKU, "status": "ACTIVE"})
        grant = self.create_grant(acct_arn("222222222222"))["GrantArn"]
        self.activate(grant)        # no override needed
        self.assertEqual(self.get_grant(grant)["GrantStatus"], "ACTIVE")
        self.assertEqual(self.subscriptions(), [dict(added, status="REPLACED")])

    def test_entitlements_view(self):
        self.admin("POST", "/_emu/subscription/add", {
            "account": "333333333333", "product_sku": helpers.SONNET_SKU})
        ou = self.create_grant(ou_arn(PROD))["GrantArn"]
        self.activate(ou)
        subs = self.sub_grants(ou)
        self.assertEqual(sorted(self.state()["entitlements"],
                                key=lambda e: e["account"]), [
            {"account": "222222222222", "product_sku": helpers.SONNET_SKU,
             "via": "sub_grant", "grant_arn": subs["222222222222"]["GrantArn"]},
            {"account": "333333333333", "product_sku": helpers.SONNET_SKU,
             "via": "subscription", "grant_arn": None},
            {"account": "555555555555", "product_sku": helpers.SONNET_SKU,
             "via": "sub_grant", "grant_arn": subs["555555555555"]["GrantArn"]}])

    def test_subscription_gives_way_to_an_ou_sub_grant(self):
        self.admin("POST", "/_emu/subscription/add", {
            "account": "555555555555", "product_sku": helpers.SONNET_SKU})
        self.admin("POST", "/_emu/subscription/add", {
            "account": "555555555555", "product_sku": helpers.HAIKU_SKU})
        ou = self.create_grant(ou_arn(PROD))["GrantArn"]
        self.activate(ou)
        self.assertEqual(self.sub_grants(ou)["555555555555"]["GrantStatus"],
                         "ACTIVE")
        self.assertEqual([s["status"] for s in self.subscriptions()],
                         ["REPLACED", "ACTIVE"])     # Haiku untouched

    def test_fixture_subscriptions_and_bad_ones(self):
        fx = helpers.load_demo()
        fx["subscriptions"] = [{"account": "333333333333",
                                "product_sku": helpers.HAIKU_SKU,
                                "status": "ACTIVE"}]
        import state as st
        world = st.State(fx, self.emu.config)
        self.assertEqual(world.subscriptions, fx["subscriptions"])
        fx["subscriptions"] = [{"account": "999999999999",
                                "product_sku": helpers.HAIKU_SKU}]
        with self.assertRaises(st.FixtureError):
            st.State(fx, self.emu.config)
        for bad in ({"account": helpers.MGMT, "product_sku": "p"},
                    {"account": "222222222222"},
                    {"account": "222222222222", "product_sku": "p",
                     "status": "GONE"},
                    {"account": "222222222222", "product_sku": "p", "x": 1}):
            with self.subTest(bad=bad):
                self.admin("POST", "/_emu/subscription/add", bad, expect=400)


class FailedWorkflows(RulesTestCase):

    def test_failing_principal_until_cleared(self):
        reason = "AWSServiceRoleForMarketplaceLicenseManagement is missing"
        out = self.admin("POST", "/_emu/workflow/fail", {
            "principal": acct_arn("222222222222"), "status_reason": reason})
        self.assertEqual(out["status_reason"], reason)
        first = self.create_grant(acct_arn("222222222222"))["GrantArn"]
        grant = self.get_grant(first)
        self.assertEqual((grant["GrantStatus"], grant["StatusReason"],
                          grant["Version"]), ("FAILED_WORKFLOW", reason, "2"))
        with self.assertAwsError("ValidationException",
                                 contains="FAILED_WORKFLOW"):
            self.activate(first)
        # Others are not affected; the failure persists for new grants.
        other = self.create_grant(acct_arn("333333333333"))["GrantArn"]
        self.assertEqual(self.get_grant(other)["GrantStatus"], "DISABLED")
        second = self.create_grant(acct_arn("222222222222"))["GrantArn"]
        self.assertEqual(self.get_grant(second)["GrantStatus"],
                         "FAILED_WORKFLOW")
        self.assertEqual(self.state()["workflow_failures"],
                         {acct_arn("222222222222"): reason})
        # Listed like tombstones; deletable.
        listed = {g["GrantArn"]: g["GrantStatus"] for g in
                  self.lm.list_distributed_grants(MaxResults=10)["Grants"]}
        self.assertEqual(listed[first], "FAILED_WORKFLOW")
        self.lm.delete_grant(GrantArn=first, Version="2")
        self.admin("POST", "/_emu/workflow/fail", {
            "principal": acct_arn("222222222222"), "clear": True})
        third = self.create_grant(acct_arn("222222222222"))["GrantArn"]
        self.assertEqual(self.get_grant(third)["GrantStatus"], "DISABLED")

    def test_ou_principal_fails_without_sub_grants(self):
        self.admin("POST", "/_emu/workflow/fail", {
            "principal": ou_arn(PROD), "status_reason": "conflict"})
        ou = self.create_grant(ou_arn(PROD))["GrantArn"]
        self.assertEqual(self.get_grant(ou)["StatusReason"], "conflict")
        self.assertEqual(self.sub_grants(ou), {})

    def test_bad_requests(self):
        for bad in ({}, {"principal": acct_arn("222222222222")},
                    {"principal": "x", "status_reason": ""},
                    {"principal": "x", "status_reason": "r", "y": 1}):
            with self.subTest(bad=bad):
                self.admin("POST", "/_emu/workflow/fail", bad, expect=400)


class Deletion(RulesTestCase):

    def test_delete_is_pending_until_its_workflow_ends(self):
        self.config(workflow_delay=3600)
        ou = self.create_grant(ou_arn(PROD))["GrantArn"]
        self.advance()
        version = self.get_grant(ou)["Version"]
        out = self.lm.delete_grant(GrantArn=ou, Version=version)
        self.assertEqual((out["Status"], out["Version"]),
                         ("PENDING_DELETE", str(int(version) + 1)))
        self.assertEqual(self.get_grant(ou)["GrantStatus"], "PENDING_DELETE")
        self.assertEqual({s["GrantStatus"] for s in
                          self.sub_grants(ou).values()}, {"PENDING_DELETE"})
        with self.assertAwsError("ValidationException", contains="being deleted"):
            self.lm.delete_grant(GrantArn=ou, Version=out["Version"])
        with self.assertAwsError("ValidationException", contains="being deleted"):
            self.activate(ou)
        # Still counts towards nothing new: a new grant may be made meanwhile.
        self.assertEqual(self.advance()["completed"], 1)
        grant = self.get_grant(ou)
        self.assertEqual((grant["GrantStatus"], grant["Version"]),
                         ("DELETED", str(int(version) + 2)))
        self.assertEqual({s["GrantStatus"] for s in
                          self.sub_grants(ou).values()}, {"DELETED"})

    def test_delete_delay_apart_from_workflow_delay(self):
        self.config(workflow_delay=3600, delete_delay=0)
        arn = self.create_grant(acct_arn("222222222222"))["GrantArn"]
        self.lm.delete_grant(GrantArn=arn, Version="1")
        self.assertEqual(self.get_grant(arn)["GrantStatus"], "DELETED")
        self.config(workflow_delay=0, delete_delay=3600)
        arn = self.create_grant(acct_arn("333333333333"))["GrantArn"]
        self.lm.delete_grant(GrantArn=arn, Version="2")
        self.assertEqual(self.get_grant(arn)["GrantStatus"], "PENDING_DELETE")
        self.config(delete_delay=None)          # follows workflow_delay: 0
        self.assertEqual(self.get_grant(arn)["GrantStatus"], "DELETED")

    def test_pending_delete_in_a_fixture_finishes(self):
        added = self.admin("POST", "/_emu/grant/add", {
            "license_arn": self.license_arn(), "status": "PENDING_DELETE",
            "principal": acct_arn("222222222222"), "version": "3"})
        self.assertEqual(self.get_grant(added["arn"])["GrantStatus"], "DELETED")


class WorkflowVersions(RulesTestCase):

    def test_every_step_bumps_the_version(self):
        ou = self.create_grant(ou_arn(PROD))["GrantArn"]
        self.assertEqual(self.get_grant(ou)["Version"], "2")     # DISABLED
        self.activate(ou)                                         # 3
        self.assertEqual(self.get_grant(ou)["Version"], "4")     # COMPLETED
        self.assertEqual({s["Version"] for s in self.sub_grants(ou).values()},
                         {"2"})                                   # ACTIVE
        # A client holding version 2 from before the workflow is stale.
        with self.assertAwsError("ValidationException", contains="version 4"):
            self.lm.delete_grant(GrantArn=ou, Version="3")

    def test_switched_off(self):
        self.config(workflow_bumps_version=False)
        arn = self.create_grant(acct_arn("222222222222"))["GrantArn"]
        self.activate(arn)
        self.assertEqual(self.get_grant(arn)["Version"], "2")
        out = self.lm.delete_grant(GrantArn=arn, Version="2")
        self.assertEqual(out["Version"], "3")
        self.assertEqual(self.get_grant(arn)["Version"], "3")


class SubGrantsListed(RulesTestCase):

    def test_list_subgrants(self):
        ou = self.create_grant(ou_arn(PROD))["GrantArn"]
        self.assertEqual([g["GrantArn"] for g in
                          self.lm.list_distributed_grants()["Grants"]], [ou])
        self.config(list_subgrants=True)
        listed = self.lm.list_distributed_grants(MaxResults=10)["Grants"]
        self.assertEqual(len(listed), 3)
        self.assertEqual(sorted(g["ParentArn"] for g in listed
                                if g["GrantArn"] != ou), [ou, ou])
        only = self.lm.list_distributed_grants(Filters=[{
            "Name": "GranteePrincipalARN",
            "Values": [acct_arn("555555555555")]}])["Grants"]
        self.assertEqual([g["ParentArn"] for g in only], [ou])


class Licenses(RulesTestCase):

    def set_license(self, expect=200, **fields):
        return self.admin("POST", "/_emu/license/set",
                          dict(fields, arn=self.license_arn()), expect=expect)

    def test_received_metadata(self):
        lic = self.lm.list_received_licenses(
            LicenseArns=[self.license_arn()])["Licenses"][0]
        self.assertEqual(lic["ReceivedMetadata"], {
            "ReceivedStatus": "ACTIVE",
            "AllowedOperations": ["CreateGrant", "CheckoutLicense",
                                  "CheckInLicense", "ExtendConsumptionLicense",
                                  "ListPurchasedLicenses", "CreateToken",
                                  "CheckoutBorrowLicense"]})
        self.set_license(allowed_operations=["CheckoutLicense", "CreateGrant"])
        lic = self.lm.list_received_licenses(
            LicenseArns=[self.license_arn()])["Licenses"][0]
        self.assertEqual(lic["ReceivedMetadata"]["AllowedOperations"],
                         ["CheckoutLicense", "CreateGrant"])

    def test_status_other_than_available(self):
        for status in ("EXPIRED", "SUSPENDED", "DELETED"):
            with self.subTest(status=status):
                self.set_license(status=status)
                with self.assertAwsError("ValidationException",
                                         contains=status):
                    self.create_grant(acct_arn("222222222222"))
        self.assertEqual(self.state()["grants"], [])
        lic = self.lm.list_received_licenses(
            LicenseArns=[self.license_arn()])["Licenses"][0]
        self.assertEqual(lic["Status"], "DELETED")

    def test_allowed_operations_enforced(self):
        arn = self.create_grant(acct_arn("222222222222"))["GrantArn"]
        self.set_license(allowed_operations=["CreateGrant", "CheckoutLicense"])
        with self.assertAwsError("ValidationException",
                                 contains="CheckInLicense"):
            self.create_grant(acct_arn("333333333333"))
        with self.assertAwsError("ValidationException",
                                 contains="CheckInLicense"):
            self.lm.create_grant_version(
                ClientToken="ops", GrantArn=arn,
                AllowedOperations=["CheckoutLicense", "CheckInLicense"])
        self.create_grant(acct_arn("333333333333"),
                          AllowedOperations=["CheckoutLicense"])
        self.set_license(allowed_operations=["CheckoutLicense"])
        with self.assertAwsError("AccessDeniedException"):
            self.create_grant(acct_arn("444444444444"),
                              AllowedOperations=["CheckoutLicense"])

    def test_home_region_text(self):
        message = "Grant can only be created in resource home AWS region: " \
                  "us-east-1"
        with self.assertAwsError("ValidationException") as cm:
            self.create_grant(acct_arn("222222222222"), HomeRegion="eu-west-1")
        self.assertEqual(cm.exception.response["Error"]["Message"], message)
        self.set_license(home_region="eu-west-1")
        with self.assertAwsError("ValidationException") as cm:
            self.create_grant(acct_arn("222222222222"), HomeRegion="eu-west-1")
        self.assertEqual(cm.exception.response["Error"]["Message"],
                         "Grant can only be created in resource home AWS "
                         "region: eu-west-1")

    def test_bad_license_set(self):
        self.set_license(expect=400, status="GONE")
        self.set_license(expect=400, allowed_operations=["Fly"])
        self.set_license(expect=400, allowed_operations="CreateGrant")
        self.set_license(expect=400, color="red")
        self.admin("POST", "/_emu/license/set", {"arn": "nope"}, expect=400)
        self.assertEqual(self.state()["licenses"][0]["status"], "AVAILABLE")


class OtherRegion(RulesTestCase):
    """License Manager called in eu-west-1 for licenses homed in us-east-1."""
    options = {"region": "eu-west-1"}

    def test_request_region_is_not_the_home_region(self):
        with self.assertAwsError("ValidationException") as cm:
            self.client("license-manager", region="eu-west-1").create_grant(
                ClientToken="r", GrantName="g", LicenseArn=self.license_arn(),
                Principals=[acct_arn("222222222222")], HomeRegion="us-east-1",
                AllowedOperations=["CheckoutLicense"])
        self.assertEqual(cm.exception.response["Error"]["Message"],
                         "Grant can only be created in resource home AWS "
                         "region: us-east-1")


class FeatureSet(RulesTestCase):

    def test_consolidated_billing_refuses_ou_and_org_grants(self):
        self.admin("POST", "/_emu/org/set",
                   {"feature_set": "CONSOLIDATED_BILLING"})
        self.assertEqual(self.orgs.describe_organization()["Organization"][
            "FeatureSet"], "CONSOLIDATED_BILLING")
        for principal in (ou_arn(PROD), org_arn()):
            with self.assertAwsError("ValidationException",
                                     contains="all features"):
                self.create_grant(principal)
        self.create_grant(acct_arn("222222222222"))


class FixtureConfig(RulesTestCase):
    fixture = dict(fixture_with_private_offer(),
                   config={"one_active": False, "list_subgrants": True,
                           "workflow_delay": 3600})
    options = {"workflow_delay": 0}          # the command line wins

    def test_fixture_config_then_options(self):
        config = self.state()["config"]
        self.assertEqual((config["one_active"], config["list_subgrants"],
                          config["workflow_delay"]), (False, True, 0))
        self.config(one_active=True)
        self.admin("POST", "/_emu/reset", {})
        self.assertFalse(self.state()["config"]["one_active"])

    def test_bad_fixture_config(self):
        import emulator
        import faults
        for bad in ({"one_active": "yes"}, {"nope": 1}, ["one_active"]):
            with self.subTest(bad=bad):
                with self.assertRaises(faults.ConfigError):
                    emulator.Emulator(dict(helpers.load_demo(), config=bad))


class CommandLine(RulesTestCase):

    def ctl(self, *args, expect=0):
        out = subprocess.run([sys.executable, EMUCTL, "--port",
                              str(self.emu.port)] + list(args),
                             capture_output=True, text=True, timeout=20)
        self.assertEqual(out.returncode, expect, out.stderr)
        return json.loads(out.stdout) if expect == 0 else out.stderr

    def test_emuctl_verbs(self):
        self.assertEqual(self.ctl("subscription-add", "222222222222",
                                  helpers.SONNET_SKU)["status"], "ACTIVE")
        self.assertEqual(self.ctl("workflow-fail", acct_arn("333333333333"),
                                  "no role")["status_reason"], "no role")
        self.assertEqual(self.state()["workflow_failures"],
                         {acct_arn("333333333333"): "no role"})
        self.ctl("workflow-fail", acct_arn("333333333333"), "--clear")
        self.assertEqual(self.state()["workflow_failures"], {})
        self.ctl("workflow-fail", acct_arn("333333333333"), expect=1)
        out = self.ctl("license-set", json.dumps({
            "arn": self.license_arn(), "status": "EXPIRED"}))
        self.assertEqual(out["status"], "EXPIRED")
        self.assertEqual(self.ctl("config", '{"one_active": false}')[
            "one_active"], False)
        self.assertEqual(len(self.subscriptions()), 1)

    def test_command_line_over_fixture_config(self):
        with tempfile.TemporaryDirectory() as tmp:
            fixture = os.path.join(tmp, "fx.json")
            with open(fixture, "w") as fh:
                json.dump(dict(helpers.load_demo(), config={
                    "page_size": 50, "delete_delay": 7}), fh)
            port_file = os.path.join(tmp, "port")
            proc = subprocess.Popen(
                [sys.executable, EMULATOR, "--fixture", fixture,
                 "--port-file", port_file, "--page-size", "2"],
                stderr=subprocess.DEVNULL)
            try:
                subprocess.run([sys.executable, EMUCTL, "--port-file",
                                port_file, "wait-ready"], check=True,
                               capture_output=True, timeout=20)
                out = subprocess.run([sys.executable, EMUCTL, "--port-file",
                                      port_file, "state"], check=True,
                                     capture_output=True, text=True)
                config = json.loads(out.stdout)["config"]
                self.assertEqual((config["page_size"], config["delete_delay"],
                                  config["workflow_delay"]), (2, 7, 0))
            finally:
                proc.terminate()
                proc.wait(10)

