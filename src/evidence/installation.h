/* The evidence gathered for one Windows installation: facts read from
 * files and hives, each with where it came from. No judgement here: the
 * decisions layer turns these facts into verdicts. */
#ifndef PL_INSTALLATION_H
#define PL_INSTALLATION_H

#include <stdint.h>

#include "evidence/cbs.h"
#include "evidence/evidence_kind.h"
#include "evidence/pe_version.h"
#include "sources/source.h"
#include "util/util.h"

/* One PE file of the installation (ntoskrnl.exe, kernel32.dll, ...). */
typedef struct {
    const char *role;          /* "ntoskrnl", "ntkrnlpa", "kernel32" */
    int present;               /* the file exists */
    char *path;                /* path inside the volume, as stored */
    char *error;               /* why it could not be read or parsed */
    pl_error_code error_code;
    pl_pe_version ver;         /* valid when present && !error */
    char sha256[65];           /* "" when not read */
    uint64_t size;
} pl_pe_evidence;

/* The values of HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion and the
 * few SYSTEM values we use. NULL / has_* = 0 when absent. */
typedef struct {
    char *product_name, *edition_id, *installation_type;
    char *current_version, *current_build, *current_build_number;
    char *csd_version, *csd_build_number, *build_lab, *build_lab_ex;
    int has_install_date;
    uint32_t install_date;     /* Unix seconds */
    /* Windows 10 / Server 2016 and later keep CurrentVersion at "6.3" for
     * old programs and store the real version in these DWORDs; UBR is the
     * revision (the fourth part of the version, 17763.1234). */
    int has_major_minor;
    uint32_t major_version, minor_version;
    int has_ubr;
    uint32_t ubr;
    char *display_version;     /* "21H2" and the like, Windows 10 2004+ */
    /* From SYSTEM, in the current control set. */
    char *processor_architecture;   /* "AMD64", "x86", "IA64" as stored */
    char *product_type;             /* "ServerNT", "WinNT", "LanmanNT" */
    char *computer_name;
} pl_os_values;

/* One CBS package, from the registry and/or its .mum manifest. */
typedef struct {
    char *identity;
    char *kb;                  /* "KB…" or NULL */
    const char *kb_source;     /* "identity", "mum", NULL */
    int in_registry;
    int has_state;
    uint32_t state_code;
    pl_cbs_state state;
    char *install_name, *install_client, *install_user, *install_location;
    int has_install_time;
    uint64_t install_filetime;
    int has_visibility;
    uint32_t visibility;
    int has_mum;               /* a .mum file exists for it */
    char *mum_path;
    char *mum_error;           /* the .mum exists but could not be parsed */
    pl_error_code mum_error_code;
    char *release_type, *description, *restart;
    char *max_component_version;
} pl_package;

/* Pending-servicing facts, each with its evidence path. A fact whose
 * *_error is set was present but could not be decoded (a value of the
 * wrong type, UTF-16 that is not well formed): the decisions layer makes
 * its signal unknown, never "not pending". Facts from a hive that was not
 * read at all are unknown through software_read / system_read. */
