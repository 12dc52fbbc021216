/*
 * patchlevel.h - the public interface of libpatchlevel
 *
 * libpatchlevel inspects Windows images offline (raw, E01, VHD, VHDX, VMDK
 * and qcow2 disks, WIM/ESD, extracted directory trees, bare registry
 * hives) and decides whether Windows Server 2008 SP2 / Vista SP2 is at
 * build 6003, which updates and rollups are installed, whether servicing
 * waits for a reboot, with the evidence for each fact. The `patchlevel`
 * program is built on this interface alone; every fact its report holds
 * can be read here, and the JSON it prints can be rendered here byte for
 * byte.
 *
 * ---- Conventions ---------------------------------------------------------
 *
 * Handles are opaque: a patchlevel_context holds options and the update
 * catalog; a patchlevel_result is the analysis of one input; a
 * patchlevel_installation is one Windows installation found in a result,
 * owned by that result (valid until patchlevel_result_free).
 *
 * Functions that can fail return enum patchlevel_error. Getters return
 * their value directly: strings are NUL-terminated UTF-8 owned by the
 * handle (NULL when the report says null), counts are size_t, and an
 * index out of range gives NULL / 0 / -1 as documented. Memory that a
 * function hands over (rendered text, file lists) is freed with
 * patchlevel_free.
 *
 * A NULL handle or output pointer where one is required returns
 * PATCHLEVEL_ERR_USAGE (getters return their "absent" value).
 *
 * ---- Out of memory -------------------------------------------------------
 *
 * No function of this library aborts when memory runs out. Every entry
 * point that allocates arms a recovery point for the calling thread; an
 * allocation failure anywhere below it (the analysis, the report writer)
 * unwinds straight to that entry point, which returns
 * PATCHLEVEL_ERR_NO_MEMORY (the same value as PATCHLEVEL_ERR_RESOURCES,
 * whose JSON name is "resources"). The consequences, which a caller must
 * accept:
 *   - memory and file descriptors that the interrupted call had acquired
 *     may be leaked (the call was unwound, not finished);
 *   - the handles passed in stay valid and usable: a context can analyze
 *     the next input, a result can still be read and freed; an output
 *     pointer is left NULL;
 *   - allocations made inside the image libraries (wimlib, libxml2,
 *     hivex, The Sleuth Kit, libyal) are theirs: they report failure as
 *     an error of the input, which ends up in the result as usual.
 * A long-running host that cannot afford the leak should run analyses in
 * a worker process, as the program does.
 *
 * ---- Threads and the process -------------------------------------------
 *
 * The library writes nothing to standard output or standard error and
 * starts no process. Different contexts may be used from different
 * threads; one context (and the results made from it) from one thread at
 * a time. One caveat: a WIM that the library's own WIM reader leaves to
 * wimlib (a split WIM; a single-part WIM only in rare variants, e.g.
 * chunks over 2 MiB; an ESD is always extracted to a directory) is read
 * through wimlib, which can only
 * extract a file to a directory or to standard output. The library
 * extracts small files by pointing file descriptor 1 at a private
 * in-memory file for the duration of one wimlib call, under a
 * process-wide lock, then restores it. During that call, anything another
 * thread writes to descriptor 1 goes into the in-memory file, not to the
 * terminal. A host that writes to standard output from other threads
 * while analyzing WIMs should call
 * patchlevel_context_set_wim_extract_to_directory(ctx, 1): WIM files are
 * then extracted into a private temporary directory ($TMPDIR) instead,
 * which is slower and never touches descriptor 1.
 *
 * libxml2 would print parse errors of hostile XML to standard error: the
 * library replaces libxml2's generic and structured error handlers of the
 * calling thread with ones that collect the errors into the result, and
 * leaves them so after the call. A host that uses libxml2 itself in the
 * same thread sets its own handlers again before its own parses.
 *
 * ---- Version --------------------------------------------------------------
 *
 * Values of the enumerations are stable once released; new values are
 * added at the end. The library's soname follows libtool's -version-info.
 */
#ifndef PATCHLEVEL_H
#define PATCHLEVEL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The "schema" member of every JSON result. */
#define PATCHLEVEL_SCHEMA "patchlevel/1"

/* ==== Errors ============================================================== */

/* What kind of failure an error is. The same list, in the same order, as
 * the "code" of the report's error_details and warning_details; the names
 * (patchlevel_error_name) are the JSON names. */
