/* The rules that classify one line as a test for build 6002 (the man
 * page, "6002 CHECKS", states them for users; keep the two in step).
 *
 * False positives cost more than they are worth: a migration engineer
 * reads every finding. So a line is a risk only when 6002 appears as a
 * Windows build (6002, 6.0.6002, 6.0.6002.N; never inside another number,
 * a word, a GUID or another product's version) AND either
 *   - an equality, a search or a boundary that 6003 crosses is applied to
 *     it, on a line that names a version or build (or the value is the
 *     self-describing 6.0.6002): exact-build-test;
 *   - or a setting records it under a name that says build or version
 *     (SupportedBuild=6002): exact-build-test, the program compares it;
 *   - or it stands among other Windows builds: version-list.
 * A line that also names 6003, a comment, and a test that 6003 passes as
 * 6002 does (-ge 6002, >= 6002, -lt 6002) are mentions, never risks.
 * Everything here reads only inside the line and is linear in it: the
 * first PL_C6_RUNS_JUDGED builds of a line are judged (each look around
 * one is bounded or linear), a line of a million 6002s costs no more. */
#include <ctype.h>
#include <string.h>

#include "evidence/compat6002.h"

/* 6002s of one line whose operators are looked for: a real test names
 * the build once or twice; a hostile line names it a million times. */
#define PL_C6_RUNS_JUDGED 16

const char *pl_c6_class_name(pl_c6_class c)
{
    switch (c) {
    case PL_C6_EXACT: return "exact-build-test";
    case PL_C6_VERSION_LIST: return "version-list";
    case PL_C6_MENTION: return "mention";
    default: return "";
    }
}

typedef struct {
    const char *s;
    size_t len;
} line_t;

static int at(const line_t *l, size_t i) { return i < l->len ? (unsigned char)l->s[i] : 0; }
static int is_ident(int c) { return isalnum(c) || c == '_'; }
static int is_run(int c) { return isdigit(c) || c == '.'; }
/* A run char at i: a digit, a dot, or the backslash of a regex's "\." */
static int run_at(const line_t *l, size_t i)
{
    return is_run(at(l, i)) || (at(l, i) == '\\' && at(l, i + 1) == '.');
}

/* ---- numbers: which ones are Windows builds ---------------------------- */

/* Builds of NT that scripts test for, besides 6002 and 6003 (2000, XP,
 * 2003, Vista RTM/SP1, 7 / 2008 R2, 8, 8.1, 10 / 2016-2025). */
static const unsigned known_builds[] = {2195,  2600,  3790,  6000,  6001,  7600,  7601,  9200,
                                        9600,  10240, 10586, 14393, 15063, 16299, 17134, 17763,
                                        18362, 18363, 19041, 19042, 19043, 19044, 19045, 20348,
                                        22000, 22621, 22631, 26100};

typedef enum { RUN_NONE, RUN_6002, RUN_6003, RUN_OTHER } run_kind;

typedef struct {
    size_t a, b;              /* the run [a, b), dots trimmed */
    run_kind kind;
    int full;                 /* written as 6.0.6002 (self-describing) */
    int rev;                  /* with a revision (6.0.6002.18005): a file's version */
} run_t;

/* Up to 4 dot-separated numbers; 0 when the run has another shape. */
static size_t split_run(const line_t *l, size_t a, size_t b, unsigned long v[4], size_t w[4])
{
    size_t n = 0;
    for (size_t i = a; i < b;) {
        if (n == 4 || !isdigit(at(l, i)))
            return 0;
        unsigned long x = 0;
        size_t start = i;
        while (i < b && isdigit(at(l, i))) {
            if (i - start < 9)
                x = x * 10 + (unsigned long)(at(l, i) - '0');
            i++;
        }
        w[n] = i - start;
        v[n++] = x;
        if (i < b && at(l, i) == '\\')
            i++;              /* a regex's escaped dot */
        if (i < b)
            i++;              /* the dot */
    }
    return n;
}

/* The build a run stands for: N, N.rev, maj.min.N, maj.min.N.rev, with N
 * of 4-5 digits; 6002/6003 only as themselves or under 6.0. */
