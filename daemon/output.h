/*
 * output: what plan and apply print on stdout, as text for people (one
 * line per action, then a count line) or as one JSON document.
 */
#ifndef LMGRANTD_OUTPUT_H
#define LMGRANTD_OUTPUT_H

#include <stdio.h>

#include "reconcile.h"

enum output_format { OUTPUT_TEXT, OUTPUT_JSON };
int output_format_parse(const char *s, enum output_format *out);

void output_pass(FILE *f, enum output_format fmt, const struct pass_report *r);

#endif
