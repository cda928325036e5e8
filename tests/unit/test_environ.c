/* Unit tests of src/environ.h: the byte-for-byte snapshot of environ and its restoration, and
 * the changes made for pip (env_prepare_for_pip).
 *
 * Every test installs an environ array of its own (owned by the test, freed at teardown) and
 * puts the process's own array back afterwards, so that nothing here changes the environment
 * cmocka and the other tests run with, and so that valgrind sees no leak. What
 * env_snapshot_restore() hands to environ stays the library's: it frees it at the next
 * restoration. */
#include "config.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "environ.h"

extern char **environ;

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---------------------------------------------------------------------------------------- */
/* fixtures */

static char **process_environ;
static void **owned;
static size_t nowned, owned_cap;

static void own(void *p)
{
    if (nowned == owned_cap) {
        owned_cap = owned_cap ? owned_cap * 2 : 256;
        void **more = realloc(owned, owned_cap * sizeof *owned);
        assert_non_null(more);
        owned = more;
    }
    owned[nowned++] = p;
}

static char *owned_strdup(const char *s)
{
    char *copy = strdup(s);
    assert_non_null(copy);
    own(copy);
    return copy;
}

static int setup(void **state)
{
    (void)state;
    process_environ = environ;
    nowned = 0;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    environ = process_environ;
    for (size_t i = 0; i < nowned; i++)
        free(owned[i]);
    nowned = 0;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    free(owned);
    owned = NULL;
    owned_cap = 0;
    return 0;
}

/* Makes environ a fresh array (owned by the test) holding copies of exactly these strings. */
static void install_env(const char *const *vars, size_t n)
{
    char **array = malloc((n + 1) * sizeof *array);
    assert_non_null(array);
    own(array);
    for (size_t i = 0; i < n; i++)
        array[i] = owned_strdup(vars[i]);
    array[n] = NULL;
    environ = array;
}

static int restore(const struct env_snapshot *snap)
{
    char **before = environ;
    int rc = env_snapshot_restore(snap);
    if (rc == 0)
        assert_ptr_not_equal(environ, before); /* a new array */
    return rc;
}

static size_t env_count(void)
{
    size_t n = 0;
    while (environ != NULL && environ[n] != NULL)
        n++;
    return n;
}

/* environ holds exactly these strings, in this order. */
static void assert_env_is(const char *const *want, size_t n)
{
    size_t have = env_count();
    for (size_t i = 0; i < have && i < n; i++) {
        if (strcmp(environ[i], want[i]) != 0)
            fail_msg("environ[%zu] is \"%.80s\", want \"%.80s\"", i, environ[i], want[i]);
    }
    if (have != n)
        fail_msg("environ has %zu strings, want %zu", have, n);
    assert_null(environ[n]);
}

static size_t count_prefixed(const char *prefix)
{
    size_t n = 0, len = strlen(prefix);
    for (size_t i = 0; environ != NULL && environ[i] != NULL; i++)
        n += strncmp(environ[i], prefix, len) == 0;
    return n;
}

static size_t count_exact(const char *s)
{
    size_t n = 0;
    for (size_t i = 0; environ != NULL && environ[i] != NULL; i++)
        n += strcmp(environ[i], s) == 0;
    return n;
}

/* ---------------------------------------------------------------------------------------- */
/* snapshots */

static void test_snapshot_copies_environ(void **state)
{
    (void)state;
    static const char *const vars[] = {"A=1", "B=two", "C=", "PATH=/usr/bin:/bin"};
    install_env(vars, N(vars));
    struct env_snapshot snap;
    assert_int_equal(env_snapshot_take(&snap), 0);
    assert_int_equal(snap.count, N(vars));
    assert_non_null(snap.vars);
    for (size_t i = 0; i < N(vars); i++) {
        assert_string_equal(snap.vars[i], vars[i]);
        assert_ptr_not_equal(snap.vars[i], environ[i]); /* deep copies */
    }
    /* Taking a snapshot changes nothing. */
    assert_env_is(vars, N(vars));
    env_snapshot_free(&snap);
    assert_null(snap.vars);
    assert_int_equal(snap.count, 0);
    env_snapshot_free(&snap); /* twice: harmless */
}

