/* Unit tests for the streaming JSON writer: exact output in both modes,
 * escaping, UTF-8 repair, depth safety, and a json-c round trip on random
 * bytes to show the output is always valid JSON. */
#include "util/json_writer.h"

#include <check.h>
#include <json-c/json.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "../check_main.h"

#define FFFD "\xEF\xBF\xBD"

/* The literal pl_json_escape_into makes of s, in a buffer the caller frees. */
static char *escaped(const char *s)
{
    pl_json j;
    pl_json_init(&j, 0);
    pl_json_escape_into(&j, s);
    return j.buf;
}

static void check_escape(const char *in, const char *want)
{
    char *got = escaped(in);
    ck_assert_str_eq(got, want);
    free(got);
}

/* {"a":1,"b":[1,"two",{"c":null},[]],"d":{"e":true,"f":{}}} */
static void write_nested(pl_json *j)
{
    pl_json_begin_object(j);
    pl_json_kv_int(j, "a", 1);
    pl_json_key(j, "b");
    pl_json_begin_array(j);
    pl_json_int(j, 1);
    pl_json_string(j, "two");
    pl_json_begin_object(j);
    pl_json_kv_null(j, "c");
    pl_json_end_object(j);
    pl_json_begin_array(j);
    pl_json_end_array(j);
    pl_json_end_array(j);
    pl_json_key(j, "d");
    pl_json_begin_object(j);
    pl_json_kv_bool(j, "e", 1);
    pl_json_key(j, "f");
    pl_json_begin_object(j);
    pl_json_end_object(j);
    pl_json_end_object(j);
    pl_json_end_object(j);
}

START_TEST(nested_compact)
{
    pl_json j;
    pl_json_init(&j, 0);
    write_nested(&j);
    ck_assert_str_eq(j.buf, "{\"a\":1,\"b\":[1,\"two\",{\"c\":null},[]],"
                            "\"d\":{\"e\":true,\"f\":{}}}");
    ck_assert_uint_eq(j.len, strlen(j.buf));
    ck_assert_int_eq(j.depth, 0);
    pl_json_free(&j);
}
END_TEST

START_TEST(nested_pretty)
{
    pl_json j;
    pl_json_init(&j, 1);
    write_nested(&j);
    ck_assert_str_eq(j.buf,
                     "{\n"
                     "  \"a\": 1,\n"
                     "  \"b\": [\n"
                     "    1,\n"
                     "    \"two\",\n"
                     "    {\n"
                     "      \"c\": null\n"
                     "    },\n"
                     "    []\n"
                     "  ],\n"
                     "  \"d\": {\n"
                     "    \"e\": true,\n"
                     "    \"f\": {}\n"
                     "  }\n"
                     "}");
    pl_json_free(&j);
}
END_TEST

START_TEST(empty_containers)
{
    for (int pretty = 0; pretty <= 1; pretty++) {
        pl_json j;
        pl_json_init(&j, pretty);
        ck_assert_str_eq(j.buf, "");
        pl_json_begin_object(&j);
        pl_json_end_object(&j);
        ck_assert_str_eq(j.buf, "{}");
        pl_json_free(&j);

        pl_json_init(&j, pretty);
        pl_json_begin_array(&j);
        pl_json_end_array(&j);
        ck_assert_str_eq(j.buf, "[]");
        pl_json_free(&j);

        pl_json_init(&j, pretty);
        pl_json_begin_array(&j);
        pl_json_begin_array(&j);
        pl_json_end_array(&j);
        pl_json_begin_object(&j);
        pl_json_end_object(&j);
        pl_json_end_array(&j);
        ck_assert_str_eq(j.buf, pretty ? "[\n  [],\n  {}\n]" : "[[],{}]");
        pl_json_free(&j);
    }
}
END_TEST

START_TEST(control_chars)
{
    static const char *const named[32] = {
        ['\b'] = "\\b", ['\f'] = "\\f", ['\n'] = "\\n",
        ['\r'] = "\\r", ['\t'] = "\\t",
    };
    for (int c = 1; c < 0x20; c++) {
        char in[2] = { (char)c, 0 }, want[16];
        if (named[c])
            snprintf(want, sizeof want, "\"%s\"", named[c]);
        else
            snprintf(want, sizeof want, "\"\\u%04x\"", c);
        check_escape(in, want);
    }
    check_escape("\x7f", "\"\x7f\"");   /* DEL is legal unescaped */
    check_escape("a\tb\nc", "\"a\\tb\\nc\"");
}
END_TEST

