/* How far behind an installation is, on hand-built evidence against the
 * shipped catalog: the newest installed rollup, what is missing after it,
 * the prerequisites those need, and the kernel that is newer than the
 * installed rollups explain. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "decisions/decisions.h"
#include "decisions/rollups.h"
#include "../check_main.h"
#include "shipped_catalog.h"

/* ---- building evidence -------------------------------------------------- */

static pl_catalog cat;

static void load_catalog(void)
{
    load_shipped_catalog(&cat);
}

static void free_catalog(void)
{
    pl_catalog_free(&cat);
}

/* An installation as the decisions layer sees it: registry version, a
 * kernel (a = 0: none), and the KBs the assessment found installed. */
typedef struct {
    pl_installation inst;
    pl_pe_evidence kernel;
    pl_strlist kbs;
    pl_rollup_status st;
} scene;

static void set_scene(scene *s, const char *version, unsigned a, unsigned b, unsigned c,
                      unsigned d, const char *kbs)
{
    memset(s, 0, sizeof *s);
    s->inst.software_read = 1;
    s->inst.pending.cbs_key = 1;
    s->inst.os.current_version = version ? strdup(version) : NULL;
    if (a) {
        uint16_t v[4] = {(uint16_t)a, (uint16_t)b, (uint16_t)c, (uint16_t)d};
        s->kernel.role = "ntoskrnl";
        s->kernel.present = 1;
        s->kernel.ver.has_fixed = 1;
        memcpy(s->kernel.ver.file_version, v, sizeof v);
    }
    char *list = strdup(kbs), *save = NULL;
    for (char *kb = strtok_r(list, " ", &save); kb; kb = strtok_r(NULL, " ", &save))
        pl_strlist_push(&s->kbs, kb);
    free(list);
}

static void decide(scene *s)
{
    pl_decide_rollups(&s->inst, &s->kbs, &s->kernel, &cat, &s->st);
}

static void end_scene(scene *s)
{
    pl_rollup_status_free(&s->st);
    free(s->inst.os.current_version);
    free(s->inst.software_error);
    pl_strlist_free(&s->kbs);
}

/* Monthly rollups of the esu channel a server is counted for when it
 * proves no later one: KB4493471 (2019-04) to KB5022340 (2023-01). */
#define POST_6003_ROLLUPS 46

static size_t index_of_missing(const pl_rollup_status *st, const char *kb)
{
    for (size_t i = 0; i < st->nmissing; i++)
        if (strcmp(st->missing[i]->kb, kb) == 0)
            return i;
    return (size_t)-1;
}

static void ck_prereqs(const pl_rollup_status *st, const char *expected)
{
    char got[128] = "";
    for (size_t i = 0; i < st->nmissing_prereqs; i++) {
        strcat(got, i ? " " : "");
        strcat(got, st->missing_prereqs[i].entry->kb);
        ck_assert_ptr_nonnull(st->missing_prereqs[i].reason);
    }
    ck_assert_str_eq(got, expected);
}

static void ck_missing_sorted_monthly(const pl_rollup_status *st)
{
    for (size_t i = 0; i < st->nmissing; i++) {
        ck_assert_int_eq(st->missing[i]->kind, PL_KIND_MONTHLY_ROLLUP);
        if (i)
            ck_assert_str_lt(st->missing[i - 1]->release_date, st->missing[i]->release_date);
    }
}

/* ---- the cases of the brief --------------------------------------------- */