static void test_restore_after_setenv_unsetenv_putenv(void **state)
{
    (void)state;
    static const char *const vars[] = {"HOME=/root", "PATH=/usr/bin:/bin", "LANG=C.UTF-8",
                                       "KEEP=1", "EDITOR=vi"};
    install_env(vars, N(vars));
    struct env_snapshot snap;
    assert_int_equal(env_snapshot_take(&snap), 0);

    assert_int_equal(setenv("NEW", "added", 1), 0);
    assert_int_equal(setenv("HOME", "/elsewhere", 1), 0);
    assert_int_equal(unsetenv("LANG"), 0);
    assert_int_equal(putenv(owned_strdup("PUT=by putenv")), 0);
    assert_int_equal(putenv(owned_strdup("PATH=/changed")), 0);
    assert_int_equal(unsetenv("EDITOR"), 0);
    assert_string_equal(getenv("HOME"), "/elsewhere");
    assert_null(getenv("LANG"));

    assert_int_equal(restore(&snap), 0);
    assert_env_is(vars, N(vars));
    assert_null(getenv("NEW"));
    assert_null(getenv("PUT"));
    assert_string_equal(getenv("HOME"), "/root");
    assert_string_equal(getenv("LANG"), "C.UTF-8");
    assert_string_equal(getenv("PATH"), "/usr/bin:/bin");
    assert_string_equal(getenv("EDITOR"), "vi");
    env_snapshot_free(&snap);
}

static void test_restore_keeps_order_and_duplicates(void **state)
{
    (void)state;
    /* Duplicate keys, out of alphabetical order: exactly what a process may inherit. */
    static const char *const vars[] = {"Z=last", "A=1", "M=mid", "A=2", "Z=again", "A=3"};
    install_env(vars, N(vars));
    struct env_snapshot snap;
    assert_int_equal(env_snapshot_take(&snap), 0);
    assert_int_equal(snap.count, N(vars));
    for (size_t i = 0; i < N(vars); i++)
        assert_string_equal(snap.vars[i], vars[i]);

    assert_int_equal(unsetenv("A"), 0); /* removes every A */
    assert_int_equal(count_prefixed("A="), 0);
    assert_int_equal(setenv("Z", "new", 1), 0);
    assert_int_equal(setenv("B", "b", 1), 0);

    assert_int_equal(restore(&snap), 0);
    assert_env_is(vars, N(vars));
    assert_string_equal(getenv("A"), "1"); /* the first one, as before */
    env_snapshot_free(&snap);
}

static void test_restore_is_byte_for_byte(void **state)
{
    (void)state;
    /* Strings that are not NAME=value pairs a setenv could make, and a long value. */
    size_t big = 100000;
    char *long_var = malloc(big + 6);
    assert_non_null(long_var);
    own(long_var);
    memcpy(long_var, "LONG=", 5);
    for (size_t i = 0; i < big; i++)
        long_var[5 + i] = (char)('a' + i % 26);
    long_var[5 + big] = '\0';
    const char *const vars[] = {
        "EMPTY=",
        "=no name",
        "NOEQUALS",
        "K=v=w=x==",
        "UTF8=\xc3\xa9t\xc3\xa9 \xff\xfe",
        "SPACE KEY=a b\tc",
        "NL=line1\nline2",
        long_var,
        "LAST=1",
    };
    install_env(vars, N(vars));
    struct env_snapshot snap;
    assert_int_equal(env_snapshot_take(&snap), 0);
    assert_int_equal(snap.count, N(vars));
    assert_int_equal(strlen(snap.vars[7]), big + 5);

    assert_int_equal(setenv("EMPTY", "now set", 1), 0);
    assert_int_equal(unsetenv("LAST"), 0);
    assert_int_equal(setenv("LONG", "short", 1), 0);

    assert_int_equal(restore(&snap), 0);
    assert_env_is(vars, N(vars));
    for (size_t i = 0; i < N(vars); i++)
        assert_memory_equal(environ[i], vars[i], strlen(vars[i]) + 1);
    env_snapshot_free(&snap);
}

