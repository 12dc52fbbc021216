/* What the SOFTWARE hive says: the CurrentVersion values, the CBS package
 * store and the CBS pending-work keys. */
#include <stdlib.h>
#include <string.h>

#include "evidence/evidence_internal.h"
#include "util/limits.h"

#define CURRENT_VERSION_KEY "Microsoft\\Windows NT\\CurrentVersion"
#define CBS_KEY "Microsoft\\Windows\\CurrentVersion\\Component Based Servicing"
#define WU_REBOOT_KEY "Microsoft\\Windows\\CurrentVersion\\WindowsUpdate\\Auto Update\\RebootRequired"

void pl_read_software_values(pl_hive *hive, pl_installation *inst)
{
    pl_os_values *os = &inst->os;
    hive_node_h cv = pl_hive_node(hive, CURRENT_VERSION_KEY);
    if (!cv) {
        pl_notes_add(&inst->warnings, PL_ERR_NOT_FOUND, "SOFTWARE hive has no Microsoft\\Windows "
                                         "NT\\CurrentVersion key (is it a SOFTWARE hive?)");
        return;
    }
    os->product_name = pl_hive_string(hive, cv, "ProductName");
    os->edition_id = pl_hive_string(hive, cv, "EditionID");
    os->installation_type = pl_hive_string(hive, cv, "InstallationType");
    os->current_version = pl_hive_string(hive, cv, "CurrentVersion");
    os->current_build = pl_hive_string(hive, cv, "CurrentBuild");
    os->current_build_number = pl_hive_string(hive, cv, "CurrentBuildNumber");
    os->csd_version = pl_hive_string(hive, cv, "CSDVersion");
    os->csd_build_number = pl_hive_string(hive, cv, "CSDBuildNumber");
    os->build_lab = pl_hive_string(hive, cv, "BuildLab");
    os->build_lab_ex = pl_hive_string(hive, cv, "BuildLabEx");
    os->has_install_date = pl_hive_dword(hive, cv, "InstallDate", &os->install_date);
    /* Windows 10+ (and 8.1's later builds) freeze CurrentVersion at "6.3"
     * and put the real version in these two DWORDs (Microsoft's "Operating
     * System Version" page; every Server 2016-2025 hive holds them). */
    os->has_major_minor = pl_hive_dword(hive, cv, "CurrentMajorVersionNumber",
                                        &os->major_version) &&
                          pl_hive_dword(hive, cv, "CurrentMinorVersionNumber", &os->minor_version);
    os->has_ubr = pl_hive_dword(hive, cv, "UBR", &os->ubr);
    os->display_version = pl_hive_string(hive, cv, "DisplayVersion");
}

/* The values of a package key that are read, in one pass (hive.h). */
enum { V_STATE, V_NAME, V_CLIENT, V_USER, V_LOCATION, V_VISIBILITY, V_TIME_HIGH, V_TIME_LOW, V_N };
static const char *const package_values[V_N] = {
    [V_STATE] = "CurrentState",       [V_NAME] = "InstallName",
    [V_CLIENT] = "InstallClient",     [V_USER] = "InstallUser",
    [V_LOCATION] = "InstallLocation", [V_VISIBILITY] = "Visibility",
    [V_TIME_HIGH] = "InstallTimeHigh", [V_TIME_LOW] = "InstallTimeLow",
};

static void read_package(pl_hive *hive, hive_node_h node, char *identity, pl_package *p)
{
    memset(p, 0, sizeof *p);
    p->identity = identity;
    p->in_registry = 1;
    hive_value_h v[V_N];
    pl_hive_values(hive, node, package_values, V_N, v);
    p->has_state = pl_hive_dword_at(hive, v[V_STATE], &p->state_code);
    p->state = p->has_state ? pl_cbs_state_decode(p->state_code) : PL_CBS_UNKNOWN;
    p->install_name = pl_hive_string_at(hive, v[V_NAME]);
    p->install_client = pl_hive_string_at(hive, v[V_CLIENT]);
    p->install_user = pl_hive_string_at(hive, v[V_USER]);
    p->install_location = pl_hive_string_at(hive, v[V_LOCATION]);
    p->has_visibility = pl_hive_dword_at(hive, v[V_VISIBILITY], &p->visibility);
    uint32_t hi, lo;
    if (pl_hive_dword_at(hive, v[V_TIME_HIGH], &hi) && pl_hive_dword_at(hive, v[V_TIME_LOW], &lo)) {
        p->has_install_time = 1;
        p->install_filetime = ((uint64_t)hi << 32) | lo;
    }
    pl_cbs_identity id;
    if (pl_cbs_identity_parse(identity, &id) == 0) {
        p->kb = pl_cbs_kb_from_name(id.name);
        pl_cbs_identity_free(&id);
    }
    if (p->kb)
        p->kb_source = "identity";
}