enum patchlevel_error {
    PATCHLEVEL_OK = 0,
    /* The input itself: retrying gives the same answer. */
    PATCHLEVEL_ERR_IO,               /* "io": the OS refused a read or open */
    PATCHLEVEL_ERR_NOT_FOUND,        /* "not-found": a file or key that must exist does not */
    PATCHLEVEL_ERR_UNRECOGNIZED,     /* "unrecognized": not a format patchlevel reads */
    PATCHLEVEL_ERR_TRUNCATED,        /* "truncated": a structure runs past the end of its file */
    PATCHLEVEL_ERR_CORRUPT,          /* "corrupt": a structure is invalid */
    PATCHLEVEL_ERR_UNSUPPORTED,      /* "unsupported": valid, but a variant not handled */
    PATCHLEVEL_ERR_LIMIT,            /* "limit": larger than a built-in limit */
    PATCHLEVEL_ERR_LIBRARY,          /* "library": a library refused without saying why */
    PATCHLEVEL_ERR_PARENT_MISSING,   /* "parent-missing": a chain's parent cannot be found */
    PATCHLEVEL_ERR_PARENT_MISMATCH,  /* "parent-mismatch": the parent found is not the right one */
    PATCHLEVEL_ERR_UNSAFE,           /* "unsafe": refused to protect the evidence */
    PATCHLEVEL_ERR_DIRTY,            /* "dirty": a hive not cleanly closed */
    PATCHLEVEL_ERR_DISAGREEMENT,     /* "disagreement": two witnesses say different things */
    /* The run, not the input: a later run may succeed. */
    PATCHLEVEL_ERR_CRASHED,          /* "crashed": the analysis died */
    PATCHLEVEL_ERR_TIMEOUT,          /* "timeout": a time limit expired */
    PATCHLEVEL_ERR_RESOURCES,        /* "resources": memory, file descriptors, temporary space */
    PATCHLEVEL_ERR_INTERRUPTED,      /* "interrupted": the run was stopped */
    /* The caller. */
    PATCHLEVEL_ERR_USAGE,            /* "usage": bad arguments (NULL handle, bad index, ...) */
    PATCHLEVEL_ERR_OUTPUT_IS_INPUT,  /* "output-is-input": an output file names an input */
    PATCHLEVEL_ERR_INTERNAL,         /* "internal": a bug in patchlevel */
    /* Out of memory is a shortage of resources: the same value, so that
     * codes and JSON names stay one to one. The context's message then
     * says "out of memory". */
    PATCHLEVEL_ERR_NO_MEMORY = PATCHLEVEL_ERR_RESOURCES
};

/* The JSON name of a code ("io", "not-found", ...); "unknown" out of range. */
const char *patchlevel_error_name(enum patchlevel_error e);
/* One sentence describing the code. */
const char *patchlevel_error_string(enum patchlevel_error e);
/* The code whose JSON name is name; PATCHLEVEL_OK when none is. */
enum patchlevel_error patchlevel_error_from_name(const char *name);
/* 1 for the codes a later run may not see again (crashed, timeout,
 * resources, interrupted), else 0. */
int patchlevel_error_is_transient(enum patchlevel_error e);

/* ==== The library ========================================================= */

/* "0.x.y": the package version. */
const char *patchlevel_version(void);
/* The versions of the libraries patchlevel runs with, one line:
 * "wimlib 1.13.5, hivex 1.3.23, libxml2 2.9.14, ...". */
const char *patchlevel_library_versions(void);
/* The same one at a time (the report's provenance.libraries): library i's
 * version, its name in *name; NULL past the last. As each library reports
 * it at run time (hivex, which has no such call: as built). */
const char *patchlevel_library_version(size_t i, const char **name);
/* Optional: initialize the libraries patchlevel uses (libxml2's parser).
 * Done on demand by patchlevel_context_new; calling it first in a
 * threaded host avoids a race in libxml2's own lazy initialization. */
enum patchlevel_error patchlevel_global_init(void);
/* Optional, once at program exit after every handle is freed: release
 * the memory the libraries keep for the process (libxml2's parser
 * state). Not to be called while anything else in the process still uses
 * libxml2. */
void patchlevel_global_cleanup(void);
/* Free memory this library handed over (rendered text, lists). NULL is fine. */
void patchlevel_free(void *p);

