/* Transaction-log replay on the fixtures of fixtures/gen/dirty_hives.sh
 * ($PL_FIXTURES/hives-dirty, trees-dirty): clean and dirty hives, old
 * (DIRT) and new (HvLE) logs, and logs damaged in every way the replay
 * must refuse: truncated, lying bitmaps, oversized entries, wrong types,
 * foreign hives, sequence gaps, bad hashes. A refused log never changes a
 * byte of the hive and always leaves a sentence saying why. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/hive.h"
#include "evidence/hive_log.h"
#include "util/limits.h"
#include "../check_main.h"

/* ---- helpers -------------------------------------------------------------- */

typedef struct {
    uint8_t *p;
    size_t len;
} buf;

static buf load(const char *rel)
{
    buf b;
    b.p = pl_test_read_file(pl_test_fixture(rel), &b.len);
    return b;
}

static buf copy_of(const buf *b)
{
    buf c = {malloc(b->len), b->len};
    memcpy(c.p, b->p, b->len);
    return c;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void fix_checksum(uint8_t *b)
{
    uint32_t x = 0;
    for (unsigned i = 0; i < 508; i += 4)
        x ^= pl_le32(b + i);
    put32(b + 508, x == 0 ? 1 : x == 0xffffffffu ? 0xfffffffeu : x);
}

/* An independent Marvin32 to re-sign HvLE entries the tests modify; it is
 * checked against a hash Windows wrote (marvin_matches_windows). */
static uint32_t rotl(uint32_t x, unsigned n) { return (x << n) | (x >> (32 - n)); }

static uint64_t marvin32(const uint8_t *p, size_t n)
{
    uint32_t lo = 0x7A4E55C5u, hi = 0x82EF4D88u;
    uint32_t words[2] = {0x80, 0};
    for (size_t i = 0; i < n / 4 + 2; i++) {
        uint32_t v = i < n / 4 ? pl_le32(p + 4 * i) : words[i - n / 4];
        lo += v;
        hi ^= lo;
        lo = rotl(lo, 20) + hi;
        hi = rotl(hi, 9) ^ lo;
        lo = rotl(lo, 27) + hi;
        hi = rotl(hi, 19);
    }
    return (uint64_t)hi << 32 | lo;
}

static void resign_entry(uint8_t *e)
{
    uint32_t size = pl_le32(e + 4);
    put64(e + 24, marvin32(e + 40, size - 40));
    put64(e + 32, marvin32(e, 32));
}

static int contains(const char *s, const char *needle)
{
    return s && strstr(s, needle) != NULL;
}

/* Replays logs into a copy of hive; the copy is returned in *out. */
static int recover(const buf *hive, const pl_hive_log *logs, size_t n, buf *out, pl_hive_recovery *r)
{
    *out = copy_of(hive);
    pl_err err;
    return pl_hive_recover(&out->p, &out->len, logs, n, r, &err);
}

static void assert_untouched(const buf *orig, const buf *now, const pl_hive_recovery *r)
{
    ck_assert_int_eq(r->dirty, 1);
    ck_assert_int_eq(r->recovered, 0);
    ck_assert_ptr_null(r->log_used);
    ck_assert_ptr_null(r->log_format);
    ck_assert_uint_eq(r->pages_applied, 0);
    ck_assert_ptr_nonnull(r->detail);
    ck_assert_uint_eq(now->len, orig->len);
    ck_assert(memcmp(now->p, orig->p, orig->len) == 0);
}

/* The recovered hive is clean (seq1 == seq2, checksum valid) and equal,
 * byte for byte, to what the interrupted write would have produced. */
static void assert_equals_expected(const buf *now, const char *expected_rel)
{
    uint32_t a, b;
    ck_assert_int_eq(pl_hive_is_dirty(now->p, now->len, &a, &b), 0);
    ck_assert_uint_eq(a, b);
    buf want = load(expected_rel);
    ck_assert_uint_eq(now->len, want.len);
    ck_assert(memcmp(now->p, want.p, want.len) == 0);
    free(want.p);
}

static char *string_value(const buf *hive, const char *key, const char *name)
{
    pl_hive hv;
    pl_err err;
    ck_assert_msg(pl_hive_open_mem(hive->p, hive->len, &hv, &err) == 0, "%s", err.msg);
    char *s = pl_hive_string(&hv, pl_hive_node(&hv, key), name);
    pl_hive_close(&hv);
    return s;
}

static uint32_t dword_value(const buf *hive, const char *key, const char *name)
{
    pl_hive hv;
    pl_err err;
    uint32_t v = 0xdeadbeef;
    ck_assert_msg(pl_hive_open_mem(hive->p, hive->len, &hv, &err) == 0, "%s", err.msg);
    ck_assert(pl_hive_dword(&hv, pl_hive_node(&hv, key), name, &v) == 1);
    pl_hive_close(&hv);
    return v;
}

#define KB_KEY "Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\Packages\\" \
               "Package_for_KB5014752~31bf3856ad364e35~amd64~~6.0.1.2"
#define CV_KEY "Microsoft\\Windows NT\\CurrentVersion"
#define STALE "hives-dirty/dirty-old/SOFTWARE"
#define OLD_LOG "hives-dirty/dirty-old/SOFTWARE.LOG"
#define NEW_DIR "hives-dirty/dirty-new/"

/* ---- clean, not a hive, no log --------------------------------------------- */

START_TEST(clean_hive_is_untouched)
{
    buf clean = load("hives-dirty/clean/SOFTWARE"), log = load(OLD_LOG), now;
    uint32_t a, b;
    ck_assert_int_eq(pl_hive_is_dirty(clean.p, clean.len, &a, &b), 0);
    ck_assert_uint_eq(a, 2);
    ck_assert_uint_eq(b, 2);
    /* Even a log that fits is not applied to a clean hive. */
    pl_hive_log l = {"SOFTWARE.LOG", log.p, log.len};
    pl_hive_recovery r;
    ck_assert_int_eq(recover(&clean, &l, 1, &now, &r), 0);
    ck_assert_int_eq(r.dirty, 0);
    ck_assert_int_eq(r.recovered, 0);
    ck_assert_ptr_null(r.detail);
    ck_assert_uint_eq(now.len, clean.len);
    ck_assert(memcmp(now.p, clean.p, clean.len) == 0);
    pl_hive_recovery_free(&r);
    free(now.p);
    free(clean.p);
    free(log.p);
}
END_TEST

START_TEST(not_a_hive_is_an_error)
{
    uint8_t junk[4096] = "this is not a hive";
    ck_assert_int_eq(pl_hive_is_dirty(junk, sizeof junk, NULL, NULL), -1);
    ck_assert_int_eq(pl_hive_is_dirty(NULL, 0, NULL, NULL), -1);
    buf clean = load("hives-dirty/clean/SOFTWARE");
    ck_assert_int_eq(pl_hive_is_dirty(clean.p, 4095, NULL, NULL), -1);
    size_t len = sizeof junk;
    uint8_t *p = malloc(len);
    memcpy(p, junk, len);
    pl_hive_recovery r;
    pl_err err = {0};
    ck_assert_int_eq(pl_hive_recover(&p, &len, NULL, 0, &r, &err), -1);
    ck_assert(contains(err.msg, "not a registry hive"));
    ck_assert_ptr_null(r.detail);
    pl_hive_recovery_free(&r);
    free(p);
    free(clean.p);
}
END_TEST

START_TEST(dirty_without_logs_is_returned_as_is)
{
    buf stale = load("hives-dirty/dirty-nolog/SOFTWARE"), now;
    uint32_t a, b;
    ck_assert_int_eq(pl_hive_is_dirty(stale.p, stale.len, &a, &b), 1);
    ck_assert_uint_eq(a, 3);
    ck_assert_uint_eq(b, 2);
    pl_hive_recovery r;
    ck_assert_int_eq(recover(&stale, NULL, 0, &now, &r), 0);
    assert_untouched(&stale, &now, &r);
    ck_assert_uint_eq(r.seq1, 3);
    ck_assert_uint_eq(r.seq2, 2);
    ck_assert_str_eq(r.detail, "dirty hive (sequence 3/2): no transaction log found; "
                               "values are from the stale primary file");
    /* hivex still reads the stale primary: the package is only staged. */
    ck_assert_uint_eq(dword_value(&now, KB_KEY, "CurrentState"), 0x40);
    pl_hive_recovery_free(&r);
    free(now.p);

    /* An empty NAME.LOG (Vista leaves one) is no log at all. */
    pl_hive_log empty = {"SOFTWARE.LOG", (const uint8_t *)"", 0};
    ck_assert_int_eq(recover(&stale, &empty, 1, &now, &r), 0);
    assert_untouched(&stale, &now, &r);
    ck_assert(contains(r.detail, "no transaction log found"));
    pl_hive_recovery_free(&r);
    free(now.p);
    free(stale.p);
}
END_TEST

/* ---- old format ------------------------------------------------------------- */

static void old_replay_case(const char *dir, const char *logname)
{
    char rel[256];
    snprintf(rel, sizeof rel, "hives-dirty/%s/SOFTWARE", dir);
    buf stale = load(rel), now;
    snprintf(rel, sizeof rel, "hives-dirty/%s/%s", dir, logname);
    buf log = load(rel);
    pl_hive_log l = {logname, log.p, log.len};
    pl_hive_recovery r;
    ck_assert_int_eq(recover(&stale, &l, 1, &now, &r), 0);
    ck_assert_int_eq(r.dirty, 1);
    ck_assert_int_eq(r.recovered, 1);
    ck_assert_str_eq(r.log_format, "old");
    ck_assert_str_eq(r.log_used, logname);
    ck_assert_uint_eq(r.pages_applied, 32); /* 4 blocks of 4 KiB, one of them new */
    char want[256];
    snprintf(want, sizeof want, "dirty hive (sequence 3/2): replayed 32 dirty pages from %s (old format)",
             logname);
    ck_assert_str_eq(r.detail, want);
    assert_equals_expected(&now, "hives-dirty/expected/SOFTWARE");
    ck_assert_uint_eq(dword_value(&now, KB_KEY, "CurrentState"), 0x70);
    pl_hive_recovery_free(&r);
    free(now.p);
    free(stale.p);
    free(log.p);
}

START_TEST(old_format_log_replays)
{
    old_replay_case("dirty-old", "SOFTWARE.LOG");
}
END_TEST

START_TEST(old_format_log1_replays)
{
    old_replay_case("dirty-old-log1", "SOFTWARE.LOG1");
}
END_TEST

START_TEST(old_format_picks_the_log_that_belongs)
{
    /* Vista's trio: empty .LOG, a .LOG1 from another hive, the right .LOG2. */
    buf stale = load(STALE), log = load(OLD_LOG), foreign = copy_of(&log), now;
    foreign.p[48] ^= 0x20; /* another file name in the base block */
    fix_checksum(foreign.p);
    pl_hive_log l[3] = {{"SOFTWARE.LOG", log.p, 0},
                        {"SOFTWARE.LOG1", foreign.p, foreign.len},
                        {"SOFTWARE.LOG2", log.p, log.len}};
    pl_hive_recovery r;
    ck_assert_int_eq(recover(&stale, l, 3, &now, &r), 0);
    ck_assert_int_eq(r.recovered, 1);
    ck_assert_str_eq(r.log_used, "SOFTWARE.LOG2");
    ck_assert(contains(r.detail, "replayed 32 dirty pages from SOFTWARE.LOG2 (old format); ignored "
                                 "SOFTWARE.LOG1: it belongs to another hive"));
    assert_equals_expected(&now, "hives-dirty/expected/SOFTWARE");
    pl_hive_recovery_free(&r);
    free(now.p);
    free(stale.p);
    free(log.p);
    free(foreign.p);
}
END_TEST

START_TEST(tree_fixture_log_brings_6003)
{
    buf stale = load("trees-dirty/ws2008-dirty/Windows/System32/config/SOFTWARE");
    buf log = load("trees-dirty/ws2008-dirty/Windows/System32/config/SOFTWARE.LOG"), now;
    char *s = string_value(&stale, CV_KEY, "CurrentBuildNumber");
    ck_assert_str_eq(s, "6002");
    free(s);
    pl_hive_log l = {"SOFTWARE.LOG", log.p, log.len};
    pl_hive_recovery r;
    ck_assert_int_eq(recover(&stale, &l, 1, &now, &r), 0);
    ck_assert_int_eq(r.recovered, 1);
    ck_assert(contains(r.detail, "dirty hive (sequence 4/3): replayed"));
    assert_equals_expected(&now, "hives-dirty/expected/SOFTWARE-ws2008-dirty");
    s = string_value(&now, CV_KEY, "CurrentBuildNumber");
    ck_assert_str_eq(s, "6003");
    free(s);
    s = string_value(&now, CV_KEY, "BuildLabEx");
    ck_assert_str_eq(s, "6003.21481.amd64fre.vistasp2_ldr_escrow.220413-1804");
    free(s);
    pl_hive_recovery_free(&r);
    free(now.p);
    free(stale.p);
    free(log.p);
}
END_TEST

START_TEST(damaged_primary_base_block_recovered_from_old_log)
{
    buf stale = load(STALE), log = load(OLD_LOG), now;
    stale.p[200] ^= 1; /* reserved area: only the checksum notices */
    uint32_t a, b;
    ck_assert_int_eq(pl_hive_is_dirty(stale.p, stale.len, &a, &b), 1);
    pl_hive_log l = {"SOFTWARE.LOG", log.p, log.len};
    pl_hive_recovery r;
    ck_assert_int_eq(recover(&stale, &l, 1, &now, &r), 0);
    ck_assert_int_eq(r.recovered, 1);
    ck_assert(contains(r.detail, "dirty hive (base block checksum is wrong): replayed 32 dirty pages"));
    assert_equals_expected(&now, "hives-dirty/expected/SOFTWARE");
    pl_hive_recovery_free(&r);
    free(now.p);
    free(stale.p);
    free(log.p);
}
END_TEST

/* One damaged variant of the old-format log: it must be refused, the hive
 * left as it was, and the detail name the log and the reason. */
typedef void (*damage_fn)(buf *log);

static void expect_old_refused(damage_fn damage, const char *reason)
{
    buf stale = load(STALE), log = load(OLD_LOG), now;
    damage(&log);
    pl_hive_log l = {"SOFTWARE.LOG", log.p, log.len};
    pl_hive_recovery r;
    ck_assert_int_eq(recover(&stale, &l, 1, &now, &r), 0);
    assert_untouched(&stale, &now, &r);
    ck_assert_msg(contains(r.detail, "no usable transaction log (SOFTWARE.LOG: "), "%s", r.detail);
    ck_assert_msg(contains(r.detail, reason), "'%s' lacks '%s'", r.detail, reason);
    ck_assert(contains(r.detail, "values are from the stale primary file"));
    pl_hive_recovery_free(&r);
    free(now.p);
    free(stale.p);
    free(log.p);
}

static void cut_in_base_block(buf *l) { l->len = 300; }
static void cut_in_bitmap(buf *l) { l->len = 514; }
static void cut_in_pages(buf *l) { l->len -= 512; }
static void no_dirt(buf *l) { memcpy(l->p + 512, "DIRX", 4); }
static void bitmap_all_set(buf *l) { memset(l->p + 516, 0xff, 7); }
static void bitmap_empty(buf *l) { memset(l->p + 516, 0, 7); }
static void bad_checksum(buf *l) { l->p[100] ^= 1; }
static void type_primary(buf *l) { put32(l->p + 28, 0); fix_checksum(l->p); }
static void type_unknown(buf *l) { put32(l->p + 28, 3); fix_checksum(l->p); }
static void type_new(buf *l) { put32(l->p + 28, 6); fix_checksum(l->p); }
static void half_written(buf *l) { put32(l->p + 8, 2); fix_checksum(l->p); }
static void seq_ahead(buf *l) { put32(l->p + 4, 5); put32(l->p + 8, 5); fix_checksum(l->p); }
static void seq_behind(buf *l) { put32(l->p + 4, 1); put32(l->p + 8, 1); fix_checksum(l->p); }
static void other_hive(buf *l) { l->p[60] ^= 0x20; fix_checksum(l->p); }
static void older_stamp(buf *l) { l->p[13] ^= 0x80; fix_checksum(l->p); }
static void huge_hbins(buf *l) { put32(l->p + 40, 0x40000000u); fix_checksum(l->p); }
static void odd_hbins(buf *l) { put32(l->p + 40, 0x7001u); fix_checksum(l->p); }
static void cluster8(buf *l) { put32(l->p + 44, 8); fix_checksum(l->p); }
static void not_regf(buf *l) { memcpy(l->p, "rEgf", 4); }
static void broken_hbin(buf *l) { memcpy(l->p + 1024, "hbiX", 4); }

START_TEST(old_log_truncated)
{
    expect_old_refused(cut_in_base_block, "too short to hold a base block");
    expect_old_refused(cut_in_bitmap, "truncated before the end of its dirty vector");
    expect_old_refused(cut_in_pages, "its bitmap claims more dirty pages than the log holds");
}
END_TEST

START_TEST(old_log_bitmap_lies)
{
    expect_old_refused(bitmap_all_set, "its bitmap claims more dirty pages than the log holds");
    expect_old_refused(bitmap_empty, "its dirty vector marks no page");
    expect_old_refused(no_dirt, "no DIRT signature");
}
END_TEST

START_TEST(old_log_wrong_type_or_base_block)
{
    expect_old_refused(not_regf, "no regf signature");
    expect_old_refused(bad_checksum, "its base block checksum is wrong");
    expect_old_refused(type_primary, "its file type is not a transaction log");
    expect_old_refused(type_unknown, "its file type is not a transaction log");
    expect_old_refused(type_new, "no log entry continues the primary file");
    expect_old_refused(half_written, "the log itself was not completely written");
    expect_old_refused(cluster8, "unsupported clustering factor");
    expect_old_refused(huge_hbins, "its hive bins data size is invalid");
    expect_old_refused(odd_hbins, "its hive bins data size is invalid");
}
END_TEST

START_TEST(old_log_not_of_this_hive)
{
    expect_old_refused(other_hive, "it belongs to another hive");
    expect_old_refused(seq_ahead, "sequence gap");
    expect_old_refused(seq_behind, "older than the primary file");
    expect_old_refused(older_stamp, "older than the primary file (earlier last written timestamp)");
    expect_old_refused(broken_hbin, "after replay the hive bins do not chain");
}
END_TEST

/* ---- new format --------------------------------------------------------------- */

typedef struct {
    buf hive, log1, log2;
} new_set;

static new_set load_new(void)
{
    new_set s = {load(NEW_DIR "SOFTWARE"), load(NEW_DIR "SOFTWARE.LOG1"), load(NEW_DIR "SOFTWARE.LOG2")};
    return s;
}

static void free_new(new_set *s)
{
    free(s->hive.p);
    free(s->log1.p);
    free(s->log2.p);
}

static int recover_new(new_set *s, int swap, buf *now, pl_hive_recovery *r)
{
    pl_hive_log l[2] = {{"SOFTWARE.LOG1", s->log1.p, s->log1.len}, {"SOFTWARE.LOG2", s->log2.p, s->log2.len}};
    if (swap) {
        pl_hive_log t = l[0];
        l[0] = l[1];
        l[1] = t;
    }
    return recover(&s->hive, l, 2, now, r);
}

START_TEST(marvin_matches_windows)
{
    /* The header of yarp NewDirtyHive1.LOG1's entry, hash-2 as Windows wrote it. */
    static const uint8_t head[32] = {0x48, 0x76, 0x4c, 0x45, 0x00, 0x5e, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0,
                                     0x00, 0x50, 0, 0, 1, 0, 0, 0, 0x31, 0xe4, 0x07, 0x18, 0x66, 0x6c,
                                     0x86, 0x67};
    ck_assert_uint_eq(marvin32(head, 32), 0xcd44f3cfa7657f02ull);
}
END_TEST

START_TEST(new_format_replays_log1_then_log2)
{
    new_set s = load_new();
    buf now;
    pl_hive_recovery r;
    ck_assert_int_eq(recover_new(&s, _i, &now, &r), 0);
    ck_assert_int_eq(r.recovered, 1);
    ck_assert_str_eq(r.log_format, "new");
    ck_assert_uint_eq(r.pages_applied, 2);
    ck_assert_str_eq(r.log_used, "SOFTWARE.LOG1 and SOFTWARE.LOG2");
    ck_assert_str_eq(r.detail, "dirty hive (sequence 3/2): replayed 2 log entries from SOFTWARE.LOG1 "
                               "and SOFTWARE.LOG2 (new format)");
    assert_equals_expected(&now, "hives-dirty/expected/SOFTWARE");
    pl_hive_recovery_free(&r);
    free(now.p);
    free_new(&s);
}
END_TEST

static void expect_new_refused(void (*damage)(new_set *), const char *reason)
{
    new_set s = load_new();
    damage(&s);
    buf now;
    pl_hive_recovery r;
    ck_assert_int_eq(recover_new(&s, 0, &now, &r), 0);
    assert_untouched(&s.hive, &now, &r);
    ck_assert_msg(contains(r.detail, "no usable transaction log ("), "%s", r.detail);
    ck_assert_msg(contains(r.detail, reason), "'%s' lacks '%s'", r.detail, reason);
    pl_hive_recovery_free(&r);
    free(now.p);
    free_new(&s);
}

/* LOG1 replays, LOG2 is refused: the hive holds LOG1's state. */
static void expect_new_partial(void (*damage)(new_set *), const char *reason)
{
    new_set s = load_new();
    damage(&s);
    buf now;
    pl_hive_recovery r;
    ck_assert_int_eq(recover_new(&s, 0, &now, &r), 0);
    ck_assert_int_eq(r.recovered, 1);
    ck_assert_uint_eq(r.pages_applied, 1);
    ck_assert_str_eq(r.log_used, "SOFTWARE.LOG1");
    ck_assert_msg(contains(r.detail, reason), "'%s' lacks '%s'", r.detail, reason);
    uint32_t a, b;
    ck_assert_int_eq(pl_hive_is_dirty(now.p, now.len, &a, &b), 0);
    ck_assert_uint_eq(a, 2); /* the sequence number of LOG1's entry */
    pl_hive_recovery_free(&r);
    free(now.p);
    free_new(&s);
}

static uint8_t *entry1(buf *log) { return log->p + 512; }
static void size_overflow(new_set *s) { put32(entry1(&s->log1) + 4, 0xfffffe00u); }
static void size_unaligned(new_set *s) { put32(entry1(&s->log1) + 4, 1000); }
static void count_overflow(new_set *s) { put32(entry1(&s->log1) + 20, 0x20000000u); }
static void count_zero(new_set *s) { put32(entry1(&s->log1) + 20, 0); }
static void hash_wrong(new_set *s) { entry1(&s->log1)[600] ^= 1; }
static void page_outside(new_set *s)
{
    put32(entry1(&s->log1) + 40, 0x7000); /* hive bins are 0x7000 long: the page ends past it */
    resign_entry(entry1(&s->log1));
}
static void page_huge(new_set *s)
{
    put32(entry1(&s->log1) + 44, 0xfffff000u);
    resign_entry(entry1(&s->log1));
}
static void hbins_huge(new_set *s)
{
    put32(entry1(&s->log1) + 16, 0x40000000u); /* 1 GiB of bins + base block > the limit */
    resign_entry(entry1(&s->log1));
}
static void log1_gap(new_set *s)
{
    put32(s->log1.p + 4, 7);
    put32(s->log1.p + 8, 7);
    fix_checksum(s->log1.p);
    put32(entry1(&s->log1) + 12, 7);
    resign_entry(entry1(&s->log1));
    s->log2.len = 0;
}
static void log1_stale(new_set *s)
{
    put32(s->log1.p + 4, 1);
    put32(s->log1.p + 8, 1);
    fix_checksum(s->log1.p);
    s->log2.len = 0;
}
static void log1_old_type(new_set *s) { put32(s->log1.p + 28, 1); fix_checksum(s->log1.p); s->log2.len = 0; }
static void entry_seq_wrong(new_set *s) { put32(entry1(&s->log1) + 12, 9); resign_entry(entry1(&s->log1)); }
static void log2_gap(new_set *s)
{
    put32(s->log2.p + 4, 9);
    put32(s->log2.p + 8, 9);
    fix_checksum(s->log2.p);
}
static void log2_hash(new_set *s) { entry1(&s->log2)[4000] ^= 0x10; }
static void log2_foreign(new_set *s) { s->log2.p[50] ^= 1; fix_checksum(s->log2.p); }
static void log2_cut(new_set *s) { s->log2.len -= 512; }

START_TEST(new_log_entry_damaged)
{
    expect_new_refused(size_overflow, "SOFTWARE.LOG1 entry 1: its size runs past the end of the log");
    expect_new_refused(size_overflow, "SOFTWARE.LOG2: not used: the replay stopped at an earlier log");
    expect_new_refused(size_unaligned, "its size runs past the end of the log or is not a multiple of 512");
    expect_new_refused(count_overflow, "its dirty page count does not fit the entry");
    expect_new_refused(count_zero, "its dirty page count does not fit the entry");
    expect_new_refused(hash_wrong, "its hash does not match its contents");
    expect_new_refused(page_outside, "a dirty page reference points outside the hive or the entry");
    expect_new_refused(page_huge, "a dirty page reference points outside the hive or the entry");
    expect_new_refused(hbins_huge, "its hive bins data size is invalid");
}
END_TEST

START_TEST(new_log_sequence_problems)
{
    expect_new_refused(log1_gap, "SOFTWARE.LOG1: sequence gap: its first entry is newer than the primary");
    expect_new_refused(log1_stale, "SOFTWARE.LOG1: older than the primary file");
    /* An entry that is not the one the log announces is leftover data. */
    expect_new_refused(entry_seq_wrong, "SOFTWARE.LOG1: no log entry continues the primary file");
    expect_new_refused(entry_seq_wrong, "SOFTWARE.LOG2: not used: the replay stopped at an earlier log");
    expect_new_refused(log1_old_type, "SOFTWARE.LOG1: no DIRT signature");
}
END_TEST

START_TEST(new_log2_refused_after_log1)
{
    expect_new_partial(log2_gap, "ignored SOFTWARE.LOG2: sequence gap: its entries do not follow");
    expect_new_partial(log2_hash, "stopping at SOFTWARE.LOG2 entry 1: its hash does not match");
    expect_new_partial(log2_foreign, "ignored SOFTWARE.LOG2: it belongs to another hive");
    expect_new_partial(log2_cut, "stopping at SOFTWARE.LOG2 entry 1: its size runs past the end");
}
END_TEST

START_TEST(new_logs_grow_the_hive)
{
    /* The entry's hive bins size is larger than the primary file: the
     * buffer grows (zero-filled) to base block + bins. */
    new_set s = load_new();
    uint8_t *e = entry1(&s.log1);
    put32(e + 16, 0x10000);
    resign_entry(e);
    s.log2.len = 0;
    buf now;
    pl_hive_recovery r;
    ck_assert_int_eq(recover_new(&s, 0, &now, &r), 0);
    ck_assert_int_eq(r.recovered, 1);
    ck_assert_uint_eq(now.len, 4096 + 0x10000);
    ck_assert_uint_eq(pl_le32(now.p + 40), 0x10000);
    ck_assert_int_eq(pl_hive_is_dirty(now.p, now.len, NULL, NULL), 0);
    pl_hive_recovery_free(&r);
    free(now.p);
    free_new(&s);
}
END_TEST

START_TEST(new_logs_with_damaged_primary_base_block)
{
    /* Windows (per yarp) then replays only the newest log, and takes the
     * base block from it. */
    new_set s = load_new();
    s.hive.p[300] ^= 1;
    buf now;
    pl_hive_recovery r;
    ck_assert_int_eq(recover_new(&s, 0, &now, &r), 0);
    ck_assert_int_eq(r.recovered, 1);
    ck_assert_uint_eq(r.pages_applied, 1);
    ck_assert_str_eq(r.log_used, "SOFTWARE.LOG2");
    ck_assert(contains(r.detail, "dirty hive (base block checksum is wrong): replayed 1 log entry from "
                                 "SOFTWARE.LOG2 (new format); ignored SOFTWARE.LOG1: not used: with a "
                                 "damaged primary base block only the newest log is replayed"));
    uint32_t a, b;
    ck_assert_int_eq(pl_hive_is_dirty(now.p, now.len, &a, &b), 0);
    ck_assert_uint_eq(a, 3);
    ck_assert_uint_eq(now.p[300], s.hive.p[300] ^ 1); /* first sector from the log */
    pl_hive_recovery_free(&r);
    free(now.p);
    free_new(&s);
}
END_TEST

/* ---- robustness ------------------------------------------------------------------ */

static uint32_t rng_state = 12345;
static uint32_t rng(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

/* Random damage to every log kind: never a crash or a sanitizer report;
 * whatever is replayed yields a clean base block within the limit. */
START_TEST(random_damage_never_breaks_the_replay)
{
    buf stale = load(STALE), old = load(OLD_LOG);
    new_set s = load_new();
    for (int round = 0; round < 400; round++) {
        int is_new = round % 2;
        buf src = is_new ? (round % 4 == 1 ? s.log1 : s.log2) : old;
        buf log = copy_of(&src);
        int flips = 1 + (int)(rng() % 8);
        for (int i = 0; i < flips; i++) {
            size_t at = rng() % (i % 2 ? 1100 : log.len);
            log.p[at] = (uint8_t)rng();
        }
        if (rng() % 3 == 0)
            log.len = rng() % (log.len + 1);
        if (rng() % 2)
            fix_checksum(log.p);
        pl_hive_log l[2] = {{"A.LOG1", log.p, log.len}, {"A.LOG2", s.log2.p, is_new ? s.log2.len : 0}};
        const buf *hive = is_new ? &s.hive : &stale;
        buf now;
        pl_hive_recovery r;
        ck_assert_int_eq(recover(hive, l, 2, &now, &r), 0);
        ck_assert_ptr_nonnull(r.detail);
        ck_assert_uint_le(now.len, PL_MAX_HIVE_BYTES);
        if (r.recovered)
            ck_assert_int_eq(pl_hive_is_dirty(now.p, now.len, NULL, NULL), 0);
        else
            ck_assert(now.len == hive->len && memcmp(now.p, hive->p, hive->len) == 0);
        pl_hive_recovery_free(&r);
        free(now.p);
        free(log.p);
    }
    free(stale.p);
    free(old.p);
    free_new(&s);
}
END_TEST

START_TEST(recovery_free_is_idempotent)
{
    pl_hive_recovery r = {0};
    pl_hive_recovery_free(&r);
    pl_hive_recovery_free(NULL);
    r.detail = strdup("x");
    pl_hive_recovery_free(&r);
    ck_assert_ptr_null(r.detail);
    pl_hive_recovery_free(&r);
}
END_TEST

int main(void)
{
    Suite *suite = suite_create("hive_log");
    TCase *basic = tcase_create("basic");
    tcase_add_test(basic, clean_hive_is_untouched);
    tcase_add_test(basic, not_a_hive_is_an_error);
    tcase_add_test(basic, dirty_without_logs_is_returned_as_is);
    tcase_add_test(basic, recovery_free_is_idempotent);
    suite_add_tcase(suite, basic);

    TCase *old = tcase_create("old_format");
    tcase_add_test(old, old_format_log_replays);
    tcase_add_test(old, old_format_log1_replays);
    tcase_add_test(old, old_format_picks_the_log_that_belongs);
    tcase_add_test(old, tree_fixture_log_brings_6003);
    tcase_add_test(old, damaged_primary_base_block_recovered_from_old_log);
    tcase_add_test(old, old_log_truncated);
    tcase_add_test(old, old_log_bitmap_lies);
    tcase_add_test(old, old_log_wrong_type_or_base_block);
    tcase_add_test(old, old_log_not_of_this_hive);
    suite_add_tcase(suite, old);

    TCase *nw = tcase_create("new_format");
    tcase_add_test(nw, marvin_matches_windows);
    tcase_add_loop_test(nw, new_format_replays_log1_then_log2, 0, 2);
    tcase_add_test(nw, new_log_entry_damaged);
    tcase_add_test(nw, new_log_sequence_problems);
    tcase_add_test(nw, new_log2_refused_after_log1);
    tcase_add_test(nw, new_logs_grow_the_hive);
    tcase_add_test(nw, new_logs_with_damaged_primary_base_block);
    suite_add_tcase(suite, nw);

    TCase *rob = tcase_create("robustness");
    tcase_add_test(rob, random_damage_never_breaks_the_replay);
    suite_add_tcase(suite, rob);
    return pl_run_suite(suite);
}