START_TEST(quotes_backslash)
{
    check_escape("", "\"\"");
    check_escape("say \"hi\"", "\"say \\\"hi\\\"\"");
    check_escape("C:\\Windows\\", "\"C:\\\\Windows\\\\\"");
    check_escape("a/b", "\"a/b\"");
}
END_TEST

START_TEST(utf8_valid_passthrough)
{
    static const char *const ok[] = {
        "caf\xC3\xA9",                        /* é */
        "\xE2\x82\xAC 5",                     /* € */
        "\xF0\x9F\x98\x80",                   /* 😀 */
        "Windows Server\xC2\xAE 2008",        /* ® */
        "\xC2\x80",                           /* U+0080, lowest 2-byte */
        "\xE0\xA0\x80",                       /* U+0800, lowest 3-byte */
        "\xED\x9F\xBF",                       /* U+D7FF, below surrogates */
        "\xEE\x80\x80",                       /* U+E000, above surrogates */
        "\xEF\xBF\xBF",                       /* U+FFFF */
        "\xF0\x90\x80\x80",                   /* U+10000 */
        "\xF4\x8F\xBF\xBF",                   /* U+10FFFF */
        FFFD,                                 /* a real U+FFFD */
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        char want[64];
        snprintf(want, sizeof want, "\"%s\"", ok[i]);
        check_escape(ok[i], want);
    }
}
END_TEST

START_TEST(utf8_line_separators)
{
    check_escape("a\xE2\x80\xA8" "b\xE2\x80\xA9" "c", "\"a\\u2028b\\u2029c\"");
    check_escape("\xE2\x80\xA7\xE2\x80\xAA", "\"\xE2\x80\xA7\xE2\x80\xAA\"");
}
END_TEST

/* One U+FFFD per maximal subpart of an ill-formed sequence. */
START_TEST(utf8_invalid)
{
    static const struct { const char *in, *want; } cases[] = {
        /* overlongs */
        { "\xC0\xAF", FFFD FFFD },
        { "\xC1\xBF", FFFD FFFD },
        { "\xE0\x80\xAF", FFFD FFFD FFFD },
        { "\xE0\x9F\xBF", FFFD FFFD FFFD },
        { "\xF0\x80\x80\xAF", FFFD FFFD FFFD FFFD },
        { "\xF0\x8F\xBF\xBF", FFFD FFFD FFFD FFFD },
        /* surrogates encoded in UTF-8 (CESU style) */
        { "\xED\xA0\x80", FFFD FFFD FFFD },
        { "\xED\xBF\xBF", FFFD FFFD FFFD },
        { "\xED\xA0\xBD\xED\xB8\x80", FFFD FFFD FFFD FFFD FFFD FFFD },
        /* beyond U+10FFFF and bytes that never occur */
        { "\xF4\x90\x80\x80", FFFD FFFD FFFD FFFD },
        { "\xF5\x80\x80\x80", FFFD FFFD FFFD FFFD },
        { "\xF8\x88\x80\x80\x80", FFFD FFFD FFFD FFFD FFFD },
        { "\xFE\xFF", FFFD FFFD },
        /* truncated sequences: one replacement each */
        { "\xC3", FFFD },
        { "a\xE2\x82", "a" FFFD },
        { "\xE2\x82z", FFFD "z" },
        { "\xF0\x9F\x98", FFFD },
        { "\xF0\x9F\x98 ok", FFFD " ok" },
        { "\xC3\xC3\xA9", FFFD "\xC3\xA9" },
        { "\xE2\x22", FFFD "\\\"" },
        { "\xE2\n", FFFD "\\n" },
        /* stray continuation bytes */
        { "\x80", FFFD },
        { "a\xBF" "b", "a" FFFD "b" },
        { "\xC3\xA9\xA9", "\xC3\xA9" FFFD },
        /* Latin-1 text that is not UTF-8 */
        { "caf\xE9", "caf" FFFD },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char want[64];
        snprintf(want, sizeof want, "\"%s\"", cases[i].want);
        check_escape(cases[i].in, want);
    }
}
END_TEST

/* pl_json_lossy_utf8 is what a string written to JSON and parsed back
 * is: --resume compares input paths that are not UTF-8 through it. */
