/* Unit tests for src/evidence/mum.c, with manifests written inline. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "evidence/mum.h"
#include "util/limits.h"
#include "../check_main.h"

/* Shaped like a Server 2008 SP2 monthly rollup: asm.v3 namespace, the KB in
 * <package identifier>, a Foundation parent, component updates from both
 * the 6003 and the 6002 branch, and one child package reference. */
static const char rollup_mum[] =
    "<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"yes\"?>\r\n"
    "<assembly xmlns=\"urn:schemas-microsoft-com:asm.v3\" manifestVersion=\"1.0\""
    " description=\"Fix for KB4493471\" displayName=\"default\" company=\"Microsoft Corporation\""
    " copyright=\"Microsoft Corporation\" supportInformation=\"http://support.microsoft.com/?kbid=4493471\""
    " creationTimeStamp=\"2019-03-28T20:08:01Z\" lastUpdateTimeStamp=\"2019-03-28T20:08:01Z\">\r\n"
    "  <assemblyIdentity name=\"Package_for_KB4493471\" version=\"6.0.1.2\" language=\"neutral\""
    " processorArchitecture=\"amd64\" publicKeyToken=\"31bf3856ad364e35\"/>\r\n"
    "  <package identifier=\"KB4493471\" releaseType=\"Security Update\" restart=\"required\">\r\n"
    "    <parent buildCompare=\"EQ\" serviceCompare=\"GE\" integrate=\"separate\" disposition=\"detect\">\r\n"
    "      <assemblyIdentity name=\"Microsoft-Windows-Foundation-Package\" version=\"6.0.6001.18000\""
    " processorArchitecture=\"amd64\" language=\"neutral\" buildType=\"release\""
    " publicKeyToken=\"31bf3856ad364e35\" versionScope=\"nonSxS\"/>\r\n"
    "    </parent>\r\n"
    "    <installerAssembly name=\"Microsoft-Windows-ServicingStack\" version=\"6.0.0.0\""
    " language=\"neutral\" processorArchitecture=\"amd64\" versionScope=\"nonSxS\""
    " publicKeyToken=\"31bf3856ad364e35\"/>\r\n"
    "    <update name=\"4493471-1_neutral_GDR\">\r\n"
    "      <applicable disposition=\"staged\">\r\n"
    "        <updateComponent elevate=\"install\">\r\n"
    "          <assemblyIdentity name=\"Microsoft-Windows-OS-Kernel\" version=\"6.0.6003.20489\""
    " processorArchitecture=\"amd64\" language=\"neutral\" buildType=\"release\""
    " publicKeyToken=\"31bf3856ad364e35\" versionScope=\"nonSxS\"/>\r\n"
    "        </updateComponent>\r\n"
    "      </applicable>\r\n"
    "      <component>\r\n"
    "        <assemblyIdentity name=\"0f1e2d3c4b5a69788796a5b4c3d2e1f0\" version=\"6.0.6003.20489\""
    " processorArchitecture=\"amd64\" language=\"neutral\" buildType=\"release\""
    " publicKeyToken=\"31bf3856ad364e35\" versionScope=\"nonSxS\"/>\r\n"
    "      </component>\r\n"
    "    </update>\r\n"
    "    <update name=\"4493471-2_neutral_LDR\">\r\n"
    "      <component>\r\n"
    "        <assemblyIdentity name=\"Microsoft-Windows-Win32k\" version=\"6.0.6002.24565\""
    " processorArchitecture=\"amd64\" language=\"neutral\" buildType=\"release\""
    " publicKeyToken=\"31bf3856ad364e35\" versionScope=\"nonSxS\"/>\r\n"
    "      </component>\r\n"
    "    </update>\r\n"
    "    <update name=\"4493471-3_neutral_PACKAGE\">\r\n"
    "      <package integrate=\"hidden\">\r\n"
    "        <assemblyIdentity name=\"Package_1_for_KB4493471\" version=\"6.0.1.2\""
    " language=\"neutral\" processorArchitecture=\"amd64\" publicKeyToken=\"31bf3856ad364e35\"/>\r\n"
    "      </package>\r\n"
    "    </update>\r\n"
    "  </package>\r\n"
    "</assembly>\r\n";

