/* The registry of evidence kinds (src/evidence/evidence_kind.h,
 * evidence_kinds.c): the list itself, collect on a fixture tree, free of
 * a zeroed installation, and a demonstration of adding a kind: a test-only
 * table (the registry plus one kind) run through the same collect, free,
 * JSON and text path as the program's. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../check_main.h"
#include "evidence/compat6002.h"
#include "evidence/evidence_internal.h"
#include "report/report.h"

static const pl_evidence_kind *kind_named(const char *name)
{
    for (size_t i = 0; i < pl_evidence_kind_count; i++)
        if (strcmp(pl_evidence_kinds[i]->name, name) == 0)
            return pl_evidence_kinds[i];
    return NULL;
}

/* ---- the list ------------------------------------------------------------- */

/* Keys report/json.c writes itself in every installation object: a kind
 * that is not core would collide with them. */
static const char *const fixed_keys[] = {"location", "os", "files", "wim_xml", "build6003",
                                         "updates", "pending", "warnings", "warning_details"};

START_TEST(every_kind_has_a_unique_name_and_its_hooks)
{
    ck_assert_uint_ge(pl_evidence_kind_count, 4);
    int seen_plain = 0;
    for (size_t i = 0; i < pl_evidence_kind_count; i++) {
        const pl_evidence_kind *k = pl_evidence_kinds[i];
        ck_assert_ptr_nonnull(k);
        ck_assert_ptr_nonnull(k->name);
        ck_assert_uint_gt(strlen(k->name), 0);
        ck_assert_ptr_nonnull(k->collect);
        ck_assert_ptr_nonnull(k->free);
        for (size_t m = 0; m < i; m++)
            ck_assert_str_ne(pl_evidence_kinds[m]->name, k->name);
        if (k->core) {
            /* core kinds first: every other kind sees their facts */
            ck_assert_msg(!seen_plain, "core kind %s after a kind that is not core", k->name);
            continue;
        }
        seen_plain = 1;
        ck_assert_msg(k->to_json != NULL, "kind %s has no to_json", k->name);
        for (size_t f = 0; f < sizeof fixed_keys / sizeof *fixed_keys; f++)
            ck_assert_str_ne(k->name, fixed_keys[f]);
    }
    /* The kinds the issue names, each once: kernel files, CBS packages with
     * manifests, pending facts, the 6002 scan. Only the pending facts have
     * no JSON of their own (the decisions' "pending" signals report them). */
    ck_assert(kind_named("files") && kind_named("files")->core && kind_named("files")->to_json);
    ck_assert(kind_named("packages") && kind_named("packages")->core &&
              kind_named("packages")->to_json);
    ck_assert(kind_named("pending") && kind_named("pending")->core);
    ck_assert(kind_named("compat_6002") && !kind_named("compat_6002")->core);
    ck_assert_ptr_eq(pl_evidence_kinds[0], &pl_evidence_kind_files);
}
END_TEST

/* ---- collect on a fixture tree --------------------------------------------- */

typedef struct {
    pl_source *src;
    pl_volume *vol;
    pl_strlist dirs;
} opened_tree;

static void open_tree(const char *rel, opened_tree *t)
{
    memset(t, 0, sizeof *t);
    pl_source_options sopt = {0};
    pl_err err = {0};
    ck_assert_int_eq(pl_source_open(pl_test_fixture(rel), &sopt, &t->src, &err), 0);
    ck_assert_int_eq(t->src->ops->next_volume(t->src, &t->vol, &err), 1);
    ck_assert_int_eq(pl_find_windows_dirs(t->vol->fs, &t->dirs, NULL, &err), 0);
    ck_assert_uint_eq(t->dirs.len, 1);
}

static void close_tree(opened_tree *t)
{
    pl_strlist_free(&t->dirs);
    pl_volume_free(t->vol);
    pl_source_close(t->src);
}

