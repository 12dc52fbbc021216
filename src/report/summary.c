/* The fleet summary: reduce each JSONL result line to what the summary
 * counts, keep the last line per input, then count. */
#include "report/summary.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/limits.h"

const char *const pl_summary_verdict_names[PL_SV_COUNT] = {
    "yes", "no", "inconsistent", "not-applicable", "unknown",
};

const char *const pl_summary_behind_names[PL_BEHIND_COUNT] = {
    "0", "1-6", "7-12", "13-24", ">24", PL_SUMMARY_UNDETERMINED,
};

const char *const pl_summary_channel_names[PL_SCH_COUNT] = {
    "public", "esu", "azure", "premium-assurance", PL_SUMMARY_UNDETERMINED,
};

const char *const pl_summary_step_names[PL_STEP_COUNT] = {
    "needs SSU", "needs SHA-2", "needs ESU licensing", "needs reboot",
    "current for its channel", PL_SUMMARY_UNDETERMINED,
};

/* json_tokener_get_parse_end appeared in json-c 0.15; configure accepts
 * 0.13, where the (since deprecated) struct member is the way. */
#if defined(JSON_C_VERSION_NUM) && JSON_C_VERSION_NUM >= ((0 << 16) | (15 << 8))
#define PARSE_END(tok) json_tokener_get_parse_end(tok)
#else
#define PARSE_END(tok) ((size_t)(tok)->char_offset)
#endif

/* ---- lifetime -------------------------------------------------------- */

/* SOURCE_DATE_EPOCH (reproducible-builds.org) when it is a valid time,
 * so that a summary of the same results can be made byte-identical. */
static int64_t summary_time(void)
{
    const char *env = getenv("SOURCE_DATE_EPOCH");
    if (env && *env) {
        char *end;
        errno = 0;
        long long t = strtoll(env, &end, 10);
        if (!errno && !*end && t >= 0 && t < 253402300800LL)   /* before year 10000 */
            return t;
    }
    return (int64_t)time(NULL);
}

void pl_summary_init(pl_summary *s)
{
    memset(s, 0, sizeof *s);
    s->summarized_at = summary_time();
}

static void inst_free(pl_summary_inst *in)
{
    free(in->location);
    free(in->product);
    free(in->edition);
    free(in->arch);
    free(in->rollup);
    free(in->computer);
    free(in->dns_hostname);
    free(in->domain);
    free(in->workgroup);
    for (size_t i = 0; i < in->nroles; i++)
        free(in->roles[i]);
    free(in->roles);
    free(in->next_step);
}

static void prov_free(pl_summary_prov *p)
{
    free(p->tool);
    free(p->libraries);
    free(p->options);
    free(p->catalog_path);
    free(p->catalog_sha256);
    free(p->catalog_newest);
}

static void input_free(pl_summary_input *in)
{
    for (size_t i = 0; i < in->ninsts; i++)
        inst_free(&in->insts[i]);
    free(in->insts);
    free(in->input);
    free(in->error);
    memset(in, 0, sizeof *in);
}

static void free_counts(pl_summary *s)
{
    free(s->months);
    free(s->sec_months);
    free(s->os);
    free(s->failures);
    free(s->lagging);
    free(s->role_groups);
    free(s->step_groups);
}

void pl_summary_free(pl_summary *s)
{
    for (size_t i = 0; i < s->ninputs; i++)
        input_free(&s->inputs[i]);
    free(s->inputs);
    free(s->slots);
    for (size_t i = 0; i < s->nprovs; i++)
        prov_free(&s->provs[i]);
    free(s->provs);
    free_counts(s);
    memset(s, 0, sizeof *s);
}

/* ---- the input index: last line wins ---------------------------------- */

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* The slot holding name, or the empty slot where it belongs. */
static size_t *slot_for(const pl_summary *s, const char *name)
{
    size_t mask = s->nslots - 1;
    for (size_t i = (size_t)fnv1a(name) & mask;; i = (i + 1) & mask) {
        size_t *slot = &s->slots[i];
        if (*slot == 0 || strcmp(s->inputs[*slot - 1].input, name) == 0)
            return slot;
    }
}

/* Keep the load under a half so probes stay short. */
static void index_grow(pl_summary *s)
{
    if (s->nslots && (s->ninputs + 1) * 2 <= s->nslots)
        return;
    free(s->slots);
    s->nslots = s->nslots ? s->nslots * 2 : 64;
    s->slots = pl_xcalloc(s->nslots, sizeof *s->slots);
    for (size_t i = 0; i < s->ninputs; i++)
        *slot_for(s, s->inputs[i].input) = i + 1;
}

/* Takes *in: replaces the earlier line of the same input, in its place,
 * or appends. */
static void keep_input(pl_summary *s, pl_summary_input *in)
{
    index_grow(s);
    size_t *slot = slot_for(s, in->input);
    if (*slot) {
        input_free(&s->inputs[*slot - 1]);
        s->inputs[*slot - 1] = *in;
        return;
    }
    if (s->ninputs == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->inputs = pl_xrealloc(s->inputs, s->cap * sizeof *s->inputs);
    }
    s->inputs[s->ninputs++] = *in;
    *slot = s->ninputs;
}

/* ---- reading one result ----------------------------------------------- */

static json_object *member(json_object *o, const char *key, json_type type)
{
    json_object *v = NULL;
    if (!o || !json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v))
        return NULL;
    return json_object_is_type(v, type) ? v : NULL;
}

static const char *str_member(json_object *o, const char *key)
{
    json_object *v = member(o, key, json_type_string);
    return v ? json_object_get_string(v) : NULL;
}

