/* CBS package manifests (.mum) with libxml2. See mum.h.
 *
 * Safety: the parser runs with XML_PARSE_NONET and without NOENT, DTDLOAD
 * or HUGE, so nothing is fetched and entities are not substituted. On top
 * of that a document type declaration stops the parse at once: Microsoft
 * manifests never carry one, and refusing it means entity declarations are
 * never even parsed (no billion laughs, no external entities). Attribute
 * values are read from their text nodes only, never by expanding entity
 * references the way xmlGetProp would. */
#include "evidence/mum.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
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

/* NOBLANKS and COMPACT: fewer and smaller text nodes (we read elements and
 * attributes only): 16% fewer instructions over the 8,017 manifests of
 * bench/bench-server.sh, a fifth of them in malloc. */
#define PARSE_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | \
                       XML_PARSE_NOBLANKS | XML_PARSE_COMPACT)

/* ---- small tree helpers ---- */

static int is_elem(const xmlNode *n, const char *local)
{
    return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, local) == 0;
}

static xmlNode *first_child_elem(const xmlNode *parent, const char *local)
{
    for (xmlNode *c = parent->children; c; c = c->next)
        if (is_elem(c, local))
            return c;
    return NULL;
}

/* Text of an unprefixed attribute, concatenating its text nodes only so an
 * entity reference is never expanded. Returns a malloc'd string or NULL. */
static char *attr_text(const xmlNode *n, const char *local)
{
    for (const xmlAttr *a = n->properties; a; a = a->next) {
        if (a->ns || strcmp((const char *)a->name, local) != 0)
            continue;
        size_t len = 0;
        for (const xmlNode *t = a->children; t; t = t->next)
            if (t->type == XML_TEXT_NODE && t->content)
                len += strlen((const char *)t->content);
        char *s = pl_xmalloc(len + 1);
        size_t o = 0;
        for (const xmlNode *t = a->children; t; t = t->next)
            if (t->type == XML_TEXT_NODE && t->content) {
                size_t l = strlen((const char *)t->content);
                memcpy(s + o, t->content, l);
                o += l;
            }
        s[o] = '\0';
        return s;
    }
    return NULL;
}

/* The CBS identity string of an <assemblyIdentity> element. */
static char *identity_of(const xmlNode *ai)
{
    char *name = attr_text(ai, "name");
    char *pkt = attr_text(ai, "publicKeyToken");
    char *arch = attr_text(ai, "processorArchitecture");
    char *lang = attr_text(ai, "language");
    char *ver = attr_text(ai, "version");
    char *id = pl_cbs_identity_format(name, pkt, arch, lang, ver);
    free(name);
    free(pkt);
    free(arch);
    free(lang);
    free(ver);
    return id;
}

/* A reference list being filled, with the number of references examined:
 * duplicates do not grow the list, so the cap counts what was examined.
 * Duplicates are found in a hashed set: a scan of the list per reference
 * was 5*10^7 comparisons for one manifest at the cap. */
typedef struct {
    pl_strlist *list;
    size_t seen;
    const char *what;   /* "parent" or "child", for the error */
    pl_strset ids;      /* what list holds */
} ref_list;

