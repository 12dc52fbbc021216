/* An evidence-kind context over hives built in the test (hive_builder.h),
 * and a kind's JSON value parsed back with json-c, for the unit tests of
 * the identity, roles and applications kinds. */
#ifndef PL_KIND_CTX_H
#define PL_KIND_CTX_H

#include <json-c/json.h>

#include "evidence/evidence_kind.h"
#include "evidence/installation.h"
#include "hive_builder.h"
#include "../e2e/e2e.h"

typedef struct {
    pl_hive system, software;
    pl_installation inst;
    pl_notes warnings;
    pl_evidence_options opts;
    pl_evidence_ctx ctx;
} kctx;

/* system / software: builders to finish, or NULL for a hive not read. */
static inline void kctx_init(kctx *k, hb *system, hb *software, const char *control_set)
{
    memset(k, 0, sizeof *k);
    k->ctx.opts = &k->opts;
    k->ctx.control_set = control_set;
    k->ctx.inst = &k->inst;
    k->ctx.warnings = &k->warnings;
    if (system) {
        hb_finish(system, &k->system);
        k->ctx.system = &k->system;
        k->ctx.system_path = "Windows/System32/config/SYSTEM";
    } else {
        k->ctx.system_unread = "Windows/System32/config/SYSTEM: not found";
    }
    if (software) {
        hb_finish(software, &k->software);
        k->ctx.software = &k->software;
        k->ctx.software_path = "Windows/System32/config/SOFTWARE";
    } else {
        k->ctx.software_unread = "Windows/System32/config/SOFTWARE: not found";
    }
}

static inline void kctx_load(const char *tree, const char *hive, pl_hive *out)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/trees/%s/Windows/System32/config/%s", getenv("PL_FIXTURES"),
             tree, hive);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    uint8_t *data = malloc((size_t)n);
    ck_assert_int_eq(fread(data, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    pl_err err;
    ck_assert_msg(pl_hive_open_mem(data, (size_t)n, out, &err) == 0, "%s: %s", path, err.msg);
    free(data);
}

/* The hives of a fixture tree (fixtures/trees/<tree>, ControlSet001,
 * amd64), as the collection would hand them to the kinds. */
static inline void kctx_init_tree(kctx *k, const char *tree)
{
    memset(k, 0, sizeof *k);
    ck_assert_msg(getenv("PL_FIXTURES") != NULL, "PL_FIXTURES not set");
    kctx_load(tree, "SYSTEM", &k->system);
    kctx_load(tree, "SOFTWARE", &k->software);
    k->ctx.system = &k->system;
    k->ctx.software = &k->software;
    k->ctx.system_path = "Windows/System32/config/SYSTEM";
    k->ctx.software_path = "Windows/System32/config/SOFTWARE";
    k->ctx.control_set = "ControlSet001";
    k->ctx.opts = &k->opts;
    k->inst.os.processor_architecture = (char *)"AMD64";
    k->ctx.inst = &k->inst;
    k->ctx.warnings = &k->warnings;
}

static inline void kctx_free(kctx *k)
{
    if (k->ctx.system)
        pl_hive_close(&k->system);
    if (k->ctx.software)
        pl_hive_close(&k->software);
    pl_notes_free(&k->warnings);
}

/* {"<kind name>": <to_json>} parsed; the caller puts it. Fails the test
 * when the writer's output is not valid JSON. */
static inline json_object *kind_json(const pl_evidence_kind *kind, const void *data)
{
    pl_json j;
    pl_json_init(&j, 0);
    pl_json_begin_object(&j);
    pl_json_key(&j, kind->name);
    kind->to_json(&j, data);
    pl_json_end_object(&j);
    char *text = strndup(j.buf, j.len);
    json_object *root = json_tokener_parse(text);
    ck_assert_msg(root != NULL, "not JSON: %s", text);
    free(text);
    pl_json_free(&j);
    return root;
}

/* Some warning contains needle. */
static inline int kctx_warned(const kctx *k, const char *needle)
{
    for (size_t i = 0; i < k->warnings.len; i++)
        if (strstr(k->warnings.items[i].msg, needle))
            return 1;
    return 0;
}

#endif