/* Parse a NUL-terminated manifest; returns the rc and leaves *m / *err set. */
static int parse_str(const char *xml, pl_mum *m, pl_err *err)
{
    memset(err, 0, sizeof *err);
    return pl_mum_parse((const uint8_t *)xml, strlen(xml), m, err);
}

static void assert_all_null(const pl_mum *m)
{
    ck_assert_ptr_null(m->identity);
    ck_assert_ptr_null(m->name);
    ck_assert_ptr_null(m->version);
    ck_assert_ptr_null(m->arch);
    ck_assert_ptr_null(m->kb);
    ck_assert_ptr_null(m->package_identifier);
    ck_assert_ptr_null(m->release_type);
    ck_assert_ptr_null(m->restart);
    ck_assert_ptr_null(m->description);
    ck_assert_ptr_null(m->support_information);
    ck_assert_ptr_null(m->creation_time);
    ck_assert_uint_eq(m->parents.len, 0);
    ck_assert_uint_eq(m->children.len, 0);
    ck_assert_ptr_null(m->max_component_version);
}

START_TEST(test_rollup)
{
    pl_mum m;
    pl_err err;
    ck_assert_int_eq(parse_str(rollup_mum, &m, &err), 0);
    ck_assert_str_eq(m.identity, "Package_for_KB4493471~31bf3856ad364e35~amd64~~6.0.1.2");
    ck_assert_str_eq(m.name, "Package_for_KB4493471");
    ck_assert_str_eq(m.version, "6.0.1.2");
    ck_assert_str_eq(m.arch, "amd64");
    ck_assert_str_eq(m.kb, "KB4493471");
    ck_assert_str_eq(m.package_identifier, "KB4493471");
    ck_assert_str_eq(m.release_type, "Security Update");
    ck_assert_str_eq(m.restart, "required");
    ck_assert_str_eq(m.description, "Fix for KB4493471");
    ck_assert_str_eq(m.support_information, "http://support.microsoft.com/?kbid=4493471");
    ck_assert_str_eq(m.creation_time, "2019-03-28T20:08:01Z");
    ck_assert_uint_eq(m.parents.len, 1);
    ck_assert_str_eq(m.parents.items[0],
                     "Microsoft-Windows-Foundation-Package~31bf3856ad364e35~amd64~~6.0.6001.18000");
    ck_assert_uint_eq(m.children.len, 1);
    ck_assert_str_eq(m.children.items[0], "Package_1_for_KB4493471~31bf3856ad364e35~amd64~~6.0.1.2");
    ck_assert_str_eq(m.max_component_version, "6.0.6003.20489");
    pl_mum_free(&m);
    assert_all_null(&m);
}
END_TEST

START_TEST(test_kb_from_identifier_only)
{
    const char *xml =
        "<assembly xmlns=\"urn:schemas-microsoft-com:asm.v3\" manifestVersion=\"1.0\">"
        "<assemblyIdentity name=\"Microsoft-Windows-Some-Package\" version=\"6.0.1.0\""
        " language=\"neutral\" processorArchitecture=\"x86\" publicKeyToken=\"31bf3856ad364e35\"/>"
        "<package identifier=\"KB3118401_BF\" releaseType=\"Update\" restart=\"possible\"/>"
        "</assembly>";
    pl_mum m;
    pl_err err;
    ck_assert_int_eq(parse_str(xml, &m, &err), 0);
    ck_assert_str_eq(m.kb, "KB3118401");
    ck_assert_str_eq(m.package_identifier, "KB3118401_BF");
    ck_assert_ptr_null(m.description);
    ck_assert_ptr_null(m.max_component_version);
    pl_mum_free(&m);
}
END_TEST

START_TEST(test_kb_from_name_when_identifier_has_none)
{
    const char *xml =
        "<assembly xmlns=\"urn:schemas-microsoft-com:asm.v3\">"
        "<assemblyIdentity name=\"Package_for_KB960803\" version=\"6.0.1.0\""
        " language=\"neutral\" processorArchitecture=\"amd64\" publicKeyToken=\"31bf3856ad364e35\"/>"
        "<package identifier=\"Default\"/>"
        "</assembly>";
    pl_mum m;
    pl_err err;
    ck_assert_int_eq(parse_str(xml, &m, &err), 0);
    ck_assert_str_eq(m.kb, "KB960803");
    pl_mum_free(&m);
}
END_TEST