/* ==== The context ========================================================= */

typedef struct patchlevel_context patchlevel_context;

enum patchlevel_error patchlevel_context_new(patchlevel_context **out);
void patchlevel_context_free(patchlevel_context *ctx);

/* The update catalog the rollup answers rest on (CSV, see data/README.md).
 * path NULL: the shipped catalog, where the program finds it without
 * --catalog (patchlevel_default_catalog_path); PATCHLEVEL_ERR_NOT_FOUND
 * when it is not installed. Without any successful call, analyses have no
 * catalog (the rollup answers are null). A failure leaves the previous
 * catalog in place; the context's message says why. Results keep
 * pointing into the catalog they were made with: load a catalog before
 * analyzing, and free the results before loading another one or freeing
 * the context. */
enum patchlevel_error patchlevel_context_load_catalog(patchlevel_context *ctx, const char *path);
/* Where the shipped catalog is looked for first (its installed place). */
const char *patchlevel_default_catalog_path(void);
/* A candidate parent image for differencing disks (--parent FILE); in
 * the order given. The file is opened only when a chain needs it. */
enum patchlevel_error patchlevel_context_add_parent(patchlevel_context *ctx, const char *path);
/* --find-6002-checks: also scan scripts and settings that test for build
 * 6002 (the compat_6002 member of each installation). Default off. */
enum patchlevel_error patchlevel_context_set_find_6002_checks(patchlevel_context *ctx, int on);
/* --hash: give the SHA-256 of every file of each input (chain members,
 * segments, parts; the file itself for a hive or an input not
 * understood), streamed (JSON "input_hashes"). Off by default. */
enum patchlevel_error patchlevel_context_set_hash(patchlevel_context *ctx, int on);
/* --verbose: the sources add detail to their warnings. Default off. */
enum patchlevel_error patchlevel_context_set_verbose(patchlevel_context *ctx, int on);
/* WIM evidence: 0 (default) read small files through an in-memory file
 * that descriptor 1 points at for one wimlib call (see "Threads and the
 * process" above); 1 extract into a private temporary directory. */
enum patchlevel_error patchlevel_context_set_wim_extract_to_directory(patchlevel_context *ctx,
                                                                      int on);
/* The last error's detail message for this context ("" when none). */
const char *patchlevel_context_error_message(const patchlevel_context *ctx);

/* ==== Inputs ============================================================== */

/* What a file or directory looks like, from its content: for finding
 * inputs in a directory (the program's -r). */
enum patchlevel_probe_kind {
    PATCHLEVEL_PROBE_NONE = 0,    /* not an input patchlevel takes on its own */
    PATCHLEVEL_PROBE_WIM,         /* a WIM/ESD, or the first part of a split WIM */
    PATCHLEVEL_PROBE_DISK,        /* a disk image in a container patchlevel reads */
    PATCHLEVEL_PROBE_NOT_REGULAR, /* a FIFO, socket or device: not read (it could block) */
    PATCHLEVEL_PROBE_HIVE,        /* a bare registry hive named SOFTWARE (any case) */
    PATCHLEVEL_PROBE_TREE         /* a directory holding Windows/System32/config, or a
                                     Windows directory holding System32/config (any
                                     case): one input, its files are not inputs */
};
/* Look at the first bytes of path (opened without blocking; only a
 * regular file is read; a directory is looked into for a Windows
 * tree, listing at most a few levels). A file that cannot be opened is
 * PATCHLEVEL_PROBE_NONE with PATCHLEVEL_OK (the caller decides whether
 * that matters); only misuse and out-of-memory are errors. */
enum patchlevel_error patchlevel_probe(const char *path, enum patchlevel_probe_kind *kind);

/* The other files an input is read with (a differencing disk's parents,
 * later EWF segments, later parts of a split WIM), as the analysis would
 * open them, child first, the input itself included. *files is one
 * malloc'd block (the array and its strings), freed with patchlevel_free;
 * *n its length. An input that cannot be opened gives the error, with
 * the detail in the context's message. The image libraries open the
 * files themselves: a hostile input can make them block (a member that
 * is a FIFO) or crash; the program runs this in a worker process. */
enum patchlevel_error patchlevel_input_files(patchlevel_context *ctx, const char *input,
                                             char ***files, size_t *n);

/* ==== Analysis ============================================================ */

