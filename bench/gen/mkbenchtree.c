/* mkbenchtree - deterministic bulk content for the benchmark Windows trees.
 *
 *   mkbenchtree packages BASE.pkgs N PKGDIR SPEC_OUT
 *       every package of BASE.pkgs (the fixtures/gen/packages format) plus N
 *       generated ones: PKGDIR/<identity>.mum (manifest in the format of
 *       fixtures/generate.sh, 1-20 <update> components) and <identity>.cat
 *       (2-12 KiB of pseudo-random bytes, as the real catalogs sit beside the
 *       manifests), and the SOFTWARE spec lines (fixtures/gen/mkhive.c format)
 *       of each package key: the values generate.sh writes plus the Owners and
 *       Updates subkeys a real CBS store has.  Generated packages use KB numbers
 *       below 3,000,000 (none is in data/ws2008-sp2-catalog.csv), are installed
 *       (0x70, 3 in 4) or superseded (0x50), installed between 2009 and 2019,
 *       and every 8th KB has three parts (Package_for_, Package_1_for_,
 *       Package_2_for_, the last two Visibility 2): they change no verdict.
 *   mkbenchtree clsid N SPEC_OUT      N Classes\CLSID\{...} keys (COM servers), the
 *                                     bulk of a real SOFTWARE hive
 *   mkbenchtree services N SPEC_OUT   N ControlSet001\Services\... keys (SYSTEM bulk)
 *   mkbenchtree files DIR N EXT       N small files DIR/fileNNNNN.EXT (MFT filler)
 *   mkbenchtree dirs DIR N            N WinSxS-like directories, each with one
 *                                     small file (MFT and index filler)
 *   mkbenchtree winsxs DIR N          a server-size component store: N directories
 *                                     DIR/<arch>_<name>_<hash> of 3-5 small files
 *                                     each, and DIR/Manifests with N/2 .manifest
 *                                     files (a real WS2008 SP2 store patched
 *                                     through 2023 holds ~40k of each kind)
 *   mkbenchtree pad FILE SIZE         append pseudo-random bytes to FILE (a PE
 *                                     overlay, ignored by PE parsers) up to SIZE
 *
 * Everything derives from a fixed xorshift generator seeded by the names, so
 * two runs give identical bytes.  Benchmark inputs only (bench/make-inputs.sh).
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static void die(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "mkbenchtree: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

static uint64_t rng;
static void seed(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    rng = h ? h : 1;
}
static uint64_t next(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 2685821657736338717ULL;
}
static unsigned below(unsigned n) { return (unsigned)(next() % n); }

static FILE *xopen(const char *path, const char *mode)
{
    FILE *f = fopen(path, mode);
    if (!f)
        die("cannot open %s: %s", path, strerror(errno));
    return f;
}
static void xclose(FILE *f, const char *path)
{
    if (fclose(f) != 0)
        die("cannot write %s: %s", path, strerror(errno));
}

static void random_bytes(FILE *f, size_t n)
{
    uint8_t buf[8192];
    while (n) {
        size_t k = n < sizeof buf ? n : sizeof buf;
        for (size_t i = 0; i < k; i += 8) {
            uint64_t r = next();
            for (size_t j = 0; j < 8 && i + j < k; j++)
                buf[i + j] = (uint8_t)(r >> (8 * j));
        }
        fwrite(buf, 1, k, f);
        n -= k;
    }
}

/* ---- packages ---------------------------------------------------------------- */

typedef struct {
    char state[8];          /* "0x70" */
    char ident[200];
    char kb[16];            /* "KB123" or "-" */
    char type[32];
    char released[16];      /* YYYY-MM-DD */
    char installed[32];     /* YYYY-MM-DDTHH:MM:SSZ */
    int vis;
    char comps[2048];       /* generate.sh syntax */
} pkg;

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = 0;
    return s;
}

static time_t parse_utc(const char *s)
{
    struct tm tm = {0};
    if (sscanf(s, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec) < 3)
        die("bad date '%s'", s);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    /* days from civil (no timegm in C11) */
    int y = tm.tm_year + 1900, m = tm.tm_mon + 1, d = tm.tm_mday;
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    long days = era * 146097 + doe - 719468;
    return (time_t)(days * 86400L + tm.tm_hour * 3600L + tm.tm_min * 60L + tm.tm_sec);
}

static void fmt_date(time_t t, char *out, size_t n, const char *fmt)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, n, fmt, &tm);
}

