/* Differencing disks and overlays: open a child with its module (container.h),
 * find its parent, check the parent is the one the child was made from,
 * attach it, and repeat up the chain. Only the modules' tables are used.
 *
 * Where we look for a parent, in order: the relative locator (VHD "W2ru",
 * qcow2 backing file, VMDK parentFileNameHint) resolved against the child's
 * directory; a file of the same base name beside the child; the --parent
 * files. A candidate is accepted only when its identifier is the one the
 * child expects (the module's identity: VHD/VHDX unique id, VMDK content
 * id); a format with no such id (qcow2) checks a candidate itself
 * (parent_ok). A missing or mismatched parent is an error naming the file:
 * never a silent read of zeros. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sources/disk_internal.h"
#include "util/limits.h"

/* ---- one layer ---------------------------------------------------------- */

static void layer_close_one(pl_layer *l);

static pl_layer *layer_open(const char *path, const pl_container_ops *ops, pl_err *err)
{
    /* A truncated or damaged container is named as such before its
     * library gets to fail on it vaguely. */
    if (ops->check && ops->check(path, err) != 0) {
        pl_err_prefix(err, "cannot open the %s image", ops->name);
        return NULL;
    }
    pl_layer *l = pl_xcalloc(1, sizeof *l);
    l->ops = ops;
    l->path = pl_xstrdup(path);
    int rc = ops->open(l, err);
    struct stat sb;
    if (rc == 0 && stat(path, &sb) != 0) {
        pl_err_setc(err, PL_ERR_IO, "cannot open the %s image: %s", ops->name,
                    strerror(errno));
        layer_close_one(l);
        return NULL;
    }
    if (rc != 0) {
        free(l->priv);
        free(l->path);
        free(l);
        return NULL;
    }
    l->dev = sb.st_dev;
    l->ino = sb.st_ino;
    return l;
}

static void layer_close_one(pl_layer *l)
{
    l->ops->close(l);
    free(l->path);
    free(l);
}

void pl_layer_close_chain(pl_layer *l)
{
    /* The child is closed before its parent: it reads through it. */
    while (l) {
        pl_layer *parent = l->parent;
        layer_close_one(l);
        l = parent;
    }
}

uint64_t pl_layer_media_size(const pl_layer *l)
{
    return l->size;
}

ssize_t pl_layer_read(pl_layer *l, uint64_t off, void *buf, size_t len, pl_err *err)
{
    ssize_t r = l->ops->read(l, off, buf, len, err);
    /* A truncated file in the chain is the likeliest cause: say so. */
    for (pl_layer *p = l; r < 0 && p; p = p->parent) {
        if (p->ops->explain && p->ops->explain(p->path, off, err)) {
            if (p != l) {
                const char *base = strrchr(p->path, '/');
                pl_err_prefix(err, "parent %s", base ? base + 1 : p->path);
            }
            break;
        }
    }
    return r;
}

/* ---- what a child says about its parent ------------------------------- */

static int layer_hint(pl_layer *l, pl_parent_hint *hint, pl_err *err)
{
    memset(hint, 0, sizeof *hint);
    return l->ops->parent_hint ? l->ops->parent_hint(l, hint, err) : 0;
}

/* The identifier a parent presents, comparable with pl_parent_hint.id. */
static int layer_id(pl_layer *l, uint8_t id[16])
{
    memset(id, 0, 16);
    return l->ops->identity ? l->ops->identity(l, id) : -1;
}

static int layer_attach(pl_layer *child, pl_layer *parent, pl_err *err)
{
    int ok = child->ops->attach(child, parent) == 0;
    if (!ok)
        pl_err_setc(err, PL_ERR_LIBRARY, "cannot attach the parent %s", parent->path);
    return ok ? 0 : -1;
}

/* ---- candidates ----------------------------------------------------------- */

static int is_absolute(const char *p)
{
    return p[0] == '/' || (p[0] && p[1] == ':'); /* "C:/..." never exists here */
}