typedef struct patchlevel_result patchlevel_result;
typedef struct patchlevel_installation patchlevel_installation;

/* Analyze one input. Returns OK with *out set even when the input could
 * not be read (the result then holds errors, as the program's report
 * does); returns an error only for misuse or out-of-memory. */
enum patchlevel_error patchlevel_analyze(patchlevel_context *ctx, const char *input,
                                         patchlevel_result **out);
/* A result for an input whose analysis failed outside the library (a
 * worker process that crashed or timed out): the input's name, size and
 * time, and this one error; no installation. With ctx (may be NULL), its
 * provenance and catalog are those of ctx, as an analysis would have
 * had them. message must not be empty; code is the error's code
 * (PATCHLEVEL_OK counts as internal). */
enum patchlevel_error patchlevel_result_new_failed(const patchlevel_context *ctx,
                                                   const char *input, enum patchlevel_error code,
                                                   const char *message,
                                                   patchlevel_result **out);
void patchlevel_result_free(patchlevel_result *r);

/* The input as given, and its size (bytes) and modification time (Unix
 * seconds): -1 when it could not be stat'ed. */
const char *patchlevel_result_input(const patchlevel_result *r);
int64_t patchlevel_result_input_size(const patchlevel_result *r);
int64_t patchlevel_result_input_mtime(const patchlevel_result *r);
/* "dir", "wim", "esd", "swm", "hive", "raw", "ewf", "vhd", ...; NULL when
 * the input could not be opened. */
const char *patchlevel_result_container(const patchlevel_result *r);
/* The files read, child first (JSON "chain"). */
size_t patchlevel_result_chain_count(const patchlevel_result *r);
const char *patchlevel_result_chain_file(const patchlevel_result *r, size_t i);
/* Bytes read from the input (JSON "bytes_read"). */
uint64_t patchlevel_result_bytes_read(const patchlevel_result *r);
/* The errors of the input (JSON "errors" / "error_details"). */
size_t patchlevel_result_error_count(const patchlevel_result *r);
enum patchlevel_error patchlevel_result_error_code(const patchlevel_result *r, size_t i);
const char *patchlevel_result_error_message(const patchlevel_result *r, size_t i);
/* Warnings about the input as a whole (JSON "warnings"/"warning_details"). */
size_t patchlevel_result_warning_count(const patchlevel_result *r);
enum patchlevel_error patchlevel_result_warning_code(const patchlevel_result *r, size_t i);
const char *patchlevel_result_warning_message(const patchlevel_result *r, size_t i);
/* 1 when the result has at least one installation and every one is at
 * build 6003 (verdict yes): what --require-6003 checks. */
int patchlevel_result_at_6003(const patchlevel_result *r);

size_t patchlevel_result_installation_count(const patchlevel_result *r);
/* Installation i (0-based), owned by r; NULL out of range. */
const patchlevel_installation *patchlevel_result_installation(const patchlevel_result *r,
                                                              size_t i);

/* ==== Rendering =========================================================== */

enum patchlevel_format {
    PATCHLEVEL_FORMAT_TEXT = 0,   /* the program's default, for people */
    PATCHLEVEL_FORMAT_JSON,       /* one pretty-printed object */
    PATCHLEVEL_FORMAT_JSONL,      /* one compact line, ending in "\n" */
    PATCHLEVEL_FORMAT_CSV,        /* rows under patchlevel_csv_header(), each ending "\r\n" */
};
/* "text", "json", "jsonl", "csv" -> *fmt; PATCHLEVEL_ERR_USAGE for others. */
enum patchlevel_error patchlevel_format_parse(const char *name, enum patchlevel_format *fmt);
/* The CSV header line the program writes before the rows (with "\r\n");
 * "" if memory ran out the first time it was asked for. */
const char *patchlevel_csv_header(void);

/* The same JSON object the program prints for this input with -f json
 * (one input), including the program's final newline. *json is malloc'd,
 * NUL-terminated, *len its length without the NUL; free with
 * patchlevel_free. */
