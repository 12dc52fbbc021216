/* Faults of issue 13 (input hardening): strings from an image or a file
 * name that would drive a terminal or forge a report line, libxml2 errors
 * printed raw, an allocation sized by a header, a WIM file over the limit
 * of its kind extracted before being refused, a chain loop through a
 * different path to the same file, symbolic links leading out of the
 * input, and a registry listing tens of thousands of packages. Inputs are made here, in a temporary directory, from the
 * fixtures (the large ones sparse). Each case is given together with the
 * good tree, which must still be analyzed. */
#include <check.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../check_main.h"
#include "faults.h"

/* The forged ProductName: exactly as long as "Windows Server (R) 2008
 * Enterprise" (34 characters), so it is patched in place in the hive. */
static const char forged[] = "\x1b]0;XY\x07\n  Build 6003:  YES: forged";
static const char forged_escaped[] = "\\x1b]0;XY\\x07\\n  Build 6003:  YES: forged";

static char *slurp(const char *path, size_t *len)
{
    return (char *)pl_test_read_file(path, len);
}

/* Offset of the UTF-16LE form of ascii in path. */
static long find_utf16(const char *path, const char *ascii)
{
    size_t len, n = strlen(ascii);
    char *d = slurp(path, &len);
    char *w = calloc(2 * n, 1);
    for (size_t i = 0; i < n; i++)
        w[2 * i] = ascii[i];
    long at = -1;
    for (size_t i = 0; i + 2 * n <= len && at < 0; i++)
        if (memcmp(d + i, w, 2 * n) == 0)
            at = (long)i;
    free(w);
    free(d);
    ck_assert_msg(at >= 0, "\"%s\" not found in %s", ascii, path);
    return at;
}

/* Write s (ASCII and control bytes) as UTF-16LE at off. */
static void patch_utf16(const char *path, long off, const char *s)
{
    size_t n = strlen(s);
    char *w = calloc(2 * n, 1);
    for (size_t i = 0; i < n; i++)
        w[2 * i] = s[i];
    fault_patch(path, off, w, 2 * n);
    free(w);
}

static int no_terminal_controls(const char *s)
{
    return !strchr(s, '\x1b') && !strchr(s, '\x07');
}

static char *real(const char *p)
{
    char *r = realpath(p, NULL);
    ck_assert_msg(r != NULL, "%s", p);
    return r;
}

/* ---- 1. terminal- and spreadsheet-safe reports ---------------------------- */

/* A ProductName holding a terminal title sequence, a newline and a forged
 * verdict line: escaped in text and CSV, unchanged (and \u00XX-escaped)
 * in JSON. */
START_TEST(product_name_escaped_in_text_and_csv)
{
    char *dir = fault_tmpdir();
    char *tree = fault_good_tree(dir, "tree");
    char *sw = fault_join(tree, "WINDOWS/system32/config/software");
    ck_assert_uint_eq(strlen(forged), strlen("Windows Server (R) 2008 Enterprise"));
    patch_utf16(sw, find_utf16(sw, "Windows Server (R) 2008 Enterprise"), forged);
    const char *good = e2e_fixture(FAULT_GOOD);

    e2e_run r;
    const char *text[] = {tree, good, NULL};
    e2e_exec(&r, text);
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(no_terminal_controls(r.out), "a control byte reached the text report");
    ck_assert_msg(strstr(r.out, forged_escaped) != NULL, "%s", r.out);
    ck_assert_msg(!strstr(r.out, "\n  Build 6003:  YES"), "a forged verdict line: %s", r.out);
    ck_assert(strstr(r.out, "  Build 6003:  NO: "));   /* the real one, twice */
    e2e_free(&r);

    const char *csv[] = {"-f", "csv", tree, good, NULL};
    e2e_exec(&r, csv);
    ck_assert_int_eq(r.status, 0);
    ck_assert(no_terminal_controls(r.out));
    ck_assert_msg(strstr(r.out, forged_escaped) != NULL, "%s", r.out);
    e2e_free(&r);

    json_object *o = fault_run(&r, tree);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(jstr(o, "installations.0.os.product_name"), forged);
    ck_assert(strstr(r.out, "\\u001b]0;XY\\u0007\\n  Build 6003:"));
    ck_assert(no_terminal_controls(r.out));
    e2e_free(&r);
    fault_rmrf(dir);
    free(sw);
    free(tree);
    free(dir);
}
END_TEST

