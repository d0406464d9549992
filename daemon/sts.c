/*
 * sts: GetCallerIdentity and AssumeRole over the query protocol, and the
 * grantee session cache.
 *
 * Answers are read with expat (xmltree.c) rather than libxml2: the answers
 * are a few hundred bytes of plain elements, and libxml2 (with the ICU and
 * libstdc++ it pulls in) cost about 2 MiB of resident memory from start-up
 * on, an eighth of the daemon's budget; expat costs a few pages. xmltree
 * refuses what STS never sends and a parser should not have to get right
 * (DTDs and so entity definitions, processing instructions, encodings
 * other than UTF-8) and expat checks all the rest of well-formedness, so
 * that a truncated answer is an error wherever it is cut; see xmltree.h.
 * What stays here is a strict walk of its tree: the expected root element
 * in STS's namespace, every required member exactly once, text only where
 * text belongs. The tree's text, which holds secrets, is wiped when freed.
 */
#include "sts.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "xmltree.h"

void sts_identity_clear(struct sts_identity *id)
{
	if (!id)
		return;
	free(id->account);
	free(id->arn);
	free(id->user_id);
	memset(id, 0, sizeof(*id));
}

/* ---- strict walk of an answer ---- */

static bool in_sts_ns(const struct xml_element *e)
{
	return strcmp(e->ns, STS_NAMESPACE) == 0;
}

/* Parses xml (at most XML_MAX_INPUT bytes) and checks its root is <root>
 * in STS's namespace. Caller frees with xmltree_free. */
static struct xml_element *parse_answer(const char *xml, size_t len, const char *root, char **why)
{
	struct xml_element *top = NULL;

	if (xmltree_parse(xml, len, &top, why) < 0)
		return NULL;
	if (strcmp(top->name, root) != 0 || !in_sts_ns(top)) {
		/* An element name is markup, not a value; a long one is left out. */
		*why = xasprintf("expected <%s> in namespace %s, got <%s>", root, STS_NAMESPACE,
				 strlen(top->name) <= 64 ? top->name : "...");
		xmltree_free(top);
		return NULL;
	}
	return top;
}

static bool is_blank(const char *s)
{
	return s[strspn(s, " \t\n\r")] == '\0';
}

/* The one child element <name> (in STS's namespace) of a structure
 * element. Text in a structure, a duplicate member or (when required) a
 * missing one are errors; unknown members are fine (AWS adds some over
 * time). */
static int member(const struct xml_element *parent, const char *name, bool required,
		  const struct xml_element **out, char **why)
{
	*out = NULL;
	if (!is_blank(parent->text)) {
		*why = xasprintf("<%s> holds text where members are expected", parent->name);
		return -1;
	}
	for (const struct xml_element *n = parent->children; n; n = n->next) {
		if (strcmp(n->name, name) != 0 || !in_sts_ns(n))
			continue;
		if (*out) {
			*why = xasprintf("<%s> appears twice in <%s>", name, parent->name);
			return -1;
		}
		*out = n;
	}
	if (!*out && required) {
		*why = xasprintf("<%s> has no <%s>", parent->name, name);
		return -1;
	}
	return 0;
}

/* Checks that n is a leaf element (character data and CDATA) with text. */
static int leaf(const struct xml_element *n, char **why)
{
	if (n->children) {
		*why = xasprintf("<%s> holds markup where text is expected", n->name);
		return -1;
	}
	if (n->text_len == 0) {
		*why = xasprintf("<%s> is empty", n->name);
		return -1;
	}
	return 0;
}

/* The text of a leaf element; caller frees. */
static int leaf_text(const struct xml_element *n, char **out, char **why)
{
	*out = NULL;
	if (leaf(n, why) < 0)
		return -1;
	*out = xstrdup(n->text);
	return 0;
}

/* Text of the path root/a/b/..., every step required. */
static int path_text(const struct xml_element *from, const char *const *path, char **out,
		     char **why)
{
	const struct xml_element *n = from;

	for (; *path; path++)
		if (member(n, *path, true, &n, why) < 0)
			return -1;
	return leaf_text(n, out, why);
}

