/* Unit tests of src/target.h: target_resolve() on fake layouts built in a temporary directory
 * (virtual environments, base installations, things that are neither), with the wanted
 * version passed in (3.11 here, whatever Python the build embeds). */
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include "rootpath.h"
#include "target.h"

#define ERRLEN 2048

/* ---------------------------------------------------------------------------------------- */
/* fixtures: a temporary directory, the working directory and VIRTUAL_ENV put back after */

static char tmp[PATH_MAX];   /* the real path of this test's directory */
static char saved_cwd[PATH_MAX];
static char *saved_virtual_env;

static int setup(void **state)
{
    (void)state;
    char templ[] = "/tmp/ensurepip-unit-target-XXXXXX";
    if (mkdtemp(templ) == NULL || realpath(templ, tmp) == NULL)
        return -1;
    if (getcwd(saved_cwd, sizeof saved_cwd) == NULL)
        return -1;
    const char *venv = getenv("VIRTUAL_ENV");
    saved_virtual_env = venv != NULL ? strdup(venv) : NULL;
    return 0;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (flag == FTW_DP)
        return rmdir(path);
    return unlink(path);
}

static int teardown(void **state)
{
    (void)state;
    int rc = 0;
    if (chdir(saved_cwd) != 0)
        rc = -1;
    if (saved_virtual_env != NULL)
        setenv("VIRTUAL_ENV", saved_virtual_env, 1);
    else
        unsetenv("VIRTUAL_ENV");
    free(saved_virtual_env);
    saved_virtual_env = NULL;
    if (nftw(tmp, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
        rc = -1;
    return rc;
}

/* snprintf that fails the test instead of truncating. */
static void pathf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void pathf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= size)
        fail_msg("path too long");
}

/* tmp/rel in a static buffer (one of a few, so that several can be used in one call). */
static const char *at(const char *rel)
{
    static char bufs[8][PATH_MAX];
    static int next;
    char *buf = bufs[next++ % 8];
    pathf(buf, PATH_MAX, "%s%s%s", tmp, rel[0] != '\0' ? "/" : "", rel);
    return buf;
}

/* mkdir -p tmp/rel */
static void make_dir(const char *rel)
{
    char path[PATH_MAX];
    pathf(path, sizeof path, "%s", at(rel));
    for (char *p = path + strlen(tmp) + 1; *p != '\0'; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(path, 0755) != 0 && errno != EEXIST)
                fail_msg("mkdir %s: %s", path, strerror(errno));
            *p = '/';
        }
    }
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        fail_msg("mkdir %s: %s", path, strerror(errno));
}

/* Writes tmp/rel (creating its directory) with this text and mode. */
static void write_file(const char *rel, const char *text, mode_t mode)
{
    char dir[PATH_MAX];
    pathf(dir, sizeof dir, "%s", rel);
    char *slash = strrchr(dir, '/');
    if (slash != NULL) {
        *slash = '\0';
        make_dir(dir);
    }
    const char *path = at(rel);
    FILE *f = fopen(path, "w");
    if (f == NULL)
        fail_msg("fopen %s: %s", path, strerror(errno));
    fputs(text, f);
    fclose(f);
    if (chmod(path, mode) != 0)
        fail_msg("chmod %s: %s", path, strerror(errno));
}

static void make_executable(const char *rel)
{
    write_file(rel, "#!/bin/sh\nexit 0\n", 0755);
}

static void make_symlink(const char *target, const char *rel)
{
    if (symlink(target, at(rel)) != 0)
        fail_msg("symlink %s: %s", at(rel), strerror(errno));
}

/* A venv as python3.11 -m venv makes it (bin/python an executable file here). */
static void make_venv(const char *rel, const char *cfg)
{
    char path[PATH_MAX];
    pathf(path, sizeof path, "%s/pyvenv.cfg", rel);
    write_file(path, cfg, 0644);
    pathf(path, sizeof path, "%s/bin/python", rel);
    make_executable(path);
    pathf(path, sizeof path, "%s/lib/python3.11/site-packages", rel);
    make_dir(path);
}

static const char venv_cfg[] =
    "home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.2\n"
    "executable = /usr/bin/python3.11\ncommand = /usr/bin/python3.11 -m venv /x\n";