START_TEST(fully_patched_through_2022_05)
{
    scene s;
    set_scene(&s, "6.0", 6, 0, 6003, 21481,
              "KB948465 KB4493730 KB4474419 KB4575904 KB4499180 KB5014010");
    decide(&s);
    ck_assert_int_eq(s.st.applicable, 1);
    ck_assert_str_eq(s.st.latest->kb, "KB5014010");
    ck_assert_ptr_eq(s.st.level, s.st.latest);
    ck_assert_ptr_null(s.st.level_via);
    /* counted to the end of the esu channel it proves */
    ck_assert_uint_eq(s.st.nmissing, 8);
    ck_assert_str_eq(s.st.missing[0]->kb, "KB5014752");
    ck_assert_str_eq(s.st.missing[7]->kb, "KB5022340");
    ck_missing_sorted_monthly(&s.st);
    /* the SSU of the era: the newest before January 2023's rollup */
    ck_prereqs(&s.st, "KB5010452");
    ck_assert_str_eq(s.st.kernel_rollup->kb, "KB5014010");
    ck_assert_ptr_null(s.st.kernel_note);
    /* KB948465 (SP2) is not in the catalog; the rest newest first. */
    const char *order[] = {"KB5014010", "KB4575904", "KB4474419", "KB4499180", "KB4493730"};
    ck_assert_uint_eq(s.st.ninstalled, 5);
    for (size_t i = 0; i < 5; i++)
        ck_assert_str_eq(s.st.installed[i]->kb, order[i]);
    ck_assert_int_eq(s.st.installed[3]->kind, PL_KIND_SECURITY_ONLY);
    end_scene(&s);
}
END_TEST

START_TEST(security_only_of_the_newest_month)
{
    scene s;
    set_scene(&s, "6.0", 6, 0, 6003, 20512, "KB4493730 KB4493471 KB4499180");
    decide(&s);
    ck_assert_str_eq(s.st.latest->kb, "KB4493471");
    ck_assert_uint_eq(s.st.ninstalled, 3);
    ck_assert_str_eq(s.st.installed[0]->kb, "KB4499180");
    ck_assert_int_eq(s.st.installed[0]->kind, PL_KIND_SECURITY_ONLY);
    /* Same day: by KB number, newest first. */
    ck_assert_str_eq(s.st.installed[1]->kb, "KB4493730");
    ck_assert_str_eq(s.st.installed[2]->kb, "KB4493471");
    /* May's security-only update covers May: counted from June. */
    ck_assert_str_eq(s.st.missing[0]->kb, "KB4503273");
    ck_assert_uint_eq(s.st.nmissing, POST_6003_ROLLUPS - 2);
    /* The kernel is May's; the security-only update explains it. */
    ck_assert_str_eq(s.st.kernel_rollup->kb, "KB4499149");
    ck_assert_str_eq(s.st.kernel_note,
                     "the kernel 6.0.6003.20512 matches the 2019-05 rollup KB4499149, newer than "
                     "the newest installed rollup KB4493471 (2019-04); installed updates that may "
                     "account for it: KB4499180 (security-only 2019-05)");
    ck_prereqs(&s.st, "KB5010452 KB4474419 KB4520002 KB4575904");
    end_scene(&s);
}
END_TEST

START_TEST(nothing_installed_on_6002)
{
    scene s;
    set_scene(&s, "6.0", 6, 0, 6002, 18005, "KB948465 KB958690");
    decide(&s);
    ck_assert_int_eq(s.st.applicable, 1);
    ck_assert_ptr_null(s.st.latest);
    ck_assert_ptr_null(s.st.level);
    ck_assert_uint_eq(s.st.ninstalled, 0);
    ck_assert_uint_eq(s.st.nmissing, POST_6003_ROLLUPS);
    ck_assert_str_eq(s.st.missing[0]->kb, "KB4493471");
    ck_assert_str_eq(s.st.missing[POST_6003_ROLLUPS - 1]->kb, "KB5022340");
    ck_assert_uint_eq(index_of_missing(&s.st, "KB5004955"), (size_t)-1);   /* out-of-band */
    ck_missing_sorted_monthly(&s.st);
    /* The SSU of the era, SHA-2, the October 2019 level, the licensing
     * package of ESU year 3 (KB4575904 serves years 1-3). */
    ck_prereqs(&s.st, "KB5010452 KB4474419 KB4520002 KB4575904");
    ck_assert_str_eq(s.st.missing_prereqs[0].reason,
                     "the newest servicing stack update released before the newest missing "
                     "rollup (KB5022340, 2023-01); neither it nor a later one is installed");
    ck_assert_str_eq(s.st.missing_prereqs[0].needed_by.items[0], "KB5011534");
    ck_assert_ptr_nonnull(strstr(s.st.missing_prereqs[1].reason,
                                 "needed by updates released after 2019-09"));
    ck_assert_str_eq(s.st.missing_prereqs[1].needed_by.items[0], "KB4520002");
    ck_assert_str_eq(s.st.missing_prereqs[2].role, "rollup-level");
    ck_assert_str_eq(s.st.missing_prereqs[2].needed_by.items[0], "KB4537810");
    ck_assert_str_eq(s.st.missing_prereqs[3].reason,
                     "the ESU licensing package of the newest missing rollup's year (2023-01, "
                     "ESU year 3); none is installed");
    ck_assert_ptr_null(s.st.kernel_rollup);   /* 18005: older than any rollup */
    ck_assert_ptr_null(s.st.kernel_note);
    end_scene(&s);
}
END_TEST

