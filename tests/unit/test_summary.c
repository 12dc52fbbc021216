/* The fleet summary (report/summary.h) on hand-written JSONL lines:
 * counts, months, last line wins, truncated and bad lines, failed inputs,
 * the bounded lists, and hostile strings in every format; the
 * per-installation rows with and without identity, roles and provenance
 * (results written before them lack the keys), the grouped views, the
 * provenance footer and the page's Content-Security-Policy hashes. */
#include <check.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/summary.h"
#include "../check_main.h"

/* One installation object. date NULL: latest_rollup null; behind < 0:
 * rollups_behind null (not determined). */
static char *inst(const char *verdict, int pending_6003, int reboot, const char *date, int behind)
{
    char latest[128] = "null", behind_s[16] = "null";
    if (date)
        snprintf(latest, sizeof latest, "{\"kb\":\"KB1\",\"release_date\":\"%s\"}", date);
    if (behind >= 0)
        snprintf(behind_s, sizeof behind_s, "%d", behind);
    return pl_xasprintf(
        "{\"location\":{\"partition_scheme\":\"mbr\",\"partition_number\":2,\"wim_image\":null,"
        "\"windows_dir\":\"Windows\"},"
        "\"os\":{\"product_name\":\"Windows Server (R) 2008 Standard\",\"edition_id\":"
        "\"ServerStandard\",\"arch\":\"amd64\"},"
        "\"build6003\":{\"verdict\":\"%s\",\"pending_build\":%s},"
        "\"updates\":{\"latest_rollup\":%s,\"rollups_behind\":%s},"
        "\"pending\":{\"reboot_required\":%s,\"signals\":[]}}",
        verdict, pending_6003 ? "6003" : "null", latest, behind_s, reboot ? "true" : "false");
}

/* A result line for input with the given installation objects (taken). */
static char *result(const char *input, const char *errors, int n, char **insts)
{
    char *list = pl_xstrdup("");
    for (int i = 0; i < n; i++) {
        char *next = pl_xasprintf("%s%s%s", list, i ? "," : "", insts[i]);
        free(list);
        free(insts[i]);
        list = next;
    }
    char *line = pl_xasprintf("{\"schema\":\"patchlevel/1\",\"input\":\"%s\",\"installations\":[%s],"
                              "\"errors\":%s}",
                              input, list, errors ? errors : "[]");
    free(list);
    return line;
}

static int add(pl_summary *s, char *line, int complete)
{
    pl_err why;
    int rc = pl_summary_add_line(s, line, strlen(line), complete, &why);
    free(line);
    return rc;
}

static void add1(pl_summary *s, const char *input, char *inst_json)
{
    ck_assert_int_eq(add(s, result(input, NULL, 1, &inst_json), 1), 0);
}

static char *render(const pl_summary *s, pl_summary_format fmt)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    ck_assert(f != NULL);
    ck_assert_int_eq(pl_summary_write(f, s, fmt), 0);
    fclose(f);
    return buf;
}

START_TEST(verdicts_are_counted)
{
    pl_summary s;
    pl_summary_init(&s);
    add1(&s, "a", inst("yes", 0, 0, "2022-05-10", 29));
    add1(&s, "b", inst("no", 1, 1, "2019-03-12", 67));
    add1(&s, "c", inst("no", 0, 0, NULL, 67));
    add1(&s, "d", inst("inconsistent", 0, 0, "2019-04-09", 66));
    add1(&s, "e", inst("not-applicable", 0, 0, NULL, -1));
    add1(&s, "f", inst("unknown", 0, 0, NULL, -1));
    add1(&s, "g", inst("something-new", 0, 1, NULL, -1));
    pl_summary_finish(&s);
    ck_assert_uint_eq(s.ninputs, 7);
    ck_assert_uint_eq(s.installations, 7);
    ck_assert_uint_eq(s.verdicts[PL_SV_YES], 1);
    ck_assert_uint_eq(s.verdicts[PL_SV_NO], 2);
    ck_assert_uint_eq(s.verdicts[PL_SV_INCONSISTENT], 1);
    ck_assert_uint_eq(s.verdicts[PL_SV_NOT_APPLICABLE], 1);
    ck_assert_uint_eq(s.verdicts[PL_SV_UNKNOWN], 2);   /* an unknown word counts as unknown */
    ck_assert_uint_eq(s.reboot_pending, 2);
    ck_assert_uint_eq(s.no_but_6003_pending, 1);
    /* not at 6003: NT 6.0 only (no, no, inconsistent, unknown, unknown) */
    ck_assert_uint_eq(s.nlagging, 5);
    ck_assert_str_eq(s.lagging[0].in->input, "b");
    ck_assert_str_eq(s.lagging[0].inst->rollup, "KB1 (2019-03-12)");
    ck_assert_str_eq(s.lagging[0].inst->location, "mbr partition 2, Windows");
    ck_assert_str_eq(s.lagging[1].inst->rollup, PL_SUMMARY_NO_ROLLUP);
    ck_assert_uint_eq(s.nos, 1);
    ck_assert_uint_eq(s.os[0].count, 7);
    pl_summary_free(&s);
}
END_TEST

/* reboot_required null ("could not tell") has its own bucket: never counted
 * as "not pending". */
START_TEST(undetermined_reboot_is_its_own_bucket)
{
    pl_summary s;
    pl_summary_init(&s);
    add1(&s, "a", inst("yes", 0, 1, NULL, -1));
    add1(&s, "b", inst("yes", 0, 0, NULL, -1));
    char *c = inst("yes", 0, 0, NULL, -1);
    char *null_reboot = strstr(c, "\"reboot_required\":false");
    ck_assert_ptr_nonnull(null_reboot);
    memcpy(null_reboot + strlen("\"reboot_required\":"), "null ", 5);
    add1(&s, "c", c);
    pl_summary_finish(&s);
    ck_assert_uint_eq(s.reboot_pending, 1);
    ck_assert_uint_eq(s.reboot_undetermined, 1);
    char *csv = render(&s, PL_SUMMARY_CSV);
    ck_assert_ptr_nonnull(strstr(csv, "installations,reboot_undetermined,1"));
    free(csv);
    char *text = render(&s, PL_SUMMARY_TEXT);
    ck_assert_ptr_nonnull(strstr(text, "reboot not determined"));
    free(text);
    pl_summary_free(&s);
}
END_TEST

