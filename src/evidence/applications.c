/* Installed programs from SOFTWARE Microsoft\Windows\CurrentVersion\
 * Uninstall and, on 64-bit Windows, Wow6432Node\Microsoft\Windows\
 * CurrentVersion\Uninstall (32-bit programs: arch x86).
 *
 * Rules and their sources:
 *  - An entry is shown by Add or Remove Programs, and listed here, when it
 *    has a DisplayName (Microsoft, "Uninstall Registry Key", Windows
 *    Installer: DisplayName is what the list shows) and SystemComponent is
 *    not 1 (SystemComponent = 1 hides it: InstallShield's
 *    ADDREMOVE_SYSTEMCOMPONENT reference; the Windows Installer's
 *    ARPSYSTEMCOMPONENT property writes the same value).
 *  - An entry is an update of another program, not a program, when it
 *    names its parent (ParentKeyName / ParentDisplayName, which Add or
 *    Remove Programs uses to list updates under their program), has a
 *    ReleaseType of Update, Hotfix, Security Update, Update Rollup or
 *    Service Pack, or has a KB number in its name or key name (the "KB…"
 *    entries Windows Update's installers of the era write). Those go to
 *    application_updates.
 *  - Field values: DisplayVersion, Publisher, InstallDate ("YYYYMMDD").
 *  - arch: the installation's PROCESSOR_ARCHITECTURE (SYSTEM, Session
 *    Manager\Environment) for the native key, x86 for Wow6432Node (WOW64
 *    runs x86 programs on amd64 and ia64 alike).
 */
#include "evidence/applications.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "evidence/reg_read.h"
#include "util/escape.h"
#include "util/limits.h"

#define UNINSTALL_KEY "Microsoft\\Windows\\CurrentVersion\\Uninstall"
#define WOW_UNINSTALL_KEY "Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall"

const char *pl_app_native_arch(const char *pa)
{
    if (!pa)
        return NULL;
    if (pl_strcaseeq(pa, "AMD64"))
        return "amd64";
    if (pl_strcaseeq(pa, "x86"))
        return "x86";
    if (pl_strcaseeq(pa, "IA64"))
        return "ia64";
    return NULL;
}

char *pl_app_kb_in(const char *s)
{
    for (const char *p = s; p && *p; p++) {
        if (!pl_strncaseeq(p, "KB", 2) || (p > s && isalnum((unsigned char)p[-1])))
            continue;
        size_t n = 0;
        while (isdigit((unsigned char)p[2 + n]))
            n++;
        if ((n == 6 || n == 7) && !isalnum((unsigned char)p[2 + n]))
            return pl_xasprintf("KB%.*s", (int)n, p + 2);
    }
    return NULL;
}

/* A string value, or NULL; unusable values are a warning. */
static char *opt_sz(pl_hive *h, hive_node_h node, const char *key, const char *name,
                    pl_notes *w)
{
    char *s = NULL, *why = NULL;
    if (pl_reg_sz(h, node, name, &s, &why) < 0)
        pl_notes_add(w, PL_ERR_CORRUPT, "SOFTWARE hive: %s: %s", key, why);
    free(why);
    if (s && !s[0]) {
        free(s);
        s = NULL;
    }
    return s;
}

static char *iso_date(const char *yyyymmdd)
{
    if (!yyyymmdd || strlen(yyyymmdd) != 8)
        return NULL;
    for (int i = 0; i < 8; i++)
        if (!isdigit((unsigned char)yyyymmdd[i]))
            return NULL;
    int month = (yyyymmdd[4] - '0') * 10 + (yyyymmdd[5] - '0');
    int day = (yyyymmdd[6] - '0') * 10 + (yyyymmdd[7] - '0');
    if (month < 1 || month > 12 || day < 1 || day > 31)
        return NULL;
    return pl_xasprintf("%.4s-%.2s-%.2s", yyyymmdd, yyyymmdd + 4, yyyymmdd + 6);
}

