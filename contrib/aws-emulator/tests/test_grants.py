"""Grant life cycles: account and OU/organization grants, sub-grants,
acceptance, deletion, idempotency, limits, permissions."""

import unittest

from tests import helpers
import genfixture
from tests.helpers import acct_arn, ou_arn, org_arn

PROD = "ou-ab12-prod0001"
WORKLOADS = "ou-ab12-wkld0001"
SANDBOX = "ou-ab12-sbox0001"


class AccountGrantLifecycle(helpers.EmulatorTestCase):

    def test_account_grant_lifecycle(self):
        created = self.create_grant(acct_arn("222222222222"),
                                    Tags=[{"Key": "owner", "Value": "lmgrantd"}])
        self.assertEqual(created["Status"], "PENDING_WORKFLOW")
        self.assertEqual(created["Version"], "1")
        self.assertRegex(created["GrantArn"],
                         r"^arn:aws:license-manager::111111111111:grant:"
                         r"g-[0-9a-f]{32}$")
        grant = self.get_grant(created["GrantArn"])
        self.assertEqual(grant["GrantStatus"], "DISABLED")   # delay 0
        self.assertEqual(grant["Version"], "2")     # the workflow's step
        self.assertEqual(grant["ParentArn"], self.license_arn())

        act = self.activate(created["GrantArn"], Options={
            "ActivationOverrideBehavior": "ALL_GRANTS_PERMITTED_BY_ISSUER"})
        self.assertEqual((act["Status"], act["Version"]),
                         ("PENDING_WORKFLOW", "3"))
        grant = self.get_grant(created["GrantArn"])
        self.assertEqual(grant["GrantStatus"], "ACTIVE")
        self.assertEqual(grant["Options"]["ActivationOverrideBehavior"],
                         "ALL_GRANTS_PERMITTED_BY_ISSUER")

        stored = [g for g in self.state()["grants"]
                  if g["arn"] == created["GrantArn"]][0]
        self.assertEqual(stored["tags"], [{"Key": "owner",
                                           "Value": "lmgrantd"}])
        self.assertEqual(stored["status"], "ACTIVE")
        self.assertEqual(len(stored["client_tokens"]), 2)

    def test_workflow_delay_keeps_grant_pending_until_advanced(self):
        self.config(workflow_delay=3600)
        created = self.create_grant(acct_arn("222222222222"))
        self.assertEqual(self.get_grant(created["GrantArn"])["GrantStatus"],
                         "PENDING_WORKFLOW")
        with self.assertAwsError("ValidationException"):
            self.activate(created["GrantArn"])
        self.assertEqual(self.advance()["completed"], 1)
        self.assertEqual(self.get_grant(created["GrantArn"])["GrantStatus"],
                         "DISABLED")

    def test_change_operations_bumps_version_keeps_status(self):
        created = self.create_grant(acct_arn("222222222222"))
        out = self.lm.create_grant_version(
            ClientToken="v2", GrantArn=created["GrantArn"],
            AllowedOperations=["CheckoutLicense"], GrantName="renamed",
            SourceVersion="2")
        self.assertEqual((out["Status"], out["Version"]), ("DISABLED", "3"))
        grant = self.get_grant(created["GrantArn"])
        self.assertEqual(grant["GrantedOperations"], ["CheckoutLicense"])
        self.assertEqual(grant["GrantName"], "renamed")

    def test_source_version_mismatch(self):
        created = self.create_grant(acct_arn("222222222222"))
        with self.assertAwsError(
                "ValidationException",
                contains="The grant version provided doesn't match the "
                         "latest version 2 in our records"):
            self.lm.create_grant_version(ClientToken="x",
                                         GrantArn=created["GrantArn"],
                                         Status="ACTIVE", SourceVersion="7")

    def test_stale_version_delete_and_tombstone(self):
        created = self.create_grant(acct_arn("333333333333"))
        # 1 created, 2 DISABLED, 3 activation asked, 4 ACTIVE
        self.activate(created["GrantArn"])
        with self.assertAwsError("ValidationException") as cm:
            self.lm.delete_grant(GrantArn=created["GrantArn"], Version="3")
        self.assertEqual(
            cm.exception.response["Error"]["Message"],
            "A grant cannot be deleted since the version provided doesn't "
            "match the latest version 4 in our records")
        out = self.lm.delete_grant(GrantArn=created["GrantArn"], Version="4")
        self.assertEqual((out["Status"], out["Version"]),
                         ("PENDING_DELETE", "5"))
        # Tombstone: still listed and readable.
        listed = self.lm.list_distributed_grants()["Grants"]
        self.assertEqual([(g["GrantArn"], g["GrantStatus"]) for g in listed],
                         [(created["GrantArn"], "DELETED")])
        self.assertEqual(self.get_grant(created["GrantArn"])["GrantStatus"],
                         "DELETED")
        self.assertEqual(self.get_grant(created["GrantArn"])["Version"], "6")
        with self.assertAwsError("ValidationException"):
            self.lm.delete_grant(GrantArn=created["GrantArn"], Version="6")
        with self.assertAwsError("ValidationException"):
            self.activate(created["GrantArn"])

    def test_activation_refused_in_wrong_states(self):
        self.admin("POST", "/_emu/account/set",
                   {"account": "444444444444", "requires_accept": True})
        created = self.create_grant(acct_arn("444444444444"))
        self.assertEqual(self.get_grant(created["GrantArn"])["GrantStatus"],
                         "PENDING_ACCEPT")
        with self.assertAwsError("ValidationException",
                                 contains="PENDING_ACCEPT"):
            self.activate(created["GrantArn"])

    def test_pending_accept_then_accept_by_assumed_role(self):
        self.admin("POST", "/_emu/account/set",
                   {"account": "222222222222", "requires_accept": True})
        created = self.create_grant(acct_arn("222222222222"))
        grant = self.get_grant(created["GrantArn"])
        self.assertEqual((grant["GrantStatus"], grant["Version"]),
                         ("PENDING_ACCEPT", "2"))
        # The management account cannot accept on the grantee's behalf.
        with self.assertAwsError("AccessDeniedException"):
            self.lm.accept_grant(GrantArn=created["GrantArn"])
        member = self.assumed("222222222222")
        received = member.list_received_grants()["Grants"]
        self.assertEqual([g["GrantArn"] for g in received],
                         [created["GrantArn"]])
        out = member.accept_grant(GrantArn=created["GrantArn"])
        self.assertEqual((out["Status"], out["Version"]), ("DISABLED", "3"))
        with self.assertAwsError("ValidationException"):
            member.accept_grant(GrantArn=created["GrantArn"])
        # The grantee may activate its own grant.
        self.activate(created["GrantArn"], client=member)
        self.assertEqual(self.get_grant(created["GrantArn"])["GrantStatus"],
                         "ACTIVE")
        # Another member may not touch it.
        other = self.assumed("333333333333")
        with self.assertAwsError("AccessDeniedException"):
            other.get_grant(GrantArn=created["GrantArn"])

    def test_client_token_idempotency(self):
        first = self.create_grant(acct_arn("222222222222"), token="same")
        again = self.create_grant(acct_arn("222222222222"), token="same")
        self.assertEqual(first["GrantArn"], again["GrantArn"])
        self.assertEqual(len(self.lm.list_distributed_grants()["Grants"]), 1)
        with self.assertAwsError("ValidationException",
                                 contains="already used with different "
                                          "parameters"):
            self.create_grant(acct_arn("333333333333"), token="same")
        self.assertEqual(len(self.state()["grants"]), 1)
        v1 = self.lm.create_grant_version(ClientToken="cv", GrantArn=first[
            "GrantArn"], Status="ACTIVE")
        v2 = self.lm.create_grant_version(ClientToken="cv", GrantArn=first[
            "GrantArn"], Status="ACTIVE")
        self.assertEqual(v1, {**v2, "ResponseMetadata": v1["ResponseMetadata"]})
        # created, DISABLED, activation asked once, ACTIVE
        self.assertEqual(self.get_grant(first["GrantArn"])["Version"], "4")
        with self.assertAwsError("ValidationException"):
            self.lm.create_grant_version(ClientToken="cv", GrantArn=first[
                "GrantArn"], Status="DISABLED")

    def test_unknown_license_and_principal_checks(self):
        bogus = "arn:aws:license-manager::294406891311:license:l-" + "0" * 32
        with self.assertAwsError("InvalidParameterValueException"):
            self.lm.create_grant(
                ClientToken="a", GrantName="g", LicenseArn=bogus,
                Principals=[acct_arn("222222222222")], HomeRegion="us-east-1",
                AllowedOperations=["CheckoutLicense"])
        with self.assertAwsError("ValidationException", contains="member"):
            self.create_grant(acct_arn("999999999999"))
        with self.assertAwsError("ValidationException",
                                 contains="ou-ab12-nope0001"):
            self.create_grant(ou_arn("ou-ab12-nope0001"))
        with self.assertAwsError("ValidationException"):
            self.create_grant(acct_arn(helpers.MGMT))

    def test_unknown_grant(self):
        bogus = "arn:aws:license-manager::111111111111:grant:g-" + "0" * 32
        with self.assertAwsError("InvalidParameterValueException"):
            self.lm.get_grant(GrantArn=bogus)

    def test_member_account_access_denied(self):
        member = self.assumed("222222222222")
        calls = {
            "ListDistributedGrants": member.list_distributed_grants,
            "ListReceivedLicenses": member.list_received_licenses,
            "CreateGrant": lambda: member.create_grant(
                ClientToken="m", GrantName="g", LicenseArn=self.license_arn(),
                Principals=[acct_arn("333333333333")], HomeRegion="us-east-1",
                AllowedOperations=["CheckoutLicense"]),
        }
        for name, call in calls.items():
            with self.subTest(operation=name):
                with self.assertAwsError("AccessDeniedException",
                                         contains="222222222222"):
                    call()
        created = self.create_grant(acct_arn("333333333333"))
        with self.assertAwsError("AccessDeniedException"):
            member.delete_grant(GrantArn=created["GrantArn"], Version="1")
        member_orgs = self.assumed("222222222222", "organizations")
        with self.assertAwsError("AccessDeniedException"):
            member_orgs.list_roots()


