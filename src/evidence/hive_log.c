/* Replay of registry transaction logs into a dirty hive, in memory.
 *
 * Format: Maxim Suhanov, "Windows registry file format specification"
 * (github.com/msuhanov/regf), sections "Format of transaction log files",
 * "Dirty state of a hive" and "Multiple transaction log files"; the choices
 * the specification leaves open follow his reference parser yarp
 * (RegistryFile.py), which was checked against hives Windows recovered.
 *
 * Every number read from a log is hostile: each offset and length is checked
 * before use, every loop is bounded by the log's or the hive's size, and the
 * hive never grows past PL_MAX_HIVE_BYTES. A log is applied only when it
 * belongs to the hive (same file name in the base block, sequence numbers
 * that continue the primary file's); anything else is reported and left
 * alone. */
#include "evidence/hive_log.h"

#include <stdlib.h>
#include <string.h>

#include "util/limits.h"

#define BASE_LEN 4096u         /* base block of a primary file */
#define LOG_BASE_LEN 512u      /* a log keeps the first sector of it (clustering factor 1) */
#define SECTOR 512u            /* log layout unit; also the old format's page size */
#define HBIN_ALIGN 4096u       /* hive bins data size is a multiple of this */
#define ENTRY_HEAD 40u         /* HvLE header before the page references */
#define PAGE_REF 8u            /* one (offset, size) page reference */

#define OFF_SEQ1 4
#define OFF_SEQ2 8
#define OFF_STAMP 12
#define OFF_TYPE 28
#define OFF_HBINS 40
#define OFF_CLUSTER 44
#define OFF_NAME 48
#define NAME_LEN 64
#define OFF_CHECKSUM 508
#define OFF_FLAGS 144          /* Windows 10 base block flags; bit 0 follows the log entries */

#define TYPE_PRIMARY 0u
#define TYPE_LOG_OLD 1u        /* Windows XP .. 8 */
#define TYPE_LOG_VERYOLD 2u    /* same old format, older type number */
#define TYPE_LOG_NEW 6u        /* Windows 8.1+ "HvLE" entries */

/* The specification prints this seed as the decimal 14219357686671994754
 * "(little-endian)", i.e. byte-swapped; yarp's 0x82EF4D887A4E55C5 is the
 * value that reproduces the hashes in logs written by Windows. */
#define MARVIN_SEED 0x82EF4D887A4E55C5ull

/* ---- small helpers ------------------------------------------------------ */

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* a <= b for sequence numbers that may wrap (serial number arithmetic). */
static int seq_le(uint32_t a, uint32_t b)
{
    return (uint32_t)(b - a) <= 0x7fffffffu;
}

static uint32_t bb_checksum(const uint8_t *b)
{
    uint32_t x = 0;
    for (unsigned i = 0; i < OFF_CHECKSUM; i += 4)
        x ^= pl_le32(b + i);
    /* 0 and ~0 are reserved, so Windows maps them to 1 and ~1. */
    if (x == 0)
        return 1;
    if (x == 0xffffffffu)
        return 0xfffffffeu;
    return x;
}

static int bb_checksum_ok(const uint8_t *b)
{
    return bb_checksum(b) == pl_le32(b + OFF_CHECKSUM);
}

static int hbins_size_ok(uint32_t n)
{
    return n >= HBIN_ALIGN && n % HBIN_ALIGN == 0 && BASE_LEN + (uint64_t)n <= PL_MAX_HIVE_BYTES;
}

/* ---- Marvin32 (the hashes of new-format log entries) -------------------- */

static uint32_t rotl32(uint32_t x, unsigned n)
{
    return (x << n) | (x >> (32 - n));
}

static void marvin_mix(uint32_t *lo, uint32_t *hi, uint32_t v)
{
    *lo += v;
    *hi ^= *lo;
    *lo = rotl32(*lo, 20) + *hi;
    *hi = rotl32(*hi, 9) ^ *lo;
    *lo = rotl32(*lo, 27) + *hi;
    *hi = rotl32(*hi, 19);
}

