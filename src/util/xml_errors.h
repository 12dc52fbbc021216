/* libxml2's errors, kept instead of printed.
 *
 * libxml2's default handler prints every parse error to stderr together
 * with the offending line of the document - raw bytes of an image, control
 * characters included - even under -q. wimlib parses a WIM's XML with
 * libxml2's defaults, so patchlevel installs its own process-wide handlers
 * that print nothing: the caller of a parse asks for what was reported
 * and makes it part of the input's error or the installation's warnings
 * (escaped like every other string when shown). The package manifest
 * parser (evidence/mum.c) sets its own per-parser handler as well. */
#ifndef PL_XML_ERRORS_H
#define PL_XML_ERRORS_H

#include <stddef.h>

/* Characters of a libxml2 message kept (the rest is cut off). */
#define PL_XML_ERROR_MAX 200

/* Install the handlers (idempotent) and forget what was collected: call
 * right before a parse, or before a library call that parses. */
void pl_xml_errors_begin(void);

/* How many errors and warnings libxml2 reported since begin; the first
 * one as "line N: message" (NULL when none), valid until the next begin. */
size_t pl_xml_errors_count(void);
const char *pl_xml_errors_first(void);

#endif