class GrantLimit(helpers.EmulatorTestCase):
    options = {"grant_limit": 2}

    def test_limit_counts_live_grants_per_license(self):
        first = self.create_grant(acct_arn("222222222222"))
        self.create_grant(acct_arn("333333333333"))
        with self.assertAwsError("ResourceLimitExceededException"):
            self.create_grant(acct_arn("444444444444"))
        # Another license has its own budget; tombstones do not count.
        self.create_grant(acct_arn("444444444444"), sku=helpers.HAIKU_SKU)
        self.lm.delete_grant(GrantArn=first["GrantArn"], Version=self.get_grant(
            first["GrantArn"])["Version"])
        self.create_grant(acct_arn("444444444444"))

    def test_default_limit_is_2000(self):
        self.config(grant_limit=None)
        self.assertIsNone(self.state()["config"]["grant_limit"])


class DefaultGrantLimit(helpers.EmulatorTestCase):
    """2,000 live grants preloaded for one license: the 2,001st fails."""
    fixture = genfixture.generate(licenses=1, accounts=2001, ous=3,
                                  grants_status="DISABLED", seed=5)
    fixture["grants"].pop()            # leave account #2001 without a grant

    def test_2000th_is_the_last(self):
        lic = self.fixture["licenses"][0]["arn"]
        spare = self.fixture["accounts"][-1]["id"]
        params = dict(GrantName="g", LicenseArn=lic,
                      Principals=[acct_arn(spare)], HomeRegion="us-east-1",
                      AllowedOperations=["CheckoutLicense"])
        with self.assertAwsError("ResourceLimitExceededException",
                                 contains="2000"):
            self.lm.create_grant(ClientToken="one-too-many", **params)
        first = self.fixture["grants"][0]["arn"]
        self.lm.delete_grant(GrantArn=first, Version="1")
        self.lm.create_grant(ClientToken="fits-now", **params)