START_TEST(months_are_sorted_with_none_and_undetermined_apart)
{
    pl_summary s;
    pl_summary_init(&s);
    add1(&s, "a", inst("yes", 0, 0, "2022-05-10", 29));
    add1(&s, "b", inst("yes", 0, 0, "2019-04-09", 66));
    add1(&s, "c", inst("yes", 0, 0, "2022-05-10", 29));
    add1(&s, "d", inst("no", 0, 0, NULL, 67));                 /* none installed */
    add1(&s, "e", inst("not-applicable", 0, 0, NULL, -1));     /* not determined */
    add1(&s, "f", inst("yes", 0, 0, "May 2022", 3));           /* not a date */
    pl_summary_finish(&s);
    ck_assert_uint_eq(s.nmonths, 2);
    ck_assert_str_eq(s.months[0].month, "2019-04");
    ck_assert_uint_eq(s.months[0].count, 1);
    ck_assert_str_eq(s.months[1].month, "2022-05");
    ck_assert_uint_eq(s.months[1].count, 2);
    ck_assert_uint_eq(s.rollup_none, 1);
    ck_assert_uint_eq(s.rollup_undetermined, 2);
    pl_summary_free(&s);
}
END_TEST

START_TEST(behind_buckets)
{
    static const int behind[] = {0, 1, 6, 7, 12, 13, 24, 25, 67, -1};
    pl_summary s;
    pl_summary_init(&s);
    for (size_t i = 0; i < sizeof behind / sizeof *behind; i++) {
        char name[8];
        snprintf(name, sizeof name, "i%zu", i);
        add1(&s, name, inst("yes", 0, 0, NULL, behind[i]));
    }
    pl_summary_finish(&s);
    static const size_t expect[PL_BEHIND_COUNT] = {1, 2, 2, 2, 2, 1};
    for (int b = 0; b < PL_BEHIND_COUNT; b++)
        ck_assert_msg(s.behind[b] == expect[b], "bucket %s: %zu", pl_summary_behind_names[b],
                      s.behind[b]);
    pl_summary_free(&s);
}
END_TEST

START_TEST(the_last_line_of_an_input_wins)
{
    pl_summary s;
    pl_summary_init(&s);
    add1(&s, "srv01.vhdx", inst("no", 0, 0, NULL, 67));
    add1(&s, "srv02.vhdx", inst("no", 0, 0, NULL, 67));
    ck_assert_int_eq(add(&s, result("srv01.vhdx", "[\"cannot open: EIO\"]", 0, NULL), 1), 0);
    add1(&s, "srv01.vhdx", inst("yes", 0, 0, "2023-01-10", 21));
    pl_summary_finish(&s);
    ck_assert_uint_eq(s.lines, 4);
    ck_assert_uint_eq(s.ninputs, 2);
    ck_assert_uint_eq(s.installations, 2);
    ck_assert_uint_eq(s.verdicts[PL_SV_YES], 1);
    ck_assert_uint_eq(s.verdicts[PL_SV_NO], 1);
    ck_assert_uint_eq(s.failed, 0);
    /* kept in the place of its first line */
    ck_assert_str_eq(s.inputs[0].input, "srv01.vhdx");
    pl_summary_free(&s);
}
END_TEST

START_TEST(a_truncated_last_line_is_skipped)
{
    pl_summary s;
    pl_summary_init(&s);
    add1(&s, "a", inst("yes", 0, 0, NULL, 0));
    char *full = result("b", NULL, 1, (char *[]){inst("no", 0, 0, NULL, 5)});
    size_t half = strlen(full) / 2;
    pl_err why;
    ck_assert_int_eq(pl_summary_add_line(&s, full, half, 0, &why), -1);
    ck_assert_msg(strstr(why.msg, "truncated last line"), "%s", why.msg);
    /* a whole object without its newline is fine */
    ck_assert_int_eq(pl_summary_add_line(&s, full, strlen(full), 0, &why), 0);
    free(full);
    pl_summary_finish(&s);
    ck_assert_uint_eq(s.lines, 3);
    ck_assert_uint_eq(s.lines_skipped, 1);
    ck_assert_uint_eq(s.ninputs, 2);
    pl_summary_free(&s);
}
END_TEST

START_TEST(bad_lines_are_skipped_with_a_reason)
{
    static const char *const bad[] = {
        "not json", "[1,2]", "{\"input\":\"x\"}", "{\"schema\":\"patchlevel/1\"}",
        "{\"schema\":\"patchlevel/9\",\"input\":\"x\"}", "{\"schema\":\"patchlevel/1\",\"input\":\"x\"} junk",
    };
    pl_summary s;
    pl_summary_init(&s);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        pl_err why = {0};
        ck_assert_msg(pl_summary_add_line(&s, bad[i], strlen(bad[i]), 1, &why) == -1, "%s", bad[i]);
        ck_assert(why.msg[0]);
    }
    pl_err why;
    ck_assert_int_eq(pl_summary_add_line(&s, "  \r", 3, 1, &why), 1);   /* blank: ignored */
    ck_assert_int_eq(pl_summary_add_line(&s, "{\"a\":\0}", 7, 1, &why), -1);
    pl_summary_finish(&s);
    ck_assert_uint_eq(s.lines, 7);
    ck_assert_uint_eq(s.lines_skipped, 7);
    ck_assert_uint_eq(s.ninputs, 0);
    pl_summary_free(&s);
}
END_TEST

