/* Unit tests for src/sources/wim_image.c: every WIM fixture, and WIMs made
 * here with each compression wimlib writes (none, XPRESS, LZX, LZMS, and
 * small chunks), walked whole through our reader and through wimlib; the
 * listing, the sizes and the bytes of every file must agree. The WIMs our
 * reader declines (solid ESD, split parts) must be declined, not misread. */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wimlib.h>

#include "sources/source.h"
#include "sources/wim_image.h"
#include "util/limits.h"
#include "util/tmpdir.h"
#include "../check_main.h"

/* ---- what wimlib sees ------------------------------------------------------ */

typedef struct {
    char *path;        /* relative to the image root, "" for the root */
    char *parent;
    char *name;
    int is_dir, reparse;
    uint64_t size;
} entry;

typedef struct {
    entry *items;
    size_t n, cap;
} entries;

static int collect(const struct wimlib_dir_entry *d, void *vctx)
{
    entries *es = vctx;
    if (es->n == es->cap) {
        es->cap = es->cap ? es->cap * 2 : 256;
        es->items = realloc(es->items, es->cap * sizeof *es->items);
        ck_assert_ptr_nonnull(es->items);
    }
    entry *e = &es->items[es->n++];
    const char *full = d->full_path;
    while (*full == '/')
        full++;
    e->path = strdup(full);
    const char *slash = strrchr(e->path, '/');
    e->parent = slash ? strndup(e->path, (size_t)(slash - e->path)) : strdup("");
    e->name = strdup(d->filename ? d->filename : "");
    e->is_dir = (d->attributes & WIMLIB_FILE_ATTRIBUTE_DIRECTORY) != 0;
    e->reparse = (d->attributes & WIMLIB_FILE_ATTRIBUTE_REPARSE_POINT) != 0;
    e->size = d->streams[0].resource.uncompressed_size;
    return 0;
}

static void entries_free(entries *es)
{
    for (size_t i = 0; i < es->n; i++) {
        free(es->items[i].path);
        free(es->items[i].parent);
        free(es->items[i].name);
    }
    free(es->items);
}

/* ---- what our reader lists -------------------------------------------------- */

typedef struct {
    char **names;
    int *dirs;
    size_t n, cap;
} listing;

static int list_cb(const char *name, int is_dir, void *vctx)
{
    listing *l = vctx;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->names = realloc(l->names, l->cap * sizeof *l->names);
        l->dirs = realloc(l->dirs, l->cap * sizeof *l->dirs);
    }
    l->names[l->n] = strdup(name);
    l->dirs[l->n++] = is_dir;
    return 0;
}

static void listing_free(listing *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->names[i]);
    free(l->names);
    free(l->dirs);
}

static uint8_t *slurp(const char *path, size_t *len)
{
    return pl_test_read_file(path, len);
}

/* One image: every entry wimlib lists is found by our reader with the
 * same kind and size; every directory lists the same children; every
 * regular file reads the same bytes as wimlib extracted. Returns the
 * number of files compared. */
