/* Unit tests for src/evidence/cbs.c: CurrentState decoding, identity
 * strings and KB extraction. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/cbs.h"
#include "../check_main.h"

/* ---- CurrentState ---- */

START_TEST(test_state_raw_enum)
{
    /* Scripts that recreate Vista-era keys write the API enum. */
    ck_assert_int_eq(pl_cbs_state_decode(0), PL_CBS_ABSENT);
    ck_assert_int_eq(pl_cbs_state_decode(1), PL_CBS_RESOLVING);
    ck_assert_int_eq(pl_cbs_state_decode(2), PL_CBS_RESOLVED);
    ck_assert_int_eq(pl_cbs_state_decode(3), PL_CBS_STAGING);
    ck_assert_int_eq(pl_cbs_state_decode(4), PL_CBS_STAGED);
    ck_assert_int_eq(pl_cbs_state_decode(5), PL_CBS_UNINSTALL_PENDING);
    ck_assert_int_eq(pl_cbs_state_decode(6), PL_CBS_INSTALL_PENDING);
    ck_assert_int_eq(pl_cbs_state_decode(7), PL_CBS_INSTALLED);
    ck_assert_int_eq(pl_cbs_state_decode(8), PL_CBS_PERMANENT);
}
END_TEST

START_TEST(test_state_registry_encoding)
{
    ck_assert_int_eq(pl_cbs_state_decode(0x00), PL_CBS_ABSENT);
    ck_assert_int_eq(pl_cbs_state_decode(0x05), PL_CBS_UNINSTALL_PENDING);
    ck_assert_int_eq(pl_cbs_state_decode(0x10), PL_CBS_RESOLVING);
    ck_assert_int_eq(pl_cbs_state_decode(0x20), PL_CBS_RESOLVED);
    ck_assert_int_eq(pl_cbs_state_decode(0x30), PL_CBS_STAGING);
    ck_assert_int_eq(pl_cbs_state_decode(0x40), PL_CBS_STAGED);
    ck_assert_int_eq(pl_cbs_state_decode(0x50), PL_CBS_SUPERSEDED);
    ck_assert_int_eq(pl_cbs_state_decode(0x60), PL_CBS_INSTALL_PENDING);
    ck_assert_int_eq(pl_cbs_state_decode(0x65), PL_CBS_PARTIALLY_INSTALLED);
    ck_assert_int_eq(pl_cbs_state_decode(0x70), PL_CBS_INSTALLED);
    ck_assert_int_eq(pl_cbs_state_decode(0x80), PL_CBS_PERMANENT);
}
END_TEST

START_TEST(test_state_unknown)
{
    const uint32_t bad[] = {0x9, 0xA, 0xF, 0x11, 0x4F, 0x64, 0x66, 0x71, 0x7F,
                            0x81, 0x90, 0xF0, 0x100, 0x700, 0x20007,
                            0xFFFFFFF0u, 0xFFFFFFFFu};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(pl_cbs_state_decode(bad[i]) == PL_CBS_UNKNOWN,
                      "0x%x should be unknown", (unsigned)bad[i]);
}
END_TEST

START_TEST(test_state_names)
{
    ck_assert_str_eq(pl_cbs_state_name(PL_CBS_UNKNOWN), "unknown");
    ck_assert_str_eq(pl_cbs_state_name(PL_CBS_ABSENT), "absent");
    ck_assert_str_eq(pl_cbs_state_name(PL_CBS_UNINSTALL_PENDING), "uninstall-pending");
    ck_assert_str_eq(pl_cbs_state_name(PL_CBS_RESOLVING), "resolving");
    ck_assert_str_eq(pl_cbs_state_name(PL_CBS_RESOLVED), "resolved");
    ck_assert_str_eq(pl_cbs_state_name(PL_CBS_STAGING), "staging");
    ck_assert_str_eq(pl_cbs_state_name(PL_CBS_STAGED), "staged");
    ck_assert_str_eq(pl_cbs_state_name(PL_CBS_SUPERSEDED), "superseded");
    ck_assert_str_eq(pl_cbs_state_name(PL_CBS_INSTALL_PENDING), "install-pending");
    ck_assert_str_eq(pl_cbs_state_name(PL_CBS_PARTIALLY_INSTALLED), "partially-installed");
    ck_assert_str_eq(pl_cbs_state_name(PL_CBS_INSTALLED), "installed");
    ck_assert_str_eq(pl_cbs_state_name(PL_CBS_PERMANENT), "permanent");
    ck_assert_str_eq(pl_cbs_state_name((pl_cbs_state)99), "unknown");
}
END_TEST