START_TEST(nt61_is_not_applicable)
{
    scene s;
    set_scene(&s, "6.1", 6, 1, 7601, 24545, "KB4534310 KB4493471");
    decide(&s);
    ck_assert_int_eq(s.st.applicable, 0);
    ck_assert_ptr_null(s.st.latest);
    ck_assert_ptr_null(s.st.installed);
    ck_assert_uint_eq(s.st.nmissing, 0);
    ck_assert_uint_eq(s.st.nmissing_prereqs, 0);
    ck_assert_ptr_null(s.st.kernel_rollup);
    ck_assert_ptr_null(s.st.kernel_note);
    end_scene(&s);
    /* The kernel alone, or the registry alone, can say it too. */
    set_scene(&s, NULL, 6, 1, 7601, 24545, "");
    decide(&s);
    ck_assert_int_eq(s.st.applicable, 0);
    end_scene(&s);
    set_scene(&s, "6.1", 0, 0, 0, 0, "");
    decide(&s);
    ck_assert_int_eq(s.st.applicable, 0);
    end_scene(&s);
    /* Disagreeing sources: not for a 2008 catalog to judge. */
    set_scene(&s, "6.0", 6, 1, 7601, 24545, "");
    decide(&s);
    ck_assert_int_eq(s.st.applicable, 0);
    end_scene(&s);
}
END_TEST

START_TEST(kernel_newer_than_latest_installed)
{
    scene s;
    set_scene(&s, "6.0", 6, 0, 6003, 21481, "KB4493730 KB4474419 KB4493471");
    decide(&s);
    ck_assert_str_eq(s.st.latest->kb, "KB4493471");
    ck_assert_str_eq(s.st.kernel_rollup->kb, "KB5014010");
    ck_assert_str_eq(s.st.kernel_note,
                     "the kernel 6.0.6003.21481 matches the 2022-05 rollup KB5014010, newer than "
                     "the newest installed rollup KB4493471 (2019-04); no installed update in "
                     "the catalog accounts for it (the CBS store may be damaged or cleaned up)");
    /* Only the kernel witnesses 2022-05: counted from there (spec
     * section 3, security_level kind "kernel"). */
    ck_assert_int_eq(s.st.security.kind, PL_SEC_KERNEL);
    ck_assert_uint_eq(s.st.nmissing, 8);
    end_scene(&s);
}
END_TEST

/* ---- more rules ------------------------------------------------------------ */

/* Past the last month with a known kernel version: newer than the rollup
 * brings, but the catalog cannot name a month. */
START_TEST(kernel_newer_than_the_catalog_knows)
{
    scene s;
    set_scene(&s, "6.0", 6, 0, 6003, 21600, "KB5014010");
    decide(&s);
    ck_assert_str_eq(s.st.kernel_rollup->kb, "KB5014010");
    ck_assert_str_eq(s.st.kernel_note,
                     "the kernel 6.0.6003.21600 is newer than 6.0.6003.21481, which the newest "
                     "installed rollup KB5014010 (2022-05) brings; no installed update in the "
                     "catalog accounts for it (the CBS store may be damaged or cleaned up)");
    end_scene(&s);
}
END_TEST

