"""Organizations tree reads and STS."""

import datetime
import re
import unittest

from tests import helpers
from tests.helpers import MGMT, ORG_ID


class OrganizationsReads(helpers.EmulatorTestCase):

    def test_describe_organization(self):
        org = self.orgs.describe_organization()["Organization"]
        self.assertEqual(org["Id"], ORG_ID)
        self.assertEqual(org["Arn"], "arn:aws:organizations::%s:organization/"
                                     "%s" % (MGMT, ORG_ID))
        self.assertEqual(org["FeatureSet"], "ALL")
        self.assertEqual(org["MasterAccountId"], MGMT)
        self.assertEqual(org["MasterAccountArn"],
                         "arn:aws:organizations::%s:account/%s/%s" % (
                             MGMT, ORG_ID, MGMT))
        self.assertIn("@", org["MasterAccountEmail"])

    def test_tree(self):
        roots = self.orgs.list_roots()["Roots"]
        self.assertEqual([(r["Id"], r["Name"]) for r in roots],
                         [("r-ab12", "Root")])
        top = self.orgs.list_organizational_units_for_parent(
            ParentId="r-ab12")["OrganizationalUnits"]
        self.assertEqual([(o["Id"], o["Name"]) for o in top],
                         [("ou-ab12-wkld0001", "Workloads"),
                          ("ou-ab12-sbox0001", "Sandbox")])
        self.assertEqual(top[0]["Arn"], helpers.ou_arn("ou-ab12-wkld0001"))
        nested = self.orgs.list_children(
            ParentId="ou-ab12-wkld0001",
            ChildType="ORGANIZATIONAL_UNIT")["Children"]
        self.assertEqual([c["Id"] for c in nested],
                         ["ou-ab12-prod0001", "ou-ab12-dev00001"])
        prod = self.orgs.list_accounts_for_parent(
            ParentId="ou-ab12-prod0001")["Accounts"]
        self.assertEqual([a["Id"] for a in prod],
                         ["222222222222", "555555555555"])
        self.assertEqual(prod[0]["Status"], "ACTIVE")
        self.assertIsInstance(prod[0]["JoinedTimestamp"], datetime.datetime)
        root_accounts = self.orgs.list_children(
            ParentId="r-ab12", ChildType="ACCOUNT")["Children"]
        self.assertEqual([c["Id"] for c in root_accounts],
                         [MGMT, "666666666666"])
        ou = self.orgs.describe_organizational_unit(
            OrganizationalUnitId="ou-ab12-dev00001")["OrganizationalUnit"]
        self.assertEqual(ou["Name"], "Dev")
        parents = self.orgs.list_parents(ChildId="333333333333")["Parents"]
        self.assertEqual(parents, [{"Id": "ou-ab12-dev00001",
                                    "Type": "ORGANIZATIONAL_UNIT"}])
        parents = self.orgs.list_parents(ChildId="ou-ab12-sbox0001")["Parents"]
        self.assertEqual(parents, [{"Id": "r-ab12", "Type": "ROOT"}])

    def test_moves_show_in_tree(self):
        self.admin("POST", "/_emu/account/move",
                   {"account": "666666666666", "parent": "ou-ab12-sbox0001"})
        accounts = self.orgs.list_accounts_for_parent(
            ParentId="ou-ab12-sbox0001")["Accounts"]
        self.assertEqual([a["Id"] for a in accounts],
                         ["444444444444", "666666666666"])
        self.admin("POST", "/_emu/account/move",
                   {"account": "666666666666", "parent": "ou-ab12-nope0001"},
                   expect=400)

    def test_account_joins(self):
        self.admin("POST", "/_emu/account/add",
                   {"account": "777777777777", "parent": "ou-ab12-sbox0001"})
        accounts = self.orgs.list_accounts_for_parent(
            ParentId="ou-ab12-sbox0001")["Accounts"]
        self.assertIn("777777777777", [a["Id"] for a in accounts])
        joined = [a for a in accounts if a["Id"] == "777777777777"][0]
        self.assertEqual(joined["JoinedMethod"], "INVITED")
        self.admin("POST", "/_emu/account/add",
                   {"account": "777777777777", "parent": "r-ab12"}, expect=400)
        self.admin("POST", "/_emu/account/add",
                   {"account": "888888888888", "parent": "ou-ab12-nope0001"},
                   expect=400)
        self.admin("POST", "/_emu/account/add",
                   {"account": "12345", "parent": "r-ab12"}, expect=400)

    def test_not_found_errors(self):
        with self.assertAwsError("ParentNotFoundException", 400) as cm:
            self.orgs.list_accounts_for_parent(ParentId="ou-ab12-nope0001")
        # Organizations' own errors carry "Message".
        self.assertIn("ParentId", cm.exception.response["Error"]["Message"])
        with self.assertAwsError("ParentNotFoundException"):
            self.orgs.list_children(ParentId="r-zz99",
                                    ChildType="ACCOUNT")
        with self.assertAwsError("OrganizationalUnitNotFoundException"):
            self.orgs.describe_organizational_unit(
                OrganizationalUnitId="ou-ab12-nope0001")
        with self.assertAwsError("ChildNotFoundException"):
            self.orgs.list_parents(ChildId="999999999999")

    def test_member_account_denied(self):
        orgs = self.assumed("333333333333", "organizations")
        with self.assertAwsError("AccessDeniedException"):
            orgs.list_roots()
        # Describing its own organization is open to every member.
        self.assertEqual(orgs.describe_organization()["Organization"]
                         ["MasterAccountId"], MGMT)


