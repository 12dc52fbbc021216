/* The update catalog: the shipped file's facts, lookups, the kernel ->
 * rollup mapping, and the reader on malformed and tricky CSV (each error
 * checked word for word, since users see these for their own files). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decisions/catalog.h"
#include "util/limits.h"
#include "../check_main.h"
#include "shipped_catalog.h"

/* ---- helpers ------------------------------------------------------------ */

static pl_catalog shipped;

static void load_shipped(void)
{
    load_shipped_catalog(&shipped);
}

static void free_shipped(void)
{
    pl_catalog_free(&shipped);
}

static const pl_catalog_entry *must_find(const pl_catalog *cat, const char *kb)
{
    const pl_catalog_entry *e = pl_catalog_find(cat, kb);
    ck_assert_msg(e != NULL, "%s not in the catalog", kb);
    return e;
}

static void ck_kernel(const pl_catalog_entry *e, unsigned a, unsigned b, unsigned c, unsigned d)
{
    ck_assert_int_eq(e->has_kernel, 1);
    ck_assert_uint_eq(e->kernel[0], a);
    ck_assert_uint_eq(e->kernel[1], b);
    ck_assert_uint_eq(e->kernel[2], c);
    ck_assert_uint_eq(e->kernel[3], d);
}

static const char *rollup_kb_for(unsigned a, unsigned b, unsigned c, unsigned d)
{
    uint16_t v[4] = {(uint16_t)a, (uint16_t)b, (uint16_t)c, (uint16_t)d};
    const pl_catalog_entry *e = pl_catalog_rollup_for_kernel(&shipped, v);
    return e ? e->kb : NULL;
}

/* Parse text; the catalog is freed by the caller on success. */
static int parse(const char *text, pl_catalog *cat, pl_err *err)
{
    return pl_catalog_parse(text, strlen(text), "t.csv", cat, err);
}

/* The text must fail with exactly this message and leave *cat empty. */
static void ck_error_len(const char *text, size_t len, const char *expected)
{
    pl_catalog cat;
    pl_err err = {0};
    ck_assert_int_eq(pl_catalog_parse(text, len, "t.csv", &cat, &err), -1);
    ck_assert_str_eq(err.msg, expected);
    ck_assert_ptr_null(cat.entries);
    ck_assert_uint_eq(cat.n, 0);
    ck_assert_ptr_null(cat.name);
}

static void ck_error(const char *text, const char *expected)
{
    ck_error_len(text, strlen(text), expected);
}

#define HDR "kb,release_date,kind\n"

/* ---- the shipped catalog ------------------------------------------------ */

START_TEST(shipped_catalog_parses_sorted)
{
    ck_assert_uint_eq(shipped.n, 193);   /* 177 reference rows, 16 added by the corrections */
    ck_assert_ptr_nonnull(shipped.by_kb);
    for (size_t i = 1; i < shipped.n; i++) {
        const char *a = shipped.entries[i - 1].release_date, *b = shipped.entries[i].release_date;
        ck_assert_msg(!*b || (*a && strcmp(a, b) <= 0), "%s before %s", a, b);
    }
}
END_TEST

START_TEST(shipped_first_6003_rollup)
{
    const pl_catalog_entry *e = must_find(&shipped, "KB4493471");
    ck_assert_str_eq(e->release_date, "2019-04-09");
    ck_assert_int_eq(e->kind, PL_KIND_MONTHLY_ROLLUP);
    ck_kernel(e, 6, 0, 6003, 20489);
    ck_assert_str_eq(e->supersedes, "KB4489880");
    ck_assert_str_eq(e->title, "April 9, 2019-KB4493471 (Monthly Rollup)");
    ck_assert_ptr_nonnull(strstr(e->source, "rfl_Hotfix.csv"));
    ck_assert_str_eq(e->confidence, "high");
    ck_assert_uint_gt(e->line, 25);   /* after the comment block and header */
}
END_TEST

START_TEST(shipped_prerequisites)
{
    const pl_catalog_entry *e = must_find(&shipped, "KB4493730");
    ck_assert_int_eq(e->kind, PL_KIND_SSU);
    ck_assert_str_eq(e->release_date, "2019-04-09");
    e = must_find(&shipped, "KB4474419");
    ck_assert_int_eq(e->kind, PL_KIND_SHA2);
    ck_assert_str_eq(e->release_date, "2019-09-23");   /* corrections: revision v4's date */
    ck_assert_int_eq(must_find(&shipped, "KB4575904")->kind, PL_KIND_ESU_LICENSING);
    ck_assert_str_eq(must_find(&shipped, "KB4538484")->release_date, "2020-02-11");
}
END_TEST

