"""The emulator's world: organization tree, licenses, grants, credentials.

Everything here runs under the server's single global lock; nothing in this
module locks by itself.  Grant workflows (PENDING_WORKFLOW -> ...,
PENDING_DELETE -> DELETED) complete lazily: the server calls tick() at the
start of every request, so a delay of 0 means "done by the next request".
Activations end under AWS's rule of one active license per product per
account (see _activate and README.md "AWS rules").
"""

import copy
import datetime
import hashlib
import random
import re
import time

import iam

PENDING_WORKFLOW = "PENDING_WORKFLOW"
PENDING_ACCEPT = "PENDING_ACCEPT"
REJECTED = "REJECTED"
ACTIVE = "ACTIVE"
DISABLED = "DISABLED"
DELETED = "DELETED"
WORKFLOW_COMPLETED = "WORKFLOW_COMPLETED"
FAILED_WORKFLOW = "FAILED_WORKFLOW"
PENDING_DELETE = "PENDING_DELETE"
GRANT_STATUSES = ["PENDING_WORKFLOW", "PENDING_ACCEPT", "REJECTED", "ACTIVE",
                  "FAILED_WORKFLOW", "DELETED", "PENDING_DELETE", "DISABLED",
                  "WORKFLOW_COMPLETED"]

# ReceivedMetadata.AllowedOperations values (the API's enum); a license
# allows all of them unless its fixture says otherwise.
ALLOWED_OPERATIONS = ["CreateGrant", "CheckoutLicense", "CheckInLicense",
                      "ExtendConsumptionLicense", "ListPurchasedLicenses",
                      "CreateToken", "CheckoutBorrowLicense"]
LICENSE_STATUSES = ["AVAILABLE", "PENDING_AVAILABLE", "DEACTIVATED",
                    "SUSPENDED", "EXPIRED", "PENDING_DELETE", "DELETED"]
SUBSCRIPTION_ACTIVE = "ACTIVE"
SUBSCRIPTION_REPLACED = "REPLACED"
# Behaviour when an activation meets another active license of the product
# (Options.ActivationOverrideBehavior); absent means the first.
DISTRIBUTED_GRANTS_ONLY = "DISTRIBUTED_GRANTS_ONLY"
ALL_GRANTS_PERMITTED_BY_ISSUER = "ALL_GRANTS_PERMITTED_BY_ISSUER"

ACCOUNT_RE = re.compile(r"^\d{12}$")
ACCOUNT_PRINCIPAL_RE = re.compile(r"^arn:aws:iam::(\d{12}):root$")
OU_PRINCIPAL_RE = re.compile(
    r"^arn:aws:organizations::(\d{12}):ou/(o-[a-z0-9]{10,32})/"
    r"(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$")
ORG_PRINCIPAL_RE = re.compile(
    r"^arn:aws:organizations::(\d{12}):organization/(o-[a-z0-9]{10,32})$")

DEFAULT_CREATE_TIME = 1735689600          # 2025-01-01T00:00:00Z
DEFAULT_JOINED_TIME = 1704067200          # 2024-01-01T00:00:00Z


class ApiError(Exception):
    """An AWS error answer.  `type` is the bare __type (no namespace)."""

    def __init__(self, type_, message, status=400, extra=None):
        super().__init__(message)
        self.type = type_
        self.message = message
        self.status = status
        self.extra = extra or {}


class FixtureError(Exception):
    pass


def admin_error(message):
    """A bad admin API request (answered 400 with the message)."""
    return ApiError("BadRequest", message)


# --------------------------------------------------------------------------
# Credentials
# --------------------------------------------------------------------------

def _stable_id(prefix, text, length=17):
    """Deterministic IAM-style unique id (AIDA..., AROA...) for a name."""
    digest = hashlib.sha256(text.encode()).hexdigest().upper()
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    return prefix + "".join(alphabet[int(c, 16) * 2 % 32] for c in digest[:length])


