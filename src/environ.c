#include "config.h"

#include "environ.h"

#include <stdlib.h>
#include <string.h>

extern char **environ;

/* One allocation holding the NULL-terminated array and the strings it points to. */
static char **copy_into_one_block(char *const *vars, size_t count)
{
    size_t bytes = (count + 1) * sizeof(char *);
    for (size_t i = 0; i < count; i++)
        bytes += strlen(vars[i]) + 1;
    char **block = malloc(bytes);
    if (block == NULL)
        return NULL;
    char *text = (char *)(block + count + 1);
    for (size_t i = 0; i < count; i++) {
        size_t len = strlen(vars[i]) + 1;
        memcpy(text, vars[i], len);
        block[i] = text;
        text += len;
    }
    block[count] = NULL;
    return block;
}

int env_snapshot_take(struct env_snapshot *snap)
{
    size_t count = 0;
    while (environ != NULL && environ[count] != NULL)
        count++;
    snap->vars = copy_into_one_block(environ, count);
    snap->count = snap->vars != NULL ? count : 0;
    return snap->vars != NULL ? 0 : -1;
}

/* The block the last restoration gave to environ: glibc neither frees nor copies an array
 * assigned to environ, so it stays in use until the next restoration, which frees it. */
static char **restored_block;

int env_snapshot_restore(const struct env_snapshot *snap)
{
    /* A fresh array of fresh strings, assigned to environ (POSIX allows it; glibc's setenv
     * copies such an array on its next change). The strings in environ before are not freed
     * unless they are ours: some belong to their setenv/putenv callers (CPython 3.8's
     * os.putenv hands over memory of a bytes object). Ours, the previous call's block, is
     * referenced by nothing once environ is the new one (a pointer a caller kept from getenv
     * may be invalidated by any setenv, as POSIX says). */
    char **fresh = copy_into_one_block(snap->vars, snap->count);
    if (fresh == NULL)
        return -1;
    environ = fresh;
    free(restored_block);
    restored_block = fresh;
    return 0;
}

void env_snapshot_free(struct env_snapshot *snap)
{
    free(snap->vars);
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
            char *name = strndup(var, (size_t)(eq - var));
            if (name == NULL)
                return -1;
            unsetenv(name);
            free(name);
            i = 0; /* unsetenv shifted the array; start over */
            continue;
        }
        i++;
    }
    return 0;
}

/* Variables CPython (3.10-3.15, Lib/ and the start-up code) or Debian's Python read even in an
 * isolated configuration, each able to change which code runs or where files go. */
static const char *const steering_variables[] = {
    "PYTHONEXECUTABLE",           /* the interpreter the target claims to be (3.11+, any OS) */
    "__PYVENV_LAUNCHER__",        /* the same, as macOS framework launchers pass it */
    "_PYTHON_SYSCONFIGDATA_NAME", /* sysconfig imports this module by name */
    "_PYTHON_SYSCONFIGDATA_PATH", /* ... from this directory (3.14+) */
    "_PYTHON_PROJECT_BASE",       /* sysconfig takes the target for a build tree there */
    "_PYTHON_HOST_PLATFORM",      /* sysconfig.get_platform(): cross-build platform tags */
    "DEB_PYTHON_INSTALL_LAYOUT",  /* Debian's sysconfig: picks the deb_system scheme */
    "SETUPTOOLS_USE_DISTUTILS",   /* a target's setuptools .pth swaps the distutils pip reads */
};

int env_prepare_for_pip(const char *ensurepip_options, const char *tmpdir)
{
    if (unset_prefixed("PIP_") != 0 || setenv("PIP_CONFIG_FILE", "/dev/null", 1) != 0
        || (ensurepip_options != NULL ? setenv("ENSUREPIP_OPTIONS", ensurepip_options, 1)
                                      : unsetenv("ENSUREPIP_OPTIONS")) != 0)
        return -1;
    for (size_t i = 0; i < sizeof steering_variables / sizeof steering_variables[0]; i++)
        if (unsetenv(steering_variables[i]) != 0)
            return -1;
    return unset_prefixed("_PIP_") != 0 || setenv("TMPDIR", tmpdir, 1) != 0 ? -1 : 0;
}