static const char *component_names[] = {
    "Microsoft-Windows-Win32k", "Microsoft-Windows-SMBServer-Common",
    "Microsoft-Windows-IE-InternetExplorer", "Microsoft-Windows-Shell32",
    "Microsoft-Windows-GDI32", "Microsoft-Windows-User32", "Microsoft-Windows-Crypt32-Dll",
    "Microsoft-Windows-Schannel", "Microsoft-Windows-Msxml60", "Microsoft-Windows-RPC-Runtime",
    "Microsoft-Windows-Tcpip", "Microsoft-Windows-Http", "Microsoft-Windows-Lsa",
    "Microsoft-Windows-Kerberos", "Microsoft-Windows-NetLogon", "Microsoft-Windows-DNS-Client",
    "Microsoft-Windows-Ole-Automation", "Microsoft-Windows-MSHTML", "Microsoft-Windows-Jscript",
    "Microsoft-Windows-VBScript", "Microsoft-Windows-Font-Embedding",
    "Microsoft-Windows-TerminalServices-RemoteConnectionManager",
    "Microsoft-Windows-Media-Foundation", "Microsoft-Windows-DirectX-Direct3D10",
    "Microsoft-Windows-Printing-Spooler-Core", "Microsoft-Windows-WMI-Core",
    "Microsoft-Windows-Security-SPP", "Microsoft-Windows-NTFS", "Microsoft-Windows-Usp10",
    "Microsoft-Windows-WinHttp", "Microsoft-Windows-Wininet", "Microsoft-Windows-Rdpcorekmts",
    "Microsoft-Windows-SMB10-Minirdr", "Microsoft-Windows-Netio", "Microsoft-Windows-Afd",
    "Microsoft-Windows-ATL", "Microsoft-Windows-Comctl32-V6", "Microsoft-Windows-Mup",
    "Microsoft-Windows-Ntdll", "Microsoft-Windows-Services-ServiceController",
};
#define NCOMP (sizeof component_names / sizeof component_names[0])

