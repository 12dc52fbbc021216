/* CBS package manifests (.mum) with libxml2. See mum.h.
 *
 * The manifest is read with libxml2's SAX2 interface: our element
 * callbacks pick out the few elements and attributes a package needs as
 * the parser meets them, and no document tree is built. Why: building and
 * freeing the tree of each of a server's 8,000 manifests was most of the
 * parse (xmlSAX2StartElementNs, xmlFreeNodeList and their malloc calls:
 * about 9% of a server-size run in bench/bench-server.sh). The answers
 * are those of a walk over the tree (the walk this replaced), in the
 * same order; see "the walk, as events" below.
 *
 * Safety: the parser runs with XML_PARSE_NONET and without NOENT, DTDLOAD
 * or HUGE, so nothing is fetched and entities are not substituted. On top
 * of that a document type declaration stops the parse at once: Microsoft
 * manifests never carry one, and refusing it means entity declarations are
 * never even parsed (no billion laughs, no external entities). Attribute
 * values are taken as the parser hands them over, with the one escape it
 * leaves in them undone (attr_copy); no entity is ever expanded. */
#include "evidence/mum.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/SAX2.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlversion.h>

#include "evidence/cbs.h"
#include "util/limits.h"
#include "util/xml_errors.h"

/* Element nesting walked below <update> (real files nest 3 deep:
 * update/applicable/updateComponent). libxml2 caps the document itself
 * at 256 levels; this caps our walk. */
#define MUM_MAX_WALK_DEPTH 16
/* Parent or child package references examined per manifest. Real packages
 * name a handful; the cap keeps duplicate checks cheap on a hostile
 * 16 MiB file. */
#define MUM_MAX_REFS 10000
/* Characters of a libxml2 message kept in our error text. */
#define MUM_MAX_XML_MSG 200

/* Elements whose place in the document we track; deeper ones (libxml2
 * itself stops at 256 levels) are counted, never looked at. */
#define MUM_MAX_FRAMES 64

#define PARSE_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | \
                       XML_PARSE_NOBLANKS)

/* ---- attributes as the parser hands them over ---- */

/* SAX2 gives each attribute as five pointers: local name, prefix, URI,
 * value, end of value. */
typedef struct {
    const xmlChar **a;
    int n;
} attr_list;

/* The value of the unprefixed attribute local, malloc'd, NULL when absent.
 * With entities not substituted, libxml2 hands an '&' over as "&#38;" (for
 * &amp; and &#38; alike: parser.c, xmlParseAttValueComplex) and leaves it
 * to the tree builder to turn back into '&'; everything else arrives
 * decoded. Undone here in one pass, so "&#38;#38;" (from "&amp;#38;")
 * stays "&#38;", as the tree had it. */
static char *attr_copy(const attr_list *al, const char *local)
{
    for (int i = 0; i < al->n; i++) {
        const xmlChar **at = al->a + 5 * i;
        if (at[1] || strcmp((const char *)at[0], local) != 0)
            continue;
        const char *v = (const char *)at[3], *end = (const char *)at[4];
        size_t len = (size_t)(end - v);
        char *s = pl_xmalloc(len + 1);
        size_t o = 0;
        for (size_t k = 0; k < len;) {
            if (len - k >= 5 && memcmp(v + k, "&#38;", 5) == 0) {
                s[o++] = '&';
                k += 5;
            } else {
                s[o++] = v[k++];
            }
        }
        s[o] = '\0';
        return s;
    }
    return NULL;
}

/* The CBS identity string of an <assemblyIdentity> element. */
static char *identity_of(const attr_list *al)
{
    char *name = attr_copy(al, "name");
    char *pkt = attr_copy(al, "publicKeyToken");
    char *arch = attr_copy(al, "processorArchitecture");
    char *lang = attr_copy(al, "language");
    char *ver = attr_copy(al, "version");
    char *id = pl_cbs_identity_format(name, pkt, arch, lang, ver);
    free(name);
    free(pkt);
    free(arch);
    free(lang);
    free(ver);
    return id;
}

/* ---- versions ---- */

/* A component version we trust for comparison: "6." then dot-separated
 * digit runs, no empty part. Package revisions elsewhere are ignored. */
