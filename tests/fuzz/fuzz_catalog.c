/* libFuzzer target: the update catalog reader (pl_catalog_parse) and the
 * rollup decisions over what it read (pl_decide_rollups, then pl_assess and
 * the JSON/text/CSV report of a fixed hand-built installation).
 *
 * The input is the catalog file. The installation is fixed: NT 6.0 build
 * 6003, ntoskrnl 6.0.6003.20489, a handful of installed, superseded and
 * staged packages named by KB; in addition every third KB the catalog itself
 * lists counts as installed, so a mutated catalog still meets installed
 * updates. The JSON report must stay valid JSON (checked with json-c). */
#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decisions/catalog.h"
#include "decisions/decisions.h"
#include "decisions/rollups.h"
#include "fuzz_common.h"
#include "report/report.h"

static const char *const fixed_installed[] = {"KB948465", "KB4493730", "KB4474419",
                                              "KB4575904", "KB4499180", "KB4489880",
                                              "KB5014010", "kb4493471"};

static void set_kernel(pl_pe_evidence *k, unsigned a, unsigned b, unsigned c, unsigned d)
{
    memset(k, 0, sizeof *k);
    k->role = "ntoskrnl";
    k->present = 1;
    k->ver.has_fixed = 1;
    k->ver.file_version[0] = (uint16_t)a;
    k->ver.file_version[1] = (uint16_t)b;
    k->ver.file_version[2] = (uint16_t)c;
    k->ver.file_version[3] = (uint16_t)d;
    k->ver.machine = 0x8664;
    k->ver.is_pe32plus = 1;
}

static void check_status(const pl_rollup_status *st, const pl_catalog *cat)
{
    /* Pointers into the catalog's entries (none when it is empty). */
#define IN_CAT(e)                                                                    \
    ((e) == NULL ||                                                                  \
     (cat->n > 0 && (e) >= cat->entries && (size_t)((e) - cat->entries) < cat->n))
    FUZZ_CHECK(IN_CAT(st->latest));
    FUZZ_CHECK(IN_CAT(st->level));
    FUZZ_CHECK(IN_CAT(st->level_via));
    FUZZ_CHECK(IN_CAT(st->kernel_rollup));
    for (size_t i = 0; i < st->ninstalled; i++)
        FUZZ_CHECK(st->installed[i] && IN_CAT(st->installed[i]));
    for (size_t i = 0; i < st->nmissing; i++) {
        FUZZ_CHECK(st->missing[i] && IN_CAT(st->missing[i]));
        FUZZ_CHECK(st->missing[i]->kind == PL_KIND_MONTHLY_ROLLUP);
    }
    for (size_t i = 0; i < st->nmissing_prereqs; i++)
        FUZZ_CHECK(st->missing_prereqs[i].entry && IN_CAT(st->missing_prereqs[i].entry));
#undef IN_CAT
}

static void decide(const pl_installation *inst, const pl_strlist *kbs, const pl_pe_evidence *k,
                   const pl_catalog *cat)
{
    pl_rollup_status st;
    pl_decide_rollups(inst, kbs, k, cat, &st);
    check_status(&st, cat);
    pl_rollup_status_free(&st);
    pl_rollup_status_free(&st); /* documented as harmless */
}

static void add_package(pl_installation *inst, const char *kb, uint32_t state)
{
    inst->packages = realloc(inst->packages, (inst->npackages + 1) * sizeof *inst->packages);
    FUZZ_CHECK(inst->packages);
    pl_package *p = &inst->packages[inst->npackages++];
    memset(p, 0, sizeof *p);
    p->identity = pl_xasprintf("Package_for_%s~31bf3856ad364e35~amd64~~6.0.1.0", kb);
    p->kb = pl_xstrdup(kb);
    p->kb_source = "identity";
    p->in_registry = 1;
    p->has_state = 1;
    p->state_code = state;
    p->state = pl_cbs_state_decode(state);
}