static void add_candidates(const char *child, const pl_parent_hint *hint, const pl_strlist *parents,
                           pl_strlist *out)
{
    char *dir = pl_dir_of(child);
    for (size_t i = 0; i < hint->names.len; i++) {
        char *p = pl_posix_path(hint->names.items[i]);
        if (!is_absolute(p))
            pl_strlist_push_owned(out, pl_xasprintf("%s/%s", dir, p));
        else if (p[0] == '/')
            pl_strlist_push(out, p);
        free(p);
    }
    for (size_t i = 0; i < hint->names.len; i++) {
        char *p = pl_posix_path(hint->names.items[i]);
        const char *base = strrchr(p, '/') ? strrchr(p, '/') + 1 : p;
        if (*base)
            pl_strlist_push_owned(out, pl_xasprintf("%s/%s", dir, base));
        free(p);
    }
    for (size_t i = 0; parents && i < parents->len; i++)
        pl_strlist_push(out, parents->items[i]);
    free(dir);
}

static int file_exists(const char *p)
{
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

static char *hex_id(const uint8_t id[16], int len)
{
    char *s = pl_xmalloc(2 * (size_t)len + 1);
    for (int i = 0; i < len; i++)
        snprintf(s + 2 * i, 3, "%02x", id[i]);
    return s;
}

/* A parent must be readable by the child's library. */
static int same_family(const pl_container_ops *child, const pl_container_ops *parent)
{
    return parent && parent->library && strcmp(child->library, parent->library) == 0;
}

/* "parent disk fat-parent.vhd not found (the child names it
 * ".\fat-parent.vhd"; ...)": the file name first, then the locator. */
static void not_found_error(const pl_parent_hint *hint, pl_err *err)
{
    if (hint->names.len == 0) {
        pl_err_setc(err, PL_ERR_PARENT_MISSING,
                    "the parent disk is not named by the child; give it with --parent FILE");
        return;
    }
    char *p = pl_posix_path(hint->names.items[0]);
    const char *base = strrchr(p, '/') ? strrchr(p, '/') + 1 : p;
    pl_err_setc(err, PL_ERR_PARENT_MISSING,
                "parent disk %s not found (the child names it \"%s\"; looked there and beside "
                "the child; give it with --parent FILE)",
                base, hint->names.items[0]);
    free(p);
}

/* 1 when p is the parent the child expects, else 0 with why set. */
static int parent_matches(pl_layer *child, const pl_parent_hint *hint, pl_layer *p,
                          const pl_strlist *parents, char *why, size_t n)
{
    if (child->ops->parent_ok)
        return child->ops->parent_ok(child, hint, p, parents, why, n);
    uint8_t id[16];
    if (!hint->has_id || (layer_id(p, id) == 0 && memcmp(id, hint->id, 16) == 0))
        return 1;
    char *want = hex_id(hint->id, hint->id_len), *got = hex_id(id, hint->id_len);
    snprintf(why, n, "the child expects identifier %s, the file has %s", want, got);
    free(want);
    free(got);
    return 0;
}

/* Try each candidate; the first that exists and matches wins. A
 * candidate that is a symbolic link leading out of the child's directory
 * is not followed (a --parent FILE is the user's choice and is). */
static pl_layer *find_parent(pl_layer *child, const pl_parent_hint *hint, const pl_strlist *cands,
                             const pl_strlist *parents, pl_err *err)
{
    const char *mismatch = NULL;
    const char *verb = "does not match";
    pl_error_code code = PL_ERR_PARENT_MISMATCH;
    char why[sizeof(pl_err)] = "";
    char unsafe[1024] = "";
    for (size_t i = 0; i < cands->len; i++) {
        const char *c = cands->items[i];
        if (!file_exists(c) || strcmp(c, child->path) == 0)
            continue;
        char *target = NULL;
        if (!(parents && pl_strlist_contains(parents, c)) &&
            pl_link_leaves_dir(c, child->path, &target)) {
            if (!unsafe[0])
                snprintf(unsafe, sizeof unsafe, "parent %.200s is a symbolic link to %.200s, "
                         "outside the directory of %.200s: not followed", c, target, child->path);
            free(target);
            continue;
        }
        pl_err perr;
        const pl_container_ops *pf = pl_container_detect(c, &perr);
        pl_layer *p = NULL;
        if (!same_family(child->ops, pf)) {
            snprintf(why, sizeof why, "not a %s image", child->ops->name);
            verb = "does not match";
            code = PL_ERR_PARENT_MISMATCH;
        } else if (!(p = layer_open(c, pf, &perr))) {
            snprintf(why, sizeof why, "%s", perr.msg);
            verb = "cannot be read";
            code = perr.code;
        }
        if (!p) {
            mismatch = c;
            continue;
        }
        if (parent_matches(child, hint, p, parents, why, sizeof why))
            return p;
        verb = "does not match";
        code = PL_ERR_PARENT_MISMATCH;
        mismatch = c;
        layer_close_one(p);
    }
    if (mismatch)
        pl_err_setc(err, code, "parent %s %s: %s", mismatch, verb, why);
    else if (unsafe[0])
        pl_err_setc(err, PL_ERR_UNSAFE, "%s", unsafe);
    else
        not_found_error(hint, err);
    return NULL;
}

/* ---- the chain ---------------------------------------------------------- */

int pl_layer_has_parent(const char *path, const pl_container_ops *ops, pl_err *err)
{
    pl_layer *l = layer_open(path, ops, err);
    if (!l)
        return -1;
    pl_parent_hint hint;
    int rc = layer_hint(l, &hint, err);
    pl_strlist_free(&hint.names);
    if (rc == 0 && l->library_only)
        rc = 1;
    layer_close_one(l);
    return rc;
}

/* The layer of links[0..n) that is the same file as p, or NULL. */
static const pl_layer *same_file(pl_layer *const *links, size_t n, const pl_layer *p)
{
    for (size_t i = 0; i < n; i++)
        if (links[i]->dev == p->dev && links[i]->ino == p->ino)
            return links[i];
    return NULL;
}

static int attach_parent(pl_layer *const *links, size_t n, const pl_strlist *parents,
                         pl_layer **parent_out, pl_err *err)
{
    pl_layer *child = links[n - 1];
    pl_parent_hint hint;
    int rc = layer_hint(child, &hint, err);
    *parent_out = NULL;
    if (rc <= 0) {
        pl_strlist_free(&hint.names);
        return rc;
    }
    pl_strlist cands = {0};
    add_candidates(child->path, &hint, parents, &cands);
    pl_layer *p = find_parent(child, &hint, &cands, parents, err);
    pl_strlist_free(&cands);
    pl_strlist_free(&hint.names);
    if (!p)
        return -1;
    const pl_layer *again = same_file(links, n, p);
    if (again) {
        pl_err_setc(err, PL_ERR_CORRUPT, "parent chain loops back to %s (the same file as %s)",
                    p->path, again->path);
        layer_close_one(p);
        return -1;
    }
    *parent_out = p;
    return 1;
}

/* Link parents bottom-up: a parent is attached to its child only once its
 * own parents are attached, so reads see the whole chain. */
static int attach_all(pl_layer **links, size_t n, pl_err *err)
{
    for (size_t i = n - 1; i > 0; i--) {
        if (layer_attach(links[i - 1], links[i], err) != 0)
            return -1;
        links[i - 1]->parent = links[i];
    }
    return 0;
}

int pl_layer_open_chain(const char *path, const pl_container_ops *ops, const pl_strlist *parents,
                        pl_layer **out, pl_strlist *chain, pl_err *err)
{
    pl_layer *links[PL_MAX_CHAIN_DEPTH];
    size_t n = 0;
    links[n] = layer_open(path, ops, err);
    if (!links[n])
        return -1;
    pl_strlist_push(chain, path);
    n++;
    int rc;
    for (;;) {
        pl_layer *parent = NULL;
        rc = attach_parent(links, n, parents, &parent, err);
        if (rc <= 0)
            break;
        if (n == PL_MAX_CHAIN_DEPTH) {
            pl_err_setc(err, PL_ERR_LIMIT, "chain is deeper than %d disks", PL_MAX_CHAIN_DEPTH);
            layer_close_one(parent);
            rc = -1;
            break;
        }
        links[n++] = parent;
        pl_strlist_push(chain, parent->path);
    }
    if (rc == 0)
        rc = attach_all(links, n, err);
    if (rc != 0) {
        for (size_t i = 0; i < n; i++)
            layer_close_one(links[i]);
        return -1;
    }
    *out = links[0];
    return 0;
}
