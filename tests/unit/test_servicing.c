/* The servicing model on hand-built evidence against the shipped catalog
 * (spec section 3 "Servicing model"; reference ws2008-servicing.md, update
 * 2026-12-06, and the corrections file): security-only coverage, the
 * channel an installation proves, how far behind per channel with
 * KB-unknown months, Vista, the ESU licensing package of each year, the
 * SSU of the era, and the order of the next steps. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decisions/decisions.h"
#include "decisions/rollups.h"
#include "decisions/servicing.h"
#include "../check_main.h"
#include "shipped_catalog.h"

static pl_catalog cat;

static void load_catalog(void)
{
    load_shipped_catalog(&cat);
}

static void free_catalog(void)
{
    pl_catalog_free(&cat);
}

/* An NT 6.0 server (or a client with edition "Business") with a kernel
 * (build 0: none) and the KBs found installed. */
typedef struct {
    pl_installation inst;
    pl_pe_evidence kernel;
    pl_assessment a;
} scene;

static void decide(scene *s, const char *edition, unsigned build, unsigned rev, const char *kbs)
{
    memset(s, 0, sizeof *s);
    s->inst.software_read = 1;
    s->inst.pending.cbs_key = 1;
    s->inst.os.current_version = strdup("6.0");
    s->inst.os.edition_id = strdup(edition);
    if (build) {
        uint16_t v[4] = {6, 0, (uint16_t)build, (uint16_t)rev};
        s->kernel.present = 1;
        s->kernel.ver.has_fixed = 1;
        memcpy(s->kernel.ver.file_version, v, sizeof v);
    }
    char *list = strdup(kbs), *save = NULL;
    for (char *kb = strtok_r(list, " ", &save); kb; kb = strtok_r(NULL, " ", &save))
        pl_strlist_push(&s->a.kbs_installed, kb);
    free(list);
    pl_decide_rollups(&s->inst, &s->a.kbs_installed, &s->kernel, &cat, &s->a.rollups);
    pl_decide_next_steps(&s->a);
}

static void end_scene(scene *s)
{
    pl_assessment_free(&s->a);
    free(s->inst.os.current_version);
    free(s->inst.os.edition_id);
}

static void ck_behind(const pl_rollup_status *st, long esu, long azure, long pa)
{
    ck_assert_int_eq(st->behind[PL_CHANNEL_ESU], esu);
    ck_assert_int_eq(st->behind[PL_CHANNEL_AZURE], azure);
    ck_assert_int_eq(st->behind[PL_CHANNEL_PREMIUM_ASSURANCE], pa);
}

static void ck_steps(const pl_assessment *a, const char *expected)
{
    char got[256] = "";
    for (size_t i = 0; i < a->nnext_steps; i++) {
        const pl_next_step *st = &a->next_steps[i];
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s:%s", i ? " " : "",
                 st->kind ? st->kind : st->action, st->kb ? st->kb : "?");
    }
    ck_assert_str_eq(got, expected);
}

/* ---- security level ------------------------------------------------------ */

/* The brief's example: the January 2023 rollup. */
START_TEST(january_2023_rollup)
{
    scene s;
    decide(&s, "ServerEnterprise", 6003, 21481,
           "KB5010452 KB4474419 KB4575904 KB5022340");
    const pl_rollup_status *st = &s.a.rollups;
    ck_assert_int_eq(st->security.kind, PL_SEC_ROLLUP);
    ck_assert_str_eq(st->security.month, "2023-01");
    ck_assert_str_eq(st->security.via->kb, "KB5022340");
    ck_assert_int_eq(st->channel, PL_CHANNEL_ESU);
    ck_assert_str_eq(st->channel_via->kb, "KB5022340");
    ck_behind(st, 0, 12, 36);
    ck_assert_int_eq(s.a.next_steps_known, 1);
    ck_assert_uint_eq(s.a.nnext_steps, 0);            /* current for its channel */
    end_scene(&s);
}
END_TEST

/* Security-only updates of month M and every month before it cover M; a
 * gap stops the run (they are not cumulative). */