static int is_6x_version(const char *v)
{
    if (!v || strncmp(v, "6.", 2) != 0)
        return 0;
    int digits = 0;
    for (const char *p = v; *p; p++) {
        if (*p >= '0' && *p <= '9')
            digits++;
        else if (*p == '.' && digits)
            digits = 0;
        else
            return 0;
    }
    return digits > 0;
}

/* Compare one numeric part of length la/lb: skip leading zeros, then a
 * longer run is larger, else compare digit by digit. No overflow possible. */
static int cmp_part(const char *a, size_t la, const char *b, size_t lb)
{
    while (la > 1 && *a == '0') { a++; la--; }
    while (lb > 1 && *b == '0') { b++; lb--; }
    if (la != lb)
        return la < lb ? -1 : 1;
    int c = memcmp(a, b, la);
    return (c > 0) - (c < 0);
}

/* Numeric dotted comparison of two strings accepted by is_6x_version;
 * a missing part counts as smaller ("6.0.1" < "6.0.1.0"). */
static int version_cmp(const char *a, const char *b)
{
    for (;;) {
        size_t la = strcspn(a, "."), lb = strcspn(b, ".");
        int c = cmp_part(a, la, b, lb);
        if (c)
            return c;
        a += la;
        b += lb;
        if (!*a || !*b)
            return (*a != 0) - (*b != 0);
        a++;
        b++;
    }
}

/* "KB<n>" from "...?kbid=<n>" in a support URL, NULL when absent. Same
 * digit rule as package names: 3 to 8 digits and nothing more. */
static char *kb_from_support_url(const char *url)
{
    if (!url)
        return NULL;
    for (const char *p = url; *p; p++) {
        if (!pl_strncaseeq(p, "kbid=", 5))
            continue;
        size_t n = strspn(p + 5, "0123456789");
        if (n >= 3 && n <= 8)
            return pl_xasprintf("KB%.*s", (int)n, p + 5);
    }
    return NULL;
}

static void derive_kb(pl_mum *m)
{
    m->kb = pl_cbs_kb_from_name(m->package_identifier);
    if (!m->kb)
        m->kb = pl_cbs_kb_from_name(m->name);
    if (!m->kb)
        m->kb = kb_from_support_url(m->support_information);
}

/* ---- parsing ---- */

/* What the parser callbacks saw; reached through ctxt->_private. */
typedef struct mum_walk mum_walk;
typedef struct {
    mum_walk *walk;
    int saw_doctype;
    int have_error;
    int error_line;
    char error_msg[MUM_MAX_XML_MSG + 1];
} parse_state;

/* SAX hook for <!DOCTYPE ...>: remember it and stop before the internal
 * subset (and so any entity declaration) is parsed. */
static void refuse_doctype(void *ctx, const xmlChar *name, const xmlChar *ext_id,
                           const xmlChar *sys_id)
{
    (void)name;
    (void)ext_id;
    (void)sys_id;
    xmlParserCtxtPtr ctxt = ctx;
    ((parse_state *)ctxt->_private)->saw_doctype = 1;
    xmlStopParser(ctxt);
}

/* Copy a libxml2 message: trimmed, control characters blanked, cut at a
 * UTF-8 boundary. */
static void copy_xml_message(char out[MUM_MAX_XML_MSG + 1], const char *m)
{
    size_t n = strnlen(m, MUM_MAX_XML_MSG);
    if (m[n])
        while (n > 0 && ((unsigned char)m[n] & 0xC0) == 0x80)
            n--;   /* do not split a multi-byte character */
    memcpy(out, m, n);
    out[n] = '\0';
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == ' ' || out[n - 1] == '\r'))
        out[--n] = '\0';
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
            out[i] = ' ';
}

/* Structured error hook: keep the first error, which names the real
 * problem; libxml2's last error is often a consequence ("Premature end of
 * data") reported on a later line. Nothing is printed. */
#if LIBXML_VERSION >= 21200
static void keep_first_error(void *ctx, const xmlError *e)
#else
static void keep_first_error(void *ctx, xmlErrorPtr e)
#endif
{
    xmlParserCtxtPtr ctxt = ctx;
    parse_state *st = ctxt ? ctxt->_private : NULL;
    if (!st || !e || st->have_error || e->level < XML_ERR_ERROR)
        return;
    st->have_error = 1;
    st->error_line = e->line;
    copy_xml_message(st->error_msg, e->message ? e->message : "unknown error");
}