START_TEST(test_kb_from_support_information)
{
    const char *xml =
        "<assembly xmlns=\"urn:schemas-microsoft-com:asm.v3\""
        " supportInformation=\"http://support.microsoft.com/?kbid=948465\">"
        "<assemblyIdentity name=\"Microsoft-Windows-Foundation-Package\" version=\"6.0.6001.18000\""
        " language=\"neutral\" processorArchitecture=\"x86\" publicKeyToken=\"31bf3856ad364e35\"/>"
        "<package identifier=\"Foundation\"/>"
        "</assembly>";
    pl_mum m;
    pl_err err;
    ck_assert_int_eq(parse_str(xml, &m, &err), 0);
    ck_assert_str_eq(m.kb, "KB948465");
    pl_mum_free(&m);
}
END_TEST

START_TEST(test_no_kb_anywhere)
{
    const char *xml =
        "<assembly xmlns=\"urn:schemas-microsoft-com:asm.v3\""
        " supportInformation=\"http://support.microsoft.com/?kbid=12345678901\">"
        "<assemblyIdentity name=\"Microsoft-Windows-Foundation-Package\" version=\"6.0.6001.18000\""
        " language=\"neutral\" processorArchitecture=\"x86\" publicKeyToken=\"31bf3856ad364e35\"/>"
        "</assembly>";
    pl_mum m;
    pl_err err;
    ck_assert_int_eq(parse_str(xml, &m, &err), 0);
    ck_assert_ptr_null(m.kb);
    ck_assert_ptr_null(m.package_identifier);
    ck_assert_ptr_null(m.release_type);
    pl_mum_free(&m);
}
END_TEST

START_TEST(test_language)
{
    const char *neutral =
        "<assembly xmlns=\"urn:schemas-microsoft-com:asm.v3\">"
        "<assemblyIdentity name=\"P\" version=\"6.0.1.0\" language=\"neutral\""
        " processorArchitecture=\"x86\" publicKeyToken=\"31bf3856ad364e35\"/></assembly>";
    const char *en_us =
        "<assembly xmlns=\"urn:schemas-microsoft-com:asm.v3\">"
        "<assemblyIdentity name=\"P\" version=\"6.0.1.0\" language=\"en-US\""
        " processorArchitecture=\"x86\" publicKeyToken=\"31bf3856ad364e35\"/></assembly>";
    const char *missing =
        "<assembly xmlns=\"urn:schemas-microsoft-com:asm.v3\">"
        "<assemblyIdentity name=\"P\" version=\"6.0.1.0\""
        " processorArchitecture=\"x86\" publicKeyToken=\"31bf3856ad364e35\"/></assembly>";
    pl_mum m;
    pl_err err;
    ck_assert_int_eq(parse_str(neutral, &m, &err), 0);
    ck_assert_str_eq(m.identity, "P~31bf3856ad364e35~x86~~6.0.1.0");
    pl_mum_free(&m);
    ck_assert_int_eq(parse_str(en_us, &m, &err), 0);
    ck_assert_str_eq(m.identity, "P~31bf3856ad364e35~x86~en-US~6.0.1.0");
    pl_mum_free(&m);
    ck_assert_int_eq(parse_str(missing, &m, &err), 0);
    ck_assert_str_eq(m.identity, "P~31bf3856ad364e35~x86~~6.0.1.0");
    pl_mum_free(&m);
}
END_TEST

