# Issue 5, hostile answers 2: HTTP 200 with valid JSON that lacks a member
# the answer needs: a grants page without "Grants" (not an empty list: a
# missing one), a license without its ARN, an Organizations page without
# "Accounts", a CreateGrant answer without GrantArn. Each is an error for
# what it concerns, never "no grants" and never a duplicate.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/bad-answer.sh"
bad_answers \
	'{}' \
	'{"Licenses": [{"ProductSKU": "prod-4pmewlybdftbs", "Status": "AVAILABLE"}]}' \
	'{"NextToken": null}' \
	'{"Status": "PENDING_WORKFLOW", "Version": "1"}'
echo ok