/* A file found by -r whose name holds the same sequence (a cut VHD, so
 * it is taken as an image and fails): its error on stderr and in the text
 * report shows the name escaped. */
START_TEST(file_name_escaped_on_stderr)
{
    char *dir = fault_tmpdir();
    char *scan = fault_join(dir, "scan");
    ck_assert_int_eq(mkdir(scan, 0755), 0);
    char *name = NULL;
    ck_assert_int_ge(asprintf(&name, "%s/evil%s.vhd", scan, forged), 0);
    fault_copy(fault_fixture("containers/vhd-cut-bat.vhd"), name);
    e2e_run r;
    const char *args[] = {"-r", scan, NULL};
    e2e_exec(&r, args);
    ck_assert_msg(no_terminal_controls(r.err), "a control byte reached stderr");
    ck_assert(no_terminal_controls(r.out));
    char *want = NULL;
    ck_assert_int_ge(asprintf(&want, "patchlevel: %s/evil%s.vhd: cannot open the vhd image: "
                                     "truncated: the footer at the end of the file is missing "
                                     "(the file is 1800 bytes)\n",
                              scan, forged_escaped),
                     0);
    ck_assert_msg(strstr(r.err, want) != NULL, "stderr: %s", r.err);
    ck_assert(!strstr(r.out, "\n  Build 6003:  YES"));
    e2e_free(&r);
    fault_rmrf(dir);
    free(want);
    free(name);
    free(scan);
    free(dir);
}
END_TEST

/* multi.wim with an ESC in the first image's NAME: invalid XML. libxml2's
 * own handler printed the line (ESC included) to stderr, even with -q; its
 * message is now part of the error and nothing else is printed. */
START_TEST(wim_xml_error_collected)
{
    char *dir = fault_tmpdir();
    char *wim = fault_join(dir, "bad-xml.wim");
    fault_copy(e2e_fixture("wim/multi.wim"), wim);
    patch_utf16(wim, find_utf16(wim, "Windows Server 2008 SERVERENTERPRISE"), "\x1b");
    e2e_run r;
    json_object *o = fault_run(&r, wim);
    fault_expect_error(&r, o, wim,
                       "cannot open WIM: The XML data of the WIM is invalid: line 1: PCDATA "
                       "invalid Char value 27");
    ck_assert_msg(no_terminal_controls(r.err) && !strstr(r.err, "parser error"), "stderr: %s",
                  r.err);
    e2e_free(&r);
    const char *quiet[] = {"-q", wim, NULL};
    e2e_exec(&r, quiet);
    ck_assert_int_eq(r.status, 3);
    ck_assert_msg(r.err[0] == '\0', "-q, yet stderr: %s", r.err);
    e2e_free(&r);
    fault_rmrf(dir);
    free(wim);
    free(dir);
}
END_TEST

/* ---- 2. allocation sizes from headers ------------------------------------- */

/* base.vhdx with its metadata region 0xFFF00000 bytes long, in a sparse
 * file long enough to hold it: refused by PL_MAX_VHDX_METADATA_BYTES
 * instead of a 4 GiB allocation (an abort when memory is limited). */
START_TEST(vhdx_metadata_length_bounded)
{
    char *dir = fault_tmpdir();
    char *vhdx = fault_join(dir, "big-metadata.vhdx");
    fault_copy(e2e_fixture("disks/chain-vhdx/base.vhdx"), vhdx);
    /* region table at 192 KiB; entry 1 is the metadata region (at 2 MiB) */
    const uint8_t len[4] = {0x00, 0x00, 0xF0, 0xFF};
    fault_patch(vhdx, 196608 + 16 + 32 + 24, len, 4);
    ck_assert_int_eq(truncate(vhdx, 2097152 + 0xFFF00000ll), 0);
    e2e_run r;
    json_object *o = fault_run(&r, vhdx);
    fault_expect_error(&r, o, vhdx,
                       "cannot open the vhdx image: the metadata region is 4293918720 bytes, "
                       "over the limit of 16777216 bytes");
    e2e_free(&r);
    fault_rmrf(dir);
    free(vhdx);
    free(dir);
}
END_TEST