static void set_xml_error(pl_err *err, const parse_state *st, const xmlError *last)
{
    if (st->have_error) {
        pl_err_setc(err, PL_ERR_CORRUPT, "not well-formed XML: line %d: %s", st->error_line, st->error_msg);
        return;
    }
    char msg[MUM_MAX_XML_MSG + 1];
    copy_xml_message(msg, last && last->message ? last->message : "unknown error");
    pl_err_setc(err, PL_ERR_CORRUPT, "not well-formed XML: line %d: %s", last ? last->line : 0, msg);
}

/* ---- the walk, as events ----
 *
 * What is read, as a walk over the tree would read it:
 *   <assembly description supportInformation creationTimeStamp>, the root;
 *   its first <assemblyIdentity> child (the package's identity) and its
 *   first <package identifier releaseType restart> child;
 *   under that <package>: each <parent>'s <assemblyIdentity> children are
 *   parent references; each <update> is walked down to MUM_MAX_WALK_DEPTH
 *   levels, where the <assemblyIdentity> children of a <package> are child
 *   references and those of a <component> or <updateComponent> give
 *   component versions.
 * A tree walk takes a holder's <assemblyIdentity> children when it reaches
 * the holder, before going below it; events come in document order
 * instead. So each holder gets a slot number when it opens (the order the
 * walk reaches it), references are kept with their slot and sorted by it
 * at the end, and a tie between equal versions goes to the lower slot: the
 * lists and the version are the walk's, for nested holders too. */

typedef enum {
    F_IGNORED,      /* nothing below is read */
    F_ROOT,         /* <assembly> */
    F_PACKAGE,      /* its first <package> */
    F_PARENT,       /* a <parent> of that package */
    F_WALK,         /* <update> or an element below it */
} frame_kind;

typedef struct {
    frame_kind kind;
    int walk_depth;       /* F_WALK: <update> is 1 */
    int holds_refs;       /* F_WALK: a <package>: child references */
    int holds_versions;   /* F_WALK: a <component> or <updateComponent> */
    uint32_t slot;        /* F_WALK holders: when the walk reaches it */
} frame;

typedef struct {
    uint32_t slot, seq;
    char *id;
} ref_entry;

/* A reference list being filled. The cap counts references examined,
 * duplicates included (they are dropped when the list is built). */
typedef struct {
    ref_entry *v;
    size_t n, cap;
    size_t seen;
    const char *what;   /* "parent" or "child", for the error */
} ref_list;

struct mum_walk {
    pl_mum *m;
    frame stack[MUM_MAX_FRAMES];
    size_t depth;               /* elements open, may exceed MUM_MAX_FRAMES */
    int saw_root, root_is_assembly, saw_identity, saw_package;
    uint32_t next_slot, next_seq;
    ref_list parents, children;
    uint32_t version_slot;      /* of m->max_component_version */
    char limit_msg[80];         /* the first cap reached, "" when none */
};

static void ref_add(mum_walk *w, ref_list *refs, uint32_t slot, const attr_list *al)
{
    if (++refs->seen > MUM_MAX_REFS) {
        if (!w->limit_msg[0])
            snprintf(w->limit_msg, sizeof w->limit_msg, "more than %d %s package references",
                     MUM_MAX_REFS, refs->what);
        return;
    }
    if (refs->n == refs->cap) {
        refs->cap = refs->cap ? 2 * refs->cap : 8;
        refs->v = pl_xrealloc(refs->v, refs->cap * sizeof *refs->v);
    }
    refs->v[refs->n++] = (ref_entry){slot, w->next_seq++, identity_of(al)};
}