START_TEST(failed_inputs_are_listed_with_their_errors)
{
    pl_summary s;
    pl_summary_init(&s);
    add1(&s, "good", inst("yes", 0, 0, NULL, 0));
    ck_assert_int_eq(add(&s, result("/nonexistent", "[\"cannot open: No such file\"]", 0, NULL), 1), 0);
    ck_assert_int_eq(add(&s, result("empty.qcow2", NULL, 0, NULL), 1), 0);
    ck_assert_int_eq(add(&s, result("two.vhd", "[\"first\",\"second\"]", 0, NULL), 1), 0);
    pl_summary_finish(&s);
    ck_assert_uint_eq(s.ninputs, 4);
    ck_assert_uint_eq(s.analyzed, 2);
    ck_assert_uint_eq(s.no_installation, 1);
    ck_assert_uint_eq(s.failed, 2);
    ck_assert_uint_eq(s.nfailures_listed, 2);
    ck_assert_str_eq(s.failures[0]->input, "/nonexistent");
    ck_assert_str_eq(s.failures[0]->error, "cannot open: No such file");
    ck_assert_str_eq(s.failures[1]->error, "first; second");
    char *text = render(&s, PL_SUMMARY_TEXT);
    ck_assert_msg(strstr(text, "/nonexistent  cannot open: No such file"), "%s", text);
    free(text);
    char *csv = render(&s, PL_SUMMARY_CSV);
    ck_assert(strncmp(csv, "section,key,count,input,", 24) == 0);
    ck_assert(strstr(csv, "\r\ninputs,failed,2,"));
    ck_assert(strstr(csv, "\r\ninputs,no_installation,1,"));
    free(csv);
    pl_summary_free(&s);
}
END_TEST

START_TEST(lists_are_bounded)
{
    pl_summary s;
    pl_summary_init(&s);
    for (int i = 0; i < PL_SUMMARY_LIST_MAX + 5; i++) {
        char name[16];
        snprintf(name, sizeof name, "img%d", i);
        add1(&s, name, inst("no", 0, 0, NULL, 67));
    }
    pl_summary_finish(&s);
    ck_assert_uint_eq(s.nlagging, PL_SUMMARY_LIST_MAX + 5);
    ck_assert_uint_eq(s.nlagging_listed, PL_SUMMARY_LIST_MAX);
    char *text = render(&s, PL_SUMMARY_TEXT);
    ck_assert(strstr(text, "... and 5 more\n"));
    free(text);
    char *html = render(&s, PL_SUMMARY_HTML);
    ck_assert(strstr(html, "and 5 more"));
    free(html);
    pl_summary_free(&s);
}
END_TEST

/* Strings from images, in every field the writers print. */
static pl_summary *hostile_summary(void)
{
    static pl_summary s;
    pl_summary_init(&s);
    const char *line =
        "{\"schema\":\"patchlevel/1\",\"input\":\"<script>alert('in')</script>\\\"x.vhd\","
        "\"installations\":[{\"location\":{\"windows_dir\":\"<b>W\\u001b[2J</b>\"},"
        "\"os\":{\"product_name\":\"\\\"><img src=x onerror=alert(1)>\",\"edition_id\":\"a,\\\"b\","
        "\"arch\":\"amd64\\u009b31m\"},\"build6003\":{\"verdict\":\"no\"},"
        "\"updates\":{\"latest_rollup\":{\"kb\":\"<i>KB</i>\",\"release_date\":\"2019-03-12\"},"
        "\"rollups_behind\":67}}],"
        "\"errors\":[\"</td><script>alert(2)</script>&amp;\"]}";
    pl_err why;
    ck_assert_int_eq(pl_summary_add_line(&s, line, strlen(line), 1, &why), 0);
    pl_summary_finish(&s);
    return &s;
}

/* The page's one script element is its own (after </main>, holding no
 * string from a result): no other "<script" anywhere. */
static int only_our_script(const char *html)
{
    const char *first = strstr(html, "<script");
    if (!first || strstr(first + 1, "<script"))
        return 0;
    const char *main_end = strstr(html, "</main>\n<script>(function(){'use strict';");
    const char *end = strstr(first, "</script>");
    if (main_end + strlen("</main>\n") != first || !end)
        return 0;
    for (const char *p = first; p < end; p++)
        if (!strncmp(p, "alert", 5) || !strncmp(p, "onerror", 7))
            return 0;
    return 1;
}

