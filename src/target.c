#include "config.h"

#include "target.h"

#include "rootpath.h"

#include <errno.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return code;
}

static char *join(const char *a, const char *b)
{
    size_t n = strlen(a) + 1 + strlen(b) + 1;
    char *s = malloc(n);
    if (s != NULL)
        snprintf(s, n, "%s%s%s", a, a[0] != '\0' && a[strlen(a) - 1] == '/' ? "" : "/", b);
    return s;
}

/* The path made absolute against the working directory, without trailing slashes. Symbolic
 * links are kept on purpose (see struct target). */
static char *absolute(const char *path)
{
    char *abs;
    if (path[0] == '/') {
        abs = strdup(path);
    } else {
        char *cwd = getcwd(NULL, 0);
        if (cwd == NULL)
            return NULL;
        abs = join(cwd, path);
        free(cwd);
    }
    if (abs == NULL)
        return NULL;
    for (size_t n = strlen(abs); n > 1 && abs[n - 1] == '/'; n--)
        abs[n - 1] = '\0';
    return abs;
}

static char *dir_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL || slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

/* Where path is read: itself, or for a target inside a root, the path with its links resolved
 * as the final system will resolve them (rootpath.h), so that no link leads out of the root. */
static char *on_disk(const struct target *t, const char *path)
{
    if (t->root == NULL)
        return strdup(path);
    char *final = rootpath_resolve(t->root, path + strlen(t->root));
    char *where = final != NULL ? rootpath_join(t->root, final) : NULL;
    free(final);
    return where;
}

/* realpath(), the root's way for a target inside one. */
static char *real_path(const struct target *t, const char *path)
{
    return t->root == NULL ? realpath(path, NULL) : on_disk(t, path);
}

static int stat_on_disk(const struct target *t, const char *path, struct stat *st)
{
    char *where = on_disk(t, path);
    int rc = where != NULL ? stat(where, st) : -1;
    free(where);
    return rc;
}

static int is_file(const struct target *t, const char *path)
{
    struct stat st;
    return stat_on_disk(t, path, &st) == 0 && S_ISREG(st.st_mode);
}

static int is_executable_file(const struct target *t, const char *path)
{
    char *where = on_disk(t, path);
    int rc = where != NULL && is_file(t, path) && access(where, X_OK) == 0;
    free(where);
    return rc;
}

/* Reads "key = value" from a pyvenv.cfg into value. Returns 0 if found. */
static int venv_config(const struct target *t, const char *venv, const char *key, char *value, size_t len)
{
    char *cfg = join(venv, "pyvenv.cfg"), *where = cfg != NULL ? on_disk(t, cfg) : NULL;
    FILE *f = where != NULL ? fopen(where, "r") : NULL;
    free(cfg);
    free(where);
    if (f == NULL)
        return -1;
    char line[4096];
    int rc = -1;
    size_t keylen = strlen(key);
    while (rc != 0 && fgets(line, sizeof line, f) != NULL) {
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncmp(p, key, keylen) != 0)
            continue;
        p += keylen;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p != '=')
            continue;
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        size_t n = strcspn(p, "\r\n");
        while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        if (n < len) {
            memcpy(value, p, n);
            value[n] = '\0';
            rc = 0;
        }
    }
    fclose(f);
    return rc;
}

static int parse_version(const char *text, int *major, int *minor)
{
    char *end;
    long a = strtol(text, &end, 10);
    if (end == text || *end != '.')
        return -1;
    const char *rest = end + 1;
    long b = strtol(rest, &end, 10);
    if (end == rest || a < 0 || a > 99 || b < 0 || b > 999)
        return -1;
    *major = (int)a;
    *minor = (int)b;
    return 0;
}

/* Whether dir/pythonX.Y holds a standard library: os.py, or os.pyc where it was installed
 * without sources (as CPython's own start-up accepts, and Buildroot installs by default). */
static int has_stdlib(const struct target *t, const char *libdir, const char *name)
{
    static const char *const landmarks[] = {"os.py", "os.pyc"};
    int found = 0;
    for (size_t i = 0; i < 2 && !found; i++) {
        size_t n = strlen(libdir) + strlen(name) + strlen(landmarks[i]) + 3;
        char *path = malloc(n);
        if (path == NULL)
            return 0;
        snprintf(path, n, "%s/%s/%s", libdir, name, landmarks[i]);
        found = is_file(t, path);
        free(path);
    }
    return found;
}

