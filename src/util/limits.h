/* Every size and depth limit patchlevel applies to what it reads, in one place.
 *
 * Inputs are hostile: a header field never decides how much we allocate or
 * how deep we recurse. Exceeding a limit is a clear error naming the limit,
 * never an allocation failure. The man page (LIMITS) lists these values;
 * keep the two in step. */
#ifndef PL_LIMITS_H
#define PL_LIMITS_H

/* Largest registry hive read into memory (real SOFTWARE hives of old,
 * heavily serviced servers reach a few hundred MiB). */
#define PL_MAX_HIVE_BYTES        (1024ull * 1024 * 1024)
/* Largest PE file (ntoskrnl.exe is ~5 MiB; leave room for odd builds). */
#define PL_MAX_PE_BYTES          (256ull * 1024 * 1024)
/* Largest .mum manifest and pending.xml read. */
#define PL_MAX_MANIFEST_BYTES    (16ull * 1024 * 1024)
#define PL_MAX_PENDING_XML_BYTES (256ull * 1024 * 1024)

/* Resource directory depth in a PE (type/name/language is 3 levels). */
#define PL_MAX_PE_RESOURCE_DEPTH 3
/* Entries examined per PE resource directory level. */
#define PL_MAX_PE_RESOURCE_ENTRIES 4096
/* Nesting depth inside a VS_VERSIONINFO block tree. */
#define PL_MAX_VERSIONINFO_DEPTH 8

/* CBS packages examined per installation, and .mum files listed. */
#define PL_MAX_PACKAGES          200000
/* Entries listed from any one directory. */
#define PL_MAX_DIR_ENTRIES       1000000
/* Path components walked when resolving a path. */
#define PL_MAX_PATH_DEPTH        64
/* Windows directories searched for on one volume. */
#define PL_MAX_WINDOWS_DIRS      16
/* Values in one PendingFileRenameOperations list that we count. */
#define PL_MAX_MULTI_SZ_ITEMS    100000
/* Disks in one differencing / backing-file chain, child included. */
#define PL_MAX_CHAIN_DEPTH       16
/* Block allocation table entries of a dynamic VHD we read ourselves (16
 * MiB of table; 8 TiB of disk in 2 MiB blocks, above the format's 2 TiB);
 * a larger table is left to libvhdi. */
#define PL_MAX_VHD_BAT_ENTRIES   (4u * 1024 * 1024)
/* Bytes of one VHD parent locator entry we read. */
#define PL_MAX_VHD_LOCATOR_BYTES 65536
/* Damaged hive bins bridged when a damaged hive is salvaged (past this,
 * the bins after the last one bridged are dropped). */
#define PL_MAX_HIVE_SALVAGE_GAPS 64
/* Images examined in one WIM. */
#define PL_MAX_WIM_IMAGES        1024
/* The WIM reader of our own (sources/wim_image.c). Blob table entries it
 * indexes (12 bytes each; a server image has ~200,000); bytes of one
 * image's metadata resource (~250 bytes an entry: a 400,000-entry image
 * has ~100 MiB; it is never held whole, the limit keeps offsets in 32
 * bits and bounds its chunk table); the largest chunk size it reads
 * (LZX's largest; a WIM with larger chunks is left to wimlib); metadata
 * chunks it keeps decompressed; directories whose children it keeps an
 * index of (8 bytes a child), and children in those indexes together (a
 * larger directory is searched in full each time). */
#define PL_MAX_WIM_BLOBS         (4u * 1024 * 1024)
#define PL_MAX_WIM_METADATA_BYTES (1024ull * 1024 * 1024)
#define PL_MAX_WIM_CHUNK_BYTES   (2u * 1024 * 1024)
#define PL_WIM_CHUNK_CACHE       8
#define PL_WIM_DIR_INDEXES       8
#define PL_MAX_WIM_INDEXED_CHILDREN (1024u * 1024)
/* Bytes of a VHDX metadata region read into memory. Hyper-V writes 1 MiB
 * (a 64 KiB table and a few small items); the region table's 32-bit length
 * would otherwise let a (sparse) file ask for 4 GiB. */
