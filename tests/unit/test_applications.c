/* The applications and application_updates evidence kinds
 * (src/evidence/applications.c) on hives built in the test: native and
 * WOW6432Node programs with their arch, hidden system components, updates
 * kept apart, SOFTWARE unread is null, a bounded list, hostile strings. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/applications.h"
#include "kind_ctx.h"
#include "util/limits.h"
#include "../check_main.h"

#define UN "Microsoft\\Windows\\CurrentVersion\\Uninstall\\"
#define WOW "Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\"

static void program(hb *b, const char *key, const char *name, const char *version,
                    const char *publisher, const char *date)
{
    hb_sz(b, key, "DisplayName", name);
    if (version)
        hb_sz(b, key, "DisplayVersion", version);
    if (publisher)
        hb_sz(b, key, "Publisher", publisher);
    if (date)
        hb_sz(b, key, "InstallDate", date);
}

static hb *web_server_software(void)
{
    hb *b = hb_new();
    program(b, UN "{11111111-AAAA}", "Contoso Web Agent", "2.4.1", "Contoso Ltd.", "20150312");
    program(b, WOW "LegacyReport", "Legacy Report Viewer (32-bit)", "9.0", "Fabrikam",
            "2011-13-40");
    program(b, UN "{22222222-BBBB}", "Visual C++ runtime internals", "9.0", "Microsoft", NULL);
    hb_dword(b, UN "{22222222-BBBB}", "SystemComponent", 1);
    hb_key(b, UN "NoName");
    hb_sz(b, UN "NoName", "UninstallString", "x.exe /u");
    /* updates, three ways */
    program(b, UN "{11111111-AAAA}.KB2500001", "Hotfix for Contoso Web Agent", NULL,
            "Contoso Ltd.", "20160101");
    hb_sz(b, UN "{11111111-AAAA}.KB2500001", "ParentKeyName", "{11111111-AAAA}");
    hb_sz(b, UN "{11111111-AAAA}.KB2500001", "ParentDisplayName", "Contoso Web Agent");
    program(b, UN "FabrikamSP", "Fabrikam Suite Service Pack 2", "2.0", "Fabrikam", NULL);
    hb_sz(b, UN "FabrikamSP", "ReleaseType", "Service Pack");
    program(b, WOW "KB958644", "Security Update for Something (KB958644)", NULL, NULL, NULL);
    return b;
}

static void init(kctx *k, hb *software, const char *arch)
{
    kctx_init(k, NULL, software, NULL);
    k->inst.os.processor_architecture = (char *)arch;
}

static const pl_app *find(const pl_app *list, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i].name, name) == 0)
            return &list[i];
    return NULL;
}