/* ---- 3. per-kind limits before extraction from a WIM ---------------------- */

/* A WIM whose ntoskrnl.exe is PL_MAX_PE_BYTES + 1 (zeros, so the WIM is
 * small). It was extracted with the hive limit, 256 MiB written to the
 * temporary directory, before the PE limit refused it. The run is made
 * with a 64 MiB file size limit: writing it would kill the analysis. */
START_TEST(wim_pe_over_limit_not_extracted)
{
    if (system("wimlib-imagex --version >/dev/null 2>&1") != 0) {
        printf("wimlib-imagex not found: WIM extraction limit not checked\n");
        return;
    }
    char *dir = fault_tmpdir();
    char *tree = fault_good_tree(dir, "tree");
    char *nt = fault_join(tree, "WINDOWS/system32/NTOSKRNL.EXE");
    ck_assert_int_eq(truncate(nt, 256ll * 1024 * 1024 + 1), 0);
    char *wim = fault_join(dir, "big-kernel.wim");
    char *cmd = NULL;
    ck_assert_int_ge(asprintf(&cmd, "wimlib-imagex capture '%s' '%s' big --compress=fast "
                                    ">/dev/null", tree, wim), 0);
    ck_assert_int_eq(system(cmd), 0);
    char *tmp = fault_join(dir, "tmp");
    ck_assert_int_eq(mkdir(tmp, 0700), 0);
    const char *old_tmp = getenv("TMPDIR");
    char *saved_tmp = old_tmp ? strdup(old_tmp) : NULL;
    setenv("TMPDIR", tmp, 1);
    struct rlimit old, small = {64ll * 1024 * 1024, 64ll * 1024 * 1024};
    ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
    small.rlim_max = old.rlim_max;
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &small), 0);
    e2e_run r;
    json_object *o = fault_run(&r, wim);
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
    if (saved_tmp)
        setenv("TMPDIR", saved_tmp, 1);
    else
        unsetenv("TMPDIR");
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, jstr(o, "errors.0"));
    ck_assert_int_eq(jlen(o, "installations"), 1);
    json_object *i = jget(o, "installations.0");
    const char *const warnings[] = {
        "WINDOWS/system32/NTOSKRNL.EXE: cannot read: file is 268435457 bytes, over the limit of "
        "268435456 bytes",
        NULL};
    fault_expect_warnings(i, warnings);
    ck_assert_int_lt(jint(o, "bytes_read"), 1024 * 1024);
    e2e_free(&r);
    fault_rmrf(dir);
    free(saved_tmp);
    free(tmp);
    free(cmd);
    free(wim);
    free(nt);
    free(tree);
    free(dir);
}
END_TEST

/* ---- 5. chain loops by device and inode ----------------------------------- */

/* A qcow2 whose backing file is "./self.qcow2": a different path to the
 * same file. It went round until the depth limit ("chain is deeper than
 * 16 disks"); it is a loop. */
START_TEST(qcow2_self_loop_by_inode)
{
    if (system("qemu-img --version >/dev/null 2>&1") != 0) {
        printf("qemu-img not found: chain loop not checked\n");
        return;
    }
    char *dir = fault_tmpdir();
    char *cmd = NULL;
    ck_assert_int_ge(asprintf(&cmd, "cd '%s' && qemu-img create -q -f qcow2 self.qcow2 1M && "
                                    "qemu-img rebase -q -u -b ./self.qcow2 -F qcow2 self.qcow2",
                              dir), 0);
    ck_assert_int_eq(system(cmd), 0);
    char *self = fault_join(dir, "self.qcow2");
    char *want = NULL;
    ck_assert_int_ge(asprintf(&want, "parent chain loops back to %s/./self.qcow2 (the same file "
                                     "as %s)", dir, self), 0);
    e2e_run r;
    json_object *o = fault_run(&r, self);
    fault_expect_error(&r, o, self, want);
    e2e_free(&r);
    fault_rmrf(dir);
    free(want);
    free(self);
    free(cmd);
    free(dir);
}
END_TEST

