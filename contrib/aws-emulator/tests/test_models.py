"""The shipped model copies, and the emulator's own answers checked against
the models' output shapes."""

import filecmp
import os
import unittest

from tests import helpers
from tests.helpers import acct_arn, ou_arn
import validate

SHARED_AWS = os.path.join(helpers.shared_dir(), "aws")


class ModelCopies(unittest.TestCase):

    @unittest.skipUnless(os.path.isdir(SHARED_AWS),
                         "shared models not found at %s (set LMGRANTD_SHARED)"
                         % SHARED_AWS)
    def test_local_copies_match_shared(self):
        for name in validate.MODEL_FILES.values():
            with self.subTest(model=name):
                self.assertTrue(filecmp.cmp(
                    os.path.join(helpers.EMU_DIR, "models", name),
                    os.path.join(SHARED_AWS, name), shallow=False))

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