START_TEST(shipped_previews_and_out_of_band)
{
    const pl_catalog_entry *e = must_find(&shipped, "KB4493460");
    ck_assert_int_eq(e->kind, PL_KIND_PREVIEW);
    ck_assert_str_eq(e->supersedes, "KB4493471");
    ck_assert_int_eq(must_find(&shipped, "KB4489887")->kind, PL_KIND_PREVIEW);
    const char *oob[] = {"KB5004955", "KB5004959", "KB5010799", "KB5021657"};
    for (size_t i = 0; i < 4; i++)
        ck_assert_int_eq(must_find(&shipped, oob[i])->kind, PL_KIND_OUT_OF_BAND);
    ck_assert_str_eq(must_find(&shipped, "KB5004955")->supersedes, "KB5003661");
    /* corrections: an out-of-band fix of 2022-05-19 on top of May 2022 */
    e = must_find(&shipped, "KB5014990");
    ck_assert_int_eq(e->kind, PL_KIND_OUT_OF_BAND);
    ck_assert_str_eq(e->release_date, "2022-05-19");
    ck_assert_ptr_null(e->supersedes);
    ck_assert_str_eq(e->confidence, "high");
}
END_TEST

START_TEST(shipped_kind_counts)
{
    size_t count[PL_KIND_OTHER + 1] = {0};
    for (size_t i = 0; i < shipped.n; i++)
        count[shipped.entries[i].kind]++;
    ck_assert_uint_eq(count[PL_KIND_MONTHLY_ROLLUP], 89);   /* 15 of them KB unknown */
    ck_assert_uint_eq(count[PL_KIND_SECURITY_ONLY], 66);
    ck_assert_uint_eq(count[PL_KIND_PREVIEW], 14);
    ck_assert_uint_eq(count[PL_KIND_OUT_OF_BAND], 5);
    ck_assert_uint_eq(count[PL_KIND_SSU], 13);
    ck_assert_uint_eq(count[PL_KIND_ESU_LICENSING], 3);
    ck_assert_uint_eq(count[PL_KIND_SHA2], 3);
    ck_assert_uint_eq(count[PL_KIND_OTHER], 0);
}
END_TEST

/* Every month from the first 6003 rollup to the last update (2026-01-13)
 * has exactly one monthly rollup row, with or without a KB, and every
 * row's channel is the one its date falls in. */
START_TEST(shipped_months_are_complete_to_2026_01)
{
    int seen[2027 - 2019][12] = {{0}};
    size_t unknown = 0;
    for (size_t i = 0; i < shipped.n; i++) {
        const pl_catalog_entry *e = &shipped.entries[i];
        ck_assert_int_eq(e->channel, pl_channel_of_date(e->release_date));
        if (e->kind != PL_KIND_MONTHLY_ROLLUP || strcmp(e->release_date, "2019-04") < 0)
            continue;
        int y = atoi(e->release_date), m = atoi(e->release_date + 5);
        seen[y - 2019][m - 1]++;
        if (!e->kb[0]) {
            unknown++;
            ck_assert_ptr_nonnull(e->note);
        }
    }
    for (int y = 2019; y <= 2026; y++)
        for (int m = (y == 2019 ? 4 : 1); m <= (y == 2026 ? 1 : 12); m++)
            ck_assert_msg(seen[y - 2019][m - 1] == 1, "%d-%02d: %d rollups", y, m,
                          seen[y - 2019][m - 1]);
    ck_assert_uint_eq(unknown, 15);
    ck_assert_str_eq(shipped.newest, "2026-01-13");
    ck_assert_uint_eq(strlen(shipped.sha256), 64);
}
END_TEST

/* The channel ends of reference update 2026-12-06. */
START_TEST(shipped_channels)
{
    ck_assert_int_eq(must_find(&shipped, "KB4534303")->channel, PL_CHANNEL_PUBLIC);
    ck_assert_int_eq(must_find(&shipped, "KB4537810")->channel, PL_CHANNEL_ESU);
    ck_assert_int_eq(must_find(&shipped, "KB5022340")->channel, PL_CHANNEL_ESU);
    ck_assert_int_eq(must_find(&shipped, "KB5022890")->channel, PL_CHANNEL_AZURE);
    ck_assert_int_eq(must_find(&shipped, "KB5034173")->channel, PL_CHANNEL_AZURE);
    ck_assert_int_eq(must_find(&shipped, "KB5034795")->channel, PL_CHANNEL_PREMIUM_ASSURANCE);
    ck_assert_str_eq(must_find(&shipped, "KB5034795")->supersedes, "KB5034173");
    ck_assert_int_eq(must_find(&shipped, "KB5034833")->kind, PL_KIND_SECURITY_ONLY);
    ck_kernel(must_find(&shipped, "KB5029318"), 6, 0, 6003, 22216);
}
END_TEST

