/* A small installer built on libensurepip: makes sure the Python installation or virtual
 * environment named on its command line has pip (upgrading an older one), and says what
 * happened. Build it with:
 *
 *     cc installer.c $(pkg-config --cflags --libs ensurepip) -o installer
 */
#include <ensurepip.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PYTHON-OR-VENV\n", argv[0]);
        return 2;
    }
    struct ensurepip_options opts;
    struct ensurepip_result result;
    ensurepip_options_init(&opts);     /* the defaults of ensurepip.bootstrap() */
    opts.python = argv[1];
    opts.upgrade = 1;
    opts.quiet = 1;                    /* this installer speaks for itself */

    int status = ensurepip_bootstrap(&opts, &result);
    if (status != ENSUREPIP_OK) {
        fprintf(stderr, "installer: no pip for %s: %s (%s)\n", argv[1], result.message,
                ensurepip_strerror(status));
        return 1;
    }
    printf("installer: %s has pip %s (%s)\n", argv[1], result.pip_version,
           ensurepip_action_name(result.action));
    return 0;
}