static int int_member(json_object *o, const char *key, int64_t *out)
{
    json_object *v = member(o, key, json_type_int);
    if (v)
        *out = json_object_get_int64(v);
    return v != NULL;
}

/* A copy of at most PL_MAX_RESULT_STRING bytes, cut on a UTF-8 character
 * boundary; NULL becomes dflt. */
static char *kept(const char *s, const char *dflt)
{
    if (!s)
        return pl_xstrdup(dflt);
    size_t n = strlen(s);
    if (n <= PL_MAX_RESULT_STRING)
        return pl_xstrdup(s);
    n = PL_MAX_RESULT_STRING;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return pl_xstrndup(s, n);
}

static char *joined(const pl_strlist *l, const char *sep)
{
    size_t n = 1;
    for (size_t i = 0; i < l->len; i++)
        n += strlen(l->items[i]) + strlen(sep);
    char *out = pl_xmalloc(n);
    out[0] = '\0';
    for (size_t i = 0; i < l->len; i++) {
        if (i)
            strcat(out, sep);
        strcat(out, l->items[i]);
    }
    return out;
}

/* "image 2 \"name\", gpt partition 3, Windows": how the text report
 * names where an installation is. */
static char *location_text(json_object *loc)
{
    pl_strlist parts = {0};
    int64_t n;
    if (int_member(loc, "wim_image", &n)) {
        const char *name = str_member(loc, "wim_image_name");
        char *k = kept(name, "");
        pl_strlist_pushf(&parts, name ? "image %lld \"%s\"" : "image %lld", (long long)n, k);
        free(k);
    }
    if (int_member(loc, "partition_number", &n)) {
        char *scheme = kept(str_member(loc, "partition_scheme"), "?");
        pl_strlist_pushf(&parts, "%s partition %lld", scheme, (long long)n);
        free(scheme);
    }
    const char *dir = str_member(loc, "windows_dir");
    json_object *null_dir = NULL;
    if (dir)
        pl_strlist_push_owned(&parts, kept(*dir ? dir : "(root)", ""));
    else if (loc && json_object_object_get_ex(loc, "windows_dir", &null_dir) && !null_dir)
        pl_strlist_push(&parts, "bare SOFTWARE hive");   /* the report's null */
    if (!parts.len)
        pl_strlist_push(&parts, "location unknown");
    char *out = joined(&parts, ", ");
    pl_strlist_free(&parts);
    return out;
}

static pl_summary_verdict verdict_of(const char *name)
{
    for (int v = 0; name && v < PL_SV_COUNT; v++)
        if (strcmp(name, pl_summary_verdict_names[v]) == 0)
            return (pl_summary_verdict)v;
    return PL_SV_UNKNOWN;
}

/* "YYYY-MM" from a "YYYY-MM-DD" release date; 0 if it is not one. */
static int month_of(const char *date, char out[8])
{
    static const char shape[] = "dddd-dd";
    if (!date || strlen(date) < 7)
        return 0;
    for (int i = 0; i < 7; i++) {
        int digit = date[i] >= '0' && date[i] <= '9';
        if (shape[i] == 'd' ? !digit : date[i] != '-')
            return 0;
    }
    int m = (date[5] - '0') * 10 + (date[6] - '0');
    if (m < 1 || m > 12)
        return 0;
    memcpy(out, date, 7);
    out[7] = '\0';
    return 1;
}

/* latest_rollup is null both when none is installed and when nothing was
 * concluded (not NT 6.0, no catalog); rollups_behind tells them apart:
 * a number only when the rollups were judged. */
static void rollup_fields(json_object *updates, pl_summary_inst *out)
{
    json_object *latest = member(updates, "latest_rollup", json_type_object);
    int64_t behind = -1;
    int judged = int_member(updates, "rollups_behind", &behind) && behind >= 0;
    out->behind = judged ? behind : -1;
    if (latest) {
        const char *date = str_member(latest, "release_date");
        char *kb = kept(str_member(latest, "kb"), "?");
        char *d = kept(date, "date unknown");
        out->rollup = pl_xasprintf("%s (%s)", kb, d);
        free(kb);
        free(d);
        month_of(date, out->month);
    } else if (judged) {
        out->rollup_none = 1;
        out->rollup = pl_xstrdup(PL_SUMMARY_NO_ROLLUP);
    } else {
        out->rollup = pl_xstrdup(PL_SUMMARY_UNDETERMINED);
    }
}

static int channel_of(json_object *channel)
{
    const char *name = str_member(channel, "name");
    for (int c = 0; name && c < PL_SCH_UNDETERMINED; c++)
        if (strcmp(name, pl_summary_channel_names[c]) == 0)
            return c;
    return PL_SCH_UNDETERMINED;
}

/* security_level: an object, or null; null is "none" only when the
 * rollups were judged (channel is an object then), else not determined. */
static void security_fields(json_object *updates, pl_summary_inst *out)
{
    json_object *level = member(updates, "security_level", json_type_object);
    json_object *channel = member(updates, "channel", json_type_object);
    out->channel = channel_of(channel);
    char m[8];
    if (level && month_of(str_member(level, "month"), m))
        snprintf(out->sec_month, sizeof out->sec_month, "%s", m);
    else if (level && month_of(str_member(level, "after"), m))
        snprintf(out->sec_month, sizeof out->sec_month, "after %s", m);
    else if (!level && channel)
        out->sec_none = 1;
}