static void write_mum(const char *path, const pkg *p, const char *found)
{
    char name[200], pkt[40], arch[16], ver[40];
    char fname[200], fpkt[40], farch[16], fver[40];
    if (sscanf(p->ident, "%199[^~]~%39[^~]~%15[^~]~~%39s", name, pkt, arch, ver) != 4 ||
        sscanf(found, "%199[^~]~%39[^~]~%15[^~]~~%39s", fname, fpkt, farch, fver) != 4)
        die("bad identity %s", p->ident);
    char created[32];
    fmt_date(parse_utc(p->released) - 12 * 86400, created, sizeof created, "%Y-%m-%dT21:30:00Z");
    const char *kbnum = strcmp(p->kb, "-") == 0 ? "" : p->kb + 2;
    char desc[128], support[128];
    const char *restart = "possible";
    int foundation = strcmp(p->type, "Foundation") == 0;
    if (foundation) {
        snprintf(desc, sizeof desc, "Windows Foundation");
        snprintf(support, sizeof support, "http://support.microsoft.com");
        restart = "required";
    } else if (strcmp(p->type, "Service Pack") == 0) {
        snprintf(desc, sizeof desc, "%s",
                 strncmp(name, "VistaSP1", 8) == 0
                     ? "Windows Vista Service Pack 1"
                     : "Windows Vista and Windows Server 2008 Service Pack 2");
        snprintf(support, sizeof support, "http://support.microsoft.com/?kbid=%s", kbnum);
        restart = "required";
    } else {
        snprintf(desc, sizeof desc, "Fix for %s", p->kb);
        snprintf(support, sizeof support, "http://support.microsoft.com/?kbid=%s", kbnum);
    }
    if (strstr(p->comps, "OS-Kernel"))
        restart = "required";
    FILE *f = xopen(path, "w");
    fprintf(f,
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
            "<assembly xmlns=\"urn:schemas-microsoft-com:asm.v3\" manifestVersion=\"1.0\" "
            "description=\"%s\" displayName=\"default\" company=\"Microsoft Corporation\" "
            "copyright=\"Microsoft Corporation\" supportInformation=\"%s\" "
            "creationTimeStamp=\"%s\" lastUpdateTimeStamp=\"%s\">\n"
            "  <assemblyIdentity name=\"%s\" version=\"%s\" language=\"neutral\" "
            "processorArchitecture=\"%s\" publicKeyToken=\"%s\"/>\n",
            desc, support, created, created, name, ver, arch, pkt);
    if (foundation) {
        fprintf(f,
                "  <package identifier=\"Windows Foundation\" releaseType=\"Foundation\" "
                "restart=\"%s\">\n", restart);
    } else {
        fprintf(f,
                "  <package identifier=\"%s\" releaseType=\"%s\" restart=\"%s\">\n"
                "    <parent buildCompare=\"EQ\" serviceCompare=\"GE\" integrate=\"separate\" "
                "disposition=\"detect\">\n"
                "      <assemblyIdentity name=\"%s\" version=\"%s\" language=\"neutral\" "
                "processorArchitecture=\"%s\" publicKeyToken=\"%s\"/>\n"
                "    </parent>\n",
                p->kb, p->type, restart, fname, fver, farch, fpkt);
    }
    char fv2[40];
    snprintf(fv2, sizeof fv2, "%s", fver);
    char *dot = strrchr(fv2, '.');
    if (dot) {
        *dot = 0;
        dot = strrchr(fv2, '.');
        if (dot)
            *dot = 0;
    }
    fprintf(f,
            "    <installerAssembly name=\"Microsoft-Windows-ServicingStack\" version=\"%s.0.0\" "
            "language=\"neutral\" processorArchitecture=\"%s\" publicKeyToken=\"%s\" "
            "versionScope=\"nonSxS\"/>\n", fv2, arch, pkt);
    const char *branch =
        foundation || strcmp(p->type, "Service Pack") == 0 ? "GDR" : "LDR";
    if (strcmp(p->comps, "-") != 0) {
        char comps[2048];
        snprintf(comps, sizeof comps, "%s", p->comps);
        int i = 0;
        char *save = NULL;
        for (char *c = strtok_r(comps, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
            i++;
            fprintf(f, "    <update name=\"%s-%d_neutral_%s\">\n", *kbnum ? kbnum : "foundation",
                    i, branch);
            if (c[0] == '@') {
                fprintf(f,
                        "      <package integrate=\"hidden\">\n"
                        "        <assemblyIdentity name=\"%s\" version=\"%s\" language=\"neutral\" "
                        "processorArchitecture=\"%s\" publicKeyToken=\"%s\"/>\n"
                        "      </package>\n",
                        c + 1, ver, arch, pkt);
            } else {
                char *eq = strchr(c, '=');
                if (!eq)
                    die("bad component %s", c);
                *eq = 0;
                fprintf(f,
                        "      <component>\n"
                        "        <assemblyIdentity name=\"%s\" version=\"%s\" "
                        "processorArchitecture=\"%s\" language=\"neutral\" buildType=\"release\" "
                        "publicKeyToken=\"%s\" versionScope=\"nonSxS\"/>\n"
                        "      </component>\n",
                        c, eq + 1, arch, pkt);
            }
            fprintf(f, "    </update>\n");
        }
    }
    fprintf(f, "  </package>\n</assembly>\n");
    xclose(f, path);
}

static void write_key(FILE *s, const pkg *p)
{
    if (strcmp(p->state, "-") == 0)
        return;
    uint64_t ft = ((uint64_t)parse_utc(p->installed) + 11644473600ULL) * 10000000ULL;
    int setup = strcmp(p->type, "Foundation") == 0 || strcmp(p->type, "Service Pack") == 0;
    const char *pfx = "[Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\Packages\\";
    fprintf(s, "%s%s]\nCurrentState = dword:%s\n", pfx, p->ident, p->state);
    fprintf(s, "InstallClient = sz:%s\n", setup ? "Windows Setup" : "WindowsUpdateAgent");
    if (setup) {
        fprintf(s, "InstallLocation = sz:\\\\?\\C:\\Windows\\servicing\\Packages\\\n");
    } else {
        uint64_t h = 1469598103934665603ULL;
        for (const char *c = p->ident; *c; c++)
            h = (h ^ (unsigned char)*c) * 1099511628211ULL;
        fprintf(s, "InstallLocation = sz:\\\\?\\C:\\Windows\\SoftwareDistribution\\Download\\"
                   "%016llx%016llx\\\n",
                (unsigned long long)h, (unsigned long long)(h * 31 + 7));
    }
    fprintf(s, "InstallName = sz:%s.mum\n", p->ident);
    fprintf(s, "InstallTimeHigh = dword:0x%08x\nInstallTimeLow = dword:0x%08x\n",
            (unsigned)(ft >> 32), (unsigned)(ft & 0xffffffffu));
    fprintf(s, "InstallUser = sz:S-1-5-18\nVisibility = dword:%d\n", p->vis);
    fprintf(s, "%s%s\\Owners]\n%s = dword:%s\n", pfx, p->ident, p->ident, p->state);
    if (strcmp(p->comps, "-") != 0) {
        fprintf(s, "%s%s\\Updates]\n", pfx, p->ident);
        int n = 1;
        for (const char *c = p->comps; *c; c++)
            n += *c == ',';
        const char *kbnum = strcmp(p->kb, "-") == 0 ? "foundation" : p->kb + 2;
        for (int i = 1; i <= n; i++)
            fprintf(s, "%s-%d_neutral_LDR = dword:%s\n", kbnum, i, p->state);
    }
}

static void write_cat(const char *dir, const pkg *p)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.cat", dir, p->ident);
    uint64_t saved = rng;
    seed(p->ident);
    FILE *f = xopen(path, "wb");
    random_bytes(f, 2048 + below(10 * 1024));
    xclose(f, path);
    rng = saved;
}