static size_t compare_image(WIMStruct *wim, pl_wim_file *f, int image, const char *tmp)
{
    entries es = {0};
    ck_assert_int_eq(wimlib_iterate_dir_tree(wim, image, "/",
                                             WIMLIB_ITERATE_DIR_TREE_FLAG_RECURSIVE, collect, &es),
                     0);
    char *out;
    ck_assert_int_ge(asprintf(&out, "%s/image%d", tmp, image), 0);
    ck_assert_int_eq(wimlib_extract_image(wim, image, out,
                                          WIMLIB_EXTRACT_FLAG_NO_ACLS |
                                              WIMLIB_EXTRACT_FLAG_NORPFIX |
                                              WIMLIB_EXTRACT_FLAG_NO_ATTRIBUTES),
                     0);
    pl_wim_image *im = NULL;
    pl_err err;
    ck_assert_msg(pl_wim_image_open(f, (unsigned)image, &im, &err) == 0, "%s", err.msg);
    size_t files = 0;
    for (size_t i = 0; i < es.n; i++) {
        const entry *e = &es.items[i];
        pl_wim_stat st;
        ck_assert_msg(pl_wim_image_stat(im, e->path, &st, &err) == 1, "stat %s", e->path);
        ck_assert_int_eq(st.is_dir, e->is_dir);
        ck_assert_int_eq(st.reparse, e->reparse);
        ck_assert_msg(st.size == e->size, "%s: %llu vs wimlib %llu", e->path,
                      (unsigned long long)st.size, (unsigned long long)e->size);
        if (e->is_dir) {
            listing l = {0};
            ck_assert_int_eq(pl_wim_image_list(im, e->path, list_cb, &l, &err), 0);
            size_t children = 0;
            for (size_t j = 0; j < es.n; j++) {
                if (j == i || strcmp(es.items[j].parent, e->path) != 0 || !es.items[j].path[0])
                    continue;
                children++;
                size_t k = 0;
                while (k < l.n && strcmp(l.names[k], es.items[j].name) != 0)
                    k++;
                ck_assert_msg(k < l.n, "%s not listed in %s", es.items[j].name, e->path);
                ck_assert_int_eq(l.dirs[k], es.items[j].is_dir);
            }
            ck_assert_uint_eq(l.n, children);
            listing_free(&l);
        } else if (!e->reparse) {
            uint8_t *data = NULL;
            size_t len = 0;
            ck_assert_msg(pl_wim_image_read(im, e->path, UINT64_MAX, &data, &len, &err) == 0,
                          "read %s: %s", e->path, err.msg);
            char *host;
            ck_assert_int_ge(asprintf(&host, "%s/%s", out, e->path), 0);
            size_t want_len;
            uint8_t *want = slurp(host, &want_len);
            ck_assert_uint_eq(len, want_len);
            ck_assert_msg(memcmp(data, want, len) == 0, "%s differs", e->path);
            free(want);
            free(host);
            free(data);
            files++;
        }
    }
    /* names match with ASCII case folded; a missing one is no error */
    pl_wim_stat st;
    for (size_t i = 0; i < es.n; i++) {
        char *upper = strdup(es.items[i].path);
        for (char *p = upper; *p; p++)
            if (*p >= 'a' && *p <= 'z')
                *p = (char)(*p - 32);
        ck_assert_int_eq(pl_wim_image_stat(im, upper, &st, &err), 1);
        free(upper);
    }
    ck_assert_int_eq(pl_wim_image_stat(im, "no/such/file", &st, &err), 0);
    pl_wim_image_close(im);
    free(out);
    entries_free(&es);
    return files;
}

/* The whole WIM at path, every image. 1 compared, 0 declined. */
static int compare_wim(const char *path)
{
    WIMStruct *wim = NULL;
    ck_assert_int_eq(wimlib_open_wim(path, 0, &wim), 0);
    struct wimlib_wim_info info;
    wimlib_get_wim_info(wim, &info);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ck_assert_int_ge(fd, 0);
    pl_wim_file *f = NULL;
    char why[128] = "";
    pl_err err;
    int rc = pl_wim_file_open(fd, &f, why, sizeof why, &err);
    ck_assert_msg(rc >= 0, "%s: %s", path, err.msg);
    if (rc == 1) {
        ck_assert_uint_eq(pl_wim_file_image_count(f), info.image_count);
        char *tmp = pl_tmpdir_create("test-wim-image", &err);
        ck_assert_ptr_nonnull(tmp);
        size_t files = 0;
        for (int i = 1; i <= (int)info.image_count; i++)
            files += compare_image(wim, f, i, tmp);
        ck_assert_uint_gt(files, 0);
        pl_tmpdir_remove(tmp);
        free(tmp);
        pl_wim_file_close(f);
    } else {
        ck_assert_msg(why[0] != '\0', "declined without a reason");
    }
    close(fd);
    wimlib_free(wim);
    return rc;
}

START_TEST(fixtures_read_alike)
{
    ck_assert_int_eq(compare_wim(pl_test_fixture("wim/multi.wim")), 1);
    ck_assert_int_eq(compare_wim(pl_test_fixture("wim/compat6002.wim")), 1);
}
END_TEST