static void test_snapshot_independent_of_putenv_buffer(void **state)
{
    (void)state;
    /* putenv puts the caller's buffer itself into environ; the snapshot must copy it. */
    static const char *const vars[] = {"A=1"};
    install_env(vars, N(vars));
    char *buf = owned_strdup("BUF=before");
    assert_int_equal(putenv(buf), 0);
    struct env_snapshot snap;
    assert_int_equal(env_snapshot_take(&snap), 0);
    assert_int_equal(snap.count, 2);

    strcpy(buf, "BUF=after!"); /* the caller changes its buffer */
    assert_string_equal(getenv("BUF"), "after!");
    assert_string_equal(snap.vars[1], "BUF=before");

    assert_int_equal(restore(&snap), 0);
    static const char *const want[] = {"A=1", "BUF=before"};
    assert_env_is(want, N(want));
    assert_ptr_not_equal(environ[1], buf);
    strcpy(buf, "BUF=later!"); /* and changes it again: the restored environment keeps its own */
    assert_string_equal(getenv("BUF"), "before");
    env_snapshot_free(&snap);
}

static void test_restored_environ_outlives_snapshot(void **state)
{
    (void)state;
    static const char *const vars[] = {"ONE=1", "TWO=2", "THREE=3"};
    install_env(vars, N(vars));
    struct env_snapshot snap;
    assert_int_equal(env_snapshot_take(&snap), 0);
    assert_int_equal(setenv("ONE", "changed", 1), 0);
    assert_int_equal(restore(&snap), 0);
    env_snapshot_free(&snap); /* environ must not point into the snapshot (valgrind) */
    assert_env_is(vars, N(vars));
    assert_string_equal(getenv("TWO"), "2");
    /* And environ stays usable for setenv/unsetenv. */
    assert_int_equal(setenv("FOUR", "4", 1), 0);
    assert_int_equal(unsetenv("TWO"), 0);
    static const char *const want[] = {"ONE=1", "THREE=3", "FOUR=4"};
    assert_env_is(want, N(want));
}

static void test_restore_twice(void **state)
{
    (void)state;
    static const char *const vars[] = {"X=1", "Y=2", "X=3"};
    install_env(vars, N(vars));
    struct env_snapshot snap;
    assert_int_equal(env_snapshot_take(&snap), 0);
    for (int round = 0; round < 3; round++) {
        assert_int_equal(setenv("Y", "changed", 1), 0);
        assert_int_equal(setenv("ROUND", round ? "more" : "first", 1), 0);
        assert_int_equal(unsetenv("X"), 0);
        assert_int_equal(restore(&snap), 0);
        assert_env_is(vars, N(vars));
    }
    /* The snapshot itself was not changed by any of this. */
    assert_int_equal(snap.count, N(vars));
    for (size_t i = 0; i < N(vars); i++)
        assert_string_equal(snap.vars[i], vars[i]);
    env_snapshot_free(&snap);
}

static void test_empty_environment(void **state)
{
    (void)state;
    install_env(NULL, 0);
    struct env_snapshot snap;
    assert_int_equal(env_snapshot_take(&snap), 0);
    assert_int_equal(snap.count, 0);
    assert_int_equal(setenv("A", "1", 1), 0);
    assert_int_equal(restore(&snap), 0);
    assert_non_null(environ);
    assert_null(environ[0]);
    assert_null(getenv("A"));
    env_snapshot_free(&snap);

    /* environ NULL, as clearenv() leaves it. */
    environ = NULL;
    assert_int_equal(env_snapshot_take(&snap), 0);
    assert_int_equal(snap.count, 0);
    assert_int_equal(restore(&snap), 0);
    assert_non_null(environ);
    assert_null(environ[0]);
    env_snapshot_free(&snap);
}

static void test_snapshot_of_many_variables(void **state)
{
    (void)state;
    size_t n = 2000;
    const char **vars = malloc(n * sizeof *vars);
    assert_non_null(vars);
    char buf[64];
    for (size_t i = 0; i < n; i++) {
        snprintf(buf, sizeof buf, "VAR_%zu=%zu", (i * 7919) % n, i);
        vars[i] = owned_strdup(buf);
    }
    install_env(vars, n);
    struct env_snapshot snap;
    assert_int_equal(env_snapshot_take(&snap), 0);
    assert_int_equal(snap.count, n);
    for (size_t i = 0; i < n; i += 100) {
        snprintf(buf, sizeof buf, "VAR_%zu", (i * 7919) % n);
        assert_int_equal(unsetenv(buf), 0);
    }
    assert_int_equal(restore(&snap), 0);
    assert_env_is(vars, n);
    env_snapshot_free(&snap);
    free(vars);
}

