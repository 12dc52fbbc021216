/* The fleet summary (report/summary.h) on hand-written JSONL lines:
 * counts, months, last line wins, truncated and bad lines, failed inputs,
 * the bounded lists, and hostile strings in every format. */
#include <check.h>
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
    ck_assert(strncmp(csv, "section,key,count\r\n", 19) == 0);
    ck_assert(strstr(csv, "\r\ninputs,failed,2\r\n"));
    ck_assert(strstr(csv, "\r\ninputs,no_installation,1\r\n"));
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

START_TEST(hostile_strings_are_escaped_in_html)
{
    pl_summary *s = hostile_summary();
    char *html = render(s, PL_SUMMARY_HTML);
    ck_assert_msg(!strstr(html, "<script"), "a <script> element got through");
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
    ck_assert(strstr(csv, "next_step,needs SSU,2\r\n"));
    ck_assert(strstr(csv, "security_month,after 2023-08,1\r\n"));
    ck_assert(strstr(csv, "channel,not determined,1\r\n"));
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

int main(void)
{
    Suite *s = suite_create("summary");
    TCase *tc = tcase_create("summary");
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
    suite_add_tcase(s, tc);
    return pl_run_suite(s);
}