/* The version of the installation at prefix, from the name of its lib/pythonX.Y holding a
 * standard library. Prefers the wanted version if several are there. (A directory scan, not
 * glob(): the prefix may hold glob's metacharacters.) */
static int prefix_version(const struct target *t, const char *prefix, int want_major, int want_minor, int *major,
                          int *minor)
{
    static const char *const libdirs[] = {"lib", "lib64"};
    char wanted[32];
    snprintf(wanted, sizeof wanted, "python%d.%d", want_major, want_minor);
    int rc = -1;
    for (size_t i = 0; i < 2 && rc != 0; i++) {
        char *libdir = join(prefix, libdirs[i]);
        if (libdir != NULL && has_stdlib(t, libdir, wanted)) {
            *major = want_major;
            *minor = want_minor;
            rc = 0;
        }
        free(libdir);
    }
    for (size_t i = 0; i < 2 && rc != 0; i++) {
        char *libdir = join(prefix, libdirs[i]), *where = libdir != NULL ? on_disk(t, libdir) : NULL;
        DIR *dir = where != NULL ? opendir(where) : NULL;
        free(where);
        for (struct dirent *e; dir != NULL && rc != 0 && (e = readdir(dir)) != NULL;)
            if (strncmp(e->d_name, "python", 6) == 0 && parse_version(e->d_name + 6, major, minor) == 0
                && has_stdlib(t, libdir, e->d_name))
                rc = 0;
        if (dir != NULL)
            closedir(dir);
        free(libdir);
    }
    return rc;
}

static const char *describe(enum target_source source)
{
    switch (source) {
    case TARGET_FROM_OPTION: return "the python given";
    case TARGET_FROM_VIRTUAL_ENV: return "VIRTUAL_ENV";
    case TARGET_FROM_BUILD: return "the default target";
    }
    return "the target";
}

/* Fills t->python and t->venv from the absolute path, which exists. */
static int find_interpreter(struct target *t, char *path, char *err, size_t errlen)
{
    struct stat st;
    if (stat_on_disk(t, path, &st) != 0)
        return fail(err, errlen, TARGET_UNUSABLE, errno == ENOENT ? "%s: %s does not exist" : "%s: cannot reach %s: %s",
                    describe(t->source), path, strerror(errno));
    if (S_ISDIR(st.st_mode)) {
        char *cfg = join(path, "pyvenv.cfg");
        int venv = cfg != NULL && is_file(t, cfg);
        free(cfg);
        if (!venv)
            return fail(err, errlen, TARGET_UNUSABLE,
                        "%s: %s is a directory but not a virtual environment (it has no pyvenv.cfg); "
                        "give the interpreter instead, e.g. %s/bin/python3", describe(t->source), path, path);
        static const char *const names[] = {"bin/python", "bin/python3"};
        for (size_t i = 0; i < 2 && t->python == NULL; i++) {
            char *python = join(path, names[i]);
            if (python != NULL && is_executable_file(t, python))
                t->python = python;
            else
                free(python);
        }
        if (t->python == NULL)
            return fail(err, errlen, TARGET_UNUSABLE,
                        "%s: the virtual environment %s has no bin/python; recreate it with python3 -m venv",
                        describe(t->source), path);
        t->venv = path;
        return TARGET_OK;
    }
    if (!S_ISREG(st.st_mode) || !is_executable_file(t, path))
        return fail(err, errlen, TARGET_UNUSABLE, "%s: %s is not an executable file",
                    describe(t->source), path);
    t->python = path;
    /* CPython looks for pyvenv.cfg beside the executable and one level up. */
    char *bin = dir_name(path), *up = bin != NULL ? dir_name(bin) : NULL;
    const char *dirs[] = {bin, up};
    for (size_t i = 0; i < 2 && t->venv == NULL; i++) {
        char *cfg = dirs[i] != NULL ? join(dirs[i], "pyvenv.cfg") : NULL;
        if (cfg != NULL && is_file(t, cfg))
            t->venv = strdup(dirs[i]);
        free(cfg);
    }
    free(bin);
    free(up);
    return TARGET_OK;
}