static int is_update_release_type(const char *t)
{
    static const char *const types[] = {"Update", "Hotfix", "Security Update", "Update Rollup",
                                        "Service Pack"};
    for (size_t i = 0; t && i < sizeof types / sizeof *types; i++)
        if (pl_strcaseeq(t, types[i]))
            return 1;
    return 0;
}

static void push(pl_app **list, size_t *n, const pl_app *a)
{
    *list = pl_xrealloc(*list, (*n + 1) * sizeof **list);
    (*list)[(*n)++] = *a;
}

static void read_entry(pl_applications *apps, pl_hive *h, hive_node_h node, const char *key,
                       const char *keyname, const char *arch, pl_notes *w)
{
    char *name = NULL, *why = NULL;
    if (pl_reg_sz(h, node, "DisplayName", &name, &why) < 0) {
        pl_notes_add(w, PL_ERR_CORRUPT, "SOFTWARE hive: %s: %s", key, why);
        apps->unreadable++;
        free(why);
        return;
    }
    if (!name || !name[0]) {
        free(name);
        return;
    }
    uint32_t system_component = 0;
    if (pl_hive_dword_checked(h, node, "SystemComponent", &system_component, &why) == 1 &&
        system_component == 1) {
        apps->hidden++;
        free(name);
        return;
    }
    free(why);
    pl_app a = {.name = name, .arch = arch, .key = pl_xstrdup(key)};
    a.version = opt_sz(h, node, key, "DisplayVersion", w);
    a.publisher = opt_sz(h, node, key, "Publisher", w);
    char *date = opt_sz(h, node, key, "InstallDate", w);
    a.install_date = iso_date(date);
    free(date);
    a.release_type = opt_sz(h, node, key, "ReleaseType", w);
    a.parent = opt_sz(h, node, key, "ParentDisplayName", w);
    if (!a.parent)
        a.parent = opt_sz(h, node, key, "ParentKeyName", w);
    a.kb = pl_app_kb_in(name);
    if (!a.kb)
        a.kb = pl_app_kb_in(keyname);
    if (a.parent || a.kb || is_update_release_type(a.release_type))
        push(&apps->updates, &apps->nupdates, &a);
    else
        push(&apps->apps, &apps->napps, &a);
}

static void read_uninstall(pl_applications *apps, pl_hive *h, const char *key, const char *arch,
                           pl_notes *w)
{
    hive_node_h root = pl_hive_node(h, key);
    if (!root)
        return;
    hive_node_h *kids = hivex_node_children(h->h, root);
    if (!kids) {
        pl_notes_add(w, PL_ERR_CORRUPT, "SOFTWARE hive: %s: its subkeys could not be listed",
                     key);
        apps->truncated = 1;
        return;
    }
    for (size_t i = 0; kids[i]; i++) {
        if (i == PL_MAX_UNINSTALL_ENTRIES) {
            pl_notes_add(w, PL_ERR_LIMIT,
                         "SOFTWARE hive: %s has more than %d entries: the rest were not read",
                         key, PL_MAX_UNINSTALL_ENTRIES);
            apps->truncated = 1;
            break;
        }
        char *name = hivex_node_name(h->h, kids[i]);
        if (!name)
            continue;
        char *sub = pl_xasprintf("%s\\%s", key, name);
        read_entry(apps, h, kids[i], sub, name, arch, w);
        free(sub);
        free(name);
    }
    free(kids);
}

static void *applications_collect(const pl_evidence_ctx *ctx)
{
    pl_applications *apps = pl_xcalloc(1, sizeof *apps);
    if (!ctx->software) {
        apps->unknown = pl_xasprintf("the SOFTWARE hive was not read: %s",
                                     ctx->software_unread ? ctx->software_unread : "not found");
        return apps;
    }
    apps->known = 1;
    const char *native = ctx->inst ? pl_app_native_arch(ctx->inst->os.processor_architecture)
                                   : NULL;
    read_uninstall(apps, ctx->software, UNINSTALL_KEY, native, ctx->warnings);
    read_uninstall(apps, ctx->software, WOW_UNINSTALL_KEY, "x86", ctx->warnings);
    return apps;
}