START_TEST(security_only_coverage)
{
    scene s;
    /* April 2019 rollup, then the security-only updates of May and June */
    decide(&s, "ServerStandard", 0, 0, "KB4493471 KB4499180 KB4503287");
    ck_assert_int_eq(s.a.rollups.security.kind, PL_SEC_SECURITY_ONLY);
    ck_assert_str_eq(s.a.rollups.security.month, "2019-06");
    ck_assert_str_eq(s.a.rollups.security.via->kb, "KB4503287");
    end_scene(&s);
    /* June's without May's: covered only to April */
    decide(&s, "ServerStandard", 0, 0, "KB4493471 KB4503287");
    ck_assert_int_eq(s.a.rollups.security.kind, PL_SEC_ROLLUP);
    ck_assert_str_eq(s.a.rollups.security.month, "2019-04");
    end_scene(&s);
    /* a rollup of a later month covers the earlier ones */
    decide(&s, "ServerStandard", 0, 0, "KB4499180 KB4503273");
    ck_assert_str_eq(s.a.rollups.security.month, "2019-06");
    ck_assert_int_eq(s.a.rollups.security.kind, PL_SEC_ROLLUP);
    end_scene(&s);
    /* nothing of the catalog */
    decide(&s, "ServerStandard", 6002, 18005, "KB948465");
    ck_assert_int_eq(s.a.rollups.security.kind, PL_SEC_NONE);
    ck_behind(&s.a.rollups, 46, 58, 82);
    end_scene(&s);
}
END_TEST

/* Only the kernel witnesses a month; past every known kernel the month is
 * "after", never a specific wrong month. */
START_TEST(kernel_witness_and_after)
{
    scene s;
    decide(&s, "ServerStandard", 6003, 21481, "KB4493471");
    ck_assert_int_eq(s.a.rollups.security.kind, PL_SEC_KERNEL);
    ck_assert_str_eq(s.a.rollups.security.month, "2022-05");
    ck_assert_int_eq(s.a.rollups.security.after, 0);
    end_scene(&s);
    decide(&s, "ServerStandard", 6003, 23117, "KB4493471");
    ck_assert_int_eq(s.a.rollups.security.kind, PL_SEC_KERNEL);
    ck_assert_str_eq(s.a.rollups.security.month, "2023-08");   /* the newest known kernel row */
    ck_assert_int_eq(s.a.rollups.security.after, 1);
    end_scene(&s);
}
END_TEST

/* ---- channels -------------------------------------------------------------- */

START_TEST(channel_inference)
{
    scene s;
    decide(&s, "ServerStandard", 0, 0, "KB4534303");
    ck_assert_int_eq(s.a.rollups.channel, PL_CHANNEL_PUBLIC);
    ck_assert_int_eq(s.a.rollups.plan, PL_CHANNEL_ESU);   /* it could get ESU */
    end_scene(&s);
    decide(&s, "ServerStandard", 0, 0, "KB4534303 KB4537810");
    ck_assert_int_eq(s.a.rollups.channel, PL_CHANNEL_ESU);
    ck_assert_str_eq(s.a.rollups.channel_via->kb, "KB4537810");
    end_scene(&s);
    /* an Azure-only (year 4) security-only update proves azure */
    decide(&s, "ServerStandard", 0, 0, "KB5022340 KB5022893");
    ck_assert_int_eq(s.a.rollups.channel, PL_CHANNEL_AZURE);
    ck_assert_str_eq(s.a.rollups.channel_via->kb, "KB5022893");
    ck_assert_int_eq(s.a.rollups.plan, PL_CHANNEL_AZURE);
    end_scene(&s);
    decide(&s, "ServerStandard", 0, 0, "KB5034795");
    ck_assert_int_eq(s.a.rollups.channel, PL_CHANNEL_PREMIUM_ASSURANCE);
    end_scene(&s);
    /* licensing packages and SSUs prove nothing */
    decide(&s, "ServerStandard", 0, 0, "KB5016891 KB5050682");
    ck_assert_int_eq(s.a.rollups.channel, PL_CHANNEL_PUBLIC);
    ck_assert_ptr_null(s.a.rollups.channel_via);
    end_scene(&s);
}
END_TEST