int sts_parse_caller_identity(const char *xml, size_t len, struct sts_identity *out, char **why)
{
	static const char *const account[] = { "GetCallerIdentityResult", "Account", NULL };
	static const char *const arn[] = { "GetCallerIdentityResult", "Arn", NULL };
	static const char *const user[] = { "GetCallerIdentityResult", "UserId", NULL };
	struct xml_element *root = parse_answer(xml, len, "GetCallerIdentityResponse", why);
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!root)
		return -1;
	if (path_text(root, account, &out->account, why) < 0 ||
	    path_text(root, arn, &out->arn, why) < 0 || path_text(root, user, &out->user_id, why) < 0)
		goto out;
	if (strlen(out->account) != 12 || strspn(out->account, "0123456789") != 12) {
		*why = xstrdup("<Account> is not a 12-digit account id");
		goto out;
	}
	rc = 0;
out:
	if (rc < 0)
		sts_identity_clear(out);
	xmltree_free(root);
	return rc;
}

/* The credentials of an AssumeRole-like answer: <OpResponse><OpResult>
 * <Credentials>. */
static int parse_role_credentials(const char *xml, size_t len, const char *op,
				  struct aws_credentials *out, char **why)
{
	static const char *const names[] = { "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration" };
	char *root_name = xasprintf("%sResponse", op), *result_name = xasprintf("%sResult", op);
	const char *const result_path[] = { result_name, "Credentials", NULL };
	struct xml_element *root = parse_answer(xml, len, root_name, why);
	const struct xml_element *creds = root, *n = NULL;
	const char *text[ARRAY_LEN(names)] = { NULL };
	struct credentials_doc doc = { 0 };
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!root)
		goto out;
	for (const char *const *p = result_path; *p; p++)
		if (member(creds, *p, true, &creds, why) < 0)
			goto out;
	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		if (member(creds, names[i], true, &n, why) < 0 || leaf(n, why) < 0)
			goto out;
		text[i] = n->text;
	}
	doc = (struct credentials_doc){ text[0], text[1], text[2], text[3] };
	/* now 0: whether they have expired is the session cache's question. */
	rc = credentials_decode(&doc, CREDS_DOC_TEMPORARY, 0, out, why);
out:
	xmltree_free(root);
	free(root_name);
	free(result_name);
	return rc;
}

int sts_parse_assume_role(const char *xml, size_t len, struct aws_credentials *out, char **why)
{
	return parse_role_credentials(xml, len, "AssumeRole", out, why);
}

int sts_parse_assume_role_web_identity(const char *xml, size_t len, struct aws_credentials *out,
				       char **why)
{
	return parse_role_credentials(xml, len, "AssumeRoleWithWebIdentity", out, why);
}

/* ---- calls ---- */

/* "&Name=value", the value percent-encoded. */
static void form_add(struct strbuf *form, const char *name, const char *value)
{
	char *enc = curl_easy_escape(NULL, value, 0);

	if (!enc)
		abort(); /* only on out-of-memory */
	sb_printf(form, "&%s=%s", name, enc);
	curl_free(enc);
}

int sts_get_caller_identity(const struct aws_client *c, struct sts_identity *out,
			    struct aws_error *err)
{
	char *xml = NULL, *why = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (aws_query_call(c->http, c->svc, c->creds, "GetCallerIdentity",
			   "Action=GetCallerIdentity&Version=2011-06-15", &xml, err) < 0)
		return -1;
	if (sts_parse_caller_identity(xml, strlen(xml), out, &why) < 0)
		aws_error_protocol(err, "GetCallerIdentity", why);
	else
		rc = 0;
	free(xml);
	return rc;
}