static void test_repeated_restores_do_not_grow(void **state)
{
    (void)state;
    /* A host that calls the library many times: each call's copy must not stay allocated
     * (issue 12: about 2 KB per call with 37 variables). */
    char buf[64];
    const char *vars[40];
    for (size_t i = 0; i < N(vars); i++) {
        snprintf(buf, sizeof buf, "VARIABLE_%zu=a value of some length, %zu", i, i);
        vars[i] = owned_strdup(buf);
    }
    install_env(vars, N(vars));
    struct env_snapshot snap;
    assert_int_equal(env_snapshot_take(&snap), 0);
    assert_int_equal(restore(&snap), 0);
    size_t before = mallinfo2().uordblks;
    for (int call = 0; call < 1000; call++) {
        assert_int_equal(setenv("CHANGED", "during the call", 1), 0);
        assert_int_equal(restore(&snap), 0);
    }
    size_t after = mallinfo2().uordblks;
    assert_env_is(vars, N(vars));
    env_snapshot_free(&snap);
    /* glibc's own copy of an array on setenv may stay; the 1000 copies of ours must not. */
    if (after > before + 16384)
        fail_msg("1000 restorations left %zu bytes allocated", after - before);
}

/* ---------------------------------------------------------------------------------------- */
/* env_prepare_for_pip */

/* A name of PIP_ followed by n letters, as NAME=value. */
static const char *long_pip_var(size_t n, const char *value)
{
    char *s = malloc(4 + n + 1 + strlen(value) + 1);
    assert_non_null(s);
    own(s);
    memcpy(s, "PIP_", 4);
    memset(s + 4, 'L', n);
    s[4 + n] = '=';
    strcpy(s + 5 + n, value);
    return s;
}

static void test_prepare_for_pip(void **state)
{
    (void)state;
    const char *const vars[] = {
        "PATH=/usr/local/bin:/usr/bin",
        "PIP_INDEX_URL=https://example.invalid/simple",
        "PIPX_HOME=/opt/pipx",
        "PIP_NO_CACHE_DIR=1",
        "MY_PIP_VAR=mine",
        "PIP_CONFIG_FILE=/etc/pip.conf",
        "pip_lower=case matters",
        "PIP_X=a=b=c==",
        "PIP=no underscore",
        "PIP_=empty suffix",
        "PIP_TARGET=",
        "ENSUREPIP_OPTIONS=install",
        "PYTHONEXECUTABLE=/usr/bin/python2",
        "PYTHONPATH=/somewhere",
        "__PYVENV_LAUNCHER__=/launcher",
        "PYTHONEXECUTABLEX=not the same name",
        "PIP_DUP=1",
        "TMPDIR=/var/tmp",
        long_pip_var(251, "boundary=255"),   /* a 255-byte name */
        long_pip_var(252, "boundary=256"),   /* a 256-byte name */
        long_pip_var(2000, "very=long"),
        "PIP_DUP=2",
        "PIPENV_ACTIVE=1",
        "=PIP_NONAME",
        "VIRTUAL_ENV=/venv",
        "PYTHONEXECUTABLE=/again",
        "HOME=/root",
        "XPIP_Y=1",
    };
    install_env(vars, N(vars));
    assert_int_equal(env_prepare_for_pip("altinstall", "/tmp/ensurepip-test.1234"), 0);

    /* Every PIP_* is gone but the one it sets. */
    assert_int_equal(count_prefixed("PIP_"), 1);
    assert_int_equal(count_exact("PIP_CONFIG_FILE=/dev/null"), 1);
    assert_string_equal(getenv("PIP_CONFIG_FILE"), "/dev/null");
    assert_null(getenv("PIP_INDEX_URL"));
    assert_null(getenv("PIP_X"));
    assert_null(getenv("PIP_DUP"));
    assert_null(getenv("PIP_"));
    /* Set and removed. */
    assert_int_equal(count_prefixed("ENSUREPIP_OPTIONS="), 1);
    assert_string_equal(getenv("ENSUREPIP_OPTIONS"), "altinstall");
    assert_int_equal(count_prefixed("TMPDIR="), 1);
    assert_string_equal(getenv("TMPDIR"), "/tmp/ensurepip-test.1234");
    assert_int_equal(count_prefixed("PYTHONEXECUTABLE="), 0);
    assert_int_equal(count_prefixed("__PYVENV_LAUNCHER__="), 0);

    /* Everything else is there as it was, in the same order. */
    static const char *const kept[] = {
        "PATH=/usr/local/bin:/usr/bin", "PIPX_HOME=/opt/pipx", "MY_PIP_VAR=mine",
        "pip_lower=case matters", "PIP=no underscore", "PYTHONPATH=/somewhere",
        "PYTHONEXECUTABLEX=not the same name", "PIPENV_ACTIVE=1", "=PIP_NONAME",
        "VIRTUAL_ENV=/venv", "HOME=/root", "XPIP_Y=1",
    };
    size_t next = 0;
    for (size_t i = 0; environ[i] != NULL; i++) {
        if (strncmp(environ[i], "PIP_CONFIG_FILE=", 16) == 0
            || strncmp(environ[i], "ENSUREPIP_OPTIONS=", 18) == 0
            || strncmp(environ[i], "TMPDIR=", 7) == 0)
            continue;
        if (next == N(kept))
            fail_msg("unexpected \"%.80s\" in the environment", environ[i]);
        if (strcmp(environ[i], kept[next]) != 0)
            fail_msg("environ[%zu] is \"%.80s\", want \"%s\"", i, environ[i], kept[next]);
        next++;
    }
    assert_int_equal(next, N(kept));
    assert_int_equal(env_count(), N(kept) + 3);
}