static int find_version(struct target *t, int major, int minor, char *err, size_t errlen)
{
    char value[4096];  /* a pyvenv.cfg line's value; venv_config() refuses longer ones */
    if (t->venv != NULL) {
        if ((venv_config(t, t->venv, "version", value, sizeof value) == 0
             || venv_config(t, t->venv, "version_info", value, sizeof value) == 0)
            && parse_version(value, &t->major, &t->minor) == 0)
            return TARGET_OK;
        /* No version line: judge by the base installation it was made from. */
        if (venv_config(t, t->venv, "home", value, sizeof value) == 0) {
            /* home names a directory of the final system: inside the root, if there is one */
            char *home = t->root != NULL ? rootpath_join(t->root, value) : strdup(value);
            char *prefix = home != NULL ? dir_name(home) : NULL;
            free(home);
            int rc = prefix != NULL ? prefix_version(t, prefix, major, minor, &t->major, &t->minor) : -1;
            free(prefix);
            if (rc == 0)
                return TARGET_OK;
        }
        return fail(err, errlen, TARGET_UNUSABLE,
                    "cannot tell which Python version the virtual environment %s is: its pyvenv.cfg "
                    "has no version line", t->venv);
    }
    char *real = real_path(t, t->python);
    if (real == NULL)
        return fail(err, errlen, TARGET_UNUSABLE, "%s: cannot resolve %s: %s", describe(t->source),
                    t->python, strerror(errno));
    /* A prefix with a standard library around it is not enough (/bin/sh sits in /usr/bin too):
     * the interpreter is named python-something, as every CPython installs it. */
    const char *base = strrchr(real, '/');
    if (strncmp(base != NULL ? base + 1 : real, "python", 6) != 0) {
        fail(err, errlen, TARGET_UNUSABLE, "%s: %s is not a Python interpreter (it is %s)",
             describe(t->source), t->python, real);
        free(real);
        return TARGET_UNUSABLE;
    }
    char *bin = dir_name(real), *prefix = bin != NULL ? dir_name(bin) : NULL;
    int rc = prefix != NULL ? prefix_version(t, prefix, major, minor, &t->major, &t->minor) : -1;
    if (rc != 0)
        fail(err, errlen, TARGET_UNUSABLE,
             "%s: %s does not look like a Python installation (no %s/lib/python3.*/os.py or os.pyc)",
             describe(t->source), t->python, prefix != NULL ? prefix : "?");
    free(real);
    free(bin);
    free(prefix);
    return rc == 0 ? TARGET_OK : TARGET_UNUSABLE;
}

/* Whether the target is a free-threaded CPython: its interpreter is named pythonX.Yt (the real
 * file, or the executable a venv's pyvenv.cfg names). Its ABI, its lib/pythonX.Yt and its lack
 * of a GIL are not the embedded libpython's, which would install pip where it never looks. */
static int is_free_threaded(const struct target *t)
{
    char configured[4096];
    char *paths[2] = {real_path(t, t->python), NULL};
    if (t->venv != NULL && venv_config(t, t->venv, "executable", configured, sizeof configured) == 0)
        paths[1] = strdup(configured);
    int found = 0;
    for (size_t i = 0; i < 2; i++) {
        if (paths[i] == NULL)
            continue;
        const char *base = strrchr(paths[i], '/');
        char tail[2];
        int major, minor;
        if (sscanf(base != NULL ? base + 1 : paths[i], "python%d.%d%1[t]%1s", &major, &minor, tail, tail) == 3)
            found = 1;
        free(paths[i]);
    }
    return found;
}

/* An absolute path with ".", ".." and repeated slashes taken out as the words say (no link is
 * looked at), malloc'ed. */
static char *lexically_normal(const char *path)
{
    char *out = malloc(strlen(path) + 2);
    if (out == NULL)
        return NULL;
    size_t len = 0;
    for (const char *p = path; *p != '\0';) {
        while (*p == '/')
            p++;
        size_t n = strcspn(p, "/");
        int dot = n == 1 && p[0] == '.', dotdot = n == 2 && p[0] == '.' && p[1] == '.';
        if (dotdot) {
            while (len > 0 && out[--len] != '/')
                ;
        } else if (n > 0 && !dot) {
            out[len++] = '/';
            memcpy(out + len, p, n);
            len += n;
        }
        p += n;
    }
    if (len == 0)
        out[len++] = '/';
    out[len] = '\0';
    return out;
}