class Credential:
    """An access key the emulator accepts.  Long-term keys come from the
    fixture; temporary (ASIA...) keys are issued by AssumeRole."""

    def __init__(self, access_key_id, secret, account, *, user=None,
                 role_arn=None, session_name=None, session_token=None,
                 expiration=None, source_arn=None):
        self.access_key_id = access_key_id
        self.secret = secret
        self.account = account
        self.user = user
        self.role_arn = role_arn
        self.session_name = session_name
        self.session_token = session_token
        self.expiration = expiration          # epoch seconds or None
        self.source_arn = source_arn          # who called AssumeRole
        self.force_expired = False
        self.policy = None                    # allowed actions (iam.py)

    @property
    def temporary(self):
        return self.session_token is not None

    @property
    def arn(self):
        if self.role_arn:
            role_name = self.role_arn.rsplit("/", 1)[-1]
            return "arn:aws:sts::%s:assumed-role/%s/%s" % (
                self.account, role_name, self.session_name)
        return "arn:aws:iam::%s:user/%s" % (self.account, self.user)

    @property
    def user_id(self):
        if self.role_arn:
            return _stable_id("AROA", self.role_arn) + ":" + self.session_name
        return _stable_id("AIDA", self.arn)

    def expired(self, now_dt):
        if self.force_expired:
            return True
        return self.expiration is not None and \
            now_dt.timestamp() >= self.expiration

    def public(self, now):
        """State view: never the secret or the session token."""
        out = {"access_key_id": self.access_key_id, "account": self.account,
               "arn": self.arn, "temporary": self.temporary}
        if self.temporary:
            out.update({
                "role_arn": self.role_arn, "session_name": self.session_name,
                "source_arn": self.source_arn,
                "expiration": iso8601(self.expiration),
                "expired": self.force_expired or now >= self.expiration})
        return out