/* The kinds of step in next_steps; null (not an array) is not determined. */
static unsigned step_bits(json_object *steps)
{
    if (!steps)
        return 1u << PL_STEP_UNDETERMINED;
    size_t n = json_object_array_length(steps);
    unsigned bits = n ? 0 : 1u << PL_STEP_CURRENT;
    for (size_t i = 0; i < n; i++) {
        json_object *st = json_object_array_get_idx(steps, i);
        const char *kind = str_member(st, "kind"), *action = str_member(st, "action");
        if (action && strcmp(action, "reboot") == 0)
            bits |= 1u << PL_STEP_REBOOT;
        else if (kind && strcmp(kind, "ssu") == 0)
            bits |= 1u << PL_STEP_SSU;
        else if (kind && strcmp(kind, "sha2") == 0)
            bits |= 1u << PL_STEP_SHA2;
        else if (kind && strcmp(kind, "esu-licensing") == 0)
            bits |= 1u << PL_STEP_ESU;
    }
    return bits;
}

/* A copy of a non-empty string, else NULL (an empty name is no name). */
static char *kept_or_null(const char *s)
{
    return s && *s ? kept(s, "") : NULL;
}

/* Whether o has key at all, whatever its value (null included). */
static int has_key(json_object *o, const char *key)
{
    return o && json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, key, NULL);
}

/* identity (results from issue 14 on); older results may hold only
 * os.computer_name. Absent keys are "not recorded", nulls "not
 * determined". */
static void identity_fields(json_object *o, json_object *os, pl_summary_inst *out)
{
    json_object *id = member(o, "identity", json_type_object);
    out->identity_rec = id ? PL_REC_VALUE : has_key(o, "identity") ? PL_REC_NULL : PL_REC_ABSENT;
    out->computer = kept_or_null(str_member(id, "computer_name"));
    if (!out->computer)
        out->computer = kept_or_null(str_member(os, "computer_name"));
    if (out->computer)
        out->computer_rec = PL_REC_VALUE;
    else
        out->computer_rec = out->identity_rec != PL_REC_ABSENT || has_key(os, "computer_name")
                                ? PL_REC_NULL : PL_REC_ABSENT;
    out->dns_hostname = kept_or_null(str_member(id, "dns_hostname"));
    out->domain = kept_or_null(str_member(id, "domain"));
    out->workgroup = kept_or_null(str_member(id, "workgroup"));
    const char *m = str_member(id, "membership");
    out->membership = !m                            ? PL_MEMBER_UNKNOWN
                      : strcmp(m, "domain") == 0    ? PL_MEMBER_DOMAIN
                      : strcmp(m, "workgroup") == 0 ? PL_MEMBER_WORKGROUP
                                                    : PL_MEMBER_UNKNOWN;
    json_object *dc = member(id, "domain_controller", json_type_boolean);
    out->domain_controller = dc ? json_object_get_boolean(dc) != 0 : -1;
}

/* A role's name: {"name": ...} as the report writes it, or a bare string. */
static const char *role_name(json_object *r)
{
    if (json_object_is_type(r, json_type_string))
        return json_object_get_string(r);
    return str_member(r, "name");
}

/* roles: a list (maybe empty: none found), null (not determined) or
 * absent (not recorded). Names are kept once each, at most
 * PL_SUMMARY_MAX_ROLES; the rest are counted. */
static void roles_fields(json_object *o, pl_summary_inst *out)
{
    json_object *roles = member(o, "roles", json_type_array);
    out->roles_rec = roles ? PL_REC_VALUE : has_key(o, "roles") ? PL_REC_NULL : PL_REC_ABSENT;
    size_t n = roles ? json_object_array_length(roles) : 0;
    for (size_t i = 0; i < n; i++) {
        const char *name = role_name(json_object_array_get_idx(roles, i));
        char *k = kept(name && *name ? name : "(unnamed)", "");
        int dup = 0;
        for (size_t r = 0; r < out->nroles && !dup; r++)
            dup = strcmp(out->roles[r], k) == 0;
        if (dup || out->nroles == PL_SUMMARY_MAX_ROLES) {
            out->roles_more += !dup;
            free(k);
            continue;
        }
        if (!out->roles)
            out->roles = pl_xcalloc(PL_SUMMARY_MAX_ROLES, sizeof *out->roles);
        out->roles[out->nroles++] = k;
    }
}

/* The first next step as the text report words it: "reboot", "install
 * KB5010452 (ssu)". */
static void first_step(json_object *steps, pl_summary_inst *out)
{
    out->nsteps = steps ? json_object_array_length(steps) : 0;
    if (!out->nsteps)
        return;
    json_object *st = json_object_array_get_idx(steps, 0);
    const char *kb = str_member(st, "kb"), *kind = str_member(st, "kind");
    char *action = kept(str_member(st, "action"), "?");
    char *k = kept(kb, "(KB unknown)");
    char *d = kept(kind, "");
    if (kb || kind)
        out->next_step = pl_xasprintf("%s %s%s%s%s", action, k, kind ? " (" : "", d, kind ? ")" : "");
    else
        out->next_step = pl_xstrdup(action);
    free(action);
    free(k);
    free(d);
}

