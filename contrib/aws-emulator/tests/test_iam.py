"""Issue 13: identity policies, License Manager's delegated administrator,
trusted access as Organizations lists it, AssumeRoleWithWebIdentity."""

import json
import os
import unittest

import botocore
from botocore.config import Config

from tests import helpers
from tests.helpers import MGMT, SONNET_SKU, acct_arn, ou_arn

DA = "666666666666"
DA_KEY = "AKIAEMULATORDELEG006"
DA_SECRET = "delegSecretKey/ForTestsOnly0000000000006"
RO_KEY = "AKIAEMULATORREAD0007"
RO_SECRET = "readSecretKey/ForTestsOnly00000000000007"
LIMITED_KEY = "AKIAEMULATORLIMIT008"
LIMITED_SECRET = "limitSecretKey/ForTestsOnly0000000000008"
WEB_ROLE = "arn:aws:iam::111111111111:role/LmgrantdWeb"
WEB_TOKEN = "eyJhbGciOiJSUzI1NiJ9.emulator-web-identity.sig"
DA_LICENSE = ("arn:aws:license-manager::294406891311:license:"
              "l-dddddddddddddddddddddddddddddddd")
READONLY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["license-manager:List*",
                                   "license-manager:GetGrant",
                                   "organizations:Describe*",
                                   "organizations:List*"],
     "Resource": "*"}]}


def _fixture():
    fx = helpers.load_demo()
    fx["delegated_administrators"] = [
        {"account": DA, "service_principal": "license-manager.amazonaws.com"}]
    fx["licenses"].append({"arn": DA_LICENSE, "name": "Sonnet (DA)",
                           "product_sku": "prod-deleg0000001",
                           "beneficiary": DA})
    fx["credentials"] += [
        {"access_key_id": DA_KEY, "secret_access_key": DA_SECRET,
         "account": DA, "user": "lmgrantd"},
        {"access_key_id": RO_KEY, "secret_access_key": RO_SECRET,
         "account": MGMT, "user": "ci", "policy": READONLY},
        {"access_key_id": LIMITED_KEY, "secret_access_key": LIMITED_SECRET,
         "account": MGMT, "user": "limited",
         "policy": ["license-manager:CreateGrant",
                    "license-manager:ListReceivedLicenses"]}]
    fx["roles"].append({"arn": WEB_ROLE, "trusted_accounts": [],
                        "policy": ["license-manager:ListReceivedLicenses"]})
    fx["web_identities"] = [{"token": WEB_TOKEN, "role_arn": WEB_ROLE,
                             "subject": "system:serviceaccount:lm:lmgrantd"}]
    return fx


class Policies(helpers.EmulatorTestCase):
    fixture = _fixture()

    def test_readonly_policy_allows_reads_denies_writes(self):
        lm = self.client("license-manager", RO_KEY, RO_SECRET)
        self.assertTrue(lm.list_received_licenses()["Licenses"])
        orgs = self.client("organizations", RO_KEY, RO_SECRET)
        self.assertEqual(orgs.describe_organization()["Organization"]["Id"],
                         helpers.ORG_ID)
        with self.assertAwsError("AccessDeniedException",
                                 contains="license-manager:CreateGrant"):
            lm.create_grant(ClientToken="t1", GrantName="x",
                            LicenseArn=self.license_arn(),
                            Principals=[acct_arn("222222222222")],
                            HomeRegion="us-east-1",
                            AllowedOperations=["CheckoutLicense"])
        # GetCallerIdentity needs no permission.
        sts = self.client("sts", RO_KEY, RO_SECRET)
        self.assertEqual(sts.get_caller_identity()["Account"], MGMT)
        self.assertEqual(self.state()["grants"], [])

    def test_tags_need_tag_resource(self):
        lm = self.client("license-manager", LIMITED_KEY, LIMITED_SECRET)
        params = dict(ClientToken="t2", GrantName="x",
                      LicenseArn=self.license_arn(),
                      Principals=[acct_arn("222222222222")],
                      HomeRegion="us-east-1",
                      AllowedOperations=["CheckoutLicense"])
        with self.assertAwsError("AccessDeniedException",
                                 contains="license-manager:TagResource"):
            lm.create_grant(Tags=[{"Key": "managed-by", "Value": "lmgrantd"}],
                            **params)
        self.assertEqual(lm.create_grant(**params)["Status"],
                         "PENDING_WORKFLOW")

    def test_policy_as_action_list_denies_org_reads(self):
        orgs = self.client("organizations", LIMITED_KEY, LIMITED_SECRET)
        with self.assertAwsError("AccessDeniedException",
                                 contains="organizations:DescribeOrganization"):
            orgs.describe_organization()