/* A base installation PREFIX/bin/pythonX.Y with PREFIX/<libdir>/pythonX.Y/os.py. */
static void make_prefix(const char *rel, const char *libdir, const char *version)
{
    char path[PATH_MAX];
    pathf(path, sizeof path, "%s/bin/python%s", rel, version);
    make_executable(path);
    pathf(path, sizeof path, "%s/%s/python%s/os.py", rel, libdir, version);
    write_file(path, "# os\n", 0644);
}

/* target_resolve, expecting TARGET_OK. */
static void resolve_ok(struct target *t, const char *requested)
{
    char err[ERRLEN] = "";
    int rc = target_resolve(t, requested, NULL, 3, 11, err, sizeof err);
    if (rc != TARGET_OK)
        fail_msg("target_resolve(%s) = %d: %s", requested ? requested : "NULL", rc, err);
    assert_non_null(t->python);
    assert_int_equal(t->python[0], '/');
}

/* target_resolve, expecting this error with a message containing want (and, if want2 is not
 * NULL, that too). The target is then empty and can still be freed. */
static void resolve_error(const char *requested, int want_rc, const char *want, const char *want2)
{
    struct target t;
    char err[ERRLEN] = "";
    int rc = target_resolve(&t, requested, NULL, 3, 11, err, sizeof err);
    if (rc != want_rc) {
        char got[ERRLEN];
        pathf(got, sizeof got, "%s", rc == TARGET_OK ? t.python : err);
        if (rc == TARGET_OK)
            target_free(&t);
        fail_msg("target_resolve(%s) = %d (%s), want %d", requested ? requested : "NULL", rc,
                 got, want_rc);
    }
    assert_contains(err, want);
    if (want2 != NULL)
        assert_contains(err, want2);
    assert_null(t.python);
    assert_null(t.venv);
    target_free(&t); /* as bootstrap.c does after any result: must be harmless */
}

/* ---------------------------------------------------------------------------------------- */
/* virtual environments */

static void test_venv_directory(void **state)
{
    (void)state;
    make_venv("venv", venv_cfg);
    struct target t;
    resolve_ok(&t, at("venv"));
    assert_string_equal(t.venv, at("venv"));
    assert_string_equal(t.python, at("venv/bin/python"));
    assert_int_equal(t.major, 3);
    assert_int_equal(t.minor, 11);
    assert_int_equal(t.source, TARGET_FROM_OPTION);
    target_free(&t);
    assert_null(t.python);
    assert_null(t.venv);
    target_free(&t); /* twice: harmless */
}

static void test_venv_directory_trailing_slashes(void **state)
{
    (void)state;
    make_venv("venv", venv_cfg);
    char path[PATH_MAX];
    pathf(path, sizeof path, "%s/", at("venv"));
    struct target t;
    resolve_ok(&t, path);
    assert_string_equal(t.venv, at("venv"));
    assert_string_equal(t.python, at("venv/bin/python"));
    target_free(&t);
    pathf(path, sizeof path, "%s///", at("venv"));
    resolve_ok(&t, path);
    assert_string_equal(t.venv, at("venv"));
    target_free(&t);
}

static void test_interpreter_inside_venv(void **state)
{
    (void)state;
    make_venv("venv", venv_cfg);
    make_executable("venv/bin/python3.11");
    struct target t;
    resolve_ok(&t, at("venv/bin/python"));
    assert_string_equal(t.python, at("venv/bin/python"));
    assert_string_equal(t.venv, at("venv"));
    assert_int_equal(t.major, 3);
    assert_int_equal(t.minor, 11);
    target_free(&t);

    resolve_ok(&t, at("venv/bin/python3.11"));
    assert_string_equal(t.python, at("venv/bin/python3.11"));
    assert_string_equal(t.venv, at("venv"));
    target_free(&t);
}

static void test_venv_python_is_symlink(void **state)
{
    (void)state;
    /* As venv makes it: bin/python a link to the base interpreter. The link is kept. */
    make_prefix("base", "lib", "3.11");
    write_file("venv/pyvenv.cfg", venv_cfg, 0644);
    make_dir("venv/bin");
    make_symlink(at("base/bin/python3.11"), "venv/bin/python");
    make_symlink("python", "venv/bin/python3");
    struct target t;
    resolve_ok(&t, at("venv"));
    assert_string_equal(t.python, at("venv/bin/python"));
    assert_string_equal(t.venv, at("venv"));
    target_free(&t);
    resolve_ok(&t, at("venv/bin/python3"));
    assert_string_equal(t.python, at("venv/bin/python3"));
    assert_string_equal(t.venv, at("venv"));
    target_free(&t);
}