int sts_assume_role(const struct aws_client *c, const struct sts_assume_role_in *in,
		    struct aws_credentials *out, struct aws_error *err)
{
	struct strbuf form = { 0 };
	char *xml = NULL, *why = NULL, *body;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	sb_puts(&form, "Action=AssumeRole&Version=2011-06-15");
	form_add(&form, "RoleArn", in->role_arn);
	form_add(&form, "RoleSessionName", in->session_name);
	if (in->external_id)
		form_add(&form, "ExternalId", in->external_id);
	if (in->duration_s > 0)
		sb_printf(&form, "&DurationSeconds=%ld", in->duration_s);
	body = sb_steal(&form);
	if (aws_query_call(c->http, c->svc, c->creds, "AssumeRole", body, &xml, err) < 0)
		goto out;
	if (sts_parse_assume_role(xml, strlen(xml), out, &why) < 0)
		aws_error_protocol(err, "AssumeRole", why);
	else
		rc = 0;
out:
	free_secret(xml);
	free(body);
	return rc;
}

int sts_assume_role_web_identity(const struct aws_client *c, const struct sts_web_identity_in *in,
				 struct aws_credentials *out, struct aws_error *err)
{
	struct strbuf form = { 0 };
	char *xml = NULL, *why = NULL, *body;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	sb_puts(&form, "Action=AssumeRoleWithWebIdentity&Version=2011-06-15");
	form_add(&form, "RoleArn", in->role_arn);
	form_add(&form, "RoleSessionName", in->session_name);
	form_add(&form, "WebIdentityToken", in->token);
	body = sb_steal(&form);
	/* Unsigned: the token is the proof, and there are no keys yet. */
	if (aws_query_call(c->http, c->svc, NULL, "AssumeRoleWithWebIdentity", body, &xml, err) < 0)
		goto out;
	if (sts_parse_assume_role_web_identity(xml, strlen(xml), out, &why) < 0)
		aws_error_protocol(err, "AssumeRoleWithWebIdentity", why);
	else
		rc = 0;
out:
	free_secret(xml);
	free_secret(body); /* holds the token */
	return rc;
}

/* ---- grantee sessions ---- */

struct sts_session {
	char *role_arn;
	struct cred_source *creds;
	time_t expiration;
};

struct sts_sessions {
	struct sts_session *v;
	size_t n, cap;
};

struct sts_sessions *sts_sessions_new(void)
{
	return xcalloc(1, sizeof(struct sts_sessions));
}

void sts_sessions_free(struct sts_sessions *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].role_arn);
		cred_source_free(s->v[i].creds);
	}
	free(s->v);
	free(s);
}

static struct sts_session *session_slot(struct sts_sessions *s, const char *role_arn)
{
	struct sts_session *e;

	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].role_arn, role_arn) == 0)
			return &s->v[i];
	grow_array((void **)&s->v, &s->cap, s->n + 1, sizeof(*s->v));
	e = &s->v[s->n++];
	memset(e, 0, sizeof(*e));
	e->role_arn = xstrdup(role_arn);
	return e;
}

int sts_sessions_get(struct sts_sessions *s, const struct aws_client *sts, const char *role_arn,
		     const char *session_name, time_t now, struct cred_source **out,
		     struct aws_error *err)
{
	struct sts_session *e = session_slot(s, role_arn);
	struct sts_assume_role_in in = { role_arn, session_name, NULL, 0 };
	struct aws_credentials c = { 0 };
	char *label;

	*out = NULL;
	if (e->creds && now < e->expiration - CREDS_REFRESH_MARGIN_S) {
		*out = e->creds;
		return 0;
	}
	if (sts_assume_role(sts, &in, &c, err) < 0) {
		/* A failed refresh keeps a session that is still valid. */
		if (e->creds && now < e->expiration) {
			*out = e->creds;
			aws_error_clear(err);
			return 0;
		}
		return -1;
	}
	label = xasprintf("assumed role %s (session %s)", role_arn, session_name);
	cred_source_free(e->creds);
	e->creds = cred_source_fixed(&c, label);
	e->expiration = c.expiration;
	free(label);
	aws_credentials_clear(&c);
	*out = e->creds;
	return 0;
}