/* ---- 6. symbolic links out of the input ----------------------------------- */

/* The tree's SOFTWARE hive is a link to a (good) hive outside the tree:
 * it was read as the installation's own. */
START_TEST(tree_hive_link_outside)
{
    char *dir = fault_tmpdir();
    char *tree = fault_good_tree(dir, "tree");
    char *sw = fault_join(tree, "WINDOWS/system32/config/software");
    char *outside = fault_join(dir, "host-file");
    fault_copy(sw, outside);
    ck_assert_int_eq(unlink(sw), 0);
    ck_assert_int_eq(symlink(outside, sw), 0);
    char *target = real(outside);
    char *want = NULL;
    ck_assert_int_ge(asprintf(&want, "SOFTWARE hive WINDOWS/system32/config/software: a symbolic "
                                     "link to %s, outside the input directory: not followed",
                              target), 0);
    e2e_run r;
    json_object *o = fault_run(&r, tree);
    ck_assert_int_eq(r.status, 0);
    ck_assert_int_eq(jlen(o, "installations"), 1);
    fault_expect_warning(jget(o, "installations.0"), want);
    e2e_free(&r);
    fault_rmrf(dir);
    free(want);
    free(target);
    free(outside);
    free(sw);
    free(tree);
    free(dir);
}
END_TEST

/* A split VMDK whose extent is a link to a copy in another directory. */
START_TEST(vmdk_extent_link_outside)
{
    char *dir = fault_tmpdir();
    char *img = fault_join(dir, "img"), *other = fault_join(dir, "other");
    ck_assert_int_eq(mkdir(img, 0755), 0);
    ck_assert_int_eq(mkdir(other, 0755), 0);
    char *vmdk = fault_join(img, "mbr-sysres-split.vmdk");
    char *ext = fault_join(img, "mbr-sysres-split-s001.vmdk");
    char *elsewhere = fault_join(other, "mbr-sysres-split-s001.vmdk");
    fault_copy(e2e_fixture("disks/mbr-sysres-split.vmdk"), vmdk);
    fault_copy(e2e_fixture("disks/mbr-sysres-split-s001.vmdk"), elsewhere);
    ck_assert_int_eq(symlink(elsewhere, ext), 0);
    char *target = real(elsewhere);
    char *want = NULL;
    ck_assert_int_ge(asprintf(&want, "cannot open the VMDK: extent file %s is a symbolic link to "
                                     "%s, outside the directory of %s: not followed",
                              ext, target, vmdk), 0);
    e2e_run r;
    json_object *o = fault_run(&r, vmdk);
    fault_expect_error(&r, o, vmdk, want);
    e2e_free(&r);
    fault_rmrf(dir);
    free(want);
    free(target);
    free(elsewhere);
    free(ext);
    free(vmdk);
    free(other);
    free(img);
    free(dir);
}
END_TEST

/* A qcow2 overlay whose backing file, found beside it, is a link to a
 * copy in another directory; given with --parent it is the user's choice. */