/* The same reading for the updates' kind, without repeating its warnings. */
static void *application_updates_collect(const pl_evidence_ctx *ctx)
{
    pl_notes quiet = {0};
    pl_evidence_ctx copy = *ctx;
    copy.warnings = &quiet;
    void *data = applications_collect(&copy);
    pl_notes_free(&quiet);
    return data;
}

static void app_free(pl_app *a)
{
    free(a->name);
    free(a->version);
    free(a->publisher);
    free(a->install_date);
    free(a->key);
    free(a->kb);
    free(a->parent);
    free(a->release_type);
}

static void applications_free(void *data)
{
    pl_applications *apps = data;
    if (!apps)
        return;
    for (size_t i = 0; i < apps->napps; i++)
        app_free(&apps->apps[i]);
    for (size_t i = 0; i < apps->nupdates; i++)
        app_free(&apps->updates[i]);
    free(apps->apps);
    free(apps->updates);
    free(apps->unknown);
    free(apps);
}

static void app_json(pl_json *j, const pl_app *a, int update)
{
    pl_json_begin_object(j);
    pl_json_kv_string(j, "name", a->name);
    if (update) {
        pl_json_kv_string(j, "kb", a->kb);
        pl_json_kv_string(j, "parent", a->parent);
        pl_json_kv_string(j, "release_type", a->release_type);
    } else {
        pl_json_kv_string(j, "version", a->version);
        pl_json_kv_string(j, "publisher", a->publisher);
    }
    pl_json_kv_string(j, "install_date", a->install_date);
    pl_json_kv_string(j, "arch", a->arch);
    pl_json_kv_string(j, "key", a->key);
    pl_json_end_object(j);
}

static void list_json(pl_json *j, const pl_applications *apps, int updates)
{
    if (!apps || !apps->known) {
        pl_json_null(j);
        return;
    }
    const pl_app *list = updates ? apps->updates : apps->apps;
    size_t n = updates ? apps->nupdates : apps->napps;
    pl_json_begin_array(j);
    for (size_t i = 0; i < n; i++)
        app_json(j, &list[i], updates);
    pl_json_end_array(j);
}

static void applications_to_json(pl_json *j, const void *data) { list_json(j, data, 0); }
static void application_updates_to_json(pl_json *j, const void *data) { list_json(j, data, 1); }

static void applications_to_text(FILE *out, const void *data, int verbose)
{
    const pl_applications *apps = data;
    if (!apps)
        return;
    if (!apps->known) {
        fprintf(out, "  Applications: unknown (%s)\n", pl_esc(apps->unknown));
        return;
    }
    fprintf(out, "  Applications: %zu, with %zu update%s to them%s%s\n", apps->napps,
            apps->nupdates, apps->nupdates == 1 ? "" : "s",
            apps->truncated ? "; list incomplete" : "",
            !verbose && apps->napps ? " (-v lists them)" : "");
    for (size_t i = 0; verbose && i < apps->napps; i++)
        fprintf(out, "    %-40s %-16s %-6s %s\n", pl_esc(apps->apps[i].name),
                apps->apps[i].version ? pl_esc(apps->apps[i].version) : "-",
                apps->apps[i].arch ? apps->apps[i].arch : "?",
                apps->apps[i].publisher ? pl_esc(apps->apps[i].publisher) : "-");
}

const pl_evidence_kind pl_evidence_kind_applications = {
    .name = "applications",
    .collect = applications_collect,
    .free = applications_free,
    .to_json = applications_to_json,
    .to_text = applications_to_text,
    .text_section = PL_TEXT_RUNS,
};

/* No text of its own: the applications line counts the updates. */
const pl_evidence_kind pl_evidence_kind_application_updates = {
    .name = "application_updates",
    .collect = application_updates_collect,
    .free = applications_free,
    .to_json = application_updates_to_json,
    .to_text = NULL,
};