START_TEST(collect_on_a_tree_gives_every_kind_its_data)
{
    opened_tree t;
    open_tree("trees/ws2008-pending-6003", &t);
    pl_evidence_options opts = {.find_6002 = 1};
    pl_installation inst;
    pl_collect_installation(t.vol, t.dirs.items[0], &opts, &inst);
    ck_assert_ptr_eq(inst.kinds, pl_evidence_kinds);
    ck_assert_uint_eq(inst.nkinds, pl_evidence_kind_count);
    for (size_t i = 0; i < pl_evidence_kind_count; i++)
        ck_assert_msg(pl_installation_kind_data(&inst, pl_evidence_kinds[i]->name) != NULL,
                      "no data for kind %s", pl_evidence_kinds[i]->name);
    /* each kind's own facts */
    ck_assert(inst.ntoskrnl.present && inst.kernel32.present);
    ck_assert(!inst.ntoskrnl.error && inst.ntoskrnl.ver.has_fixed);
    ck_assert_uint_gt(inst.npackages, 0);
    ck_assert_uint_gt(inst.mum_files, 0);
    ck_assert(inst.pending.cbs_key && inst.pending.pending_xml);
    ck_assert_int_eq(inst.pending.current_control_set, 2);   /* the fixture's Select\Current */
    ck_assert_uint_gt(inst.pending.pending_file_renames, 0);  /* read from SYSTEM */
    ck_assert_ptr_nonnull(pl_installation_kind_data(&inst, "compat_6002"));
    ck_assert_ptr_null(pl_installation_kind_data(&inst, "no-such-kind"));
    pl_installation_free(&inst);

    /* opt-in: without the option the 6002 scan has no data (JSON null) */
    pl_collect_installation(t.vol, t.dirs.items[0], NULL, &inst);
    ck_assert_ptr_null(pl_installation_kind_data(&inst, "compat_6002"));
    ck_assert_ptr_nonnull(pl_installation_kind_data(&inst, "files"));
    pl_installation_free(&inst);
    close_tree(&t);
}
END_TEST

static int has_finding(const pl_compat6002 *c, const char *path)
{
    for (size_t i = 0; i < c->nfindings; i++)
        if (strcmp(c->findings[i].path, path) == 0)
            return 1;
    return 0;
}

/* The 6002 scan reads the hives collect.c opened: a recorded build in
 * SOFTWARE, a script a Run value names (SOFTWARE) and one a service's
 * ImagePath names (SYSTEM, in the control set of the context). */
START_TEST(the_6002_scan_reads_the_hives_of_the_context)
{
    opened_tree t;
    open_tree("trees/ws2008-compat6002", &t);
    pl_evidence_options opts = {.find_6002 = 1};
    pl_installation inst;
    pl_collect_installation(t.vol, t.dirs.items[0], &opts, &inst);
    const pl_compat6002 *c6 = pl_installation_kind_data(&inst, "compat_6002");
    ck_assert_ptr_nonnull(c6);
    ck_assert_uint_gt(c6->registry_values, 0);
    ck_assert(has_finding(c6, "HKLM\\SOFTWARE\\Contoso\\Agent"));
    ck_assert(has_finding(c6, "Scripts/startup-check.vbs"));
    ck_assert(has_finding(c6, "Scripts/watch.cmd"));
    pl_installation_free(&inst);
    close_tree(&t);
}
END_TEST

START_TEST(free_of_a_zeroed_installation_is_safe)
{
    pl_installation inst;
    memset(&inst, 0, sizeof inst);
    pl_installation_free(&inst);
    pl_installation_free(&inst);   /* it is left zeroed */
    ck_assert_ptr_null(inst.kind_data);
    /* a zeroed installation answers through the registry, with no data */
    ck_assert_ptr_null(pl_installation_kind_data(&inst, "compat_6002"));
    ck_assert_ptr_eq(pl_installation_kind_data(&inst, "files"), &inst);
}
END_TEST

/* ---- adding a kind --------------------------------------------------------- */

/* A kind as a new file would define it: what it sees of the context
 * (both hives open at once, the core facts already there), as JSON and
 * text of its own. */
typedef struct {
    size_t software_root_keys;
    int system_open;
    char *control_set;
    size_t packages_seen;
} demo_data;

static int demo_frees;

static void *demo_collect(const pl_evidence_ctx *ctx)
{
    demo_data *d = pl_xcalloc(1, sizeof *d);
    if (ctx->software)
        d->software_root_keys = pl_hive_subkey_count(ctx->software, hivex_root(ctx->software->h));
    d->system_open = ctx->system != NULL;
    d->control_set = pl_xstrdup(ctx->control_set);
    d->packages_seen = ctx->inst->npackages;
    pl_notes_add(ctx->warnings, PL_ERR_NONE, "demo kind ran");
    return d;
}