#define PL_MAX_VHDX_METADATA_BYTES (16ull * 1024 * 1024)
/* Bytes of a file name a disk library hands back (VMDK extent, parent
 * hint): names are short; a longer one is ignored or refused. */
#define PL_MAX_DISK_NAME_BYTES   65536
/* Bytes kept of one E01 header value (case number, examiner, notes, ...):
 * imagers write a few dozen; a longer value is cut at a character boundary. */
#define PL_MAX_EWF_VALUE_BYTES   4096
/* Bytes of media data read through libewf at a time by --hash (one
 * buffer, reused: memory does not grow with the image). */
#define PL_EWF_HASH_BUFFER_BYTES (1024 * 1024)
/* Damaged chunks (bad checksum, or missing from a cut set: libewf reads
 * them as zeros) after which --hash stops hashing an E01: a cut header
 * claiming exabytes of media must not be hashed as zeros for hours. */
#define PL_MAX_EWF_CHECKSUM_ERRORS 1024

/* The update catalog (the shipped data/ws2008-sp2-catalog.csv, or the
 * user's --catalog FILE). The shipped one is ~40 KiB and ~180 rows; these
 * leave a user's own catalog plenty of room while a hostile or mistaken
 * file (a disk image passed as --catalog) stops early with an error. */
#define PL_MAX_CATALOG_BYTES     (16ull * 1024 * 1024)
/* Data rows (comment and blank lines do not count). */
#define PL_MAX_CATALOG_ROWS      100000
/* Columns in one row, and bytes in one field (after unquoting). */
#define PL_MAX_CATALOG_COLUMNS   64
#define PL_MAX_CATALOG_FIELD     4096

/* patchlevel summarize reads earlier JSONL results back: bytes in one
 * line (a result listing 200000 packages is ~50 MiB), lines over all
 * files, installations in one line (a WIM holds at most 1024 images) and
 * bytes kept of any one string from a result. */
#define PL_MAX_RESULT_LINE_BYTES    (64ull * 1024 * 1024)
#define PL_MAX_RESULT_LINES         1000000
#define PL_MAX_RESULT_INSTALLATIONS 4096
#define PL_MAX_RESULT_STRING        4096


/* Working out the files an input reads with it (its chain members) runs
 * in a worker: seconds it may take when no --timeout is given, and bytes
 * of member names it may send back. */
#define PL_MEMBERS_TIMEOUT_SECONDS  60
#define PL_MAX_MEMBERS_BYTES        (16ull * 1024 * 1024)

/* --find-6002-checks (evidence/compat6002.c): the scan of the script
 * locations is bounded per file, as a whole, and in depth. A file over
 * the size limit is counted as skipped; reaching a scan-wide limit stops
 * the scan and says so (compat_6002.limit). */
#define PL_MAX_C6_FILE_BYTES     (4ull * 1024 * 1024)
#define PL_MAX_C6_FILES          20000
#define PL_MAX_C6_TOTAL_BYTES    (256ull * 1024 * 1024)
#define PL_MAX_C6_DIRS           50000
#define PL_MAX_C6_DEPTH          12
#define PL_MAX_C6_FINDINGS       10000
/* Bytes of a matched line shown in a finding. */
#define PL_MAX_C6_TEXT_BYTES     200
/* Registry keys walked for recorded builds, their depth, and the values
 * (Run, RunOnce, services) read for script paths. */
#define PL_MAX_C6_REG_KEYS       200000
#define PL_MAX_C6_REG_DEPTH      10
#define PL_MAX_C6_REG_VALUES     100000

/* Evidence kinds of issue 14 (evidence/identity.c, roles.c,
 * applications.c): bytes of one registry string they read, network
 * interfaces and addresses per interface read for identity, and
 * Uninstall entries read per Uninstall key (a real server has a few
 * hundred; past the limit the list stops and says so). */
#define PL_MAX_REG_STRING_BYTES  65536
#define PL_MAX_INTERFACES        256
#define PL_MAX_IFACE_ADDRESSES   64
#define PL_MAX_UNINSTALL_ENTRIES 5000

#endif
