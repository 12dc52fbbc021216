#include "cli/inputs.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sources/disk_internal.h"

/* Lines of a results file we accept, and files we walk. */
#define MAX_RESULT_LINE (256u * 1024 * 1024)
#define MAX_WALK_FILES 10000000
#define WALK_FDS 32

/* ---- discovery ------------------------------------------------------------ */

typedef enum { FOUND_NONE, FOUND_DISK, FOUND_WIM } found_kind;

/* nftw has no context argument: the walk in progress. */
static struct {
    pl_strlist *files;
    size_t seen;
} walk;

static int read_head(const char *path, uint8_t *buf, size_t n)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t r = pread(fd, buf, n, 0);
    close(fd);
    return r == (ssize_t)n ? 0 : -1;
}

/* A WIM part other than the first is read with the first. */
static found_kind classify(const char *path)
{
    uint8_t h[48];
    if (read_head(path, h, sizeof h) == 0 && memcmp(h, "MSWIM\0\0\0", 8) == 0)
        return pl_le16(h + 40) <= 1 ? FOUND_WIM : FOUND_NONE;
    pl_err err;
    return pl_disk_detect(path, &err) != PL_DISK_UNKNOWN ? FOUND_DISK : FOUND_NONE;
}

static int walk_cb(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)ftw;
    if (flag != FTW_F || !S_ISREG(sb->st_mode))
        return 0;
    if (++walk.seen > MAX_WALK_FILES)
        return 1;
    if (classify(path) != FOUND_NONE)
        pl_strlist_push(walk.files, path);
    return 0;
}

/* EWF: segments after the first. VMDK descriptor: its extent files. */
static void add_named_members(const char *path, pl_strlist *members)
{
    pl_disk disk;
    pl_err err;
    if (pl_disk_open(path, NULL, &disk, &err) != 0)
        return;
    /* The chain: parents of a differencing disk, or EWF segments. */
    for (size_t i = 1; i < disk.chain.len; i++) {
        char real[PATH_MAX];
        if (realpath(disk.chain.items[i], real))
            pl_strlist_push(members, real);
    }
    pl_disk_close(&disk);
}

/* The extent files named in a VMDK text descriptor ("RW 6400 SPARSE
 * "name-s001.vmdk""), which are images of their own to the detector. Only
 * a text descriptor names other files: the descriptor embedded in a
 * sparse VMDK names the file itself. */
static void add_vmdk_extents(const char *path, pl_strlist *members)
{
    uint8_t head[21];
    if (read_head(path, head, sizeof head) != 0 || memcmp(head, "# Disk DescriptorFile", 21) != 0)
        return;
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char line[1024], dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        strcpy(dir, ".");
    for (int n = 0; n < 10000 && fgets(line, sizeof line, f); n++) {
        char *q1 = strchr(line, '"'), *q2 = q1 ? strchr(q1 + 1, '"') : NULL;
        if (!q2 || (strncmp(line, "RW ", 3) != 0 && strncmp(line, "RDONLY ", 7) != 0))
            continue;
        *q2 = '\0';
        char *p = pl_xasprintf("%s/%s", dir, q1 + 1);
        char real[PATH_MAX];
        if (realpath(p, real))
            pl_strlist_push(members, real);
        free(p);
    }
    fclose(f);
}

static void drop_members(pl_strlist *files)
{
    pl_strlist members = {0};
    for (size_t i = 0; i < files->len; i++) {
        add_named_members(files->items[i], &members);
        add_vmdk_extents(files->items[i], &members);
    }
    pl_strlist_sort(&members);
    size_t kept = 0;
    for (size_t i = 0; i < files->len; i++) {
        char real[PATH_MAX];
        if (realpath(files->items[i], real) && pl_strlist_sorted_contains(&members, real))
            free(files->items[i]);
        else
            files->items[kept++] = files->items[i];
    }
    files->len = kept;
    pl_strlist_free(&members);
}

