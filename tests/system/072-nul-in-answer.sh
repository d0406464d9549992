# Hostile answers 4: HTTP 200 whose body is a complete, valid answer, then a
# NUL byte, then more. A reader that stopped at the NUL would take "no
# grants", "no licenses", "no accounts" or a write's answer for the truth;
# lmgrantd refuses the whole answer, as for the other broken bodies (067).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/bad-answer.sh"
bad_answers \
	'json:"{\"Grants\": [], \"NextToken\": null}\u0000{\"Grants\": []}"' \
	'json:"{\"Licenses\": []}\u0000"' \
	'json:"{\"Accounts\": []}\u0000"' \
	'json:"{\"GrantArn\": \"arn:aws:license-manager::111111111111:grant:g-0123456789abcdef0123456789abcdef\", \"Status\": \"PENDING_WORKFLOW\", \"Version\": \"1\"}\u0000"'
echo ok
