/* The report writers on a hand-built result: every contract field of spec
 * section 5 is present with the right type; json vs array framing; CSV
 * quoting; the text block says the verdict. */
#include <check.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"
#include "../check_main.h"

static void build_result(pl_input_result *r)
{
    memset(r, 0, sizeof *r);
    r->input = strdup("lib/srv \"01\", copy.wim");
    r->container = "wim";
    pl_strlist_push(&r->chain, "lib/srv01.wim");
    r->insts = calloc(1, sizeof *r->insts);
    r->ninsts = 1;
    pl_installation *in = &r->insts[0].inst;
    in->loc.partition_scheme = "none";
    in->loc.partition_start = -1;
    in->loc.filesystem = "wim";
    in->loc.wim_image = 2;
    in->loc.wim_image_name = strdup("Windows Server 2008 SERVERSTANDARD");
    in->windows_dir = strdup("Windows");
    in->os.product_name = strdup("Windows Server\xc2\xae 2008 Standard");
    in->os.current_version = strdup("6.0");
    in->os.current_build_number = strdup("6003");
    in->software_read = 1;
    in->system_read = 1;
    in->pending.cbs_key = 1;
    in->ntoskrnl.role = "ntoskrnl";
    in->ntoskrnl.present = 1;
    in->ntoskrnl.path = strdup("Windows/System32/ntoskrnl.exe");
    in->ntoskrnl.ver.has_fixed = 1;
    uint16_t v[4] = {6, 0, 6003, 21481};
    memcpy(in->ntoskrnl.ver.file_version, v, sizeof v);
    memcpy(in->ntoskrnl.ver.product_version, v, sizeof v);
    strcpy(in->ntoskrnl.sha256, "ab");
    in->kernel32.role = "kernel32";
    in->packages = calloc(1, sizeof *in->packages);
    in->npackages = 1;
    in->packages[0].identity = strdup("Package_for_KB5014010~31bf3856ad364e35~amd64~~6.0.1.0");
    in->packages[0].kb = strdup("KB5014010");
    in->packages[0].has_state = 1;
    in->packages[0].state_code = 0x70;
    in->packages[0].state = PL_CBS_INSTALLED;
    in->packages[0].has_install_time = 1;
    in->packages[0].install_filetime = 0x01d86e0000000000ull;
    pl_assess(in, NULL, &r->insts[0].assess);
}

static json_object *member(json_object *o, const char *key)
{
    json_object *v = NULL;
    ck_assert_msg(json_object_object_get_ex(o, key, &v), "missing field %s", key);
    return v;
}

static void assert_type(json_object *o, const char *key, json_type t)
{
    json_object *v = member(o, key);
    ck_assert_msg(v == NULL ? t == json_type_null : json_object_is_type(v, t),
                  "field %s has the wrong type", key);
}

START_TEST(json_has_every_contract_field)
{
    pl_input_result r;
    build_result(&r);
    pl_json j;
    pl_json_init(&j, 1);
    pl_report_json_object(&j, &r);
    json_object *root = json_tokener_parse(j.buf);
    ck_assert_ptr_nonnull(root);
    ck_assert_str_eq(json_object_get_string(member(root, "schema")), "patchlevel/1");
    assert_type(root, "input", json_type_string);
    assert_type(root, "container", json_type_string);
    assert_type(root, "chain", json_type_array);
    assert_type(root, "errors", json_type_array);
    json_object *inst = json_object_array_get_idx(member(root, "installations"), 0);
    json_object *loc = member(inst, "location");
    const char *loc_fields[] = {"partition_scheme", "partition_number", "partition_start_bytes",
                                "filesystem", "wim_image", "wim_image_name", "windows_dir"};
    for (size_t i = 0; i < 7; i++)
        member(loc, loc_fields[i]);
    ck_assert_int_eq(json_object_get_int(member(loc, "wim_image")), 2);
    json_object *os = member(inst, "os");
    const char *os_fields[] = {"product_name", "edition_id", "installation_type", "arch",
                               "version", "build", "csd_version", "build_lab_ex"};
    for (size_t i = 0; i < 8; i++)
        member(os, os_fields[i]);
    ck_assert_int_eq(json_object_get_int(member(os, "build")), 6003);
    json_object *nt = member(member(inst, "files"), "ntoskrnl");
    ck_assert_str_eq(json_object_get_string(member(nt, "file_version")), "6.0.6003.21481");
    member(nt, "product_version");
    member(nt, "sha256");
    member(nt, "path");
    assert_type(member(inst, "files"), "kernel32", json_type_null);
    assert_type(inst, "wim_xml", json_type_null);
    json_object *b = member(inst, "build6003");
    ck_assert_str_eq(json_object_get_string(member(b, "verdict")), "yes");
    assert_type(b, "evidence", json_type_array);
    json_object *ev = json_object_array_get_idx(member(b, "evidence"), 0);
    member(ev, "source");
    member(ev, "value");
    ck_assert_int_eq(json_object_get_int(member(ev, "build")), 6003);
    json_object *u = member(inst, "updates");
    assert_type(u, "kbs_installed", json_type_array);
    assert_type(u, "kbs_superseded", json_type_array);
    assert_type(u, "kbs_pending_or_staged", json_type_array);
    member(u, "latest_rollup");
    member(u, "missing_rollups");
    json_object *pkg = json_object_array_get_idx(member(u, "packages"), 0);
    const char *pkg_fields[] = {"identity", "kb", "state", "state_code", "release_type",
                                "install_time"};
    for (size_t i = 0; i < 6; i++)
        member(pkg, pkg_fields[i]);
    ck_assert_str_eq(json_object_get_string(member(pkg, "state")), "installed");
    ck_assert_int_eq(json_object_get_int(member(pkg, "state_code")), 112);
    ck_assert_str_eq(json_object_get_string(member(pkg, "install_time")), "2022-05-22T17:18:48Z");
    json_object *p = member(inst, "pending");
    assert_type(p, "reboot_required", json_type_boolean);
    assert_type(p, "reboot_required_unknown", json_type_null);
    assert_type(p, "servicing_reboot_required", json_type_boolean);
    assert_type(p, "servicing_reboot_required_unknown", json_type_null);
    assert_type(p, "signals", json_type_array);
    assert_type(p, "unknown_signals", json_type_array);
    assert_type(u, "kbs_unknown", json_type_null);
    assert_type(u, "unidentified_packages", json_type_array);
    assert_type(u, "rollups_unknown", json_type_null);
    assert_type(os, "revision", json_type_int);
    assert_type(os, "version_source", json_type_string);
    assert_type(inst, "warnings", json_type_array);
    json_object_put(root);
    pl_json_free(&j);
    pl_input_result_free(&r);
}
END_TEST