enum patchlevel_error patchlevel_result_json(const patchlevel_result *r, char **json, size_t *len);
/* How patchlevel_result_render writes, or'ed together. */
enum patchlevel_render_flags {
    PATCHLEVEL_RENDER_VERBOSE = 1,      /* text: list every package (-v) */
    PATCHLEVEL_RENDER_SPREADSHEET = 2,  /* csv: version cells as ="6.0", which spreadsheets
                                           keep as text (--csv-bom; the caller writes
                                           UTF-8's byte-order mark before the header) */
};
/* The result as the program writes it in a format, without the
 * separators between results (the program puts ",\n" between JSON
 * objects in an array, and the CSV header first). flags: of
 * enum patchlevel_render_flags (1 is verbose, as before). len may be
 * NULL. */
enum patchlevel_error patchlevel_result_render(const patchlevel_result *r,
                                               enum patchlevel_format fmt, int flags,
                                               char **text, size_t *len);
/* One element of the result's "installations" array, pretty-printed as
 * the program prints it (nested at the top level), without a final
 * newline. */
enum patchlevel_error patchlevel_installation_json(const patchlevel_installation *inst,
                                                   char **json, size_t *len);

/* ==== One installation ==================================================== */

/* A fact that may be unknown: its witness could not be read. Unknown is
 * never no. */
enum patchlevel_tri {
    PATCHLEVEL_UNKNOWN = -1,
    PATCHLEVEL_NO = 0,
    PATCHLEVEL_YES = 1,
};

enum patchlevel_verdict {
    PATCHLEVEL_VERDICT_UNKNOWN = 0,
    PATCHLEVEL_VERDICT_YES,
    PATCHLEVEL_VERDICT_NO,
    PATCHLEVEL_VERDICT_INCONSISTENT,
    PATCHLEVEL_VERDICT_NOT_APPLICABLE,
};
/* "unknown", "yes", "no", "inconsistent", "not-applicable" (as in JSON). */
const char *patchlevel_verdict_name(enum patchlevel_verdict v);

/* -- where it is (JSON "location") -- */
/* The Windows directory as stored ("" when the root is the Windows
 * directory; NULL for a bare hive). */
const char *patchlevel_installation_windows_dir(const patchlevel_installation *inst);
/* "mbr", "gpt", "none"; the partition number (0 none); "ntfs", "dir",
 * "wim", "hive", ...; the WIM image number (0 not a WIM). */
const char *patchlevel_installation_partition_scheme(const patchlevel_installation *inst);
int patchlevel_installation_partition_number(const patchlevel_installation *inst);
const char *patchlevel_installation_filesystem(const patchlevel_installation *inst);
int patchlevel_installation_wim_image(const patchlevel_installation *inst);

/* -- build 6003 (JSON "build6003") -- */
enum patchlevel_verdict patchlevel_installation_verdict(const patchlevel_installation *inst);
/* One sentence saying why. */
const char *patchlevel_installation_verdict_reason(const patchlevel_installation *inst);
/* 6003 when a build-6003 update waits for a reboot, else 0. */
int patchlevel_installation_pending_build(const patchlevel_installation *inst);

/* -- identity (JSON "os" and "files") -- */
/* The file version of ntoskrnl.exe, "6.0.6003.21481"; NULL when absent
 * or unreadable. */
const char *patchlevel_installation_kernel_version(const patchlevel_installation *inst);
/* The Windows version the registry states ("6.0", "10.0"; JSON
 * os.version), the build (-1 unknown) and the revision (-1 unknown). */
const char *patchlevel_installation_registry_version(const patchlevel_installation *inst);
int patchlevel_installation_build(const patchlevel_installation *inst);
int64_t patchlevel_installation_revision(const patchlevel_installation *inst);
/* Registry ProductName, EditionID, InstallationType, CSDVersion. */
const char *patchlevel_installation_product_name(const patchlevel_installation *inst);
const char *patchlevel_installation_edition_id(const patchlevel_installation *inst);
const char *patchlevel_installation_installation_type(const patchlevel_installation *inst);
const char *patchlevel_installation_csd_version(const patchlevel_installation *inst);
/* "amd64", "x86", "ia64"; NULL unknown. */
const char *patchlevel_installation_arch(const patchlevel_installation *inst);
/* SYSTEM ComputerName. */
const char *patchlevel_installation_computer_name(const patchlevel_installation *inst);