static int ref_order(const void *a, const void *b)
{
    const ref_entry *x = a, *y = b;
    if (x->slot != y->slot)
        return x->slot < y->slot ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Into out, in the walk's order, each identity once. */
static void refs_finish(ref_list *refs, pl_strlist *out)
{
    if (refs->n > 1)
        qsort(refs->v, refs->n, sizeof *refs->v, ref_order);
    pl_strset ids = {0};
    for (size_t i = 0; i < refs->n; i++) {
        if (pl_strset_add(&ids, refs->v[i].id))
            pl_strlist_push_owned(out, refs->v[i].id);
        else
            free(refs->v[i].id);
        refs->v[i].id = NULL;
    }
    pl_strset_free(&ids);
}

static void refs_free(ref_list *refs)
{
    for (size_t i = 0; i < refs->n; i++)
        free(refs->v[i].id);
    free(refs->v);
}

/* The highest trusted component version; of equal ones, the walk's first. */
static void consider_version(mum_walk *w, uint32_t slot, const attr_list *al)
{
    pl_mum *m = w->m;
    char *v = attr_copy(al, "version");
    if (is_6x_version(v)) {
        int c = m->max_component_version ? version_cmp(v, m->max_component_version) : 1;
        if (c > 0 || (c == 0 && slot < w->version_slot)) {
            free(m->max_component_version);
            m->max_component_version = v;
            w->version_slot = slot;
            v = NULL;
        }
    }
    free(v);
}

static int named(const xmlChar *localname, const char *name)
{
    return strcmp((const char *)localname, name) == 0;
}

/* The root element and its children. */
static frame open_root_child(mum_walk *w, const xmlChar *name, const attr_list *al)
{
    pl_mum *m = w->m;
    frame f = {.kind = F_IGNORED};
    if (named(name, "assemblyIdentity") && !w->saw_identity) {
        w->saw_identity = 1;
        m->name = attr_copy(al, "name");
        if (m->name) {
            m->identity = identity_of(al);
            m->version = attr_copy(al, "version");
            m->arch = attr_copy(al, "processorArchitecture");
        }
    } else if (named(name, "package") && !w->saw_package) {
        w->saw_package = 1;
        m->package_identifier = attr_copy(al, "identifier");
        m->release_type = attr_copy(al, "releaseType");
        m->restart = attr_copy(al, "restart");
        f.kind = F_PACKAGE;
    }
    return f;
}

/* An element below <update>, whose parent frame is up. */
static frame open_walked(mum_walk *w, const frame *up, const xmlChar *name, const attr_list *al)
{
    frame f = {.kind = F_WALK, .walk_depth = up->walk_depth + 1};
    if (named(name, "assemblyIdentity")) {
        if (up->holds_refs)
            ref_add(w, &w->children, up->slot, al);
        else if (up->holds_versions)
            consider_version(w, up->slot, al);
    }
    /* the walk looks at the children of elements down to its depth cap */
    if (up->walk_depth > MUM_MAX_WALK_DEPTH)
        return f;
    f.holds_refs = named(name, "package");
    f.holds_versions = named(name, "component") || named(name, "updateComponent");
    f.slot = w->next_slot++;
    return f;
}

static frame open_element(mum_walk *w, const xmlChar *name, const attr_list *al)
{
    frame none = {.kind = F_IGNORED};
    if (w->depth == 0) {
        w->saw_root = 1;
        w->root_is_assembly = named(name, "assembly");
        if (!w->root_is_assembly)
            return none;
        w->m->description = attr_copy(al, "description");
        w->m->support_information = attr_copy(al, "supportInformation");
        w->m->creation_time = attr_copy(al, "creationTimeStamp");
        return (frame){.kind = F_ROOT};
    }
    if (w->depth > MUM_MAX_FRAMES)
        return none;
    const frame *up = &w->stack[w->depth - 1];
    switch (up->kind) {
    case F_ROOT:
        return open_root_child(w, name, al);
    case F_PACKAGE:
        if (named(name, "parent"))
            return (frame){.kind = F_PARENT};
        if (named(name, "update"))
            return (frame){.kind = F_WALK, .walk_depth = 1};
        return none;
    case F_PARENT:
        if (named(name, "assemblyIdentity"))
            ref_add(w, &w->parents, 0, al);
        return none;
    case F_WALK:
        return open_walked(w, up, name, al);
    default:
        return none;
    }
}

static void on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                     const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
                     int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
    (void)prefix, (void)uri, (void)nb_namespaces, (void)namespaces, (void)nb_defaulted;
    xmlParserCtxtPtr ctxt = ctx;
    mum_walk *w = ((parse_state *)ctxt->_private)->walk;
    if (w->depth == 0 && w->saw_root)
        return;   /* a second root: not well-formed, the parse fails */
    attr_list al = {attributes, nb_attributes};
    frame f = open_element(w, localname, &al);
    if (w->depth < MUM_MAX_FRAMES)
        w->stack[w->depth] = f;
    w->depth++;
}

