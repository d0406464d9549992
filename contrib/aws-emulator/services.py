"""Operation handlers for License Manager, Organizations and STS.

Each handler takes (ctx, params) with params already validated against the
model, runs under the global lock, and returns the output structure (a dict)
or raises state.ApiError.
"""

import base64
import binascii
import hashlib
import json

import iam
import state as st
from state import ApiError

LM_WRITES = {"CreateGrant", "CreateGrantVersion", "DeleteGrant",
             "AcceptGrant", "RejectGrant"}
# Operations a member account may call, on grants it is the grantee of.
LM_MEMBER_OPS = {"AcceptGrant", "RejectGrant", "CreateGrantVersion",
                 "GetGrant", "ListReceivedGrants"}


class Ctx:
    """What a handler needs to know about the request."""

    def __init__(self, state, config, identity, service, operation, now,
                 region="us-east-1"):
        self.state = state
        self.region = region            # the region the request was sent to
        self.config = config
        self.identity = identity
        self.service = service
        self.operation = operation
        self.now = now

    @property
    def account(self):
        return self.identity.account

    @property
    def is_management(self):
        return self.account == self.state.management_account

    @property
    def is_license_admin(self):
        """Management account or License Manager's delegated administrator."""
        return iam.is_license_admin(self.state, self.account)


# --------------------------------------------------------------------------
# Pagination: opaque tokens bound to the operation and the query
# --------------------------------------------------------------------------

