"""IAM for the emulator (issue 13): identity policies and the organization's
administrators.

A fixture credential or role may carry `policy`: either a list of allowed
actions ("license-manager:CreateGrant", wildcards as in IAM:
"organizations:List*") or an IAM policy document whose Allow statements'
Action lists are read (Resource and Condition are not evaluated). Without
`policy` an identity may call everything its account may. A call outside
the policy is AccessDeniedException (STS: AccessDenied) naming the action,
as AWS words it. CreateGrant with Tags also needs license-manager:TagResource
(AWS authorizes the tagging separately). sts:GetCallerIdentity needs no
permission, as on AWS.

Nothing here locks: it runs under the server's global lock.
"""

import fnmatch

SERVICE_PREFIX = {"license-manager": "license-manager",
                  "organizations": "organizations", "sts": "sts"}
ALWAYS_ALLOWED = {"sts:GetCallerIdentity"}
LM_SERVICE_PRINCIPAL = "license-manager.amazonaws.com"
MARKETPLACE_SERVICE_PRINCIPAL = "license-management.marketplace.amazonaws.com"


def policy_actions(policy):
    """The allowed action patterns of a fixture `policy` (list or
    document); None for no policy (everything allowed)."""
    if policy is None:
        return None
    if isinstance(policy, list):
        return [str(a) for a in policy]
    if isinstance(policy, dict):
        out = []
        statements = policy.get("Statement") or []
        if isinstance(statements, dict):
            statements = [statements]
        for stmt in statements:
            if stmt.get("Effect") != "Allow":
                continue
            actions = stmt.get("Action") or []
            out.extend([actions] if isinstance(actions, str) else actions)
        return out
    raise ValueError("policy must be a list of actions or a policy document")


def allows(actions, action):
    if actions is None or action in ALWAYS_ALLOWED:
        return True
    return any(fnmatch.fnmatchcase(action.lower(), a.lower()) for a in actions)


def required_actions(service, operation, params):
    """The IAM actions one call needs."""
    need = ["%s:%s" % (SERVICE_PREFIX[service], operation)]
    if service == "license-manager" and operation == "CreateGrant" and \
            (params or {}).get("Tags"):
        need.append("license-manager:TagResource")
    return need


def check_policy(identity, service, operation, params):
    """Raises the AccessDenied AWS sends when identity's policy lacks an
    action the call needs."""
    from state import ApiError      # state imports this module

    if identity is None:
        return
    actions = getattr(identity, "policy", None)
    for action in required_actions(service, operation, params):
        if allows(actions, action):
            continue
        err = "AccessDenied" if service == "sts" else "AccessDeniedException"
        raise ApiError(err, "User: %s is not authorized to perform: %s "
                       "because no identity-based policy allows the %s action"
                       % (identity.arn, action, action))


def delegated_admins(state, service_principal=None):
    """Account ids registered as delegated administrators (for one service
    principal when given), in fixture order."""
    out = []
    for entry in state.delegated_administrators:
        if service_principal in (None, entry["service_principal"]) and \
                entry["account"] not in out:
            out.append(entry["account"])
    return out


def is_license_admin(state, account):
    """The management account or License Manager's delegated administrator:
    who may manage the organization's grants."""
    return account is not None and (
        account == state.management_account or
        account in delegated_admins(state, LM_SERVICE_PRINCIPAL))


def is_any_delegated_admin(state, account):
    return account in delegated_admins(state)


def enabled_service_principals(state):
    org = state.org or {}
    out = []
    if org.get("trusted_access", True):
        out.append(LM_SERVICE_PRINCIPAL)
    if org.get("trusted_access_marketplace", True):
        out.append(MARKETPLACE_SERVICE_PRINCIPAL)
    return out