/* The kernel is at a rollup level but no rollup is installed at all. */
START_TEST(kernel_at_a_rollup_level_with_none_installed)
{
    scene s;
    set_scene(&s, "6.0", 6, 0, 6003, 20489, "KB4493730");
    decide(&s);
    ck_assert_ptr_null(s.st.latest);
    ck_assert_str_eq(s.st.kernel_note,
                     "the kernel 6.0.6003.20489 matches the 2019-04 rollup KB4493471, but no "
                     "monthly rollup of the catalog is installed; no installed update in the "
                     "catalog accounts for it (the CBS store may be damaged or cleaned up)");
    end_scene(&s);
}
END_TEST

/* A kernel older than the installed rollup (a reboot still to come, or a
 * replaced file) is not this note's business. */
START_TEST(kernel_older_than_latest_has_no_note)
{
    scene s;
    set_scene(&s, "6.0", 6, 0, 6002, 24565, "KB4493730 KB4493471");
    decide(&s);
    ck_assert_str_eq(s.st.latest->kb, "KB4493471");
    ck_assert_str_eq(s.st.kernel_rollup->kb, "KB4489880");
    ck_assert_ptr_null(s.st.kernel_note);
    /* A rollup with no kernel version: compared by month instead. */
    end_scene(&s);
    set_scene(&s, "6.0", 6, 0, 6003, 21481, "KB5014752");
    decide(&s);
    ck_assert_str_eq(s.st.latest->kb, "KB5014752");
    ck_assert_ptr_null(s.st.kernel_note);
    end_scene(&s);
}
END_TEST

/* Only the assessment's installed list counts: this mirrors the
 * ws2008-6003-rollups fixture, with older rollups superseded (0x50) and
 * the June 2022 rollup only staged (0x40). */
static void add_package(pl_installation *in, const char *kb, uint32_t state)
{
    in->packages = realloc(in->packages, (in->npackages + 1) * sizeof *in->packages);
    pl_package *p = &in->packages[in->npackages++];
    memset(p, 0, sizeof *p);
    p->identity = pl_xasprintf("Package_for_%s~31bf3856ad364e35~amd64~~6.0.1.4", kb);
    p->kb = strdup(kb);
    p->has_state = 1;
    p->state_code = state;
    p->state = pl_cbs_state_decode(state);
}

START_TEST(superseded_and_staged_do_not_count)
{
    scene s;
    set_scene(&s, "6.0", 6, 0, 6003, 21481, "");
    const char *installed[] = {"KB948465", "KB4493730", "KB4499180", "KB4474419", "KB4575904",
                               "KB5014010"};
    const char *superseded[] = {"KB4493471", "KB4516026", "KB4537810", "KB4577064",
                                "KB4598288", "KB5003661", "KB5004305"};
    for (size_t i = 0; i < 6; i++)
        add_package(&s.inst, installed[i], 0x70);
    for (size_t i = 0; i < 7; i++)
        add_package(&s.inst, superseded[i], 0x50);
    add_package(&s.inst, "KB5014752", 0x40);
    pl_assessment a = {0};
    pl_decide_kbs(&s.inst, &a);
    pl_decide_rollups(&s.inst, &a.kbs_installed, &s.kernel, &cat, &s.st);
    ck_assert_str_eq(s.st.latest->kb, "KB5014010");
    ck_assert_uint_eq(s.st.nmissing, 8);
    ck_assert_str_eq(s.st.missing[0]->kb, "KB5014752");
    ck_assert_uint_eq(s.st.ninstalled, 5);
    ck_assert_ptr_null(s.st.kernel_note);
    ck_prereqs(&s.st, "KB5010452");
    for (size_t i = 0; i < s.inst.npackages; i++) {
        free(s.inst.packages[i].identity);
        free(s.inst.packages[i].kb);
    }
    free(s.inst.packages);
    pl_assessment_free(&a);
    end_scene(&s);
}
END_TEST