static void reduce_inst(json_object *o, pl_summary_inst *out)
{
    memset(out, 0, sizeof *out);
    json_object *os = member(o, "os", json_type_object);
    json_object *b = member(o, "build6003", json_type_object);
    json_object *pending = member(o, "pending", json_type_object);
    out->location = location_text(member(o, "location", json_type_object));
    out->product = kept(str_member(os, "product_name"), "unknown");
    out->edition = kept(str_member(os, "edition_id"), "unknown");
    out->arch = kept(str_member(os, "arch"), "unknown");
    out->verdict = verdict_of(str_member(b, "verdict"));
    int64_t pb = 0;
    out->pending_6003 = int_member(b, "pending_build", &pb) && pb == 6003;
    /* null (or a result from before it could be null that lacks it) is
     * "not determined", never "not pending". */
    json_object *reboot = member(pending, "reboot_required", json_type_boolean);
    out->reboot_required = reboot ? json_object_get_boolean(reboot) != 0 : -1;
    json_object *updates = member(o, "updates", json_type_object);
    rollup_fields(updates, out);
    security_fields(updates, out);
    out->steps = step_bits(member(updates, "next_steps", json_type_array));
    first_step(member(updates, "next_steps", json_type_array), out);
    identity_fields(o, os, out);
    roles_fields(o, out);
    json_object *compat = member(o, "compat_6002", json_type_object);
    int64_t risks = 0;
    out->compat_risks = compat && int_member(compat, "risks", &risks) && risks >= 0 ? risks : -1;
}

/* The input's errors joined; the first few only, a hostile line may hold
 * a great many. */
static char *error_text(json_object *errors)
{
    enum { MAX_ERRORS = 8 };
    size_t n = errors ? json_object_array_length(errors) : 0;
    if (n == 0)
        return NULL;
    pl_strlist l = {0};
    for (size_t i = 0; i < n && i < MAX_ERRORS; i++) {
        json_object *e = json_object_array_get_idx(errors, i);
        const char *msg = json_object_is_type(e, json_type_string) ? json_object_get_string(e) : NULL;
        pl_strlist_push_owned(&l, kept(msg, "(not a string)"));
    }
    if (n > MAX_ERRORS)
        pl_strlist_pushf(&l, "and %zu more", n - MAX_ERRORS);
    char *out = joined(&l, "; ");
    pl_strlist_free(&l);
    return out;
}

static int reduce_input(json_object *o, pl_summary_input *out, pl_err *why)
{
    memset(out, 0, sizeof *out);
    const char *schema = str_member(o, "schema");
    const char *input = str_member(o, "input");
    if (!schema || strcmp(schema, "patchlevel/1") != 0) {
        pl_err_setc(why, PL_ERR_UNRECOGNIZED, "not a patchlevel/1 result (schema %s)", schema ? "differs" : "missing");
        return -1;
    }
    if (!input) {
        pl_err_setc(why, PL_ERR_CORRUPT, "a result without \"input\"");
        return -1;
    }
    json_object *insts = member(o, "installations", json_type_array);
    size_t len = insts ? json_object_array_length(insts) : 0, n = 0;
    for (size_t i = 0; i < len; i++)
        n += json_object_is_type(json_object_array_get_idx(insts, i), json_type_object);
    if (n > PL_MAX_RESULT_INSTALLATIONS) {
        pl_err_setc(why, PL_ERR_LIMIT, "more than %d installations in one result (PL_MAX_RESULT_INSTALLATIONS)",
                   PL_MAX_RESULT_INSTALLATIONS);
        return -1;
    }
    out->input = kept(input, "");
    out->error = error_text(member(o, "errors", json_type_array));
    out->insts = n ? pl_xcalloc(n, sizeof *out->insts) : NULL;
    out->ninsts = n;
    /* Only objects are installations: anything else in the array is noise. */
    for (size_t i = 0, k = 0; i < len; i++) {
        json_object *it = json_object_array_get_idx(insts, i);
        if (json_object_is_type(it, json_type_object))
            reduce_inst(it, &out->insts[k++]);
    }
    return 0;
}

/* ---- provenance ------------------------------------------------------- */

/* A one-line readable form of any JSON value, at most
 * PL_MAX_RESULT_STRING bytes: {"name": "patchlevel", "version": "0.9"}
 * reads "patchlevel 0.9", {"hivex": "1.3"} "hivex 1.3", lists are joined
 * with ", ", an empty list is "none". The shapes are the report's, but a
 * result is hostile: anything else is still shown, bounded in depth. */
typedef struct {
    char buf[PL_MAX_RESULT_STRING + 1];
    size_t len;
    const char *kv;     /* between a top-level key and its value */
} brief_buf;

static void brief_put(brief_buf *b, const char *s)
{
    size_t n = strlen(s), room = PL_MAX_RESULT_STRING - b->len;
    if (n > room)
        n = room;
    memcpy(b->buf + b->len, s, n);
    b->len += n;
    b->buf[b->len] = '\0';
}

static void brief_value(brief_buf *b, json_object *v, int depth);

static void brief_object(brief_buf *b, json_object *v, int depth)
{
    const char *name = str_member(v, "name"), *version = str_member(v, "version");
    if (name && version && json_object_object_length(v) == 2) {
        brief_put(b, name);
        brief_put(b, " ");
        brief_put(b, version);
        return;
    }
    int first = 1;
    json_object_object_foreach(v, key, val) {
        brief_put(b, first ? "" : ", ");
        brief_put(b, key);
        brief_put(b, depth ? "=" : b->kv);
        brief_value(b, val, depth + 1);
        first = 0;
    }
    if (first)
        brief_put(b, "none");
}