def _query_key(operation, params):
    rest = {k: v for k, v in params.items()
            if k not in ("NextToken", "MaxResults")}
    blob = json.dumps([operation, rest], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _bad_token(service):
    if service == "organizations":
        return ApiError("InvalidInputException",
                        "The specified NextToken is not valid.",
                        extra={"Reason": "INVALID_NEXT_TOKEN"})
    return ApiError("InvalidParameterValueException",
                    "The NextToken provided is invalid.")


def paginate(ctx, params, items, max_cap):
    """Return (page, next_token or None).  A page holds at most MaxResults,
    at most the configured page_size, and at most max_cap items."""
    limits = [max_cap]
    if params.get("MaxResults"):
        limits.append(params["MaxResults"])
    if ctx.config.page_size:
        limits.append(ctx.config.page_size)
    limit = min(limits)
    key = _query_key(ctx.operation, params)
    start = 0
    if "NextToken" in params:
        try:
            raw = base64.urlsafe_b64decode(params["NextToken"].encode("ascii"))
            token = json.loads(raw)
            if token["op"] != ctx.operation or token["q"] != key:
                raise ValueError
            start = token["o"]
            if not isinstance(start, int) or start < 0:
                raise ValueError
        except (ValueError, KeyError, TypeError, UnicodeError,
                binascii.Error):
            raise _bad_token(ctx.service)
    page = items[start:start + limit]
    nxt = None
    if start + limit < len(items):
        nxt = base64.urlsafe_b64encode(json.dumps(
            {"op": ctx.operation, "q": key, "o": start + limit},
            separators=(",", ":")).encode()).decode()
    return page, nxt


def _page_response(ctx, params, items, list_key, max_cap):
    page, nxt = paginate(ctx, params, items, max_cap)
    out = {list_key: page}
    if nxt:
        out["NextToken"] = nxt
    return out


# --------------------------------------------------------------------------
# Filters
# --------------------------------------------------------------------------

def parse_filters(params, supported, enums=None):
    """{'Name': value} from the Filters member; every filter needs exactly one
    value and a supported (case-sensitive) name."""
    out = {}
    for flt in params.get("Filters") or []:
        name = flt.get("Name")
        values = flt.get("Values") or []
        if name not in supported:
            raise ApiError("InvalidParameterValueException",
                           "Unsupported filter name: %s. Supported filters: "
                           "%s" % (name, ", ".join(supported)))
        if len(values) != 1:
            raise ApiError("InvalidParameterValueException",
                           "Filter %s requires exactly one value, got %d" % (
                               name, len(values)))
        if enums and name in enums and values[0] not in enums[name]:
            raise ApiError("InvalidParameterValueException",
                           "Invalid value '%s' for filter %s; valid values: "
                           "%s" % (values[0], name, ", ".join(enums[name])))
        out[name] = values[0]
    return out


def _license_of(ctx, grant):
    return ctx.state.licenses.get(grant.license_arn, {})


def _grant_matches(ctx, grant, filters):
    lic = _license_of(ctx, grant)
    checks = {
        "LicenseArn": grant.license_arn,
        "GrantStatus": grant.status,
        "GranteePrincipalARN": grant.principal,
        "GranteePrincipalArn": grant.principal,
        "ParentArn": grant.parent_arn,
        "ProductSKU": lic.get("product_sku"),
        "LicenseIssuerName": lic.get("issuer"),
        "GranterAccountId": grant.arn.split(":")[4],
    }
    return all(checks[name] == value for name, value in filters.items())


# --------------------------------------------------------------------------
# License Manager
# --------------------------------------------------------------------------

def _access_denied(ctx, resource=None):
    msg = "User: %s is not authorized to perform: license-manager:%s" % (
        ctx.identity.arn, ctx.operation)
    if resource:
        msg += " on resource: %s" % resource
    return ApiError("AccessDeniedException", msg)


def _require_management(ctx):
    if not ctx.is_license_admin:
        raise _access_denied(ctx)


def _grantee_account(ctx, grant):
    """The account a grant is for, or None for OU/organization grants."""
    kind, ident = ctx.state.principal_kind(grant.principal)
    return ident if kind == "account" else None


def _get_grant(ctx, arn):
    grant = ctx.state.grants.get(arn)
    if grant is None:
        raise ApiError("InvalidParameterValueException",
                       "Grant %s does not exist." % arn)
    return grant


def _check_grant_access(ctx, grant):
    """Management account (or License Manager's delegated administrator):
    everything.  Others: only grants they receive."""
    if ctx.is_license_admin:
        return
    if _grantee_account(ctx, grant) != ctx.account:
        raise _access_denied(ctx, grant.arn)


def _grant_result(grant):
    return {"GrantArn": grant.arn, "Status": grant.status,
            "Version": grant.version}


def _token_params(params):
    return {k: v for k, v in params.items() if k != "ClientToken"}


def _replay(ctx, params):
    return ctx.state.token_lookup(ctx.account, params["ClientToken"],
                                  ctx.operation, _token_params(params))


def _remember(ctx, params, response, grant):
    ctx.state.token_store(ctx.account, params["ClientToken"], ctx.operation,
                          _token_params(params), response, grant)


TRUSTED_ACCESS_MESSAGE = (
    "License Manager cannot access your organization. Enable trusted access "
    "for AWS License Manager in AWS Organizations (Trusted Access) and try "
    "again.")


def _check_principal(ctx, principal):
    """Validate the single grantee principal of CreateGrant."""
    s = ctx.state
    org = s.org
    kind, ident = s.principal_kind(principal)
    if kind is None:
        raise ApiError("ValidationException",
                       "Principal %s is not a supported principal: use "
                       "arn:aws:iam::<account>:root, an OU ARN or the "
                       "organization ARN." % principal)
    if kind == "account":
        if ident == ctx.account:
            raise ApiError("ValidationException",
                           "A grant cannot be created for the license owner "
                           "account %s." % ident)
        if ident not in s.accounts:
            raise ApiError("ValidationException",
                           "Account %s is not a member of organization %s." %
                           (ident, org["id"] if org else "-"))
        return
    mgmt = principal.split(":")[4]
    if org is None or mgmt != org["management_account"] or \
            ("/%s" % org["id"]) not in principal:
        raise ApiError("ValidationException",
                       "Principal %s does not belong to your organization." %
                       principal)
    if not org.get("trusted_access", True):
        raise ApiError("ValidationException", TRUSTED_ACCESS_MESSAGE)
    if org.get("feature_set", "ALL") != "ALL":
        # Guessed text: AWS documents that License Manager's organization
        # integration needs all features, not the error it gives.
        raise ApiError("ValidationException",
                       "Organization %s does not have all features enabled; "
                       "grants to an organizational unit or the organization "
                       "need an organization with all features." % org["id"])
    if kind == "ou" and ident not in s.ous:
        raise ApiError("ValidationException",
                       "Organizational unit %s does not exist in organization "
                       "%s." % (ident, org["id"]))


def lm_CreateGrant(ctx, params):
    _require_management(ctx)
    replay = _replay(ctx, params)
    if replay is not None:
        return replay
    s = ctx.state
    principal = params["Principals"][0]
    _check_principal(ctx, principal)
    lic = s.licenses.get(params["LicenseArn"])
    if lic is None or lic.get("beneficiary") != ctx.account:
        raise ApiError("InvalidParameterValueException",
                       "License %s is not a license received by account %s."
                       % (params["LicenseArn"], ctx.account))
    _check_license_allows(ctx, lic, params)
    limit = ctx.config.grant_limit
    if s.live_grant_count(lic["arn"]) >= limit:
        raise ApiError("ResourceLimitExceededException",
                       "You have reached the maximum number of grants (%d) "
                       "for license %s." % (limit, lic["arn"]))
    grant = s.create_grant(params["GrantName"], lic["arn"], principal,
                           params["AllowedOperations"], params["HomeRegion"],
                           params.get("Tags"))
    response = _grant_result(grant)
    _remember(ctx, params, response, grant)
    return response


def _check_license_allows(ctx, lic, params):
    """CreateGrant on a license that cannot be granted: its operations,
    status and home region."""
    allowed = lic["allowed_operations"]
    if "CreateGrant" not in allowed:
        raise _access_denied(ctx, lic["arn"])
    if lic["status"] != "AVAILABLE":
        raise ApiError("ValidationException",
                       "License %s is not AVAILABLE (status %s); grants can "
                       "only be created for available licenses." % (
                           lic["arn"], lic["status"]))
    home = lic["home_region"]
    if params["HomeRegion"] != home or ctx.region != home:
        raise ApiError("ValidationException",
                       "Grant can only be created in resource home AWS "
                       "region: %s" % home)
    _check_operations(lic, params["AllowedOperations"])


def _check_operations(lic, operations):
    extra = [op for op in operations if op not in lic["allowed_operations"]]
    if extra:
        raise ApiError("ValidationException",
                       "AllowedOperations %s are not allowed by license %s; "
                       "it allows %s." % (", ".join(extra), lic["arn"],
                                          ", ".join(lic["allowed_operations"])))


ACTIVATABLE = (st.DISABLED, st.WORKFLOW_COMPLETED, st.ACTIVE)


def lm_CreateGrantVersion(ctx, params):
    grant = _get_grant(ctx, params["GrantArn"])
    _check_grant_access(ctx, grant)
    replay = _replay(ctx, params)
    if replay is not None:
        return replay
    if grant.status in (st.DELETED, st.PENDING_DELETE):
        raise ApiError("ValidationException",
                       "Grant %s is %s; no new version can be created."
                       % (grant.arn, "deleted" if grant.status == st.DELETED
                          else "being deleted"))
    if "AllowedOperations" in params:
        _check_operations(_license_of(ctx, grant), params["AllowedOperations"])
    source = params.get("SourceVersion")
    if source is not None and source != grant.version:
        raise ApiError("ValidationException",
                       "The grant version provided doesn't match the latest "
                       "version %s in our records" % grant.version)
    status = params.get("Status")
    if status == st.ACTIVE and grant.status not in ACTIVATABLE:
        raise ApiError("ValidationException",
                       "A grant in status %s cannot be activated." %
                       grant.status)
    if status == st.DISABLED and grant.status not in ACTIVATABLE:
        raise ApiError("ValidationException",
                       "A grant in status %s cannot be disabled." %
                       grant.status)
    if (params.get("Options") or {}).get("ActivationOverrideBehavior") and \
            status != st.ACTIVE:
        # AWS: activation options need Status ACTIVE in the same call.
        raise ApiError("ValidationException",
                       "Options.ActivationOverrideBehavior can only be given "
                       "with Status ACTIVE.")
    if status not in (None, st.ACTIVE, st.DISABLED):
        raise ApiError("ValidationException",
                       "Status %s cannot be requested with CreateGrantVersion;"
                       " use ACTIVE or DISABLED." % status)
    _apply_version(ctx, grant, params)
    response = _grant_result(grant)
    _remember(ctx, params, response, grant)
    return response


def _apply_version(ctx, grant, params):
    s = ctx.state
    grant.bump()
    if "GrantName" in params:
        grant.name = params["GrantName"]
    if "AllowedOperations" in params:
        grant.operations = list(params["AllowedOperations"])
    if "StatusReason" in params:
        grant.status_reason = params["StatusReason"]
        grant.reason_by_aws = False
    if "Options" in params:
        grant.options = dict(params["Options"])
    subs = s.subgrants(grant)
    for sub in subs:        # sub-grants mirror their parent's terms
        sub.name = grant.name
        sub.operations = list(grant.operations)
    if params.get("Status") == st.ACTIVE:
        s.start_workflow(grant, "activate", ctx.now)
    elif params.get("Status") == st.DISABLED:
        s.cancel_workflow(grant)
        grant.status = st.DISABLED
        for sub in subs:
            if sub.status == st.ACTIVE:
                sub.status = st.DISABLED


def lm_DeleteGrant(ctx, params):
    _require_management(ctx)
    grant = _get_grant(ctx, params["GrantArn"])
    if grant.status in (st.DELETED, st.PENDING_DELETE):
        raise ApiError("ValidationException",
                       "Grant %s is already %s." % (
                           grant.arn, "deleted" if grant.status == st.DELETED
                           else "being deleted"))
    if params["Version"] != grant.version:
        raise ApiError("ValidationException",
                       "A grant cannot be deleted since the version provided "
                       "doesn't match the latest version %s in our records" %
                       grant.version)
    ctx.state.delete_grant(grant, params.get("StatusReason"), ctx.now)
    return _grant_result(grant)


def _grantee_transition(ctx, params, new_status):
    grant = _get_grant(ctx, params["GrantArn"])
    if _grantee_account(ctx, grant) != ctx.account:
        raise _access_denied(ctx, grant.arn)
    if grant.status != st.PENDING_ACCEPT:
        raise ApiError("ValidationException",
                       "Grant %s is in status %s, not PENDING_ACCEPT." % (
                           grant.arn, grant.status))
    grant.status = new_status
    grant.bump()
    return _grant_result(grant)


def lm_AcceptGrant(ctx, params):
    return _grantee_transition(ctx, params, st.DISABLED)


def lm_RejectGrant(ctx, params):
    return _grantee_transition(ctx, params, st.REJECTED)


def lm_GetGrant(ctx, params):
    grant = _get_grant(ctx, params["GrantArn"])
    _check_grant_access(ctx, grant)
    if params.get("Version") not in (None, grant.version):
        raise ApiError("ValidationException",
                       "Version %s of grant %s does not exist; the latest is "
                       "%s." % (params["Version"], grant.arn, grant.version))
    return {"Grant": grant.api()}


def _by_arns(items, arns):
    if not arns:
        return items
    wanted = set(arns)
    return [g for g in items if g.arn in wanted]


def lm_ListDistributedGrants(ctx, params):
    _require_management(ctx)
    filters = parse_filters(
        params, ["LicenseArn", "GrantStatus", "GranteePrincipalARN",
                 "ProductSKU", "LicenseIssuerName"],
        {"GrantStatus": st.GRANT_STATUSES})
    # Sub-grants only when list_subgrants models an AWS that lists them.
    items = [g for g in ctx.state.grants.values()
             if ctx.config.list_subgrants or not g.is_sub]
    items = [g.api() for g in _by_arns(items, params.get("GrantArns"))
             if _grant_matches(ctx, g, filters)]
    return _page_response(ctx, params, items, "Grants", 100)


def lm_ListReceivedGrants(ctx, params):
    filters = parse_filters(
        params, ["ProductSKU", "LicenseIssuerName", "LicenseArn",
                 "GrantStatus", "GranterAccountId"],
        {"GrantStatus": st.GRANT_STATUSES})
    me = "arn:aws:iam::%s:root" % ctx.account
    items = [g for g in ctx.state.grants.values() if g.principal == me]
    items = [g.api() for g in _by_arns(items, params.get("GrantArns"))
             if _grant_matches(ctx, g, filters)]
    return _page_response(ctx, params, items, "Grants", 100)


def lm_ListReceivedGrantsForOrganization(ctx, params):
    _require_management(ctx)
    lic = ctx.state.licenses.get(params["LicenseArn"])
    if lic is None:
        raise ApiError("InvalidParameterValueException",
                       "License %s is not a license received by account %s."
                       % (params["LicenseArn"], ctx.account))
    filters = parse_filters(params, ["ParentArn", "GranteePrincipalArn"])
    items = [g.api() for g in ctx.state.grants.values()
             if g.is_sub and g.license_arn == lic["arn"]
             and _grant_matches(ctx, g, filters)]
    return _page_response(ctx, params, items, "Grants", 100)


LICENSE_STATUSES = st.LICENSE_STATUSES


def license_api(lic):
    issuer = {"Name": lic["issuer"]}
    if lic.get("sign_key"):
        issuer["SignKey"] = lic["sign_key"]
    if lic.get("fingerprint"):
        issuer["KeyFingerprint"] = lic["fingerprint"]
    return {
        "LicenseArn": lic["arn"], "LicenseName": lic["name"],
        "ProductName": lic["product_name"], "ProductSKU": lic["product_sku"],
        "Issuer": issuer, "HomeRegion": lic["home_region"],
        "Status": lic["status"],
        "Validity": {"Begin": st.iso8601(lic["create_time"])},
        "Beneficiary": lic.get("beneficiary", ""),
        "Entitlements": list(lic.get("entitlements") or []),
        # Real AWS sends an epoch-seconds string although the model says
        # ISO 8601; clients must cope.
        "CreateTime": str(int(lic["create_time"])),
        "Version": "1",
        "ReceivedMetadata": {
            "ReceivedStatus": "ACTIVE",
            "AllowedOperations": list(lic["allowed_operations"])},
    }


def lm_ListReceivedLicenses(ctx, params):
    _require_management(ctx)
    filters = parse_filters(
        params, ["ProductSKU", "Status", "Fingerprint", "IssuerName",
                 "Beneficiary"], {"Status": LICENSE_STATUSES})
    fields = {"ProductSKU": "product_sku", "Status": "status",
              "Fingerprint": "fingerprint", "IssuerName": "issuer",
              "Beneficiary": "beneficiary"}
    wanted = set(params.get("LicenseArns") or [])
    items = [license_api(lic) for lic in ctx.state.licenses.values()
             if lic.get("beneficiary") == ctx.account
             and (not wanted or lic["arn"] in wanted)
             and all(lic.get(fields[n]) == v for n, v in filters.items())]
    return _page_response(ctx, params, items, "Licenses", 100)


def lm_permission_gate(ctx):
    """Member accounts only reach the grantee-side operations."""
    if not ctx.is_license_admin and ctx.operation not in LM_MEMBER_OPS:
        raise _access_denied(ctx)


# --------------------------------------------------------------------------
# Organizations
# --------------------------------------------------------------------------

def _org_error(type_, message, **extra):
    return ApiError(type_, message, extra=extra)


def orgs_permission_gate(ctx):
    if ctx.state.org is None:
        raise _org_error("AWSOrganizationsNotInUseException",
                         "Your account is not a member of an organization.")
    # Any member may describe its organization (AWS documents it so); a
    # delegated administrator (of any service) may read all of it.
    if ctx.operation == "DescribeOrganization":
        return
    if not ctx.is_management and \
            not iam.is_any_delegated_admin(ctx.state, ctx.account):
        raise _org_error("AccessDeniedException",
                         "You don't have permissions to access this resource.")


def _org_prefix(ctx):
    org = ctx.state.org
    return "arn:aws:organizations::%s:" % org["management_account"], org["id"]


def _account_api(ctx, acct):
    prefix, org_id = _org_prefix(ctx)
    return {"Id": acct["id"], "Arn": "%saccount/%s/%s" % (prefix, org_id,
                                                          acct["id"]),
            "Email": acct["email"], "Name": acct["name"], "Status": "ACTIVE",
            "State": "ACTIVE", "JoinedMethod": acct["joined_method"],
            "JoinedTimestamp": acct["joined"]}


def _ou_api(ctx, ou):
    prefix, org_id = _org_prefix(ctx)
    return {"Id": ou["id"], "Arn": "%sou/%s/%s" % (prefix, org_id, ou["id"]),
            "Name": ou["name"]}


def _check_parent(ctx, parent_id):
    if not ctx.state.is_parent(parent_id):
        raise _org_error("ParentNotFoundException",
                         "We can't find a root or OU with the ParentId that "
                         "you specified.")


def orgs_DescribeOrganization(ctx, params):
    org = ctx.state.org
    prefix, org_id = _org_prefix(ctx)
    mgmt = org["management_account"]
    return {"Organization": {
        "Id": org_id, "Arn": "%sorganization/%s" % (prefix, org_id),
        "FeatureSet": org.get("feature_set", "ALL"),
        "MasterAccountArn": "%saccount/%s/%s" % (prefix, org_id, mgmt),
        "MasterAccountId": mgmt,
        "MasterAccountEmail": org["management_email"],
        "AvailablePolicyTypes": []}}


def orgs_ListRoots(ctx, params):
    prefix, org_id = _org_prefix(ctx)
    root = ctx.state.root
    items = [{"Id": root["id"], "Arn": "%sroot/%s/%s" % (prefix, org_id,
                                                         root["id"]),
              "Name": root["name"], "PolicyTypes": []}]
    return _page_response(ctx, params, items, "Roots", 20)


def orgs_ListOrganizationalUnitsForParent(ctx, params):
    _check_parent(ctx, params["ParentId"])
    items = [_ou_api(ctx, ou) for ou in ctx.state.ous.values()
             if ou["parent"] == params["ParentId"]]
    return _page_response(ctx, params, items, "OrganizationalUnits", 20)


def orgs_ListAccountsForParent(ctx, params):
    _check_parent(ctx, params["ParentId"])
    items = [_account_api(ctx, a) for a in ctx.state.accounts.values()
             if a["parent"] == params["ParentId"]]
    return _page_response(ctx, params, items, "Accounts", 20)


def orgs_ListChildren(ctx, params):
    _check_parent(ctx, params["ParentId"])
    parent = params["ParentId"]
    if params["ChildType"] == "ACCOUNT":
        items = [{"Id": a["id"], "Type": "ACCOUNT"}
                 for a in ctx.state.accounts.values() if a["parent"] == parent]
    else:
        items = [{"Id": o["id"], "Type": "ORGANIZATIONAL_UNIT"}
                 for o in ctx.state.ous.values() if o["parent"] == parent]
    return _page_response(ctx, params, items, "Children", 20)


def orgs_ListAccounts(ctx, params):
    items = [_account_api(ctx, a) for a in ctx.state.accounts.values()]
    return _page_response(ctx, params, items, "Accounts", 20)


def orgs_DescribeOrganizationalUnit(ctx, params):
    ou = ctx.state.ous.get(params["OrganizationalUnitId"])
    if ou is None:
        raise _org_error("OrganizationalUnitNotFoundException",
                         "We can't find an OU with the "
                         "OrganizationalUnitId that you specified.")
    return {"OrganizationalUnit": _ou_api(ctx, ou)}


def orgs_ListParents(ctx, params):
    s = ctx.state
    child = params["ChildId"]
    if child in s.accounts:
        parent = s.accounts[child]["parent"]
    elif child in s.ous:
        parent = s.ous[child]["parent"]
    else:
        raise _org_error("ChildNotFoundException",
                         "We can't find an organizational unit (OU) or AWS "
                         "account with the ChildId that you specified.")
    kind = "ROOT" if parent == s.root["id"] else "ORGANIZATIONAL_UNIT"
    return _page_response(ctx, params, [{"Id": parent, "Type": kind}],
                          "Parents", 20)


# --------------------------------------------------------------------------
# STS
# --------------------------------------------------------------------------

def sts_GetCallerIdentity(ctx, params):
    ident = ctx.identity
    return {"UserId": ident.user_id, "Account": ident.account,
            "Arn": ident.arn}


def sts_AssumeRole(ctx, params):
    s = ctx.state
    caller = ctx.identity
    role = s.roles.get(params["RoleArn"])
    if role is None or caller.account not in role["trusted_accounts"] or \
            (role.get("external_id") and
             params.get("ExternalId") != role["external_id"]):
        raise ApiError("AccessDenied",
                       "User: %s is not authorized to perform: sts:AssumeRole "
                       "on resource: %s" % (caller.arn, params["RoleArn"]))
    duration = params.get("DurationSeconds", 3600)
    # Role chaining (assumed-role credentials assuming a role) is capped at
    # one hour by AWS.
    cap = 3600 if caller.temporary else role["max_session_duration"]
    if duration > cap:
        raise ApiError("ValidationError",
                       "The requested DurationSeconds exceeds the %s set for "
                       "this role." % ("1 hour session limit for roles "
                                       "assumed by role chaining"
                                       if caller.temporary else
                                       "MaxSessionDuration"))
    cred = s.issue_credentials(role, params["RoleSessionName"], duration,
                               caller)
    return {
        "Credentials": {"AccessKeyId": cred.access_key_id,
                        "SecretAccessKey": cred.secret,
                        "SessionToken": cred.session_token,
                        "Expiration": st.iso8601(cred.expiration)},
        "AssumedRoleUser": {"AssumedRoleId": cred.user_id, "Arn": cred.arn},
        "PackedPolicySize": 0,
    }


# --------------------------------------------------------------------------
# Delegated administration, trusted access, web identity (issue 13)
# --------------------------------------------------------------------------

def orgs_ListDelegatedAdministrators(ctx, params):
    s = ctx.state
    items = []
    for account in iam.delegated_admins(s, params.get("ServicePrincipal")):
        acct = s.accounts.get(account)
        if acct is None:
            continue
        entry = _account_api(ctx, acct)
        entry["DelegationEnabledDate"] = acct["joined"]
        items.append(entry)
    return _page_response(ctx, params, items, "DelegatedAdministrators", 20)


def orgs_ListAWSServiceAccessForOrganization(ctx, params):
    items = [{"ServicePrincipal": p, "DateEnabled": st.DEFAULT_JOINED_TIME}
             for p in iam.enabled_service_principals(ctx.state)]
    return _page_response(ctx, params, items, "EnabledServicePrincipals", 20)


def sts_AssumeRoleWithWebIdentity(ctx, params):
    """Unsigned, as on AWS: the token is the proof. It must be one a fixture
    web_identities entry lists for this role."""
    s = ctx.state
    entry = next((w for w in s.web_identities
                  if w["token"] == params["WebIdentityToken"]), None)
    if entry is None:
        raise ApiError("InvalidIdentityToken",
                       "The web identity token is not valid or has expired.")
    if entry["role_arn"] != params["RoleArn"]:
        raise ApiError("AccessDenied",
                       "Not authorized to perform sts:AssumeRoleWithWebIdentity")
    role = s.roles[params["RoleArn"]]
    duration = params.get("DurationSeconds", 3600)
    if duration > role["max_session_duration"]:
        raise ApiError("ValidationError", "The requested DurationSeconds "
                       "exceeds the MaxSessionDuration set for this role.")
    subject = entry.get("subject", "web-identity-subject")
    cred = s.issue_credentials(role, params["RoleSessionName"], duration,
                               "web-identity:%s" % subject)
    # A test knob: credentials that expire sooner than STS would allow, so
    # that a refresh before expiry can be watched within seconds.
    if entry.get("expires_in"):
        cred.expiration = int(ctx.now) + int(entry["expires_in"])
    return {
        "Credentials": {"AccessKeyId": cred.access_key_id,
                        "SecretAccessKey": cred.secret,
                        "SessionToken": cred.session_token,
                        "Expiration": st.iso8601(cred.expiration)},
        "SubjectFromWebIdentityToken": subject,
        "AssumedRoleUser": {"AssumedRoleId": cred.user_id, "Arn": cred.arn},
        "Provider": entry.get("provider", "oidc.emulator.local"),
        "Audience": entry.get("audience", "sts.amazonaws.com"),
    }


# --------------------------------------------------------------------------
# Registry
# --------------------------------------------------------------------------

HANDLERS = {
    "license-manager": {n[3:]: f for n, f in globals().items()
                        if n.startswith("lm_") and n != "lm_permission_gate"},
    "organizations": {n[5:]: f for n, f in globals().items()
                      if n.startswith("orgs_") and
                      n != "orgs_permission_gate"},
    "sts": {n[4:]: f for n, f in globals().items() if n.startswith("sts_")},
}

GATES = {"license-manager": lm_permission_gate,
         "organizations": orgs_permission_gate,
         "sts": lambda ctx: None}


def is_write(service, operation):
    return service == "license-manager" and operation in LM_WRITES