/* Whether the absolute path lies inside the root directory (both normal): the tail, or NULL. */
static const char *inside(const char *path, const char *root)
{
    size_t n = strlen(root);
    return strcmp(root, "/") != 0 && strncmp(path, root, n) == 0 && path[n] == '/' ? path + n : NULL;
}

/* If the interpreter *path lies inside the root (as given, or where the root really is), the
 * target is read as the final system will see it: t->root becomes the root's real path, and
 * *path the same file named under it, so that every path of the target read later starts with
 * t->root, however the root was spelled (./, a link to it, ..). */
static int find_root(struct target *t, const char *root, char **path)
{
    if (root == NULL)
        return 0;
    char *abs = absolute(root), *given = abs != NULL ? lexically_normal(abs) : NULL;
    char *real = abs != NULL ? realpath(abs, NULL) : NULL, *normal = lexically_normal(*path);
    const char *tail = NULL;
    int rc = abs != NULL && given != NULL && normal != NULL ? 0 : -1;
    if (rc == 0 && real != NULL && ((tail = inside(normal, given)) != NULL || (tail = inside(normal, real)) != NULL)) {
        size_t n = strlen(real) + strlen(tail) + 1;
        char *renamed = malloc(n);
        if (renamed == NULL) {
            rc = -1;
        } else {
            snprintf(renamed, n, "%s%s", real, tail);
            free(*path);
            *path = renamed;
            t->root = real;
            real = NULL;
        }
    }
    free(abs);
    free(given);
    free(real);
    free(normal);
    return rc;
}

int target_resolve(struct target *t, const char *requested, const char *root, int major, int minor,
                   char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    const char *chosen = requested;
    t->source = TARGET_FROM_OPTION;
    if (chosen == NULL) {
        const char *venv = getenv("VIRTUAL_ENV");
        if (venv != NULL && venv[0] != '\0') {
            chosen = venv;
            t->source = TARGET_FROM_VIRTUAL_ENV;
        } else {
            chosen = ENSUREPIP_DEFAULT_PYTHON;
            t->source = TARGET_FROM_BUILD;
        }
    }
    struct stat st;
    if (root != NULL && stat(root, &st) == 0 && !S_ISDIR(st.st_mode))
        return fail(err, errlen, TARGET_UNUSABLE, "the root %s is not a directory", root);
    char *path = absolute(chosen);
    if (path == NULL || find_root(t, root, &path) != 0) {
        free(path);
        return fail(err, errlen, TARGET_UNUSABLE, "cannot make %s absolute: %s", chosen, strerror(errno));
    }
    int rc = find_interpreter(t, path, err, errlen);
    if (t->python != path && t->venv != path)
        free(path);
    if (rc == TARGET_OK)
        rc = find_version(t, major, minor, err, errlen);
    if (rc == TARGET_OK && (t->major != major || t->minor != minor))
        rc = fail(err, errlen, TARGET_OTHER_VERSION,
                  "%s is Python %d.%d, but this ensurepip embeds Python %d.%d: use an ensurepip "
                  "built for %d.%d (configure --with-python=/path/to/python%d.%d)",
                  t->venv != NULL ? t->venv : t->python, t->major, t->minor, major, minor,
                  t->major, t->minor, t->major, t->minor);
    if (rc == TARGET_OK && is_free_threaded(t))
        rc = fail(err, errlen, TARGET_OTHER_VERSION,
                  "%s is a free-threaded Python %d.%d, which ensurepip does not support: use "
                  "python%d.%dt -m ensurepip", t->venv != NULL ? t->venv : t->python, t->major,
                  t->minor, t->major, t->minor);
    if (rc != TARGET_OK)
        target_free(t);
    return rc;
}

void target_free(struct target *t)
{
    if (t->venv != t->python)
        free(t->venv);
    free(t->python);
    free(t->root);
    t->python = t->venv = t->root = NULL;
}
