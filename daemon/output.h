/*
 * output: what plan and apply print on stdout, as text for people (one
 * line per action, then a count line) or as one JSON document.
 */
#ifndef LMGRANTD_OUTPUT_H
#define LMGRANTD_OUTPUT_H

#include <stdio.h>

#include "reconcile.h"

enum output_format { OUTPUT_TEXT, OUTPUT_JSON, OUTPUT_MARKDOWN };

/* The version of the plan/apply JSON document (README "JSON output"):
 * raised when a member changes meaning or goes away, not when one is added. */
#define OUTPUT_FORMAT_VERSION 1
int output_format_parse(const char *s, enum output_format *out);

/* Text, JSON, or Markdown for a pull-request comment (plan). */
void output_pass(FILE *f, enum output_format fmt, const struct pass_report *r);

#endif