START_TEST(parent_disk_link_outside)
{
    char *dir = fault_tmpdir();
    char *img = fault_join(dir, "img"), *other = fault_join(dir, "other");
    ck_assert_int_eq(mkdir(img, 0755), 0);
    ck_assert_int_eq(mkdir(other, 0755), 0);
    char *child = fault_join(img, "overlay-6003.qcow2");
    char *link = fault_join(img, "base-6002.qcow2");
    char *elsewhere = fault_join(other, "base-6002.qcow2");
    fault_copy(e2e_fixture("disks/chain-qcow2/overlay-6003.qcow2"), child);
    fault_copy(e2e_fixture("disks/chain-qcow2/base-6002.qcow2"), elsewhere);
    ck_assert_int_eq(symlink(elsewhere, link), 0);
    char *target = real(elsewhere);
    char *want = NULL;
    ck_assert_int_ge(asprintf(&want, "parent %s is a symbolic link to %s, outside the directory "
                                     "of %s: not followed", link, target, child), 0);
    e2e_run r;
    json_object *o = fault_run(&r, child);
    fault_expect_error(&r, o, child, want);
    e2e_free(&r);
    const char *args[] = {"-f", "json", "--parent", link, child, NULL};
    e2e_exec(&r, args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_int_eq(jlen(r.json, "chain"), 2);
    e2e_free(&r);
    fault_rmrf(dir);
    free(want);
    free(target);
    free(elsewhere);
    free(link);
    free(child);
    free(other);
    free(img);
    free(dir);
}
END_TEST

/* ---- 4. no quadratic pass over hostile counts ------------------------------ */

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The good tree with a SOFTWARE hive listing NPKGS CBS packages, each its
 * own KB, written by bench/gen/mkbighive.c (built here with $CC). 69000:
 * hivex lists at most 70000 subkeys of one key, so this is the most a
 * registry can hand over (tests/unit/test_decisions.c assesses 200000 in
 * memory). KB classification compared every package with every KB: 49 s
 * for this tree; now well under a second. */
#define NPKGS 69000

START_TEST(many_packages_end_to_end)
{
    const char *src = getenv("PL_SOURCE_DIR"), *cc = getenv("CC");
    ck_assert_msg(src != NULL, "PL_SOURCE_DIR is not set (run through make check)");
    char *dir = fault_tmpdir();
    char *tree = fault_good_tree(dir, "tree");
    char *tool = fault_join(dir, "mkbighive"), *spec = fault_join(dir, "software.spec");
    char *hive = fault_join(tree, "WINDOWS/system32/config/software");
    char *cmd = NULL;
    ck_assert_int_ge(asprintf(&cmd, "%s -std=c11 -O2 -o '%s' '%s/bench/gen/mkbighive.c'",
                              cc && *cc ? cc : "cc", tool, src), 0);
    ck_assert_int_eq(system(cmd), 0);
    free(cmd);
    fault_copy(e2e_fixture("gen/hives/ws2008-6002-base-software.spec"), spec);
    FILE *f = fopen(spec, "a");
    ck_assert(f != NULL);
    static const char *const states[] = {"0x70", "0x50", "0x40", "0x60", "0x70"};
    for (int i = 0; i < NPKGS; i++)
        fprintf(f, "[Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\Packages\\"
                   "Package_for_KB%d~31bf3856ad364e35~amd64~~6.0.1.0]\nCurrentState = dword:%s\n",
                1000000 + i, states[i % 5]);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_ge(asprintf(&cmd, "'%s' -n x '%s' '%s' >/dev/null", tool, hive, spec), 0);
    ck_assert_int_eq(system(cmd), 0);
    e2e_run r;
    const char *args[] = {tree, NULL};
    double t0 = now_seconds();
    e2e_exec(&r, args);
    double took = now_seconds() - t0;
    printf("many_packages_end_to_end: %d packages in %.2f s\n", NPKGS, took);
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.out, "Updates:     27600 KBs installed, 13800 superseded, 27600 "
                                "pending or staged (69004 packages)") != NULL, "%.2000s", r.out);
    /* tests/valgrind.sh runs the program under memcheck (~50x slower):
     * the bound then only catches a hang. */
    const char *wrapper = getenv("PL_PROGRAM_WRAPPER");
    double bound = wrapper && *wrapper ? 300.0 : 10.0;
    ck_assert_msg(took < bound, "%d packages took %.1f s", NPKGS, took);
    e2e_free(&r);
    fault_rmrf(dir);
    free(cmd);
    free(hive);
    free(spec);
    free(tool);
    free(tree);
    free(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("faults-hostile");
    TCase *tc = tcase_create("hostile");
    tcase_set_timeout(tc, 900);
    tcase_add_test(tc, product_name_escaped_in_text_and_csv);
    tcase_add_test(tc, file_name_escaped_on_stderr);
    tcase_add_test(tc, wim_xml_error_collected);
    tcase_add_test(tc, vhdx_metadata_length_bounded);
    tcase_add_test(tc, wim_pe_over_limit_not_extracted);
    tcase_add_test(tc, many_packages_end_to_end);
    tcase_add_test(tc, qcow2_self_loop_by_inode);
    tcase_add_test(tc, tree_hive_link_outside);
    tcase_add_test(tc, vmdk_extent_link_outside);
    tcase_add_test(tc, parent_disk_link_outside);
    suite_add_tcase(s, tc);
    return pl_run_suite(s);
}