START_TEST(web_server_programs_and_updates)
{
    kctx k;
    init(&k, web_server_software(), "AMD64");
    pl_applications *a = pl_evidence_kind_applications.collect(&k.ctx);
    ck_assert_int_eq(a->known, 1);
    ck_assert_uint_eq(a->napps, 2);
    ck_assert_uint_eq(a->nupdates, 3);
    ck_assert_uint_eq(a->hidden, 1);
    const pl_app *web = find(a->apps, a->napps, "Contoso Web Agent");
    ck_assert_ptr_nonnull(web);
    ck_assert_str_eq(web->version, "2.4.1");
    ck_assert_str_eq(web->publisher, "Contoso Ltd.");
    ck_assert_str_eq(web->install_date, "2015-03-12");
    ck_assert_str_eq(web->arch, "amd64");
    ck_assert_str_eq(web->key, UN "{11111111-AAAA}");
    const pl_app *legacy = find(a->apps, a->napps, "Legacy Report Viewer (32-bit)");
    ck_assert_ptr_nonnull(legacy);
    ck_assert_str_eq(legacy->arch, "x86");
    ck_assert_ptr_null(legacy->install_date); /* "2011-13-40" is no date */
    const pl_app *hotfix = find(a->updates, a->nupdates, "Hotfix for Contoso Web Agent");
    ck_assert_str_eq(hotfix->parent, "Contoso Web Agent");
    ck_assert_str_eq(hotfix->kb, "KB2500001");
    const pl_app *sp = find(a->updates, a->nupdates, "Fabrikam Suite Service Pack 2");
    ck_assert_str_eq(sp->release_type, "Service Pack");
    const pl_app *sec = find(a->updates, a->nupdates, "Security Update for Something (KB958644)");
    ck_assert_str_eq(sec->kb, "KB958644");
    ck_assert_str_eq(sec->arch, "x86");

    json_object *j = kind_json(&pl_evidence_kind_applications, a);
    ck_assert_int_eq(jlen(j, "applications"), 2);
    json_object *w = jfind(j, "applications", "name", "Contoso Web Agent");
    ck_assert_str_eq(jstr(w, "arch"), "amd64");
    ck_assert_str_eq(jstr(w, "install_date"), "2015-03-12");
    json_object_put(j);
    j = kind_json(&pl_evidence_kind_application_updates, a);
    ck_assert_int_eq(jlen(j, "application_updates"), 3);
    ck_assert_str_eq(jstr(jfind(j, "application_updates", "kb", "KB958644"), "arch"), "x86");
    json_object_put(j);
    pl_evidence_kind_applications.free(a);
    kctx_free(&k);
}
END_TEST

START_TEST(native_arch_follows_the_installation)
{
    ck_assert_str_eq(pl_app_native_arch("AMD64"), "amd64");
    ck_assert_str_eq(pl_app_native_arch("x86"), "x86");
    ck_assert_str_eq(pl_app_native_arch("IA64"), "ia64");
    ck_assert_ptr_null(pl_app_native_arch("ARM64"));
    ck_assert_ptr_null(pl_app_native_arch(NULL));
    kctx k;
    init(&k, web_server_software(), NULL); /* SYSTEM unread: native arch unknown */
    pl_applications *a = pl_evidence_kind_applications.collect(&k.ctx);
    ck_assert_ptr_null(find(a->apps, a->napps, "Contoso Web Agent")->arch);
    ck_assert_str_eq(find(a->apps, a->napps, "Legacy Report Viewer (32-bit)")->arch, "x86");
    pl_evidence_kind_applications.free(a);
    kctx_free(&k);
}
END_TEST

START_TEST(kb_numbers_are_words)
{
    char *kb = pl_app_kb_in("Update for Windows (KB2500001)");
    ck_assert_str_eq(kb, "KB2500001");
    free(kb);
    kb = pl_app_kb_in("kb123456");
    ck_assert_str_eq(kb, "KB123456");
    free(kb);
    ck_assert_ptr_null(pl_app_kb_in("KB12345"));      /* too short */
    ck_assert_ptr_null(pl_app_kb_in("KB123456789"));  /* too long */
    ck_assert_ptr_null(pl_app_kb_in("SKB1234567"));   /* inside a word */
    ck_assert_ptr_null(pl_app_kb_in("KB1234567x"));
}
END_TEST

START_TEST(software_missing_is_null)
{
    kctx k;
    init(&k, NULL, "AMD64");
    pl_applications *a = pl_evidence_kind_applications.collect(&k.ctx);
    ck_assert_int_eq(a->known, 0);
    ck_assert_ptr_nonnull(strstr(a->unknown, "the SOFTWARE hive was not read"));
    ck_assert_uint_eq(k.warnings.len, 0); /* the hive's own warning says it */
    json_object *j = kind_json(&pl_evidence_kind_applications, a);
    ck_assert(jis_null(j, "applications"));
    json_object_put(j);
    j = kind_json(&pl_evidence_kind_application_updates, a);
    ck_assert(jis_null(j, "application_updates"));
    json_object_put(j);
    pl_evidence_kind_applications.free(a);
    kctx_free(&k);
}
END_TEST