static void kind_of(const line_t *l, run_t *r)
{
    unsigned long v[4];
    size_t w[4];
    size_t n = split_run(l, r->a, r->b, v, w);
    r->kind = RUN_NONE;
    size_t bi = n <= 2 ? 0 : 2;
    if (n == 0 || bi >= n || w[bi] < 4 || w[bi] > 5)
        return;
    if (n >= 3 && (w[0] > 2 || w[1] > 2))
        return;
    unsigned long build = v[bi];
    int nt60 = n <= 2 || (v[0] == 6 && v[1] == 0);
    if (build == 6002 || build == 6003) {
        if (nt60)
            r->kind = build == 6002 ? RUN_6002 : RUN_6003;
        r->full = n >= 3;
        r->rev = n == 2 || n == 4;
        return;
    }
    for (size_t i = 0; i < sizeof known_builds / sizeof *known_builds; i++)
        if (build == known_builds[i])
            r->kind = RUN_OTHER;
}

/* The next run of digits and dots from *i that stands alone: not inside a
 * word (build6002, KB956002, 0x6002), nor a GUID segment (-6002-). */
static int next_run(const line_t *l, size_t *i, run_t *r)
{
    while (*i < l->len) {
        size_t a = *i;
        if (!isdigit(at(l, a)) || (a > 0 && run_at(l, a - 1))) {
            (*i)++;
            continue;
        }
        size_t b = a;
        while (b < l->len && run_at(l, b))
            b++;
        *i = b;
        while (b > a && at(l, b - 1) == '.')
            b--;
        int before = a > 0 ? at(l, a - 1) : 0, after = at(l, b);
        if (is_ident(before) || is_ident(after) || (before == '-' && after == '-'))
            continue;
        *r = (run_t){.a = a, .b = b};
        kind_of(l, r);
        return 1;
    }
    return 0;
}

/* ---- words: what the line talks about --------------------------------- */

static int word_eq(const char *w, size_t n, const char *lit)
{
    return strlen(lit) == n && strncasecmp(w, lit, n) == 0;
}

static int word_has(const char *w, size_t n, const char *lit)
{
    size_t k = strlen(lit);
    for (size_t i = 0; i + k <= n; i++)
        if (strncasecmp(w + i, lit, k) == 0)
            return 1;
    return 0;
}

/* An identifier that names a version or a build: *version*, *build*,
 * *bld*, ver, vers, osver, winver, ntver, sysver, systeminfo. "server"
 * and "driver" do not. The OS's own record of itself (a .reg export of
 * CurrentVersion) is handled by the setting rule, not here. */
static int subject_word(const char *w, size_t n)
{
    static const char *const exact[] = {"ver", "vers", "osver", "winver", "ntver", "sysver",
                                        "systeminfo", "osv", "verstr", "vernum"};
    if (word_has(w, n, "version") || word_has(w, n, "build") || word_has(w, n, "bld"))
        return 1;
    for (size_t i = 0; i < sizeof exact / sizeof *exact; i++)
        if (word_eq(w, n, exact[i]))
            return 1;
    return 0;
}

/* Words that make a single '=' a comparison (VBScript If, MSI conditions,
 * WQL WHERE) rather than an assignment. */
static int condition_word(const char *w, size_t n)
{
    static const char *const words[] = {"if", "elseif", "while", "until", "when", "where",
                                        "and", "or", "then", "case", "not"};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (word_eq(w, n, words[i]))
            return 1;
    return 0;
}

typedef struct {
    int subject, condition, is_case, membership;
} line_words;

/* Case-insensitive: does the line hold lit? */
static int line_has(const line_t *l, const char *lit)
{
    return word_has(l->s, l->len, lit);
}

static line_words scan_words(const line_t *l)
{
    line_words lw = {0};
    for (size_t i = 0; i < l->len;) {
        if (!is_ident(at(l, i))) {
            i++;
            continue;
        }
        size_t a = i;
        while (i < l->len && is_ident(at(l, i)))
            i++;
        if (isdigit(at(l, a)))
            continue;
        lw.subject |= subject_word(l->s + a, i - a);
        lw.condition |= condition_word(l->s + a, i - a);
        lw.is_case |= word_eq(l->s + a, i - a, "case");
    }
    /* A list tested for membership ($b -in "6001","6002") is a test. */
    lw.membership = line_has(l, "-in ") || line_has(l, "-contains") || line_has(l, "-notin");
    return lw;
}

/* A comment line: rem, ::, #, ', //, ;, <!-- (the first non-blank). */
static int is_comment(const line_t *l)
{
    size_t i = 0;
    while (i < l->len && isspace(at(l, i)))
        i++;
    const char *p = l->s + i;
    size_t n = l->len - i;
    if (n == 0)
        return 0;
    if (p[0] == '#' || p[0] == '\'' || p[0] == ';')
        return 1;
    if (n >= 2 && ((p[0] == ':' && p[1] == ':') || (p[0] == '/' && p[1] == '/')))
        return 1;
    if (n >= 4 && strncmp(p, "<!--", 4) == 0)
        return 1;
    return n >= 3 && strncasecmp(p, "rem", 3) == 0 && (n == 3 || !is_ident((unsigned char)p[3]));
}