START_TEST(lossy_matches_round_trip)
{
    static const char *const names[] = {
        "plain.vhd", "ev\x01\xff\tname.raw", "\xC0\xAF", "a\xE2\x82", "caf\xC3\xA9",
        "\xED\xA0\x80x", "\xE2\x80\xA8", "line\nbreak\\q\"",
    };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        pl_json j;
        pl_json_init(&j, 0);
        pl_json_string(&j, names[i]);
        json_object *o = json_tokener_parse(j.buf);
        ck_assert_ptr_nonnull(o);
        char *lossy = pl_json_lossy_utf8(names[i]);
        ck_assert_str_eq(lossy, json_object_get_string(o));
        free(lossy);
        json_object_put(o);
        pl_json_free(&j);
    }
}
END_TEST

START_TEST(null_string)
{
    check_escape(NULL, "null");

    pl_json j;
    pl_json_init(&j, 0);
    pl_json_begin_array(&j);
    pl_json_string(&j, NULL);
    pl_json_string(&j, "x");
    pl_json_end_array(&j);
    pl_json_begin_object(&j);
    pl_json_kv_string(&j, "k", NULL);
    pl_json_kv_string(&j, NULL, "v");   /* NULL key degrades to "" */
    pl_json_end_object(&j);
    ck_assert_str_eq(j.buf, "[null,\"x\"]{\"k\":null,\"\":\"v\"}");
    pl_json_free(&j);
}
END_TEST

START_TEST(integers)
{
    pl_json j;
    pl_json_init(&j, 0);
    pl_json_begin_array(&j);
    pl_json_int(&j, INT64_MIN);
    pl_json_int(&j, INT64_MAX);
    pl_json_int(&j, 0);
    pl_json_int(&j, -1);
    pl_json_uint(&j, UINT64_MAX);
    pl_json_uint(&j, 0);
    pl_json_end_array(&j);
    ck_assert_str_eq(j.buf, "[-9223372036854775808,9223372036854775807,0,-1,"
                            "18446744073709551615,0]");
    pl_json_free(&j);
}
END_TEST

START_TEST(booleans)
{
    pl_json j;
    pl_json_init(&j, 0);
    pl_json_begin_array(&j);
    pl_json_bool(&j, 0);
    pl_json_bool(&j, 1);
    pl_json_bool(&j, 42);   /* any nonzero is true */
    pl_json_bool(&j, -1);
    pl_json_null(&j);
    pl_json_end_array(&j);
    ck_assert_str_eq(j.buf, "[false,true,true,true,null]");
    pl_json_free(&j);
}
END_TEST

static void write_kvs(pl_json *j)
{
    pl_json_begin_object(j);
    pl_json_kv_string(j, "name", "KB5034441");
    pl_json_kv_int(j, "build", -19045);
    pl_json_kv_bool(j, "installed", 0);
    pl_json_kv_null(j, "date");
    pl_json_kv_string(j, "q\"k", "v");
    pl_json_end_object(j);
}

START_TEST(kv_helpers)
{
    pl_json j;
    pl_json_init(&j, 0);
    write_kvs(&j);
    ck_assert_str_eq(j.buf, "{\"name\":\"KB5034441\",\"build\":-19045,"
                            "\"installed\":false,\"date\":null,\"q\\\"k\":\"v\"}");
    pl_json_free(&j);

    pl_json_init(&j, 1);
    write_kvs(&j);
    ck_assert_str_eq(j.buf, "{\n  \"name\": \"KB5034441\",\n  \"build\": -19045,\n"
                            "  \"installed\": false,\n  \"date\": null,\n"
                            "  \"q\\\"k\": \"v\"\n}");
    pl_json_free(&j);
}
END_TEST

/* JSONL use: consecutive top-level documents get no separator. */
START_TEST(top_level_documents)
{
    pl_json j;
    pl_json_init(&j, 0);
    pl_json_begin_object(&j);
    pl_json_kv_int(&j, "n", 1);
    pl_json_end_object(&j);
    pl_json_begin_object(&j);
    pl_json_kv_int(&j, "n", 2);
    pl_json_end_object(&j);
    ck_assert_str_eq(j.buf, "{\"n\":1}{\"n\":2}");
    pl_json_free(&j);
    pl_json_free(&j);   /* a second free is harmless */
}
END_TEST