static char *capture(pl_format fmt, size_t total)
{
    pl_input_result r;
    build_result(&r);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    pl_report_writer w;
    pl_report_style style = {.json_array = total != 1};
    pl_report_begin(&w, f, fmt, &style);
    for (size_t i = 0; i < total; i++)
        ck_assert_int_eq(pl_report_item(&w, &r), 0);
    ck_assert_int_eq(pl_report_end(&w), 0);
    fclose(f);
    pl_input_result_free(&r);
    return buf;
}

START_TEST(json_is_an_object_for_one_input_and_an_array_for_several)
{
    char *one = capture(PL_FMT_JSON, 1);
    json_object *o = json_tokener_parse(one);
    ck_assert(json_object_is_type(o, json_type_object));
    json_object_put(o);
    free(one);
    char *two = capture(PL_FMT_JSON, 2);
    o = json_tokener_parse(two);
    ck_assert(json_object_is_type(o, json_type_array));
    ck_assert_uint_eq(json_object_array_length(o), 2);
    json_object_put(o);
    free(two);
}
END_TEST

START_TEST(jsonl_is_one_line_per_input)
{
    char *out = capture(PL_FMT_JSONL, 3);
    int lines = 0;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        json_object *o = json_tokener_parse(line);
        ck_assert_ptr_nonnull(o);
        json_object_put(o);
        lines++;
    }
    ck_assert_int_eq(lines, 3);
    free(out);
}
END_TEST

START_TEST(csv_quotes_fields_with_commas_and_quotes)
{
    char *out = capture(PL_FMT_CSV, 1);
    ck_assert_ptr_nonnull(strstr(out, "input,container,"));
    ck_assert_ptr_nonnull(strstr(out, "\r\n\"lib/srv \"\"01\"\", copy.wim\",wim,"));
    ck_assert_ptr_nonnull(strstr(out, ",yes,KB5014010,"));
    free(out);
}
END_TEST

START_TEST(csv_defuses_formulas_from_images)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    pl_csv_field(f, "=HYPERLINK(\"http://x\")");
    fputc('|', f);
    pl_csv_field(f, "@SUM(A1)");
    fputc('|', f);
    pl_csv_field(f, "plain");
    fputc('|', f);
    pl_csv_field(f, "");
    fclose(f);
    ck_assert_str_eq(buf, "\"'=HYPERLINK(\"\"http://x\"\")\"|\"'@SUM(A1)\"|plain|");
    free(buf);
}
END_TEST

START_TEST(text_states_the_verdict_and_evidence)
{
    char *out = capture(PL_FMT_TEXT, 1);
    ck_assert_ptr_nonnull(strstr(out, "Build 6003:  YES"));
    ck_assert_ptr_nonnull(strstr(out, "6.0.6003.21481  Windows/System32/ntoskrnl.exe"));
    ck_assert_ptr_nonnull(strstr(out, "KB5014010"));
    free(out);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, json_has_every_contract_field);
    tcase_add_test(tc, json_is_an_object_for_one_input_and_an_array_for_several);
    tcase_add_test(tc, jsonl_is_one_line_per_input);
    tcase_add_test(tc, csv_quotes_fields_with_commas_and_quotes);
    tcase_add_test(tc, csv_defuses_formulas_from_images);
    tcase_add_test(tc, text_states_the_verdict_and_evidence);
    suite_add_tcase(s, tc);
    return pl_run_suite(s);
}
