"""Model validation of inputs and protocol-level rejections."""

import unittest

from tests import helpers

CG = "AWSLicenseManager.CreateGrant"


class ValidationTests(helpers.EmulatorTestCase):

    def grant_body(self, **changes):
        body = {"ClientToken": "tok-1", "GrantName": "g",
                "LicenseArn": self.license_arn(),
                "Principals": [helpers.acct_arn("222222222222")],
                "HomeRegion": "us-east-1",
                "AllowedOperations": ["CheckoutLicense"]}
        body.update(changes)
        return {k: v for k, v in body.items() if v is not None}

    def expect(self, target, body, error_type, *fragments, **kw):
        status, headers, answer = self.signed_json(target, body, **kw)
        self.assertEqual(status, 400, answer)
        self.assertEqual(answer["__type"], error_type, answer)
        message = answer.get("message", answer.get("Message"))
        for fragment in fragments:
            self.assertIn(fragment, message)
        self.assertIn("x-amzn-RequestId", headers)
        return answer

    def test_unknown_member(self):
        self.expect(CG, self.grant_body(Foo=1), "ValidationException",
                    'Unknown parameter in input: "Foo", must be one of: '
                    "ClientToken, GrantName")

    def test_unknown_nested_member(self):
        self.expect("AWSLicenseManager.ListDistributedGrants",
                    {"Filters": [{"Name": "LicenseArn", "Values": ["x"],
                                  "Bogus": 1}]},
                    "ValidationException",
                    'Unknown parameter in filters.1.member: "Bogus"')

    def test_bad_enum(self):
        self.expect(CG, self.grant_body(AllowedOperations=["Checkout"]),
                    "ValidationException",
                    "Value 'Checkout' at 'allowedOperations.1.member' failed "
                    "to satisfy constraint: Member must satisfy enum value set")

    def test_pattern(self):
        self.expect(CG, self.grant_body(Principals=["not-an-arn"]),
                    "ValidationException",
                    "1 validation error detected: Value 'not-an-arn' at "
                    "'principals.1.member' failed to satisfy constraint: "
                    "Member must satisfy regular expression pattern: ^arn:aws")

    def test_too_long_list(self):
        two = [helpers.acct_arn("222222222222"), helpers.acct_arn("333333333333")]
        self.expect(CG, self.grant_body(Principals=two), "ValidationException",
                    "at 'principals' failed to satisfy constraint: Member must "
                    "have length less than or equal to 1")

    def test_empty_and_too_long_operation_lists(self):
        self.expect(CG, self.grant_body(AllowedOperations=[]),
                    "ValidationException", "'allowedOperations'",
                    "greater than or equal to 1")
        self.expect(CG, self.grant_body(
            AllowedOperations=["CheckoutLicense"] * 9),
            "ValidationException", "less than or equal to 8")

    def test_required_member(self):
        self.expect(CG, self.grant_body(GrantName=None), "ValidationException",
                    "Value null at 'grantName' failed to satisfy constraint: "
                    "Member must not be null")

    def test_several_errors_are_counted(self):
        self.expect(CG, self.grant_body(GrantName=None, HomeRegion=None),
                    "ValidationException", "2 validation errors detected")

    def test_types(self):
        self.expect("AWSLicenseManager.ListDistributedGrants",
                    {"MaxResults": "5"}, "ValidationException",
                    "'maxResults'", "integer")
        self.expect(CG, self.grant_body(GrantName=7), "ValidationException",
                    "'grantName'", "string")
        self.expect(CG, self.grant_body(Tags={"a": "b"}),
                    "ValidationException", "'tags'", "list")

    def test_max_results_limits(self):
        lm = self.client("license-manager", validate=False)
        with self.assertAwsError("ValidationException",
                                 contains="less than or equal to 100"):
            lm.list_distributed_grants(MaxResults=101)
        orgs = self.client("organizations", validate=False)
        with self.assertAwsError("InvalidInputException",
                                 contains="less than or equal to 20") as cm:
            orgs.list_accounts(MaxResults=21)
        self.assertEqual(cm.exception.response["Reason"], "MAX_VALUE_EXCEEDED")

    def test_organizations_pattern_errors(self):
        orgs = self.client("organizations", validate=False)
        with self.assertAwsError("InvalidInputException",
                                 contains="'parentId'") as cm:
            orgs.list_children(ParentId="bogus", ChildType="ACCOUNT")
        self.assertEqual(cm.exception.response["Reason"], "INVALID_PATTERN")
        with self.assertAwsError("InvalidInputException",
                                 contains="enum value set"):
            orgs.list_children(ParentId="r-ab12", ChildType="USER")

    def test_sts_validation(self):
        sts = self.client("sts", validate=False)
        with self.assertAwsError("ValidationError",
                                 contains="'roleSessionName'"):
            sts.assume_role(RoleArn=helpers.ACTIVATOR_ROLE % "222222222222",
                            RoleSessionName="bad name!")
        with self.assertAwsError("ValidationError",
                                 contains="'durationSeconds'"):
            sts.assume_role(RoleArn=helpers.ACTIVATOR_ROLE % "222222222222",
                            RoleSessionName="ok", DurationSeconds=60)

    def test_invalid_json(self):
        self.expect(CG, "{not json", "SerializationException")
        self.expect(CG, "[1,2]", "SerializationException")

    def test_content_type_must_be_json_1_1(self):
        status, _, body = self.signed_json(
            "AWSLicenseManager.ListDistributedGrants", {},
            content_type="application/json")
        self.assertEqual(status, 415)
        self.assertEqual(body["__type"], "UnsupportedMediaTypeException")

    def test_unknown_target(self):
        for target in ("AWSLicenseManager.NoSuchOperation",
                       "AWSNoSuchService.ListThings", "AWSLicenseManager"):
            with self.subTest(target=target):
                self.expect(target, {}, "UnknownOperationException")

    def test_missing_target(self):
        status, _, body = self.raw(
            [("Host", "x"), ("Content-Type", "application/x-amz-json-1.1")],
            b"{}")
        self.assertEqual(status, 400)
        self.assertEqual(body["__type"], "UnknownOperationException")

    def test_non_post(self):
        status, headers, body = self.raw([("Host", "x")], b"", method="GET")
        self.assertEqual(status, 400)
        self.assertEqual(body["__type"], "UnknownOperationException")
        self.assertIn("x-amzn-RequestId", headers)

    def test_unimplemented_operation_is_explicit(self):
        status, _, body = self.signed_json("AWSLicenseManager.ListLicenses",
                                           {})
        self.assertEqual(status, 501)
        self.assertEqual(body["__type"], "NotImplementedException")


if __name__ == "__main__":
    unittest.main()