static uint64_t marvin32(const uint8_t *p, size_t n)
{
    uint32_t lo = (uint32_t)MARVIN_SEED, hi = (uint32_t)(MARVIN_SEED >> 32);
    for (; n >= 4; p += 4, n -= 4)
        marvin_mix(&lo, &hi, pl_le32(p));
    /* Tail bytes little-endian, then a 0x80 end marker (as in .NET's
     * Marvin). Log entries never have a tail: their sizes are multiples of 4. */
    uint32_t last = 0x80;
    for (size_t i = n; i > 0; i--)
        last = (last << 8) | p[i - 1];
    marvin_mix(&lo, &hi, last);
    marvin_mix(&lo, &hi, 0);
    return ((uint64_t)hi << 32) | lo;
}

/* ---- the state of one recovery ------------------------------------------ */

typedef struct {
    const pl_hive_log *log;
    uint32_t type, seq, hbins;
    uint64_t stamp;
} log_head;

typedef struct {
    uint8_t **data;
    size_t *len;
    int primary_ok;            /* the primary base block's checksum is valid */
    uint32_t seq1, seq2;
    uint64_t stamp;            /* last written: base block, else first hbin */
    pl_strlist ignored;        /* "NAME: why" for every log left alone */
    pl_strlist used;           /* names of the logs applied */
    char *stopped;             /* why a new-format replay ended early */
    unsigned applied;
} rec_ctx;

static const char *log_name(const pl_hive_log *l)
{
    return l->name ? l->name : "log";
}

static void ignore(rec_ctx *c, const pl_hive_log *l, const char *why)
{
    pl_strlist_pushf(&c->ignored, "%s: %s", log_name(l), why);
}

/* Reads a log's base block; NULL when it is a complete log of this hive,
 * else why it cannot be used. */
static const char *log_head_read(const rec_ctx *c, const pl_hive_log *l, log_head *h)
{
    const uint8_t *b = l->data;
    if (!b || l->len < LOG_BASE_LEN)
        return "too short to hold a base block";
    if (memcmp(b, "regf", 4) != 0)
        return "no regf signature";
    if (!bb_checksum_ok(b))
        return "its base block checksum is wrong";
    h->log = l;
    h->type = pl_le32(b + OFF_TYPE);
    h->seq = pl_le32(b + OFF_SEQ1);
    h->hbins = pl_le32(b + OFF_HBINS);
    h->stamp = pl_le64(b + OFF_STAMP);
    if (h->type != TYPE_LOG_OLD && h->type != TYPE_LOG_VERYOLD && h->type != TYPE_LOG_NEW)
        return "its file type is not a transaction log";
    /* A log whose own sequence numbers differ was cut off while written. */
    if (h->seq != pl_le32(b + OFF_SEQ2))
        return "the log itself was not completely written (its sequence numbers differ)";
    if (pl_le32(b + OFF_CLUSTER) != 1)
        return "unsupported clustering factor";
    if (!hbins_size_ok(h->hbins))
        return "its hive bins data size is invalid";
    /* A damaged primary base block has no trustworthy name to compare. */
    if (c->primary_ok && memcmp(b + OFF_NAME, *c->data + OFF_NAME, NAME_LEN) != 0)
        return "it belongs to another hive (file name in the base block differs)";
    return NULL;
}

static int grow_to(rec_ctx *c, uint64_t want)
{
    if (want > PL_MAX_HIVE_BYTES)
        return -1;
    if (want > *c->len) {
        *c->data = pl_xrealloc(*c->data, (size_t)want);
        memset(*c->data + *c->len, 0, (size_t)want - *c->len);
        *c->len = (size_t)want;
    }
    return 0;
}

/* The recovered base block says "primary, clean, at sequence seq". */
static void seal_base_block(uint8_t *b, uint32_t seq, uint32_t hbins)
{
    put32(b + OFF_SEQ1, seq);
    put32(b + OFF_SEQ2, seq);
    put32(b + OFF_TYPE, TYPE_PRIMARY);
    put32(b + OFF_HBINS, hbins);
    put32(b + OFF_CHECKSUM, bb_checksum(b));
}