/* The updates' kind reads the same keys without warning twice. */
START_TEST(updates_kind_does_not_repeat_warnings)
{
    hb *b = hb_new();
    hb_dword(b, UN "Bad", "DisplayName", 5);
    kctx k;
    init(&k, b, "AMD64");
    pl_applications *a = pl_evidence_kind_applications.collect(&k.ctx);
    ck_assert_uint_eq(a->unreadable, 1);
    ck_assert_uint_eq(k.warnings.len, 1);
    ck_assert(kctx_warned(&k, "REG_DWORD"));
    pl_applications *u = pl_evidence_kind_application_updates.collect(&k.ctx);
    ck_assert_uint_eq(k.warnings.len, 1);
    pl_evidence_kind_applications.free(a);
    pl_evidence_kind_application_updates.free(u);
    kctx_free(&k);
}
END_TEST

START_TEST(wrong_types_leave_fields_null)
{
    hb *b = hb_new();
    hb_sz(b, UN "App", "DisplayName", "App");
    hb_dword(b, UN "App", "DisplayVersion", 3);
    hb_raw(b, UN "App", "Publisher", hive_t_REG_BINARY, "\1\2", 2);
    hb_sz(b, UN "App", "SystemComponent", "1"); /* not a DWORD: not hidden */
    kctx k;
    init(&k, b, "x86");
    pl_applications *a = pl_evidence_kind_applications.collect(&k.ctx);
    ck_assert_uint_eq(a->napps, 1);
    ck_assert_ptr_null(a->apps[0].version);
    ck_assert_ptr_null(a->apps[0].publisher);
    ck_assert_str_eq(a->apps[0].arch, "x86");
    ck_assert(kctx_warned(&k, "DisplayVersion"));
    ck_assert(kctx_warned(&k, "Publisher"));
    pl_evidence_kind_applications.free(a);
    kctx_free(&k);
}
END_TEST

START_TEST(too_many_entries_stop_and_say_so)
{
    hb *b = hb_new();
    hive_node_h un = hb_key(b, "Microsoft\\Windows\\CurrentVersion\\Uninstall");
    static const char x[] = {'x', 0, 0, 0};
    hive_set_value v = {"DisplayName", hive_t_REG_SZ, sizeof x, (char *)x};
    for (int i = 0; i <= PL_MAX_UNINSTALL_ENTRIES; i++) {
        char name[32];
        snprintf(name, sizeof name, "App%05d", i);
        hive_node_h node = hivex_node_add_child(b->h, un, name);
        ck_assert(node != 0);
        ck_assert_int_eq(hivex_node_set_value(b->h, node, &v, 0), 0);
    }
    kctx k;
    init(&k, b, "AMD64");
    pl_applications *a = pl_evidence_kind_applications.collect(&k.ctx);
    ck_assert_uint_eq(a->napps, PL_MAX_UNINSTALL_ENTRIES);
    ck_assert_int_eq(a->truncated, 1);
    ck_assert(kctx_warned(&k, "entries: the rest were not read"));
    pl_evidence_kind_applications.free(a);
    kctx_free(&k);
}
END_TEST

START_TEST(hostile_strings_stay_valid_json)
{
    hb *b = hb_new();
    const char *evil = "App\"\x01\x1b]0;pwned\x07\n</td><script>";
    hb_sz(b, UN "Evil", "DisplayName", evil);
    hb_sz(b, UN "Evil", "Publisher", "\xc3\xa9\xe2\x84\xa2");
    static const uint8_t lone[] = {'v', 0, 0x00, 0xDC, 0, 0};
    hb_raw(b, UN "Evil", "DisplayVersion", hive_t_REG_SZ, lone, sizeof lone);
    kctx k;
    init(&k, b, "AMD64");
    pl_applications *a = pl_evidence_kind_applications.collect(&k.ctx);
    ck_assert_uint_eq(a->napps, 1);
    json_object *j = kind_json(&pl_evidence_kind_applications, a);
    ck_assert_str_eq(jstr(j, "applications.0.name"), evil);
    ck_assert_str_eq(jstr(j, "applications.0.publisher"), "\xc3\xa9\xe2\x84\xa2");
    json_object_put(j);
    pl_evidence_kind_applications.free(a);
    kctx_free(&k);
}
END_TEST