static void brief_value(brief_buf *b, json_object *v, int depth)
{
    if (depth > 4) {
        brief_put(b, "...");
        return;
    }
    switch (json_object_get_type(v)) {
    case json_type_null: brief_put(b, "null"); break;
    case json_type_string: brief_put(b, json_object_get_string(v)); break;
    case json_type_object:
        brief_put(b, depth ? "{" : "");
        brief_object(b, v, depth);
        brief_put(b, depth ? "}" : "");
        break;
    case json_type_array: {
        size_t n = json_object_array_length(v);
        if (!n) {
            brief_put(b, "none");
            break;
        }
        brief_put(b, depth ? "[" : "");
        for (size_t i = 0; i < n && b->len < PL_MAX_RESULT_STRING; i++) {
            brief_put(b, i ? ", " : "");
            brief_value(b, json_object_array_get_idx(v, i), depth + 1);
        }
        brief_put(b, depth ? "]" : "");
        break;
    }
    default: brief_put(b, json_object_get_string(v)); break;   /* numbers, booleans */
    }
}

/* The brief form of o's key, or NULL when o does not have it; kv goes
 * between the keys and values of an object ("hivex 1.3", "hash=false"). */
static char *brief_member(json_object *o, const char *key, const char *kv)
{
    json_object *v = NULL;
    if (!has_key(o, key))
        return NULL;
    json_object_object_get_ex(o, key, &v);
    brief_buf *b = pl_xmalloc(sizeof *b);
    b->len = 0;
    b->buf[0] = '\0';
    b->kv = kv;
    brief_value(b, v, 0);
    char *out = kept(b->buf, "");   /* cut on a character boundary */
    free(b);
    return out;
}

/* The catalog a result rests on: its top-level "catalog" (since results
 * carry it), else provenance.catalog. */
static void catalog_of(json_object *o, json_object *prov, pl_summary_prov *p)
{
    json_object *holder = has_key(o, "catalog") ? o : has_key(prov, "catalog") ? prov : NULL;
    json_object *c = member(holder, "catalog", json_type_object);
    p->catalog_rec = c ? PL_REC_VALUE : holder ? PL_REC_NULL : PL_REC_ABSENT;
    p->catalog_path = c ? kept_or_null(str_member(c, "path")) : NULL;
    p->catalog_sha256 = c ? kept_or_null(str_member(c, "sha256")) : NULL;
    p->catalog_newest = c ? kept_or_null(str_member(c, "newest")) : NULL;
}

static int same_str(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static int same_prov(const pl_summary_prov *a, const pl_summary_prov *b)
{
    return a->tool_rec == b->tool_rec && a->catalog_rec == b->catalog_rec &&
           same_str(a->tool, b->tool) && same_str(a->libraries, b->libraries) &&
           same_str(a->options, b->options) && same_str(a->catalog_path, b->catalog_path) &&
           same_str(a->catalog_sha256, b->catalog_sha256) &&
           same_str(a->catalog_newest, b->catalog_newest);
}

/* "YYYY-MM-DDTHH:MM:SS" and an optional "Z", else "". */
static void iso_copy(const char *t, char out[24])
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";
    out[0] = '\0';
    if (!t || strlen(t) < 19)
        return;
    for (int i = 0; i < 19; i++) {
        int digit = t[i] >= '0' && t[i] <= '9';
        if (shape[i] == 'd' ? !digit : t[i] != shape[i])
            return;
    }
    memcpy(out, t, 19);
    out[19] = t[19] == 'Z' ? 'Z' : '\0';
    out[20] = '\0';
}

/* The index + 1 of the result's provenance among the distinct ones seen
 * (added when new), or 0 past PL_SUMMARY_PROV_MAX. */
static size_t intern_prov(pl_summary *s, json_object *o, char analyzed_at[24])
{
    json_object *prov = member(o, "provenance", json_type_object);
    pl_summary_prov p = {0};
    p.tool_rec = prov && has_key(prov, "tool") ? PL_REC_VALUE
                 : has_key(o, "provenance")    ? PL_REC_NULL
                                               : PL_REC_ABSENT;
    p.tool = brief_member(prov, "tool", " ");
    p.libraries = brief_member(prov, "libraries", " ");
    p.options = brief_member(prov, "options", "=");
    catalog_of(o, prov, &p);
    iso_copy(str_member(prov, "analyzed_at"), analyzed_at);
    for (size_t i = 0; i < s->nprovs; i++)
        if (same_prov(&s->provs[i], &p)) {
            prov_free(&p);
            return i + 1;
        }
    if (s->nprovs == PL_SUMMARY_PROV_MAX) {
        prov_free(&p);
        return 0;
    }
    if (!s->provs)
        s->provs = pl_xcalloc(PL_SUMMARY_PROV_MAX, sizeof *s->provs);
    s->provs[s->nprovs++] = p;
    return s->nprovs;
}

/* ---- one line --------------------------------------------------------- */

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The object on the line, or NULL with why set. */
static json_object *parse_line(const char *line, size_t len, int complete, pl_err *why)
{
    if (memchr(line, '\0', len)) {
        pl_err_setc(why, PL_ERR_CORRUPT, "%s", complete ? "not JSON (a NUL byte)" : "truncated last line skipped");
        return NULL;
    }
    json_tokener *tok = json_tokener_new();
    json_object *o = json_tokener_parse_ex(tok, line, (int)len);
    enum json_tokener_error e = json_tokener_get_error(tok);
    size_t end = PARSE_END(tok);
    json_tokener_free(tok);
    while (o && end < len && is_space(line[end]))
        end++;
    if (o && end == len && json_object_is_type(o, json_type_object))
        return o;
    if (!complete)
        pl_err_setc(why, PL_ERR_TRUNCATED, "truncated last line skipped (a run stopped while writing it?)");
    else if (!o)
        pl_err_setc(why, PL_ERR_CORRUPT, "not valid JSON: %s", json_tokener_error_desc(e));
    else
        pl_err_setc(why, PL_ERR_CORRUPT, "not one JSON object");
    json_object_put(o);
    return NULL;
}

