/* Faults: damaged .mum manifests in an installation (a copy of the good
 * tree with Package_for_KB3139398's manifest replaced): not XML, over the
 * 16 MiB limit (a sparse file made here), and declaring external entities,
 * which must never be fetched or expanded. Each is a warning naming the
 * manifest; the package is still reported from the registry (its KB from
 * its name). */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../check_main.h"
#include "faults.h"

#define MUM_REL                                                                               \
    "WINDOWS/Servicing/packages/Package_for_KB3139398~31bf3856ad364e35~amd64~~6.0.1.1.mum"
#define WARN_HEAD "manifest " MUM_REL ": "

/* A copy of the good tree; *mum gets the manifest's path in it. */
static char *tree_with(const char *dir, char **mum)
{
    char *tree = fault_good_tree(dir, "tree");
    *mum = fault_join(tree, MUM_REL);
    return tree;
}

static void expect_one_warning(const char *tree, const char *warning)
{
    e2e_run r;
    json_object *o = fault_run(&r, tree);
    ck_assert_int_eq(r.status, 0);
    ck_assert_int_eq(jlen(o, "errors"), 0);
    json_object *i = jget(o, "installations.0");
    const char *const warnings[] = {warning, NULL};
    fault_expect_warnings(i, warnings);
    ck_assert_str_eq(jstr(i, "build6003.verdict"), "no");
    json_object *p = jfind(i, "updates.packages", "identity",
                           "Package_for_KB3139398~31bf3856ad364e35~amd64~~6.0.1.1");
    ck_assert_ptr_nonnull(p);
    ck_assert_str_eq(jstr(p, "state"), "installed");
    ck_assert_str_eq(jstr(p, "kb"), "KB3139398");
    ck_assert_str_eq(jstr(p, "mum_error"), warning + strlen(WARN_HEAD));
    e2e_free(&r);
}

START_TEST(manifest_that_is_not_xml)
{
    char *dir = fault_tmpdir(), *mum;
    char *tree = tree_with(dir, &mum);
    fault_copy(fault_fixture("mum/not-xml.mum"), mum);
    expect_one_warning(tree, WARN_HEAD "not well-formed XML: line 1: Start tag expected, '<' "
                                       "not found");
    fault_rmrf(dir);
    free(mum);
    free(tree);
    free(dir);
}
END_TEST

/* 16 MiB + 1 byte, sparse: refused by its size before anything is read. */
START_TEST(manifest_over_the_size_limit)
{
    char *dir = fault_tmpdir(), *mum;
    char *tree = tree_with(dir, &mum);
    ck_assert_int_eq(truncate(mum, 16 * 1024 * 1024 + 1), 0);
    expect_one_warning(tree, WARN_HEAD "cannot read: file is 16777217 bytes, over the limit of "
                                       "16777216 bytes");
    fault_rmrf(dir);
    free(mum);
    free(tree);
    free(dir);
}
END_TEST

START_TEST(manifest_with_external_entities_fixture)
{
    char *dir = fault_tmpdir(), *mum;
    char *tree = tree_with(dir, &mum);
    fault_copy(fault_fixture("mum/external-entity.mum"), mum);
    expect_one_warning(tree, WARN_HEAD "a DOCTYPE declaration is not allowed in a package "
                                       "manifest");
    fault_rmrf(dir);
    free(mum);
    free(tree);
    free(dir);
}
END_TEST

/* The entities name a file watched with inotify and a port listened on
 * here: neither may be touched. */
START_TEST(external_entities_are_never_fetched)
{
    char *dir = fault_tmpdir(), *mum;
    char *tree = tree_with(dir, &mum);
    char *secret = fault_join(dir, "secret.xml");
    fault_write(secret, "KB9999999", 9);

    int srv = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    ck_assert_int_ge(srv, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    ck_assert_int_eq(bind(srv, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(listen(srv, 4), 0);
    socklen_t alen = sizeof a;
    ck_assert_int_eq(getsockname(srv, (struct sockaddr *)&a, &alen), 0);

    char *xml = NULL;
    ck_assert_int_ge(
        asprintf(&xml,
                 "<?xml version=\"1.0\"?>\n"
                 "<!DOCTYPE assembly [\n"
                 "  <!ENTITY file SYSTEM \"file://%s\">\n"
                 "  <!ENTITY net SYSTEM \"http://127.0.0.1:%u/kb.xml\">\n"
                 "  <!ENTITY %% pe SYSTEM \"http://127.0.0.1:%u/dtd\"> %%pe;\n"
                 "]>\n"
                 "<assembly xmlns=\"urn:schemas-microsoft-com:asm.v3\" manifestVersion=\"1.0\" "
                 "description=\"&file;\">\n"
                 "  <assemblyIdentity name=\"Package_for_KB3139398\" version=\"6.0.1.1\" "
                 "language=\"neutral\" processorArchitecture=\"amd64\" "
                 "publicKeyToken=\"31bf3856ad364e35\"/>\n"
                 "  <package identifier=\"&file;\" releaseType=\"&net;\"/>\n"
                 "</assembly>\n",
                 secret, ntohs(a.sin_port), ntohs(a.sin_port)),
        0);
    fault_write(mum, xml, strlen(xml));

    int in = inotify_init1(IN_NONBLOCK);
    ck_assert_int_ge(in, 0);
    ck_assert_int_ge(inotify_add_watch(in, secret, IN_OPEN | IN_ACCESS), 0);

    expect_one_warning(tree, WARN_HEAD "a DOCTYPE declaration is not allowed in a package "
                                       "manifest");

    char ev[4096];
    ck_assert_msg(read(in, ev, sizeof ev) < 0, "the external entity's file was opened");
    ck_assert_msg(accept(srv, NULL, NULL) < 0, "the external entity's URL was fetched");
    close(in);
    close(srv);
    free(xml);
    free(secret);
    fault_rmrf(dir);
    free(mum);
    free(tree);
    free(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("faults-mum");
    TCase *tc = tcase_create("mum");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, manifest_that_is_not_xml);
    tcase_add_test(tc, manifest_over_the_size_limit);
    tcase_add_test(tc, manifest_with_external_entities_fixture);
    tcase_add_test(tc, external_entities_are_never_fetched);
    suite_add_tcase(s, tc);
    return pl_run_suite(s);
}