/* -- packages (JSON "updates.packages") -- */
size_t patchlevel_installation_package_count(const patchlevel_installation *inst);
const char *patchlevel_installation_package_identity(const patchlevel_installation *inst, size_t i);
/* "KB…" or NULL. */
const char *patchlevel_installation_package_kb(const patchlevel_installation *inst, size_t i);
/* The CBS state name ("installed", "staged", ...); NULL when unknown. */
const char *patchlevel_installation_package_state(const patchlevel_installation *inst, size_t i);
/* The raw CurrentState value, -1 when unknown. */
int64_t patchlevel_installation_package_state_code(const patchlevel_installation *inst, size_t i);
/* UTC "YYYY-MM-DDTHH:MM:SSZ"; NULL when unknown. */
const char *patchlevel_installation_package_install_time(const patchlevel_installation *inst,
                                                         size_t i);

/* -- the KB lists (JSON "updates") -- */
enum patchlevel_kb_list {
    PATCHLEVEL_KBS_INSTALLED = 0,
    PATCHLEVEL_KBS_SUPERSEDED,
    PATCHLEVEL_KBS_PENDING_OR_STAGED,
};
/* Why the lists are unknown (the SOFTWARE hive or its CBS store could not
 * be read; the lists are then empty and JSON has null); NULL when known. */
const char *patchlevel_installation_kbs_unknown_reason(const patchlevel_installation *inst);
/* Why the lists may be incomplete (a salvaged hive); NULL when complete. */
const char *patchlevel_installation_kbs_incomplete_reason(const patchlevel_installation *inst);
size_t patchlevel_installation_kb_count(const patchlevel_installation *inst,
                                        enum patchlevel_kb_list list);
const char *patchlevel_installation_kb(const patchlevel_installation *inst,
                                       enum patchlevel_kb_list list, size_t i);

/* -- pending servicing (JSON "pending") -- */
/* Any reboot signal; unknown when none is seen and one could not be
 * judged (*reason, if not NULL, then says why; else NULL). */
enum patchlevel_tri patchlevel_installation_reboot_required(const patchlevel_installation *inst,
                                                            const char **reason);
/* A servicing or Windows Update signal only. */
enum patchlevel_tri patchlevel_installation_servicing_reboot_required(
    const patchlevel_installation *inst, const char **reason);
/* The signals seen (JSON pending.signals) or those that could not be
 * judged (pending.unknown_signals). */
enum patchlevel_signal_set {
    PATCHLEVEL_SIGNALS_SEEN = 0,
    PATCHLEVEL_SIGNALS_UNKNOWN,
};
size_t patchlevel_installation_signal_count(const patchlevel_installation *inst,
                                            enum patchlevel_signal_set set);
/* Its stable id ("cbs-reboot-pending", ...), class ("servicing",
 * "windows-update", "file-rename", "computer-rename", "domain-join"),
 * where it was seen, and a detail (NULL when none; for an unknown
 * signal, why its witness could not be read). */
const char *patchlevel_installation_signal_id(const patchlevel_installation *inst,
                                              enum patchlevel_signal_set set, size_t i);
const char *patchlevel_installation_signal_class(const patchlevel_installation *inst,
                                                 enum patchlevel_signal_set set, size_t i);
const char *patchlevel_installation_signal_evidence(const patchlevel_installation *inst,
                                                    enum patchlevel_signal_set set, size_t i);
const char *patchlevel_installation_signal_detail(const patchlevel_installation *inst,
                                                  enum patchlevel_signal_set set, size_t i);

/* -- servicing (JSON "updates": rollups, security level, channel) -- */
/* Why the rollup and servicing answers are unknown for an NT 6.0
 * installation with a catalog; NULL when they are known or do not apply. */
const char *patchlevel_installation_rollups_unknown_reason(const patchlevel_installation *inst);
/* The newest installed monthly rollup: its KB and release date
 * ("YYYY-MM-DD"); NULL when none, unknown, or no catalog. */
const char *patchlevel_installation_latest_rollup_kb(const patchlevel_installation *inst);
const char *patchlevel_installation_latest_rollup_date(const patchlevel_installation *inst);
/* The newest month whose security fixes are installed, "YYYY-MM"; NULL
 * when none or unknown. *after (if not NULL) is 1 when the month is a
 * lower bound ("that month or later": JSON security_level.after). */
const char *patchlevel_installation_security_month(const patchlevel_installation *inst,
                                                   int *after);
/* The channel the installed updates prove ("public", "esu", "azure",
 * "premium-assurance"), and the one the counts are made for; NULL when
 * unknown. */
