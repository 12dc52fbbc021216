/* Faults: the salvage of damaged hives compared with libregf's on the same
 * files. For each damaged SOFTWARE hive of fixtures/faults/hives (and the
 * sound one it was made from), libregf's regfexport and patchlevel each
 * recover what they can; the test prints, per file, the CBS packages and
 * CurrentVersion values each recovered, and asserts that patchlevel
 * recovers at least what regfexport does (the same package names, the
 * same values), plus the counts patchlevel is known to recover.
 *
 * regfexport (libregf-utils, listed in scripts/install-deps-debian.sh)
 * prints "Key path: ROOT\A\B" for each key, then "Value: N NAME" and
 * "Data: TEXT" for each of its values; it stops at the first cell it
 * cannot read. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../check_main.h"
#include "faults.h"
#include "util/util.h"

#define PACKAGES "\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\Packages\\"
#define CURRENT_VERSION "\\Microsoft\\Windows NT\\CurrentVersion"

/* The values compared: regfexport name, patchlevel JSON field. */
static const char *const cv_names[][2] = {
    {"ProductName", "os.product_name"},     {"EditionID", "os.edition_id"},
    {"CurrentBuild", "os.current_build"},   {"CurrentBuildNumber", "os.current_build_number"},
    {"CSDVersion", "os.csd_version"},       {"BuildLabEx", "os.build_lab_ex"},
};
#define NCV (sizeof cv_names / sizeof *cv_names)

typedef struct {
    int opened;              /* regfexport printed at least the root key */
    pl_strlist packages;     /* subkeys of CBS\Packages */
    char *cv[NCV];           /* CurrentVersion values, NULL when not recovered */
} recovered;

static void chomp(char *s)
{
    s[strcspn(s, "\r\n")] = '\0';
}

/* Key path: ROOT\...\Packages\NAME -> NAME (direct children only). */
static void note_key(recovered *rc, const char *path, int *in_cv)
{
    rc->opened = 1;
    const char *p = strstr(path, PACKAGES);
    if (p && !strchr(p + strlen(PACKAGES), '\\') && p[strlen(PACKAGES)])
        pl_strlist_push(&rc->packages, p + strlen(PACKAGES));
    size_t n = strlen(path), m = strlen(CURRENT_VERSION);
    *in_cv = n >= m && strcmp(path + n - m, CURRENT_VERSION) == 0;
}

static void regfexport_recovers(const char *file, recovered *rc)
{
    memset(rc, 0, sizeof *rc);
    char *cmd = pl_xasprintf("regfexport '%s' 2>/dev/null", file);
    FILE *f = popen(cmd, "r");
    ck_assert_msg(f != NULL, "cannot run regfexport");
    char line[4096];
    int in_cv = 0, value = -1;
    while (fgets(line, sizeof line, f)) {
        chomp(line);
        if (strncmp(line, "Key path: ", 10) == 0) {
            note_key(rc, line + 10, &in_cv);
            value = -1;
        } else if (in_cv && strncmp(line, "Value: ", 7) == 0) {
            const char *name = strchr(line + 7, ' ');
            value = -1;
            for (size_t i = 0; name && i < NCV; i++)
                if (strcmp(name + 1, cv_names[i][0]) == 0)
                    value = (int)i;
        } else if (value >= 0 && strncmp(line, "Data: ", 6) == 0) {
            free(rc->cv[value]);
            rc->cv[value] = pl_xstrdup(line + 6);
            value = -1;
        }
    }
    int status = pclose(f);
    ck_assert_msg(status != -1, "regfexport did not run");
    free(cmd);
}

static void patchlevel_recovers(const char *file, recovered *rc, char **state)
{
    memset(rc, 0, sizeof *rc);
    e2e_run r;
    const char *args[] = {"-f", "json", file, NULL};
    e2e_exec(&r, args);
    json_object *i = jget(r.json, "installations.0");
    rc->opened = i != NULL;
    *state = pl_xstrdup(i ? jstr(i, "os.software_hive_state.state") : "unreadable");
    for (int k = 0; i && k < jlen(i, "updates.packages"); k++) {
        char path[64];
        snprintf(path, sizeof path, "updates.packages.%d.identity", k);
        pl_strlist_push(&rc->packages, jstr(i, path));
    }
    for (size_t k = 0; i && k < NCV; k++)
        rc->cv[k] = pl_xstrdup(jstr(i, cv_names[k][1]));
    e2e_free(&r);
}