static void test_prepare_removes_steering_variables(void **state)
{
    (void)state;
    /* Each of these changes which module CPython imports, which interpreter the target is, or
     * where pip puts files, even in an isolated interpreter (issue 11). */
    static const char *const steering[] = {
        "_PYTHON_SYSCONFIGDATA_NAME=antigravity", "_PYTHON_SYSCONFIGDATA_PATH=/tmp/x",
        "_PYTHON_PROJECT_BASE=/tmp/build", "_PYTHON_HOST_PLATFORM=linux-s390x",
        "DEB_PYTHON_INSTALL_LAYOUT=deb_system", "SETUPTOOLS_USE_DISTUTILS=stdlib",
        "PYTHONEXECUTABLE=/usr/bin/other", "__PYVENV_LAUNCHER__=/l",
        "_PIP_USE_IMPORTLIB_METADATA=0", "_PIP_LOCATIONS_NO_WARN_ON_MISMATCH=1",
    };
    const char *vars[N(steering) + 2];
    vars[0] = "KEEP=1";
    for (size_t i = 0; i < N(steering); i++)
        vars[i + 1] = steering[i];
    vars[N(steering) + 1] = "_PYTHON_OTHER=kept";
    install_env(vars, N(vars));
    assert_int_equal(env_prepare_for_pip(NULL, "/tmp/t"), 0);
    for (size_t i = 0; i < N(steering); i++) {
        size_t name = (size_t)(strchr(steering[i], '=') - steering[i]) + 1;
        char prefix[64];
        snprintf(prefix, sizeof prefix, "%.*s", (int)name, steering[i]);
        if (count_prefixed(prefix) != 0)
            fail_msg("%s is still set", prefix);
    }
    assert_string_equal(getenv("KEEP"), "1");
    assert_string_equal(getenv("_PYTHON_OTHER"), "kept");
}

static void test_prepare_null_options_removes_inherited(void **state)
{
    (void)state;
    static const char *const vars[] = {"ENSUREPIP_OPTIONS=altinstall", "A=1",
                                       "ENSUREPIP_OPTIONS=install"};
    install_env(vars, N(vars));
    assert_int_equal(env_prepare_for_pip(NULL, "/tmp/x"), 0);
    assert_int_equal(count_prefixed("ENSUREPIP_OPTIONS="), 0);
    assert_null(getenv("ENSUREPIP_OPTIONS"));
    assert_string_equal(getenv("A"), "1");

    /* Nothing inherited: still nothing. */
    static const char *const none[] = {"A=1"};
    install_env(none, N(none));
    assert_int_equal(env_prepare_for_pip(NULL, "/tmp/x"), 0);
    assert_null(getenv("ENSUREPIP_OPTIONS"));
}