class OrganizationGrants(helpers.EmulatorTestCase):

    def test_ou_grant_lifecycle_with_moves(self):
        created = self.create_grant(ou_arn(WORKLOADS))
        arn = created["GrantArn"]
        self.assertEqual(created["Status"], "PENDING_WORKFLOW")
        self.assertEqual(self.get_grant(arn)["GrantStatus"], "DISABLED")

        subs = self.sub_grants(arn)
        # Workloads contains Prod (222, 555) and Dev (333): nested OUs count.
        self.assertEqual(sorted(subs), ["222222222222", "333333333333",
                                        "555555555555"])
        for sub in subs.values():
            self.assertEqual(sub["GrantStatus"], "DISABLED")
            self.assertEqual(sub["ParentArn"], arn)
            self.assertEqual(sub["LicenseArn"], self.license_arn())
            self.assertRegex(sub["GrantArn"], r":grant:g-[0-9a-f]{32}$")
            self.assertNotEqual(sub["GrantArn"], arn)
        # Sub-grants never appear among distributed grants.
        self.assertEqual([g["GrantArn"] for g in
                          self.lm.list_distributed_grants()["Grants"]], [arn])

        self.activate(arn)
        self.assertEqual(self.get_grant(arn)["GrantStatus"],
                         "WORKFLOW_COMPLETED")
        self.assertEqual({s["GrantStatus"] for s in
                          self.sub_grants(arn).values()}, {"ACTIVE"})

        # 444 joins the subtree: DISABLED sub-grant, parent unchanged.
        self.admin("POST", "/_emu/account/move",
                   {"account": "444444444444", "parent": "ou-ab12-dev00001"})
        subs = self.sub_grants(arn)
        self.assertEqual(subs["444444444444"]["GrantStatus"], "DISABLED")
        self.assertEqual(self.get_grant(arn)["GrantStatus"],
                         "WORKFLOW_COMPLETED")
        # 222 leaves: its sub-grant is DELETED.
        self.admin("POST", "/_emu/account/move",
                   {"account": "222222222222", "parent": SANDBOX})
        subs = self.sub_grants(arn)
        self.assertEqual(subs["222222222222"]["GrantStatus"], "DELETED")
        # Activating again turns the newcomer ACTIVE.
        self.activate(arn)
        subs = self.sub_grants(arn)
        self.assertEqual(subs["444444444444"]["GrantStatus"], "ACTIVE")
        self.assertEqual(subs["222222222222"]["GrantStatus"], "DELETED")

        # Deleting the parent deletes every sub-grant.
        version = self.get_grant(arn)["Version"]
        self.lm.delete_grant(GrantArn=arn, Version=version)
        self.assertEqual({s["GrantStatus"] for s in
                          self.sub_grants(arn).values()}, {"DELETED"})

    def test_organization_grant_covers_all_but_management(self):
        created = self.create_grant(org_arn())
        subs = self.sub_grants(created["GrantArn"])
        self.assertEqual(sorted(subs), ["222222222222", "333333333333",
                                        "444444444444", "555555555555",
                                        "666666666666"])
        self.activate(created["GrantArn"])
        self.assertEqual(self.get_grant(created["GrantArn"])["GrantStatus"],
                         "WORKFLOW_COMPLETED")

    def test_subgrants_filters(self):
        created = self.create_grant(ou_arn(PROD))
        lic = self.license_arn()
        out = self.lm.list_received_grants_for_organization(
            LicenseArn=lic, Filters=[{"Name": "GranteePrincipalArn",
                                      "Values": [acct_arn("555555555555")]}])
        self.assertEqual([g["GranteePrincipalArn"] for g in out["Grants"]],
                         [acct_arn("555555555555")])
        with self.assertAwsError("InvalidParameterValueException",
                                 contains="GranteePrincipalARN"):
            self.lm.list_received_grants_for_organization(
                LicenseArn=lic, Filters=[{"Name": "GranteePrincipalARN",
                                          "Values": [acct_arn("555555555555")]}])
        self.assertEqual(len(self.sub_grants(created["GrantArn"])), 2)

    def test_trusted_access_off(self):
        self.admin("POST", "/_emu/org/set", {"trusted_access": False})
        for principal in (ou_arn(PROD), org_arn()):
            with self.assertAwsError("ValidationException") as cm:
                self.create_grant(principal)
            self.assertEqual(
                cm.exception.response["Error"]["Message"],
                "License Manager cannot access your organization. Enable "
                "trusted access for AWS License Manager in AWS Organizations "
                "(Trusted Access) and try again.")
        # Account grants do not need trusted access.
        self.create_grant(acct_arn("222222222222"))

    def test_fixture_grants_materialize_subgrants(self):
        added = self.admin("POST", "/_emu/grant/add", {
            "license_arn": self.license_arn(), "principal": ou_arn(PROD),
            "status": "WORKFLOW_COMPLETED", "version": "2",
            "operations": ["CheckoutLicense"]})
        subs = self.sub_grants(added["arn"])
        self.assertEqual({k: v["GrantStatus"] for k, v in subs.items()},
                         {"222222222222": "ACTIVE", "555555555555": "ACTIVE"})


if __name__ == "__main__":
    unittest.main()