START_TEST(fixtures_declined)
{
    /* solid LZMS (version 0xE00) and the parts of a split WIM are wimlib's */
    ck_assert_int_eq(compare_wim(pl_test_fixture("wim/install.esd")), 0);
    ck_assert_int_eq(compare_wim(pl_test_fixture("wim/split.swm")), 0);
    ck_assert_int_eq(compare_wim(pl_test_fixture("wim/split2.swm")), 0);
}
END_TEST

/* Every WIM in fixtures/wim is covered by one of the two tests above. */
START_TEST(every_fixture_is_covered)
{
    DIR *d = opendir(pl_test_fixture("wim"));
    ck_assert_ptr_nonnull(d);
    const char *known[] = {"multi.wim", "compat6002.wim", "install.esd", "split.swm",
                           "split2.swm"};
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        int found = 0;
        for (size_t i = 0; i < sizeof known / sizeof *known; i++)
            found |= strcmp(de->d_name, known[i]) == 0;
        ck_assert_msg(found, "fixtures/wim/%s is not compared: add it here", de->d_name);
    }
    closedir(d);
}
END_TEST

/* A WIM of a fixture tree in the given compression and chunk size (0:
 * wimlib's default), written here through wimlib. */
static char *make_wim(const char *tmp, int ctype, uint32_t chunk, const char *name)
{
    WIMStruct *wim = NULL;
    ck_assert_int_eq(wimlib_create_new_wim((enum wimlib_compression_type)ctype, &wim), 0);
    if (chunk)
        ck_assert_int_eq(wimlib_set_output_chunk_size(wim, chunk), 0);
    ck_assert_int_eq(wimlib_add_image(wim, pl_test_fixture("trees/ws2008-6003-rollups"), "one", NULL,
                                      0),
                     0);
    ck_assert_int_eq(wimlib_add_image(wim, pl_test_fixture("trees/vista-x86-6003"), "two", NULL, 0), 0);
    char *path;
    ck_assert_int_ge(asprintf(&path, "%s/%s", tmp, name), 0);
    ck_assert_int_eq(wimlib_write(wim, path, WIMLIB_ALL_IMAGES, 0, 0), 0);
    wimlib_free(wim);
    return path;
}

START_TEST(every_compression_reads_alike)
{
    pl_err err;
    char *tmp = pl_tmpdir_create("test-wim-make", &err);
    ck_assert_ptr_nonnull(tmp);
    const struct {
        int ctype;
        uint32_t chunk;
        const char *name;
    } kinds[] = {
        {WIMLIB_COMPRESSION_TYPE_NONE, 0, "none.wim"},
        {WIMLIB_COMPRESSION_TYPE_XPRESS, 0, "xpress.wim"},
        {WIMLIB_COMPRESSION_TYPE_XPRESS, 4096, "xpress-4k.wim"},
        {WIMLIB_COMPRESSION_TYPE_LZX, 0, "lzx.wim"},
        {WIMLIB_COMPRESSION_TYPE_LZX, 1u << 21, "lzx-2m.wim"},
        {WIMLIB_COMPRESSION_TYPE_LZMS, 0, "lzms.wim"},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
        char *path = make_wim(tmp, kinds[i].ctype, kinds[i].chunk, kinds[i].name);
        ck_assert_msg(compare_wim(path) == 1, "%s declined", kinds[i].name);
        free(path);
    }
    pl_tmpdir_remove(tmp);
    free(tmp);
}
END_TEST

/* lookup: an exact name yes, a case variant "cannot tell" (the resolution
 * then lists the directory for the stored spelling), absence no. */
