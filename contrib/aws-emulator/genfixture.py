#!/usr/bin/env python3
"""Generate a large emulator fixture.

  genfixture.py --licenses N --accounts M --ous K \
      --grants-status {none,ACTIVE,DISABLED} --out FILE [--seed S]

M member accounts (plus the management account 111111111111 under the root)
are spread round-robin over K OUs; every third OU is nested under the one
before it so subtrees have depth.  With --grants-status other than "none",
every (license, member account) pair gets one pre-existing account grant in
that status.  The same --seed gives the same file.
"""

import argparse
import json
import os
import random
import string
import sys

MANAGEMENT = "111111111111"
SELLER = "294406891311"
ORG_ID = "o-exampleorg1"
ROOT_ID = "r-ab12"


def hex32(rng):
    return "%032x" % rng.getrandbits(128)


def make_ous(count, rng):
    ous = []
    for i in range(count):
        ou_id = "ou-ab12-%08d" % (i + 1)
        # Every third OU nests under the previous one: exercises subtrees.
        parent = ous[-1]["id"] if i % 3 == 2 else ROOT_ID
        ous.append({"id": ou_id, "name": "ou-%d" % (i + 1), "parent": parent})
    return ous


def make_accounts(count, ous):
    accounts = [{"id": MANAGEMENT, "name": "management",
                 "email": "management@example.com", "parent": ROOT_ID,
                 "requires_accept": False}]
    for i in range(count):
        acct = "%012d" % (200000000000 + i)
        parent = ous[i % len(ous)]["id"] if ous else ROOT_ID
        accounts.append({"id": acct, "name": "member-%d" % i,
                         "email": "member-%d@example.com" % i,
                         "parent": parent, "requires_accept": False})
    return accounts


def make_licenses(count, rng):
    licenses = []
    for i in range(count):
        sku = "prod-" + "".join(rng.choice(string.ascii_lowercase +
                                           string.digits) for _ in range(13))
        licenses.append({
            "arn": "arn:aws:license-manager::%s:license:l-%s" % (SELLER,
                                                                 hex32(rng)),
            "name": "Product %d" % i, "product_name": "Product %d" % i,
            "product_sku": sku, "issuer": "AWS/Marketplace",
            "status": "AVAILABLE", "home_region": "us-east-1",
            "beneficiary": MANAGEMENT})
    return licenses


def make_grants(licenses, accounts, status, rng):
    if status == "none":
        return []
    grants = []
    for lic in licenses:
        for acct in accounts:
            if acct["id"] == MANAGEMENT:
                continue
            grants.append({
                "arn": "arn:aws:license-manager::%s:grant:g-%s" % (
                    MANAGEMENT, hex32(rng)),
                "name": "lmgrantd:%s" % lic["product_sku"],
                "license_arn": lic["arn"],
                "principal": "arn:aws:iam::%s:root" % acct["id"],
                "status": status,
                # Activation is a new version on real AWS.
                "version": "2" if status == "ACTIVE" else "1",
                "operations": ["CheckoutLicense", "CheckInLicense"],
                "home_region": "us-east-1"})
    return grants


def generate(licenses, accounts, ous, grants_status, seed):
    rng = random.Random(seed)
    ou_list = make_ous(ous, rng)
    account_list = make_accounts(accounts, ou_list)
    license_list = make_licenses(licenses, rng)
    return {
        "organization": {"id": ORG_ID, "management_account": MANAGEMENT,
                         "trusted_access": True},
        "root": {"id": ROOT_ID, "name": "Root"},
        "ous": ou_list,
        "accounts": account_list,
        "licenses": license_list,
        "grants": make_grants(license_list, account_list, grants_status, rng),
        "credentials": [{"access_key_id": "AKIAEMULATORADMIN001",
                         "secret_access_key":
                             "emulatorSecretKey/ForTestsOnly0000000001",
                         "account": MANAGEMENT, "user": "ops"}],
        "roles": [{"arn": "arn:aws:iam::%s:role/LicenseGrantActivator" %
                   a["id"], "trusted_accounts": [MANAGEMENT]}
                  for a in account_list if a["id"] != MANAGEMENT],
    }


def main(argv=None):
    p = argparse.ArgumentParser(description="Generate a large fixture.")
    p.add_argument("--licenses", type=int, required=True)
    p.add_argument("--accounts", type=int, required=True)
    p.add_argument("--ous", type=int, default=0)
    p.add_argument("--grants-status", choices=["none", "ACTIVE", "DISABLED"],
                   default="none")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)
    if min(args.licenses, args.accounts, args.ous) < 0:
        p.error("counts must not be negative")
    fixture = generate(args.licenses, args.accounts, args.ous,
                       args.grants_status, args.seed)
    tmp = args.out + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(fixture, fh, indent=1)
        fh.write("\n")
    os.replace(tmp, args.out)
    print("wrote %s: %d licenses, %d accounts, %d OUs, %d grants" % (
        args.out, len(fixture["licenses"]), len(fixture["accounts"]),
        len(fixture["ous"]), len(fixture["grants"])), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
