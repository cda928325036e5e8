#include "config.h"

#include "environ.h"

#include <stdlib.h>
#include <string.h>

extern char **environ;

static void free_strings(char **vars, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(vars[i]);
    free(vars);
}

static char **copy_strings(char *const *vars, size_t count)
{
    char **copy = malloc((count + 1) * sizeof *copy);
    if (copy == NULL)
        return NULL;
    for (size_t i = 0; i < count; i++) {
        copy[i] = strdup(vars[i]);
        if (copy[i] == NULL) {
            free_strings(copy, i);
            return NULL;
        }
    }
    copy[count] = NULL;
    return copy;
}

int env_snapshot_take(struct env_snapshot *snap)
{
    size_t count = 0;
    while (environ != NULL && environ[count] != NULL)
        count++;
    snap->vars = copy_strings(environ, count);
    snap->count = snap->vars != NULL ? count : 0;
    return snap->vars != NULL ? 0 : -1;
}

int env_snapshot_restore(const struct env_snapshot *snap)
{
    /* A fresh array of fresh strings, assigned to environ (POSIX allows it; glibc's setenv
     * copies such an array on its next change). The strings now in environ are not freed:
     * some belong to their setenv/putenv callers (CPython 3.8's os.putenv hands over memory
     * of a bytes object), and glibc never frees setenv strings either. The few hundred bytes
     * this leaves behind per call are the price of an exact restoration. */
    char **fresh = copy_strings(snap->vars, snap->count);
    if (fresh == NULL)
        return -1;
    environ = fresh;
    return 0;
}

void env_snapshot_free(struct env_snapshot *snap)
{
    if (snap->vars != NULL)
        free_strings(snap->vars, snap->count);
    snap->vars = NULL;
    snap->count = 0;
}

static int unset_prefixed(const char *prefix)
{
    size_t n = strlen(prefix);
    for (size_t i = 0; environ != NULL && environ[i] != NULL;) {
        const char *var = environ[i];
        const char *eq = strchr(var, '=');
        if (strncmp(var, prefix, n) == 0 && eq != NULL) {
            char name[256];
            size_t len = (size_t)(eq - var);
            if (len >= sizeof name) {
                char *big = strndup(var, len);
                if (big == NULL)
                    return -1;
                unsetenv(big);
                free(big);
            } else {
                memcpy(name, var, len);
                name[len] = '\0';
                unsetenv(name);
            }
            i = 0; /* unsetenv shifted the array; start over */
            continue;
        }
        i++;
    }
    return 0;
}

int env_prepare_for_pip(const char *ensurepip_options, const char *tmpdir)
{
    if (unset_prefixed("PIP_") != 0)
        return -1;
    if (setenv("PIP_CONFIG_FILE", "/dev/null", 1) != 0)
        return -1;
    if (ensurepip_options != NULL ? setenv("ENSUREPIP_OPTIONS", ensurepip_options, 1) != 0
                                  : unsetenv("ENSUREPIP_OPTIONS") != 0)
        return -1;
    unsetenv("PYTHONEXECUTABLE");
    unsetenv("__PYVENV_LAUNCHER__");
    if (setenv("TMPDIR", tmpdir, 1) != 0)
        return -1;
    return 0;
}