int pl_summary_add_line(pl_summary *s, const char *line, size_t len, int complete, pl_err *why)
{
    while (len > 0 && is_space(line[len - 1]))
        len--;
    while (len > 0 && is_space(*line)) {
        line++;
        len--;
    }
    if (len == 0)
        return 1;   /* a blank line (a doubled last newline): nothing to say */
    s->lines++;
    json_object *o = NULL;
    if (len > PL_MAX_RESULT_LINE_BYTES)
        pl_err_setc(why, PL_ERR_LIMIT, "line longer than %llu bytes (PL_MAX_RESULT_LINE_BYTES)",
                   (unsigned long long)PL_MAX_RESULT_LINE_BYTES);
    else
        o = parse_line(line, len, complete, why);
    pl_summary_input in;
    int used = o && reduce_input(o, &in, why) == 0;
    if (used)
        in.prov = intern_prov(s, o, in.analyzed_at);
    json_object_put(o);   /* in holds copies */
    if (!used) {
        s->lines_skipped++;
        return -1;
    }
    keep_input(s, &in);
    return 0;
}

void pl_summary_skip_line(pl_summary *s)
{
    s->lines++;
    s->lines_skipped++;
}

/* ---- counting --------------------------------------------------------- */

static int month_cmp(const void *a, const void *b)
{
    return strcmp(((const pl_summary_month *)a)->month, ((const pl_summary_month *)b)->month);
}

/* Sort the months seen (one entry per installation) and merge equal ones. */
static void merge_months(pl_summary_month *v, size_t *n)
{
    qsort(v, *n, sizeof *v, month_cmp);
    size_t out = 0;
    for (size_t i = 0; i < *n; i++) {
        if (out && strcmp(v[out - 1].month, v[i].month) == 0)
            v[out - 1].count++;
        else
            v[out++] = v[i];
    }
    *n = out;
}

static int os_key_cmp(const void *a, const void *b)
{
    const pl_summary_os *x = a, *y = b;
    int c = strcmp(x->product, y->product);
    if (!c)
        c = strcmp(x->edition, y->edition);
    return c ? c : strcmp(x->arch, y->arch);
}

static int os_count_cmp(const void *a, const void *b)
{
    const pl_summary_os *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return os_key_cmp(a, b);
}

static void merge_os(pl_summary *s)
{
    qsort(s->os, s->nos, sizeof *s->os, os_key_cmp);
    size_t out = 0;
    for (size_t i = 0; i < s->nos; i++) {
        if (out && os_key_cmp(&s->os[out - 1], &s->os[i]) == 0)
            s->os[out - 1].count++;
        else
            s->os[out++] = s->os[i];
    }
    s->nos = out;
    qsort(s->os, s->nos, sizeof *s->os, os_count_cmp);
}

static int behind_bucket(int64_t behind)
{
    if (behind < 0)
        return PL_BEHIND_UNDETERMINED;
    if (behind == 0)
        return PL_BEHIND_0;
    if (behind <= 6)
        return PL_BEHIND_1_6;
    if (behind <= 12)
        return PL_BEHIND_7_12;
    return behind <= 24 ? PL_BEHIND_13_24 : PL_BEHIND_OVER_24;
}

static void count_servicing(pl_summary *s, const pl_summary_inst *it)
{
    if (it->sec_month[0]) {
        memcpy(s->sec_months[s->nsec_months].month, it->sec_month, sizeof it->sec_month);
        s->sec_months[s->nsec_months++].count = 1;
    } else if (it->sec_none) {
        s->sec_none++;
    } else {
        s->sec_undetermined++;
    }
    s->channels[it->channel]++;
    for (int k = 0; k < PL_STEP_COUNT; k++)
        s->steps[k] += (it->steps >> k) & 1u;
}

static void count_inst(pl_summary *s, const pl_summary_input *in, const pl_summary_inst *it)
{
    s->installations++;
    s->verdicts[it->verdict]++;
    s->reboot_pending += it->reboot_required == 1;
    s->reboot_undetermined += it->reboot_required < 0;
    s->no_but_6003_pending += it->verdict == PL_SV_NO && it->pending_6003;
    s->compat_scanned += it->compat_risks >= 0;
    s->compat_with_risks += it->compat_risks > 0;
    if (it->month[0]) {
        memcpy(s->months[s->nmonths].month, it->month, sizeof it->month);
        s->months[s->nmonths++].count = 1;
    }
    else if (it->rollup_none)
        s->rollup_none++;
    else
        s->rollup_undetermined++;
    s->behind[behind_bucket(it->behind)]++;
    count_servicing(s, it);
    s->os[s->nos++] = (pl_summary_os){it->product, it->edition, it->arch, 1};
    /* Not at 6003: the NT 6.0 installations that are not (a 6.1 one
     * never will be, and is counted under not-applicable). */
    if (it->verdict == PL_SV_YES || it->verdict == PL_SV_NOT_APPLICABLE)
        return;
    if (s->nlagging_listed < PL_SUMMARY_LIST_MAX)
        s->lagging[s->nlagging_listed++] = (pl_summary_lagging){in, it};
    s->nlagging++;
}

static void count_input(pl_summary *s, const pl_summary_input *in)
{
    if (in->error) {
        s->failed++;
        if (s->nfailures_listed < PL_SUMMARY_LIST_MAX)
            s->failures[s->nfailures_listed++] = in;
    } else {
        s->analyzed++;
        s->no_installation += in->ninsts == 0;
    }
    for (size_t i = 0; i < in->ninsts; i++)
        count_inst(s, in, &in->insts[i]);
}