static void emit(const char *dir, FILE *spec, const pkg *p, const char *found)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.mum", dir, p->ident);
    write_mum(path, p, found);
    write_cat(dir, p);
    write_key(spec, p);
}

static int cmd_packages(const char *base, long n, const char *dir, const char *specpath)
{
    FILE *in = xopen(base, "r"), *spec = xopen(specpath, "w");
    pkg *base_pkgs = NULL;
    size_t nbase = 0;
    char *line = NULL;
    size_t cap = 0;
    char found[200] = "";
    while (getline(&line, &cap, in) != -1) {
        char *hash = strchr(line, '#');
        if (hash)
            *hash = 0;
        char *cols[9];
        int nc = 0;
        char *save = NULL;
        for (char *c = strtok_r(line, "|", &save); c && nc < 9; c = strtok_r(NULL, "|", &save))
            cols[nc++] = trim(c);
        if (nc < 9)
            continue;
        base_pkgs = realloc(base_pkgs, (nbase + 1) * sizeof *base_pkgs);
        pkg *p = &base_pkgs[nbase++];
        memset(p, 0, sizeof *p);
        snprintf(p->state, sizeof p->state, "%s", cols[0]);
        snprintf(p->ident, sizeof p->ident, "%s", cols[1]);
        snprintf(p->kb, sizeof p->kb, "%s", cols[2]);
        snprintf(p->type, sizeof p->type, "%s", cols[3]);
        snprintf(p->released, sizeof p->released, "%s", cols[4]);
        snprintf(p->installed, sizeof p->installed, "%s", cols[5]);
        p->vis = atoi(cols[6]);
        snprintf(p->comps, sizeof p->comps, "%s", cols[7]);
        if (strcmp(p->type, "Foundation") == 0 && !*found)
            snprintf(found, sizeof found, "%s", p->ident);
    }
    free(line);
    fclose(in);
    if (!*found)
        die("%s: no Foundation package", base);
    char arch[16] = "amd64";
    sscanf(found, "%*[^~]~%*[^~]~%15[^~]", arch);
    fprintf(spec, "# %zu packages from %s + %ld generated by mkbenchtree\n", nbase, base, n);
    for (size_t i = 0; i < nbase; i++)
        emit(dir, spec, &base_pkgs[i], found);

    seed("patchlevel-bench/packages");
    time_t t0 = parse_utc("2009-06-09T02:00:00Z"), t1 = parse_utc("2019-03-12T02:00:00Z");
    long made = 0;
    for (long k = 0; made < n; k++) {
        unsigned kb = 950000 + (unsigned)k * 163 % 2000000;   /* < 3,000,000 */
        time_t inst = t0 + (time_t)((double)(t1 - t0) * (double)made / (double)(n ? n : 1)) +
                      below(3600);
        int parts = k % 8 == 7 ? 3 : 1;
        pkg p = {0};
        snprintf(p.state, sizeof p.state, "%s", below(4) ? "0x70" : "0x50");
        snprintf(p.kb, sizeof p.kb, "KB%u", kb);
        snprintf(p.type, sizeof p.type, "%s", below(3) ? "Security Update" : "Update");
        fmt_date(inst - 7 * 86400, p.released, sizeof p.released, "%Y-%m-%d");
        fmt_date(inst, p.installed, sizeof p.installed, "%Y-%m-%dT%H:%M:%SZ");
        unsigned minor = 1 + below(4), rev = below(5);
        for (int part = 0; part < parts && made < n; part++, made++) {
            pkg q = p;
            if (part == 0)
                snprintf(q.ident, sizeof q.ident, "Package_for_KB%u~31bf3856ad364e35~%s~~6.0.%u.%u",
                         kb, arch, minor, rev);
            else
                snprintf(q.ident, sizeof q.ident,
                         "Package_%d_for_KB%u~31bf3856ad364e35~%s~~6.0.%u.%u", part, kb, arch,
                         minor, rev);
            q.vis = part ? 2 : 1;
            if (part == 0 && parts > 1) {
                snprintf(q.comps, sizeof q.comps, "@Package_1_for_KB%u,@Package_2_for_KB%u", kb, kb);
            } else {
                size_t o = 0;
                unsigned nc = 1 + below(20);
                for (unsigned c = 0; c < nc; c++)
                    o += (size_t)snprintf(q.comps + o, sizeof q.comps - o, "%s%s=6.0.6002.%u",
                                          c ? "," : "", component_names[below(NCOMP)],
                                          18000 + below(7000));
            }
            emit(dir, spec, &q, found);
        }
    }
    xclose(spec, specpath);
    free(base_pkgs);
    return 0;
}