/* Premium Assurance months whose KB is unknown still count, and the plan
 * says "KB unknown" for the newest. */
START_TEST(behind_counts_unknown_kb_months)
{
    scene s;
    decide(&s, "ServerDatacenter", 0, 0, "KB5050682 KB4474419 KB5016891 KB5052038");
    const pl_rollup_status *st = &s.a.rollups;
    ck_assert_str_eq(st->security.month, "2025-02");
    ck_behind(st, 0, 0, 11);                           /* 2025-03 .. 2026-01 */
    ck_assert_uint_eq(st->nmissing, 11);
    ck_assert_str_eq(st->missing[10]->kb, "");
    ck_assert_str_eq(st->missing[10]->release_date, "2026-01-13");
    ck_steps(&s.a, "monthly-rollup:?");
    ck_assert_ptr_nonnull(strstr(s.a.next_steps[0].why, "KB unknown"));
    end_scene(&s);
    /* 2024-03 rollup: 2024-04 (KB unknown) to 2026-01 */
    decide(&s, "ServerDatacenter", 0, 0, "KB5035920");
    ck_behind(&s.a.rollups, 0, 0, 22);
    end_scene(&s);
}
END_TEST

/* ---- eligibility ------------------------------------------------------------ */

START_TEST(vista_is_not_esu_eligible)
{
    scene s;
    decide(&s, "Business", 6003, 20489, "KB4493730 KB4493471");
    const pl_rollup_status *st = &s.a.rollups;
    ck_assert_int_eq(st->client, 1);
    ck_assert_int_eq(st->plan, PL_CHANNEL_PUBLIC);
    ck_assert_int_eq(st->behind[PL_CHANNEL_PUBLIC], 9);    /* 2019-05 .. 2020-01 */
    ck_behind(st, -1, -1, -1);
    for (size_t i = 0; i < st->nmissing_prereqs; i++) {
        ck_assert_str_ne(st->missing_prereqs[i].role, "esu-licensing");
        ck_assert_str_ne(st->missing_prereqs[i].role, "rollup-level");
    }
    ck_assert_uint_eq(st->notes.len, 1);
    ck_assert_ptr_nonnull(strstr(st->notes.items[0], "made for Windows Server 2008"));
    end_scene(&s);
    /* InstallationType or ProductType can say it too */
    pl_installation inst = {0};
    inst.os.product_type = (char *)"WinNT";
    ck_assert_int_eq(pl_is_client(&inst), 1);
    inst.os.product_type = (char *)"ServerNT";
    inst.os.installation_type = (char *)"Client";
    ck_assert_int_eq(pl_is_client(&inst), 1);
    inst.os.installation_type = (char *)"Server Core";
    ck_assert_int_eq(pl_is_client(&inst), 0);
}
END_TEST

/* ESU licensing by year (corrections file): KB4538484 serves year 1,
 * KB4575904 years 1-3, KB5016891 every year after. */
START_TEST(esu_licensing_of_the_year)
{
    scene s;
    /* year 1 only: enough for a server missing only year-1 months? no:
     * the esu plan runs to 2023-01, year 3 */
    decide(&s, "ServerStandard", 0, 0, "KB5010452 KB4474419 KB4538484 KB4598288");
    ck_steps(&s.a, "esu-licensing:KB4575904 monthly-rollup:KB5022340");
    ck_assert_ptr_nonnull(strstr(s.a.next_steps[0].why, "activate an ESU key"));
    end_scene(&s);
    /* years 1-3 licensed, but the server proves azure: year 4 needs KB5016891 */
    decide(&s, "ServerStandard", 0, 0, "KB5033466 KB4474419 KB4575904 KB5022890");
    ck_steps(&s.a, "esu-licensing:KB5016891 monthly-rollup:KB5034173");
    ck_assert_ptr_nonnull(strstr(s.a.rollups.missing_prereqs[0].reason, "ESU year 4"));
    end_scene(&s);
    /* KB5016891 serves them all */
    decide(&s, "ServerStandard", 0, 0, "KB5033466 KB4474419 KB5016891 KB5022890");
    ck_steps(&s.a, "monthly-rollup:KB5034173");
    end_scene(&s);
}
END_TEST

