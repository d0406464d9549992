# Issue 5, hostile answers 1: HTTP 200 with truncated or invalid JSON, in
# a grants page, the licenses page, an Organizations page and a write's
# answer. Each is an error for what it concerns (that license, every
# license, the models that need the organization, that action): no crash,
# nothing read as "no grants", no write on the license whose page broke.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/bad-answer.sh"
bad_answers \
	'{"Grants": [{"GrantArn": "arn:aws:license-manager::111111111111:grant:g-0123456789abcdef0123456789abcdef", "Version": "1"' \
	'{"Licenses": [' \
	'<html><body>502 Bad Gateway</body></html>' \
	''
echo ok