/* ---- the operator applied to a value ---------------------------------- */

typedef enum {
    OP_NONE,
    OP_EQ,       /* == != -eq -ne equ neq case, and = in a condition */
    OP_SEARCH,   /* find findstr -like -match InStr IndexOf Contains StartsWith */
    OP_BOUNDARY, /* x <= 6002, x > 6002: 6003 falls on the other side */
    OP_ACCEPTS,  /* x >= 6002, x < 6002: 6003 is on the same side as 6002 */
    OP_ASSIGN,   /* key = value, key: value, <key>value */
} op_kind;

static int is_skip_left(int c)
{
    return c == ' ' || c == '\t' || c == '"' || c == '\'' || c == '*' || c == '^' || c == '(' ||
           c == '[' || c == '%' || c == '\\';
}

/* The identifier that ends at e (exclusive), allowing '-' inside
 * (select-string); *start gets where it begins. */
static size_t word_before(const line_t *l, size_t e, size_t *start)
{
    size_t a = e;
    while (a > 0 && (is_ident(at(l, a - 1)) || at(l, a - 1) == '-'))
        a--;
    *start = a;
    return e - a;
}

static op_kind word_op(const char *w, size_t n)
{
    static const char *const eq[] = {"-eq", "-ieq", "-ceq", "-ne", "-ine", "-cne", "equ", "neq",
                                     "case", "-in", "-contains"};
    static const char *const search[] = {"-like", "-ilike", "-clike", "-notlike", "-match",
                                         "-imatch", "-cmatch", "-notmatch", "find", "findstr",
                                         "select-string", "sls", "instr", "indexof", "contains",
                                         "startswith", "endswith", "includes", "match", "test"};
    static const char *const boundary[] = {"-le", "-ile", "-cle", "-gt", "-igt", "-cgt", "leq", "gtr"};
    static const char *const accepts[] = {"-ge", "-ige", "-cge", "-lt", "-ilt", "-clt", "geq", "lss"};
    for (size_t i = 0; i < sizeof eq / sizeof *eq; i++)
        if (word_eq(w, n, eq[i]))
            return OP_EQ;
    for (size_t i = 0; i < sizeof search / sizeof *search; i++)
        if (word_eq(w, n, search[i]))
            return OP_SEARCH;
    for (size_t i = 0; i < sizeof boundary / sizeof *boundary; i++)
        if (word_eq(w, n, boundary[i]))
            return OP_BOUNDARY;
    for (size_t i = 0; i < sizeof accepts / sizeof *accepts; i++)
        if (word_eq(w, n, accepts[i]))
            return OP_ACCEPTS;
    return OP_NONE;
}

/* Skip back over blanks, quotes and findstr-style switches (/i /c:). */
static size_t skip_left(const line_t *l, size_t p)
{
    for (int guard = 0; guard < 8; guard++) {
        while (p > 0 && is_skip_left(at(l, p - 1)))
            p--;
        size_t q = p;
        if (q > 0 && at(l, q - 1) == ':')
            q--;
        size_t s;
        size_t n = word_before(l, q, &s);
        if (n > 0 && n <= 3 && s > 0 && at(l, s - 1) == '/')
            p = s - 1;
        else
            return p;
    }
    return p;
}

/* A ',' inside a call: the function whose '(' is still open (InStr(v, "6002")). */
static op_kind call_before_comma(const line_t *l, size_t p)
{
    int depth = 0;
    for (size_t i = p; i > 0 && p - i < 120; i--) {
        int c = at(l, i - 1);
        if (c == ')')
            depth++;
        else if (c == '(' && depth-- == 0) {
            size_t s;
            size_t n = word_before(l, i - 1, &s);
            op_kind k = word_op(l->s + s, n);
            return k == OP_SEARCH ? k : OP_NONE;
        }
    }
    return OP_NONE;
}

/* <Element ...>6002: the element's name is the key. */
static int element_before(const line_t *l, size_t p, size_t *ks, size_t *kn)
{
    for (size_t i = p; i > 0 && p - i < 200; i--) {
        int c = at(l, i - 1);
        if (c == '>')
            return 0;
        if (c == '<') {
            if (!isalpha(at(l, i)))
                return 0;
            size_t e = i;
            while (e < p && (is_ident(at(l, e)) || at(l, e) == ':' || at(l, e) == '-'))
                e++;
            *ks = i;
            *kn = e - i;
            return 1;
        }
    }
    return 0;
}