/* A preview contains its month's B-week rollup; rollups chain back in time. */
START_TEST(shipped_supersedes_are_consistent)
{
    for (size_t i = 0; i < shipped.n; i++) {
        const pl_catalog_entry *e = &shipped.entries[i];
        if (!e->supersedes)
            continue;
        const pl_catalog_entry *s = must_find(&shipped, e->supersedes);
        /* KB5004305 (July 2021) supersedes the out-of-band rollup KB5004955. */
        ck_assert_msg(s->kind == PL_KIND_MONTHLY_ROLLUP || s->kind == PL_KIND_OUT_OF_BAND,
                      "%s supersedes %s of kind %s", e->kb, s->kb, pl_update_kind_name(s->kind));
        if (e->kind == PL_KIND_PREVIEW)
            ck_assert_int_eq(strncmp(s->release_date, e->release_date, 7), 0);
        else
            ck_assert_str_lt(s->release_date, e->release_date);
    }
}
END_TEST

/* ---- lookups ------------------------------------------------------------ */

START_TEST(find_is_case_insensitive)
{
    const pl_catalog_entry *e = must_find(&shipped, "KB4493471");
    ck_assert_ptr_eq(pl_catalog_find(&shipped, "kb4493471"), e);
    ck_assert_ptr_eq(pl_catalog_find(&shipped, "Kb4493471"), e);
    ck_assert_ptr_null(pl_catalog_find(&shipped, "KB1234567"));
    ck_assert_ptr_null(pl_catalog_find(&shipped, "4493471"));
    ck_assert_ptr_null(pl_catalog_find(&shipped, "KB4493471 "));
    ck_assert_ptr_null(pl_catalog_find(&shipped, NULL));
    ck_assert_ptr_null(pl_catalog_find(NULL, "KB4493471"));
}
END_TEST

START_TEST(find_every_shipped_entry)
{
    for (size_t i = 0; i < shipped.n; i++)
        if (shipped.entries[i].kb[0])     /* a KB-unknown month is found by no KB */
            ck_assert_ptr_eq(pl_catalog_find(&shipped, shipped.entries[i].kb),
                             &shipped.entries[i]);
}
END_TEST

/* A catalog built by hand has no index: find scans. */
START_TEST(find_in_hand_built_catalog)
{
    pl_catalog_entry e[2] = {{.kb = "KB100", .release_date = ""},
                             {.kb = "KB4493471", .release_date = "2019-04-09"}};
    pl_catalog cat = {.entries = e, .n = 2};
    ck_assert_ptr_eq(pl_catalog_find(&cat, "kb4493471"), &e[1]);
    ck_assert_ptr_null(pl_catalog_find(&cat, "KB101"));
}
END_TEST

START_TEST(kind_names_round_trip)
{
    for (int k = PL_KIND_MONTHLY_ROLLUP; k <= PL_KIND_OTHER; k++) {
        pl_update_kind back;
        ck_assert_int_eq(pl_update_kind_parse(pl_update_kind_name((pl_update_kind)k), &back), 0);
        ck_assert_int_eq(back, k);
    }
    pl_update_kind k;
    ck_assert_int_eq(pl_update_kind_parse("Monthly-Rollup", &k), 0);
    ck_assert_int_eq(k, PL_KIND_MONTHLY_ROLLUP);
    ck_assert_int_eq(pl_update_kind_parse("rollup", &k), -1);
    ck_assert_int_eq(pl_update_kind_parse(NULL, &k), -1);
    ck_assert_str_eq(pl_update_kind_name((pl_update_kind)99), "other");
}
END_TEST

/* ---- kernel -> rollup ----------------------------------------------------- */

START_TEST(kernel_exact_threshold)
{
    ck_assert_str_eq(rollup_kb_for(6, 0, 6003, 20489), "KB4493471");
    ck_assert_str_eq(rollup_kb_for(6, 0, 6003, 21481), "KB5014010");
    ck_assert_str_eq(rollup_kb_for(6, 0, 6003, 20512), "KB4499149");
}
END_TEST

START_TEST(kernel_between_thresholds_is_the_older_month)
{
    ck_assert_str_eq(rollup_kb_for(6, 0, 6003, 20511), "KB4493471");
    /* Jan 2020 has no kernel version (TEN used crypt32): Dec 2019 until Feb 2020. */
    ck_assert_str_eq(rollup_kb_for(6, 0, 6003, 20700), "KB4530695");
    /* Between May 2022 and the (low-confidence) April 2023 threshold. */
    ck_assert_str_eq(rollup_kb_for(6, 0, 6003, 21500), "KB5014010");
    /* Past the last known kernel (August 2023): placed there; the security
     * level says "after 2023-08, month unknown" (test_servicing.c). */
    ck_assert_str_eq(rollup_kb_for(6, 0, 6003, 23117), "KB5029318");
}
END_TEST

START_TEST(kernel_pre_bump_months)
{
    ck_assert_str_eq(rollup_kb_for(6, 0, 6002, 24565), "KB4489880");
    ck_assert_str_eq(rollup_kb_for(6, 0, 6002, 24566), "KB4489880");
    ck_assert_str_eq(rollup_kb_for(6, 0, 6002, 24540), "KB4471325");
    ck_assert_str_eq(rollup_kb_for(6, 0, 6002, 24463), "KB4458010");
    /* Older than the first rollup-era kernel, or below the first 6003 one. */
    ck_assert_ptr_null(rollup_kb_for(6, 0, 6002, 18005));
    ck_assert_ptr_null(rollup_kb_for(6, 0, 6003, 20000));
}
END_TEST