START_TEST(escape_into_is_raw)
{
    pl_json j;
    pl_json_init(&j, 0);
    pl_json_begin_array(&j);
    pl_json_int(&j, 1);
    pl_json_escape_into(&j, "x");   /* no comma: it appends a literal only */
    pl_json_end_array(&j);
    ck_assert_str_eq(j.buf, "[1\"x\"]");
    pl_json_free(&j);
}
END_TEST

/* Deeper than PL_JSON_MAX_DEPTH: no overflow (ASan watches) and the output
 * is still right, including commas after returning from deep levels. */
START_TEST(depth_beyond_limit)
{
    enum { N = PL_JSON_MAX_DEPTH * 3 };
    for (int pretty = 0; pretty <= 1; pretty++) {
        pl_json j;
        pl_json_init(&j, pretty);
        for (int i = 0; i < N; i++) {
            pl_json_begin_array(&j);
            pl_json_int(&j, i);
        }
        for (int i = 0; i < N; i++) {
            pl_json_int(&j, -i);
            pl_json_end_array(&j);
        }
        ck_assert_int_eq(j.depth, 0);

        struct json_tokener *tok = json_tokener_new_ex(N + 1);
        json_object *doc = json_tokener_parse_ex(tok, j.buf, (int)j.len);
        ck_assert_int_eq(json_tokener_get_error(tok), json_tokener_success);
        json_object *cur = doc;
        for (int i = 0; i < N - 1; i++) {
            ck_assert(json_object_is_type(cur, json_type_array));
            ck_assert_uint_eq(json_object_array_length(cur), 3);
            ck_assert_int_eq(json_object_get_int(json_object_array_get_idx(cur, 0)), i);
            ck_assert_int_eq(json_object_get_int(json_object_array_get_idx(cur, 2)),
                             -(N - 1 - i));
            cur = json_object_array_get_idx(cur, 1);
        }
        /* The innermost array holds only its opening and closing values. */
        ck_assert_uint_eq(json_object_array_length(cur), 2);
        ck_assert_int_eq(json_object_get_int(json_object_array_get_idx(cur, 0)), N - 1);
        json_object_put(doc);
        json_tokener_free(tok);
        pl_json_free(&j);
    }
}
END_TEST

START_TEST(unbalanced_end_ignored)
{
    pl_json j;
    pl_json_init(&j, 0);
    pl_json_end_object(&j);
    pl_json_end_array(&j);
    ck_assert_str_eq(j.buf, "");
    ck_assert_int_eq(j.depth, 0);
    pl_json_free(&j);
}
END_TEST

START_TEST(write_to_file)
{
    pl_json j;
    pl_json_init(&j, 0);
    pl_json_begin_array(&j);
    pl_json_string(&j, "x");
    pl_json_end_array(&j);
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(pl_json_write(&j, f), 0);
    rewind(f);
    char back[16] = { 0 };
    ck_assert_uint_eq(fread(back, 1, sizeof back - 1, f), j.len);
    ck_assert_str_eq(back, "[\"x\"]");
    fclose(f);
    pl_json_free(&j);
}
END_TEST

/* ---- round trip through json-c ---- */

enum { N_RANDOM = 1000 };