START_TEST(test_component_versions_numeric)
{
    /* 6.0.6002.10 > 6.0.6002.9 numerically; 10.x, 5.x, malformed and package
     * revisions (under <update><package>) never count. */
    const char *xml =
        "<assembly xmlns=\"urn:schemas-microsoft-com:asm.v3\">"
        "<assemblyIdentity name=\"P\" version=\"6.0.1.0\" processorArchitecture=\"x86\"/>"
        "<package identifier=\"KB1234567\"><update name=\"a\">"
        "<component><assemblyIdentity name=\"c1\" version=\"6.0.6002.9\"/></component>"
        "<component><assemblyIdentity name=\"c2\" version=\"6.0.6002.10\"/>"
        "<assemblyIdentity name=\"c3\" version=\"10.0.14393.0\"/>"
        "<assemblyIdentity name=\"c4\" version=\"6.0.6002.99x\"/>"
        "<assemblyIdentity name=\"c5\" version=\"6..1\"/>"
        "<assemblyIdentity name=\"c6\" version=\"5.2.3790.9999\"/></component>"
        "<package><assemblyIdentity name=\"Package_9\" version=\"6.9.1.0\"/></package>"
        "</update></package></assembly>";
    pl_mum m;
    pl_err err;
    ck_assert_int_eq(parse_str(xml, &m, &err), 0);
    ck_assert_str_eq(m.max_component_version, "6.0.6002.10");
    ck_assert_uint_eq(m.children.len, 1);
    ck_assert_str_eq(m.children.items[0], "Package_9~~~~6.9.1.0");
    pl_mum_free(&m);
}
END_TEST

START_TEST(test_duplicate_references_listed_once)
{
    const char *xml =
        "<assembly xmlns=\"urn:schemas-microsoft-com:asm.v3\">"
        "<assemblyIdentity name=\"P\" version=\"6.0.1.0\"/>"
        "<package><parent><assemblyIdentity name=\"F\" version=\"1\"/>"
        "<assemblyIdentity name=\"F\" version=\"1\"/><assemblyIdentity name=\"G\" version=\"1\"/>"
        "</parent>"
        "<update><package><assemblyIdentity name=\"C\" version=\"1\"/></package></update>"
        "<update><package><assemblyIdentity name=\"C\" version=\"1\"/></package></update>"
        "</package></assembly>";
    pl_mum m;
    pl_err err;
    ck_assert_int_eq(parse_str(xml, &m, &err), 0);
    ck_assert_uint_eq(m.parents.len, 2);
    ck_assert_uint_eq(m.children.len, 1);
    pl_mum_free(&m);
}
END_TEST

START_TEST(test_prefixed_root_namespace)
{
    /* Any namespace and any prefix: elements match by local name. */
    const char *xml =
        "<asm:assembly xmlns:asm=\"urn:schemas-microsoft-com:asm.v3\">"
        "<asm:assemblyIdentity name=\"Package_for_KB960803\" version=\"6.0.1.0\"/>"
        "</asm:assembly>";
    pl_mum m;
    pl_err err;
    ck_assert_int_eq(parse_str(xml, &m, &err), 0);
    ck_assert_str_eq(m.name, "Package_for_KB960803");
    pl_mum_free(&m);
}
END_TEST

START_TEST(test_not_well_formed)
{
    const char *xml =
        "<assembly xmlns=\"urn:schemas-microsoft-com:asm.v3\">\n"
        "<assemblyIdentity name=\"P\" version=\"6.0.1.0\">\n"
        "</assembly>\n";
    pl_mum m;
    pl_err err;
    ck_assert_int_eq(parse_str(xml, &m, &err), -1);
    ck_assert_msg(strncmp(err.msg, "not well-formed XML: line 3: ", 29) == 0, "%s", err.msg);
    ck_assert_ptr_null(strchr(err.msg, '\n'));
    assert_all_null(&m);
}
END_TEST

START_TEST(test_wrong_root)
{
    pl_mum m;
    pl_err err;
    ck_assert_int_eq(parse_str("<assemblies><assembly/></assemblies>", &m, &err), -1);
    ck_assert_str_eq(err.msg, "no <assembly> root element");
    /* Case matters: Microsoft writes "assembly". */
    ck_assert_int_eq(parse_str("<Assembly/>", &m, &err), -1);
    ck_assert_str_eq(err.msg, "no <assembly> root element");
    assert_all_null(&m);
}
END_TEST

START_TEST(test_missing_identity)
{
    pl_mum m;
    pl_err err;
    ck_assert_int_eq(parse_str("<assembly><package identifier=\"KB123456\"/></assembly>", &m, &err), -1);
    ck_assert_msg(strstr(err.msg, "assemblyIdentity") != NULL, "%s", err.msg);
    assert_all_null(&m);
}
END_TEST

