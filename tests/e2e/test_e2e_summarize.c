/* End to end: `patchlevel summarize` over results the program itself wrote
 * for the fixtures. The numbers are counted here again from the JSONL
 * with json-c and compared with the text, CSV and HTML summaries; then a
 * resumed run (repeated inputs), a truncated last line, an unreadable
 * file among good ones, -o, and the usage errors. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "e2e.h"
#include "../check_main.h"

static const char *const verdicts[] = {"yes", "no", "inconsistent", "not-applicable", "unknown"};
#define NVERDICTS (sizeof verdicts / sizeof *verdicts)

/* What the summary should say, counted independently. */
typedef struct {
    long inputs, failed, installations, reboot, pending_6003, none, undetermined;
    long web_servers;            /* installations with the role Web Server (IIS) */
    long verdict[NVERDICTS];
    char months[64][8];
    long month_count[64];
    int nmonths;
} expected;

static char results[] = "/tmp/pl-summarize-XXXXXX";

/* ---- the results, and counting them --------------------------------- */

static void add_fixture_args(const char **args, int *n)
{
    static char trees[64][512];
    static const char *const fixed[] = {"wim/multi.wim", "disks/gpt-6002.qcow2",
                                        "disks/mbr-logical.qcow2", "disks/mbr-sysres.qcow2",
                                        "disks/no-windows.qcow2"};
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++)
        args[(*n)++] = strdup(e2e_fixture(fixed[i]));   /* e2e_fixture's buffers rotate */
    DIR *d = opendir(e2e_fixture("trees"));
    ck_assert(d != NULL);
    struct dirent *e;
    int t = 0;
    while ((e = readdir(d)) && t < 64) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(trees[t], sizeof trees[t], "%s/%s", e2e_fixture("trees"), e->d_name);
        args[(*n)++] = trees[t++];
    }
    closedir(d);
}

/* Run the analysis once for the whole suite (it takes a few seconds). */
static void make_results(void)
{
    int fd = mkstemp(results);
    ck_assert(fd >= 0);
    close(fd);
    const char *args[96] = {"-f", "jsonl", "-o", results};
    int n = 4;
    add_fixture_args(args, &n);
    args[n++] = "/nonexistent/pl-summarize-input";
    args[n] = NULL;
    e2e_run r;
    e2e_exec(&r, args);
    ck_assert_msg(r.status == 3, "analysis exited %d: %s", r.status, r.err);
    e2e_free(&r);
    for (int i = 4; i < 9; i++)
        free((char *)args[i]);
}

static void count_month(expected *x, const char *date)
{
    for (int i = 0; i < x->nmonths; i++)
        if (strncmp(x->months[i], date, 7) == 0) {
            x->month_count[i]++;
            return;
        }
    ck_assert(x->nmonths < 64);
    snprintf(x->months[x->nmonths], 8, "%.7s", date);
    x->month_count[x->nmonths++] = 1;
}

static void count_inst(expected *x, json_object *in)
{
    x->installations++;
    const char *v = jstr(in, "build6003.verdict");
    for (size_t k = 0; k < NVERDICTS; k++)
        if (v && strcmp(v, verdicts[k]) == 0)
            x->verdict[k]++;
    x->reboot += jbool(in, "pending.reboot_required") == 1;
    x->web_servers += jfind(in, "roles", "name", "Web Server (IIS)") != NULL;
    x->pending_6003 += v && strcmp(v, "no") == 0 && jint(in, "build6003.pending_build") == 6003;
    const char *date = jstr(in, "updates.latest_rollup.release_date");
    if (date)
        count_month(x, date);
    else if (jint(in, "updates.rollups_behind") != INT64_MIN)
        x->none++;
    else
        x->undetermined++;
}

static void count_results(const char *path, expected *x)
{
    memset(x, 0, sizeof *x);
    FILE *f = fopen(path, "r");
    ck_assert(f != NULL);
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0) {
        json_object *o = json_tokener_parse(line);
        ck_assert(o != NULL);
        x->inputs++;
        x->failed += jlen(o, "errors") > 0;
        for (int i = 0; i < jlen(o, "installations"); i++)
            count_inst(x, json_object_array_get_idx(jget(o, "installations"), (size_t)i));
        json_object_put(o);
    }
    free(line);
    fclose(f);
}