/* Expected predicate results for every state, in enum order. */
static const struct {
    pl_cbs_state s;
    int installed, pending_or_staged, reboot;
} predicate_table[] = {
    {PL_CBS_UNKNOWN, 0, 0, 0},
    {PL_CBS_ABSENT, 0, 0, 0},
    {PL_CBS_UNINSTALL_PENDING, 0, 1, 1},
    {PL_CBS_RESOLVING, 0, 0, 0},
    {PL_CBS_RESOLVED, 0, 0, 0},
    {PL_CBS_STAGING, 0, 1, 0},
    {PL_CBS_STAGED, 0, 1, 0},
    {PL_CBS_SUPERSEDED, 0, 0, 0},
    {PL_CBS_INSTALL_PENDING, 0, 1, 1},
    {PL_CBS_PARTIALLY_INSTALLED, 0, 1, 1},
    {PL_CBS_INSTALLED, 1, 0, 0},
    {PL_CBS_PERMANENT, 1, 0, 0},
};

START_TEST(test_state_predicates)
{
    const size_t n = sizeof predicate_table / sizeof predicate_table[0];
    ck_assert_uint_eq(n, PL_CBS_PERMANENT + 1);
    for (size_t i = 0; i < n; i++) {
        pl_cbs_state s = predicate_table[i].s;
        ck_assert_msg(!!pl_cbs_state_is_installed(s) == predicate_table[i].installed,
                      "is_installed(%s)", pl_cbs_state_name(s));
        ck_assert_msg(!!pl_cbs_state_is_pending_or_staged(s) ==
                          predicate_table[i].pending_or_staged,
                      "is_pending_or_staged(%s)", pl_cbs_state_name(s));
        ck_assert_msg(!!pl_cbs_state_needs_reboot(s) == predicate_table[i].reboot,
                      "needs_reboot(%s)", pl_cbs_state_name(s));
    }
}
END_TEST

START_TEST(test_state_both_encodings_agree)
{
    /* raw n and registry n<<4 name the same state for 1..4, 6..8. */
    const uint32_t raw[] = {1, 2, 3, 4, 6, 7, 8};
    for (size_t i = 0; i < sizeof raw / sizeof raw[0]; i++)
        ck_assert_int_eq(pl_cbs_state_decode(raw[i]), pl_cbs_state_decode(raw[i] << 4));
}
END_TEST

/* ---- identities ---- */

static void check_identity(const char *s, const char *name, const char *pkt,
                           const char *arch, const char *lang, const char *ver)
{
    pl_cbs_identity id;
    ck_assert_int_eq(pl_cbs_identity_parse(s, &id), 0);
    ck_assert_str_eq(id.name, name);
    ck_assert_str_eq(id.public_key_token, pkt);
    ck_assert_str_eq(id.arch, arch);
    ck_assert_str_eq(id.language, lang);
    ck_assert_str_eq(id.version, ver);
    pl_cbs_identity_free(&id);
    ck_assert_ptr_null(id.name);
}

static void check_identity_rejected(const char *s)
{
    pl_cbs_identity id;
    memset(&id, 0xAB, sizeof id);   /* must be zeroed on failure */
    ck_assert_int_eq(pl_cbs_identity_parse(s, &id), -1);
    ck_assert_ptr_null(id.name);
    ck_assert_ptr_null(id.public_key_token);
    ck_assert_ptr_null(id.arch);
    ck_assert_ptr_null(id.language);
    ck_assert_ptr_null(id.version);
    pl_cbs_identity_free(&id);      /* harmless on a zeroed identity */
}

START_TEST(test_identity_real_shapes)
{
    check_identity("Package_for_KB4493471~31bf3856ad364e35~amd64~~6.0.1.2",
                   "Package_for_KB4493471", "31bf3856ad364e35", "amd64", "", "6.0.1.2");
    check_identity("Package_8_for_KB938371~31bf3856ad364e35~amd64~~6.0.1.25",
                   "Package_8_for_KB938371", "31bf3856ad364e35", "amd64", "", "6.0.1.25");
    check_identity("Microsoft-Windows-Foundation-Package~31bf3856ad364e35~x86~~6.0.6001.18000",
                   "Microsoft-Windows-Foundation-Package", "31bf3856ad364e35", "x86", "",
                   "6.0.6001.18000");
    check_identity("Microsoft-Windows-Client-LanguagePack-Package~31bf3856ad364e35~amd64~en-US~6.0.6001.18000",
                   "Microsoft-Windows-Client-LanguagePack-Package", "31bf3856ad364e35",
                   "amd64", "en-US", "6.0.6001.18000");
}
END_TEST

START_TEST(test_identity_mum_suffix)
{
    check_identity("Package_for_KB958690_sc_0~31bf3856ad364e35~amd64~~6.0.1.6.mum",
                   "Package_for_KB958690_sc_0", "31bf3856ad364e35", "amd64", "", "6.0.1.6");
    /* File names on disk are lower-case, suffix included sometimes. */
    check_identity("package_for_kb3118401_sc_bf~31bf3856ad364e35~x86~~6.0.1.1.MUM",
                   "package_for_kb3118401_sc_bf", "31bf3856ad364e35", "x86", "", "6.0.1.1");
}
END_TEST