START_TEST(kernel_of_other_versions_is_not_placed)
{
    ck_assert_ptr_null(rollup_kb_for(6, 1, 7601, 24545));
    ck_assert_ptr_null(rollup_kb_for(10, 0, 6003, 20489));
    ck_assert_ptr_null(pl_catalog_rollup_for_kernel(&shipped, NULL));
    uint16_t v[4] = {6, 0, 6003, 20489};
    ck_assert_ptr_null(pl_catalog_rollup_for_kernel(NULL, v));
}
END_TEST

/* Only monthly rollups place a kernel, and on equal versions the newest. */
START_TEST(kernel_ties_go_to_the_newest_rollup)
{
    pl_catalog cat;
    pl_err err = {0};
    ck_assert_int_eq(parse("kb,release_date,kind,kernel_version\n"
                           "KB200,2020-02-11,monthly-rollup,6.0.6003.100\n"
                           "KB100,2020-01-14,monthly-rollup,6.0.6003.100\n"
                           "KB300,2020-03-10,security-only,6.0.6003.200\n",
                           &cat, &err), 0);
    uint16_t v[4] = {6, 0, 6003, 250};
    ck_assert_str_eq(pl_catalog_rollup_for_kernel(&cat, v)->kb, "KB200");
    pl_catalog_free(&cat);
}
END_TEST

/* ---- malformed catalogs ----------------------------------------------------- */

START_TEST(error_unterminated_quote)
{
    ck_error(HDR "KB100,2019-01-08,other\n"
                 "KB101,2019-01-08,\"other\n"
                 "KB102,2019-01-08,other\n",
             "t.csv:3: unterminated quoted field");
}
END_TEST

START_TEST(error_bad_kind)
{
    ck_error(HDR "KB4493471,2019-04-09,rollup\n",
             "t.csv:2: bad kind \"rollup\": expected one of monthly-rollup, security-only, "
             "preview, out-of-band, ssu, esu-licensing, sha2, other");
    ck_error(HDR "KB4493471,2019-04-09,\n",
             "t.csv:2: bad kind \"\": expected one of monthly-rollup, security-only, "
             "preview, out-of-band, ssu, esu-licensing, sha2, other");
}
END_TEST

START_TEST(error_bad_date)
{
    const char *bad[] = {"2019-02-29", "2019/04/09", "2019-4-9", "2019-13", "19-04-09",
                         "2019-04-09T00:00", "1899-12-31", "2019-04-00"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *text = pl_xasprintf(HDR "KB100,%s,other\n", bad[i]);
        char *want = pl_xasprintf("t.csv:2: bad release_date \"%s\": expected YYYY-MM-DD, "
                                  "YYYY-MM or empty", bad[i]);
        ck_error(text, want);
        free(text);
        free(want);
    }
}
END_TEST

START_TEST(error_bad_kb)
{
    const char *bad[] = {"4493471", "KB12", "KB123456789", "KBx123", "Q123456", "KB-4493471"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *text = pl_xasprintf(HDR "%s,2019-04-09,other\n", bad[i]);
        char *want = pl_xasprintf("t.csv:2: bad kb \"%s\": expected KB followed by 3 to 8 "
                                  "digits, or empty", bad[i]);
        ck_error(text, want);
        free(text);
        free(want);
    }
    ck_error("kb,release_date,kind,supersedes\nKB100,,other,4493471\n",
             "t.csv:2: bad supersedes \"4493471\": expected KB followed by 3 to 8 digits, "
             "or empty");
}
END_TEST

START_TEST(error_bad_version)
{
    const char *bad[] = {"6.0.6003", "6.0.6003.70000", "6.0.6003.20489 (tag)", "6.0.6003.x",
                         "6..6003.1", "6.0.6003.20489.1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *text = pl_xasprintf("kb,release_date,kind,kernel_version\n"
                                  "KB100,2019-04-09,monthly-rollup,%s\n", bad[i]);
        char *want = pl_xasprintf("t.csv:2: bad kernel_version \"%s\": expected a.b.c.d "
                                  "(each part 0-65535) or empty", bad[i]);
        ck_error(text, want);
        free(text);
        free(want);
    }
}
END_TEST

START_TEST(error_duplicate_kb)
{
    ck_error(HDR "KB4493471,2019-04-09,monthly-rollup\n"
                 "KB4493458,2019-04-09,security-only\n"
                 "kb4493471,2019-04-09,monthly-rollup\n",
             "t.csv:4: duplicate KB KB4493471 (first on line 2)");
    /* Of two duplicated KBs, the one whose repeat comes first. */
    ck_error(HDR "KB200,,other\nKB100,,other\nKB100,,other\nKB200,,other\n",
             "t.csv:4: duplicate KB KB100 (first on line 3)");
}
END_TEST