/* ---- registry bulk ---------------------------------------------------------------- */

static void guid(char *out, size_t n)
{
    uint64_t a = next(), b = next();
    snprintf(out, n, "{%08X-%04X-%04X-%04X-%012llX}", (unsigned)(a >> 32),
             (unsigned)(a >> 16) & 0xFFFF, (unsigned)a & 0xFFFF, (unsigned)(b >> 48),
             (unsigned long long)(b & 0xFFFFFFFFFFFFULL));
}

static int cmd_clsid(long n, const char *specpath)
{
    FILE *s = xopen(specpath, "w");
    seed("patchlevel-bench/clsid");
    static const char *models[] = {"Both", "Apartment", "Free", "Neutral"};
    for (long i = 0; i < n; i++) {
        char g[64];
        guid(g, sizeof g);
        fprintf(s, "[Classes\\CLSID\\%s]\n@ = sz:Contoso Component Object %ld\n", g, i);
        fprintf(s, "AppID = sz:%s\n", g);
        fprintf(s, "[Classes\\CLSID\\%s\\InprocServer32]\n", g);
        fprintf(s, "@ = expand_sz:%%SystemRoot%%\\system32\\contoso%04ld.dll\n", i % 3000);
        fprintf(s, "ThreadingModel = sz:%s\n", models[below(4)]);
        if (below(3) == 0) {
            fprintf(s, "[Classes\\CLSID\\%s\\ProgID]\n@ = sz:Contoso.Object%ld.1\n", g, i);
            fprintf(s, "[Classes\\CLSID\\%s\\TypeLib]\n@ = sz:", g);
            guid(g, sizeof g);
            fprintf(s, "%s\n", g);
        }
    }
    xclose(s, specpath);
    return 0;
}

static int cmd_services(long n, const char *specpath)
{
    FILE *s = xopen(specpath, "w");
    seed("patchlevel-bench/services");
    for (long i = 0; i < n; i++) {
        fprintf(s, "[ControlSet001\\Services\\ContosoSvc%05ld]\n", i);
        fprintf(s, "DisplayName = sz:Contoso Service %ld\n", i);
        fprintf(s, "ImagePath = expand_sz:system32\\drivers\\contoso%05ld.sys\n", i);
        fprintf(s, "Start = dword:%u\nType = dword:%u\nErrorControl = dword:1\n", below(5),
                below(2) ? 1 : 16);
        fprintf(s, "Group = sz:%s\n", below(2) ? "PNP_TDI" : "Extended Base");
        fprintf(s, "[ControlSet001\\Services\\ContosoSvc%05ld\\Parameters]\n", i);
        fprintf(s, "Setting%u = dword:%u\n", below(9), below(1000));
        fprintf(s, "[ControlSet001\\Services\\ContosoSvc%05ld\\Enum]\nCount = dword:0\n", i);
    }
    xclose(s, specpath);
    return 0;
}

/* ---- files --------------------------------------------------------------------- */

static void small_file(const char *path, const char *tag)
{
    FILE *f = xopen(path, "wb");
    fprintf(f, "patchlevel benchmark filler %s\r\n", tag);
    random_bytes(f, below(4) == 0 ? 512 + below(6000) : below(300));
    xclose(f, path);
}