START_TEST(test_identity_malformed)
{
    check_identity_rejected("");
    check_identity_rejected(".mum");
    check_identity_rejected("Package_for_KB4493471");
    check_identity_rejected("Package_for_KB4493471~31bf3856ad364e35~amd64~6.0.1.2");   /* 4 */
    check_identity_rejected("Package_for_KB4493471~31bf3856ad364e35~amd64~~6.0.1.2~x"); /* 6 */
    check_identity_rejected("Package_for_KB4493471~31bf3856ad364e35~amd64~~6.0.1.2~");  /* 6 */
    check_identity_rejected(NULL);
}
END_TEST

START_TEST(test_identity_format)
{
    char *s = pl_cbs_identity_format("Package_for_KB4493471", "31bf3856ad364e35", "amd64",
                                     "neutral", "6.0.1.2");
    ck_assert_str_eq(s, "Package_for_KB4493471~31bf3856ad364e35~amd64~~6.0.1.2");
    free(s);
    s = pl_cbs_identity_format("X", "31bf3856ad364e35", "x86", NULL, "6.0.1.0");
    ck_assert_str_eq(s, "X~31bf3856ad364e35~x86~~6.0.1.0");
    free(s);
    s = pl_cbs_identity_format("X", "31bf3856ad364e35", "x86", "en-US", "6.0.1.0");
    ck_assert_str_eq(s, "X~31bf3856ad364e35~x86~en-US~6.0.1.0");
    free(s);
    s = pl_cbs_identity_format(NULL, NULL, NULL, NULL, NULL);
    ck_assert_str_eq(s, "~~~~");
    free(s);
}
END_TEST

START_TEST(test_identity_roundtrip)
{
    const char *in = "Package_for_KB3139398~31bf3856ad364e35~x86~~6.0.1.1";
    pl_cbs_identity id;
    ck_assert_int_eq(pl_cbs_identity_parse(in, &id), 0);
    char *out = pl_cbs_identity_format(id.name, id.public_key_token, id.arch, id.language,
                                       id.version);
    ck_assert_str_eq(out, in);
    free(out);
    pl_cbs_identity_free(&id);
}
END_TEST

/* ---- KB numbers ---- */

static void check_kb(const char *name, const char *want)
{
    char *kb = pl_cbs_kb_from_name(name);
    if (!want) {
        ck_assert_msg(kb == NULL, "%s: expected no KB, got %s", name ? name : "(null)", kb);
    } else {
        ck_assert_msg(kb != NULL, "%s: expected %s", name, want);
        ck_assert_str_eq(kb, want);
    }
    free(kb);
}

START_TEST(test_kb_found)
{
    check_kb("Package_for_KB4493471", "KB4493471");
    check_kb("Package_3_for_KB938371_sc_0", "KB938371");
    check_kb("Package_for_KB958690_sc_0", "KB958690");
    check_kb("VistaSP2-KB948465", "KB948465");
    check_kb("KB3118401_BF", "KB3118401");
    check_kb("package_for_kb3118401_sc_bf", "KB3118401");
    check_kb("Package_for_KB4493471~31bf3856ad364e35~amd64~~6.0.1.2", "KB4493471");
    check_kb("KB123", "KB123");
    check_kb("KB12345678", "KB12345678");
}
END_TEST

START_TEST(test_kb_absent)
{
    check_kb("Microsoft-Windows-Foundation-Package", NULL);
    check_kb("XKB123", NULL);
    check_kb("9KB123", NULL);
    check_kb("KB12", NULL);
    check_kb("Package_for_KB123456789012", NULL);
    check_kb("KB123456789", NULL);
    check_kb("KB", NULL);
    check_kb("K", NULL);
    check_kb("", NULL);
    check_kb(NULL, NULL);
}
END_TEST

START_TEST(test_kb_skips_bad_candidate)
{
    /* A rejected first candidate does not hide a good later one. */
    check_kb("XKB1_for_KB958690", "KB958690");
    check_kb("KB12_KB958690", "KB958690");
}
END_TEST

static Suite *cbs_suite(void)
{
    Suite *s = suite_create("cbs");
    TCase *st = tcase_create("state");
    tcase_add_test(st, test_state_raw_enum);
    tcase_add_test(st, test_state_registry_encoding);
    tcase_add_test(st, test_state_unknown);
    tcase_add_test(st, test_state_names);
    tcase_add_test(st, test_state_predicates);
    tcase_add_test(st, test_state_both_encodings_agree);
    suite_add_tcase(s, st);

    TCase *id = tcase_create("identity");
    tcase_add_test(id, test_identity_real_shapes);
    tcase_add_test(id, test_identity_mum_suffix);
    tcase_add_test(id, test_identity_malformed);
    tcase_add_test(id, test_identity_format);
    tcase_add_test(id, test_identity_roundtrip);
    suite_add_tcase(s, id);

    TCase *kb = tcase_create("kb");
    tcase_add_test(kb, test_kb_found);
    tcase_add_test(kb, test_kb_absent);
    tcase_add_test(kb, test_kb_skips_bad_candidate);
    suite_add_tcase(s, kb);
    return s;
}

int main(void)
{
    return pl_run_suite(cbs_suite());
}