/* The SSU of the era: the newest released before the newest missing
 * rollup, not any SSU since 2019-04. */
START_TEST(ssu_by_era)
{
    scene s;
    decide(&s, "ServerStandard", 0, 0, "KB4493730 KB4474419 KB4575904 KB5014752");
    ck_steps(&s.a, "ssu:KB5010452 monthly-rollup:KB5022340");
    end_scene(&s);
    /* Premium Assurance: the newest SSU before 2026-01 is KB5050682 (2025-01) */
    decide(&s, "ServerStandard", 0, 0, "KB5034867 KB4474419 KB5016891 KB5034795");
    ck_steps(&s.a, "ssu:KB5050682 monthly-rollup:?");
    end_scene(&s);
}
END_TEST

/* Reboot first, then SSU, SHA-2, the October 2019 level, ESU licensing,
 * the newest rollup; a reboot only on a definite YES. */
START_TEST(next_step_order)
{
    scene s;
    memset(&s, 0, sizeof s);
    decide(&s, "ServerStandard", 0, 0, "KB4489880");
    pl_strlist_push(&s.a.kbs_pending_or_staged, "KB4493471");
    pl_pending_signal sig = {.signal = "package-pending", .signal_class = "servicing",
                             .evidence = (char *)"SOFTWARE\\...\\Packages\\Package_for_KB4493471"
                                                 "~31bf3856ad364e35~amd64~~6.0.1.2\\CurrentState"};
    s.a.signals = &sig;
    s.a.nsignals = 1;
    s.a.reboot_required = PL_TRI_YES;
    for (size_t i = 0; i < s.a.nnext_steps; i++) {
        free(s.a.next_steps[i].kb);
        free(s.a.next_steps[i].why);
    }
    s.a.nnext_steps = 0;
    pl_decide_next_steps(&s.a);
    ck_steps(&s.a, "reboot:? ssu:KB5010452 sha2:KB4474419 rollup-level:KB4520002 "
                   "esu-licensing:KB4575904 monthly-rollup:KB5022340");
    ck_assert_str_eq(s.a.next_steps[0].why, "KB4493471 waits for a reboot");
    /* a staged KB with another signal: the signal is named, not the KB */
    sig.signal = "pending-xml";
    sig.evidence = (char *)"Windows/WinSxS/pending.xml";
    for (size_t i = 0; i < s.a.nnext_steps; i++) {
        free(s.a.next_steps[i].kb);
        free(s.a.next_steps[i].why);
    }
    s.a.nnext_steps = 0;
    pl_decide_next_steps(&s.a);
    ck_assert_str_eq(s.a.next_steps[0].why,
                     "a reboot is pending (pending-xml: Windows/WinSxS/pending.xml)");
    /* unknown is not yes: no reboot step */
    s.a.reboot_required = PL_TRI_UNKNOWN;
    for (size_t i = 0; i < s.a.nnext_steps; i++) {
        free(s.a.next_steps[i].kb);
        free(s.a.next_steps[i].why);
    }
    s.a.nnext_steps = 0;
    pl_decide_next_steps(&s.a);
    ck_assert_str_eq(s.a.next_steps[0].kind, "ssu");
    s.a.signals = NULL;                 /* on the stack, not the assessment's */
    s.a.nsignals = 0;
    end_scene(&s);
}
END_TEST

/* An unreadable store: no plan at all (null), never an empty one. */
START_TEST(unknown_store_has_no_plan)
{
    scene s;
    memset(&s, 0, sizeof s);
    s.a.rollups.applicable = 1;
    s.a.rollups.unknown = strdup("CBS unreadable");
    s.a.reboot_required = PL_TRI_YES;
    pl_decide_next_steps(&s.a);
    ck_assert_int_eq(s.a.next_steps_known, 0);
    ck_assert_uint_eq(s.a.nnext_steps, 0);
    pl_assessment_free(&s.a);
}
END_TEST

