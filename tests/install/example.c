/* The smallest program on the installed library: analyze one image and
 * print each installation's build 6003 verdict. Built by test-install.sh
 * with `pkg-config --cflags --libs patchlevel` against `make install`. */
#include <patchlevel.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    patchlevel_context *ctx = NULL;
    patchlevel_result *r = NULL;
    if (argc != 2 || patchlevel_context_new(&ctx) != PATCHLEVEL_OK)
        return 2;
    enum patchlevel_error rc = patchlevel_context_load_catalog(ctx, NULL);
    if (rc != PATCHLEVEL_OK)
        fprintf(stderr, "example: no catalog: %s\n", patchlevel_context_error_message(ctx));
    if (patchlevel_analyze(ctx, argv[1], &r) != PATCHLEVEL_OK) {
        fprintf(stderr, "example: %s\n", patchlevel_context_error_message(ctx));
        patchlevel_context_free(ctx);
        return 3;
    }
    for (size_t i = 0; i < patchlevel_result_error_count(r); i++)
        fprintf(stderr, "example: %s: %s: %s\n", argv[1],
                patchlevel_error_name(patchlevel_result_error_code(r, i)),
                patchlevel_result_error_message(r, i));
    for (size_t i = 0; i < patchlevel_result_installation_count(r); i++) {
        const patchlevel_installation *in = patchlevel_result_installation(r, i);
        const char *kernel = patchlevel_installation_kernel_version(in);
        printf("%s: %s: build 6003: %s\n", argv[1], kernel ? kernel : "unknown kernel",
               patchlevel_verdict_name(patchlevel_installation_verdict(in)));
    }
    int status = patchlevel_result_error_count(r) ? 3 : 0;
    patchlevel_result_free(r);
    patchlevel_context_free(ctx);
    return status;
}
