/* Damaged WIMs read by our own reader (src/sources/wim_image.c): each
 * damage gives a clear message with the right code, never a hang or a
 * crash. The WIMs are captured here from the good tree with
 * wimlib-imagex (uncompressed, so that the metadata can be patched in
 * place, or LZX for a chunk table) and patched here; where the metadata
 * resource is patched, its SHA-1 in the blob table is recomputed, so that
 * the damage itself is what the reader meets. */
#include <check.h>
#include <json-c/json.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../check_main.h"
#include "faults.h"

typedef struct {
    long offset;          /* of the entry in the file */
    uint64_t stored, at, size;
    int flags;
} blob;

typedef struct {
    uint8_t *data;
    size_t len;
    blob metadata;        /* image 1's */
    blob largest;         /* the largest file blob (the SOFTWARE hive) */
} wim_view;

static uint64_t le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void put_le(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++, v >>= 8)
        p[i] = (uint8_t)v;
}

static void load(const char *path, wim_view *w)
{
    memset(w, 0, sizeof *w);
    FILE *fp = fopen(path, "rb");
    ck_assert_ptr_nonnull(fp);
    fseek(fp, 0, SEEK_END);
    w->len = (size_t)ftell(fp);
    fseek(fp, 0, SEEK_SET);
    w->data = malloc(w->len);
    ck_assert_uint_eq(fread(w->data, 1, w->len, fp), w->len);
    fclose(fp);
    /* header: blob table reshdr at 48 (size 7 bytes, flags, offset, size) */
    uint64_t toff = le(w->data + 56, 8), tsize = le(w->data + 64, 8);
    ck_assert(toff + tsize <= w->len);
    for (uint64_t i = 0; i + 50 <= tsize; i += 50) {
        const uint8_t *e = w->data + toff + i;
        blob b = {(long)(toff + i), le(e, 7), le(e + 8, 8), le(e + 16, 8), e[7]};
        if ((b.flags & 2) && !w->metadata.offset)
            w->metadata = b;
        else if (!(b.flags & 2) && b.size > w->largest.size)
            w->largest = b;
    }
    ck_assert(w->metadata.offset && w->largest.offset);
}

static void save(const char *path, const wim_view *w)
{
    fault_write(path, w->data, w->len);
}

/* The metadata resource (uncompressed) got new bytes: its SHA-1 too. */
static void rehash_metadata(wim_view *w)
{
    ck_assert(!(w->metadata.flags & 4));
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    ck_assert(EVP_Digest(w->data + w->metadata.at, w->metadata.size, md, &n, EVP_sha1(), NULL));
    memcpy(w->data + w->metadata.offset + 30, md, 20);
}

/* The dentry named name (ASCII) in the uncompressed metadata: its offset
 * in the file. */
static size_t find_dentry(const wim_view *w, const char *name)
{
    size_t n = strlen(name);
    uint8_t u[128];
    for (size_t i = 0; i < n; i++)
        u[2 * i] = (uint8_t)name[i], u[2 * i + 1] = 0;
    const uint8_t *m = w->data + w->metadata.at;
    for (size_t i = 102; i + 2 * n <= w->metadata.size; i++)
        if (memcmp(m + i, u, 2 * n) == 0 && le(m + i - 2, 2) == 2 * n)
            return w->metadata.at + i - 102;
    ck_abort_msg("no dentry %s", name);
    return 0;
}

/* compress: "none", or "xpress" in 4 KiB chunks (the fixture's hives are
 * 16 KiB: a chunk table of several entries). */
static char *capture(const char *dir, const char *compress)
{
    char *tree = fault_good_tree(dir, "tree");
    char *wim = NULL, *cmd = NULL;
    ck_assert_int_ge(asprintf(&wim, "%s/%s.wim", dir, compress), 0);
    ck_assert_int_ge(asprintf(&cmd, "wimlib-imagex capture '%s' '%s' one --compress=%s %s "
                                    ">/dev/null", tree, wim, compress,
                              strcmp(compress, "none") ? "--chunk-size=4096" : ""), 0);
    ck_assert_int_eq(system(cmd), 0);
    free(cmd);
    free(tree);
    return wim;
}

/* Some object in the result has this code and a message containing
 * fragment (an error or a warning of the input or its installation). */
static int has_detail(json_object *o, const char *code, const char *fragment)
{
    if (json_object_is_type(o, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(o); i++)
            if (has_detail(json_object_array_get_idx(o, i), code, fragment))
                return 1;
        return 0;
    }
    if (!json_object_is_type(o, json_type_object))
        return 0;
    json_object *c, *m;
    if (json_object_object_get_ex(o, "code", &c) && json_object_object_get_ex(o, "message", &m) &&
        strcmp(json_object_get_string(c), code) == 0 &&
        strstr(json_object_get_string(m), fragment))
        return 1;
    json_object_object_foreach(o, k, v) {
        (void)k;
        if (has_detail(v, code, fragment))
            return 1;
    }
    return 0;
}