/* Add the identities of parent's <assemblyIdentity> children to refs. */
static int collect_identities(const xmlNode *parent, ref_list *refs, pl_err *err)
{
    for (xmlNode *c = parent->children; c; c = c->next) {
        if (!is_elem(c, "assemblyIdentity"))
            continue;
        if (++refs->seen > MUM_MAX_REFS) {
            pl_err_setc(err, PL_ERR_LIMIT, "more than %d %s package references", MUM_MAX_REFS, refs->what);
            return -1;
        }
        char *id = identity_of(c);
        if (pl_strset_add(&refs->ids, id))
            pl_strlist_push_owned(refs->list, id);
        else
            free(id);
    }
    return 0;
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

static void consider_component_versions(const xmlNode *holder, pl_mum *m)
{
    for (xmlNode *c = holder->children; c; c = c->next) {
        if (!is_elem(c, "assemblyIdentity"))
            continue;
        char *v = attr_text(c, "version");
        if (is_6x_version(v) &&
            (!m->max_component_version || version_cmp(v, m->max_component_version) > 0)) {
            free(m->max_component_version);
            m->max_component_version = v;
            v = NULL;
        }
        free(v);
    }
}

/* ---- the <update> walk ---- */

/* Inside <update>: <package> elements name child packages, <component> and
 * <updateComponent> name WinSxS components. Bounded by depth; siblings are
 * bounded by the document size. */
static int walk_update(const xmlNode *n, int depth, ref_list *children, pl_mum *m,
                       pl_err *err)
{
    if (depth > MUM_MAX_WALK_DEPTH)
        return 0;   /* deeper than any real manifest: ignore, do not fail */
    for (xmlNode *c = n->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (is_elem(c, "package")) {
            if (collect_identities(c, children, err) != 0)
                return -1;
        } else if (is_elem(c, "component") || is_elem(c, "updateComponent")) {
            consider_component_versions(c, m);
        }
        if (walk_update(c, depth + 1, children, m, err) != 0)
            return -1;
    }
    return 0;
}

/* The <parent> and <update> children of <package>. */
static int read_package_refs(const xmlNode *pkg, ref_list *parents, ref_list *children,
                             pl_mum *m, pl_err *err)
{
    for (xmlNode *c = pkg->children; c; c = c->next) {
        if (is_elem(c, "parent")) {
            if (collect_identities(c, parents, err) != 0)
                return -1;
        } else if (is_elem(c, "update")) {
            if (walk_update(c, 1, children, m, err) != 0)
                return -1;
        }
    }
    return 0;
}

/* <package identifier releaseType restart> with its <parent> and <update>
 * children. */
static int read_package(const xmlNode *pkg, pl_mum *m, pl_err *err)
{
    m->package_identifier = attr_text(pkg, "identifier");
    m->release_type = attr_text(pkg, "releaseType");
    m->restart = attr_text(pkg, "restart");
    ref_list parents = {&m->parents, 0, "parent", {0}};
    ref_list children = {&m->children, 0, "child", {0}};
    int rc = read_package_refs(pkg, &parents, &children, m, err);
    pl_strset_free(&parents.ids);
    pl_strset_free(&children.ids);
    return rc;
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

static int read_assembly(const xmlNode *root, pl_mum *m, pl_err *err)
{
    const xmlNode *ai = first_child_elem(root, "assemblyIdentity");
    char *name = ai ? attr_text(ai, "name") : NULL;
    if (!name) {
        pl_err_setc(err, PL_ERR_CORRUPT, "no <assemblyIdentity name=...> under <assembly>");
        return -1;
    }
    m->name = name;
    m->identity = identity_of(ai);
    m->version = attr_text(ai, "version");
    m->arch = attr_text(ai, "processorArchitecture");
    m->description = attr_text(root, "description");
    m->support_information = attr_text(root, "supportInformation");
    m->creation_time = attr_text(root, "creationTimeStamp");
    const xmlNode *pkg = first_child_elem(root, "package");
    if (pkg && read_package(pkg, m, err) != 0)
        return -1;
    derive_kb(m);
    return 0;
}

/* ---- parsing ---- */

/* What the parser callbacks saw; reached through ctxt->_private. */
typedef struct {
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

/* Parse to a tree, or NULL with err set. */
static xmlDoc *read_xml(const uint8_t *data, size_t len, pl_err *err)
{
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt) {
        pl_err_setc(err, PL_ERR_RESOURCES, "cannot create an XML parser");
        return NULL;
    }
    /* Our per-parser handler below keeps the first error; the process-wide
     * one makes sure nothing libxml2 reports outside it is printed. */
    pl_xml_errors_begin();
    parse_state st = {0};
    ctxt->_private = &st;
    ctxt->sax->internalSubset = refuse_doctype;
    ctxt->sax->serror = keep_first_error;
    xmlDoc *doc = xmlCtxtReadMemory(ctxt, (const char *)data, (int)len, NULL, NULL,
                                    PARSE_OPTIONS);
    if (st.saw_doctype) {
        /* xmlStopParser may leave a partial tree behind; never use it. */
        xmlFreeDoc(doc);
        doc = NULL;
        pl_err_setc(err, PL_ERR_UNSAFE, "a DOCTYPE declaration is not allowed in a package manifest");
    } else if (!doc) {
        set_xml_error(err, &st, xmlCtxtGetLastError(ctxt));
    }
    xmlFreeParserCtxt(ctxt);
    return doc;
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
    xmlDoc *doc = read_xml(data, len, err);
    if (!doc)
        return -1;
    const xmlNode *root = xmlDocGetRootElement(doc);
    int rc = -1;
    if (!is_elem(root, "assembly"))
        pl_err_setc(err, PL_ERR_CORRUPT, "no <assembly> root element");
    else
        rc = read_assembly(root, out, err);
    xmlFreeDoc(doc);
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