static size_t count_cv(const recovered *rc)
{
    size_t n = 0;
    for (size_t i = 0; i < NCV; i++)
        n += rc->cv[i] != NULL;
    return n;
}

static void recovered_free(recovered *rc)
{
    pl_strlist_free(&rc->packages);
    for (size_t i = 0; i < NCV; i++)
        free(rc->cv[i]);
}

START_TEST(salvage_recovers_at_least_what_libregf_does)
{
#define BASE "trees/ws2008-6002-base/WINDOWS/system32/config/software"
#define CLEAN "hives-dirty/clean/SOFTWARE"
    static const struct {
        const char *rel, *source, *state;
        int packages, values;   /* what patchlevel recovers */
    } cases[] = {
        {BASE, BASE, "clean", 4, 6},
        {"faults/hives/SOFTWARE-bad-checksum", BASE, "salvaged", 4, 6},
        {"faults/hives/SOFTWARE-truncated-bin", BASE, "salvaged", 0, 0},
        {"faults/hives/SOFTWARE-cut-at-bin", BASE, "salvaged", 0, 6},
        {CLEAN, CLEAN, "clean", 17, 6},
        {"faults/hives/SOFTWARE-zeroed-bin", CLEAN, "salvaged", 12, 6},
        {"faults/hives/SOFTWARE-root-lost", BASE, "unreadable", 0, 0},
    };
    printf("%-58s %-22s %s\n", "file", "regfexport pkgs/values",
           "patchlevel state pkgs/values");
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        const char *file = e2e_fixture(cases[k].rel);
        recovered lib, pl;
        char *state;
        regfexport_recovers(file, &lib);
        patchlevel_recovers(file, &pl, &state);
        recovered whole;
        char *whole_state;
        patchlevel_recovers(e2e_fixture(cases[k].source), &whole, &whole_state);
        char libs[32] = "refused";
        if (lib.opened)
            snprintf(libs, sizeof libs, "%zu/%zu", lib.packages.len, count_cv(&lib));
        printf("%-58s %-22s %s %zu/%zu\n", cases[k].rel, libs, state, pl.packages.len,
               count_cv(&pl));
        for (size_t i = 0; i < lib.packages.len; i++)
            ck_assert_msg(pl_strlist_contains(&pl.packages, lib.packages.items[i]),
                          "%s: regfexport recovers package %s, patchlevel does not",
                          cases[k].rel, lib.packages.items[i]);
        for (size_t i = 0; i < NCV; i++)
            if (lib.cv[i])
                ck_assert_msg(pl.cv[i] && strcmp(pl.cv[i], lib.cv[i]) == 0,
                              "%s: %s is \"%s\" to regfexport, \"%s\" to patchlevel",
                              cases[k].rel, cv_names[i][0], lib.cv[i],
                              pl.cv[i] ? pl.cv[i] : "(none)");
        /* Nothing invented: what the salvage yields is in the sound hive. */
        for (size_t i = 0; i < pl.packages.len; i++)
            ck_assert_msg(pl_strlist_contains(&whole.packages, pl.packages.items[i]),
                          "%s: package %s is not in %s", cases[k].rel, pl.packages.items[i],
                          cases[k].source);
        for (size_t i = 0; i < NCV; i++)
            ck_assert_msg(!pl.cv[i] || strcmp(pl.cv[i], whole.cv[i]) == 0,
                          "%s: %s differs from %s's", cases[k].rel, cv_names[i][0],
                          cases[k].source);
        ck_assert_str_eq(state, cases[k].state);
        ck_assert_int_eq(pl.packages.len, cases[k].packages);
        ck_assert_int_eq(count_cv(&pl), cases[k].values);
        free(state);
        free(whole_state);
        recovered_free(&whole);
        recovered_free(&lib);
        recovered_free(&pl);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("faults-salvage");
    TCase *tc = tcase_create("salvage");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, salvage_recovers_at_least_what_libregf_does);
    suite_add_tcase(s, tc);
    return pl_run_suite(s);
}
