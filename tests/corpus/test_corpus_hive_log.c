/* Corpus tier: replaying a real Windows-written dirty hive (yarp's
 * NewDirtyHive1: new-format .LOG1 + .LOG2) must give the hive Windows 10
 * itself produced from the same files (RecoveredHive_Windows10): same key
 * paths, value names, types and data. Skipped (exit 77) when PL_CORPUS is
 * unset or the files are absent. */
#include <check.h>
#include <hivex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/hive.h"
#include "evidence/hive_log.h"
#include "../check_main.h"

#define DIR "yarp/NewDirtyHive1/"

static const char *corpus;

static uint8_t *slurp(const char *rel, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", corpus, rel);
    return pl_test_read_file(path, len);
}

/* ---- a whole hive as sorted lines "path|name|type|hexdata" --------------- */

static void add_values(hive_h *h, hive_node_h node, const char *path, pl_strlist *out)
{
    hive_value_h *vals = hivex_node_values(h, node);
    ck_assert(vals != NULL);
    for (size_t i = 0; vals[i]; i++) {
        char *name = hivex_value_key(h, vals[i]);
        hive_type t;
        size_t len;
        char *data = hivex_value_value(h, vals[i], &t, &len);
        ck_assert(name && data);
        char *hex = malloc(2 * len + 1);
        for (size_t j = 0; j < len; j++)
            snprintf(hex + 2 * j, 3, "%02x", (unsigned char)data[j]);
        hex[2 * len] = '\0';
        pl_strlist_pushf(out, "%s|%s|%d|%s", path, name, (int)t, hex);
        free(hex);
        free(data);
        free(name);
    }
    free(vals);
}

static void walk(hive_h *h, hive_node_h node, const char *path, int depth, pl_strlist *out)
{
    ck_assert_msg(depth < 64, "hive too deep at %s", path);
    pl_strlist_push(out, path);
    add_values(h, node, path, out);
    hive_node_h *kids = hivex_node_children(h, node);
    ck_assert(kids != NULL);
    for (size_t i = 0; kids[i]; i++) {
        char *name = hivex_node_name(h, kids[i]);
        char *sub = pl_xasprintf("%s\\%s", path, name);
        walk(h, kids[i], sub, depth + 1, out);
        free(sub);
        free(name);
    }
    free(kids);
}

static void hive_lines(const uint8_t *data, size_t len, pl_strlist *out)
{
    pl_hive hv;
    pl_err err;
    ck_assert_msg(pl_hive_open_mem(data, len, &hv, &err) == 0, "%s", err.msg);
    walk(hv.h, hivex_root(hv.h), "", 0, out);
    pl_hive_close(&hv);
    pl_strlist_sort(out);
}

static void root_keys(const uint8_t *data, size_t len, pl_strlist *out)
{
    pl_hive hv;
    pl_err err;
    ck_assert_msg(pl_hive_open_mem(data, len, &hv, &err) == 0, "%s", err.msg);
    hive_node_h *kids = hivex_node_children(hv.h, hivex_root(hv.h));
    for (size_t i = 0; kids && kids[i]; i++)
        pl_strlist_push_owned(out, hivex_node_name(hv.h, kids[i]));
    free(kids);
    pl_hive_close(&hv);
    pl_strlist_sort(out);
}

/* ---- replay --------------------------------------------------------------- */

typedef struct {
    uint8_t *hive;
    size_t len;
    uint8_t *log1, *log2;
    size_t len1, len2;
} dirty_set;

static void load_set(dirty_set *s)
{
    s->hive = slurp(DIR "NewDirtyHive", &s->len);
    s->log1 = slurp(DIR "NewDirtyHive.LOG1", &s->len1);
    s->log2 = slurp(DIR "NewDirtyHive.LOG2", &s->len2);
}

static void free_set(dirty_set *s)
{
    free(s->hive);
    free(s->log1);
    free(s->log2);
}

static void replay(dirty_set *s, pl_hive_recovery *r, int swap)
{
    pl_hive_log logs[2] = {{"NewDirtyHive.LOG1", s->log1, s->len1},
                           {"NewDirtyHive.LOG2", s->log2, s->len2}};
    if (swap) { /* the caller's order must not matter: sequence numbers decide */
        pl_hive_log t = logs[0];
        logs[0] = logs[1];
        logs[1] = t;
    }
    pl_err err;
    ck_assert_int_eq(pl_hive_recover(&s->hive, &s->len, logs, 2, r, &err), 0);
}