static void test_venv_with_python3_only(void **state)
{
    (void)state;
    write_file("venv/pyvenv.cfg", venv_cfg, 0644);
    make_executable("venv/bin/python3");
    struct target t;
    resolve_ok(&t, at("venv"));
    assert_string_equal(t.python, at("venv/bin/python3"));
    assert_string_equal(t.venv, at("venv"));
    target_free(&t);
}

static void test_venv_without_interpreter(void **state)
{
    (void)state;
    write_file("venv/pyvenv.cfg", venv_cfg, 0644);
    resolve_error(at("venv"), TARGET_UNUSABLE, at("venv"), "has no bin/python");

    /* bin/python there, but not executable. */
    write_file("venv/bin/python", "not a program", 0644);
    resolve_error(at("venv"), TARGET_UNUSABLE, "has no bin/python", NULL);
}

/* Regression: a venv's bin/python was taken as soon as access(X_OK) allowed it, which it does
 * for a directory; the interpreter must be an executable file. */
static void test_regression_venv_python_is_directory(void **state)
{
    (void)state;
    write_file("venv/pyvenv.cfg", venv_cfg, 0644);
    make_dir("venv/bin/python");
    resolve_error(at("venv"), TARGET_UNUSABLE, at("venv"), NULL);
}

/* Regression (same cause): with bin/python a directory and bin/python3 a real interpreter,
 * the directory was chosen instead of bin/python3. */
static void test_regression_venv_python_directory_beside_python3(void **state)
{
    (void)state;
    write_file("venv/pyvenv.cfg", venv_cfg, 0644);
    make_dir("venv/bin/python");
    make_executable("venv/bin/python3");
    struct target t;
    resolve_ok(&t, at("venv"));
    char python[PATH_MAX];
    pathf(python, sizeof python, "%s", t.python);
    target_free(&t);
    assert_string_equal(python, at("venv/bin/python3"));
}

static void test_venv_other_version(void **state)
{
    (void)state;
    make_venv("venv312", "home = /usr/bin\nversion = 3.12.1\n");
    resolve_error(at("venv312"), TARGET_OTHER_VERSION, "3.12", "3.11");
    resolve_error(at("venv312"), TARGET_OTHER_VERSION, at("venv312"), NULL);
    resolve_error(at("venv312/bin/python"), TARGET_OTHER_VERSION, "is Python 3.12", "embeds Python 3.11");

    make_venv("venv310", "version = 3.10.12\n");
    resolve_error(at("venv310"), TARGET_OTHER_VERSION, "3.10", "3.11");

    make_venv("venv27", "version = 2.7.18\n");
    resolve_error(at("venv27"), TARGET_OTHER_VERSION, "2.7", "3.11");

    /* Same minor, other major. */
    make_venv("venv4", "version = 4.11.0\n");
    resolve_error(at("venv4"), TARGET_OTHER_VERSION, "4.11", "3.11");
}

static void test_venv_version_spellings(void **state)
{
    (void)state;
    static const char *const cfgs[] = {
        "version_info = 3.11.7.final.0\nhome = /usr/bin\n", /* virtualenv */
        "home = /usr/bin\nimplementation = CPython\nversion_info = 3.11.7\n", /* uv */
        "version=3.11.2\n",
        "  version   =\t3.11.2  \r\n",
        "version = 3.11\n",
        "home = /usr/bin\nversion = 3.11.0rc1\n",
    };
    for (size_t i = 0; i < sizeof cfgs / sizeof cfgs[0]; i++) {
        char rel[32];
        pathf(rel, sizeof rel, "venv%zu", i);
        make_venv(rel, cfgs[i]);
        struct target t;
        resolve_ok(&t, at(rel));
        assert_string_equal(t.venv, at(rel));
        assert_int_equal(t.major, 3);
        assert_int_equal(t.minor, 11);
        target_free(&t);
    }
    /* virtualenv style, another version. */
    make_venv("venv-old", "version_info = 3.9.18.final.0\n");
    resolve_error(at("venv-old"), TARGET_OTHER_VERSION, "3.9", "3.11");
}

