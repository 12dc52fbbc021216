/* EWF (E01, and Ex01 by its signature): a segment set NAME.E01, NAME.E02,
 * ... read by TSK through libewf. Before that, the section chain of every
 * segment is walked against the file size (EWF1; EWF2 is left to
 * libewf). EWF has no parents. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sources/container.h"
#include "util/limits.h"

static int ewf_bid(const pl_container_bytes *b)
{
    static const char *const magic[] = {"EVF\x09\x0d\x0a\xff\x00", "EVF2\x0d\x0a\x81\x00"};
    for (size_t i = 0; i < sizeof magic / sizeof *magic; i++)
        if (b->head_len >= 8 && memcmp(b->head, magic[i], 8) == 0)
            return PL_BID_SIGNATURE;
    return PL_BID_NONE;
}

/* EWF segments: NAME.E01, NAME.E02, ... (then .EAA ...), as TSK's libewf
 * glob finds them; listed for the report's chain. */
static void list_ewf_segments(const char *path, pl_strlist *chain)
{
    pl_strlist_push(chain, path);
    size_t n = strlen(path);
    if (n < 4 || path[n - 4] != '.' || !(path[n - 2] == '0' && path[n - 1] == '1'))
        return;
    char *seg = pl_xstrdup(path);
    for (int i = 2; i <= 99; i++) {
        seg[n - 2] = (char)('0' + i / 10);
        seg[n - 1] = (char)('0' + i % 10);
        if (access(seg, F_OK) != 0)
            break;
        pl_strlist_push(chain, seg);
    }
    free(seg);
}

#define EWF_HEADER 13
#define EWF_SECTION 76
/* Sections walked in one segment file (a 2 GiB segment has a few dozen). */
#define EWF_MAX_SECTIONS 1000000

/* Walk the section chain of one segment. *last_type gets the type of the
 * final section ("done" or "next"). */
static int check_ewf_segment(const pl_cfile *f, char last_type[17], pl_err *err)
{
    uint8_t hdr[EWF_HEADER];
    if (pl_cfile_need(f, 0, EWF_HEADER, "the file header", err) != 0 ||
        pl_cfile_read(f, 0, hdr, EWF_HEADER, err) != 0)
        return -1;
    if (memcmp(hdr, "EVF\x09\x0d\x0a\xff\x00", 8) != 0)
        return 0;   /* EWF2 (Ex01) and others: left to libewf */
    uint64_t off = EWF_HEADER;
    for (int n = 0; n < EWF_MAX_SECTIONS; n++) {
        uint8_t s[EWF_SECTION];
        if (!pl_range_ok(off, EWF_SECTION, f->size)) {
            pl_err_setc(err, PL_ERR_TRUNCATED, "truncated: the file ends at byte %llu, inside or before the "
                            "section descriptor expected at byte %llu",
                       (unsigned long long)f->size, (unsigned long long)off);
            return -1;
        }
        if (pl_cfile_read(f, off, s, EWF_SECTION, err) != 0)
            return -1;
        char type[17];
        memcpy(type, s, 16);
        type[16] = '\0';
        for (char *c = type; *c; c++)
            if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
                *c = '?';
        uint64_t next = pl_le64(s + 16), size = pl_le64(s + 24);
        if (strcmp(type, "done") == 0 || strcmp(type, "next") == 0) {
            memcpy(last_type, type, 17);
            return 0;
        }
        if (size < EWF_SECTION || !pl_range_ok(off, size, f->size)) {
            if (size >= EWF_SECTION && pl_range_ok(off, EWF_SECTION, f->size))
                pl_err_setc(err, PL_ERR_TRUNCATED, "truncated: section \"%s\" lies at bytes %llu-%llu, but the "
                                "file is %llu bytes",
                           type, (unsigned long long)off, (unsigned long long)(off + size - 1),
                           (unsigned long long)f->size);
            else
                pl_err_setc(err, PL_ERR_CORRUPT, "section \"%s\" at byte %llu has an invalid size (%llu)", type,
                           (unsigned long long)off, (unsigned long long)size);
            return -1;
        }
        if (next <= off) {
            pl_err_setc(err, PL_ERR_CORRUPT, "section \"%s\" at byte %llu points back to byte %llu (a loop)",
                       type, (unsigned long long)off, (unsigned long long)next);
            return -1;
        }
        off = next;
    }
    pl_err_setc(err, PL_ERR_LIMIT, "more than %d sections", EWF_MAX_SECTIONS);
    return -1;
}

/* Every segment, and the set ends with a "done" section. */
static int check_ewf(const pl_strlist *segments, pl_err *err)
{
    for (size_t i = 0; i < segments->len; i++) {
        const char *base = strrchr(segments->items[i], '/');
        base = base ? base + 1 : segments->items[i];
        pl_cfile f;
        char last[17] = "";
        if (pl_cfile_open(segments->items[i], &f, err) != 0)
            return -1;
        int rc = check_ewf_segment(&f, last, err);
        close(f.fd);
        if (rc != 0) {
            if (segments->len > 1)
                pl_err_prefix(err, "segment %s", base);
            return -1;
        }
        if (i + 1 == segments->len && strcmp(last, "next") == 0) {
            pl_err_setc(err, PL_ERR_CORRUPT, "segment %s ends with a \"next\" section, but there is no next "
                            "segment file",
                       base);
            return -1;
        }
    }
    return 0;
}

/* The whole set, as the first segment's name finds it. */
static int ewf_check_file(const char *path, pl_err *err)
{
    pl_strlist segments = {0};
    list_ewf_segments(path, &segments);
    int rc = check_ewf(&segments, err);
    pl_strlist_free(&segments);
    return rc;
}

const pl_container_ops pl_container_ewf = {
    .name = "e01",
    .bid = ewf_bid,
    .check = ewf_check_file,
    .segments = list_ewf_segments,
    .tsk_type = TSK_IMG_TYPE_EWF_EWF,
};