START_TEST(lookup_contract)
{
    int fd = open(pl_test_fixture("wim/multi.wim"), O_RDONLY | O_CLOEXEC);
    ck_assert_int_ge(fd, 0);
    pl_wim_file *f = NULL;
    pl_wim_image *im = NULL;
    pl_err err;
    char why[128];
    ck_assert_int_eq(pl_wim_file_open(fd, &f, why, sizeof why, &err), 1);
    ck_assert_int_eq(pl_wim_image_open(f, 1, &im, &err), 0);
    listing root = {0};
    ck_assert_int_eq(pl_wim_image_list(im, "", list_cb, &root, &err), 0);
    ck_assert_uint_gt(root.n, 0);
    int is_dir = -1;
    ck_assert_int_eq(pl_wim_image_lookup(im, "", root.names[0], &is_dir), 1);
    ck_assert_int_eq(is_dir, root.dirs[0]);
    char *variant = strdup(root.names[0]);
    for (char *p = variant; *p; p++)
        *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    ck_assert_int_eq(pl_wim_image_lookup(im, "", variant, &is_dir), -1);
    ck_assert_int_eq(pl_wim_image_lookup(im, "", "no-such-name", &is_dir), 0);
    ck_assert_int_eq(pl_wim_image_lookup(im, "", "a/b", &is_dir), -1);
    /* listing a file gives nothing; listing what is not there fails */
    listing none = {0};
    ck_assert_int_eq(pl_wim_image_list(im, "no/such/dir", list_cb, &none, &err), -1);
    ck_assert_int_eq(err.code, PL_ERR_NOT_FOUND);
    /* images out of range */
    pl_wim_image *bad = NULL;
    ck_assert_int_eq(pl_wim_image_open(f, 0, &bad, &err), -1);
    ck_assert_int_eq(pl_wim_image_open(f, 99, &bad, &err), -1);
    free(variant);
    listing_free(&root);
    pl_wim_image_close(im);
    pl_wim_file_close(f);
    close(fd);
}
END_TEST

static int first_file(pl_wim_image *im, const char *dir, char *out, size_t cap, pl_wim_stat *st,
                      int depth)
{
    listing l = {0};
    pl_err err;
    int found = 0;
    ck_assert_int_eq(pl_wim_image_list(im, dir, list_cb, &l, &err), 0);
    for (size_t i = 0; i < l.n && !found && depth < 12; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s%s%s", dir, dir[0] ? "/" : "", l.names[i]);
        if (l.dirs[i]) {
            found = first_file(im, path, out, cap, st, depth + 1);
        } else if (pl_wim_image_stat(im, path, st, &err) == 1 && st->size > 1) {
            snprintf(out, cap, "%s", path);
            found = 1;
        }
    }
    listing_free(&l);
    return found;
}

/* A file over the caller's limit is refused before it is read. */
START_TEST(read_limit)
{
    int fd = open(pl_test_fixture("wim/multi.wim"), O_RDONLY | O_CLOEXEC);
    pl_wim_file *f = NULL;
    pl_wim_image *im = NULL;
    pl_err err;
    char why[128];
    ck_assert_int_eq(pl_wim_file_open(fd, &f, why, sizeof why, &err), 1);
    ck_assert_int_eq(pl_wim_image_open(f, 1, &im, &err), 0);
    listing root = {0};
    ck_assert_int_eq(pl_wim_image_list(im, "", list_cb, &root, &err), 0);
    /* the first file of more than one byte, depth first */
    char buf[512];
    pl_wim_stat st;
    const char *path = first_file(im, "", buf, sizeof buf, &st, 0) ? buf : NULL;
    ck_assert_ptr_nonnull(path);
    uint8_t *data = NULL;
    size_t len = 0;
    ck_assert_int_eq(pl_wim_image_read(im, path, st.size - 1, &data, &len, &err), -1);
    ck_assert_int_eq(err.code, PL_ERR_LIMIT);
    ck_assert_int_eq(pl_wim_image_read(im, path, st.size, &data, &len, &err), 0);
    ck_assert_uint_eq(len, st.size);
    free(data);
    /* a directory is not read */
    ck_assert_int_eq(pl_wim_image_read(im, root.names[0], UINT64_MAX, &data, &len, &err), -1);
    listing_free(&root);
    pl_wim_image_close(im);
    pl_wim_file_close(f);
    close(fd);
}
END_TEST

/* Not a WIM, or cut inside the header: an error, never a crash. */
START_TEST(garbage)
{
    pl_err err;
    char why[128];
    pl_wim_file *f = NULL;
    char *tmp = pl_tmpdir_create("test-wim-garbage", &err);
    char *path;
    ck_assert_int_ge(asprintf(&path, "%s/g.wim", tmp), 0);
    FILE *fp = fopen(path, "wb");
    fputs("MSWIM\0\0\0 short", fp);
    fclose(fp);
    int fd = open(path, O_RDONLY);
    ck_assert_int_eq(pl_wim_file_open(fd, &f, why, sizeof why, &err), -1);
    ck_assert_int_eq(err.code, PL_ERR_TRUNCATED);
    close(fd);
    pl_tmpdir_remove(tmp);
    free(tmp);
    free(path);
}
END_TEST