void pl_collect_inputs(char *const *paths, int n, int recursive, pl_strlist *inputs,
                       pl_strlist *warnings)
{
    pl_strlist found = {0};
    for (int i = 0; i < n; i++) {
        struct stat sb;
        if (!recursive || stat(paths[i], &sb) != 0 || !S_ISDIR(sb.st_mode)) {
            pl_strlist_push(inputs, paths[i]);
            continue;
        }
        walk.files = &found;
        walk.seen = 0;
        if (nftw(paths[i], walk_cb, WALK_FDS, FTW_PHYS) != 0)
            pl_strlist_pushf(warnings, "%s: the search for images stopped early: %s", paths[i],
                             walk.seen > MAX_WALK_FILES ? "too many files" : strerror(errno));
    }
    pl_strlist_sort(&found);
    drop_members(&found);
    for (size_t i = 0; i < found.len; i++)
        pl_strlist_push(inputs, found.items[i]);
    pl_strlist_free(&found);
}

/* ---- sharding ------------------------------------------------------------- */

unsigned pl_shard_of(const char *path, unsigned n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ull;
    }
    return (unsigned)(h % n) + 1;
}

void pl_shard_inputs(pl_strlist *inputs, unsigned k, unsigned n)
{
    size_t kept = 0;
    for (size_t i = 0; i < inputs->len; i++) {
        if (pl_shard_of(inputs->items[i], n) == k)
            inputs->items[kept++] = inputs->items[i];
        else
            free(inputs->items[i]);
    }
    inputs->len = kept;
}

/* ---- resuming ------------------------------------------------------------- */

char *pl_resume_key(const char *path, int64_t size, int64_t mtime)
{
    return pl_xasprintf("%s\t%lld\t%lld", path, (long long)size, (long long)mtime);
}

static void add_line_key(const char *line, pl_strlist *keys)
{
    json_object *o = json_tokener_parse(line);
    json_object *in = NULL, *sz = NULL, *mt = NULL;
    if (o && json_object_object_get_ex(o, "input", &in) &&
        json_object_object_get_ex(o, "input_size", &sz) &&
        json_object_object_get_ex(o, "input_mtime", &mt) && in && sz && mt)
        pl_strlist_push_owned(keys, pl_resume_key(json_object_get_string(in),
                                                  json_object_get_int64(sz),
                                                  json_object_get_int64(mt)));
    json_object_put(o);
}

/* Cut a partial last line (a run killed mid-write) off the file. */
static int drop_partial_line(const char *path, const char *data, size_t len, pl_err *err)
{
    if (len == 0 || data[len - 1] == '\n')
        return 0;
    const char *nl = memrchr(data, '\n', len);
    off_t keep = nl ? (off_t)(nl - data) + 1 : 0;
    if (truncate(path, keep) != 0) {
        pl_err_set(err, "%s: cannot remove the incomplete last line: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int pl_resume_load(const char *path, pl_strlist *done_keys, pl_err *err)
{
    uint8_t *data = NULL;
    size_t len = 0;
    struct stat sb;
    if (stat(path, &sb) != 0 && errno == ENOENT)
        return 0;
    if (pl_host_read_file(path, 16ull * 1024 * 1024 * 1024, &data, &len, err) != 0) {
        pl_err_prefix(err, "%s", path);
        return -1;
    }
    char *text = pl_xstrndup((const char *)data, len);
    free(data);
    int rc = drop_partial_line(path, text, len, err);
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); rc == 0 && line;
         line = strtok_r(NULL, "\n", &save))
        if (strlen(line) < MAX_RESULT_LINE)
            add_line_key(line, done_keys);
    free(text);
    pl_strlist_sort(done_keys);
    return rc;
}

size_t pl_resume_filter(pl_strlist *inputs, const pl_strlist *done_keys)
{
    size_t kept = 0, skipped = 0;
    for (size_t i = 0; i < inputs->len; i++) {
        struct stat sb;
        char *key = stat(inputs->items[i], &sb) == 0
                        ? pl_resume_key(inputs->items[i], (int64_t)sb.st_size,
                                        (int64_t)sb.st_mtime)
                        : NULL;
        if (key && pl_strlist_sorted_contains(done_keys, key)) {
            free(inputs->items[i]);
            skipped++;
        } else {
            inputs->items[kept++] = inputs->items[i];
        }
        free(key);
    }
    inputs->len = kept;
    return skipped;
}