START_TEST(test_empty_input)
{
    pl_mum m;
    pl_err err;
    ck_assert_int_eq(pl_mum_parse((const uint8_t *)"", 0, &m, &err), -1);
    ck_assert_msg(strstr(err.msg, "empty") != NULL, "%s", err.msg);
    ck_assert_int_eq(pl_mum_parse(NULL, 0, &m, &err), -1);
    assert_all_null(&m);
    /* Whitespace only is as empty as nothing. */
    ck_assert_int_eq(parse_str("  \r\n", &m, &err), -1);
    ck_assert_msg(strncmp(err.msg, "not well-formed XML: line ", 26) == 0, "%s", err.msg);
}
END_TEST

/* Build "<assembly>...<update>" + body + "</update>...</assembly>". */
static char *wrap_update(const char *body)
{
    static const char head[] =
        "<assembly><assemblyIdentity name=\"P\" version=\"6.0.1.0\"/><package><update>";
    static const char tail[] = "</update></package></assembly>";
    size_t n = strlen(head) + strlen(body) + strlen(tail) + 1;
    char *s = malloc(n);
    ck_assert_ptr_nonnull(s);
    snprintf(s, n, "%s%s%s", head, body, tail);
    return s;
}

START_TEST(test_deep_nesting_bounded)
{
    /* A component 200 levels below <update>: libxml2 accepts the depth, our
     * walk stops long before it and ignores what lies deeper. */
    enum { LEVELS = 200 };
    char *body = malloc(LEVELS * 7 + 128);
    ck_assert_ptr_nonnull(body);
    size_t o = 0;
    for (int i = 0; i < LEVELS; i++)
        o += (size_t)sprintf(body + o, "<x>");
    o += (size_t)sprintf(body + o, "<component><assemblyIdentity version=\"6.0.6003.1\"/></component>");
    for (int i = 0; i < LEVELS; i++)
        o += (size_t)sprintf(body + o, "</x>");
    char *xml = wrap_update(body);
    pl_mum m;
    pl_err err;
    ck_assert_int_eq(parse_str(xml, &m, &err), 0);
    ck_assert_ptr_null(m.max_component_version);
    pl_mum_free(&m);
    free(xml);
    free(body);
}
END_TEST

START_TEST(test_too_many_children)
{
    /* More child references than the cap is an error naming the limit. */
    enum { REFS = 10001 };
    size_t cap = (size_t)REFS * 64 + 1;
    char *body = malloc(cap);
    ck_assert_ptr_nonnull(body);
    size_t o = 0;
    for (int i = 0; i < REFS; i++)
        o += (size_t)snprintf(body + o, cap - o,
                              "<package><assemblyIdentity name=\"C%d\"/></package>",
                              i % 2 ? 0 : i);   /* duplicates count too */
    char *xml = wrap_update(body);
    pl_mum m;
    pl_err err;
    ck_assert_int_eq(parse_str(xml, &m, &err), -1);
    ck_assert_msg(strstr(err.msg, "more than 10000 child package references") != NULL, "%s", err.msg);
    assert_all_null(&m);
    free(xml);
    free(body);
}
END_TEST

START_TEST(test_predefined_entities_and_char_refs)
{
    /* These need no DTD and must come out decoded. */
    const char *xml =
        "<assembly description=\"A &amp; B &lt;&#65;&#x42;&gt;\">"
        "<assemblyIdentity name=\"P\" version=\"6.0.1.0\"/></assembly>";
    pl_mum m;
    pl_err err;
    ck_assert_int_eq(parse_str(xml, &m, &err), 0);
    ck_assert_str_eq(m.description, "A & B <AB>");
    pl_mum_free(&m);
}
END_TEST