/* ---- new format: HvLE log entries --------------------------------------- */

typedef struct {
    const uint8_t *p;
    uint32_t size, flags, seq, hbins, count;
} hvle;

/* 1: a valid entry with the expected sequence number. 0: the end of the
 * entries (no signature, or an older entry left over from earlier use of
 * the file: both are normal). -1: the entry claims to be the next one but
 * is damaged; *why says how. */
static int hvle_read(const uint8_t *p, size_t avail, uint32_t expected, hvle *e, const char **why)
{
    if (avail < ENTRY_HEAD || memcmp(p, "HvLE", 4) != 0)
        return 0;
    e->p = p;
    e->size = pl_le32(p + 4);
    e->flags = pl_le32(p + 8);
    e->seq = pl_le32(p + 12);
    e->hbins = pl_le32(p + 16);
    e->count = pl_le32(p + 20);
    if (e->seq != expected)
        return 0;
    if (e->size < SECTOR || e->size % SECTOR != 0 || e->size > avail)
        return *why = "its size runs past the end of the log or is not a multiple of 512", -1;
    if (!hbins_size_ok(e->hbins))
        return *why = "its hive bins data size is invalid", -1;
    if (e->count == 0 || ENTRY_HEAD + (uint64_t)e->count * PAGE_REF > e->size)
        return *why = "its dirty page count does not fit the entry", -1;
    if (marvin32(p, 32) != pl_le64(p + 32) || marvin32(p + ENTRY_HEAD, e->size - ENTRY_HEAD) != pl_le64(p + 24))
        return *why = "its hash does not match its contents", -1;
    /* Each page must land inside the hive bins and come from inside the entry. */
    uint64_t data = ENTRY_HEAD + (uint64_t)e->count * PAGE_REF;
    for (uint32_t i = 0; i < e->count; i++) {
        const uint8_t *r = p + ENTRY_HEAD + (size_t)i * PAGE_REF;
        uint32_t off = pl_le32(r), len = pl_le32(r + 4);
        if (!pl_range_ok(off, len, e->hbins) || !pl_range_ok(data, len, e->size))
            return *why = "a dirty page reference points outside the hive or the entry", -1;
        data += len;
    }
    return 1;
}

static int hvle_apply(rec_ctx *c, const hvle *e)
{
    if (grow_to(c, BASE_LEN + (uint64_t)e->hbins) != 0)
        return -1;
    const uint8_t *src = e->p + ENTRY_HEAD + (size_t)e->count * PAGE_REF;
    for (uint32_t i = 0; i < e->count; i++) {
        const uint8_t *r = e->p + ENTRY_HEAD + (size_t)i * PAGE_REF;
        uint32_t off = pl_le32(r), len = pl_le32(r + 4);
        memcpy(*c->data + BASE_LEN + off, src, len);
        src += len;
    }
    return 0;
}

typedef struct {
    unsigned entries;
    uint32_t last_seq, hbins, flags;
} hvle_run;

/* Applies the entries of one log that continue from its base block's
 * sequence number. Entries are checked whole (hashes included) before any
 * byte is written, so a damaged entry stops the replay cleanly. */
static void new_log_apply(rec_ctx *c, const log_head *h, hvle_run *run)
{
    const pl_hive_log *l = h->log;
    uint32_t expected = h->seq;
    size_t pos = LOG_BASE_LEN;
    run->entries = 0;
    /* Every entry is at least one sector, so this ends within len/512 steps. */
    while (pos < l->len) {
        hvle e;
        const char *why = NULL;
        int r = hvle_read(l->data + pos, l->len - pos, expected, &e, &why);
        if (r == 0)
            break;
        if (r < 0 || hvle_apply(c, &e) != 0) {
            c->stopped = pl_xasprintf("%s entry %u: %s", log_name(l), run->entries + 1,
                                      why ? why : "the hive would exceed its size limit");
            break;
        }
        run->entries++;
        run->last_seq = e.seq;
        run->hbins = e.hbins;
        run->flags = e.flags;
        expected = e.seq + 1;
        pos += e.size;
    }
}