START_TEST(replay_matches_windows)
{
    dirty_set s;
    load_set(&s);
    pl_hive_recovery r;
    replay(&s, &r, _i);
    ck_assert_int_eq(r.dirty, 1);
    ck_assert_uint_eq(r.seq1, 3);
    ck_assert_uint_eq(r.seq2, 2);
    ck_assert_int_eq(r.recovered, 1);
    ck_assert_str_eq(r.log_format, "new");
    ck_assert_uint_eq(r.pages_applied, 4); /* entries 2 (LOG1), 3, 4, 5 (LOG2) */
    ck_assert_str_eq(r.log_used, "NewDirtyHive.LOG1 and NewDirtyHive.LOG2");
    ck_assert_str_eq(r.detail, "dirty hive (sequence 3/2): replayed 4 log entries from "
                               "NewDirtyHive.LOG1 and NewDirtyHive.LOG2 (new format)");
    uint32_t a, b;
    ck_assert_int_eq(pl_hive_is_dirty(s.hive, s.len, &a, &b), 0);
    ck_assert_uint_eq(a, 5);
    ck_assert_uint_eq(b, 5);

    size_t wlen;
    uint8_t *win = slurp(DIR "RecoveredHive_Windows10", &wlen);
    pl_strlist ours = {0}, theirs = {0};
    hive_lines(s.hive, s.len, &ours);
    hive_lines(win, wlen, &theirs);
    ck_assert_uint_gt(ours.len, 1);
    ck_assert_uint_eq(ours.len, theirs.len);
    for (size_t i = 0; i < ours.len; i++)
        ck_assert_str_eq(ours.items[i], theirs.items[i]);
    /* The replayed hive bins are byte for byte those Windows wrote. */
    ck_assert_uint_eq(s.len, wlen);
    ck_assert(memcmp(s.hive + 4096, win + 4096, wlen - 4096) == 0);
    pl_strlist_free(&ours);
    pl_strlist_free(&theirs);
    free(win);
    pl_hive_recovery_free(&r);
    free_set(&s);
}
END_TEST

START_TEST(stale_primary_and_recovered_root_keys)
{
    dirty_set s;
    load_set(&s);
    pl_strlist before = {0}, after = {0};
    root_keys(s.hive, s.len, &before);
    ck_assert_uint_eq(before.len, 2);
    ck_assert_str_eq(before.items[0], "Key1");
    ck_assert_str_eq(before.items[1], "Key2");
    pl_hive_recovery r;
    replay(&s, &r, 0);
    root_keys(s.hive, s.len, &after);
    ck_assert_uint_eq(after.len, 1);
    ck_assert_str_eq(after.items[0], "Key3");
    pl_strlist_free(&before);
    pl_strlist_free(&after);
    pl_hive_recovery_free(&r);
    free_set(&s);
}
END_TEST

START_TEST(log2_alone_or_log1_alone)
{
    /* Without .LOG1 the replay starts at .LOG2's entry 3, which the primary
     * (3/2) accepts; .LOG1 alone gives its single full-hive entry 2. */
    dirty_set s;
    load_set(&s);
    pl_hive_log only2 = {"NewDirtyHive.LOG2", s.log2, s.len2};
    pl_hive_recovery r;
    pl_err err;
    ck_assert_int_eq(pl_hive_recover(&s.hive, &s.len, &only2, 1, &r, &err), 0);
    ck_assert_int_eq(r.recovered, 1);
    ck_assert_uint_eq(r.pages_applied, 3);
    pl_hive_recovery_free(&r);
    free_set(&s);

    load_set(&s);
    pl_hive_log only1 = {"NewDirtyHive.LOG1", s.log1, s.len1};
    ck_assert_int_eq(pl_hive_recover(&s.hive, &s.len, &only1, 1, &r, &err), 0);
    ck_assert_int_eq(r.recovered, 1);
    ck_assert_uint_eq(r.pages_applied, 1);
    uint32_t a, b;
    ck_assert_int_eq(pl_hive_is_dirty(s.hive, s.len, &a, &b), 0);
    ck_assert_uint_eq(a, 2);
    pl_hive_recovery_free(&r);
    free_set(&s);
}
END_TEST

START_TEST(windows_result_is_clean)
{
    size_t len;
    uint8_t *win = slurp(DIR "RecoveredHive_Windows10", &len);
    uint32_t a, b;
    ck_assert_int_eq(pl_hive_is_dirty(win, len, &a, &b), 0);
    ck_assert_uint_eq(a, 6);
    pl_hive_recovery r;
    pl_err err;
    ck_assert_int_eq(pl_hive_recover(&win, &len, NULL, 0, &r, &err), 0);
    ck_assert_int_eq(r.dirty, 0);
    ck_assert_int_eq(r.recovered, 0);
    pl_hive_recovery_free(&r);
    free(win);
}
END_TEST

static int corpus_present(void)
{
    corpus = getenv("PL_CORPUS");
    if (!corpus || !*corpus)
        return 0;
    char path[1024];
    snprintf(path, sizeof path, "%s/%sNewDirtyHive.LOG2", corpus, DIR);
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    fclose(f);
    return 1;
}

int main(void)
{
    if (!corpus_present()) {
        fprintf(stderr, "PL_CORPUS unset or without %s: skipped\n", DIR);
        return 77;
    }
    Suite *suite = suite_create("corpus_hive_log");
    TCase *tc = tcase_create("yarp");
    tcase_add_loop_test(tc, replay_matches_windows, 0, 2);
    tcase_add_test(tc, stale_primary_and_recovered_root_keys);
    tcase_add_test(tc, log2_alone_or_log1_alone);
    tcase_add_test(tc, windows_result_is_clean);
    suite_add_tcase(suite, tc);
    return pl_run_suite(suite);
}