/* The key before '=' or ':' (quotes and blanks skipped). */
static void key_before(const line_t *l, size_t p, size_t *ks, size_t *kn)
{
    while (p > 0 && (at(l, p - 1) == ' ' || at(l, p - 1) == '\t' || at(l, p - 1) == '"' ||
                     at(l, p - 1) == '\''))
        p--;
    *kn = word_before(l, p, ks);
}

/* The opening quote of the string a sits in (find "Version 6.0.6002"),
 * or a itself when it is not inside one. */
static size_t string_start(const line_t *l, size_t a)
{
    size_t open = a;
    int in = 0;
    for (size_t i = 0; i < a; i++)
        if (at(l, i) == '"') {
            in = !in;
            open = i;
        }
    return in ? open : a;
}

static op_kind op_left_at(const line_t *l, size_t a, size_t *ks, size_t *kn);

/* What is applied to the value starting at a, read from its left; a value
 * inside a longer string is judged by what is applied to the string. */
static op_kind op_left(const line_t *l, size_t a, size_t *ks, size_t *kn)
{
    op_kind k = op_left_at(l, a, ks, kn);
    size_t s = string_start(l, a);
    if (k != OP_NONE || s == a)
        return k;
    k = op_left_at(l, s, ks, kn);
    /* A setting is the build alone: value="6001,6002,7601" is a list. */
    return k == OP_ASSIGN ? OP_NONE : k;
}

static op_kind op_left_at(const line_t *l, size_t a, size_t *ks, size_t *kn)
{
    size_t p = skip_left(l, a);
    int c = p > 0 ? at(l, p - 1) : 0, c2 = p > 1 ? at(l, p - 2) : 0;
    *kn = 0;
    if (c == '=' && (c2 == '=' || c2 == '!'))
        return OP_EQ;
    if (c == '=' && c2 == '<')
        return OP_BOUNDARY;
    if (c == '=' && c2 == '>')
        return OP_ACCEPTS;
    if (c == '>' && c2 == '<')
        return OP_EQ;
    if (c == '>') {
        if (element_before(l, p - 1, ks, kn))
            return OP_ASSIGN;
        return c2 == '>' || c2 == '-' ? OP_NONE : OP_BOUNDARY;
    }
    if (c == '<')
        return c2 == '<' ? OP_NONE : OP_ACCEPTS;
    if (c == '=' || c == ':') {
        key_before(l, p - 1, ks, kn);
        return OP_ASSIGN;
    }
    if (c == ',')
        return call_before_comma(l, p - 1);
    size_t s;
    size_t n = word_before(l, p, &s);
    return n ? word_op(l->s + s, n) : OP_NONE;
}

/* What is applied to the value ending at b, read from its right ("6002"
 * -eq $b, 6002 >= $x). The mirrored boundaries: 6002 >= x is x <= 6002. */
static op_kind op_right(const line_t *l, size_t b)
{
    size_t p = b;
    while (p < l->len && (at(l, p) == ' ' || at(l, p) == '\t' || at(l, p) == '"' ||
                          at(l, p) == '\'' || at(l, p) == '*'))
        p++;
    int c = at(l, p), c2 = at(l, p + 1);
    if ((c == '=' && c2 == '=') || (c == '!' && c2 == '=') || (c == '<' && c2 == '>'))
        return OP_EQ;
    if (c == '>' && c2 == '=')
        return OP_BOUNDARY;
    if (c == '<' && c2 == '=')
        return OP_ACCEPTS;
    if (c == '<' && c2 != '/' && c2 != '<')
        return OP_BOUNDARY;
    if (c == '>' && c2 != '>' && c2 != '&' && !isspace(c2) && c2 != 0)
        return OP_NONE;       /* 6002>file: a redirection, not a test */
    if (c == '-' || isalpha(c)) {
        size_t e = p;
        while (e < l->len && (is_ident(at(l, e)) || at(l, e) == '-'))
            e++;
        op_kind k = word_op(l->s + p, e - p);
        if (k == OP_EQ)
            return k;
        if (k == OP_BOUNDARY || k == OP_ACCEPTS) {
            int le_or_gt = word_has(l->s + p, e - p, "le") || word_has(l->s + p, e - p, "gt");
            /* 6002 -le $x is $x -ge 6002; 6002 -gt $x is $x -lt 6002. */
            return le_or_gt ? OP_ACCEPTS : OP_BOUNDARY;
        }
    }
    return OP_NONE;
}

/* A setting's name that records a build for software to compare. The OS's
 * own values (a .reg export of CurrentVersion) are not checks; a minimum
 * accepts 6003. */