const char *patchlevel_installation_channel(const patchlevel_installation *inst);
const char *patchlevel_installation_channel_counted_for(const patchlevel_installation *inst);
/* Monthly rollups behind for the channel counted for (JSON
 * rollups_behind); -1 when unknown. For a given channel name:
 * patchlevel_installation_behind_channel (-1 unknown or not eligible). */
long patchlevel_installation_behind(const patchlevel_installation *inst);
long patchlevel_installation_behind_channel(const patchlevel_installation *inst,
                                            const char *channel);
/* The plan that brings the installation current for its channel (JSON
 * next_steps): known is 0 when JSON has null. */
int patchlevel_installation_next_steps_known(const patchlevel_installation *inst);
size_t patchlevel_installation_next_step_count(const patchlevel_installation *inst);
/* "reboot" or "install"; the KB (NULL for a reboot or a KB-unknown
 * month); the kind ("ssu", "sha2", "rollup-level", "esu-licensing",
 * "monthly-rollup"; NULL for a reboot); why. */
const char *patchlevel_installation_next_step_action(const patchlevel_installation *inst,
                                                     size_t i);
const char *patchlevel_installation_next_step_kb(const patchlevel_installation *inst, size_t i);
const char *patchlevel_installation_next_step_kind(const patchlevel_installation *inst, size_t i);
const char *patchlevel_installation_next_step_why(const patchlevel_installation *inst, size_t i);

/* -- warnings of the installation (JSON installations[].warnings) -- */
size_t patchlevel_installation_warning_count(const patchlevel_installation *inst);
enum patchlevel_error patchlevel_installation_warning_code(const patchlevel_installation *inst,
                                                           size_t i);
const char *patchlevel_installation_warning_message(const patchlevel_installation *inst,
                                                    size_t i);

/* ==== Fleet summaries ===================================================== */

/* Counting JSONL results (from -f jsonl) over a fleet: what
 * `patchlevel summarize` prints. Lines are added one at a time; when an
 * input appears on several lines, its last line counts. */
typedef struct patchlevel_summary patchlevel_summary;

enum patchlevel_summary_format {
    PATCHLEVEL_SUMMARY_TEXT = 0,
    PATCHLEVEL_SUMMARY_CSV,
    PATCHLEVEL_SUMMARY_HTML,
    PATCHLEVEL_SUMMARY_JSON,
};
/* "text", "csv", "html", "json"; PATCHLEVEL_ERR_USAGE for others. */
enum patchlevel_error patchlevel_summary_format_parse(const char *name,
                                                      enum patchlevel_summary_format *fmt);

enum patchlevel_error patchlevel_summary_new(patchlevel_summary **out);
void patchlevel_summary_free(patchlevel_summary *s);

/* How a line went. */
enum patchlevel_line_status {
    PATCHLEVEL_LINE_USED = 0,      /* a result, counted */
    PATCHLEVEL_LINE_BLANK = 1,     /* ignored, not counted */
    PATCHLEVEL_LINE_SKIPPED = -1,  /* not a result: patchlevel_summary_message says why */
};
/* One line (len bytes, no newline; NUL bytes allowed). complete is 0 for
 * a last line that did not end in a newline (a run killed mid-write).
 * *status (may be NULL) says how it went. */
enum patchlevel_error patchlevel_summary_add_line(patchlevel_summary *s, const char *line,
                                                  size_t len, int complete,
                                                  enum patchlevel_line_status *status);
/* Count a line the caller dropped itself (too long to hold). */
enum patchlevel_error patchlevel_summary_skip_line(patchlevel_summary *s);
/* Count a results file (the summary reports files read and unreadable). */
enum patchlevel_error patchlevel_summary_add_file(patchlevel_summary *s, int unreadable);
/* Lines seen so far (used or skipped). */
size_t patchlevel_summary_line_count(const patchlevel_summary *s);
/* Why the last line was skipped ("" when none). */
const char *patchlevel_summary_message(const patchlevel_summary *s);
/* Compute the counts; after it no line may be added. */
enum patchlevel_error patchlevel_summary_finish(patchlevel_summary *s);
/* The summary in a format (after finish). *text malloc'd; len may be NULL. */
enum patchlevel_error patchlevel_summary_render(const patchlevel_summary *s,
                                                enum patchlevel_summary_format fmt,
                                                char **text, size_t *len);

#ifdef __cplusplus
}
#endif

#endif /* PATCHLEVEL_H */