/* ---- reading the summaries ------------------------------------------ */

/* The count on the line "  LABEL   N" of the text section titled title;
 * -1 when there is none. */
static long text_count(const char *text, const char *title, const char *label)
{
    char head[128];
    snprintf(head, sizeof head, "\n%s\n", title);
    const char *p = strstr(text, head);
    if (!p)
        return -1;
    for (p += strlen(head); *p == ' '; p = strchr(p, '\n') + 1) {
        size_t n = strlen(label);
        if (strncmp(p + 2, label, n) == 0 && p[2 + n] == ' ') {
            const char *end = strchr(p, '\n');
            while (end[-1] >= '0' && end[-1] <= '9')
                end--;
            return strtol(end, NULL, 10);
        }
        if (!strchr(p, '\n'))
            break;
    }
    return -1;
}

static long csv_count(const char *csv, const char *section, const char *key)
{
    char row[128];
    snprintf(row, sizeof row, "\r\n%s,%s,", section, key);
    const char *p = strstr(csv, row);
    return p ? strtol(p + strlen(row), NULL, 10) : -1;
}

static long html_count(const char *html, const char *metric)
{
    char attr[128];
    snprintf(attr, sizeof attr, "data-metric=\"%s\">", metric);
    const char *p = strstr(html, attr);
    return p ? strtol(p + strlen(attr), NULL, 10) : -1;
}

static void summarize(e2e_run *r, const char *format, const char *file2)
{
    const char *args[] = {"summarize", "-f", format, results, file2, NULL};
    e2e_exec(r, args);
}

/* ---- tests ------------------------------------------------------------ */

START_TEST(text_matches_the_results)
{
    expected x;
    count_results(results, &x);
    ck_assert_int_ge(x.installations, 10);
    ck_assert_int_eq(x.failed, 1);
    e2e_run r;
    summarize(&r, "text", NULL);
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    ck_assert_int_eq(text_count(r.out, "Inputs", "total"), x.inputs);
    ck_assert_int_eq(text_count(r.out, "Inputs", "failed"), x.failed);
    ck_assert_int_eq(text_count(r.out, "Installations", "total"), x.installations);
    ck_assert_int_eq(text_count(r.out, "Installations", "pending reboot"), x.reboot);
    ck_assert_int_eq(text_count(r.out, "Installations", "no, but 6003 pending"), x.pending_6003);
    for (size_t k = 0; k < NVERDICTS; k++)
        ck_assert_msg(text_count(r.out, "Build 6003 verdict", verdicts[k]) == x.verdict[k],
                      "verdict %s: %s", verdicts[k], r.out);
    const char *months = "Newest monthly rollup installed (release month)";
    for (int i = 0; i < x.nmonths; i++)
        ck_assert_int_eq(text_count(r.out, months, x.months[i]), x.month_count[i]);
    ck_assert_int_eq(text_count(r.out, months, "none installed"), x.none);
    ck_assert_int_eq(text_count(r.out, months, "not determined"), x.undetermined);
    ck_assert(strstr(r.out, "/nonexistent/pl-summarize-input  cannot open: "));
    e2e_free(&r);
}
END_TEST

