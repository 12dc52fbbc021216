/* Inputs are only ever read. Copies of one input of every kind (raw,
 * fixed VHD, VMDK, E01 segments, differencing VHD, VHDX and qcow2 chains,
 * WIM, split WIM, a bare hive with its logs, a tree) are made read-only
 * (files 0444, directories 0555) and analyzed in one run:
 *  - as any user, every one of them is analyzed (nothing needs write access);
 *  - through an LD_PRELOAD shim (ro_shim.c) that logs every open of a file
 *    under the copies with a flag that could change it: the log stays
 *    empty. Root ignores file modes, so the shim is the check that counts
 *    when the suite runs as root. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../check_main.h"
#include "faults.h"

static const struct {
    const char *src;      /* under fixtures/ */
    const char *input;    /* what is given: relative to the copy */
    const char *container;
} inputs[] = {
    {"disks/bare-ntfs-inconsistent.raw", "bare-ntfs-inconsistent.raw", "raw"},
    {"disks/mbr-sysres-fixed.vhd", "mbr-sysres-fixed.vhd", "vhd"},
    {"disks/mbr-sysres.vmdk", "mbr-sysres.vmdk", "vmdk"},
    {"disks/segments-6003.E01", "segments-6003.E01", "e01"},
    {"disks/segments-6003.E02", NULL, NULL},
    {"disks/chain-vhd", "chain-vhd/child.avhd", "vhd"},
    {"disks/chain-vhdx", "chain-vhdx/child.avhdx", "vhdx"},
    {"disks/chain-qcow2", "chain-qcow2/overlay-pending-6003.qcow2", "qcow2"},
    {"wim/multi.wim", "multi.wim", "wim"},
    {"wim/split.swm", "split.swm", "swm"},
    {"wim/split2.swm", NULL, NULL},
    {"trees-dirty/ws2008-dirty", "ws2008-dirty", "dir"},
    {"hives-dirty/dirty-new", "dirty-new/SOFTWARE", "hive"},
};
#define NINPUTS (sizeof inputs / sizeof *inputs)

static char *dir, *copy;

static void make_copies(void)
{
    dir = fault_tmpdir();
    copy = fault_join(dir, "ro");
    ck_assert_int_eq(mkdir(copy, 0755), 0);
    for (size_t i = 0; i < NINPUTS; i++)
        fault_copy(e2e_fixture(inputs[i].src), copy);
    char *cmd = NULL;
    ck_assert_int_ge(asprintf(&cmd, "chmod -R a-w '%s'", copy), 0);
    ck_assert_int_eq(system(cmd), 0);
    free(cmd);
}

static void drop_copies(void)
{
    fault_rmrf(dir);
    free(copy);
    free(dir);
}

/* Run on every input; all analyzed, none failed. */
static void analyze_all(void)
{
    const char *args[2 + NINPUTS + 1] = {"-f", "json"};
    char *paths[NINPUTS] = {0};
    size_t n = 2;
    for (size_t i = 0; i < NINPUTS; i++)
        if (inputs[i].input)
            args[n++] = paths[i] = fault_join(copy, inputs[i].input);
    args[n] = NULL;
    e2e_run r;
    e2e_exec(&r, args);
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    ck_assert_ptr_nonnull(r.json);
    size_t k = 0;
    for (size_t i = 0; i < NINPUTS; i++) {
        if (!inputs[i].input)
            continue;
        char key[32];
        snprintf(key, sizeof key, "%zu", k++);
        json_object *o = jget(r.json, key);
        ck_assert_str_eq(jstr(o, "input"), paths[i]);
        ck_assert_str_eq(jstr(o, "container"), inputs[i].container);
        ck_assert_msg(jlen(o, "errors") == 0, "%s: %s", paths[i], jstr(o, "errors.0"));
        ck_assert_int_ge(jlen(o, "installations"), 1);
        free(paths[i]);
    }
    e2e_free(&r);
}

START_TEST(read_only_copies_are_analyzed)
{
    make_copies();
    struct stat sb;
    char *one = fault_join(copy, "multi.wim");
    ck_assert_int_eq(stat(one, &sb), 0);
    ck_assert_int_eq(sb.st_mode & 0777, 0444);
    free(one);
    analyze_all();
    drop_copies();
}
END_TEST

START_TEST(inputs_are_never_opened_for_writing)
{
    const char *src = getenv("PL_SOURCE_DIR"), *cc = getenv("CC");
    ck_assert_msg(src != NULL, "PL_SOURCE_DIR is not set (run through make check)");
    make_copies();
    char *shim = fault_join(dir, "ro_shim.so"), *log = fault_join(dir, "writes.log");
    char *cmd = NULL;
    ck_assert_int_ge(asprintf(&cmd, "%s -shared -fPIC -O2 -o '%s' '%s/tests/faults/ro_shim.c' -ldl",
                              cc && *cc ? cc : "cc", shim, src),
                     0);
    ck_assert_msg(system(cmd) == 0, "cannot build the shim: %s", cmd);
    free(cmd);
    /* an AddressSanitizer build wants its runtime first among the
     * preloaded libraries: the shim only wraps open calls, so let it be */
    const char *asan = getenv("ASAN_OPTIONS");
    char *asan_opts = NULL;
    ck_assert_int_ge(asprintf(&asan_opts, "%s%sverify_asan_link_order=0", asan ? asan : "",
                              asan && *asan ? ":" : ""),
                     0);
    char *saved_asan = asan ? strdup(asan) : NULL;
    setenv("ASAN_OPTIONS", asan_opts, 1);
    setenv("LD_PRELOAD", shim, 1);
    setenv("PL_RO_WATCH", copy, 1);
    setenv("PL_RO_LOG", log, 1);
    analyze_all();
    unsetenv("LD_PRELOAD");
    if (saved_asan)
        setenv("ASAN_OPTIONS", saved_asan, 1);
    else
        unsetenv("ASAN_OPTIONS");
    free(saved_asan);
    free(asan_opts);
    FILE *f = fopen(log, "r");
    char line[512] = "";
    if (f) {
        if (!fgets(line, sizeof line, f))
            line[0] = '\0';
        fclose(f);
    }
    ck_assert_msg(line[0] == '\0', "an input was opened for writing: %s", line);
    /* and the shim does see such an open: touch a file in the copy */
    ck_assert_int_ge(asprintf(&cmd, "LD_PRELOAD='%s' touch '%s/probe'", shim, copy), 0);
    ck_assert_int_eq(system(cmd), 0);
    free(cmd);
    unsetenv("PL_RO_WATCH");
    unsetenv("PL_RO_LOG");
    f = fopen(log, "r");
    ck_assert_msg(f && fgets(line, sizeof line, f) && strstr(line, "/probe"),
                  "the shim did not log a write-open");
    fclose(f);
    free(shim);
    free(log);
    drop_copies();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("faults-readonly");
    TCase *tc = tcase_create("readonly");
    tcase_set_timeout(tc, 900);
    tcase_add_test(tc, read_only_copies_are_analyzed);
    tcase_add_test(tc, inputs_are_never_opened_for_writing);
    suite_add_tcase(s, tc);
    return pl_run_suite(s);
}