START_TEST(error_missing_required_column)
{
    ck_error("kb,kind,title\nKB100,other,x\n",
             "t.csv:1: missing required column \"release_date\" in the header row");
    /* A file without a header: its first row is taken as one. */
    ck_error("# comment\nKB100,2019-04-09,other\n",
             "t.csv:2: missing required column \"kb\" in the header row");
    ck_error("kb,release_date,kind,KB\n", "t.csv:1: column \"kb\" appears twice in the header");
}
END_TEST

START_TEST(error_too_many_columns)
{
    char text[512] = "kb,release_date,kind";
    for (int i = 3; i < PL_MAX_CATALOG_COLUMNS; i++)
        strcat(text, ",x");                 /* 64 columns: fine */
    strcat(text, "\n");
    pl_catalog cat;
    pl_err err = {0};
    ck_assert_int_eq(parse(text, &cat, &err), 0);
    pl_catalog_free(&cat);
    strcpy(text + strlen(text) - 1, ",one-more\n");
    ck_error(text, "t.csv:1: more than 64 columns (PL_MAX_CATALOG_COLUMNS)");
    /* In a data row too, reported on its line. */
    strcpy(text, HDR "KB100,,other");
    for (int i = 3; i <= PL_MAX_CATALOG_COLUMNS; i++)
        strcat(text, ",x");                 /* 65 fields */
    ck_error(text, "t.csv:2: more than 64 columns (PL_MAX_CATALOG_COLUMNS)");
}
END_TEST

START_TEST(error_field_too_long)
{
    size_t n = PL_MAX_CATALOG_FIELD;
    char *title = malloc(n + 2);
    memset(title, 'x', n + 1);
    title[n + 1] = '\0';
    char *text = pl_xasprintf("kb,release_date,kind,title\nKB100,,other,\"%s\"\n", title);
    ck_error(text, "t.csv:2: field longer than 4096 bytes (PL_MAX_CATALOG_FIELD)");
    free(text);
    title[n] = '\0';   /* exactly the limit is fine */
    text = pl_xasprintf("kb,release_date,kind,title\nKB100,,other,%s\n", title);
    pl_catalog cat;
    pl_err err = {0};
    ck_assert_int_eq(parse(text, &cat, &err), 0);
    ck_assert_uint_eq(strlen(cat.entries[0].title), n);
    pl_catalog_free(&cat);
    free(text);
    free(title);
}
END_TEST

START_TEST(error_empty_file)
{
    ck_error("", "t.csv:1: empty file (expected a header row naming the columns)");
    ck_error_len(NULL, 0, "t.csv:1: empty file (expected a header row naming the columns)");
    ck_error("\xEF\xBB\xBF", "t.csv:1: empty file (expected a header row naming the columns)");
    ck_error("# only a comment\n\n", "t.csv:3: no header row (only comments and blank lines)");
}
END_TEST

START_TEST(error_nul_byte)
{
    static const char text[] = HDR "KB100,2019-04-09,oth\0er\n";
    ck_error_len(text, sizeof text - 1, "t.csv:2: NUL byte (a catalog is UTF-8 text)");
}
END_TEST

START_TEST(error_not_utf8)
{
    ck_error(HDR "KB100,,other\nKB101,,other\xff\n", "t.csv:3: invalid UTF-8");
    ck_error(HDR "KB100,,\xc0\xaf\n", "t.csv:2: invalid UTF-8");   /* overlong "/" */
    ck_error("\xff\xfek\0b\0", "t.csv:1: UTF-16 text; save the catalog as UTF-8");
}
END_TEST

START_TEST(error_field_count_differs_from_header)
{
    ck_error(HDR "KB100,2019-04-09\n", "t.csv:2: 2 fields, but the header has 3");
    /* The classic: a title with an unquoted comma. */
    ck_error("kb,release_date,kind,title\nKB100,,other,April 9, 2019\n",
             "t.csv:2: 5 fields, but the header has 4");
}
END_TEST

START_TEST(error_stray_quotes)
{
    ck_error(HDR "KB100,\"2019-04-09\"x,other\n",
             "t.csv:2: text after the closing quote of a field");
    ck_error(HDR "KB100,2019-04-09,oth\"er\n",
             "t.csv:2: quote inside an unquoted field (quote the whole field and double the "
             "quote)");
}
END_TEST

START_TEST(error_too_many_rows)
{
    size_t rows = PL_MAX_CATALOG_ROWS + 1, cap = strlen(HDR) + rows * 16 + 1, len = 0;
    char *text = malloc(cap);
    len += (size_t)snprintf(text, cap, HDR);
    for (size_t i = 0; i < rows; i++)
        len += (size_t)snprintf(text + len, cap - len, "KB%zu,,other\n", 100000 + i);
    char want[128];
    snprintf(want, sizeof want, "t.csv:%zu: more than %d rows (PL_MAX_CATALOG_ROWS)", rows + 1,
             PL_MAX_CATALOG_ROWS);
    ck_error_len(text, len, want);
    free(text);
}
END_TEST

