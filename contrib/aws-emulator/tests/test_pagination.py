"""Pagination (page size 3, opaque tokens) and filters of every List op,
on a fixture made by genfixture.py."""

import unittest

from tests import helpers
import genfixture

GEN = genfixture.generate(licenses=4, accounts=8, ous=4,
                          grants_status="ACTIVE", seed=7)
MEMBER = GEN["accounts"][1]["id"]


def collect(method, list_key, **kw):
    """All items of a paginated call and the size of every page."""
    items, sizes, token = [], [], None
    while True:
        page = method(**(dict(kw, NextToken=token) if token else kw))
        items.extend(page[list_key])
        sizes.append(len(page[list_key]))
        token = page.get("NextToken")
        if not token:
            return items, sizes


class Pagination(helpers.EmulatorTestCase):
    fixture = GEN

    def test_generated_fixture_loaded(self):
        state = self.state()
        self.assertEqual(len(state["accounts"]), 9)
        self.assertEqual(len(state["ous"]), 4)
        self.assertEqual(len(state["grants"]), 4 * 8)
        self.assertEqual({g["status"] for g in state["grants"]}, {"ACTIVE"})

    def test_list_distributed_grants(self):
        grants, sizes = collect(self.lm.list_distributed_grants, "Grants")
        self.assertEqual(len(grants), 32)
        self.assertEqual(sizes, [3] * 10 + [2])
        # Creation order, no duplicates.
        self.assertEqual([g["GrantArn"] for g in grants],
                         [g["arn"] for g in GEN["grants"]])
        _, sizes = collect(self.lm.list_distributed_grants, "Grants",
                           MaxResults=2)
        self.assertEqual(sizes, [2] * 16)

    def test_page_size_config(self):
        self.config(page_size=10)
        _, sizes = collect(self.lm.list_distributed_grants, "Grants")
        self.assertEqual(sizes, [10, 10, 10, 2])
        self.config(page_size=None)
        _, sizes = collect(self.lm.list_distributed_grants, "Grants")
        self.assertEqual(sizes, [32])

    def test_list_received_grants(self):
        member = self.assumed(MEMBER)
        grants, sizes = collect(member.list_received_grants, "Grants")
        self.assertEqual(sizes, [3, 1])
        self.assertEqual({g["GranteePrincipalArn"] for g in grants},
                         {helpers.acct_arn(MEMBER)})

    def test_list_received_grants_for_organization(self):
        lic = GEN["licenses"][0]["arn"]
        created = self.lm.create_grant(
            ClientToken="org", GrantName="g", LicenseArn=lic,
            Principals=[helpers.org_arn()], HomeRegion="us-east-1",
            AllowedOperations=["CheckoutLicense"])
        subs, sizes = collect(self.lm.list_received_grants_for_organization,
                              "Grants", LicenseArn=lic)
        self.assertEqual(sizes, [3, 3, 2])
        self.assertEqual({s["ParentArn"] for s in subs},
                         {created["GrantArn"]})

    def test_list_received_licenses(self):
        lics, sizes = collect(self.lm.list_received_licenses, "Licenses")
        self.assertEqual(sizes, [3, 1])
        self.assertEqual([l["LicenseArn"] for l in lics],
                         [l["arn"] for l in GEN["licenses"]])
        self.assertRegex(lics[0]["CreateTime"], r"^\d+$")

    def test_organizations_lists(self):
        accounts, sizes = collect(self.orgs.list_accounts, "Accounts")
        self.assertEqual(sizes, [3, 3, 3])
        self.assertEqual(len({a["Id"] for a in accounts}), 9)
        roots, _ = collect(self.orgs.list_roots, "Roots")
        root = roots[0]["Id"]
        ous, sizes = collect(self.orgs.list_organizational_units_for_parent,
                             "OrganizationalUnits", ParentId=root)
        # OUs 1, 2 and 4 sit under the root; 3 is nested under 2.
        self.assertEqual([o["Id"] for o in ous],
                         ["ou-ab12-00000001", "ou-ab12-00000002",
                          "ou-ab12-00000004"])
        self.assertEqual(sizes, [3])
        _, sizes = collect(self.orgs.list_organizational_units_for_parent,
                           "OrganizationalUnits", ParentId=root, MaxResults=2)
        self.assertEqual(sizes, [2, 1])
        in_ou, _ = collect(self.orgs.list_accounts_for_parent, "Accounts",
                           ParentId="ou-ab12-00000001")
        self.assertEqual(len(in_ou), 2)
        children, sizes = collect(self.orgs.list_children, "Children",
                                  ParentId=root,
                                  ChildType="ORGANIZATIONAL_UNIT")
        self.assertEqual(sizes, [3])
        children, _ = collect(self.orgs.list_children, "Children",
                              ParentId="ou-ab12-00000002",
                              ChildType="ORGANIZATIONAL_UNIT")
        self.assertEqual(children, [{"Id": "ou-ab12-00000003",
                                     "Type": "ORGANIZATIONAL_UNIT"}])
        parents, _ = collect(self.orgs.list_parents, "Parents",
                             ChildId="ou-ab12-00000003")
        self.assertEqual(parents, [{"Id": "ou-ab12-00000002",
                                    "Type": "ORGANIZATIONAL_UNIT"}])

    def test_bad_next_token(self):
        with self.assertAwsError("InvalidParameterValueException"):
            self.lm.list_distributed_grants(NextToken="garbage!")
        token = self.lm.list_distributed_grants()["NextToken"]
        # A token from another query (other filters, other op) is refused.
        with self.assertAwsError("InvalidParameterValueException"):
            self.lm.list_distributed_grants(NextToken=token, Filters=[
                {"Name": "GrantStatus", "Values": ["ACTIVE"]}])
        member = self.assumed(MEMBER)
        with self.assertAwsError("InvalidParameterValueException"):
            member.list_received_grants(NextToken=token)
        # Changing MaxResults between pages is allowed.
        self.lm.list_distributed_grants(NextToken=token, MaxResults=5)
        with self.assertAwsError("InvalidInputException") as cm:
            self.orgs.list_accounts(NextToken="garbage")
        self.assertEqual(cm.exception.response["Reason"], "INVALID_NEXT_TOKEN")
        orgs_token = self.orgs.list_accounts()["NextToken"]
        with self.assertAwsError("InvalidInputException"):
            self.orgs.list_accounts_for_parent(ParentId="r-ab12",
                                               NextToken=orgs_token)