static void expect(const char *wim, const char *code, const char *fragment)
{
    e2e_run r;
    json_object *o = fault_run(&r, wim);
    ck_assert_msg(has_detail(o, code, fragment), "no %s \"%s\" in %s", code, fragment,
                  json_object_to_json_string(o));
    e2e_free(&r);
}

static int have_imagex(void)
{
    if (system("wimlib-imagex --version >/dev/null 2>&1") == 0)
        return 1;
    printf("wimlib-imagex not found: damaged WIMs not made\n");
    return 0;
}

/* Capture the fixture tree (compress: see capture), damage the WIM with
 * damage(), write it back and expect an error or warning of code whose
 * message holds fragment. */
static void check_damage(const char *compress, void (*damage)(wim_view *w), const char *code,
                         const char *fragment)
{
    if (!have_imagex())
        return;
    char *dir = fault_tmpdir();
    char *wim = capture(dir, compress);
    wim_view w;
    load(wim, &w);
    damage(&w);
    save(wim, &w);
    expect(wim, code, fragment);
    free(w.data);
    free(wim);
    fault_rmrf(dir);
    free(dir);
}

/* The metadata resource said to run past the end of the file. */
static void cut_metadata(wim_view *w)
{
    uint64_t big = w->len;   /* stored = size, as uncompressed resources must be */
    put_le(w->data + w->metadata.offset, big, 7);
    put_le(w->data + w->metadata.offset + 16, big, 8);
}

START_TEST(metadata_cut)
{
    check_damage("none", cut_metadata, "truncated", "truncated: a resource lies at bytes");
}
END_TEST

/* The SOFTWARE hive's first chunk table entry points past its resource. */
static void break_chunk_table(wim_view *w)
{
    ck_assert(w->largest.flags & 4);
    ck_assert_uint_gt(w->largest.size, 4096);
    put_le(w->data + w->largest.at, 0xFFFFFFF0u, 4);
}

START_TEST(bad_chunk_table_entry)
{
    check_damage("xpress", break_chunk_table, "corrupt", "bad chunk table entry 0");
}
END_TEST

/* A byte of the SOFTWARE hive changed: its SHA-1 no longer matches. */
static void flip_hive_byte(wim_view *w)
{
    w->data[w->largest.at + w->largest.size / 2] ^= 0x55;
}

START_TEST(blob_sha1_mismatch)
{
    check_damage("none", flip_hive_byte, "corrupt", "does not match its SHA-1");
}
END_TEST

/* system32's children are said to be those of WINDOWS, its parent. */
static void loop_system32(wim_view *w)
{
    size_t sys32 = find_dentry(w, "system32"), windows = find_dentry(w, "WINDOWS");
    memcpy(w->data + sys32 + 16, w->data + windows + 16, 8);
    rehash_metadata(w);
}

START_TEST(subdir_cycle)
{
    check_damage("none", loop_system32, "corrupt", "form a cycle");
}
END_TEST

/* system32's name is said to be longer than its dentry. */
static void stretch_name(wim_view *w)
{
    put_le(w->data + find_dentry(w, "system32") + 100, 0x7FFE, 2);
    rehash_metadata(w);
}

START_TEST(name_past_dentry)
{
    check_damage("none", stretch_name, "corrupt", "which do not fit in its");
}
END_TEST

/* The metadata is damaged but its SHA-1 not updated: caught at open. */
static void rename_without_rehash(wim_view *w)
{
    w->data[find_dentry(w, "system32") + 102] ^= 0x20;   /* "System32" */
}

START_TEST(metadata_sha1_mismatch)
{
    check_damage("none", rename_without_rehash, "corrupt",
                 "the metadata resource does not match its SHA-1");
}
END_TEST

/* The SOFTWARE hive, then the metadata resource, said to be 2^50 bytes:
 * refused by the limit before anything is allocated or read. (Compressed:
 * wimlib refuses at open an uncompressed resource whose sizes differ.) */
static void huge_hive(wim_view *w)
{
    put_le(w->data + w->largest.offset + 16, 1ull << 50, 8);
}

static void huge_metadata(wim_view *w)
{
    put_le(w->data + w->metadata.offset + 16, 1ull << 50, 8);
}

START_TEST(huge_declared_size)
{
    check_damage("xpress", huge_hive, "limit", "file is 1125899906842624 bytes, over the limit of");
    check_damage("xpress", huge_metadata, "limit",
                 "the metadata resource of image 1 is 1125899906842624 bytes");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("faults-wim-reader");
    TCase *tc = tcase_create("wim-reader");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, metadata_cut);
    tcase_add_test(tc, bad_chunk_table_entry);
    tcase_add_test(tc, blob_sha1_mismatch);
    tcase_add_test(tc, subdir_cycle);
    tcase_add_test(tc, name_past_dentry);
    tcase_add_test(tc, metadata_sha1_mismatch);
    tcase_add_test(tc, huge_declared_size);
    suite_add_tcase(s, tc);
    return pl_run_suite(s);
}