/* Installing a preview marks its month's rollup superseded: the preview
 * still carries that rollup, so counting starts after it. */
START_TEST(installed_preview_sets_the_level)
{
    scene s;
    set_scene(&s, "6.0", 6, 0, 6003, 20490, "KB4493730 KB4493460");
    decide(&s);
    ck_assert_ptr_null(s.st.latest);
    ck_assert_str_eq(s.st.level->kb, "KB4493471");
    ck_assert_str_eq(s.st.level_via->kb, "KB4493460");
    ck_assert_str_eq(s.st.missing[0]->kb, "KB4499149");
    ck_assert_uint_eq(s.st.nmissing, POST_6003_ROLLUPS - 1);
    ck_assert_ptr_nonnull(strstr(s.st.kernel_note, "KB4493460 (preview 2019-04)"));
    end_scene(&s);
}
END_TEST

/* The July 2021 out-of-band rollup contains June's. */
START_TEST(installed_out_of_band_rollup_sets_the_level)
{
    scene s;
    set_scene(&s, "6.0", 6, 0, 6003, 21137, "KB4493730 KB4474419 KB4575904 KB5003210 KB5004955");
    decide(&s);
    ck_assert_str_eq(s.st.latest->kb, "KB5003210");
    ck_assert_str_eq(s.st.level->kb, "KB5003661");
    ck_assert_str_eq(s.st.level_via->kb, "KB5004955");
    ck_assert_str_eq(s.st.missing[0]->kb, "KB5004305");
    /* An older preview does not lower it. */
    end_scene(&s);
    set_scene(&s, "6.0", 0, 0, 0, 0, "KB4493730 KB4474419 KB4575904 KB5003210 KB4525244");
    decide(&s);
    ck_assert_ptr_eq(s.st.level, s.st.latest);
    ck_assert_ptr_null(s.st.level_via);
    end_scene(&s);
}
END_TEST

/* The SSU of the era is the newest released before the newest missing
 * rollup; a later one installed satisfies it, an older one does not. */
START_TEST(later_ssu_satisfies_the_ssu_prerequisite)
{
    scene s;
    set_scene(&s, "6.0", 6, 0, 6003, 20489, "KB4517134 KB4493471");
    decide(&s);
    ck_prereqs(&s.st, "KB5010452 KB4474419 KB4520002 KB4575904");
    end_scene(&s);
    set_scene(&s, "6.0", 6, 0, 6003, 20489, "KB5033466 KB4493471");
    decide(&s);
    ck_prereqs(&s.st, "KB4474419 KB4520002 KB4575904");
    end_scene(&s);
}
END_TEST

/* Prerequisites follow the months of what is missing. */
START_TEST(prerequisites_follow_the_missing_months)
{
    scene s;
    /* Current for the esu channel: nothing missing, nothing needed. */
    set_scene(&s, "6.0", 0, 0, 0, 0, "KB5022340");
    decide(&s);
    ck_assert_uint_eq(s.st.nmissing, 0);
    ck_prereqs(&s.st, "");
    end_scene(&s);
    /* At the 2019-09 level: SHA-2 (after 2019-09), the October 2019
     * level and ESU still needed. */
    set_scene(&s, "6.0", 0, 0, 0, 0, "KB4493730 KB4516026");
    decide(&s);
    ck_assert_str_eq(s.st.missing[0]->kb, "KB4520002");
    ck_prereqs(&s.st, "KB5010452 KB4474419 KB4520002 KB4575904");
    end_scene(&s);
    /* The year-1 licensing package does not serve later years. */
    set_scene(&s, "6.0", 0, 0, 0, 0, "KB5010452 KB4474419 KB4538484 KB4534303");
    decide(&s);
    ck_prereqs(&s.st, "KB4575904");
    ck_assert_ptr_nonnull(strstr(s.st.missing_prereqs[0].reason, "serves rollups up to 2021-01"));
    ck_assert_str_eq(s.st.missing_prereqs[0].needed_by.items[0], "KB4601360");   /* 2021-02 */
    end_scene(&s);
}
END_TEST