/* Through the WIM source (sources/wim.c): with the reader on and off
 * (wimlib), every image gives the same claim, the same listing of its
 * Windows directory and the same bytes of its hives and kernel. */
static char *volume_digest(const char *input, int own)
{
    pl_wim_set_own_reader(own);
    pl_source *src = NULL;
    pl_err err;
    pl_source_options opt = {0};
    ck_assert_int_eq(pl_source_open(input, &opt, &src, &err), 0);
    char *out = strdup("");
    pl_volume *v;
    while (src->ops->next_volume(src, &v, &err) == 1) {
        char *add = NULL;
        ck_assert_int_ge(asprintf(&add, "%s|%d|%s|%s|%lld\n", out, v->loc.wim_image,
                                  v->loc.wim_image_name ? v->loc.wim_image_name : "-",
                                  v->wim_xml.edition_id ? v->wim_xml.edition_id : "-",
                                  (long long)v->wim_xml.build), 0);
        free(out);
        out = add;
        const char *files[] = {"Windows/System32/config/SOFTWARE",
                               "Windows/System32/config/SYSTEM",
                               "Windows/System32/ntoskrnl.exe", "Windows/no-such-file"};
        for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
            uint8_t *data = NULL;
            size_t len = 0;
            char *exact = NULL;
            int rc = pl_fs_read_ci(v->fs, files[i], PL_MAX_HIVE_BYTES, &data, &len, &exact,
                                   &err);
            unsigned sum = 0;
            for (size_t k = 0; rc == 1 && k < len; k++)
                sum = sum * 31 + data[k];
            ck_assert_int_ge(asprintf(&add, "%s%s=%d:%zu:%u:%s\n", out, files[i], rc, len, sum,
                                      exact ? exact : "-"), 0);
            free(out);
            out = add;
            free(data);
            free(exact);
        }
        listing l = {0};
        char *win = NULL;
        if (pl_fs_resolve(v->fs, "Windows", &win, &err) == 1) {
            ck_assert_int_eq(v->fs->ops->list(v->fs, win, list_cb, &l, &err), 0);
            for (size_t i = 0; i < l.n; i++) {
                ck_assert_int_ge(asprintf(&add, "%s %s%s", out, l.names[i], l.dirs[i] ? "/" : ""),
                                 0);
                free(out);
                out = add;
            }
        }
        free(win);
        listing_free(&l);
        pl_volume_free(v);
    }
    pl_source_close(src);
    pl_wim_set_own_reader(1);
    return out;
}

START_TEST(source_reads_alike_with_either_reader)
{
    const char *inputs[] = {"wim/multi.wim", "wim/compat6002.wim"};
    for (size_t i = 0; i < 2; i++) {
        char *own = volume_digest(pl_test_fixture(inputs[i]), 1);
        char *lib = volume_digest(pl_test_fixture(inputs[i]), 0);
        ck_assert_str_eq(own, lib);
        ck_assert_ptr_nonnull(strstr(own, "config/SOFTWARE=1:"));   /* read, not only absent */
        free(own);
        free(lib);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("wim_image");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, fixtures_read_alike);
    tcase_add_test(tc, fixtures_declined);
    tcase_add_test(tc, every_fixture_is_covered);
    tcase_add_test(tc, every_compression_reads_alike);
    tcase_add_test(tc, lookup_contract);
    tcase_add_test(tc, read_limit);
    tcase_add_test(tc, garbage);
    tcase_add_test(tc, source_reads_alike_with_either_reader);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    /* as sources/wim.c initialises it (the first call wins) */
    wimlib_global_init(WIMLIB_INIT_FLAG_DEFAULT_CASE_INSENSITIVE |
                       WIMLIB_INIT_FLAG_DONT_ACQUIRE_PRIVILEGES);
    return pl_run_suite(suite());
}