static void test_venv_version_from_home(void **state)
{
    (void)state;
    /* No version line: the base installation named by home decides. */
    make_prefix("base", "lib", "3.11");
    char cfg[PATH_MAX + 64];
    pathf(cfg, sizeof cfg, "home = %s\ninclude-system-site-packages = false\n", at("base/bin"));
    make_venv("venv", cfg);
    struct target t;
    resolve_ok(&t, at("venv"));
    assert_string_equal(t.venv, at("venv"));
    assert_int_equal(t.major, 3);
    assert_int_equal(t.minor, 11);
    target_free(&t);

    make_prefix("base312", "lib", "3.12");
    pathf(cfg, sizeof cfg, "home = %s\n", at("base312/bin"));
    make_venv("venv312", cfg);
    resolve_error(at("venv312"), TARGET_OTHER_VERSION, "3.12", "3.11");
}

static void test_venv_without_version(void **state)
{
    (void)state;
    make_venv("venv", "include-system-site-packages = false\n");
    resolve_error(at("venv"), TARGET_UNUSABLE, at("venv"), "version");

    make_venv("venv2", "");
    resolve_error(at("venv2"), TARGET_UNUSABLE, "version", NULL);

    /* home names a directory that is no Python installation. */
    make_dir("nothing/bin");
    char cfg[PATH_MAX + 16];
    pathf(cfg, sizeof cfg, "home = %s\n", at("nothing/bin"));
    make_venv("venv3", cfg);
    resolve_error(at("venv3"), TARGET_UNUSABLE, "version", NULL);
}

/* ---------------------------------------------------------------------------------------- */
/* neither venv nor interpreter */

static void test_directory_without_pyvenv_cfg(void **state)
{
    (void)state;
    make_executable("plain/bin/python3");
    resolve_error(at("plain"), TARGET_UNUSABLE, at("plain"), "pyvenv.cfg");
    /* With a hint: give the interpreter instead. */
    char hint[PATH_MAX];
    pathf(hint, sizeof hint, "%s/bin/python3", at("plain"));
    resolve_error(at("plain"), TARGET_UNUSABLE, hint, "not a virtual environment");
    /* pyvenv.cfg a directory is not a config file. */
    make_dir("odd/pyvenv.cfg");
    resolve_error(at("odd"), TARGET_UNUSABLE, "pyvenv.cfg", NULL);
}

static void test_nonexistent_path(void **state)
{
    (void)state;
    resolve_error(at("missing"), TARGET_UNUSABLE, at("missing"), "does not exist");
    resolve_error(at("missing/bin/python3"), TARGET_UNUSABLE, "does not exist", NULL);
    resolve_error("/nonexistent-ensurepip-test/python3", TARGET_UNUSABLE,
                  "/nonexistent-ensurepip-test/python3", "does not exist");
    /* The message says where the path came from. */
    resolve_error(at("missing"), TARGET_UNUSABLE, "the python given", NULL);
    /* A dangling symbolic link. */
    make_symlink(at("nowhere"), "dangling");
    resolve_error(at("dangling"), TARGET_UNUSABLE, at("dangling"), NULL);
}

static void test_unreachable_path(void **state)
{
    (void)state;
    /* Not "does not exist": the path cannot be looked at, and the message says why. */
    write_file("afile", "x", 0644);
    resolve_error(at("afile/python3"), TARGET_UNUSABLE, at("afile/python3"), strerror(ENOTDIR));
    make_symlink("loop2", "loop1");
    make_symlink("loop1", "loop2");
    resolve_error(at("loop1"), TARGET_UNUSABLE, at("loop1"), strerror(ELOOP));
}

static void test_not_an_executable_file(void **state)
{
    (void)state;
    write_file("bin/python3", "not executable", 0644);
    resolve_error(at("bin/python3"), TARGET_UNUSABLE, at("bin/python3"), "not an executable file");
    /* Not a regular file at all. */
    resolve_error("/dev/null", TARGET_UNUSABLE, "/dev/null", "not an executable file");
}

/* ---------------------------------------------------------------------------------------- */
/* base installations */

/* A free-threaded build (python3.11t) is another ABI: refused, as a venv or as an interpreter. */
static void test_free_threaded_refused(void **state)
{
    (void)state;
    make_venv("venvt", "home = /usr/bin\nversion = 3.11.2\nexecutable = /usr/bin/python3.11t\n");
    resolve_error(at("venvt"), TARGET_OTHER_VERSION, "free-threaded Python 3.11", "python3.11t -m ensurepip");
    make_prefix("prefix", "lib", "3.11t");
    write_file("prefix/lib/python3.11/os.py", "# os\n", 0644);
    resolve_error(at("prefix/bin/python3.11t"), TARGET_OTHER_VERSION, "free-threaded", NULL);
    /* Names that only look alike are not free-threaded. */
    make_venv("venvtk", "version = 3.11.2\nexecutable = /usr/bin/python3.11tk\n");
    struct target t;
    resolve_ok(&t, at("venvtk"));
    target_free(&t);
}