static void demo_free(void *data)
{
    demo_data *d = data;
    free(d->control_set);
    free(d);
    demo_frees++;
}

static void demo_json(pl_json *j, const void *data)
{
    const demo_data *d = data;
    pl_json_begin_object(j);
    pl_json_kv_int(j, "software_root_keys", (int64_t)d->software_root_keys);
    pl_json_kv_bool(j, "system_open", d->system_open);
    pl_json_kv_string(j, "control_set", d->control_set);
    pl_json_kv_int(j, "packages_seen", (int64_t)d->packages_seen);
    pl_json_end_object(j);
}

static void demo_text(FILE *out, const void *data, int verbose)
{
    (void)verbose;
    fprintf(out, "  Demo:        %zu packages seen\n", ((const demo_data *)data)->packages_seen);
}

static const pl_evidence_kind demo_kind = {
    .name = "demo",
    .collect = demo_collect,
    .free = demo_free,
    .to_json = demo_json,
    .to_text = demo_text,
};

START_TEST(a_new_kind_is_collected_reported_and_freed_through_the_table)
{
    /* the registry plus one line */
    const pl_evidence_kind *table[16];
    ck_assert_uint_lt(pl_evidence_kind_count, 16);
    size_t n = 0;
    for (; n < pl_evidence_kind_count; n++)
        table[n] = pl_evidence_kinds[n];
    table[n++] = &demo_kind;

    opened_tree t;
    open_tree("trees/ws2008-pending-6003", &t);
    pl_input_result r;
    memset(&r, 0, sizeof r);
    r.input = pl_xstrdup("demo");
    r.insts = pl_xcalloc(1, sizeof *r.insts);
    r.ninsts = 1;
    pl_evidence_options opts = {.find_6002 = 1};
    pl_collect_installation_kinds(t.vol, t.dirs.items[0], &opts, table, n, &r.insts[0].inst);
    pl_installation *inst = &r.insts[0].inst;
    pl_assess(inst, NULL, &r.insts[0].assess);

    const demo_data *d = pl_installation_kind_data(inst, "demo");
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_gt(d->software_root_keys, 0);
    ck_assert(d->system_open);                         /* both hives open together */
    ck_assert_str_eq(d->control_set, "ControlSet002");
    ck_assert_uint_eq(d->packages_seen, inst->npackages);   /* after the core kinds */
    ck_assert_uint_gt(d->packages_seen, 0);
    ck_assert_str_eq(inst->warnings.items[inst->warnings.len - 1].msg, "demo kind ran");

    /* JSON: its key after compat_6002, before the warnings */
    pl_json j;
    pl_json_init(&j, 0);
    pl_report_json_object(&j, &r);
    const char *c6 = strstr(j.buf, "\"compat_6002\":{");
    const char *demo = strstr(j.buf, "\"demo\":{\"software_root_keys\":");
    const char *warn = strstr(j.buf, "\"warnings\":[");
    ck_assert(c6 && demo && warn);
    ck_assert(c6 < demo && demo < warn);
    ck_assert_ptr_nonnull(strstr(demo, "\"system_open\":true,\"control_set\":\"ControlSet002\""));
    pl_json_free(&j);

    /* text: its lines */
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    pl_report_text(out, &r, 0);
    fclose(out);
    char want[64];
    snprintf(want, sizeof want, "  Demo:        %zu packages seen\n", d->packages_seen);
    ck_assert_ptr_nonnull(strstr(text, want));
    ck_assert_ptr_nonnull(strstr(text, "Will break at 6003:"));
    free(text);

    /* free: through the same table, once */
    demo_frees = 0;
    pl_input_result_free(&r);
    ck_assert_int_eq(demo_frees, 1);
    close_tree(&t);
}
END_TEST

static Suite *evidence_kinds_suite(void)
{
    Suite *s = suite_create("evidence_kinds");
    TCase *tc = tcase_create("registry");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, every_kind_has_a_unique_name_and_its_hooks);
    tcase_add_test(tc, collect_on_a_tree_gives_every_kind_its_data);
    tcase_add_test(tc, the_6002_scan_reads_the_hives_of_the_context);
    tcase_add_test(tc, free_of_a_zeroed_installation_is_safe);
    tcase_add_test(tc, a_new_kind_is_collected_reported_and_freed_through_the_table);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return pl_run_suite(evidence_kinds_suite());
}