class NoOrganization(helpers.EmulatorTestCase):
    fixture = dict(helpers.load_demo(), organization=None)

    def test_not_in_use(self):
        with self.assertAwsError("AWSOrganizationsNotInUseException"):
            self.orgs.describe_organization()


def _fixture_with_short_role():
    fixture = helpers.load_demo()
    # No max_session_duration: the AWS default of one hour applies.
    fixture["roles"].append({"arn": SHORT_ROLE,
                             "trusted_accounts": [MGMT, "222222222222"]})
    return fixture


SHORT_ROLE = "arn:aws:iam::444444444444:role/ShortSessions"


class STS(helpers.EmulatorTestCase):
    fixture = _fixture_with_short_role()

    def test_get_caller_identity(self):
        me = self.sts.get_caller_identity()
        self.assertEqual(me["Account"], MGMT)
        self.assertEqual(me["Arn"], "arn:aws:iam::%s:user/ops" % MGMT)
        self.assertRegex(me["UserId"], r"^AIDA[A-Z2-7]{17}$")

    def test_assume_role(self):
        out = self.sts.assume_role(
            RoleArn=helpers.ACTIVATOR_ROLE % "222222222222",
            RoleSessionName="lmgrantd-activate", DurationSeconds=900,
            ExternalId="ext-id")
        creds = out["Credentials"]
        self.assertRegex(creds["AccessKeyId"], r"^ASIA[A-Z2-7]{16}$")
        self.assertEqual(len(creds["SecretAccessKey"]), 40)
        self.assertTrue(creds["SessionToken"])
        remaining = creds["Expiration"] - datetime.datetime.now(
            datetime.timezone.utc)
        self.assertTrue(800 < remaining.total_seconds() <= 900)
        self.assertEqual(out["AssumedRoleUser"]["Arn"],
                         "arn:aws:sts::222222222222:assumed-role/"
                         "LicenseGrantActivator/lmgrantd-activate")
        self.assertTrue(out["AssumedRoleUser"]["AssumedRoleId"].endswith(
            ":lmgrantd-activate"))
        sts = self.client("sts", key=creds["AccessKeyId"],
                          secret=creds["SecretAccessKey"],
                          token=creds["SessionToken"])
        me = sts.get_caller_identity()
        self.assertEqual(me["Account"], "222222222222")
        self.assertEqual(me["Arn"], out["AssumedRoleUser"]["Arn"])
        state_creds = {c["access_key_id"]: c for c in self.state()["credentials"]}
        self.assertTrue(state_creds[creds["AccessKeyId"]]["temporary"])
        self.assertNotIn("secret_access_key", state_creds[creds["AccessKeyId"]])

    def test_assume_role_denied(self):
        with self.assertAwsError("AccessDenied", 400):
            self.sts.assume_role(RoleArn="arn:aws:iam::444444444444:role/Nope",
                                 RoleSessionName="x1")
        # The 333 role trusts only the management account.
        member_sts = self.assumed("222222222222", "sts")
        with self.assertAwsError("AccessDenied", contains="sts:AssumeRole"):
            member_sts.assume_role(
                RoleArn=helpers.ACTIVATOR_ROLE % "333333333333",
                RoleSessionName="x1")

    def test_duration_limits(self):
        self.sts.assume_role(RoleArn=helpers.ACTIVATOR_ROLE % "222222222222",
                             RoleSessionName="x1", DurationSeconds=43200)
        with self.assertAwsError("ValidationError",
                                 contains="MaxSessionDuration"):
            self.sts.assume_role(RoleArn=SHORT_ROLE, RoleSessionName="x1",
                                 DurationSeconds=7200)
        self.sts.assume_role(RoleArn=SHORT_ROLE, RoleSessionName="x1")
        with self.assertAwsError("ValidationError", contains="43200"):
            self.client("sts", validate=False).assume_role(
                RoleArn=helpers.ACTIVATOR_ROLE % "222222222222",
                RoleSessionName="x1", DurationSeconds=50000)
        # Role chaining is capped at one hour.
        chained = self.assumed("222222222222", "sts")
        with self.assertAwsError("ValidationError", contains="chaining"):
            chained.assume_role(RoleArn=SHORT_ROLE, RoleSessionName="x2",
                                DurationSeconds=3601)

    def test_error_xml_shape(self):
        import sigv4
        body = b"Action=AssumeRole&Version=2011-06-15&RoleArn=" \
               b"arn%3Aaws%3Aiam%3A%3A444444444444%3Arole%2FNope" \
               b"&RoleSessionName=abc"
        headers = [("Host", "127.0.0.1:%d" % self.emu.port),
                   ("Content-Type", "application/x-www-form-urlencoded; "
                                    "charset=utf-8")]
        headers = sigv4.sign_headers(
            "POST", "/", "", headers, body, access_key_id=helpers.ADMIN_KEY,
            secret=helpers.ADMIN_SECRET, region="us-east-1", service="sts",
            amz_date=datetime.datetime.now(datetime.timezone.utc).strftime(
                "%Y%m%dT%H%M%SZ"))
        status, resp_headers, xml = self.raw(headers, body)
        self.assertEqual(status, 400)
        self.assertRegex(xml.decode(), re.compile(
            r'^<ErrorResponse xmlns="https://sts.amazonaws.com/doc/'
            r'2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code>'
            r'<Message>[^<]+</Message></Error><RequestId>([0-9a-f-]{36})'
            r'</RequestId></ErrorResponse>$'))
        self.assertIn(resp_headers["x-amzn-RequestId"], xml.decode())

    def test_unknown_action_and_bad_version(self):
        import sigv4
        for body, code in ((b"Action=Nope&Version=2011-06-15", "InvalidAction"),
                           (b"Action=GetCallerIdentity&Version=2010-01-01",
                            "InvalidAction"),
                           (b"Action=GetCallerIdentity&Version=2011-06-15"
                            b"&Bogus=1", "ValidationError")):
            headers = sigv4.sign_headers(
                "POST", "/", "", [("Host", "127.0.0.1"), (
                    "Content-Type", "application/x-www-form-urlencoded")],
                body, access_key_id=helpers.ADMIN_KEY,
                secret=helpers.ADMIN_SECRET, region="us-east-1",
                service="sts", amz_date=datetime.datetime.now(
                    datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ"))
            status, _, xml = self.raw(headers, body)
            with self.subTest(body=body):
                self.assertEqual(status, 400)
                self.assertIn(("<Code>%s</Code>" % code).encode(), xml)


if __name__ == "__main__":
    unittest.main()