class Filters(helpers.EmulatorTestCase):
    fixture = GEN

    def ldg(self, name, value):
        grants, _ = collect(self.lm.list_distributed_grants, "Grants",
                            Filters=[{"Name": name, "Values": [value]}])
        return grants

    def test_distributed_grant_filters(self):
        lic = GEN["licenses"][1]
        self.assertEqual(len(self.ldg("LicenseArn", lic["arn"])), 8)
        self.assertEqual(len(self.ldg("ProductSKU", lic["product_sku"])), 8)
        self.assertEqual(len(self.ldg("GrantStatus", "ACTIVE")), 32)
        self.assertEqual(len(self.ldg("GrantStatus", "DISABLED")), 0)
        self.assertEqual(len(self.ldg("LicenseIssuerName",
                                      "AWS/Marketplace")), 32)
        self.assertEqual(len(self.ldg("GranteePrincipalARN",
                                      helpers.acct_arn(MEMBER))), 4)
        both = self.lm.list_distributed_grants(Filters=[
            {"Name": "LicenseArn", "Values": [lic["arn"]]},
            {"Name": "GranteePrincipalARN",
             "Values": [helpers.acct_arn(MEMBER)]}])["Grants"]
        self.assertEqual(len(both), 1)

    def test_filter_name_case_matters(self):
        with self.assertAwsError("InvalidParameterValueException",
                                 contains="GranteePrincipalArn"):
            self.ldg("GranteePrincipalArn", helpers.acct_arn(MEMBER))
        with self.assertAwsError("InvalidParameterValueException",
                                 contains="licenseArn"):
            self.ldg("licenseArn", GEN["licenses"][0]["arn"])

    def test_filter_needs_exactly_one_value(self):
        with self.assertAwsError("InvalidParameterValueException",
                                 contains="GrantStatus"):
            self.lm.list_distributed_grants(Filters=[
                {"Name": "GrantStatus", "Values": ["ACTIVE", "DISABLED"]}])
        with self.assertAwsError("InvalidParameterValueException",
                                 contains="GrantStatus"):
            self.lm.list_distributed_grants(Filters=[
                {"Name": "GrantStatus", "Values": ["active"]}])

    def test_received_license_filters(self):
        lic = GEN["licenses"][2]
        for name, value, count in (("ProductSKU", lic["product_sku"], 1),
                                   ("Status", "AVAILABLE", 4),
                                   ("IssuerName", "AWS/Marketplace", 4),
                                   ("Beneficiary", helpers.MGMT, 4),
                                   ("Fingerprint", "none", 0)):
            with self.subTest(filter=name):
                found, _ = collect(self.lm.list_received_licenses, "Licenses",
                                   Filters=[{"Name": name, "Values": [value]}])
                self.assertEqual(len(found), count)
        with self.assertAwsError("InvalidParameterValueException",
                                 contains="LicenseArn"):
            self.lm.list_received_licenses(
                Filters=[{"Name": "LicenseArn", "Values": [lic["arn"]]}])

    def test_received_grants_for_org_requires_known_license(self):
        with self.assertAwsError("InvalidParameterValueException"):
            self.lm.list_received_grants_for_organization(
                LicenseArn="arn:aws:license-manager::294406891311:license:"
                           "l-" + "f" * 32)


if __name__ == "__main__":
    unittest.main()