/* A fixed-seed generator so failures reproduce on every machine. */
static uint32_t rng_next(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* Random bytes 01..FF (NUL ends a C string), biased toward the bytes that
 * matter: ASCII controls, quotes, backslash and UTF-8 lead/continuation. */
static char *random_bytes(uint32_t *s)
{
    static const unsigned char special[] = { '"', '\\', '\n', 0x01, 0x1f, 0x80, 0xBF,
                                             0xC0, 0xC3, 0xE2, 0xED, 0xF0, 0xF4, 0xFF };
    size_t n = rng_next(s) % 48;
    char *p = malloc(n + 1);
    ck_assert_ptr_nonnull(p);
    for (size_t i = 0; i < n; i++) {
        uint32_t r = rng_next(s);
        unsigned char c = (r & 3) == 0 ? special[(r >> 2) % sizeof special]
                                       : (unsigned char)(1 + (r >> 8) % 255);
        p[i] = (char)c;
    }
    p[n] = '\0';
    return p;
}

/* Encode code point cp; written independently of the writer's decoder. */
static size_t encode_utf8(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Random valid UTF-8: any scalar value except NUL and surrogates, with
 * U+2028/2029 and controls thrown in. */
static char *random_utf8(uint32_t *s)
{
    size_t n = rng_next(s) % 24;
    char *p = malloc(n * 4 + 1), *q = p;
    ck_assert_ptr_nonnull(p);
    for (size_t i = 0; i < n; i++) {
        uint32_t r = rng_next(s), cp;
        switch (r & 3) {
        case 0: cp = 1 + (r >> 2) % 0x7F; break;
        case 1: cp = 0x2028 + (r >> 2) % 2; break;
        default: cp = 1 + (r >> 2) % 0x10FFFF; break;
        }
        if (cp >= 0xD800 && cp <= 0xDFFF)
            cp = 0xFFFD;
        q += encode_utf8(cp, q);
    }
    *q = '\0';
    return p;
}

/* Keep only the ASCII bytes. Replacement never swallows an ASCII byte and
 * U+FFFD is not ASCII, so this must be unchanged by the round trip. */
static char *ascii_only(const char *s)
{
    char *out = malloc(strlen(s) + 1), *q = out;
    ck_assert_ptr_nonnull(out);
    for (; *s; s++)
        if ((unsigned char)*s < 0x80)
            *q++ = *s;
    *q = '\0';
    return out;
}

static void check_round_trip(int pretty)
{
    uint32_t seed = 0x5eed1234u;
    char *strs[2 * N_RANDOM];
    for (int i = 0; i < N_RANDOM; i++) {
        strs[2 * i] = random_bytes(&seed);
        strs[2 * i + 1] = random_utf8(&seed);
    }

    pl_json j;
    pl_json_init(&j, pretty);
    pl_json_begin_object(&j);
    pl_json_key(&j, "strings");
    pl_json_begin_array(&j);
    for (int i = 0; i < 2 * N_RANDOM; i++)
        pl_json_string(&j, strs[i]);
    pl_json_end_array(&j);
    pl_json_end_object(&j);

    json_object *doc = json_tokener_parse(j.buf);
    ck_assert_msg(doc != NULL, "json-c rejected the document");

    /* A strict, UTF-8-validating parse must accept it as well. */
    struct json_tokener *tok = json_tokener_new();
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    json_object *strict = json_tokener_parse_ex(tok, j.buf, (int)j.len);
    ck_assert_int_eq(json_tokener_get_error(tok), json_tokener_success);
    json_object_put(strict);
    json_tokener_free(tok);

    json_object *arr;
    ck_assert(json_object_object_get_ex(doc, "strings", &arr));
    ck_assert_uint_eq(json_object_array_length(arr), 2 * N_RANDOM);
    for (int i = 0; i < 2 * N_RANDOM; i++) {
        const char *got = json_object_get_string(json_object_array_get_idx(arr, (size_t)i));
        if (i % 2) {
            ck_assert_str_eq(got, strs[i]);     /* valid UTF-8: exact */
        } else {
            char *a = ascii_only(got), *b = ascii_only(strs[i]);
            ck_assert_str_eq(a, b);
            free(a);
            free(b);
        }
        free(strs[i]);
    }
    json_object_put(doc);
    pl_json_free(&j);
}

START_TEST(round_trip_compact) { check_round_trip(0); }
END_TEST

START_TEST(round_trip_pretty) { check_round_trip(1); }
END_TEST

static Suite *json_writer_suite(void)
{
    Suite *s = suite_create("json_writer");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, nested_compact);
    tcase_add_test(tc, nested_pretty);
    tcase_add_test(tc, empty_containers);
    tcase_add_test(tc, control_chars);
    tcase_add_test(tc, quotes_backslash);
    tcase_add_test(tc, utf8_valid_passthrough);
    tcase_add_test(tc, utf8_line_separators);
    tcase_add_test(tc, utf8_invalid);
    tcase_add_test(tc, lossy_matches_round_trip);
    tcase_add_test(tc, null_string);
    tcase_add_test(tc, integers);
    tcase_add_test(tc, booleans);
    tcase_add_test(tc, kv_helpers);
    tcase_add_test(tc, top_level_documents);
    tcase_add_test(tc, escape_into_is_raw);
    tcase_add_test(tc, depth_beyond_limit);
    tcase_add_test(tc, unbalanced_end_ignored);
    tcase_add_test(tc, write_to_file);
    tcase_add_test(tc, round_trip_compact);
    tcase_add_test(tc, round_trip_pretty);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return pl_run_suite(json_writer_suite());
}