/* The fixture tree of issue 14 (fixtures/README.md). */
START_TEST(fixture_web_server)
{
    kctx k;
    kctx_init_tree(&k, "ws2008-iis-web");
    pl_applications *a = pl_evidence_kind_applications.collect(&k.ctx);
    ck_assert_uint_eq(a->napps, 2);
    ck_assert_uint_eq(a->nupdates, 1);
    ck_assert_uint_eq(a->hidden, 1);
    const pl_app *web = find(a->apps, a->napps, "Contoso Web Agent");
    ck_assert_str_eq(web->version, "2.4.1");
    ck_assert_str_eq(web->arch, "amd64");
    const pl_app *viewer = find(a->apps, a->napps, "Fabrikam Report Viewer 2008");
    ck_assert_str_eq(viewer->version, "9.0.21022");
    ck_assert_str_eq(viewer->publisher, "Fabrikam, Inc.");
    ck_assert_str_eq(viewer->install_date, "2013-02-07");
    ck_assert_str_eq(viewer->arch, "x86");
    ck_assert_str_eq(a->updates[0].kb, "KB2500001");
    ck_assert_str_eq(a->updates[0].parent, "Contoso Web Agent");
    ck_assert_str_eq(a->updates[0].release_type, "Hotfix");
    ck_assert_uint_eq(k.warnings.len, 0);
    pl_evidence_kind_applications.free(a);
    kctx_free(&k);
    kctx_init_tree(&k, "ws2008-dc-dns");
    a = pl_evidence_kind_applications.collect(&k.ctx);
    ck_assert_int_eq(a->known, 1);
    ck_assert_uint_eq(a->napps + a->nupdates, 0);
    pl_evidence_kind_applications.free(a);
    kctx_free(&k);
}
END_TEST

/* Built with AddressSanitizer, or run by tests/valgrind.sh (which sets
 * PL_PROGRAM_WRAPPER to its valgrind command). */
static int under_a_checker(void)
{
#if defined(__SANITIZE_ADDRESS__)
    return 1;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
    return 1;
#endif
#endif
    const char *w = getenv("PL_PROGRAM_WRAPPER");
    return w && strstr(w, "valgrind") != NULL;
}

static Suite *suite(void)
{
    Suite *s = suite_create("applications");
    TCase *tc = tcase_create("applications");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, web_server_programs_and_updates);
    tcase_add_test(tc, native_arch_follows_the_installation);
    tcase_add_test(tc, kb_numbers_are_words);
    tcase_add_test(tc, software_missing_is_null);
    tcase_add_test(tc, updates_kind_does_not_repeat_warnings);
    tcase_add_test(tc, wrong_types_leave_fields_null);
    tcase_add_test(tc, hostile_strings_stay_valid_json);
    tcase_add_test(tc, fixture_web_server);
    suite_add_tcase(s, tc);
    /* Apart: building 5001 keys through hivex takes seconds (hivex
     * inserts each key into a sorted list) and many minutes under
     * AddressSanitizer or valgrind, which find nothing there the plain
     * build's run does not reach: only the plain build runs it. */
    if (!under_a_checker()) {
        TCase *limits = tcase_create("limits");
        tcase_set_timeout(limits, 300);
        tcase_add_test(limits, too_many_entries_stop_and_say_so);
        suite_add_tcase(s, limits);
    }
    return s;
}

int main(void) { return pl_run_suite(suite()); }