/* A preview that contains the April 2019 rollup covers April, via itself. */
START_TEST(preview_covers_its_rollup_month)
{
    scene s;
    decide(&s, "ServerStandard", 0, 0, "KB4493730 KB4493460");
    ck_assert_int_eq(s.a.rollups.security.kind, PL_SEC_ROLLUP);
    ck_assert_str_eq(s.a.rollups.security.month, "2019-04");
    ck_assert_str_eq(s.a.rollups.security.via->kb, "KB4493460");
    end_scene(&s);
}
END_TEST

static void add_package(pl_installation *in, const char *kb, const char *maxv, uint64_t ft)
{
    in->packages = realloc(in->packages, (in->npackages + 1) * sizeof *in->packages);
    pl_package *p = &in->packages[in->npackages++];
    memset(p, 0, sizeof *p);
    p->identity = pl_xasprintf("Package_for_%s~31bf3856ad364e35~amd64~~6.0.1.1", kb);
    p->kb = strdup(kb);
    p->max_component_version = maxv ? strdup(maxv) : NULL;
    p->has_install_time = ft != 0;
    p->install_filetime = ft;
}

/* FILETIME of a Unix time. */
#define FT(unix) (((uint64_t)(unix) + 11644473600ull) * 10000000ull)

/* The timeline: first and newest install, the first 6003 package (not the
 * SSU, whose servicing stack is 6003 on a 6002 build), one row per rollup. */
START_TEST(timeline_from_install_times)
{
    pl_installation inst = {0};
    add_package(&inst, "KB4493730", "6.0.6003.20488", FT(1555380633));   /* SSU 2019-04-16 */
    add_package(&inst, "KB4493471", "6.0.6003.20489", FT(1555381577));   /* 2019-04-16 */
    add_package(&inst, "KB948465", "6.0.6002.18005", FT(1333443900));    /* 2012-04-03 */
    add_package(&inst, "KB5022340", "6.0.6003.21481", FT(1673923540));   /* 2023-01-17 */
    add_package(&inst, "KB5014010", NULL, 0);                            /* no time */
    pl_assessment a = {0};
    pl_decide_timeline(&inst, &cat, &a);
    ck_assert_int_eq(a.timeline.known, 1);
    ck_assert_str_eq(a.timeline.first, "2012-04-03T09:05:00Z");
    ck_assert_str_eq(a.timeline.newest, "2023-01-17T02:45:40Z");
    ck_assert_str_eq(a.timeline.build_6003, "2019-04-16T02:26:17Z");
    ck_assert_ptr_nonnull(strstr(a.timeline.build_6003_package, "KB4493471"));
    ck_assert_uint_eq(a.timeline.nmonths, 2);
    ck_assert_str_eq(a.timeline.months[0].month, "2019-04");
    ck_assert_str_eq(a.timeline.months[1].kb, "KB5022340");
    pl_assessment_free(&a);
    /* a salvaged store that lost a part: the first install is unknown */
    a.kbs_incomplete = strdup("part of the SOFTWARE hive is lost");
    pl_decide_timeline(&inst, &cat, &a);
    ck_assert_int_eq(a.timeline.known, 0);
    ck_assert_uint_eq(a.timeline.nmonths, 0);
    pl_assessment_free(&a);
    for (size_t i = 0; i < inst.npackages; i++) {
        free(inst.packages[i].identity);
        free(inst.packages[i].kb);
        free(inst.packages[i].max_component_version);
    }
    free(inst.packages);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("servicing");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, load_catalog, free_catalog);
    tcase_add_test(tc, january_2023_rollup);
    tcase_add_test(tc, security_only_coverage);
    tcase_add_test(tc, kernel_witness_and_after);
    tcase_add_test(tc, channel_inference);
    tcase_add_test(tc, behind_counts_unknown_kb_months);
    tcase_add_test(tc, vista_is_not_esu_eligible);
    tcase_add_test(tc, esu_licensing_of_the_year);
    tcase_add_test(tc, ssu_by_era);
    tcase_add_test(tc, next_step_order);
    tcase_add_test(tc, unknown_store_has_no_plan);
    tcase_add_test(tc, preview_covers_its_rollup_month);
    tcase_add_test(tc, timeline_from_install_times);
    suite_add_tcase(suite, tc);
    return pl_run_suite(suite);
}