START_TEST(error_too_large)
{
    size_t len = (size_t)PL_MAX_CATALOG_BYTES + 1;
    char *text = calloc(1, len);
    ck_error_len(text, len, "t.csv: larger than 16777216 bytes (PL_MAX_CATALOG_BYTES)");
    free(text);
}
END_TEST

/* The line reported is the row's first line, counting lines inside quotes. */
START_TEST(error_line_counts_quoted_newlines)
{
    ck_error("# c\r\nkb,release_date,kind,title\r\nKB100,,other,\"two\r\nlines\"\r\n"
             "KB101,,bogus,x\r\n",
             "t.csv:5: bad kind \"bogus\": expected one of monthly-rollup, security-only, "
             "preview, out-of-band, ssu, esu-licensing, sha2, other");
}
END_TEST

/* A long or multi-line bad value is cut and flattened in the message. */
START_TEST(error_value_is_shown_safely)
{
    ck_error("kb,release_date,kind\n\"KB1\n2\",,other\n",
             "t.csv:2: bad kb \"KB1?2\": expected KB followed by 3 to 8 digits, or empty");
    ck_error(HDR "KB100,,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
             "t.csv:2: bad kind \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\": expected one of "
             "monthly-rollup, security-only, preview, out-of-band, ssu, esu-licensing, sha2, "
             "other");
}
END_TEST

START_TEST(load_errors_name_the_file)
{
    pl_catalog cat;
    pl_err err = {0};
    ck_assert_int_eq(pl_catalog_load("/nonexistent/cat.csv", &cat, &err), -1);
    ck_assert_str_eq(err.msg, "/nonexistent/cat.csv: cannot open: No such file or directory");
    ck_assert_int_eq(pl_catalog_load("/", &cat, &err), -1);
    ck_assert_str_eq(err.msg, "/: cannot read: Is a directory");
    ck_assert_ptr_null(cat.entries);
}
END_TEST

/* ---- quoting and layout ------------------------------------------------------ */

START_TEST(quoted_comma_quote_and_newline)
{
    pl_catalog cat;
    pl_err err = {0};
    ck_assert_int_eq(parse("kb,release_date,kind,title,source\n"
                           "KB100,2019-04-09,other,\"April 9, 2019\",\"say \"\"hi\"\"\"\n"
                           "KB101,2019-04-10,other,\"two\nlines\",\"crlf\r\ninside\"\n"
                           "KB102,2019-04-11,other,\"\",\"\"\"\"\n",
                           &cat, &err), 0);
    ck_assert_uint_eq(cat.n, 3);
    ck_assert_str_eq(cat.entries[0].title, "April 9, 2019");
    ck_assert_str_eq(cat.entries[0].source, "say \"hi\"");
    ck_assert_str_eq(cat.entries[1].title, "two\nlines");
    ck_assert_str_eq(cat.entries[1].source, "crlf\ninside");
    ck_assert_ptr_null(cat.entries[2].title);   /* empty is absent */
    ck_assert_str_eq(cat.entries[2].source, "\"");
    ck_assert_uint_eq(cat.entries[2].line, 6);   /* KB101 spans lines 3-5 */
    pl_catalog_free(&cat);
}
END_TEST

START_TEST(crlf_bom_comments_blanks_and_trimming)
{
    pl_catalog cat;
    pl_err err = {0};
    ck_assert_int_eq(parse("\xEF\xBB\xBF# comment, with \"quotes\r\n"
                           "\r\n"
                           " Kind ,\"KB \",Release_Date, extra\r\n"
                           "  # indented comment\r\n"
                           "   \t\r\n"
                           " monthly-rollup , kb4493471 , 2019-04-09 , ignored\r\n"
                           "\"SSU\",\" KB4493730 \",2019-04-09,\r"   /* a lone CR ends a line */
                           "other,KB100,,\"#not a comment\"",        /* no final line break */
                           &cat, &err), 0);
    ck_assert_uint_eq(cat.n, 3);
    const pl_catalog_entry *e = pl_catalog_find(&cat, "KB4493471");
    ck_assert_str_eq(e->kb, "KB4493471");
    ck_assert_int_eq(e->kind, PL_KIND_MONTHLY_ROLLUP);
    ck_assert_str_eq(e->release_date, "2019-04-09");
    ck_assert_int_eq(e->has_kernel, 0);
    ck_assert_ptr_null(e->supersedes);
    ck_assert_ptr_null(e->title);
    ck_assert_ptr_null(e->source);
    ck_assert_ptr_null(e->confidence);
    ck_assert_uint_eq(e->line, 6);
    ck_assert_int_eq(pl_catalog_find(&cat, "KB4493730")->kind, PL_KIND_SSU);
    ck_assert_uint_eq(pl_catalog_find(&cat, "KB4493730")->line, 7);
    ck_assert_uint_eq(pl_catalog_find(&cat, "KB100")->line, 8);
    ck_assert_str_eq(cat.name, "t.csv");
    pl_catalog_free(&cat);
}
END_TEST

