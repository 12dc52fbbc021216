/* Unit tests for the text escaping of untrusted strings (src/util/escape.c)
 * and the string set (pl_strset): exact escaped forms, readable UTF-8
 * untouched, no raw control byte ever left, and unambiguous round trips. */
#include "util/escape.h"
#include "util/util.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../check_main.h"

static void check_esc(const char *in, const char *want)
{
    char *got = pl_escape(in);
    ck_assert_str_eq(got, want);
    ck_assert_int_eq(pl_needs_escape(in), strcmp(in, want) != 0);
    free(got);
}

START_TEST(plain_text_unchanged)
{
    check_esc("", "");
    check_esc("Windows Server (R) 2008 Enterprise", "Windows Server (R) 2008 Enterprise");
    check_esc("Windows Server\xC2\xAE 2008", "Windows Server\xC2\xAE 2008");   /* U+00AE */
    check_esc("\xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80", "\xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80");
    check_esc("C:\\Windows\\System32\\config", "C:\\Windows\\System32\\config");
}
END_TEST

/* The report-forging ProductName of issue 13. */
START_TEST(terminal_sequences)
{
    check_esc("\x1b]0;owned\x07\x1b[31mred\n  Build 6003:  YES: forged",
              "\\x1b]0;owned\\x07\\x1b[31mred\\n  Build 6003:  YES: forged");
    check_esc("a\tb\rc\x7f" "d", "a\\tb\\rc\\x7fd");
    check_esc("\x01\x1f", "\\x01\\x1f");
}
END_TEST

START_TEST(c1_bidi_and_separators)
{
    check_esc("a\xC2\x85z", "a\\xc2\\x85z");             /* NEL */
    check_esc("\xC2\x9B" "31m", "\\xc2\\x9b31m");         /* CSI */
    check_esc("\xC2\xA0", "\xC2\xA0");                    /* NBSP is fine */
    check_esc("exe.\xE2\x80\xAEtxt", "exe.\\xe2\\x80\\xaetxt"); /* RLO */
    check_esc("\xE2\x81\xA6", "\\xe2\\x81\\xa6");         /* LRI */
    check_esc("\xE2\x80\xA8", "\\xe2\\x80\\xa8");         /* LINE SEPARATOR */
    check_esc("\xE2\x80\x94", "\xE2\x80\x94");            /* EM DASH is fine */
}
END_TEST

START_TEST(invalid_utf8)
{
    check_esc("\xFF", "\\xff");
    check_esc("a\xC3", "a\\xc3");                 /* cut character */
    check_esc("\xC0\xAF", "\\xc0\\xaf");          /* overlong */
    check_esc("\xED\xA0\x80", "\\xed\\xa0\\x80"); /* surrogate */
    check_esc("\xF4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"); /* past U+10FFFF */
    check_esc("\xE6\x97", "\\xe6\\x97");
}
END_TEST

START_TEST(backslash_only_when_ambiguous)
{
    check_esc("\\", "\\");
    check_esc("a\\b", "a\\b");
    check_esc("C:\\Windows\\new", "C:\\Windows\\\\new");
    check_esc("\\x1b", "\\\\x1b");                /* the four characters */
    check_esc("\\\\", "\\\\\\");                 /* two backslashes */
    check_esc("\\\x1b", "\\\\\\x1b");            /* backslash, then ESC */
}
END_TEST

/* Undo the escaping as escape.h describes it. */
static char *unescape(const char *s)
{
    char *out = malloc(strlen(s) + 1), *o = out;
    while (*s) {
        if (s[0] != '\\' || !s[1] || !strchr("\\xntr", s[1])) {
            *o++ = *s++;
            continue;
        }
        char c = s[1];
        if (c == 'x') {
            *o++ = (char)strtol((char[]){s[2], s[3], 0}, NULL, 16);
            s += 4;
        } else {
            *o++ = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : '\\';
            s += 2;
        }
    }
    *o = '\0';
    return out;
}

/* Random bytes (biased to the interesting ones): nothing below 0x20 or
 * DEL survives, and unescaping gives back the input. */
START_TEST(random_round_trip)
{
    static const unsigned char pick[] = {'\\', 'x', 'n', 0x1b, '\n', 0x7f, 0xC2, 0x85,
                                         0xE2, 0x80, 0xAE, 0xFF, 'a', 0xC3, 0xA9, '1'};
    uint32_t seed = 12345;
    for (int round = 0; round < 3000; round++) {
        char in[24];
        size_t n = (size_t)(round % 23);
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            in[i] = (char)((seed >> 16) % 3 ? pick[(seed >> 8) % sizeof pick] : (seed >> 20) | 1);
        }
        in[n] = '\0';
        char *e = pl_escape(in);
        for (const char *p = e; *p; p++)
            ck_assert((unsigned char)*p >= 0x20 && *p != 0x7f);
        char *back = unescape(e);
        ck_assert_msg(strcmp(back, in) == 0, "round %d", round);
        free(back);
        free(e);
    }
}
END_TEST

START_TEST(ring_buffers)
{
    const char *a = pl_esc("\n");
    const char *b = pl_esc("x");
    ck_assert_str_eq(a, "\\n");
    ck_assert_str_eq(b, "x");
    ck_assert_ptr_null(pl_esc(NULL));
    ck_assert_ptr_null(pl_escape(NULL));
}
END_TEST

START_TEST(strset)
{
    pl_strset s = {0};
    ck_assert(!pl_strset_contains(&s, "a"));
    char name[32];
    for (int i = 0; i < 100000; i++) {
        snprintf(name, sizeof name, "KB%d", i);
        ck_assert_int_eq(pl_strset_add(&s, name), 1);
    }
    for (int i = 0; i < 100000; i += 7) {
        snprintf(name, sizeof name, "KB%d", i);
        ck_assert_int_eq(pl_strset_add(&s, name), 0);
        ck_assert(pl_strset_contains(&s, name));
    }
    ck_assert(!pl_strset_contains(&s, "KB100000"));
    ck_assert_uint_eq(s.len, 100000);
    pl_strset_free(&s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("escape");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, plain_text_unchanged);
    tcase_add_test(tc, terminal_sequences);
    tcase_add_test(tc, c1_bidi_and_separators);
    tcase_add_test(tc, invalid_utf8);
    tcase_add_test(tc, backslash_only_when_ambiguous);
    tcase_add_test(tc, random_round_trip);
    tcase_add_test(tc, ring_buffers);
    tcase_add_test(tc, strset);
    suite_add_tcase(s, tc);
    return pl_run_suite(s);
}