/* The usable new-format logs, oldest first (relative to the primary's
 * secondary sequence number, so a wrapped counter sorts correctly). */
static size_t new_logs_sorted(const log_head *heads, size_t n, uint32_t base, const log_head **out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (heads[i].type == TYPE_LOG_NEW)
            out[k++] = &heads[i];
    for (size_t i = 1; i < k; i++)
        for (size_t j = i; j > 0 && (uint32_t)(out[j]->seq - base) < (uint32_t)(out[j - 1]->seq - base); j--) {
            const log_head *t = out[j];
            out[j] = out[j - 1];
            out[j - 1] = t;
        }
    return k;
}

/* Why log h cannot continue the replay, or NULL. `next` is the sequence
 * number the replay needs (have_next: something was already applied). */
static const char *new_log_fits(const rec_ctx *c, const log_head *h, int have_next, uint32_t next)
{
    if (have_next) {
        if (h->seq == next)
            return NULL;
        return seq_le(h->seq, next) ? "its entries are older than those already replayed"
                                    : "sequence gap: its entries do not follow the previous log";
    }
    if (!c->primary_ok)
        return NULL;
    if (!seq_le(c->seq2, h->seq))
        return "older than the primary file (its sequence number is below the primary's)";
    if (!seq_le(h->seq, c->seq1))
        return "sequence gap: its first entry is newer than the primary file expects";
    return NULL;
}

/* One log of the chain: replays it when it continues what came before.
 * Returns why it was left alone, or NULL (applied, or stopped at a damaged
 * entry, which c->stopped describes). */
static const char *chain_step(rec_ctx *c, const log_head *h, hvle_run *total, int *halted)
{
    if (*halted)
        return "not used: the replay stopped at an earlier log";
    const char *why = new_log_fits(c, h, total->entries > 0, total->last_seq + 1);
    if (why)
        return why;
    hvle_run run = {0};
    new_log_apply(c, h, &run);
    /* Like yarp: the first log that fits starts the chain, even when it
     * holds no usable entry (then nothing after it applies). */
    *halted = c->stopped != NULL || run.entries == 0;
    if (run.entries == 0)
        return c->stopped ? NULL : "no log entry continues the primary file";
    total->entries += run.entries;
    total->last_seq = run.last_seq;
    total->hbins = run.hbins;
    total->flags = run.flags;
    pl_strlist_push(&c->used, log_name(h->log));
    return NULL;
}

/* The replayed hive's base block: the primary's (or, when that is
 * damaged, the last log's first sector), clean at the last entry's
 * sequence number, with the last entry's size and flag bit 0. */
static void new_base_block(rec_ctx *c, const hvle_run *total, const log_head *last)
{
    uint8_t *b = *c->data;
    if (!c->primary_ok)
        memcpy(b, last->log->data, OFF_CHECKSUM);
    put32(b + OFF_FLAGS, (pl_le32(b + OFF_FLAGS) & ~1u) | (total->flags & 1u));
    seal_base_block(b, total->last_seq, total->hbins);
}

/* Windows replays .LOG1 then .LOG2: the chain of logs whose entries continue
 * each other from the primary's secondary sequence number. With a damaged
 * primary base block it replays only the newest log (yarp's finding). */
static void replay_new(rec_ctx *c, const log_head *heads, size_t n)
{
    const log_head **order = pl_xcalloc(n ? n : 1, sizeof *order);
    size_t k = new_logs_sorted(heads, n, c->seq2, order);
    size_t first = (!c->primary_ok && k > 0) ? k - 1 : 0;
    const log_head *last = NULL;
    hvle_run total = {0};
    int halted = 0;
    for (size_t i = 0; i < k; i++) {
        unsigned before = total.entries;
        const char *why = i < first
                              ? "not used: with a damaged primary base block only the newest log is replayed"
                              : chain_step(c, order[i], &total, &halted);
        if (why)
            ignore(c, order[i]->log, why);
        if (total.entries > before)
            last = order[i];
    }
    free(order);
    if (total.entries == 0)
        return;
    new_base_block(c, &total, last);
    c->applied = total.entries;
}