/* ---- grouped views and provenance counts ----------------------------- */

/* The labels of the groups that are not a name from a result: compared
 * by address, so that a role called "none found" is still a role. */
static const char role_none_found[] = PL_SUMMARY_NONE_FOUND;
static const char role_not_determined[] = PL_SUMMARY_UNDETERMINED;
static const char role_not_recorded[] = PL_SUMMARY_NOT_RECORDED;
#define STEP_CURRENT (pl_summary_step_names[PL_STEP_CURRENT])
#define STEP_UNDETERMINED (pl_summary_step_names[PL_STEP_UNDETERMINED])

static int label_cmp(const void *a, const void *b)
{
    return strcmp(((const pl_summary_group *)a)->label, ((const pl_summary_group *)b)->label);
}

static int group_count_cmp(const void *a, const void *b)
{
    const pl_summary_group *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->label, y->label);
}

/* v holds one entry per name seen (count 1): merge equal names, most
 * installations first, keep PL_SUMMARY_GROUP_MAX minus room for the
 * fixed groups, then append those that have installations. */
static size_t merge_groups(pl_summary_group *v, size_t n, const pl_summary_group *fixed,
                           size_t nfixed, size_t *other)
{
    qsort(v, n, sizeof *v, label_cmp);
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        if (out && strcmp(v[out - 1].label, v[i].label) == 0)
            v[out - 1].count++;
        else
            v[out++] = v[i];
    }
    qsort(v, out, sizeof *v, group_count_cmp);
    size_t room = PL_SUMMARY_GROUP_MAX - nfixed;
    *other = out > room ? out - room : 0;
    if (out > room)
        out = room;
    for (size_t i = 0; i < nfixed; i++)
        if (fixed[i].count)
            v[out++] = fixed[i];
    return out;
}

static void count_groups(pl_summary *s, size_t ninsts, size_t nroles)
{
    s->role_groups = pl_xcalloc(nroles + 4, sizeof *s->role_groups);
    s->step_groups = pl_xcalloc(ninsts + 3, sizeof *s->step_groups);
    pl_summary_group roles_fixed[3] = {{role_none_found, 0}, {role_not_determined, 0},
                                       {role_not_recorded, 0}};
    pl_summary_group steps_fixed[2] = {{STEP_CURRENT, 0}, {STEP_UNDETERMINED, 0}};
    size_t nr = 0, ns = 0;
    for (size_t i = 0; i < s->ninputs; i++)
        for (size_t k = 0; k < s->inputs[i].ninsts; k++) {
            const pl_summary_inst *it = &s->inputs[i].insts[k];
            for (size_t r = 0; r < it->nroles; r++)
                s->role_groups[nr++] = (pl_summary_group){it->roles[r], 1};
            for (int f = 0; f < 3; f++)
                roles_fixed[f].count += pl_summary_has_role(it, roles_fixed[f].label);
            if (it->next_step)
                s->step_groups[ns++] = (pl_summary_group){it->next_step, 1};
            for (int f = 0; f < 2; f++)
                steps_fixed[f].count += pl_summary_has_first_step(it, steps_fixed[f].label);
        }
    s->nrole_groups = merge_groups(s->role_groups, nr, roles_fixed, 3, &s->role_groups_other);
    s->nstep_groups = merge_groups(s->step_groups, ns, steps_fixed, 2, &s->step_groups_other);
}

/* How many inputs each provenance wrote, and when. */
static void count_provs(pl_summary *s)
{
    s->prov_other = 0;
    for (size_t i = 0; i < s->nprovs; i++) {
        s->provs[i].inputs = 0;
        s->provs[i].first_at[0] = s->provs[i].last_at[0] = '\0';
    }
    for (size_t i = 0; i < s->ninputs; i++) {
        const pl_summary_input *in = &s->inputs[i];
        if (!in->prov) {
            s->prov_other++;
            continue;
        }
        pl_summary_prov *p = &s->provs[in->prov - 1];
        p->inputs++;
        if (!in->analyzed_at[0])
            continue;
        if (!p->first_at[0] || strcmp(in->analyzed_at, p->first_at) < 0)
            memcpy(p->first_at, in->analyzed_at, sizeof p->first_at);
        if (strcmp(in->analyzed_at, p->last_at) > 0)
            memcpy(p->last_at, in->analyzed_at, sizeof p->last_at);
    }
}

void pl_summary_finish(pl_summary *s)
{
    free_counts(s);
    size_t ninsts = 0, nroles = 0;
    for (size_t i = 0; i < s->ninputs; i++) {
        ninsts += s->inputs[i].ninsts;
        for (size_t k = 0; k < s->inputs[i].ninsts; k++)
            nroles += s->inputs[i].insts[k].nroles;
    }
    size_t listed = s->ninputs < PL_SUMMARY_LIST_MAX ? s->ninputs : PL_SUMMARY_LIST_MAX;
    size_t lagging = ninsts < PL_SUMMARY_LIST_MAX ? ninsts : PL_SUMMARY_LIST_MAX;
    /* +1: calloc(0) may return NULL, and the writers index these freely. */
    s->months = pl_xcalloc(ninsts + 1, sizeof *s->months);
    s->sec_months = pl_xcalloc(ninsts + 1, sizeof *s->sec_months);
    s->os = pl_xcalloc(ninsts + 1, sizeof *s->os);
    s->failures = pl_xcalloc(listed + 1, sizeof *s->failures);
    s->lagging = pl_xcalloc(lagging + 1, sizeof *s->lagging);
    s->analyzed = s->failed = s->no_installation = s->installations = 0;
    s->reboot_pending = s->reboot_undetermined = s->no_but_6003_pending = s->rollup_none = s->rollup_undetermined = 0;
    s->compat_scanned = s->compat_with_risks = 0;
    s->nmonths = s->nos = s->nfailures_listed = s->nlagging = s->nlagging_listed = 0;
    memset(s->verdicts, 0, sizeof s->verdicts);
    memset(s->behind, 0, sizeof s->behind);
    s->nsec_months = s->sec_none = s->sec_undetermined = 0;
    memset(s->channels, 0, sizeof s->channels);
    memset(s->steps, 0, sizeof s->steps);
    for (size_t i = 0; i < s->ninputs; i++)
        count_input(s, &s->inputs[i]);
    merge_months(s->months, &s->nmonths);
    merge_months(s->sec_months, &s->nsec_months);
    merge_os(s);
    count_groups(s, ninsts, nroles);
    count_provs(s);
}