def iso8601(epoch):
    return datetime.datetime.fromtimestamp(
        epoch, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------
# Grants
# --------------------------------------------------------------------------

class Grant:
    def __init__(self, **kw):
        self.arn = kw["arn"]
        self.name = kw["name"]
        self.parent_arn = kw["parent_arn"]
        self.license_arn = kw["license_arn"]
        self.principal = kw["principal"]
        self.status = kw["status"]
        self.version = str(kw.get("version", "1"))
        self.operations = list(kw["operations"])
        self.home_region = kw["home_region"]
        self.tags = list(kw.get("tags") or [])
        self.options = kw.get("options")
        self.status_reason = kw.get("status_reason")
        # True when the emulator, not a client, wrote status_reason (the
        # one-active rule, a failed workflow): a later activation clears it.
        self.reason_by_aws = False
        self.client_tokens = list(kw.get("client_tokens") or [])
        self.seq = kw["seq"]
        # {"kind": "create"|"activate"|"delete", "started": epoch} while a workflow
        # the emulator will complete is running.
        self.workflow = None
        # OU/organization grants get per-account sub-grants once their first
        # workflow finished.
        self.materialized = False

    @property
    def is_sub(self):
        return ":grant:" in self.parent_arn

    def bump(self):
        self.version = str(int(self.version) + 1)

    def api(self):
        """The Grant structure of the License Manager API."""
        out = {
            "GrantArn": self.arn, "GrantName": self.name,
            "ParentArn": self.parent_arn, "LicenseArn": self.license_arn,
            "GranteePrincipalArn": self.principal,
            "HomeRegion": self.home_region, "GrantStatus": self.status,
            "Version": self.version,
            "GrantedOperations": list(self.operations),
        }
        if self.status_reason:
            out["StatusReason"] = self.status_reason
        if self.options:
            out["Options"] = dict(self.options)
        return out

    def dump(self):
        """Admin view: every stored field."""
        return {
            "arn": self.arn, "name": self.name, "parent_arn": self.parent_arn,
            "license_arn": self.license_arn, "principal": self.principal,
            "status": self.status, "version": self.version,
            "operations": list(self.operations),
            "home_region": self.home_region, "tags": copy.deepcopy(self.tags),
            "options": copy.deepcopy(self.options),
            "status_reason": self.status_reason,
            "client_tokens": list(self.client_tokens), "seq": self.seq,
            "sub_grant": self.is_sub, "materialized": self.materialized,
            "workflow": dict(self.workflow) if self.workflow else None,
        }


# --------------------------------------------------------------------------
# The world
# --------------------------------------------------------------------------

class State:
    def __init__(self, fixture, config, seed=None):
        """fixture: parsed fixture JSON.  config: the shared runtime Config
        (workflow_delay, grant_limit, ...)."""
        self.config = config
        self.rng = random.Random(seed)        # ids only; faults have their own
        self.seq = 0
        self.grants = {}                      # arn -> Grant, creation order
        self.children = {}                    # parent grant arn -> [sub arns]
        self.pending = set()                  # arns with a running workflow
        self.client_tokens = {}               # (account, token) -> record
        self.credentials = {}                 # access key id -> Credential
        self.roles = {}
        self.subscriptions = []               # member-owned, see add_subscription
        self.workflow_failures = {}           # principal ARN -> StatusReason
        self._load(copy.deepcopy(fixture))

    # -- fixture -------------------------------------------------------------

    def _load(self, fx):
        org = fx.get("organization")
        if org is not None:
            for key in ("id", "management_account"):
                if key not in org:
                    raise FixtureError("organization.%s is required" % key)
            org.setdefault("trusted_access", True)
            org.setdefault("feature_set", "ALL")
            org.setdefault("management_email",
                           "management@example.com")
        self.org = org
        self.root = fx.get("root") or {"id": "r-ab12", "name": "Root"}
        self.ous = {}
        for ou in fx.get("ous", []):
            self.ous[ou["id"]] = {"id": ou["id"], "name": ou["name"],
                                  "parent": ou["parent"]}
        for ou in self.ous.values():
            if ou["parent"] != self.root["id"] and ou["parent"] not in self.ous:
                raise FixtureError("OU %s: unknown parent %s" % (
                    ou["id"], ou["parent"]))
        self.accounts = {}
        for acct in fx.get("accounts", []):
            self._add_account(acct)
        if org is not None and org["management_account"] in self.accounts:
            org["management_email"] = \
                self.accounts[org["management_account"]]["email"]
        self.licenses = {}
        for lic in fx.get("licenses", []):
            self._add_license(lic)
        for cred in fx.get("credentials", []):
            self.credentials[cred["access_key_id"]] = Credential(
                cred["access_key_id"], cred["secret_access_key"],
                cred["account"], user=cred.get("user", "user"))
            self.credentials[cred["access_key_id"]].policy = \
                iam.policy_actions(cred.get("policy"))
        for role in fx.get("roles", []):
            role = dict(role)
            role.setdefault("trusted_accounts", [])
            role.setdefault("max_session_duration", 3600)
            role["account"] = role["arn"].split(":")[4]
            self.roles[role["arn"]] = role
        self._load_iam(fx)
        # Sub-grants listed in the fixture must be loaded before the parents
        # fill in missing ones, hence two passes.
        loaded = [self.add_fixture_grant(g, sync=False)
                  for g in fx.get("grants", [])]
        for grant in loaded:
            self._materialize_loaded(grant)
        for sub in fx.get("subscriptions", []):
            self.add_subscription(sub, FixtureError)

    def _load_iam(self, fx):
        """Issue 13: delegated administrators, web identity tokens, the
        Marketplace trusted access switch."""
        self.delegated_administrators = []
        for entry in fx.get("delegated_administrators", []):
            if not ACCOUNT_RE.match(entry.get("account", "")) or \
                    not entry.get("service_principal"):
                raise FixtureError("delegated administrator needs account "
                                   "and service_principal: %r" % entry)
            self.delegated_administrators.append(
                {"account": entry["account"],
                 "service_principal": entry["service_principal"]})
        self.web_identities = []
        for entry in fx.get("web_identities", []):
            if not entry.get("token") or entry.get("role_arn") not in self.roles:
                raise FixtureError("web identity needs a token and a known "
                                   "role_arn: %r" % entry.get("role_arn"))
            self.web_identities.append(dict(entry))
        if self.org is not None:
            self.org.setdefault("trusted_access_marketplace", True)

    def _add_account(self, acct):
        if not ACCOUNT_RE.match(acct.get("id", "")):
            raise FixtureError("bad account id %r" % acct.get("id"))
        parent = acct.get("parent", self.root["id"])
        if not self.is_parent(parent):
            raise FixtureError("account %s: unknown parent %s" % (
                acct["id"], parent))
        self.accounts[acct["id"]] = {
            "id": acct["id"], "name": acct.get("name", acct["id"]),
            "email": acct.get("email", "%s@example.com" % acct["id"]),
            "parent": parent,
            "requires_accept": bool(acct.get("requires_accept", False)),
            "joined": acct.get("joined", DEFAULT_JOINED_TIME),
            "joined_method": acct.get("joined_method", "CREATED"),
        }

    def _add_license(self, lic):
        for key in ("arn", "product_sku"):
            if key not in lic:
                raise FixtureError("license needs %s: %r" % (key, lic))
        lic = dict(lic)
        lic.setdefault("name", lic.get("product_name", "license"))
        lic.setdefault("product_name", lic["name"])
        lic.setdefault("issuer", "AWS/Marketplace")
        lic.setdefault("status", "AVAILABLE")
        lic.setdefault("home_region", "us-east-1")
        if self.org is not None:
            lic.setdefault("beneficiary", self.org["management_account"])
        lic.setdefault("create_time", DEFAULT_CREATE_TIME)
        lic.setdefault("entitlements", [])
        lic.setdefault("allowed_operations", list(ALLOWED_OPERATIONS))
        self.check_license(lic, FixtureError)
        self.licenses[lic["arn"]] = lic

    @staticmethod
    def check_license(lic, error):
        """Raise error(message) when a license's status or operations are
        not ones the API knows."""
        if lic["status"] not in LICENSE_STATUSES:
            raise error("license %s: bad status %r" % (lic["arn"],
                                                       lic["status"]))
        ops = lic["allowed_operations"]
        if not isinstance(ops, list) or \
                any(op not in ALLOWED_OPERATIONS for op in ops):
            raise error("license %s: allowed_operations must be a list of "
                        "%s" % (lic["arn"], ", ".join(ALLOWED_OPERATIONS)))
        if not isinstance(lic["home_region"], str):
            raise error("license %s: home_region must be a string" %
                        lic["arn"])

    def add_fixture_grant(self, g, sync=True):
        """Load a fixture-format grant (also used by POST /_emu/grant/add)."""
        for key in ("license_arn", "principal"):
            if key not in g:
                raise FixtureError("grant needs %s: %r" % (key, g))
        lic = self.licenses.get(g["license_arn"])
        if lic is None:
            raise FixtureError("grant for unknown license %s" % g["license_arn"])
        status = g.get("status", DISABLED)
        if status not in GRANT_STATUSES:
            raise FixtureError("bad grant status %r" % status)
        arn = g.get("arn") or self.new_grant_arn()
        if arn in self.grants:
            raise FixtureError("duplicate grant %s" % arn)
        grant = self._new_grant(
            arn=arn, name=g.get("name", "fixture-grant"),
            parent_arn=g.get("parent_arn", g["license_arn"]),
            license_arn=g["license_arn"], principal=g["principal"],
            status=status, version=g.get("version", "1"),
            operations=g.get("operations", ["CheckoutLicense"]),
            home_region=g.get("home_region", lic["home_region"]),
            tags=g.get("tags"), options=g.get("options"),
            status_reason=g.get("status_reason"))
        if grant.is_sub:
            if grant.parent_arn not in self.grants:
                raise FixtureError("sub-grant %s: unknown parent" % arn)
            self.children.setdefault(grant.parent_arn, []).append(arn)
            return grant
        if status == PENDING_WORKFLOW:
            self.start_workflow(grant, "create")
        elif status == PENDING_DELETE:
            self.start_workflow(grant, "delete", status=PENDING_DELETE)
        if sync:
            self._materialize_loaded(grant)
        return grant

    def _materialize_loaded(self, grant):
        """An OU/organization grant loaded past its first workflow has
        sub-grants; create the missing ones (ACTIVE only if the parent
        completed its activation)."""
        if grant.is_sub or grant.status in (
                PENDING_WORKFLOW, DELETED, REJECTED, PENDING_ACCEPT,
                PENDING_DELETE, FAILED_WORKFLOW) or \
                self.principal_kind(grant.principal)[0] in ("account", None):
            return
        grant.materialized = True
        self.sync_subgrants(grant, ACTIVE if grant.status == WORKFLOW_COMPLETED
                            else DISABLED)

    # -- organization tree -----------------------------------------------------

    @property
    def management_account(self):
        return self.org["management_account"] if self.org else None

    def is_parent(self, parent_id):
        return parent_id == self.root["id"] or parent_id in self.ous

    def ancestors(self, parent_id):
        """Chain of parent ids from `parent_id` up to and including the root."""
        chain = []
        while parent_id in self.ous:
            chain.append(parent_id)
            parent_id = self.ous[parent_id]["parent"]
        chain.append(parent_id)
        return chain

    def move_account(self, account_id, parent_id):
        if account_id not in self.accounts:
            raise ApiError("AccountNotFound", "unknown account %s" % account_id)
        if not self.is_parent(parent_id):
            raise ApiError("ParentNotFound", "unknown parent %s" % parent_id)
        self.accounts[account_id]["parent"] = parent_id
        # Sub-grants follow the tree: new members get DISABLED ones, leavers
        # lose theirs.
        for grant in list(self.grants.values()):
            if not grant.is_sub and grant.materialized:
                self.sync_subgrants(grant, DISABLED)

    def join_account(self, account_id, parent_id, name=None):
        """An account joins the organization (an accepted invitation) under
        parent_id; OU and organization grants above it give it DISABLED
        sub-grants, as for a move."""
        if not isinstance(account_id, str) or not ACCOUNT_RE.match(account_id):
            raise ApiError("BadAccount", "bad account id %r" % (account_id,))
        if account_id in self.accounts:
            raise ApiError("AccountExists", "account %s is already a member" % account_id)
        if not self.is_parent(parent_id):
            raise ApiError("ParentNotFound", "unknown parent %s" % parent_id)
        self._add_account({"id": account_id, "parent": parent_id,
                           "name": name or account_id, "joined_method": "INVITED"})
        for grant in list(self.grants.values()):
            if not grant.is_sub and grant.materialized:
                self.sync_subgrants(grant, DISABLED)

    # -- principals ----------------------------------------------------------

    def principal_kind(self, principal):
        """('account', id) | ('ou', ou id) | ('organization', org id) |
        (None, None) for anything else."""
        m = ACCOUNT_PRINCIPAL_RE.match(principal)
        if m:
            return "account", m.group(1)
        m = OU_PRINCIPAL_RE.match(principal)
        if m:
            return "ou", m.group(3)
        m = ORG_PRINCIPAL_RE.match(principal)
        if m:
            return "organization", m.group(2)
        return None, None

    def principal_accounts(self, principal):
        """Accounts covered by an OU/organization principal, in fixture order.
        The management account never receives a sub-grant."""
        kind, ident = self.principal_kind(principal)
        mgmt = self.management_account
        out = []
        for acct in self.accounts.values():
            if acct["id"] == mgmt:
                continue
            if kind == "organization" or (
                    kind == "ou" and ident in self.ancestors(acct["parent"])):
                out.append(acct["id"])
        return out

    # -- grants ----------------------------------------------------------------

    def _hex32(self):
        return "%032x" % self.rng.getrandbits(128)

    def new_grant_arn(self, like=None):
        if like:
            return like.rsplit(":grant:", 1)[0] + ":grant:g-" + self._hex32()
        return "arn:aws:license-manager::%s:grant:g-%s" % (
            self.management_account or "000000000000", self._hex32())

    def _new_grant(self, **kw):
        self.seq += 1
        grant = Grant(seq=self.seq, **kw)
        self.grants[grant.arn] = grant
        return grant

    def create_grant(self, name, license_arn, principal, operations,
                     home_region, tags):
        grant = self._new_grant(
            arn=self.new_grant_arn(), name=name, parent_arn=license_arn,
            license_arn=license_arn, principal=principal,
            status=PENDING_WORKFLOW, version="1", operations=operations,
            home_region=home_region, tags=tags)
        self.start_workflow(grant, "create")
        return grant

    def subgrants(self, parent, include_deleted=False):
        return [self.grants[a] for a in self.children.get(parent.arn, [])
                if include_deleted or self.grants[a].status != DELETED]

    def sync_subgrants(self, parent, new_status):
        """Make the live sub-grants of `parent` match its principal's subtree."""
        if parent.status in (DELETED, PENDING_DELETE) or \
                not parent.materialized:
            return
        members = self.principal_accounts(parent.principal)
        live = {}
        for sub in self.subgrants(parent):
            live[self.principal_kind(sub.principal)[1]] = sub
        for account in members:
            if account not in live:
                sub = self._new_grant(
                    arn=self.new_grant_arn(like=parent.arn), name=parent.name,
                    parent_arn=parent.arn, license_arn=parent.license_arn,
                    principal="arn:aws:iam::%s:root" % account,
                    status=new_status, version="1",
                    operations=parent.operations,
                    home_region=parent.home_region)
                self.children.setdefault(parent.arn, []).append(sub.arn)
        member_set = set(members)
        for account, sub in live.items():
            if account not in member_set:
                self._set_deleted(sub)

    def _set_deleted(self, grant):
        grant.status = DELETED
        self.cancel_workflow(grant)

    def delete_grant(self, grant, reason=None, now=None):
        """DeleteGrant: PENDING_DELETE (sub-grants too) until the deletion
        workflow ends in DELETED."""
        grant.bump()
        if reason:
            grant.status_reason = reason
        self.cancel_workflow(grant)
        self.start_workflow(grant, "delete", now, status=PENDING_DELETE)
        for sub in self.subgrants(grant):
            self.cancel_workflow(sub)
            sub.status = PENDING_DELETE

    def live_grant_count(self, license_arn):
        return sum(1 for g in self.grants.values()
                   if g.license_arn == license_arn and not g.is_sub
                   and g.status != DELETED)

    # -- workflows ---------------------------------------------------------------

    def start_workflow(self, grant, kind, now=None, status=PENDING_WORKFLOW):
        grant.status = status
        grant.workflow = {"kind": kind,
                          "started": time.time() if now is None else now}
        self.pending.add(grant.arn)

    def cancel_workflow(self, grant):
        grant.workflow = None
        self.pending.discard(grant.arn)

    def tick(self, now=None, force=False):
        """Complete every workflow whose delay has passed (all if force)."""
        if not self.pending:
            return 0
        now = time.time() if now is None else now
        due = [self.grants[a] for a in self.pending
               if force or now >= self.grants[a].workflow["started"] +
               self._delay(self.grants[a].workflow["kind"])]
        for grant in sorted(due, key=lambda g: g.seq):
            self._complete_workflow(grant)
        return len(due)

    def _delay(self, kind):
        delay = self.config.workflow_delay
        if kind == "delete" and self.config.delete_delay is not None:
            delay = self.config.delete_delay
        return delay or 0

    def _step(self, grant, status, reason=None):
        """A workflow moves `grant` to `status`; on AWS every such step is
        a new version."""
        grant.status = status
        if reason is not None:
            grant.status_reason = reason
            grant.reason_by_aws = True
        if self.config.workflow_bumps_version:
            grant.bump()

    def _complete_workflow(self, grant):
        kind = grant.workflow["kind"]
        self.cancel_workflow(grant)
        if kind == "delete":
            if grant.status == PENDING_DELETE:
                self._step(grant, DELETED)
                for sub in self.subgrants(grant):
                    self._step(sub, DELETED)
            return
        if grant.status != PENDING_WORKFLOW:
            return          # changed meanwhile (admin poke, deletion)
        if kind == "create" and grant.principal in self.workflow_failures:
            self._step(grant, FAILED_WORKFLOW,
                       self.workflow_failures[grant.principal])
            return
        ptype, ident = self.principal_kind(grant.principal)
        if ptype == "account":
            if kind == "activate":
                self._activate(grant, grant, ident)
            elif self.accounts.get(ident, {}).get("requires_accept"):
                self._step(grant, PENDING_ACCEPT)
            else:
                self._step(grant, DISABLED)
            return
        grant.materialized = True
        if kind == "create":
            self._step(grant, DISABLED)
            self.sync_subgrants(grant, DISABLED)
            return
        self._step(grant, WORKFLOW_COMPLETED)
        self.sync_subgrants(grant, DISABLED)
        for sub in self.subgrants(grant):
            if sub.status != ACTIVE:
                self._activate(sub, grant, self.principal_kind(
                    sub.principal)[1])

    # -- one active entitlement per product per account ------------------------

    def product_of(self, grant):
        return self.licenses.get(grant.license_arn, {}).get("product_sku")

    def _named(self, grant):
        """The ARN a StatusReason names for a grant: its own, or for a
        sub-grant its parent's (the grant the issuer sees and can delete)."""
        return grant.parent_arn if grant.is_sub else grant.arn

    def active_grants(self, account, product, besides=None):
        """ACTIVE grants and sub-grants of `account` for `product`."""
        principal = "arn:aws:iam::%s:root" % account
        return [g for g in self.grants.values()
                if g is not besides and g.status == ACTIVE
                and g.principal == principal and self.product_of(g) == product]

    def _activate(self, grant, source, account):
        """An activation workflow ends for `grant` (an account grant, or a
        sub-grant of `source`): apply the one-active rule for its account."""
        product = self.product_of(grant)
        others = self.active_grants(account, product, besides=grant) \
            if self.config.one_active else []
        behaviour = (source.options or {}).get("ActivationOverrideBehavior",
                                               DISTRIBUTED_GRANTS_ONLY)
        if others and behaviour != ALL_GRANTS_PERMITTED_BY_ISSUER:
            self._step(grant, DISABLED,
                       "Another license for this product is already active "
                       "in account %s (%s)" % (account, self._named(others[0])))
            return
        for other in others:
            other.status = DISABLED
            other.status_reason = "Replaced by %s" % self._named(grant)
            other.reason_by_aws = True
            other.bump()
        if self.config.one_active:
            for sub in self.subscriptions:
                if sub["account"] == account and \
                        sub["product_sku"] == product and \
                        sub["status"] == SUBSCRIPTION_ACTIVE:
                    sub["status"] = SUBSCRIPTION_REPLACED
        if grant.reason_by_aws:
            grant.status_reason = None
            grant.reason_by_aws = False
        self._step(grant, ACTIVE)

    def entitlements(self):
        """Every ACTIVE entitlement (admin view, for tests that sample
        whether an account ever went without one)."""
        out = []
        for g in self.grants.values():
            kind, account = self.principal_kind(g.principal)
            if g.status == ACTIVE and kind == "account":
                out.append({"account": account,
                            "product_sku": self.product_of(g),
                            "via": "sub_grant" if g.is_sub else "grant",
                            "grant_arn": g.arn})
        for sub in self.subscriptions:
            if sub["status"] == SUBSCRIPTION_ACTIVE:
                out.append({"account": sub["account"],
                            "product_sku": sub["product_sku"],
                            "via": "subscription", "grant_arn": None})
        return out

    # -- member-owned subscriptions and failing principals -------------------

    def add_subscription(self, raw, error=None):
        """A member account's own Marketplace subscription of a product
        (fixture `subscriptions` and POST /_emu/subscription/add)."""
        error = error or admin_error
        if not isinstance(raw, dict):
            raise error("a subscription must be an object")
        unknown = set(raw) - {"account", "product_sku", "status"}
        if unknown:
            raise error("unknown subscription keys: %s" % sorted(unknown))
        account, product = raw.get("account"), raw.get("product_sku")
        status = raw.get("status", SUBSCRIPTION_ACTIVE)
        if account not in self.accounts or account == self.management_account:
            raise error("subscription: %r is not a member account" % (account,))
        if not isinstance(product, str) or not product:
            raise error("subscription needs a product_sku")
        if status not in (SUBSCRIPTION_ACTIVE, SUBSCRIPTION_REPLACED):
            raise error("subscription status must be ACTIVE or REPLACED")
        sub = {"account": account, "product_sku": product, "status": status}
        self.subscriptions.append(sub)
        return sub

    def set_workflow_failure(self, principal, reason):
        """From now on every creation workflow for `principal` fails with
        `reason`; reason None clears it."""
        if reason is None:
            self.workflow_failures.pop(principal, None)
        else:
            self.workflow_failures[principal] = reason

    # -- client tokens -------------------------------------------------------

    def token_lookup(self, account, token, operation, params):
        """Return the stored response for a replayed ClientToken, None for a
        new one; raise when the token was used with other parameters."""
        record = self.client_tokens.get((account, token))
        if record is None:
            return None
        if record["operation"] != operation or record["params"] != params:
            raise ApiError("ValidationException",
                           "ClientToken %s was already used with different "
                           "parameters" % token)
        return copy.deepcopy(record["response"])

    def token_store(self, account, token, operation, params, response, grant):
        self.client_tokens[(account, token)] = {
            "operation": operation, "params": copy.deepcopy(params),
            "response": copy.deepcopy(response)}
        grant.client_tokens.append(token)

    # -- credentials ---------------------------------------------------------

    def issue_credentials(self, role, session_name, duration, source):
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
        key_id = "ASIA" + "".join(self.rng.choice(alphabet) for _ in range(16))
        secret = "".join(self.rng.choice(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
            for _ in range(40))
        token = "IQoJemulator" + "".join(self.rng.choice(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
            for _ in range(200))
        cred = Credential(key_id, secret, role["account"],
                          role_arn=role["arn"], session_name=session_name,
                          session_token=token,
                          expiration=int(time.time()) + duration,
                          source_arn=getattr(source, "arn", source))
        cred.policy = iam.policy_actions(role.get("policy"))
        self.credentials[key_id] = cred
        return cred

    # -- admin view ----------------------------------------------------------

    def dump(self):
        now = time.time()
        return {
            "organization": copy.deepcopy(self.org),
            "root": dict(self.root),
            "ous": [dict(o) for o in self.ous.values()],
            "accounts": [dict(a) for a in self.accounts.values()],
            "licenses": copy.deepcopy(list(self.licenses.values())),
            "grants": [g.dump() for g in self.grants.values()],
            "credentials": [c.public(now) for c in self.credentials.values()],
            "roles": copy.deepcopy(list(self.roles.values())),
            "delegated_administrators": copy.deepcopy(
                self.delegated_administrators),
            "pending_workflows": sorted(self.pending),
            "subscriptions": copy.deepcopy(self.subscriptions),
            "workflow_failures": dict(self.workflow_failures),
            "entitlements": self.entitlements(),
        }