START_TEST(test_errors_are_not_printed)
{
    /* libxml2 must not write to stderr: the CLI owns the terminal. */
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    FILE *capture = tmpfile();
    ck_assert_ptr_nonnull(capture);
    dup2(fileno(capture), STDERR_FILENO);
    const char *bad[] = {"<assembly><x></assembly>", "<assembly>&x;</assembly>",
                         "<!DOCTYPE a [<!ENTITY x \"y\">]><assembly/>",
                         "<?xml version=\"1.0\" encoding=\"bogus\"?><assembly/>"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        pl_mum m;
        pl_err err;
        ck_assert_int_eq(parse_str(bad[i], &m, &err), -1);
    }
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    ck_assert_int_eq(fseek(capture, 0, SEEK_END), 0);
    ck_assert_int_eq(ftell(capture), 0);
    fclose(capture);
}
END_TEST

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Assert no string field of m contains needle. */
static void assert_nowhere(const pl_mum *m, const char *needle)
{
    const char *fields[] = {m->identity, m->name, m->version, m->arch, m->kb,
                            m->package_identifier, m->release_type, m->restart,
                            m->description, m->support_information, m->creation_time,
                            m->max_component_version};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        ck_assert_msg(!fields[i] || !strstr(fields[i], needle), "field %zu leaked", i);
    for (size_t i = 0; i < m->parents.len; i++)
        ck_assert_ptr_null(strstr(m->parents.items[i], needle));
    for (size_t i = 0; i < m->children.len; i++)
        ck_assert_ptr_null(strstr(m->children.items[i], needle));
}

START_TEST(test_billion_laughs)
{
    const char *xml =
        "<?xml version=\"1.0\"?>\n"
        "<!DOCTYPE assembly [\n"
        " <!ENTITY lol \"lol\">\n"
        " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
        " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
        " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
        " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
        " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
        " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
        " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
        " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
        " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
        "]>\n"
        "<assembly description=\"&lol9;\">"
        "<assemblyIdentity name=\"&lol9;\" version=\"6.0.1.0\"/>"
        "<package identifier=\"&lol9;\">&lol9;</package></assembly>\n";
    pl_mum m;
    pl_err err;
    double t0 = now_seconds();
    int rc = parse_str(xml, &m, &err);
    double elapsed = now_seconds() - t0;
    ck_assert_msg(elapsed < 2.0, "took %.2f s", elapsed);
    if (rc == 0) {
        assert_nowhere(&m, "lollol");
        pl_mum_free(&m);
    } else {
        ck_assert_ptr_null(strstr(err.msg, "lollol"));
        assert_all_null(&m);
    }
}
END_TEST

START_TEST(test_external_entity)
{
    const char *xml =
        "<?xml version=\"1.0\"?>\n"
        "<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
        "<assembly description=\"before\">"
        "<assemblyIdentity name=\"Package_for_KB123456\" version=\"6.0.1.0\"/>"
        "<package identifier=\"KB123456\" releaseType=\"&x;\">&x;</package></assembly>\n";
    pl_mum m;
    pl_err err;
    int rc = parse_str(xml, &m, &err);
    if (rc == 0) {
        assert_nowhere(&m, "root:");
        pl_mum_free(&m);
    } else {
        ck_assert_ptr_null(strstr(err.msg, "root:"));
        assert_all_null(&m);
    }
}
END_TEST

START_TEST(test_external_dtd)
{
    /* An external subset must not be fetched (NONET, no DTDLOAD). */
    const char *xml =
        "<?xml version=\"1.0\"?>\n"
        "<!DOCTYPE assembly SYSTEM \"http://127.0.0.1:9/evil.dtd\">\n"
        "<assembly><assemblyIdentity name=\"P\" version=\"6.0.1.0\"/></assembly>\n";
    pl_mum m;
    pl_err err;
    double t0 = now_seconds();
    int rc = parse_str(xml, &m, &err);
    ck_assert_msg(now_seconds() - t0 < 2.0, "slow: network?");
    if (rc == 0)
        pl_mum_free(&m);
}
END_TEST

START_TEST(test_undeclared_entity)
{
    /* Without a DTD an entity reference is a well-formedness error. */
    pl_mum m;
    pl_err err;
    ck_assert_int_eq(parse_str("<assembly description=\"&x;\">"
                               "<assemblyIdentity name=\"P\"/></assembly>",
                               &m, &err), -1);
    ck_assert_msg(strncmp(err.msg, "not well-formed XML: line 1: ", 29) == 0, "%s", err.msg);
}
END_TEST