/* ---- writers ---------------------------------------------------------- */

int pl_summary_format_parse(const char *name, pl_summary_format *out)
{
    static const char *const names[] = {"text", "csv", "html", "json"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (strcmp(name, names[i]) == 0) {
            *out = (pl_summary_format)i;
            return 0;
        }
    return -1;
}

int pl_summary_write(FILE *out, const pl_summary *s, pl_summary_format fmt)
{
    switch (fmt) {
    case PL_SUMMARY_CSV: return pl_summary_write_csv(out, s);
    case PL_SUMMARY_HTML: return pl_summary_write_html(out, s);
    case PL_SUMMARY_JSON: return pl_summary_write_json(out, s);
    default: return pl_summary_write_text(out, s);
    }
}

size_t pl_summary_width(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* ---- what the writers show for one installation ---------------------- */

const char *pl_summary_unknown(pl_summary_recorded rec)
{
    return rec == PL_REC_ABSENT ? PL_SUMMARY_NOT_RECORDED : PL_SUMMARY_UNDETERMINED;
}

const char *pl_summary_verdict_text(const pl_summary_inst *it)
{
    if (it->verdict == PL_SV_NO && it->pending_6003)
        return "no (6003 pending)";
    return pl_summary_verdict_names[it->verdict];
}

const char *pl_summary_security_text(const pl_summary_inst *it)
{
    if (it->sec_month[0])
        return it->sec_month;
    if (it->sec_none)
        return "none";
    /* Results from before the security level: the newest rollup says
     * the most that is known. */
    return it->rollup;
}

char *pl_summary_domain_text(const pl_summary_inst *it)
{
    char *base = NULL;
    if (it->domain)
        base = pl_xstrdup(it->domain);
    else if (it->membership == PL_MEMBER_WORKGROUP)
        base = it->workgroup ? pl_xasprintf("%s (workgroup)", it->workgroup) : pl_xstrdup("workgroup");
    if (it->domain_controller != 1)
        return base;
    char *out = pl_xasprintf("%s%sdomain controller", base ? base : "", base ? ", " : "");
    free(base);
    return out;
}

char *pl_summary_roles_text(const pl_summary_inst *it)
{
    if (it->roles_rec != PL_REC_VALUE)
        return pl_xstrdup(pl_summary_unknown(it->roles_rec));
    if (!it->nroles && !it->roles_more)
        return pl_xstrdup(PL_SUMMARY_NONE_FOUND);
    pl_strlist l = {.items = it->roles, .len = it->nroles};
    char *names = joined(&l, ", ");
    if (!it->roles_more)
        return names;
    char *out = pl_xasprintf("%s (+%zu more)", names, it->roles_more);
    free(names);
    return out;
}

char *pl_summary_next_step_text(const pl_summary_inst *it)
{
    if (it->next_step && it->nsteps > 1)
        return pl_xasprintf("%s (+%zu more)", it->next_step, it->nsteps - 1);
    if (it->next_step)
        return pl_xstrdup(it->next_step);
    if (it->steps & (1u << PL_STEP_CURRENT))
        return pl_xstrdup("none: current for its channel");
    return pl_xstrdup(PL_SUMMARY_UNDETERMINED);
}

const char *pl_summary_reboot_text(const pl_summary_inst *it)
{
    return it->reboot_required < 0 ? PL_SUMMARY_UNDETERMINED : it->reboot_required ? "yes" : "no";
}

int pl_summary_has_role(const pl_summary_inst *it, const char *label)
{
    if (label == role_none_found)
        return it->roles_rec == PL_REC_VALUE && !it->nroles && !it->roles_more;
    if (label == role_not_determined)
        return it->roles_rec == PL_REC_NULL;
    if (label == role_not_recorded)
        return it->roles_rec == PL_REC_ABSENT;
    for (size_t r = 0; r < it->nroles; r++)
        if (strcmp(it->roles[r], label) == 0)
            return 1;
    return 0;
}

int pl_summary_has_first_step(const pl_summary_inst *it, const char *label)
{
    if (label == STEP_CURRENT)
        return !it->next_step && (it->steps & (1u << PL_STEP_CURRENT));
    if (label == STEP_UNDETERMINED)
        return !it->next_step && (it->steps & (1u << PL_STEP_UNDETERMINED));
    return it->next_step && strcmp(it->next_step, label) == 0;
}

void pl_summary_iso_time(int64_t t, char out[24])
{
    struct tm tm;
    time_t tt = (time_t)t;
    if (!gmtime_r(&tt, &tm) || !strftime(out, 24, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(out, 24, "%s", "unknown");
}