static void on_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                   const xmlChar *uri)
{
    (void)localname, (void)prefix, (void)uri;
    xmlParserCtxtPtr ctxt = ctx;
    mum_walk *w = ((parse_state *)ctxt->_private)->walk;
    if (w->depth > 0)
        w->depth--;
}

/* Run the parser over the manifest with our element callbacks and no
 * tree: 0 when it is well-formed, else -1 with err set. */
static int run_parser(const uint8_t *data, size_t len, mum_walk *w, pl_err *err)
{
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt) {
        pl_err_setc(err, PL_ERR_RESOURCES, "cannot create an XML parser");
        return -1;
    }
    /* Our per-parser handler below keeps the first error; the process-wide
     * one makes sure nothing libxml2 reports outside it is printed. */
    pl_xml_errors_begin();
    parse_state st = {.walk = w};
    ctxt->_private = &st;
    ctxt->sax->internalSubset = refuse_doctype;
    ctxt->sax->serror = keep_first_error;
    /* Elements come to us; no text or comment is kept anywhere. */
    ctxt->sax->startElementNs = on_start;
    ctxt->sax->endElementNs = on_end;
    ctxt->sax->characters = NULL;
    ctxt->sax->ignorableWhitespace = NULL;
    ctxt->sax->cdataBlock = NULL;
    ctxt->sax->comment = NULL;
    ctxt->sax->processingInstruction = NULL;
    /* The document node alone: freed at once, NULL when not well-formed. */
    xmlDoc *doc = xmlCtxtReadMemory(ctxt, (const char *)data, (int)len, NULL, NULL,
                                    PARSE_OPTIONS);
    int rc = 0;
    if (st.saw_doctype) {
        pl_err_setc(err, PL_ERR_UNSAFE, "a DOCTYPE declaration is not allowed in a package manifest");
        rc = -1;
    } else if (!doc) {
        set_xml_error(err, &st, xmlCtxtGetLastError(ctxt));
        rc = -1;
    }
    xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctxt);
    return rc;
}

/* What the walk found, checked in the order the tree walk checked it. */
static int finish_walk(mum_walk *w, pl_err *err)
{
    pl_mum *m = w->m;
    if (!w->root_is_assembly) {
        pl_err_setc(err, PL_ERR_CORRUPT, "no <assembly> root element");
        return -1;
    }
    if (!m->name) {
        pl_err_setc(err, PL_ERR_CORRUPT, "no <assemblyIdentity name=...> under <assembly>");
        return -1;
    }
    if (w->limit_msg[0]) {
        pl_err_setc(err, PL_ERR_LIMIT, "%s", w->limit_msg);
        return -1;
    }
    refs_finish(&w->parents, &m->parents);
    refs_finish(&w->children, &m->children);
    derive_kb(m);
    return 0;
}

int pl_mum_parse(const uint8_t *data, size_t len, pl_mum *out, pl_err *err)
{
    memset(out, 0, sizeof *out);
    /* Checked before libxml2 sees the buffer: len alone decides. */
    if (len > PL_MAX_MANIFEST_BYTES) {
        pl_err_setc(err, PL_ERR_LIMIT, "larger than %llu bytes", (unsigned long long)PL_MAX_MANIFEST_BYTES);
        return -1;
    }
    if (len == 0 || !data) {
        pl_err_setc(err, PL_ERR_CORRUPT, "not well-formed XML: line 1: document is empty");
        return -1;
    }
    mum_walk w = {.m = out};
    w.parents.what = "parent";
    w.children.what = "child";
    int rc = run_parser(data, len, &w, err);
    if (rc == 0)
        rc = finish_walk(&w, err);
    refs_free(&w.parents);
    refs_free(&w.children);
    if (rc != 0)
        pl_mum_free(out);
    return rc;
}

void pl_mum_free(pl_mum *m)
{
    if (!m)
        return;
    free(m->identity);
    free(m->name);
    free(m->version);
    free(m->arch);
    free(m->kb);
    free(m->package_identifier);
    free(m->release_type);
    free(m->restart);
    free(m->description);
    free(m->support_information);
    free(m->creation_time);
    pl_strlist_free(&m->parents);
    pl_strlist_free(&m->children);
    free(m->max_component_version);
    memset(m, 0, sizeof *m);
}
