/* libxml2 error collection. See xml_errors.h. */
#include "util/xml_errors.h"

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlversion.h>
#include <stdio.h>
#include <string.h>

/* One parse at a time per thread: libxml2 keeps its error handlers per
 * thread too, so analyses in different threads do not mix their errors. */
static _Thread_local struct {
    size_t count;
    int have_first;
    char first[PL_XML_ERROR_MAX + 32];
} collected;

/* Copy at most PL_XML_ERROR_MAX bytes of m, not splitting a UTF-8
 * character and without the trailing newline libxml2 adds. */
static void keep_message(int line, const char *m)
{
    size_t n = strnlen(m, PL_XML_ERROR_MAX);
    if (m[n])
        while (n > 0 && ((unsigned char)m[n] & 0xC0) == 0x80)
            n--;
    while (n > 0 && (m[n - 1] == '\n' || m[n - 1] == '\r' || m[n - 1] == ' '))
        n--;
    snprintf(collected.first, sizeof collected.first, "line %d: %.*s", line, (int)n, m);
    collected.have_first = 1;
}

#if LIBXML_VERSION >= 21200
static void structured(void *ctx, const xmlError *e)
#else
static void structured(void *ctx, xmlErrorPtr e)
#endif
{
    (void)ctx;
    if (!e)
        return;
    collected.count++;
    if (!collected.have_first)
        keep_message(e->line, e->message ? e->message : "unknown error");
}

/* The old-style handler: reached only by code that bypasses the
 * structured one; counted, never printed. */
static void generic(void *ctx, const char *fmt, ...)
{
    (void)ctx;
    (void)fmt;
    collected.count++;
}

void pl_xml_errors_begin(void)
{
    xmlSetStructuredErrorFunc(NULL, structured);
    xmlSetGenericErrorFunc(NULL, generic);
    memset(&collected, 0, sizeof collected);
}

size_t pl_xml_errors_count(void)
{
    return collected.count;
}

const char *pl_xml_errors_first(void)
{
    return collected.have_first ? collected.first : NULL;
}