static void test_base_installation(void **state)
{
    (void)state;
    make_prefix("prefix", "lib", "3.11");
    struct target t;
    resolve_ok(&t, at("prefix/bin/python3.11"));
    assert_string_equal(t.python, at("prefix/bin/python3.11"));
    assert_null(t.venv);
    assert_int_equal(t.major, 3);
    assert_int_equal(t.minor, 11);
    assert_int_equal(t.source, TARGET_FROM_OPTION);
    target_free(&t);
}

static void test_base_installation_without_sources(void **state)
{
    (void)state;
    /* Buildroot's default: a .pyc-only standard library, whose landmark is os.pyc */
    make_executable("prefix/bin/python3.11");
    write_file("prefix/lib/python3.11/os.pyc", "bytecode", 0644);
    struct target t;
    resolve_ok(&t, at("prefix/bin/python3.11"));
    assert_int_equal(t.minor, 11);
    target_free(&t);
}

/* A root whose interpreter is reached through an absolute link, as image trees have them: it
 * is read inside the root, never from the build host's /usr. */
static void test_interpreter_inside_a_root(void **state)
{
    (void)state;
    make_prefix("root/usr", "lib", "3.11");
    make_symlink("usr/bin", "root/bin");
    make_symlink("/usr/bin/python3.11", "root/usr/bin/python3");
    struct target t;
    char err[ERRLEN];
    assert_int_equal(target_resolve(&t, at("root/bin/python3"), at("root"), 3, 11, err, sizeof err), TARGET_OK);
    assert_string_equal(t.python, at("root/bin/python3"));
    assert_string_equal(t.root, at("root"));
    assert_int_equal(t.minor, 11);
    target_free(&t);
    /* without the root, the same link leads to the host's file, which is another thing */
    make_prefix("other", "lib", "3.11");
    assert_int_equal(target_resolve(&t, at("other/bin/python3.11"), at("root"), 3, 11, err, sizeof err),
                     TARGET_OK);
    assert_null(t.root);
    target_free(&t);
}

static void test_root_that_is_a_file_is_refused(void **state)
{
    (void)state;
    make_prefix("prefix", "lib", "3.11");
    write_file("rootfile", "not a directory\n", 0644);
    struct target t;
    char err[ERRLEN];
    assert_int_equal(target_resolve(&t, at("prefix/bin/python3.11"), at("rootfile"), 3, 11, err, sizeof err),
                     TARGET_UNUSABLE);
    assert_contains(err, "is not a directory");
}

static void test_root_paths_resolve_inside_the_root(void **state)
{
    (void)state;
    make_dir("root/usr/lib");
    make_dir("root/srv/local");
    make_symlink("/srv/local", "root/usr/local");
    make_symlink("../../..", "root/usr/lib/up");
    make_symlink("loop", "root/loop");
    char *p = rootpath_resolve(at("root"), "/usr/local/lib/python3.11/dist-packages");
    assert_string_equal(p, "/srv/local/lib/python3.11/dist-packages");
    free(p);
    p = rootpath_resolve(at("root"), "/usr/lib/up/../../etc");
    assert_string_equal(p, "/etc");
    free(p);
    p = rootpath_resolve(NULL, "/a/./b//c/..");
    assert_string_equal(p, "/a/b");
    free(p);
    errno = 0;
    assert_null(rootpath_resolve(at("root"), "/loop/x"));
    assert_int_equal(errno, ELOOP);
    assert_null(rootpath_resolve(at("root"), "relative"));
    p = rootpath_join(at("root"), "/srv");
    assert_string_equal(p, at("root/srv"));
    free(p);
}