/* ASCII text as UTF-16LE with a byte-order mark. Caller frees. */
static uint8_t *to_utf16le_bom(const char *s, size_t *len)
{
    size_t n = strlen(s);
    uint8_t *b = malloc(2 + 2 * n);
    ck_assert_ptr_nonnull(b);
    b[0] = 0xFF;
    b[1] = 0xFE;
    for (size_t i = 0; i < n; i++) {
        b[2 + 2 * i] = (uint8_t)s[i];
        b[3 + 2 * i] = 0;
    }
    *len = 2 + 2 * n;
    return b;
}

START_TEST(test_utf16le_bom)
{
    size_t len;
    uint8_t *buf = to_utf16le_bom(
        "<?xml version=\"1.0\" encoding=\"utf-16\"?>\r\n"
        "<assembly xmlns=\"urn:schemas-microsoft-com:asm.v3\" manifestVersion=\"1.0\">\r\n"
        "<assemblyIdentity name=\"Package_for_KB958690_sc_0\" version=\"6.0.1.6\""
        " language=\"neutral\" processorArchitecture=\"amd64\" publicKeyToken=\"31bf3856ad364e35\"/>\r\n"
        "<package identifier=\"KB958690\" releaseType=\"Hotfix\"/>\r\n"
        "</assembly>\r\n", &len);
    pl_mum m;
    pl_err err;
    ck_assert_int_eq(pl_mum_parse(buf, len, &m, &err), 0);
    ck_assert_str_eq(m.identity, "Package_for_KB958690_sc_0~31bf3856ad364e35~amd64~~6.0.1.6");
    ck_assert_str_eq(m.kb, "KB958690");
    ck_assert_str_eq(m.release_type, "Hotfix");
    pl_mum_free(&m);
    free(buf);
}
END_TEST

START_TEST(test_oversized_rejected_before_reading)
{
    /* Only 16 bytes exist: a parser that read past them would trip ASan. */
    static const uint8_t small[16] = "<assembly/>";
    pl_mum m;
    pl_err err;
    ck_assert_int_eq(pl_mum_parse(small, (size_t)PL_MAX_MANIFEST_BYTES + 1, &m, &err), -1);
    ck_assert_msg(strstr(err.msg, "larger than") != NULL, "%s", err.msg);
    ck_assert_int_eq(pl_mum_parse(small, SIZE_MAX, &m, &err), -1);
    assert_all_null(&m);
}
END_TEST

START_TEST(test_free_zeroed)
{
    pl_mum m;
    memset(&m, 0, sizeof m);
    pl_mum_free(&m);
    pl_mum_free(NULL);
}
END_TEST

static Suite *mum_suite(void)
{
    Suite *s = suite_create("mum");
    TCase *ok = tcase_create("fields");
    tcase_add_test(ok, test_rollup);
    tcase_add_test(ok, test_kb_from_identifier_only);
    tcase_add_test(ok, test_kb_from_name_when_identifier_has_none);
    tcase_add_test(ok, test_kb_from_support_information);
    tcase_add_test(ok, test_no_kb_anywhere);
    tcase_add_test(ok, test_language);
    tcase_add_test(ok, test_component_versions_numeric);
    tcase_add_test(ok, test_duplicate_references_listed_once);
    tcase_add_test(ok, test_prefixed_root_namespace);
    tcase_add_test(ok, test_utf16le_bom);
    tcase_add_test(ok, test_free_zeroed);
    tcase_add_test(ok, test_predefined_entities_and_char_refs);
    suite_add_tcase(s, ok);

    TCase *bad = tcase_create("hostile");
    tcase_add_test(bad, test_not_well_formed);
    tcase_add_test(bad, test_wrong_root);
    tcase_add_test(bad, test_missing_identity);
    tcase_add_test(bad, test_empty_input);
    tcase_add_test(bad, test_billion_laughs);
    tcase_add_test(bad, test_external_entity);
    tcase_add_test(bad, test_external_dtd);
    tcase_add_test(bad, test_undeclared_entity);
    tcase_add_test(bad, test_oversized_rejected_before_reading);
    tcase_add_test(bad, test_deep_nesting_bounded);
    tcase_add_test(bad, test_too_many_children);
    tcase_add_test(bad, test_errors_are_not_printed);
    suite_add_tcase(s, bad);
    return s;
}

int main(void)
{
    return pl_run_suite(mum_suite());
}