START_TEST(inputs_may_be_partial)
{
    scene s;
    /* Registry only (no kernel): applicable, no kernel placement. */
    set_scene(&s, "6.0", 0, 0, 0, 0, "kb5014010");
    decide(&s);
    ck_assert_int_eq(s.st.applicable, 1);
    ck_assert_str_eq(s.st.latest->kb, "KB5014010");   /* case-insensitive */
    ck_assert_ptr_null(s.st.kernel_rollup);
    end_scene(&s);
    /* Kernel only; an unreadable kernel counts as none. */
    set_scene(&s, NULL, 6, 0, 6003, 20489, "KB4493471");
    decide(&s);
    ck_assert_int_eq(s.st.applicable, 1);
    ck_assert_str_eq(s.st.kernel_rollup->kb, "KB4493471");
    end_scene(&s);
    set_scene(&s, NULL, 6, 0, 6003, 20489, "KB4493471");
    s.kernel.error = (char *)"truncated";
    decide(&s);
    ck_assert_int_eq(s.st.applicable, 0);
    end_scene(&s);
    /* No catalog, no kernel pointer, no list. */
    set_scene(&s, "6.0", 0, 0, 0, 0, "");
    pl_decide_rollups(&s.inst, NULL, NULL, NULL, &s.st);
    ck_assert_int_eq(s.st.applicable, 0);
    pl_decide_rollups(&s.inst, NULL, NULL, &cat, &s.st);
    ck_assert_int_eq(s.st.applicable, 1);
    ck_assert_uint_eq(s.st.nmissing, POST_6003_ROLLUPS);
    end_scene(&s);
    pl_rollup_status_free(&s.st);   /* harmless twice */
}
END_TEST

/* A user catalog without kernel versions: every dated rollup counts. */
START_TEST(catalog_without_kernel_versions)
{
    pl_catalog mine;
    pl_err err = {0};
    const char *text = "kb,release_date,kind\n"
                       "KB100,2019-03-12,monthly-rollup\n"
                       "KB200,2019-04-09,monthly-rollup\n"
                       "KB300,,monthly-rollup\n"
                       "KB400,2019-05-14,monthly-rollup\n";
    ck_assert_int_eq(pl_catalog_parse(text, strlen(text), "mine.csv", &mine, &err), 0);
    scene s;
    set_scene(&s, "6.0", 0, 0, 0, 0, "");
    pl_decide_rollups(&s.inst, &s.kbs, NULL, &mine, &s.st);
    ck_assert_uint_eq(s.st.nmissing, 3);   /* the undated one cannot be placed */
    ck_assert_str_eq(s.st.missing[0]->kb, "KB100");
    ck_prereqs(&s.st, "");                 /* not in this catalog */
    pl_rollup_status_free(&s.st);
    pl_strlist_push(&s.kbs, "KB200");
    pl_decide_rollups(&s.inst, &s.kbs, NULL, &mine, &s.st);
    ck_assert_uint_eq(s.st.nmissing, 1);
    ck_assert_str_eq(s.st.missing[0]->kb, "KB400");
    end_scene(&s);
    pl_catalog_free(&mine);
}
END_TEST

/* The damaged-hive fixture: SOFTWARE unreadable, kernel fine. Nothing can
 * be called installed or missing; not "67 rollups behind". */
START_TEST(unreadable_software_hive_is_not_judged)
{
    scene s;
    set_scene(&s, NULL, 6, 0, 6003, 21481, "");
    s.inst.software_read = 0;
    s.inst.software_error = strdup("hbin at 0x1000: bad signature");
    decide(&s);
    ck_assert_int_eq(s.st.applicable, 0);
    ck_assert_str_eq(s.st.unknown, "SOFTWARE hive unreadable: hbin at 0x1000: bad signature");
    ck_assert_uint_eq(s.st.nmissing, 0);
    ck_assert_uint_eq(s.st.nmissing_prereqs, 0);
    ck_assert_ptr_null(s.st.kernel_note);
    end_scene(&s);
}
END_TEST