static pl_c6_class setting_name_class(const char *k, size_t n)
{
    static const char *const own[] = {"CurrentBuild", "CurrentBuildNumber", "CSDBuildNumber",
                                      "BuildLab", "BuildLabEx", "CurrentVersion", "BuildNumber"};
    if (!n || !subject_word(k, n))
        return PL_C6_NONE;
    for (size_t i = 0; i < sizeof own / sizeof *own; i++)
        if (word_eq(k, n, own[i]))
            return PL_C6_MENTION;
    if (word_has(k, n, "min") || word_has(k, n, "least") || word_has(k, n, "lowest"))
        return PL_C6_MENTION;
    return PL_C6_EXACT;
}

/* .NET appSettings (<add key="RequiredBuild" value="6002" />): the name
 * is the key attribute, not "value": ks and kn are moved to it. */
static void appsettings_key(const line_t *l, size_t *ks, size_t *kn)
{
    if (!word_eq(l->s + *ks, *kn, "value"))
        return;
    for (size_t i = 0; i + 5 <= l->len; i++)
        if (strncasecmp(l->s + i, "key=\"", 5) == 0 && (i == 0 || !is_ident(at(l, i - 1)))) {
            size_t a = i + 5, e = a;
            while (e < l->len && (is_ident(at(l, e)) || at(l, e) == '.'))
                e++;
            *ks = a;
            *kn = e - a;
            return;
        }
}

/* One 6002 run: exact, or NONE when nothing tests it. */
static pl_c6_class classify_run(const line_t *l, const run_t *r, const line_words *lw)
{
    size_t ks = 0, kn = 0;
    op_kind op = op_left(l, r->a, &ks, &kn);
    if (op == OP_ASSIGN && lw->condition && at(l, ks + kn) != '>')
        op = OP_EQ;
    if (op == OP_NONE)
        op = op_right(l, r->b);
    int named = lw->subject || r->full;
    switch (op) {
    case OP_EQ:
    case OP_SEARCH:
    case OP_BOUNDARY:
        return named ? PL_C6_EXACT : PL_C6_NONE;
    case OP_ASSIGN: {
        /* version="6.0.6002.18005" names a file (an assembly, a driver),
         * not the build a program expects. */
        if (r->rev)
            return PL_C6_NONE;
        appsettings_key(l, &ks, &kn);
        pl_c6_class k = setting_name_class(l->s + ks, kn);
        return k == PL_C6_EXACT ? k : PL_C6_NONE;
    }
    default:
        return PL_C6_NONE;
    }
}

pl_c6_class pl_c6_classify_line(const char *s, size_t len)
{
    line_t l = {s, len};
    size_t i = 0, others = 0, others_full = 0, n6002 = 0;
    int has6003 = 0, any_full = 0;
    run_t r;
    while (next_run(&l, &i, &r)) {
        has6003 |= r.kind == RUN_6003;
        others += r.kind == RUN_OTHER;
        others_full += r.kind == RUN_OTHER && r.b - r.a > 5;
        n6002 += r.kind == RUN_6002;
        any_full |= r.kind == RUN_6002 && r.full;
    }
    if (!n6002)
        return PL_C6_NONE;
    if (has6003 || is_comment(&l))
        return PL_C6_MENTION;
    line_words lw = scan_words(&l);
    size_t judged = 0;
    for (i = 0; judged < PL_C6_RUNS_JUDGED && next_run(&l, &i, &r);) {
        if (r.kind != RUN_6002)
            continue;
        judged++;
        if (classify_run(&l, &r, &lw) == PL_C6_EXACT)
            return PL_C6_EXACT;
    }
    if (others && (lw.subject || lw.is_case || lw.membership || others >= 2 || others_full || any_full))
        return PL_C6_VERSION_LIST;
    return PL_C6_MENTION;
}

pl_c6_class pl_c6_classify_setting(const char *name, const char *data)
{
    if (!name || !data)
        return PL_C6_NONE;
    line_t l = {data, strlen(data)};
    size_t i = 0;
    run_t r;
    /* The data must be the build alone: "6002", "6.0.6002", blanks around. */
    while (l.len && isspace(at(&l, l.len - 1)))
        l.len--;
    while (i < l.len && isspace(at(&l, i)))
        i++;
    if (!next_run(&l, &i, &r) || r.kind != RUN_6002 || r.rev || r.b != l.len ||
        (r.a > 0 && !isspace(at(&l, r.a - 1))))
        return PL_C6_NONE;
    return setting_name_class(name, strlen(name));
}