typedef struct {
    /* SOFTWARE, CBS key. */
    int cbs_key;                     /* the CBS key exists */
    int reboot_pending_key;          /* CBS\RebootPending exists */
    int reboot_in_progress_key;      /* CBS\RebootInProgress exists */
    size_t packages_pending;         /* subkeys of CBS\PackagesPending */
    size_t sessions_pending;         /* subkeys of CBS\SessionsPending (values do not count) */
    int has_sessions_exclusive;
    uint32_t sessions_exclusive;     /* SessionsPending value Exclusive */
    char *sessions_exclusive_error;
    int has_execute_state;
    uint32_t execute_state;          /* CBS ExecuteState; 0xFFFFFFFF = none */
    char *execute_state_error;
    int wu_reboot_required;          /* WindowsUpdate\Auto Update\RebootRequired */
    /* The file system. */
    int pending_xml;                 /* Windows\WinSxS\pending.xml exists */
    char *pending_xml_path;
    char *pending_xml_error;         /* whether it exists could not be told */
    /* SYSTEM, current control set. */
    int current_control_set;         /* Select\Current; 0 = unknown */
    char *control_set_error;         /* the control set Select names is missing */
    size_t pending_file_renames;     /* PendingFileRenameOperations entries */
    char *pfro_error;
    size_t pending_file_renames2;    /* PendingFileRenameOperations2 entries */
    char *pfro2_error;
    char *pfro_key;                  /* the key they were read from */
    char *hostname, *nv_hostname;    /* Services\Tcpip\Parameters Hostname, NV Hostname */
    char *tcpip_key;
    int join_domain, avoid_spn_set;  /* Services\Netlogon values JoinDomain, AvoidSpnSet */
    char *netlogon_key;
} pl_pending_facts;

/* Whether a hive was cleanly closed and whole, and what was done about it. */
typedef struct {
    int dirty;                       /* base block sequence numbers differ */
    int recovered;                   /* transaction logs were replayed in memory */
    int salvaged;                    /* damaged: read in part (evidence/hive_salvage.h) */
    int lost;                        /* salvaged, and keys may be missing (bins lost):
                                        what was not found there is unknown, not absent */
    char *logs;                      /* the log files applied, NULL when none */
    char *detail;                    /* one sentence for the report, NULL when clean */
} pl_hive_state;

struct pl_installation_s {
    pl_location loc;                 /* copied from the volume */
    pl_wim_claim wim_xml;            /* copied from the volume */
    char *windows_dir;               /* as stored, "" for a root that is the
                                        Windows dir; NULL for a bare hive */
    int hive_only;

    pl_pe_evidence ntoskrnl, ntkrnlpa, kernel32;

    int software_read;               /* the SOFTWARE hive opened */
    char *software_error;            /* why not, when it did not */
    char *software_path;
    pl_hive_state software_state;
    int system_read;
    char *system_error;              /* why not, when it did not */
    char *system_path;
    pl_hive_state system_state;
    pl_os_values os;

    pl_package *packages;
    size_t npackages;
    size_t mum_files;                /* .mum files listed in servicing\Packages */
    char *packages_dir;              /* servicing\Packages as stored */

    pl_pending_facts pending;

    /* The evidence kinds (evidence/evidence_kind.h): the table this
     * installation was collected with (NULL: pl_evidence_kinds), and each
     * kind's data, parallel to it (NULL for a core kind, whose facts are
     * the typed fields above, and for a kind that had none). */
    const pl_evidence_kind *const *kinds;
    size_t nkinds;
    void **kind_data;

    pl_notes warnings;               /* "could not read X: why" and the like */
};

/* Frees every kind's data through the table (a zeroed installation, or
 * one built by hand with only typed fields set, is fine). */
void pl_installation_free(pl_installation *inst);

/* Find the Windows directories of a volume: root-level directories (or
 * the root itself, when the input is a Windows directory) whose System32
 * holds a SOFTWARE hive of plausible size in config, or ntoskrnl.exe.
 * Fills *dirs with exact names ("" = the root); candidates that fail the
 * test are explained in *warnings (may be NULL). */
int pl_find_windows_dirs(pl_fs *fs, pl_strlist *dirs, pl_notes *warnings, pl_err *err);

/* Gather all evidence of the installation at windows_dir of the volume
 * (NULL for a bare hive): every kind of pl_evidence_kinds, with the
 * SOFTWARE and SYSTEM hives open. opts may be NULL (the defaults).
 * Never fails as a whole: what cannot be read becomes a warning, and the
 * decisions layer says what that leaves unknown. */
void pl_collect_installation(const pl_volume *vol, const char *windows_dir,
                             const pl_evidence_options *opts, pl_installation *inst);

#endif