/* ---- old format: base block, DIRT bitmap, 512-byte pages ----------------- */

typedef struct {
    const uint8_t *bitmap;
    uint32_t bits;             /* one per 512-byte page of the hive bins */
    size_t pages_off;          /* first dirty page in the log */
    uint32_t npages;
} dirt_plan;

static uint32_t bitmap_count(const uint8_t *bm, uint32_t bits)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < bits; i++)
        n += (bm[i / 8] >> (i % 8)) & 1u;
    return n;
}

static const char *dirt_read(const log_head *h, dirt_plan *p)
{
    const pl_hive_log *l = h->log;
    /* The dirty vector fills the second sector on: "DIRT", then one bit per
     * 512-byte page of the hive bins; pages follow at the next sector. */
    uint64_t vec_bytes = h->hbins / (SECTOR * 8);
    if (!pl_range_ok(LOG_BASE_LEN, 4 + vec_bytes, l->len))
        return "truncated before the end of its dirty vector";
    if (memcmp(l->data + LOG_BASE_LEN, "DIRT", 4) != 0)
        return "no DIRT signature after the base block";
    p->bitmap = l->data + LOG_BASE_LEN + 4;
    p->bits = h->hbins / SECTOR;
    uint64_t end = LOG_BASE_LEN + 4 + vec_bytes;
    p->pages_off = (size_t)((end + SECTOR - 1) / SECTOR * SECTOR);
    p->npages = bitmap_count(p->bitmap, p->bits);
    if (p->npages == 0)
        return "its dirty vector marks no page";
    if (!pl_range_ok(p->pages_off, (uint64_t)p->npages * SECTOR, l->len))
        return "its bitmap claims more dirty pages than the log holds";
    return NULL;
}

/* The hive bins must chain from the first to the size in the base block:
 * the specification's check that replayed bins are sound. */
static int hbins_chain_ok(const uint8_t *d, size_t len, uint32_t hbins)
{
    uint64_t pos = BASE_LEN, end = BASE_LEN + (uint64_t)hbins;
    if (end > len)
        return 0;
    while (pos < end) {             /* every step advances >= 4096 bytes */
        if (!pl_range_ok(pos, 32, end) || memcmp(d + pos, "hbin", 4) != 0)
            return 0;
        uint32_t off = pl_le32(d + pos + 4), size = pl_le32(d + pos + 8);
        if (off != pos - BASE_LEN || size < HBIN_ALIGN || size % HBIN_ALIGN != 0 ||
            !pl_range_ok(pos, size, end))
            return 0;
        pos += size;
    }
    return 1;
}

/* Applies on a copy, so a log that leaves the bins inconsistent changes
 * nothing. */
static const char *old_log_apply(rec_ctx *c, const log_head *h, const dirt_plan *p)
{
    uint64_t want = BASE_LEN + (uint64_t)h->hbins;
    size_t n = want > *c->len ? (size_t)want : *c->len;
    uint8_t *w = pl_xmalloc(n);
    memcpy(w, *c->data, *c->len);
    memset(w + *c->len, 0, n - *c->len);
    const uint8_t *src = h->log->data + p->pages_off;
    for (uint32_t i = 0; i < p->bits; i++)
        if ((p->bitmap[i / 8] >> (i % 8)) & 1u) {
            memcpy(w + BASE_LEN + (size_t)i * SECTOR, src, SECTOR);
            src += SECTOR;
        }
    if (!hbins_chain_ok(w, n, h->hbins)) {
        free(w);
        return "after replay the hive bins do not chain (log and primary do not match)";
    }
    memcpy(w, h->log->data, OFF_CHECKSUM);
    seal_base_block(w, h->seq, h->hbins);
    free(*c->data);
    *c->data = w;
    *c->len = n;
    return NULL;
}