START_TEST(hostile_strings_are_escaped_in_html)
{
    pl_summary *s = hostile_summary();
    char *html = render(s, PL_SUMMARY_HTML);
    ck_assert_msg(only_our_script(html), "a <script> element got through");
    ck_assert(!strstr(html, "<img"));
    ck_assert(!strstr(html, "<b>") && !strstr(html, "<i>"));
    ck_assert(!strstr(html, "</td><script"));
    ck_assert(strstr(html, "&lt;script&gt;alert(&#39;in&#39;)&lt;/script&gt;&quot;x.vhd"));
    ck_assert(strstr(html, "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
    ck_assert(strstr(html, "&amp;amp;"));
    ck_assert(!strstr(html, "\x1b"));
    /* nothing fetched, nothing run */
    ck_assert(!strstr(html, "http:") && !strstr(html, "https:") && !strstr(html, "src=\""));
    ck_assert(strstr(html, "default-src 'none'"));
    free(html);
    pl_summary_free(s);
}
END_TEST

START_TEST(hostile_strings_in_text_and_csv)
{
    pl_summary *s = hostile_summary();
    char *text = render(s, PL_SUMMARY_TEXT);
    ck_assert_msg(!strstr(text, "\x1b"), "an escape sequence reached the terminal");
    ck_assert(!strstr(text, "\xc2\x9b"));
    ck_assert(strstr(text, "<b>W\\x1b[2J</b>"));
    free(text);
    char *csv = render(s, PL_SUMMARY_CSV);
    /* the os key holds a comma and quotes: one quoted field */
    ck_assert_msg(strstr(csv, "\r\nos,\"\"\"><img src=x onerror=alert(1)> / a,\"\"b / amd64"), "%s", csv);
    free(csv);
    pl_summary_free(s);
}
END_TEST

START_TEST(formats_parse)
{
    pl_summary_format f;
    ck_assert_int_eq(pl_summary_format_parse("html", &f), 0);
    ck_assert_int_eq(f, PL_SUMMARY_HTML);
    ck_assert_int_eq(pl_summary_format_parse("csv", &f), 0);
    ck_assert_int_eq(f, PL_SUMMARY_CSV);
    ck_assert_int_eq(pl_summary_format_parse("text", &f), 0);
    ck_assert_int_eq(f, PL_SUMMARY_TEXT);
    ck_assert_int_eq(pl_summary_format_parse("json", &f), 0);
    ck_assert_int_eq(f, PL_SUMMARY_JSON);
    ck_assert_int_eq(pl_summary_format_parse("xml", &f), -1);
    ck_assert_uint_eq(pl_summary_width("Windows Server\xc2\xae 2008"), 20);
}
END_TEST

START_TEST(an_empty_summary_writes_every_format)
{
    pl_summary s;
    pl_summary_init(&s);
    pl_summary_finish(&s);
    for (int f = PL_SUMMARY_TEXT; f <= PL_SUMMARY_JSON; f++) {
        char *out = render(&s, (pl_summary_format)f);
        ck_assert(out[0]);
        free(out);
    }
    pl_summary_free(&s);
}
END_TEST

/* An installation with the servicing fields of updates (raw JSON). */
static char *serviced(const char *updates)
{
    return pl_xasprintf(
        "{\"location\":{\"windows_dir\":\"Windows\"},\"os\":{\"product_name\":\"P\","
        "\"edition_id\":\"E\",\"arch\":\"amd64\"},\"build6003\":{\"verdict\":\"yes\"},"
        "\"updates\":%s,\"pending\":{\"reboot_required\":false}}", updates);
}

/* Security level months (with "after" and none apart), channels, and the
 * kinds of next step; null answers are "not determined", never "none". */
START_TEST(servicing_is_counted)
{
    pl_summary s;
    pl_summary_init(&s);
    add1(&s, "a", serviced("{\"security_level\":{\"month\":\"2023-01\"},\"channel\":"
                           "{\"name\":\"esu\"},\"next_steps\":[]}"));
    add1(&s, "b", serviced("{\"security_level\":{\"month\":\"2022-05\"},\"channel\":"
                           "{\"name\":\"esu\"},\"next_steps\":[{\"action\":\"reboot\"},"
                           "{\"action\":\"install\",\"kind\":\"ssu\"},{\"action\":"
                           "\"install\",\"kind\":\"monthly-rollup\"}]}"));
    add1(&s, "c", serviced("{\"security_level\":{\"month\":null,\"after\":\"2023-08\"},"
                           "\"channel\":{\"name\":\"premium-assurance\"},\"next_steps\":"
                           "[{\"action\":\"install\",\"kind\":\"sha2\"},{\"action\":"
                           "\"install\",\"kind\":\"esu-licensing\"}]}"));
    add1(&s, "d", serviced("{\"security_level\":null,\"channel\":{\"name\":\"public\"},"
                           "\"next_steps\":[{\"action\":\"install\",\"kind\":\"ssu\"}]}"));
    add1(&s, "e", serviced("{\"security_level\":null,\"channel\":null,\"next_steps\":null}"));
    pl_summary_finish(&s);
    ck_assert_uint_eq(s.nsec_months, 3);
    ck_assert_str_eq(s.sec_months[0].month, "2022-05");
    ck_assert_str_eq(s.sec_months[1].month, "2023-01");
    ck_assert_str_eq(s.sec_months[2].month, "after 2023-08");
    ck_assert_uint_eq(s.sec_none, 1);
    ck_assert_uint_eq(s.sec_undetermined, 1);
    ck_assert_uint_eq(s.channels[PL_SCH_ESU], 2);
    ck_assert_uint_eq(s.channels[PL_SCH_PREMIUM_ASSURANCE], 1);
    ck_assert_uint_eq(s.channels[PL_SCH_PUBLIC], 1);
    ck_assert_uint_eq(s.channels[PL_SCH_UNDETERMINED], 1);
    ck_assert_uint_eq(s.steps[PL_STEP_SSU], 2);
    ck_assert_uint_eq(s.steps[PL_STEP_SHA2], 1);
    ck_assert_uint_eq(s.steps[PL_STEP_ESU], 1);
    ck_assert_uint_eq(s.steps[PL_STEP_REBOOT], 1);
    ck_assert_uint_eq(s.steps[PL_STEP_CURRENT], 1);
    ck_assert_uint_eq(s.steps[PL_STEP_UNDETERMINED], 1);
    char *csv = render(&s, PL_SUMMARY_CSV);
    ck_assert(strstr(csv, "\r\nnext_step,needs SSU,2,"));
    ck_assert(strstr(csv, "\r\nsecurity_month,after 2023-08,1,"));
    ck_assert(strstr(csv, "\r\nchannel,not determined,1,"));
    free(csv);
    char *json = render(&s, PL_SUMMARY_JSON);
    ck_assert(strstr(json, "\"needs ESU licensing\": 1"));
    ck_assert(strstr(json, "\"schema\": \"patchlevel-summary/1\""));
    free(json);
    char *html = render(&s, PL_SUMMARY_HTML);
    ck_assert(strstr(html, "data-metric=\"next_step.current for its channel\">1<"));
    free(html);
    pl_summary_free(&s);
}
END_TEST

/* ---- identity, roles, provenance (issue 14) ---------------------------- */

/* An installation with identity and roles (raw JSON members, or NULL to
 * leave the key out as older results do). */
static char *who(const char *identity, const char *roles, const char *next_steps)
{
    return pl_xasprintf(
        "{\"location\":{\"windows_dir\":\"Windows\"},\"os\":{\"product_name\":\"P\","
        "\"edition_id\":\"E\",\"arch\":\"amd64\"},\"build6003\":{\"verdict\":\"no\"},"
        "\"updates\":{\"latest_rollup\":null,\"rollups_behind\":3,\"security_level\":"
        "{\"month\":\"2019-03\"},\"channel\":{\"name\":\"public\"},\"next_steps\":%s},"
        "\"pending\":{\"reboot_required\":false}%s%s%s%s}",
        next_steps ? next_steps : "null", identity ? ",\"identity\":" : "", identity ? identity : "",
        roles ? ",\"roles\":" : "", roles ? roles : "");
}

/* A result line with a provenance (raw JSON, or NULL for none) around one
 * installation (taken). */
static char *with_prov(const char *input, const char *prov, char *inst_json)
{
    char *line = pl_xasprintf("{\"schema\":\"patchlevel/1\",\"input\":\"%s\"%s%s,"
                              "\"installations\":[%s],\"errors\":[]}",
                              input, prov ? ",\"provenance\":" : "", prov ? prov : "", inst_json);
    free(inst_json);
    return line;
}

static const char dc_identity[] =
    "{\"computer_name\":\"DC01\",\"dns_hostname\":\"dc01\",\"domain\":\"corp.example\","
    "\"membership\":\"domain\",\"workgroup\":null,\"domain_controller\":true,\"evidence\":[]}";
static const char dc_roles[] =
    "[{\"name\":\"Active Directory Domain Services\",\"evidence\":[]},"
    "{\"name\":\"DNS Server\",\"evidence\":[]}]";
static const char prov_a[] =
    "{\"tool\":{\"name\":\"patchlevel\",\"version\":\"0.9.0\"},\"libraries\":"
    "{\"wimlib\":\"1.14.4\",\"hivex\":\"1.3.23\"},\"catalog\":{\"path\":\"cat.csv\","
    "\"sha256\":\"ab12\",\"newest\":\"2023-01\"},\"analyzed_at\":\"2026-12-01T10:00:00Z\","
    "\"options\":{\"catalog\":null,\"parents\":[],\"find_6002_checks\":false,\"hash\":false}}";

static json_object *row_of(json_object *summary, size_t i)
{
    json_object *rows = NULL;
    ck_assert(json_object_object_get_ex(summary, "per_installation", &rows));
    ck_assert(json_object_is_type(rows, json_type_array));
    ck_assert_uint_gt(json_object_array_length(rows), i);
    return json_object_array_get_idx(rows, i);
}

static const char *row_str(json_object *row, const char *key)
{
    json_object *v = NULL;
    ck_assert_msg(json_object_object_get_ex(row, key, &v), "no %s", key);
    return v ? json_object_get_string(v) : NULL;   /* NULL: null */
}

START_TEST(identity_roles_and_provenance_are_read)
{
    pl_summary s;
    pl_summary_init(&s);
    s.files = 1;
    ck_assert_int_eq(add(&s, with_prov("dc.vhdx", prov_a, who(dc_identity, dc_roles,
        "[{\"action\":\"install\",\"kb\":\"KB5010452\",\"kind\":\"ssu\"},{\"action\":\"reboot\"}]")), 1), 0);
    ck_assert_int_eq(add(&s, with_prov("fs.vhdx", prov_a, who(
        "{\"computer_name\":\"FS01\",\"domain\":null,\"membership\":\"workgroup\","
        "\"workgroup\":null,\"domain_controller\":false}", "[{\"name\":\"File Services\"}]", "[]")), 1), 0);
    pl_summary_finish(&s);
    const pl_summary_inst *dc = &s.inputs[0].insts[0], *fs = &s.inputs[1].insts[0];
    ck_assert_str_eq(dc->computer, "DC01");
    ck_assert_str_eq(dc->dns_hostname, "dc01");
    char *t = pl_summary_domain_text(dc);
    ck_assert_str_eq(t, "corp.example, domain controller");
    free(t);
    t = pl_summary_domain_text(fs);
    ck_assert_str_eq(t, "workgroup");
    free(t);
    t = pl_summary_roles_text(dc);
    ck_assert_str_eq(t, "Active Directory Domain Services, DNS Server");
    free(t);
    t = pl_summary_next_step_text(dc);
    ck_assert_str_eq(t, "install KB5010452 (ssu) (+1 more)");
    free(t);
    t = pl_summary_next_step_text(fs);
    ck_assert_str_eq(t, "none: current for its channel");
    free(t);
    /* grouped views: three roles, two first steps */
    ck_assert_uint_eq(s.nrole_groups, 3);
    ck_assert_uint_eq(s.nstep_groups, 2);
    ck_assert_str_eq(s.step_groups[0].label, "install KB5010452 (ssu)");
    ck_assert(pl_summary_has_first_step(fs, s.step_groups[1].label));
    /* one provenance for both */
    ck_assert_uint_eq(s.nprovs, 1);
    ck_assert_uint_eq(s.provs[0].inputs, 2);
    ck_assert_str_eq(s.provs[0].tool, "patchlevel 0.9.0");
    ck_assert_str_eq(s.provs[0].libraries, "wimlib 1.14.4, hivex 1.3.23");
    ck_assert_str_eq(s.provs[0].options, "catalog=null, parents=none, find_6002_checks=false, hash=false");
    ck_assert_str_eq(s.provs[0].catalog_sha256, "ab12");
    ck_assert_str_eq(s.provs[0].first_at, "2026-12-01T10:00:00Z");

    char *json = render(&s, PL_SUMMARY_JSON);
    json_object *o = json_tokener_parse(json);
    ck_assert_msg(o != NULL, "%s", json);
    json_object *row = row_of(o, 0);
    ck_assert_str_eq(row_str(row, "computer_name"), "DC01");
    ck_assert_str_eq(row_str(row, "domain"), "corp.example");
    ck_assert_str_eq(row_str(row, "domain_controller"), "true");
    ck_assert_str_eq(row_str(row, "next_step"), "install KB5010452 (ssu)");
    ck_assert_str_eq(row_str(row, "tool"), "patchlevel 0.9.0");
    ck_assert_str_eq(row_str(row, "catalog_sha256"), "ab12");
    ck_assert_str_eq(row_str(row_of(o, 1), "membership"), "workgroup");
    ck_assert_str_eq(row_str(row_of(o, 1), "next_steps"), "0");
    json_object_put(o);
    free(json);

    char *csv = render(&s, PL_SUMMARY_CSV);
    ck_assert_msg(strstr(csv, "\r\ninstallation,1,,dc.vhdx,Windows,DC01,dc01,\"corp.example, domain "
                             "controller\",\"Active Directory Domain Services, DNS Server\",P,E,amd64,no,"
                             "2019-03,3,no,install KB5010452 (ssu) (+1 more),,patchlevel 0.9.0,cat.csv,"
                             "ab12,2026-12-01T10:00:00Z\r\n"), "%s", csv);
    free(csv);

    char *text = render(&s, PL_SUMMARY_TEXT);
    ck_assert_msg(strstr(text, "\nInstallations (2)\n  COMPUTER  DOMAIN "), "%s", text);
    ck_assert(strstr(text, "DC01      corp.example, domain controller  Active Directory"));
    ck_assert(strstr(text, "results     2 inputs: patchlevel 0.9.0, analyzed 2026-12-01T10:00:00Z"));
    free(text);

    char *html = render(&s, PL_SUMMARY_HTML);
    ck_assert(strstr(html, "<td title=\"DNS host name: dc01\">DC01</td><td>corp.example, domain "
                           "controller</td><td>Active Directory Domain Services, DNS Server</td>"));
    ck_assert(strstr(html, "<section id=\"by-role\">"));
    ck_assert(strstr(html, "<details><summary>File Services<span class=\"n\">1</span>"));
    ck_assert(strstr(html, "<footer id=\"provenance\">"));
    ck_assert(strstr(html, "patchlevel 0.9.0<div class=\"loc\">wimlib 1.14.4, hivex 1.3.23</div>"));
    /* the failures come after the servers */
    ck_assert(strstr(html, "id=\"servers\"") < strstr(html, "id=\"failed\""));
    free(html);
    pl_summary_free(&s);
}
END_TEST

/* Older results have no identity, roles or provenance: not recorded. A
 * null is not determined. Neither is ever "none"; [] is "none found". */
START_TEST(absent_and_null_are_unknown_never_none)
{
    pl_summary s;
    pl_summary_init(&s);
    add1(&s, "old", who(NULL, NULL, NULL));
    add1(&s, "null", who("null", "null", NULL));
    add1(&s, "empty", who("{\"computer_name\":null,\"domain\":null}", "[]", NULL));
    pl_summary_finish(&s);
    const pl_summary_inst *old = &s.inputs[0].insts[0], *nul = &s.inputs[1].insts[0],
                          *empty = &s.inputs[2].insts[0];
    ck_assert_ptr_null(old->computer);
    ck_assert_str_eq(pl_summary_unknown(old->computer_rec), "not recorded");
    ck_assert_str_eq(pl_summary_unknown(nul->computer_rec), "not determined");
    ck_assert_str_eq(pl_summary_unknown(empty->computer_rec), "not determined");
    ck_assert_ptr_null(pl_summary_domain_text(old));
    const char *want[] = {"not recorded", "not determined", "none found"};
    const pl_summary_inst *its[] = {old, nul, empty};
    for (int i = 0; i < 3; i++) {
        char *t = pl_summary_roles_text(its[i]);
        ck_assert_str_eq(t, want[i]);
        free(t);
    }
    /* each in its own group; a role called "none found" would not be */
    ck_assert_uint_eq(s.nrole_groups, 3);
    for (size_t g = 0; g < s.nrole_groups; g++)
        ck_assert_uint_eq(s.role_groups[g].count, 1);
    ck_assert_uint_eq(s.nprovs, 1);
    ck_assert_ptr_null(s.provs[0].tool);
    ck_assert_int_eq(s.provs[0].catalog_rec, PL_REC_ABSENT);

    char *json = render(&s, PL_SUMMARY_JSON);
    json_object *o = json_tokener_parse(json);
    ck_assert(o != NULL);
    ck_assert_ptr_null(row_str(row_of(o, 0), "computer_name"));
    ck_assert_ptr_null(row_str(row_of(o, 0), "roles"));
    ck_assert_str_eq(row_str(row_of(o, 0), "roles_recorded"), "false");
    ck_assert_ptr_null(row_str(row_of(o, 1), "roles"));
    ck_assert_str_eq(row_str(row_of(o, 1), "roles_recorded"), "true");
    ck_assert_str_eq(row_str(row_of(o, 2), "roles"), "[ ]");
    ck_assert_ptr_null(row_str(row_of(o, 0), "next_steps"));
    json_object_put(o);
    free(json);

    char *html = render(&s, PL_SUMMARY_HTML);
    ck_assert(strstr(html, "<span class=\"unk\" title=\"not recorded\">&mdash;</span>"));
    ck_assert(strstr(html, "<span class=\"unk\" title=\"not determined\">&mdash;</span>"));
    ck_assert(strstr(html, "<td><span class=\"unk\">not recorded</span></td>"));
    ck_assert(strstr(html, "<td>none found</td>"));
    ck_assert(strstr(html, "<span class=\"unk\">tool not recorded</span>"));
    free(html);
    char *text = render(&s, PL_SUMMARY_TEXT);
    ck_assert(!strstr(text, "none: current"));   /* next_steps absent: not determined */
    ck_assert(strstr(text, "tool not recorded"));
    free(text);
    pl_summary_free(&s);
}
END_TEST

/* Hostile strings in the new fields: markup, quotes, control characters,
 * a formula. Nothing becomes markup, code, a terminal sequence or a
 * spreadsheet formula; the JSON stays valid. */
START_TEST(hostile_identity_roles_and_provenance)
{
    pl_summary s;
    pl_summary_init(&s);
    const char *identity =
        "{\"computer_name\":\"<img src=x onerror=alert(1)>\",\"dns_hostname\":\"a\\\"b'c\","
        "\"domain\":\"</script><script>alert(2)</script>\",\"domain_controller\":\"yes\"}";
    const char *roles = "[{\"name\":\"=cmd|' /C calc'!A0\"},{\"name\":\"bell\\u0007\\u001b[31mred\"},"
                        "{\"name\":null},\"<b>bare</b>\",42]";
    const char *prov = "{\"tool\":\"<script>alert(3)</script>\",\"libraries\":[{\"x\":{\"y\":"
                       "{\"z\":{\"w\":{\"v\":{\"u\":1}}}}}}],\"analyzed_at\":\"<i>soon</i>\"}";
    ck_assert_int_eq(add(&s, with_prov("h.vhd", prov, who(identity, roles,
        "[{\"action\":\"<u>go</u>\",\"kb\":\"KB\\\"1\"}]")), 1), 0);
    pl_summary_finish(&s);
    const pl_summary_inst *it = &s.inputs[0].insts[0];
    ck_assert_int_eq(it->domain_controller, -1);   /* not a boolean: unknown */
    ck_assert_uint_eq(it->nroles, 4);              /* 42 has no name: "(unnamed)", like null */
    ck_assert_str_eq(s.inputs[0].analyzed_at, "");
    ck_assert(strstr(s.provs[0].libraries, "..."));   /* depth bounded */

    char *html = render(&s, PL_SUMMARY_HTML);
    ck_assert_msg(only_our_script(html), "a <script> element got through");
    ck_assert(!strstr(html, "<img") && !strstr(html, "<b>") && !strstr(html, "<i>") && !strstr(html, "<u>"));
    ck_assert(strstr(html, "&lt;img src=x onerror=alert(1)&gt;"));
    ck_assert(strstr(html, "&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;"));
    ck_assert(strstr(html, "title=\"DNS host name: a&quot;b&#39;c\""));
    ck_assert(strstr(html, "&lt;script&gt;alert(3)&lt;/script&gt;"));
    ck_assert(!strstr(html, "\x07") && !strstr(html, "\x1b"));
    ck_assert(strstr(html, "bell\xEF\xBF\xBD\xEF\xBF\xBD[31mred"));
    free(html);

    char *text = render(&s, PL_SUMMARY_TEXT);
    ck_assert(!strstr(text, "\x07") && !strstr(text, "\x1b"));
    ck_assert(strstr(text, "bell\\x07\\x1b[31mred"));
    free(text);

    char *csv = render(&s, PL_SUMMARY_CSV);
    ck_assert(!strstr(csv, "\x07") && !strstr(csv, "\x1b"));
    /* the roles cell starts with the formula: quoted, with a ' before it */
    ck_assert_msg(strstr(csv, ",\"'=cmd|' /C calc'!A0, bell"), "%s", csv);
    free(csv);

    char *json = render(&s, PL_SUMMARY_JSON);
    json_object *o = json_tokener_parse(json);
    ck_assert_msg(o != NULL, "%s", json);
    ck_assert_str_eq(row_str(row_of(o, 0), "computer_name"), "<img src=x onerror=alert(1)>");
    ck_assert_str_eq(row_str(row_of(o, 0), "next_step"), "<u>go</u> KB\"1");
    json_object_put(o);
    free(json);
    pl_summary_free(&s);
}
END_TEST

/* Distinct provenances are told apart and counted by the inputs whose
 * last line they wrote; past PL_SUMMARY_PROV_MAX they count as other. */
START_TEST(provenances_are_counted_and_bounded)
{
    pl_summary s;
    pl_summary_init(&s);
    ck_assert_int_eq(add(&s, with_prov("a", prov_a, who(NULL, NULL, NULL)), 1), 0);
    ck_assert_int_eq(add(&s, with_prov("b", "{\"tool\":\"patchlevel 0.8\",\"analyzed_at\":"
                                            "\"2026-11-01T00:00:00Z\"}", who(NULL, NULL, NULL)), 1), 0);
    /* b again with prov_a: the 0.8 provenance no longer writes anything */
    char *b2 = with_prov("b", prov_a, who(NULL, NULL, NULL));
    char *at = strstr(b2, "2026-12-01T10:00:00Z");
    memcpy(at, "2026-12-03", 10);
    ck_assert_int_eq(add(&s, b2, 1), 0);
    pl_summary_finish(&s);
    ck_assert_uint_eq(s.nprovs, 2);
    ck_assert_uint_eq(s.provs[0].inputs, 2);
    ck_assert_uint_eq(s.provs[1].inputs, 0);
    ck_assert_str_eq(s.provs[0].first_at, "2026-12-01T10:00:00Z");
    ck_assert_str_eq(s.provs[0].last_at, "2026-12-03T10:00:00Z");
    char *html = render(&s, PL_SUMMARY_HTML);
    ck_assert(strstr(html, "2026-12-01T10:00:00Z &ndash; 2026-12-03T10:00:00Z"));
    ck_assert(!strstr(html, "patchlevel 0.8"));
    free(html);
    pl_summary_free(&s);

    pl_summary_init(&s);
    for (int i = 0; i < PL_SUMMARY_PROV_MAX + 6; i++) {
        char name[16], prov[64];
        snprintf(name, sizeof name, "in%d", i);
        snprintf(prov, sizeof prov, "{\"tool\":\"patchlevel 0.%d\"}", i);
        ck_assert_int_eq(add(&s, with_prov(name, prov, who(NULL, NULL, NULL)), 1), 0);
    }
    pl_summary_finish(&s);
    ck_assert_uint_eq(s.nprovs, PL_SUMMARY_PROV_MAX);
    ck_assert_uint_eq(s.prov_other, 6);
    char *json = render(&s, PL_SUMMARY_JSON);
    ck_assert(strstr(json, "\"results_other\": 6"));
    free(json);
    pl_summary_free(&s);
}
END_TEST

/* Roles per installation are bounded and kept once each. */
START_TEST(roles_are_bounded)
{
    pl_summary s;
    pl_summary_init(&s);
    char *roles = pl_xstrdup("[\"dup\",\"dup\"");
    for (int i = 0; i < PL_SUMMARY_MAX_ROLES + 8; i++) {
        char *next = pl_xasprintf("%s,\"role %02d\"", roles, i);
        free(roles);
        roles = next;
    }
    char *closed = pl_xasprintf("%s]", roles);
    add1(&s, "many", who(NULL, closed, NULL));
    free(roles);
    free(closed);
    pl_summary_finish(&s);
    const pl_summary_inst *it = &s.inputs[0].insts[0];
    ck_assert_uint_eq(it->nroles, PL_SUMMARY_MAX_ROLES);
    ck_assert_uint_eq(it->roles_more, 9);   /* 40 distinct + dup = 41, 32 kept */
    char *t = pl_summary_roles_text(it);
    ck_assert(strstr(t, "dup, role 00, "));
    ck_assert(strstr(t, " (+9 more)"));
    free(t);
    pl_summary_free(&s);
}
END_TEST

/* The page's table stops at PL_SUMMARY_PAGE_MAX rows and says how many
 * more there are; CSV and JSON keep every installation. */
START_TEST(the_page_table_is_bounded)
{
    pl_summary s;
    pl_summary_init(&s);
    for (int i = 0; i < PL_SUMMARY_PAGE_MAX + 3; i++) {
        char name[16];
        snprintf(name, sizeof name, "i%d", i);
        add1(&s, name, who(NULL, NULL, "[]"));
    }
    pl_summary_finish(&s);
    char *html = render(&s, PL_SUMMARY_HTML);
    const char *table = strstr(html, "<table class=\"servers\"");
    const char *end = strstr(table, "</table>");
    size_t rows = 0;
    for (const char *p = table; (p = strstr(p, "<tr><td>")) && p < end; p++)
        rows++;
    ck_assert_uint_eq(rows, PL_SUMMARY_PAGE_MAX);
    ck_assert(strstr(end, "&hellip; and 3 more, not listed here"));
    free(html);
    char *csv = render(&s, PL_SUMMARY_CSV);
    char last[64];
    snprintf(last, sizeof last, "\r\ninstallation,%d,,i%d,", PL_SUMMARY_PAGE_MAX + 3, PL_SUMMARY_PAGE_MAX + 2);
    ck_assert(strstr(csv, last));
    free(csv);
    pl_summary_free(&s);
}
END_TEST

/* base64 of 32 bytes given as 64 hex digits. */
static void b64_of_hex(const char *hex, char out[45])
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    unsigned char d[33] = {0};
    for (int i = 0; i < 32; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        d[i] = (unsigned char)v;
    }
    int o = 0;
    for (int i = 0; i < 33; i += 3) {
        unsigned v = (unsigned)d[i] << 16 | (unsigned)d[i + 1] << 8 | (i + 2 < 32 ? d[i + 2] : 0);
        out[o++] = b64[v >> 18 & 63];
        out[o++] = b64[v >> 12 & 63];
        out[o++] = i + 1 < 32 ? b64[v >> 6 & 63] : '=';
        out[o++] = i + 2 < 32 ? b64[v & 63] : '=';
    }
    out[o] = '\0';
}

/* The CSP allows exactly the page's style and script, by their SHA-256,
 * and nothing else; the table is in the markup (usable without the
 * script), one row per installation. */
START_TEST(the_page_policy_hashes_its_own_style_and_script)
{
    pl_summary s;
    pl_summary_init(&s);
    add1(&s, "a", who(dc_identity, dc_roles, "[]"));
    add1(&s, "b", who(NULL, NULL, NULL));
    pl_summary_finish(&s);
    char *html = render(&s, PL_SUMMARY_HTML);
    const char *tags[][2] = {{"<style>", "</style>"}, {"<script>", "</script>"}};
    const char *policy = strstr(html, "content=\"default-src 'none'; script-src 'sha256-");
    ck_assert(policy);
    for (int t = 0; t < 2; t++) {
        const char *a = strstr(html, tags[t][0]);
        ck_assert(a);
        a += strlen(tags[t][0]);
        const char *b = strstr(a, tags[t][1]);
        char hex[65], b64[45], want[80];
        pl_sha256_hex((const uint8_t *)a, (size_t)(b - a), hex);
        b64_of_hex(hex, b64);
        snprintf(want, sizeof want, "%s 'sha256-%s'", t ? "script-src" : "style-src", b64);
        ck_assert_msg(strstr(policy, want), "%s not in the policy", want);
    }
    ck_assert(strstr(policy, "; base-uri 'none'; form-action 'none'\">"));
    ck_assert(!strstr(html, "unsafe-inline") && !strstr(html, " style=\""));
    const char *table = strstr(html, "<table class=\"servers\" id=\"servers-table\">");
    ck_assert(table);
    const char *end = strstr(table, "</table>");
    int rows = 0;
    for (const char *p = table; (p = strstr(p, "<tr><td>")) && p < end; p++)
        rows++;
    ck_assert_int_eq(rows, 2);
    ck_assert(strstr(html, "<div class=\"tools\" id=\"tools\" hidden>"));   /* until the script runs */
    free(html);
    pl_summary_free(&s);
}
END_TEST

/* SOURCE_DATE_EPOCH fixes the summary's date (reproducible output). */
START_TEST(the_summary_date_honours_source_date_epoch)
{
    setenv("SOURCE_DATE_EPOCH", "1764979200", 1);
    pl_summary s;
    pl_summary_init(&s);
    unsetenv("SOURCE_DATE_EPOCH");
    pl_summary_finish(&s);
    ck_assert_int_eq(s.summarized_at, 1764979200);
    char *html = render(&s, PL_SUMMARY_HTML);
    ck_assert(strstr(html, "<span id=\"summary-time\">2025-12-06T00:00:00Z</span>"));
    free(html);
    char *json = render(&s, PL_SUMMARY_JSON);
    ck_assert(strstr(json, "\"summarized_at\": \"2025-12-06T00:00:00Z\""));
    free(json);
    pl_summary_free(&s);
    setenv("SOURCE_DATE_EPOCH", "not a time", 1);
    pl_summary_init(&s);
    unsetenv("SOURCE_DATE_EPOCH");
    ck_assert_int_gt(s.summarized_at, 1764979200);   /* the clock */
    pl_summary_free(&s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("summary");
    TCase *tc = tcase_create("summary");
    tcase_set_timeout(tc, 60);   /* the_page_table_is_bounded writes 20000 rows; CI is shared */
    tcase_add_test(tc, verdicts_are_counted);
    tcase_add_test(tc, months_are_sorted_with_none_and_undetermined_apart);
    tcase_add_test(tc, undetermined_reboot_is_its_own_bucket);
    tcase_add_test(tc, behind_buckets);
    tcase_add_test(tc, the_last_line_of_an_input_wins);
    tcase_add_test(tc, a_truncated_last_line_is_skipped);
    tcase_add_test(tc, bad_lines_are_skipped_with_a_reason);
    tcase_add_test(tc, failed_inputs_are_listed_with_their_errors);
    tcase_add_test(tc, lists_are_bounded);
    tcase_add_test(tc, hostile_strings_are_escaped_in_html);
    tcase_add_test(tc, hostile_strings_in_text_and_csv);
    tcase_add_test(tc, formats_parse);
    tcase_add_test(tc, an_empty_summary_writes_every_format);
    tcase_add_test(tc, servicing_is_counted);
    tcase_add_test(tc, identity_roles_and_provenance_are_read);
    tcase_add_test(tc, absent_and_null_are_unknown_never_none);
    tcase_add_test(tc, hostile_identity_roles_and_provenance);
    tcase_add_test(tc, provenances_are_counted_and_bounded);
    tcase_add_test(tc, roles_are_bounded);
    tcase_add_test(tc, the_page_table_is_bounded);
    tcase_add_test(tc, the_page_policy_hashes_its_own_style_and_script);
    tcase_add_test(tc, the_summary_date_honours_source_date_epoch);
    suite_add_tcase(s, tc);
    return pl_run_suite(s);
}
