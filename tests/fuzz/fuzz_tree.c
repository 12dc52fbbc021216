/* libFuzzer target: the whole per-installation pipeline (tree source,
 * evidence, decisions with the shipped catalog, JSON/text/CSV reports) over
 * a small Windows tree in which ONE file is replaced by fuzzed bytes.
 *
 * Once per process the fixture tree fixtures/trees/ws2008-pending-6003 is
 * copied into a private temporary directory (removed at exit). Per input,
 * the first byte chooses the file (byte % NFILES, table below) and the rest
 * of the input becomes its content; then pl_analyze_input runs on the copy,
 * the JSON report is written into memory and must parse (json-c), the text
 * and CSV reports are written into memory too, everything is freed, and
 * the original file is put back so that every input starts from the same
 * tree.
 *
 * PL_FUZZ_FIXTURES (environment) overrides the fixtures directory compiled
 * in by build.sh. */
#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/analyze.h"
#include "decisions/catalog.h"
#include "fuzz_common.h"
#include "report/report.h"

#ifndef PL_FUZZ_FIXTURES
#define PL_FUZZ_FIXTURES "fixtures"
#endif
#define TREE "trees/ws2008-pending-6003"

static const char *const files[] = {
    "Windows/System32/config/SOFTWARE",
    "Windows/System32/config/SYSTEM",
    "Windows/System32/ntoskrnl.exe",
    "Windows/System32/kernel32.dll",
    "Windows/servicing/Packages/Package_for_KB4493471~31bf3856ad364e35~amd64~~6.0.1.2.mum",
    "Windows/servicing/Packages/Package_for_KB4489880~31bf3856ad364e35~amd64~~6.0.1.3.mum",
    "Windows/WinSxS/pending.xml",
};
#define NFILES (sizeof files / sizeof *files)

static char root[4096];
static uint8_t *orig[NFILES];
static size_t orig_len[NFILES];
static pl_catalog catalog;

static void copy_tree(const char *from, const char *to);

static int copy_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw);
static size_t src_prefix;
static const char *dst_root;

static int copy_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)ftw;
    char dst[8192];
    snprintf(dst, sizeof dst, "%s%s", dst_root, path + src_prefix);
    if (flag == FTW_D) {
        FUZZ_CHECK(mkdir(dst, 0755) == 0 || errno == EEXIST);
    } else if (flag == FTW_F) {
        size_t len = 0;
        uint8_t *d = fuzz_read_file(path, &len);
        FUZZ_CHECK(d);
        FUZZ_CHECK(fuzz_write_file(dst, d, len) == 0);
        free(d);
    }
    return 0;
}

static void copy_tree(const char *from, const char *to)
{
    src_prefix = strlen(from);
    dst_root = to;
    FUZZ_CHECK(nftw(from, copy_cb, 16, FTW_PHYS) == 0);
}

static void free_all(void)
{
    for (size_t i = 0; i < NFILES; i++)
        free(orig[i]);
    pl_catalog_free(&catalog);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *fix = getenv("PL_FUZZ_FIXTURES");
    if (!fix || !*fix)
        fix = PL_FUZZ_FIXTURES;
    char src[4096], cat[4096];
    snprintf(src, sizeof src, "%s/%s", fix, TREE);
    snprintf(cat, sizeof cat, "%s/../data/ws2008-sp2-catalog.csv", fix);
    const char *tmp = fuzz_tmpdir("tree");
    snprintf(root, sizeof root, "%s/tree", tmp);
    copy_tree(src, root);
    for (size_t i = 0; i < NFILES; i++) {
        char p[8192];
        snprintf(p, sizeof p, "%s/%s", root, files[i]);
        orig[i] = fuzz_read_file(p, &orig_len[i]);
        if (!orig[i]) {
            fprintf(stderr, "fuzz_tree: cannot read %s (set PL_FUZZ_FIXTURES)\n", p);
            abort();
        }
    }
    pl_err err = {0};
    if (pl_catalog_load(cat, &catalog, &err) != 0) {
        fprintf(stderr, "fuzz_tree: catalog %s: %s\n", cat, err.msg);
        abort();
    }
    atexit(free_all);
    return 0;
}

static void write_reports(const pl_input_result *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    FUZZ_CHECK(f);
    pl_report_writer w;
    pl_report_style style = {0};
    pl_report_begin(&w, f, PL_FMT_JSON, &style);
    FUZZ_CHECK(pl_report_item(&w, r) == 0);
    FUZZ_CHECK(pl_report_end(&w) == 0);
    fclose(f);
    json_tokener *tok = json_tokener_new();
    json_object *obj = json_tokener_parse_ex(tok, buf, (int)len);
    if (!obj || json_tokener_get_error(tok) != json_tokener_success) {
        fprintf(stderr, "invalid JSON report: %s\n%s\n",
                json_tokener_error_desc(json_tokener_get_error(tok)), buf);
        abort();
    }
    json_object_put(obj);
    json_tokener_free(tok);
    free(buf);

    static const pl_format others[] = {PL_FMT_TEXT, PL_FMT_CSV, PL_FMT_JSONL};
    for (size_t i = 0; i < sizeof others / sizeof *others; i++) {
        buf = NULL;
        len = 0;
        f = open_memstream(&buf, &len);
        FUZZ_CHECK(f);
        pl_report_style verbose = {.verbose = 1};
        pl_report_begin(&w, f, others[i], &verbose);
        FUZZ_CHECK(pl_report_item(&w, r) == 0);
        FUZZ_CHECK(pl_report_end(&w) == 0);
        fclose(f);
        free(buf);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t which = data[0] % NFILES;
    char p[8192];
    snprintf(p, sizeof p, "%s/%s", root, files[which]);
    FUZZ_CHECK(fuzz_write_file(p, data + 1, size - 1) == 0);

    pl_analysis_options opt;
    memset(&opt, 0, sizeof opt);
    opt.catalog = &catalog;
    pl_input_result r;
    pl_analyze_input(root, &opt, &r);
    FUZZ_CHECK(r.ninsts == 1 || r.errors.len > 0);
    write_reports(&r);
    pl_input_result_free(&r);

    FUZZ_CHECK(fuzz_write_file(p, orig[which], orig_len[which]) == 0);
    return 0;
}