static void test_base_installation_through_symlinks(void **state)
{
    (void)state;
    make_prefix("prefix", "lib", "3.11");
    make_symlink("python3.11", "prefix/bin/python3");
    struct target t;
    resolve_ok(&t, at("prefix/bin/python3"));
    assert_string_equal(t.python, at("prefix/bin/python3")); /* the link is kept */
    assert_null(t.venv);
    assert_int_equal(t.minor, 11);
    target_free(&t);

    /* A link from elsewhere (as /usr/local/bin/python3 -> /opt/python/bin/python3.11). */
    make_dir("links");
    make_symlink(at("prefix/bin/python3"), "links/py");
    resolve_ok(&t, at("links/py"));
    assert_string_equal(t.python, at("links/py"));
    assert_null(t.venv);
    assert_int_equal(t.minor, 11);
    target_free(&t);
}

static void test_base_installation_lib64(void **state)
{
    (void)state;
    make_prefix("prefix", "lib64", "3.11");
    struct target t;
    resolve_ok(&t, at("prefix/bin/python3.11"));
    assert_null(t.venv);
    assert_int_equal(t.major, 3);
    assert_int_equal(t.minor, 11);
    target_free(&t);
}

static void test_base_installation_other_version(void **state)
{
    (void)state;
    make_prefix("prefix", "lib", "3.12");
    resolve_error(at("prefix/bin/python3.12"), TARGET_OTHER_VERSION, "3.12", "3.11");
    resolve_error(at("prefix/bin/python3.12"), TARGET_OTHER_VERSION,
                  at("prefix/bin/python3.12"), NULL);
}

static void test_base_installation_prefers_wanted_version(void **state)
{
    (void)state;
    /* /usr with several Pythons: the version comes from the lib directory, the wanted one
     * if it is there. */
    make_prefix("usr", "lib", "3.10");
    make_prefix("usr", "lib", "3.11");
    make_prefix("usr", "lib", "3.12");
    make_symlink("python3.12", "usr/bin/python3");
    struct target t;
    resolve_ok(&t, at("usr/bin/python3.11"));
    assert_int_equal(t.major, 3);
    assert_int_equal(t.minor, 11);
    target_free(&t);
}

/* Regression: the prefix was pasted into a glob() pattern unescaped, so an installation of
 * another version under a path with glob metacharacters ('[', '*', '?') was not recognized
 * (TARGET_UNUSABLE instead of TARGET_OTHER_VERSION naming 3.12). */
static void test_regression_glob_metacharacters_in_prefix(void **state)
{
    (void)state;
    make_prefix("py[1]", "lib", "3.12");
    resolve_error(at("py[1]/bin/python3.12"), TARGET_OTHER_VERSION, "3.12", "3.11");
}

static void test_not_a_python_installation(void **state)
{
    (void)state;
    make_executable("prefix/bin/python3");
    resolve_error(at("prefix/bin/python3"), TARGET_UNUSABLE, at("prefix/bin/python3"),
                  "does not look like a Python installation");
    /* A lib/python3.11 directory without os.py is not a standard library. */
    make_dir("prefix/lib/python3.11");
    resolve_error(at("prefix/bin/python3"), TARGET_UNUSABLE, "does not look like a Python installation", NULL);
}

/* ---------------------------------------------------------------------------------------- */
/* relative paths, VIRTUAL_ENV, the default */

static void test_relative_paths_made_absolute(void **state)
{
    (void)state;
    make_venv("venv", venv_cfg);
    make_prefix("prefix", "lib", "3.11");
    assert_int_equal(chdir(tmp), 0);
    struct target t;
    resolve_ok(&t, "venv");
    assert_string_equal(t.venv, at("venv"));
    assert_string_equal(t.python, at("venv/bin/python"));
    target_free(&t);

    resolve_ok(&t, "venv/bin/python");
    assert_string_equal(t.python, at("venv/bin/python"));
    assert_string_equal(t.venv, at("venv"));
    target_free(&t);

    resolve_ok(&t, "prefix/bin/python3.11");
    assert_string_equal(t.python, at("prefix/bin/python3.11"));
    assert_null(t.venv);
    target_free(&t);

    /* Dots are allowed; the result is absolute and names the same files. */
    resolve_ok(&t, "./venv/../venv/bin/python");
    assert_int_equal(t.python[0], '/');
    assert_non_null(t.venv);
    assert_int_equal(t.venv[0], '/');
    struct stat a, b;
    assert_int_equal(stat(t.venv, &a), 0);
    assert_int_equal(stat(at("venv"), &b), 0);
    assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
    target_free(&t);

    assert_int_equal(chdir(at("venv/bin")), 0);
    resolve_ok(&t, "python");
    assert_string_equal(t.python, at("venv/bin/python"));
    assert_string_equal(t.venv, at("venv"));
    target_free(&t);

    /* Relative and missing: the message names the absolute path. */
    resolve_error("nope", TARGET_UNUSABLE, at("venv/bin/nope"), "does not exist");
}