/* The ws2008-6003-seconly fixture: the newest rollup is 2022-03, the
 * security-only updates of 2022-04 and 2022-05 bring the 2022-05 kernel. */
START_TEST(security_only_updates_explain_a_newer_kernel)
{
    scene s;
    set_scene(&s, "6.0", 6, 0, 6003, 21481,
              "KB948465 KB4493730 KB4474419 KB4575904 KB5011534 KB5012632 KB5014006");
    decide(&s);
    ck_assert_str_eq(s.st.latest->kb, "KB5011534");
    /* the security-only updates of 2022-04 and 2022-05 cover those months */
    ck_assert_uint_eq(s.st.nmissing, 8);
    ck_assert_str_eq(s.st.missing[0]->kb, "KB5014752");
    ck_assert_str_eq(s.st.installed[0]->kb, "KB5014006");
    ck_prereqs(&s.st, "KB5010452");
    ck_assert_str_eq(s.st.kernel_rollup->kb, "KB5014010");
    /* KB5011534 has no kernel version: compared by rollup month. */
    ck_assert_str_eq(s.st.kernel_note,
                     "the kernel 6.0.6003.21481 matches the 2022-05 rollup KB5014010, newer than "
                     "the newest installed rollup KB5011534 (2022-03); installed updates that may "
                     "account for it: KB5014006 (security-only 2022-05), KB5012632 "
                     "(security-only 2022-04)");
    end_scene(&s);
}
END_TEST

/* The ws2008-6003-full fixture: the newest rollup (2023-01) has no kernel
 * version and the kernel is the newest the catalog knows (2022-05). */
START_TEST(kernel_older_than_an_unversioned_rollup_has_no_note)
{
    scene s;
    set_scene(&s, "6.0", 6, 0, 6003, 21481,
              "KB948465 KB4493730 KB4474419 KB4575904 KB5016891 KB4499180 KB4537822 KB5004299 "
              "KB5014006 KB5022340");
    decide(&s);
    ck_assert_str_eq(s.st.latest->kb, "KB5022340");
    ck_assert_uint_eq(s.st.nmissing, 0);   /* current for the esu channel */
    ck_assert_str_eq(s.st.kernel_rollup->kb, "KB5014010");
    ck_assert_ptr_null(s.st.kernel_note);
    ck_prereqs(&s.st, "");
    ck_assert_uint_eq(s.st.ninstalled, 9);
    end_scene(&s);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("rollups");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, load_catalog, free_catalog);
    tcase_add_test(tc, fully_patched_through_2022_05);
    tcase_add_test(tc, security_only_of_the_newest_month);
    tcase_add_test(tc, nothing_installed_on_6002);
    tcase_add_test(tc, nt61_is_not_applicable);
    tcase_add_test(tc, kernel_newer_than_latest_installed);
    tcase_add_test(tc, kernel_newer_than_the_catalog_knows);
    tcase_add_test(tc, kernel_at_a_rollup_level_with_none_installed);
    tcase_add_test(tc, kernel_older_than_latest_has_no_note);
    tcase_add_test(tc, superseded_and_staged_do_not_count);
    tcase_add_test(tc, installed_preview_sets_the_level);
    tcase_add_test(tc, installed_out_of_band_rollup_sets_the_level);
    tcase_add_test(tc, later_ssu_satisfies_the_ssu_prerequisite);
    tcase_add_test(tc, prerequisites_follow_the_missing_months);
    tcase_add_test(tc, inputs_may_be_partial);
    tcase_add_test(tc, catalog_without_kernel_versions);
    tcase_add_test(tc, unreadable_software_hive_is_not_judged);
    tcase_add_test(tc, security_only_updates_explain_a_newer_kernel);
    tcase_add_test(tc, kernel_older_than_an_unversioned_rollup_has_no_note);
    suite_add_tcase(suite, tc);
    return pl_run_suite(suite);
}
