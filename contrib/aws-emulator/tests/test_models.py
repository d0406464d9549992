"""The shipped model copies, and the emulator's own answers checked against
the models' output shapes."""

import hashlib
import os
import unittest

from tests import helpers
from tests.helpers import acct_arn, ou_arn
import validate


class ModelCopies(unittest.TestCase):

    def test_copies_are_unmodified(self):
        """models/SHA256SUMS records botocore 1.43.11's files: an edit to a
        model (which would make the emulator disagree with AWS) fails here."""
        sums = {}
        with open(os.path.join(helpers.MODELS_DIR, "SHA256SUMS")) as fh:
            for line in fh:
                digest, name = line.split()
                sums[name] = digest
        self.assertEqual(sorted(sums), sorted(validate.MODEL_FILES.values()))
        for name, digest in sums.items():
            with self.subTest(model=name):
                with open(os.path.join(helpers.MODELS_DIR, name), "rb") as fh:
                    self.assertEqual(hashlib.sha256(fh.read()).hexdigest(),
                                     digest)

    def test_clients_use_the_shipped_models(self):
        """boto3 clients of the tests load ./models, not the installed
        botocore's (Debian 12's 1.29 lacks CreateGrant's Tags)."""
        model = helpers.boto_session().client(
            "license-manager", region_name="us-east-1",
            aws_access_key_id="AKIDEXAMPLE",
            aws_secret_access_key="x").meta.service_model
        shipped = validate.load_model("license-manager")
        self.assertEqual(sorted(model.shape_names), sorted(shipped["shapes"]))
        self.assertIn("Tags", model.operation_model("CreateGrant")
                      .input_shape.members)

    def test_every_pattern_compiles(self):
        for service in validate.MODEL_FILES:
            shapes = validate.load_model(service)["shapes"]
            for name, shape in shapes.items():
                if "pattern" in shape:
                    with self.subTest(shape=name):
                        validate.compiled(shape["pattern"])

    def test_unicode_category_patterns(self):
        rx = validate.compiled(r"^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$")
        self.assertTrue(rx.fullmatch("Équipe 42"))
        self.assertFalse(rx.fullmatch("tab\there"))


class OutputsMatchModels(helpers.EmulatorTestCase):
    """Every answer of a realistic session fits the output shape (except the
    epoch-seconds CreateTime, which real AWS sends too)."""

    def setUp(self):
        super().setUp()
        self.outputs = []
        original = self.emu._finish

        def spy(req, err, result, drop=False):
            if err is None and result is not None:
                self.outputs.append((req.service, req.operation, result))
            return original(req, err, result, drop)
        self.emu._finish = spy
        self.addCleanup(setattr, self.emu, "_finish", original)

    def test_outputs(self):
        account = self.create_grant(acct_arn("222222222222"))
        ou = self.create_grant(ou_arn("ou-ab12-prod0001"))
        self.activate(account["GrantArn"], StatusReason="go")
        self.activate(ou["GrantArn"])
        self.lm.get_grant(GrantArn=account["GrantArn"])
        self.lm.list_distributed_grants()
        self.lm.list_received_grants_for_organization(
            LicenseArn=self.license_arn())
        self.lm.list_received_licenses()
        self.lm.delete_grant(GrantArn=account["GrantArn"], Version="4")
        self.assumed("222222222222").list_received_grants()
        self.orgs.describe_organization()
        self.orgs.list_roots()
        self.orgs.list_accounts()
        self.orgs.list_accounts_for_parent(ParentId="r-ab12")
        self.orgs.list_organizational_units_for_parent(ParentId="r-ab12")
        self.orgs.list_children(ParentId="r-ab12", ChildType="ACCOUNT")
        self.orgs.describe_organizational_unit(
            OrganizationalUnitId="ou-ab12-prod0001")
        self.orgs.list_parents(ChildId="222222222222")
        self.sts.get_caller_identity()

        validators = {s: validate.Validator(validate.load_model(s))
                      for s in validate.MODEL_FILES}
        seen = set()
        for service, operation, result in self.outputs:
            v = validators[service]
            shape = v.model["operations"][operation]["output"]["shape"]
            problems = []
            v._structure(shape, result, "", problems, top=True)
            # Known, deliberate: CreateTime is an epoch string (as on real
            # AWS); STS timestamps are ISO 8601 text in the XML.
            problems = [p for p in problems
                        if ".createTime" not in p.message and not (
                            service == "sts" and "type timestamp" in
                            p.message)]
            self.assertEqual([p.message for p in problems], [],
                             "%s %s" % (service, operation))
            seen.add(operation)
        self.assertGreaterEqual(len(seen), 18)


if __name__ == "__main__":
    unittest.main()