/* The report of one input holding inst + its assessment: JSON must parse. */
static void report(pl_installation *inst, const pl_catalog *cat)
{
    pl_input_result r;
    memset(&r, 0, sizeof r);
    r.input = pl_xstrdup("fuzz-input");
    r.input_size = -1;
    r.input_mtime = -1;
    r.container = "dir";
    r.insts = pl_xcalloc(1, sizeof *r.insts);
    r.ninsts = 1;
    r.insts[0].inst = *inst; /* moved: freed with r */
    memset(inst, 0, sizeof *inst);
    pl_assess(&r.insts[0].inst, cat, &r.insts[0].assess);
    check_status(&r.insts[0].assess.rollups, cat);

    pl_json j;
    pl_json_init(&j, 1);
    pl_report_json_object(&j, &r);
    char *text = pl_xstrndup(j.buf ? j.buf : "", j.len);
    json_tokener *tok = json_tokener_new();
    json_object *obj = json_tokener_parse_ex(tok, text, (int)j.len);
    if (!obj || json_tokener_get_error(tok) != json_tokener_success) {
        fprintf(stderr, "invalid JSON report: %s\n%s\n",
                json_tokener_error_desc(json_tokener_get_error(tok)), text);
        abort();
    }
    json_object_put(obj);
    json_tokener_free(tok);
    free(text);
    pl_json_free(&j);

    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    FUZZ_CHECK(f);
    pl_report_text(f, &r, 1);
    pl_report_csv_header(f, 1);
    pl_report_csv_rows(f, &r, 1);
    fclose(f);
    free(buf);
    pl_input_result_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pl_catalog cat;
    memset(&cat, 0x3C, sizeof cat); /* the parser must initialise everything */
    pl_err err = {0};
    if (pl_catalog_parse((const char *)data, size, "fuzz.csv", &cat, &err) != 0) {
        FUZZ_CHECK(cat.n == 0 && cat.entries == NULL);
        FUZZ_CHECK(err.msg[0] != '\0');
        pl_catalog_free(&cat);
        return 0;
    }
    /* Every entry is found again by its KB, and rows are sorted by date. */
    for (size_t i = 0; i < cat.n; i++) {
        const pl_catalog_entry *e = &cat.entries[i];
        /* A month whose update exists but whose KB is not known has an
         * empty KB (data/README.md): it is counted, never looked up. */
        FUZZ_CHECK(e->kb && (e->kb[0] == '\0' || strncmp(e->kb, "KB", 2) == 0));
        FUZZ_CHECK(e->release_date);
        if (e->kb[0])
            FUZZ_CHECK(pl_catalog_find(&cat, e->kb) == e);
        (void)pl_update_kind_name(e->kind);
        if (e->has_kernel)
            (void)pl_catalog_rollup_for_kernel(&cat, e->kernel);
        if (i > 0 && cat.entries[i - 1].release_date[0] && e->release_date[0])
            FUZZ_CHECK(strcmp(cat.entries[i - 1].release_date, e->release_date) <= 0);
        if (i > 0 && !cat.entries[i - 1].release_date[0])
            FUZZ_CHECK(!e->release_date[0]); /* undated rows sort last */
    }
    (void)pl_catalog_find(&cat, "kb4493471");
    (void)pl_catalog_find(&cat, "not a kb");

    pl_installation inst;
    memset(&inst, 0, sizeof inst);
    inst.software_read = 1;
    inst.system_read = 1;
    inst.os.current_version = pl_xstrdup("6.0");
    inst.os.current_build = pl_xstrdup("6003");
    inst.os.current_build_number = pl_xstrdup("6003");
    inst.os.build_lab_ex = pl_xstrdup("6003.20489.amd64fre.vistasp2_ldr_escrow.190320-1700");
    inst.os.processor_architecture = pl_xstrdup("AMD64");
    inst.windows_dir = pl_xstrdup("Windows");

    pl_strlist kbs = {0};
    for (size_t i = 0; i < sizeof fixed_installed / sizeof *fixed_installed; i++)
        pl_strlist_push(&kbs, fixed_installed[i]);
    for (size_t i = 0; i < cat.n && i < 3000; i += 3)
        pl_strlist_push_unique(&kbs, cat.entries[i].kb);

    pl_pe_evidence kernel;
    static const uint16_t kernels[][4] = {{6, 0, 6003, 20489}, {6, 0, 6003, 21481},
                                          {6, 0, 6002, 24565}, {6, 1, 7601, 24545},
                                          {6, 0, 6003, 65535}};
    for (size_t i = 0; i < sizeof kernels / sizeof *kernels; i++) {
        set_kernel(&kernel, kernels[i][0], kernels[i][1], kernels[i][2], kernels[i][3]);
        decide(&inst, &kbs, &kernel, &cat);
        (void)pl_catalog_rollup_for_kernel(&cat, kernels[i]);
    }
    decide(&inst, &kbs, NULL, &cat);         /* kernel unreadable */
    decide(&inst, NULL, &kernel, &cat);      /* nothing installed */
    decide(NULL, &kbs, &kernel, &cat);       /* kernel alone */
    pl_strlist_free(&kbs);

    /* The whole assessment and the report, with packages in several states. */
    set_kernel(&inst.ntoskrnl, 6, 0, 6003, 20489);
    inst.ntoskrnl.path = pl_xstrdup("Windows/System32/ntoskrnl.exe");
    for (size_t i = 0; i < sizeof fixed_installed / sizeof *fixed_installed; i++)
        add_package(&inst, fixed_installed[i], 0x70);
    for (size_t i = 0; i < cat.n && i < 3000; i++)
        add_package(&inst, cat.entries[i].kb, i % 3 == 0 ? 0x70 : i % 3 == 1 ? 0x50 : 0x40);
    report(&inst, &cat);
    pl_installation_free(&inst);

    pl_catalog_free(&cat);
    pl_catalog_free(&cat); /* documented as harmless */
    return 0;
}