/* Why old-format log h does not belong to this dirty primary, or NULL. */
static const char *old_log_fits(const rec_ctx *c, const log_head *h)
{
    /* The log is written before the primary: never older than the
     * primary's last write (the specification's timestamp rule, as yarp
     * applies it). */
    if (h->stamp < c->stamp)
        return "older than the primary file (earlier last written timestamp)";
    if (!c->primary_ok)
        return NULL;
    /* The write the primary was in the middle of: between its secondary
     * (last completed) and primary (started) sequence numbers. */
    if (!seq_le(c->seq2, h->seq))
        return "older than the primary file (its sequence number is below the primary's)";
    if (!seq_le(h->seq, c->seq1))
        return "sequence gap: the log is newer than the write the primary file started";
    return NULL;
}

/* Of several old-format logs (Vista keeps .LOG, .LOG1, .LOG2) the one that
 * belongs to the interrupted write is used; the newest when several do. */
static void replay_old(rec_ctx *c, const log_head *heads, size_t n)
{
    const log_head *best = NULL;
    dirt_plan plan = {0};
    for (size_t i = 0; i < n; i++) {
        const log_head *h = &heads[i];
        if (h->type != TYPE_LOG_OLD && h->type != TYPE_LOG_VERYOLD)
            continue;
        dirt_plan p;
        const char *why = old_log_fits(c, h);
        if (!why)
            why = dirt_read(h, &p);
        if (!why && best && !seq_le(best->seq, h->seq))
            why = "not used: another log is newer";
        if (why) {
            ignore(c, h->log, why);
            continue;
        }
        if (best)
            ignore(c, best->log, "not used: another log is newer");
        best = h;
        plan = p;
    }
    if (!best)
        return;
    const char *why = old_log_apply(c, best, &plan);
    if (why) {
        ignore(c, best->log, why);
        return;
    }
    pl_strlist_push(&c->used, log_name(best->log));
    c->applied = plan.npages;
}

/* ---- the report sentence ------------------------------------------------- */

static char *join(const pl_strlist *l, const char *sep, const char *last_sep)
{
    size_t n = 1;
    for (size_t i = 0; i < l->len; i++)
        n += strlen(l->items[i]) + strlen(sep) + strlen(last_sep);
    char *s = pl_xmalloc(n);
    s[0] = '\0';
    for (size_t i = 0; i < l->len; i++) {
        if (i > 0)
            strcat(s, i + 1 == l->len ? last_sep : sep);
        strcat(s, l->items[i]);
    }
    return s;
}

static char *detail_head(const rec_ctx *c)
{
    if (!c->primary_ok)
        return pl_xstrdup("dirty hive (base block checksum is wrong)");
    return pl_xasprintf("dirty hive (sequence %u/%u)", c->seq1, c->seq2);
}

static char *detail_success(const rec_ctx *c, const char *format)
{
    char *head = detail_head(c), *used = join(&c->used, ", ", " and ");
    const char *unit = format[0] == 'n' ? (c->applied == 1 ? "log entry" : "log entries")
                                        : (c->applied == 1 ? "dirty page" : "dirty pages");
    char *stop = c->stopped ? pl_xasprintf(", stopping at %s", c->stopped) : pl_xstrdup("");
    char *ign = c->ignored.len ? join(&c->ignored, "; ", "; ") : NULL;
    char *s = pl_xasprintf("%s: replayed %u %s from %s (%s format)%s%s%s", head, c->applied, unit, used,
                           format, stop, ign ? "; ignored " : "", ign ? ign : "");
    free(head);
    free(used);
    free(stop);
    free(ign);
    return s;
}

static char *detail_failure(const rec_ctx *c)
{
    char *head = detail_head(c), *s;
    if (c->ignored.len == 0 && !c->stopped) {
        s = pl_xasprintf("%s: no transaction log found; values are from the stale primary file", head);
    } else {
        pl_strlist all = {0};
        for (size_t i = 0; i < c->ignored.len; i++)
            pl_strlist_push(&all, c->ignored.items[i]);
        if (c->stopped)
            pl_strlist_push(&all, c->stopped);
        char *why = join(&all, "; ", "; ");
        s = pl_xasprintf("%s: no usable transaction log (%s); values are from the stale primary file", head,
                         why);
        free(why);
        pl_strlist_free(&all);
    }
    free(head);
    return s;
}

