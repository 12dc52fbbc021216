/* Making strings from an image or a file name safe to print.
 *
 * Any such string may hold terminal escape sequences (ESC ] 0 ; ... BEL
 * retitles a terminal, ESC [ 31 m colours it), a newline followed by a
 * forged report line, or bytes that are not UTF-8. Every one of them is
 * escaped before it reaches a terminal, a text report, a CSV cell or
 * stderr; the JSON writer has its own escaping (\u00XX).
 *
 * The escapes (C-like, so they read naturally and can be undone):
 *   \n \t \r          newline, tab, carriage return
 *   \xNN              any other C0 control, DEL (0x7f), every byte of a C1
 *                     control (U+0080-U+009F, so "\xc2\x85"), of a bidi or
 *                     line-separator character (U+2028/2029, U+202A-202E,
 *                     U+2066-2069: they reorder or break what follows),
 *                     and every byte that is not part of valid UTF-8
 *   \\                a backslash, only when what follows it could be read
 *                     as an escape (one of \ x n t r, or a byte that is
 *                     itself escaped). Windows paths ("C:\Windows\System32")
 *                     stay as they are; "C:\Windows\new" reads
 *                     "C:\Windows\\new".
 * Everything else - printable ASCII and valid UTF-8 such as "Server®" -
 * is copied unchanged. Unescaping is unambiguous: a backslash followed by
 * \ x n t r starts an escape, any other backslash is itself. */
#ifndef PL_ESCAPE_H
#define PL_ESCAPE_H

#include <stddef.h>

/* The escaped form of s (NULL gives NULL), newly allocated. */
char *pl_escape(const char *s);

/* The escaped form of s in one of 8 buffers used in turn, for use inside
 * a printf argument list: valid until 8 more calls. NULL gives NULL.
 * Not thread-safe (patchlevel runs -j workers as processes). */
const char *pl_esc(const char *s);

/* True when pl_escape would change s. */
int pl_needs_escape(const char *s);

#endif