START_TEST(header_only_is_an_empty_catalog)
{
    pl_catalog cat;
    pl_err err = {0};
    ck_assert_int_eq(parse(HDR, &cat, &err), 0);
    ck_assert_uint_eq(cat.n, 0);
    ck_assert_ptr_null(pl_catalog_find(&cat, "KB100"));
    pl_catalog_free(&cat);
    pl_catalog_free(&cat);   /* harmless twice */
    pl_catalog_free(NULL);
}
END_TEST

START_TEST(sorted_by_date_then_kb_number)
{
    pl_catalog cat;
    pl_err err = {0};
    ck_assert_int_eq(parse("kb,release_date,kind,supersedes\n"
                           "KB5,,other,\n"
                           "KB1000,2020-04-14,other,kb999\n"
                           "KB999,2020-04-14,other,\n"
                           "KB2000,2020-04,ssu,\n"
                           "KB3000,2019-12-31,other,\n",
                           &cat, &err), -1);
    ck_assert_str_eq(err.msg, "t.csv:2: bad kb \"KB5\": expected KB followed by 3 to 8 digits, or empty");
    ck_assert_int_eq(parse("kb,release_date,kind,supersedes\n"
                           "KB500,,other,\n"
                           "KB1000,2020-04-14,other,kb999\n"
                           "KB999,2020-04-14,other,\n"
                           "KB2000,2020-04,ssu,\n"
                           "KB3000,2019-12-31,other,\n",
                           &cat, &err), 0);
    const char *order[] = {"KB3000", "KB2000", "KB999", "KB1000", "KB500"};
    for (size_t i = 0; i < 5; i++)
        ck_assert_str_eq(cat.entries[i].kb, order[i]);
    ck_assert_str_eq(cat.entries[3].supersedes, "KB999");
    pl_catalog_free(&cat);
}
END_TEST

START_TEST(dates_leap_day_and_month_only)
{
    pl_catalog cat;
    pl_err err = {0};
    ck_assert_int_eq(parse(HDR "KB100,2020-02-29,other\nKB101,2000-02-29,other\n"
                               "KB102,2019-09,sha2\nKB103,,other\n",
                           &cat, &err), 0);
    ck_assert_uint_eq(cat.n, 4);
    pl_catalog_free(&cat);
    ck_error(HDR "KB100,1900-02-29,other\n",
             "t.csv:2: bad release_date \"1900-02-29\": expected YYYY-MM-DD, YYYY-MM or empty");
}
END_TEST

START_TEST(kernel_version_parts)
{
    pl_catalog cat;
    pl_err err = {0};
    ck_assert_int_eq(parse("kb,release_date,kind,kernel_version\n"
                           "KB100,,monthly-rollup,65535.0.6003.65535\n"
                           "KB101,,monthly-rollup,\"  6.0.6002.24565 \"\n",
                           &cat, &err), 0);
    ck_kernel(pl_catalog_find(&cat, "KB100"), 65535, 0, 6003, 65535);
    ck_kernel(pl_catalog_find(&cat, "KB101"), 6, 0, 6002, 24565);
    pl_catalog_free(&cat);
}
END_TEST

/* channel and note columns; a row without a KB needs a date and a note;
 * two KB-unknown rows are not duplicates. */
START_TEST(channel_note_and_unknown_kb_rows)
{
    pl_catalog cat;
    pl_err err = {0};
    ck_assert_int_eq(parse("kb,release_date,kind,channel,note\n"
                           ",2025-03-11,monthly-rollup,,KB unknown\n"
                           ",2025-04-08,monthly-rollup,Premium-Assurance,KB unknown\n"
                           "KB100,2019-12-10,monthly-rollup,,\n"
                           "KB200,2020-02-11,monthly-rollup,esu,\n",
                           &cat, &err), 0);
    ck_assert_uint_eq(cat.n, 4);
    ck_assert_int_eq(cat.entries[0].channel, PL_CHANNEL_PUBLIC);
    ck_assert_int_eq(cat.entries[1].channel, PL_CHANNEL_ESU);
    ck_assert_str_eq(cat.entries[2].kb, "");
    ck_assert_str_eq(cat.entries[2].note, "KB unknown");
    ck_assert_int_eq(cat.entries[2].channel, PL_CHANNEL_PREMIUM_ASSURANCE);
    ck_assert_int_eq(cat.entries[3].channel, PL_CHANNEL_PREMIUM_ASSURANCE);
    ck_assert_str_eq(cat.newest, "2025-04-08");
    pl_catalog_free(&cat);
    ck_assert_int_eq(parse("kb,release_date,kind,note\n,,monthly-rollup,x\n", &cat, &err), -1);
    ck_assert_str_eq(err.msg, "t.csv:2: a row with an empty kb needs a release_date and a note");
    ck_assert_int_eq(parse("kb,release_date,kind\n,2025-03,monthly-rollup\n", &cat, &err), -1);
    ck_assert_int_eq(parse("kb,release_date,kind,channel\nKB1000,2020-01,ssu,cloud\n", &cat,
                           &err), -1);
    ck_assert_str_eq(err.msg, "t.csv:2: bad channel \"cloud\": expected one of public, esu, "
                              "azure, premium-assurance, or empty");
}
END_TEST