START_TEST(csv_matches_the_results)
{
    expected x;
    count_results(results, &x);
    e2e_run r;
    summarize(&r, "csv", NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert(strncmp(r.out, "section,key,count,input,", 24) == 0);
    ck_assert_int_eq(csv_count(r.out, "inputs", "total"), x.inputs);
    ck_assert_int_eq(csv_count(r.out, "inputs", "failed"), x.failed);
    ck_assert_int_eq(csv_count(r.out, "installations", "total"), x.installations);
    ck_assert_int_eq(csv_count(r.out, "installations", "reboot_pending"), x.reboot);
    ck_assert_int_eq(csv_count(r.out, "installations", "no_but_6003_pending"), x.pending_6003);
    for (size_t k = 0; k < NVERDICTS; k++)
        ck_assert_int_eq(csv_count(r.out, "verdict", verdicts[k]), x.verdict[k]);
    for (int i = 0; i < x.nmonths; i++)
        ck_assert_int_eq(csv_count(r.out, "rollup_month", x.months[i]), x.month_count[i]);
    ck_assert_int_eq(csv_count(r.out, "rollup_month", "none installed"), x.none);
    /* every row has three fields; the counts add up */
    long behind = 0;
    const char *buckets[] = {"0", "1-6", "7-12", "13-24", ">24", "not determined"};
    for (size_t b = 0; b < 6; b++)
        behind += csv_count(r.out, "rollups_behind", buckets[b]);
    ck_assert_int_eq(behind, x.installations);
    e2e_free(&r);
}
END_TEST

START_TEST(html_matches_the_results)
{
    expected x;
    count_results(results, &x);
    e2e_run r;
    summarize(&r, "html", NULL);
    ck_assert_int_eq(r.status, 0);
    ck_assert(strncmp(r.out, "<!DOCTYPE html>", 15) == 0);
    ck_assert(strstr(r.out, "</html>\n"));
    ck_assert_int_eq(html_count(r.out, "inputs.total"), x.inputs);
    ck_assert_int_eq(html_count(r.out, "installations.total"), x.installations);
    for (size_t k = 0; k < NVERDICTS; k++) {
        char m[64];
        snprintf(m, sizeof m, "verdict.%s", verdicts[k]);
        ck_assert_int_eq(html_count(r.out, m), x.verdict[k]);
    }
    for (int i = 0; i < x.nmonths; i++) {
        char m[64];
        snprintf(m, sizeof m, "rollup_month.%s", x.months[i]);
        ck_assert_int_eq(html_count(r.out, m), x.month_count[i]);
    }
    ck_assert_int_eq((long)(strstr(r.out, "<svg") != NULL), 1);
    /* one script, the page's own, allowed by its hash; nothing fetched */
    const char *script = strstr(r.out, "<script>");
    ck_assert(script && !strstr(script + 1, "<script"));
    ck_assert(strstr(r.out, "script-src 'sha256-"));
    ck_assert(!strstr(r.out, "<link") && !strstr(r.out, "://") && !strstr(r.out, "unsafe-inline"));
    e2e_free(&r);
}
END_TEST

/* The servicing sections: the CSV, the JSON and the HTML cards agree, and
 * every installation is in one security-month and one channel row. */
START_TEST(servicing_sections_agree_in_every_format)
{
    expected x;
    count_results(results, &x);
    e2e_run c, j, h;
    summarize(&c, "csv", NULL);
    summarize(&j, "json", NULL);
    summarize(&h, "html", NULL);
    ck_assert_int_eq(c.status, 0);
    ck_assert_int_eq(j.status, 0);
    ck_assert_ptr_nonnull(j.json);
    ck_assert_str_eq(jstr(j.json, "schema"), "patchlevel-summary/1");
    const char *steps[] = {"needs SSU", "needs SHA-2", "needs ESU licensing", "needs reboot",
                           "current for its channel", "not determined"};
    for (size_t k = 0; k < 6; k++) {
        char path[64], metric[64];
        snprintf(path, sizeof path, "next_step.%s", steps[k]);
        long n = csv_count(c.out, "next_step", steps[k]);
        ck_assert_int_eq(jint(j.json, path), n);
        snprintf(metric, sizeof metric, "next_step.%s", steps[k]);
        ck_assert_int_eq(html_count(h.out, metric), n);
    }
    const char *channels[] = {"public", "esu", "azure", "premium-assurance", "not determined"};
    long total = 0;
    for (size_t k = 0; k < 5; k++)
        total += csv_count(c.out, "channel", channels[k]);
    ck_assert_int_eq(total, x.installations);
    ck_assert_int_eq(csv_count(c.out, "channel", "premium-assurance"), 1);   /* ws2008-6003-premium */
    ck_assert_int_eq(csv_count(c.out, "security_month", "2025-02"), 1);
    ck_assert_int_eq(jint(j.json, "security_month.2025-02"), 1);
    ck_assert_int_eq(jint(j.json, "installations.total"), x.installations);
    e2e_free(&c);
    e2e_free(&j);
    e2e_free(&h);
}
END_TEST

static char *write_temp(const char *content, size_t len)
{
    char *path = strdup("/tmp/pl-summarize-extra-XXXXXX");
    int fd = mkstemp(path);
    ck_assert(fd >= 0);
    ck_assert(write(fd, content, len) == (ssize_t)len);
    close(fd);
    return path;
}

static char *first_line(void)
{
    FILE *f = fopen(results, "r");
    char *line = NULL;
    size_t cap = 0;
    ck_assert(getline(&line, &cap, f) > 0);
    fclose(f);
    return line;
}

/* ---- identity, roles, provenance (issue 14) ---------------------------- */

/* Results as the program writes them since issue 14 (identity, roles,
 * provenance): a domain controller with DNS, an IIS web server with a
 * 32-bit application, a workgroup file server; then an older result
 * without those keys, one whose roles are null, and a hostile one. */
static const char fleet_lines[] =
    "{\"schema\":\"patchlevel/1\",\"input\":\"/img/dc01.vhdx\",\"catalog\":{\"path\":\"c.csv\",\"sha256\":\"aa11\",\"newest\":\"2025-02\"},"
    "\"provenance\":{\"tool\":{\"name\":\"patchlevel\",\"version\":\"0.9.0\"},\"libraries\":{\"hivex\":\"1.3.23\"},"
    "\"catalog\":{\"path\":\"c.csv\",\"sha256\":\"aa11\",\"newest\":\"2025-02\"},\"analyzed_at\":\"2026-12-05T10:00:00Z\","
    "\"options\":{\"catalog\":null,\"parents\":[],\"find_6002_checks\":false,\"hash\":true}},"
    "\"installations\":[{\"location\":{\"partition_scheme\":\"mbr\",\"partition_number\":1,\"windows_dir\":\"Windows\"},"
    "\"os\":{\"product_name\":\"Windows Server 2008 Enterprise\",\"edition_id\":\"ServerEnterprise\",\"arch\":\"amd64\"},"
    "\"build6003\":{\"verdict\":\"no\",\"pending_build\":6003},"
    "\"updates\":{\"latest_rollup\":{\"kb\":\"KB4489880\",\"release_date\":\"2019-03-12\"},\"rollups_behind\":46,"
    "\"security_level\":{\"month\":\"2019-03\"},\"channel\":{\"name\":\"public\"},"
    "\"next_steps\":[{\"action\":\"reboot\",\"kb\":null,\"kind\":null,\"why\":\"KB4493471 waits\"},"
    "{\"action\":\"install\",\"kb\":\"KB5010452\",\"kind\":\"ssu\",\"why\":\"x\"}]},"
    "\"pending\":{\"reboot_required\":true,\"signals\":[]},"
    "\"identity\":{\"computer_name\":\"DC01\",\"dns_hostname\":\"dc01\",\"domain\":\"corp.example\","
    "\"membership\":\"domain\",\"workgroup\":null,\"domain_controller\":true,\"ip_addresses\":[],\"evidence\":[]},"
    "\"roles\":[{\"name\":\"Active Directory Domain Services\",\"evidence\":[]},{\"name\":\"DNS Server\",\"evidence\":[]}]}],"
    "\"errors\":[]}\n"
    "{\"schema\":\"patchlevel/1\",\"input\":\"/img/web01.vhdx\",\"catalog\":{\"path\":\"c.csv\",\"sha256\":\"aa11\",\"newest\":\"2025-02\"},"
    "\"provenance\":{\"tool\":{\"name\":\"patchlevel\",\"version\":\"0.9.0\"},\"libraries\":{\"hivex\":\"1.3.23\"},"
    "\"catalog\":{\"path\":\"c.csv\",\"sha256\":\"aa11\",\"newest\":\"2025-02\"},\"analyzed_at\":\"2026-12-05T11:00:00Z\","
    "\"options\":{\"catalog\":null,\"parents\":[],\"find_6002_checks\":false,\"hash\":true}},"
    "\"installations\":[{\"location\":{\"windows_dir\":\"Windows\"},"
    "\"os\":{\"product_name\":\"Windows Server 2008 Standard\",\"edition_id\":\"ServerStandard\",\"arch\":\"x86\"},"
    "\"build6003\":{\"verdict\":\"yes\"},\"updates\":{\"latest_rollup\":{\"kb\":\"KB5022340\",\"release_date\":\"2023-01-10\"},"
    "\"rollups_behind\":0,\"security_level\":{\"month\":\"2023-01\"},\"channel\":{\"name\":\"esu\"},\"next_steps\":[]},"
    "\"pending\":{\"reboot_required\":false},"
    "\"identity\":{\"computer_name\":\"WEB01\",\"dns_hostname\":\"web01\",\"domain\":\"corp.example\","
    "\"membership\":\"domain\",\"domain_controller\":false},"
    "\"roles\":[{\"name\":\"Web Server (IIS)\",\"evidence\":[]}],"
    "\"applications\":[{\"name\":\"Legacy App\",\"version\":\"1.0\",\"publisher\":\"X\",\"arch\":\"x86\"}]}],"
    "\"errors\":[]}\n"
    "{\"schema\":\"patchlevel/1\",\"input\":\"/img/fs01.vhdx\",\"installations\":[{\"location\":{\"windows_dir\":\"Windows\"},"
    "\"os\":{\"product_name\":\"Windows Server 2008 Standard\",\"edition_id\":\"ServerStandard\",\"arch\":\"amd64\"},"
    "\"build6003\":{\"verdict\":\"yes\"},\"updates\":{\"latest_rollup\":null,\"rollups_behind\":null,\"next_steps\":null},"
    "\"pending\":{\"reboot_required\":false},"
    "\"identity\":{\"computer_name\":\"FS01\",\"domain\":null,\"membership\":\"workgroup\",\"workgroup\":null,"
    "\"domain_controller\":false},\"roles\":[{\"name\":\"File Services\",\"evidence\":[]}]}],\"errors\":[]}\n"
    "{\"schema\":\"patchlevel/1\",\"input\":\"/img/old.vhd\",\"installations\":[{\"location\":{\"windows_dir\":\"Windows\"},"
    "\"os\":{\"product_name\":\"Windows Server 2008 Standard\",\"edition_id\":\"ServerStandard\",\"arch\":\"amd64\","
    "\"computer_name\":\"OLDBOX\"},\"build6003\":{\"verdict\":\"no\"},"
    "\"updates\":{\"latest_rollup\":null,\"rollups_behind\":67},\"pending\":{\"reboot_required\":false}}],\"errors\":[]}\n"
    "{\"schema\":\"patchlevel/1\",\"input\":\"/img/unread.vhd\",\"installations\":[{\"location\":{\"windows_dir\":\"Windows\"},"
    "\"os\":{\"product_name\":\"P\",\"edition_id\":\"E\",\"arch\":\"amd64\"},\"build6003\":{\"verdict\":\"unknown\"},"
    "\"updates\":{},\"pending\":{},\"identity\":null,\"roles\":null}],\"errors\":[]}\n"
    "{\"schema\":\"patchlevel/1\",\"input\":\"/img/h.vhd\",\"installations\":[{\"location\":{\"windows_dir\":\"Windows\"},"
    "\"os\":{\"product_name\":\"P\",\"edition_id\":\"E\",\"arch\":\"amd64\"},\"build6003\":{\"verdict\":\"no\"},"
    "\"updates\":{},\"pending\":{},\"identity\":{\"computer_name\":\"<img src=x onerror=alert(1)>\","
    "\"domain\":\"\\\"><script>alert(2)</script>\\u0007\"},\"roles\":[{\"name\":\"</script><b>x\"}]}],\"errors\":[]}\n";

#define FLEET_INSTALLATIONS 6

/* Each format shows every installation of the fleet file with its
 * identity and roles, "not recorded" / "not determined" where the results
 * lack them, and the provenance; the older results of the fixtures mixed
 * in change nothing but the counts. */
START_TEST(identity_and_roles_in_every_format)
{
    expected x;
    count_results(results, &x);
    char *fleet = write_temp(fleet_lines, sizeof fleet_lines - 1);
    e2e_run j, c, t, h;
    const char *json_args[] = {"summarize", "-f", "json", results, fleet, NULL};
    e2e_exec(&j, json_args);
    ck_assert_msg(j.status == 0, "exit %d: %s", j.status, j.err);
    ck_assert_ptr_nonnull(j.json);
    ck_assert_int_eq(jint(j.json, "installations.total"), x.installations + FLEET_INSTALLATIONS);
    ck_assert_int_eq(jlen(j.json, "per_installation"), x.installations + FLEET_INSTALLATIONS);
    json_object *dc = jfind(j.json, "per_installation", "input", "/img/dc01.vhdx");
    ck_assert_ptr_nonnull(dc);
    ck_assert_str_eq(jstr(dc, "computer_name"), "DC01");
    ck_assert_str_eq(jstr(dc, "domain"), "corp.example");
    ck_assert_int_eq(jbool(dc, "domain_controller"), 1);
    ck_assert_str_eq(jstr(dc, "roles.1"), "DNS Server");
    ck_assert_str_eq(jstr(dc, "next_step"), "reboot");
    ck_assert_int_eq(jint(dc, "next_steps"), 2);
    ck_assert_str_eq(jstr(dc, "tool"), "patchlevel 0.9.0");
    json_object *fs = jfind(j.json, "per_installation", "input", "/img/fs01.vhdx");
    ck_assert_str_eq(jstr(fs, "membership"), "workgroup");
    ck_assert(jis_null(fs, "next_steps"));
    json_object *old = jfind(j.json, "per_installation", "input", "/img/old.vhd");
    ck_assert_str_eq(jstr(old, "computer_name"), "OLDBOX");   /* os.computer_name */
    ck_assert(jis_null(old, "roles"));
    ck_assert_int_eq(jbool(old, "roles_recorded"), 0);
    json_object *unread = jfind(j.json, "per_installation", "input", "/img/unread.vhd");
    ck_assert(jis_null(unread, "roles"));
    ck_assert_int_eq(jbool(unread, "roles_recorded"), 1);
    json_object *prov = jfind(j.json, "provenance.results", "tool", "patchlevel 0.9.0");
    ck_assert_ptr_nonnull(prov);
    ck_assert_int_eq(jint(prov, "inputs"), 2);
    ck_assert_str_eq(jstr(prov, "catalog.sha256"), "aa11");
    ck_assert_str_eq(jstr(prov, "options"), "catalog=null, parents=none, find_6002_checks=false, hash=true");
    ck_assert_str_eq(jstr(prov, "analyzed_last"), "2026-12-05T11:00:00Z");
    /* every row of the fixtures' results too, each input once */
    for (int i = 0; i < jlen(j.json, "per_installation"); i++) {
        char path[64];
        snprintf(path, sizeof path, "per_installation.%d.input", i);
        ck_assert_ptr_nonnull(jstr(j.json, path));
    }

    const char *csv_args[] = {"summarize", "-f", "csv", results, fleet, NULL};
    e2e_exec(&c, csv_args);
    ck_assert_int_eq(c.status, 0);
    ck_assert_msg(strstr(c.out, ",/img/dc01.vhdx,\"mbr partition 1, Windows\",DC01,dc01,\"corp.example, "
                                "domain controller\",\"Active Directory Domain Services, DNS Server\","),
                  "%s", c.out);
    ck_assert(strstr(c.out, ",/img/fs01.vhdx,Windows,FS01,,workgroup,File Services,"));
    ck_assert(strstr(c.out, ",/img/old.vhd,Windows,OLDBOX,,not recorded,not recorded,"));
    ck_assert(strstr(c.out, ",/img/unread.vhd,Windows,not determined,,not determined,not determined,"));
    int rows = 0;
    for (const char *p = c.out; (p = strstr(p, "\r\ninstallation,")); p++)
        rows++;
    ck_assert_int_eq(rows, x.installations + FLEET_INSTALLATIONS);

    const char *text_args[] = {"summarize", results, fleet, NULL};
    e2e_exec(&t, text_args);
    ck_assert_int_eq(t.status, 0);
    ck_assert_msg(strstr(t.out, "\nInstallations ("), "%s", t.out);
    ck_assert(strstr(t.out, "  DC01 "));
    ck_assert(strstr(t.out, "Active Directory Domain Services, DNS Server"));
    ck_assert(strstr(t.out, "\\x07"));   /* the control character, escaped */
    ck_assert(strstr(t.out, "results     2 inputs: patchlevel 0.9.0, analyzed 2026-12-05T10:00:00Z to "
                            "2026-12-05T11:00:00Z"));

    const char *html_args[] = {"summarize", "-f", "html", results, fleet, NULL};
    e2e_exec(&h, html_args);
    ck_assert_int_eq(h.status, 0);
    const char *tbody = strstr(h.out, "<table class=\"servers\" id=\"servers-table\">");
    ck_assert_ptr_nonnull(tbody);
    const char *end = strstr(tbody, "</table>");
    rows = 0;
    for (const char *p = tbody; (p = strstr(p, "<tr><td>")) && p < end; p++)
        rows++;
    ck_assert_int_eq(rows, x.installations + FLEET_INSTALLATIONS);
    ck_assert(strstr(h.out, "<td title=\"DNS host name: dc01\">DC01</td>"));
    ck_assert(strstr(h.out, "&lt;img src=x onerror=alert(1)&gt;"));
    ck_assert(!strstr(h.out, "<img") && !strstr(h.out, "<b>x"));
    /* the fleet file's one, and the fixtures' (ws2008-iis-web) */
    char web[96];
    snprintf(web, sizeof web, "<details><summary>Web Server (IIS)<span class=\"n\">%ld</span>",
             x.web_servers + 1);
    ck_assert_msg(strstr(h.out, web), "no %s", web);
    ck_assert(strstr(h.out, "id=\"provenance\""));
    e2e_free(&j);
    e2e_free(&c);
    e2e_free(&t);
    e2e_free(&h);
    unlink(fleet);
    free(fleet);
}
END_TEST

/* A resumed run: the same inputs again, and a run killed mid-line. */
START_TEST(repeated_inputs_and_a_truncated_line)
{
    expected x;
    count_results(results, &x);
    char *line = first_line();
    size_t len = strlen(line);
    char *twice = malloc(2 * len);
    memcpy(twice, line, len);
    memcpy(twice + len, line, len / 2);   /* the second copy cut short */
    char *extra = write_temp(twice, len + len / 2);
    e2e_run r;
    const char *args[] = {"summarize", "-f", "csv", results, results, extra, NULL};
    e2e_exec(&r, args);
    unlink(extra);
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    ck_assert_int_eq(csv_count(r.out, "inputs", "total"), x.inputs);
    ck_assert_int_eq(csv_count(r.out, "installations", "total"), x.installations);
    ck_assert_int_eq(csv_count(r.out, "files", "lines"), 2 * x.inputs + 2);
    ck_assert_int_eq(csv_count(r.out, "files", "lines_skipped"), 1);
    char where[600];
    snprintf(where, sizeof where, "patchlevel: summarize: %s:2: truncated last line", extra);
    ck_assert_msg(strstr(r.err, where), "stderr: %s", r.err);
    e2e_free(&r);
    free(extra);
    free(twice);
    free(line);
}
END_TEST

START_TEST(an_unreadable_file_is_named_and_the_others_summarized)
{
    expected x;
    count_results(results, &x);
    e2e_run r;
    summarize(&r, "text", "/nonexistent/results.jsonl");
    ck_assert_int_eq(r.status, 3);
    ck_assert_msg(strstr(r.err, "patchlevel: summarize: /nonexistent/results.jsonl: cannot open: "),
                  "%s", r.err);
    ck_assert_int_eq(text_count(r.out, "Installations", "total"), x.installations);
    e2e_free(&r);
    /* a directory opens but cannot be read */
    summarize(&r, "csv", "/");
    ck_assert_int_eq(r.status, 3);
    ck_assert_int_eq(csv_count(r.out, "files", "unreadable"), 1);
    e2e_free(&r);
    /* an image given by mistake: not a results file, and not 300 warnings */
    summarize(&r, "csv", e2e_fixture("disks/mbr-sysres.qcow2"));
    ck_assert_int_eq(r.status, 3);
    ck_assert_msg(strstr(r.err, "mbr-sysres.qcow2: not a results file"), "%s", r.err);
    int warnings = 0;
    for (const char *p = r.err; (p = strstr(p, "mbr-sysres.qcow2:")); p++)
        warnings++;
    ck_assert_int_le(warnings, 12);
    ck_assert_int_eq(csv_count(r.out, "installations", "total"), x.installations);
    e2e_free(&r);
}
END_TEST

START_TEST(output_file_and_dash)
{
    char out[] = "/tmp/pl-summarize-out-XXXXXX";
    close(mkstemp(out));
    e2e_run r;
    const char *args[] = {"summarize", "--format=html", "--output", out, results, NULL};
    e2e_exec(&r, args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.out, "");
    FILE *f = fopen(out, "r");
    char head[16] = "";
    ck_assert(fread(head, 1, 15, f) == 15);
    fclose(f);
    unlink(out);
    ck_assert_str_eq(head, "<!DOCTYPE html>");
    e2e_free(&r);
    /* "-" is standard input (here /dev/null: nothing to count) */
    const char *dash[] = {"summarize", "-f", "csv", "-", NULL};
    e2e_exec(&r, dash);
    ck_assert_int_eq(r.status, 0);
    ck_assert_int_eq(csv_count(r.out, "inputs", "total"), 0);
    e2e_free(&r);
}
END_TEST

START_TEST(help_and_usage_errors)
{
    e2e_run r;
    const char *help[] = {"summarize", "--help", NULL};
    e2e_exec(&r, help);
    ck_assert_int_eq(r.status, 0);
    const char *words[] = {"--format", "--output", "--help", "section,key,count", "Exit status",
                           "computer, domain, roles", "not recorded", "per_installation",
                           "Content-Security-Policy", "provenance", "SOURCE_DATE_EPOCH"};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        ck_assert_msg(strstr(r.out, words[i]), "--help lacks %s", words[i]);
    e2e_free(&r);
    /* the program's own --help points to summarize */
    const char *main_help[] = {"--help", NULL};
    e2e_exec(&r, main_help);
    ck_assert_int_eq(r.status, 0);
    ck_assert(strstr(r.out, "patchlevel summarize [OPTIONS] RESULTS.jsonl..."));
    ck_assert(strstr(r.out, "'patchlevel summarize --help'"));
    e2e_free(&r);
    const char *cases[][4] = {{"summarize", NULL},
                              {"summarize", "-f", "json", NULL},
                              {"summarize", "--bogus", "x", NULL},
                              {"summarize", "-o", NULL}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        e2e_exec(&r, cases[i]);
        ck_assert_msg(r.status == 2, "case %zu exited %d", i, r.status);
        ck_assert(strstr(r.err, "patchlevel: summarize: "));
        e2e_free(&r);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("e2e_summarize");
    TCase *tc = tcase_create("summarize");
    tcase_set_timeout(tc, 120);
    tcase_add_unchecked_fixture(tc, make_results, NULL);
    tcase_add_test(tc, text_matches_the_results);
    tcase_add_test(tc, csv_matches_the_results);
    tcase_add_test(tc, html_matches_the_results);
    tcase_add_test(tc, servicing_sections_agree_in_every_format);
    tcase_add_test(tc, repeated_inputs_and_a_truncated_line);
    tcase_add_test(tc, identity_and_roles_in_every_format);
    tcase_add_test(tc, an_unreadable_file_is_named_and_the_others_summarized);
    tcase_add_test(tc, output_file_and_dash);
    tcase_add_test(tc, help_and_usage_errors);
    suite_add_tcase(s, tc);
    int rc = pl_run_suite(s);
    unlink(results);
    return rc;
}