class DelegatedAdministrator(helpers.EmulatorTestCase):
    fixture = _fixture()

    def test_lists_and_trusted_access(self):
        admins = self.orgs.list_delegated_administrators(
            ServicePrincipal="license-manager.amazonaws.com")
        self.assertEqual([a["Id"] for a in admins["DelegatedAdministrators"]],
                         [DA])
        self.assertEqual(self.orgs.list_delegated_administrators(
            ServicePrincipal="other.amazonaws.com")["DelegatedAdministrators"],
            [])
        enabled = self.orgs.list_aws_service_access_for_organization()
        self.assertEqual(
            sorted(p["ServicePrincipal"]
                   for p in enabled["EnabledServicePrincipals"]),
            ["license-management.marketplace.amazonaws.com",
             "license-manager.amazonaws.com"])
        self.admin("POST", "/_emu/org/set",
                   {"trusted_access_marketplace": False})
        enabled = self.orgs.list_aws_service_access_for_organization()
        self.assertEqual([p["ServicePrincipal"]
                          for p in enabled["EnabledServicePrincipals"]],
                         ["license-manager.amazonaws.com"])

    def test_delegated_admin_manages_its_license(self):
        lm = self.client("license-manager", DA_KEY, DA_SECRET)
        orgs = self.client("organizations", DA_KEY, DA_SECRET)
        org = orgs.describe_organization()["Organization"]
        self.assertEqual(org["MasterAccountId"], MGMT)
        self.assertTrue(orgs.list_delegated_administrators()[
            "DelegatedAdministrators"])
        arns = [lic["LicenseArn"] for lic in
                lm.list_received_licenses()["Licenses"]]
        self.assertEqual(arns, [DA_LICENSE])
        # OU principals carry the management account id, not the caller's.
        out = lm.create_grant(ClientToken="t3", GrantName="lmgrantd:x",
                              LicenseArn=DA_LICENSE,
                              Principals=[ou_arn("ou-ab12-prod0001")],
                              HomeRegion="us-east-1",
                              AllowedOperations=["CheckoutLicense"])
        self.advance()
        grants = lm.list_distributed_grants(Filters=[
            {"Name": "LicenseArn", "Values": [DA_LICENSE]}])["Grants"]
        self.assertEqual([g["GrantArn"] for g in grants], [out["GrantArn"]])
        bad = "arn:aws:organizations::%s:ou/%s/ou-ab12-prod0001" % (
            DA, helpers.ORG_ID)
        with self.assertAwsError("ValidationException"):
            lm.create_grant(ClientToken="t4", GrantName="x",
                            LicenseArn=DA_LICENSE, Principals=[bad],
                            HomeRegion="us-east-1",
                            AllowedOperations=["CheckoutLicense"])
        # The management account's license is not the delegate's.
        with self.assertAwsError("InvalidParameterValueException"):
            lm.create_grant(ClientToken="t5", GrantName="x",
                            LicenseArn=self.license_arn(SONNET_SKU),
                            Principals=[acct_arn("222222222222")],
                            HomeRegion="us-east-1",
                            AllowedOperations=["CheckoutLicense"])

    def test_other_member_still_denied(self):
        orgs = self.assumed("333333333333", "organizations")
        with self.assertAwsError("AccessDeniedException"):
            orgs.list_delegated_administrators()
        lm = self.assumed("333333333333")
        with self.assertAwsError("AccessDeniedException"):
            lm.list_received_licenses()

    def test_license_lists_allowed_operations(self):
        lic = self.lm.list_received_licenses()["Licenses"][0]
        self.assertIn("CreateGrant", lic["ReceivedMetadata"]["AllowedOperations"])


class ClockOffset(helpers.EmulatorTestCase):
    def test_client_clock_ahead(self):
        self.config(clock_offset=-3600)
        with self.assertAwsError("InvalidSignatureException",
                                 contains="Signature not yet current"):
            self.orgs.describe_organization()
        self.config(clock_offset=3600)
        with self.assertAwsError("InvalidSignatureException",
                                 contains="Signature expired"):
            self.orgs.describe_organization()
        self.config(clock_offset=None)
        self.orgs.describe_organization()


class WebIdentity(helpers.EmulatorTestCase):
    fixture = _fixture()

    def unsigned_sts(self):
        return helpers.boto3.client(
            "sts", region_name="us-east-1", endpoint_url=self.emu.url,
            config=Config(signature_version=botocore.UNSIGNED,
                          retries={"total_max_attempts": 1}))

    def test_token_gives_role_credentials_with_its_policy(self):
        out = self.unsigned_sts().assume_role_with_web_identity(
            RoleArn=WEB_ROLE, RoleSessionName="ci", WebIdentityToken=WEB_TOKEN)
        creds = out["Credentials"]
        self.assertEqual(out["SubjectFromWebIdentityToken"],
                         "system:serviceaccount:lm:lmgrantd")
        self.assertEqual(out["AssumedRoleUser"]["Arn"],
                         "arn:aws:sts::111111111111:assumed-role/LmgrantdWeb/ci")
        lm = self.client("license-manager", creds["AccessKeyId"],
                         creds["SecretAccessKey"], creds["SessionToken"])
        self.assertTrue(lm.list_received_licenses()["Licenses"])
        with self.assertAwsError("AccessDeniedException",
                                 contains="license-manager:ListDistributedGrants"):
            lm.list_distributed_grants()
        logged = [c for c in self.calls()
                  if c["operation"] == "AssumeRoleWithWebIdentity"]
        self.assertEqual(logged[0]["request"]["WebIdentityToken"], "***")
        self.assertIsNone(logged[0]["access_key_id"])

    def test_wrong_token_or_role(self):
        with self.assertAwsError("InvalidIdentityToken"):
            self.unsigned_sts().assume_role_with_web_identity(
                RoleArn=WEB_ROLE, RoleSessionName="ci",
                WebIdentityToken="not-the-token-0000000")
        with self.assertAwsError("AccessDenied"):
            self.unsigned_sts().assume_role_with_web_identity(
                RoleArn=helpers.ACTIVATOR_ROLE % "222222222222",
                RoleSessionName="ci", WebIdentityToken=WEB_TOKEN)


if __name__ == "__main__":
    unittest.main()