START_TEST(channel_of_date_and_names)
{
    ck_assert_int_eq(pl_channel_of_date("2020-01-14"), PL_CHANNEL_PUBLIC);
    ck_assert_int_eq(pl_channel_of_date("2020-02"), PL_CHANNEL_ESU);
    ck_assert_int_eq(pl_channel_of_date("2023-01-10"), PL_CHANNEL_ESU);
    ck_assert_int_eq(pl_channel_of_date("2024-01-09"), PL_CHANNEL_AZURE);
    ck_assert_int_eq(pl_channel_of_date("2024-02-13"), PL_CHANNEL_PREMIUM_ASSURANCE);
    ck_assert_int_eq(pl_channel_of_date(""), PL_CHANNEL_PUBLIC);
    for (int c = 0; c < PL_NCHANNELS; c++) {
        pl_channel back;
        ck_assert_int_eq(pl_channel_parse(pl_channel_name((pl_channel)c), &back), 0);
        ck_assert_int_eq(back, c);
    }
}
END_TEST

/* The message names the file as given. */
START_TEST(parse_without_a_name)
{
    pl_catalog cat;
    pl_err err = {0};
    ck_assert_int_eq(pl_catalog_parse("x", 1, NULL, &cat, &err), -1);
    ck_assert_str_eq(err.msg, "catalog:1: missing required column \"kb\" in the header row");
}
END_TEST

static Suite *catalog_suite(void)
{
    Suite *s = suite_create("catalog");
    TCase *tc = tcase_create("shipped");
    tcase_add_checked_fixture(tc, load_shipped, free_shipped);
    tcase_add_test(tc, shipped_catalog_parses_sorted);
    tcase_add_test(tc, shipped_first_6003_rollup);
    tcase_add_test(tc, shipped_prerequisites);
    tcase_add_test(tc, shipped_previews_and_out_of_band);
    tcase_add_test(tc, shipped_kind_counts);
    tcase_add_test(tc, shipped_months_are_complete_to_2026_01);
    tcase_add_test(tc, shipped_channels);
    tcase_add_test(tc, shipped_supersedes_are_consistent);
    tcase_add_test(tc, find_is_case_insensitive);
    tcase_add_test(tc, find_every_shipped_entry);
    tcase_add_test(tc, kernel_exact_threshold);
    tcase_add_test(tc, kernel_between_thresholds_is_the_older_month);
    tcase_add_test(tc, kernel_pre_bump_months);
    tcase_add_test(tc, kernel_of_other_versions_is_not_placed);
    suite_add_tcase(s, tc);

    tc = tcase_create("reader");
    tcase_set_timeout(tc, 60);   /* the too-many-rows case under sanitizers */
    tcase_add_test(tc, find_in_hand_built_catalog);
    tcase_add_test(tc, kind_names_round_trip);
    tcase_add_test(tc, kernel_ties_go_to_the_newest_rollup);
    tcase_add_test(tc, error_unterminated_quote);
    tcase_add_test(tc, error_bad_kind);
    tcase_add_test(tc, error_bad_date);
    tcase_add_test(tc, error_bad_kb);
    tcase_add_test(tc, error_bad_version);
    tcase_add_test(tc, error_duplicate_kb);
    tcase_add_test(tc, error_missing_required_column);
    tcase_add_test(tc, error_too_many_columns);
    tcase_add_test(tc, error_field_too_long);
    tcase_add_test(tc, error_empty_file);
    tcase_add_test(tc, error_nul_byte);
    tcase_add_test(tc, error_not_utf8);
    tcase_add_test(tc, error_field_count_differs_from_header);
    tcase_add_test(tc, error_stray_quotes);
    tcase_add_test(tc, error_too_many_rows);
    tcase_add_test(tc, error_too_large);
    tcase_add_test(tc, error_line_counts_quoted_newlines);
    tcase_add_test(tc, error_value_is_shown_safely);
    tcase_add_test(tc, load_errors_name_the_file);
    tcase_add_test(tc, quoted_comma_quote_and_newline);
    tcase_add_test(tc, crlf_bom_comments_blanks_and_trimming);
    tcase_add_test(tc, header_only_is_an_empty_catalog);
    tcase_add_test(tc, sorted_by_date_then_kb_number);
    tcase_add_test(tc, dates_leap_day_and_month_only);
    tcase_add_test(tc, kernel_version_parts);
    tcase_add_test(tc, parse_without_a_name);
    tcase_add_test(tc, channel_note_and_unknown_kb_rows);
    tcase_add_test(tc, channel_of_date_and_names);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    Suite *suite = catalog_suite();
    return pl_run_suite(suite);
}