static void test_virtual_env_used_when_no_python_given(void **state)
{
    (void)state;
    make_venv("venv", venv_cfg);
    make_venv("other", venv_cfg);
    assert_int_equal(setenv("VIRTUAL_ENV", at("venv"), 1), 0);
    struct target t;
    resolve_ok(&t, NULL);
    assert_string_equal(t.venv, at("venv"));
    assert_string_equal(t.python, at("venv/bin/python"));
    assert_int_equal(t.source, TARGET_FROM_VIRTUAL_ENV);
    target_free(&t);

    /* An explicit target wins over VIRTUAL_ENV. */
    resolve_ok(&t, at("other"));
    assert_string_equal(t.venv, at("other"));
    assert_int_equal(t.source, TARGET_FROM_OPTION);
    target_free(&t);

    /* A VIRTUAL_ENV that is gone: the message says where the path came from. */
    assert_int_equal(setenv("VIRTUAL_ENV", at("gone"), 1), 0);
    resolve_error(NULL, TARGET_UNUSABLE, "VIRTUAL_ENV", at("gone"));

    /* A VIRTUAL_ENV of another version. */
    make_venv("venv312", "version = 3.12.0\n");
    assert_int_equal(setenv("VIRTUAL_ENV", at("venv312"), 1), 0);
    resolve_error(NULL, TARGET_OTHER_VERSION, "3.12", "3.11");
}

static void test_default_target(void **state)
{
    (void)state;
    /* Neither a python nor VIRTUAL_ENV (unset, or empty): the Python of the build. */
    int major = 0, minor = 0;
    assert_int_equal(sscanf(PY_VERSION_BUILT, "%d.%d", &major, &minor), 2);
    for (int empty = 0; empty <= 1; empty++) {
        if (empty)
            assert_int_equal(setenv("VIRTUAL_ENV", "", 1), 0);
        else
            assert_int_equal(unsetenv("VIRTUAL_ENV"), 0);
        struct target t;
        char err[ERRLEN] = "";
        int rc = target_resolve(&t, NULL, NULL, major, minor, err, sizeof err);
        if (rc != TARGET_OK)
            fail_msg("default target: %s", err);
        assert_int_equal(t.source, TARGET_FROM_BUILD);
        assert_string_equal(t.python, ENSUREPIP_DEFAULT_PYTHON);
        assert_int_equal(t.major, major);
        assert_int_equal(t.minor, minor);
        target_free(&t);
    }
}

static void test_short_error_buffer(void **state)
{
    (void)state;
    char err[32];
    memset(err, 'X', sizeof err);
    struct target t;
    assert_int_equal(target_resolve(&t, at("missing"), NULL, 3, 11, err, 12), TARGET_UNUSABLE);
    assert_int_equal(strlen(err), 11);
    for (size_t i = 12; i < sizeof err; i++)
        assert_int_equal(err[i], 'X');
    target_free(&t);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_venv_directory),
        T(test_venv_directory_trailing_slashes),
        T(test_interpreter_inside_venv),
        T(test_venv_python_is_symlink),
        T(test_venv_with_python3_only),
        T(test_venv_without_interpreter),
        T(test_regression_venv_python_is_directory),
        T(test_regression_venv_python_directory_beside_python3),
        T(test_venv_other_version),
        T(test_venv_version_spellings),
        T(test_venv_version_from_home),
        T(test_venv_without_version),
        T(test_directory_without_pyvenv_cfg),
        T(test_nonexistent_path),
        T(test_unreachable_path),
        T(test_not_an_executable_file),
        T(test_free_threaded_refused),
        T(test_base_installation),
        T(test_base_installation_without_sources),
        T(test_interpreter_inside_a_root),
        T(test_root_that_is_a_file_is_refused),
        T(test_root_paths_resolve_inside_the_root),
        T(test_base_installation_through_symlinks),
        T(test_base_installation_lib64),
        T(test_base_installation_other_version),
        T(test_base_installation_prefers_wanted_version),
        T(test_regression_glob_metacharacters_in_prefix),
        T(test_not_a_python_installation),
        T(test_relative_paths_made_absolute),
        T(test_virtual_env_used_when_no_python_given),
        T(test_default_target),
        T(test_short_error_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