static int cmd_files(const char *dir, long n, const char *ext)
{
    char path[4096], tag[64];
    snprintf(tag, sizeof tag, "patchlevel-bench/files/%s/%ld", ext, n);
    seed(tag);
    for (long i = 0; i < n; i++) {
        snprintf(tag, sizeof tag, "file%05ld.%s", i, ext);
        snprintf(path, sizeof path, "%s/%s", dir, tag);
        small_file(path, tag);
    }
    return 0;
}

static int cmd_dirs(const char *dir, long n)
{
    char path[4096], name[256];
    static const char *kinds[] = {"amd64_microsoft-windows-", "x86_microsoft-windows-",
                                  "msil_system.", "wow64_microsoft-windows-"};
    seed("patchlevel-bench/dirs");
    for (long i = 0; i < n; i++) {
        snprintf(name, sizeof name, "%scomponent%05ld_31bf3856ad364e35_6.0.6002.%u_none_%016llx",
                 kinds[i % 4], i, 18000 + below(7000), (unsigned long long)next());
        snprintf(path, sizeof path, "%s/%s", dir, name);
        if (mkdir(path, 0755) != 0 && errno != EEXIST)
            die("mkdir %s: %s", path, strerror(errno));
        snprintf(path, sizeof path, "%s/%s/component%05ld.dll", dir, name, i);
        small_file(path, name);
    }
    return 0;
}

static int cmd_winsxs(const char *dir, long n)
{
    char path[4096], name[256];
    static const char *kinds[] = {"amd64_microsoft-windows-", "x86_microsoft-windows-",
                                  "msil_system.", "wow64_microsoft-windows-"};
    static const char *exts[] = {"dll", "exe", "sys", "mui", "inf"};
    seed("patchlevel-bench/winsxs");
    snprintf(path, sizeof path, "%s/Manifests", dir);
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        die("mkdir %s: %s", path, strerror(errno));
    for (long i = 0; i < n; i++) {
        snprintf(name, sizeof name, "%ssvc%06ld_31bf3856ad364e35_6.0.6003.%u_none_%016llx",
                 kinds[i % 4], i, 20000 + below(2500), (unsigned long long)next());
        snprintf(path, sizeof path, "%s/%s", dir, name);
        if (mkdir(path, 0755) != 0 && errno != EEXIST)
            die("mkdir %s: %s", path, strerror(errno));
        unsigned files = 3 + below(3);
        for (unsigned k = 0; k < files; k++) {
            snprintf(path, sizeof path, "%s/%s/svc%06ld_%u.%s", dir, name, i, k, exts[k]);
            small_file(path, name);
        }
        if (i % 2 == 0) {
            snprintf(path, sizeof path, "%s/Manifests/%s.manifest", dir, name);
            small_file(path, name);
        }
    }
    return 0;
}

static int cmd_pad(const char *path, long size)
{
    struct stat st;
    if (stat(path, &st) != 0)
        die("%s: %s", path, strerror(errno));
    if (st.st_size >= size)
        return 0;
    const char *base = strrchr(path, '/');
    seed(base ? base + 1 : path);
    FILE *f = xopen(path, "ab");
    random_bytes(f, (size_t)(size - st.st_size));
    xclose(f, path);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 6 && strcmp(argv[1], "packages") == 0)
        return cmd_packages(argv[2], atol(argv[3]), argv[4], argv[5]);
    if (argc == 4 && strcmp(argv[1], "clsid") == 0)
        return cmd_clsid(atol(argv[2]), argv[3]);
    if (argc == 4 && strcmp(argv[1], "services") == 0)
        return cmd_services(atol(argv[2]), argv[3]);
    if (argc == 5 && strcmp(argv[1], "files") == 0)
        return cmd_files(argv[2], atol(argv[3]), argv[4]);
    if (argc == 4 && strcmp(argv[1], "dirs") == 0)
        return cmd_dirs(argv[2], atol(argv[3]));
    if (argc == 4 && strcmp(argv[1], "winsxs") == 0)
        return cmd_winsxs(argv[2], atol(argv[3]));
    if (argc == 4 && strcmp(argv[1], "pad") == 0)
        return cmd_pad(argv[2], atol(argv[3]));
    die("usage: see the top of bench/gen/mkbenchtree.c");
    return 2;
}