/* The keys on the path from the root to CBS\Packages, Packages included:
 * a subkey list that names one of them is a key loop. n gets how many. */
static size_t packages_path(pl_hive *hive, hive_node_h path[], size_t max)
{
    static const char *const names[] = {"Microsoft", "Windows", "CurrentVersion",
                                        "Component Based Servicing", "Packages"};
    size_t n = 0;
    hive_node_h node = hivex_root(hive->h);
    path[n++] = node;
    for (size_t i = 0; i < sizeof names / sizeof *names && node && n < max; i++) {
        node = hivex_node_get_child(hive->h, node, names[i]);
        if (node)
            path[n++] = node;
    }
    return n;
}

void pl_read_cbs_packages(pl_hive *hive, pl_installation *inst)
{
    hive_node_h pkgs = pl_hive_node(hive, CBS_KEY "\\Packages");
    if (!pkgs)
        return;
    hive_node_h *kids = hivex_node_children(hive->h, pkgs);
    if (!kids) {
        pl_notes_add(&inst->warnings, PL_ERR_CORRUPT, "CBS Packages key could not be listed");
        return;
    }
    size_t n = 0;
    while (kids[n])
        n++;
    if (n > PL_MAX_PACKAGES) {
        pl_notes_add(&inst->warnings, PL_ERR_LIMIT, "CBS lists %zu packages; only the first %d are read", n,
                         PL_MAX_PACKAGES);
        n = PL_MAX_PACKAGES;
    }
    hive_node_h path[8];
    size_t npath = packages_path(hive, path, 8);
    inst->packages = pl_xcalloc(n ? n : 1, sizeof *inst->packages);
    for (size_t i = 0; i < n; i++) {
        char *name = hivex_node_name(hive->h, kids[i]);
        if (!name)
            continue;
        int loop = 0;
        for (size_t k = 0; k < npath && !loop; k++)
            loop = kids[i] == path[k];
        if (loop) {
            pl_notes_add(&inst->warnings, PL_ERR_CORRUPT,
                             "SOFTWARE hive: the CBS Packages key lists the key \"%s\", its own "
                             "%s, as a subkey (a key loop): not read as a package",
                             name, kids[i] == pkgs ? "self" : "ancestor");
            free(name);
            continue;
        }
        read_package(hive, kids[i], name, &inst->packages[inst->npackages++]);
    }
    free(kids);
}

/* The CBS pending-work keys (../shared/reference/ws2008-servicing.md §5 and
 * "Update 2026-12-06"). SessionsPending exists on every serviced machine
 * with DWORD values Exclusive = 0 and TargetState = 0: its values are not
 * sessions; its subkeys are, and Exclusive != 0 means sessions are pended
 * with the exclusive flag. */
void pl_read_cbs_pending(pl_hive *hive, pl_installation *inst)
{
    pl_pending_facts *pending = &inst->pending;
    hive_node_h cbs = pl_hive_node(hive, CBS_KEY);
    if (!cbs)
        return;
    pending->cbs_key = 1;
    pending->reboot_pending_key = hivex_node_get_child(hive->h, cbs, "RebootPending") != 0;
    pending->reboot_in_progress_key = hivex_node_get_child(hive->h, cbs, "RebootInProgress") != 0;
    pending->packages_pending =
        pl_hive_subkey_count(hive, hivex_node_get_child(hive->h, cbs, "PackagesPending"));
    hive_node_h sessions = hivex_node_get_child(hive->h, cbs, "SessionsPending");
    pending->sessions_pending = pl_hive_subkey_count(hive, sessions);
    pending->has_sessions_exclusive =
        pl_hive_dword_checked(hive, sessions, "Exclusive", &pending->sessions_exclusive,
                              &pending->sessions_exclusive_error) == 1;
    pending->has_execute_state =
        pl_hive_dword_checked(hive, cbs, "ExecuteState", &pending->execute_state,
                              &pending->execute_state_error) == 1;
    pending->wu_reboot_required = pl_hive_node(hive, WU_REBOOT_KEY) != 0;
    if (pending->sessions_exclusive_error)
        pl_notes_add(&inst->warnings, PL_ERR_CORRUPT, "SOFTWARE hive: %s\\SessionsPending: %s", CBS_KEY,
                         pending->sessions_exclusive_error);
    if (pending->execute_state_error)
        pl_notes_add(&inst->warnings, PL_ERR_CORRUPT, "SOFTWARE hive: %s: %s", CBS_KEY,
                         pending->execute_state_error);
}