/* ---- entry points -------------------------------------------------------- */

int pl_hive_is_dirty(const uint8_t *data, size_t len, uint32_t *seq1, uint32_t *seq2)
{
    if (!data || len < BASE_LEN || memcmp(data, "regf", 4) != 0)
        return -1;
    uint32_t a = pl_le32(data + OFF_SEQ1), b = pl_le32(data + OFF_SEQ2);
    if (seq1)
        *seq1 = a;
    if (seq2)
        *seq2 = b;
    return (a != b || !bb_checksum_ok(data)) ? 1 : 0;
}

static void ctx_init(rec_ctx *c, uint8_t **data, size_t *len)
{
    memset(c, 0, sizeof *c);
    c->data = data;
    c->len = len;
    const uint8_t *b = *data;
    c->primary_ok = bb_checksum_ok(b);
    c->seq1 = pl_le32(b + OFF_SEQ1);
    c->seq2 = pl_le32(b + OFF_SEQ2);
    c->stamp = pl_le64(b + OFF_STAMP);
    /* A damaged base block's timestamp is untrustworthy; the first hive
     * bin keeps a copy of it. */
    if (!c->primary_ok)
        c->stamp = (*len >= BASE_LEN + 32 && memcmp(b + BASE_LEN, "hbin", 4) == 0)
                       ? pl_le64(b + BASE_LEN + 20)
                       : 0;
}

/* Reads every log's base block; the unusable ones are noted. Empty files
 * (Vista leaves a 0-byte NAME.LOG beside NAME.LOG1/.LOG2) are skipped
 * silently. Returns how many heads were filled. */
static size_t read_heads(rec_ctx *c, const pl_hive_log *logs, size_t nlogs, log_head *heads)
{
    size_t k = 0;
    for (size_t i = 0; i < nlogs; i++) {
        if (logs[i].len == 0)
            continue;
        const char *why = log_head_read(c, &logs[i], &heads[k]);
        if (why)
            ignore(c, &logs[i], why);
        else
            k++;
    }
    return k;
}

static void fill_result(const rec_ctx *c, const char *format, pl_hive_recovery *out)
{
    if (c->applied > 0) {
        out->recovered = 1;
        out->log_format = format;
        out->pages_applied = c->applied;
        out->log_used = join(&c->used, ", ", " and ");
        out->detail = detail_success(c, format);
    } else {
        out->detail = detail_failure(c);
    }
}

int pl_hive_recover(uint8_t **data, size_t *len, const pl_hive_log *logs, size_t nlogs,
                    pl_hive_recovery *out, pl_err *err)
{
    memset(out, 0, sizeof *out);
    int dirty = pl_hive_is_dirty(data ? *data : NULL, len ? *len : 0, &out->seq1, &out->seq2);
    if (dirty < 0) {
        pl_err_setc(err, PL_ERR_UNRECOGNIZED, "not a registry hive (no regf base block)");
        return -1;
    }
    out->dirty = dirty;
    if (!dirty)
        return 0;
    rec_ctx c;
    ctx_init(&c, data, len);
    log_head *heads = pl_xcalloc(nlogs ? nlogs : 1, sizeof *heads);
    size_t n = logs ? read_heads(&c, logs, nlogs, heads) : 0;
    /* A hive has logs of one format; new-format ones win if both exist
     * (an upgraded system keeps its old .LOG beside .LOG1/.LOG2). */
    const char *format = "new";
    replay_new(&c, heads, n);
    if (c.applied == 0) {
        format = "old";
        replay_old(&c, heads, n);
    }
    fill_result(&c, format, out);
    free(heads);
    pl_strlist_free(&c.ignored);
    pl_strlist_free(&c.used);
    free(c.stopped);
    return 0;
}

void pl_hive_recovery_free(pl_hive_recovery *r)
{
    if (!r)
        return;
    free(r->log_used);
    free(r->detail);
    r->log_used = NULL;
    r->detail = NULL;
}