static void test_prepare_in_empty_environment(void **state)
{
    (void)state;
    install_env(NULL, 0);
    assert_int_equal(env_prepare_for_pip("install", "/tmp/dir with space"), 0);
    assert_int_equal(env_count(), 3);
    assert_int_equal(count_exact("PIP_CONFIG_FILE=/dev/null"), 1);
    assert_int_equal(count_exact("ENSUREPIP_OPTIONS=install"), 1);
    assert_int_equal(count_exact("TMPDIR=/tmp/dir with space"), 1);

    /* environ NULL as well. */
    environ = NULL;
    assert_int_equal(env_prepare_for_pip(NULL, "/tmp/t"), 0);
    assert_int_equal(env_count(), 2);
    assert_string_equal(getenv("PIP_CONFIG_FILE"), "/dev/null");
    assert_string_equal(getenv("TMPDIR"), "/tmp/t");
}

static void test_prepare_removes_many_pip_variables(void **state)
{
    (void)state;
    size_t n = 600;
    const char **vars = malloc(n * sizeof *vars);
    assert_non_null(vars);
    char buf[64];
    for (size_t i = 0; i < n; i++) {
        if (i % 3 == 0)
            snprintf(buf, sizeof buf, "KEEP_%zu=%zu", i, i);
        else
            snprintf(buf, sizeof buf, "PIP_OPTION_%zu=value=%zu", i, i);
        vars[i] = owned_strdup(buf);
    }
    install_env(vars, n);
    assert_int_equal(env_prepare_for_pip("", "/tmp"), 0);
    assert_int_equal(count_prefixed("PIP_"), 1);
    assert_int_equal(count_prefixed("KEEP_"), n / 3);
    assert_string_equal(getenv("ENSUREPIP_OPTIONS"), "");
    /* The kept ones in their order. */
    size_t k = 0;
    for (size_t i = 0; environ[i] != NULL; i++) {
        if (strncmp(environ[i], "KEEP_", 5) != 0)
            continue;
        snprintf(buf, sizeof buf, "KEEP_%zu=%zu", 3 * k, 3 * k);
        assert_string_equal(environ[i], buf);
        k++;
    }
    assert_int_equal(k, n / 3);
    free(vars);
}

static void test_prepare_then_restore(void **state)
{
    (void)state;
    /* How a run uses them: snapshot, prepare, (pip), restore. */
    static const char *const vars[] = {"PIP_INDEX_URL=x", "TMPDIR=/var/tmp", "PATH=/bin",
                                       "PYTHONEXECUTABLE=/p", "PIP_INDEX_URL=y",
                                       "ENSUREPIP_OPTIONS=z", "__PYVENV_LAUNCHER__=/l"};
    install_env(vars, N(vars));
    struct env_snapshot snap;
    assert_int_equal(env_snapshot_take(&snap), 0);
    assert_int_equal(env_prepare_for_pip("default-pip", "/tmp/run"), 0);
    assert_null(getenv("PIP_INDEX_URL"));
    assert_int_equal(restore(&snap), 0);
    assert_env_is(vars, N(vars));
    env_snapshot_free(&snap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_snapshot_copies_environ, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restore_after_setenv_unsetenv_putenv, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restore_keeps_order_and_duplicates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restore_is_byte_for_byte, setup, teardown),
        cmocka_unit_test_setup_teardown(test_snapshot_independent_of_putenv_buffer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restored_environ_outlives_snapshot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restore_twice, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_environment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_snapshot_of_many_variables, setup, teardown),
        cmocka_unit_test_setup_teardown(test_repeated_restores_do_not_grow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prepare_for_pip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prepare_removes_steering_variables, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prepare_null_options_removes_inherited, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prepare_in_empty_environment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prepare_removes_many_pip_variables, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prepare_then_restore, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, group_teardown);
}
