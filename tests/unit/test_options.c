/* Unit tests of option checking (src/options.h: options_check) and of the small public helpers
 * of include/ensurepip.h: ensurepip_options_init, ensurepip_strerror, ensurepip_action_name. */
#include "config.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"

#include "ensurepip.h"
#include "options.h"

#define ERRLEN 512

static const enum run_command both_commands[] = {RUN_INSTALL, RUN_UNINSTALL};

static struct ensurepip_options defaults(void)
{
    struct ensurepip_options opts;
    ensurepip_options_init(&opts);
    return opts;
}

static void expect_ok(const struct ensurepip_options *opts, enum run_command command)
{
    char err[ERRLEN] = "";
    if (options_check(opts, command, err, sizeof err) != 0)
        fail_msg("options refused for %s: %s", command == RUN_INSTALL ? "install" : "uninstall", err);
}

static void expect_refused(const struct ensurepip_options *opts, enum run_command command,
                           const char *want)
{
    char err[ERRLEN] = "";
    if (options_check(opts, command, err, sizeof err) != -1)
        fail_msg("options accepted for %s, want \"%s\"",
                 command == RUN_INSTALL ? "install" : "uninstall", want);
    assert_contains(err, want);
}

/* ---------------------------------------------------------------------------------------- */
/* ensurepip_options_init */

static void test_init_sets_defaults(void **state)
{
    (void)state;
    struct ensurepip_options opts;
    memset(&opts, 0xa5, sizeof opts); /* whatever was there before */
    ensurepip_options_init(&opts);
    assert_null(opts.python);
    assert_null(opts.root);
    assert_int_equal(opts.upgrade, 0);
    assert_int_equal(opts.user, 0);
    assert_int_equal(opts.altinstall, 0);
    assert_int_equal(opts.default_pip, 0);
    assert_int_equal(opts.verbosity, 0);
    assert_null(opts.script_interpreter);
    assert_int_equal(opts.no_compile, 0);
    assert_null(opts.report);
    assert_true(opts.lock_timeout == 600.0);
    /* The defaults are valid for both commands. */
    expect_ok(&opts, RUN_INSTALL);
    expect_ok(&opts, RUN_UNINSTALL);
}

/* ---------------------------------------------------------------------------------------- */
/* options_check */

static void test_altinstall_with_default_pip_refused(void **state)
{
    (void)state;
    struct ensurepip_options opts = defaults();
    opts.altinstall = 1;
    opts.default_pip = 1;
    char err[ERRLEN] = "";
    assert_int_equal(options_check(&opts, RUN_INSTALL, err, sizeof err), -1);
    /* The very words of ensurepip._bootstrap(). */
    assert_string_equal(err, "Cannot use altinstall and default_pip together");

    /* Any non-zero value counts as set. */
    opts.altinstall = 7;
    opts.default_pip = -1;
    expect_refused(&opts, RUN_INSTALL, "Cannot use altinstall and default_pip together");
    opts.upgrade = 1;
    opts.user = 1;
    expect_refused(&opts, RUN_INSTALL, "Cannot use altinstall and default_pip together");
}

static void test_altinstall_or_default_pip_alone(void **state)
{
    (void)state;
    struct ensurepip_options opts = defaults();
    opts.altinstall = 1;
    expect_ok(&opts, RUN_INSTALL);
    opts = defaults();
    opts.default_pip = 1;
    expect_ok(&opts, RUN_INSTALL);
}

static void test_valid_install_combinations(void **state)
{
    (void)state;
    static const char *const roots[] = {NULL, "/tmp/stage", "relative/root"};
    static const char *const pythons[] = {NULL, "/usr/bin/python3.11", "venv", "/does/not/exist"};
    for (int bits = 0; bits < 16; bits++) {
        for (size_t r = 0; r < sizeof roots / sizeof roots[0]; r++) {
            struct ensurepip_options opts = defaults();
            opts.upgrade = bits & 1;
            opts.user = (bits >> 1) & 1;
            opts.altinstall = (bits >> 2) & 1;
            opts.default_pip = (bits >> 3) & 1;
            opts.root = roots[r];
            opts.python = pythons[(size_t)bits % 4];
            opts.verbosity = bits % 4;
            if (opts.altinstall && opts.default_pip)
                expect_refused(&opts, RUN_INSTALL, "Cannot use altinstall and default_pip together");
            else
                expect_ok(&opts, RUN_INSTALL);
        }
    }
}

static void test_negative_verbosity_refused(void **state)
{
    (void)state;
    static const int bad[] = {-1, -2, -100, INT_MIN};
    for (size_t c = 0; c < 2; c++) {
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            struct ensurepip_options opts = defaults();
            opts.verbosity = bad[i];
            char want[64];
            snprintf(want, sizeof want, "verbosity %d is negative", bad[i]);
            expect_refused(&opts, both_commands[c], want);
        }
        for (int v = 0; v <= 3; v++) {
            struct ensurepip_options opts = defaults();
            opts.verbosity = v;
            expect_ok(&opts, both_commands[c]);
        }
    }
}

static void test_empty_python_refused(void **state)
{
    (void)state;
    for (size_t c = 0; c < 2; c++) {
        struct ensurepip_options opts = defaults();
        opts.python = "";
        expect_refused(&opts, both_commands[c], "the target python is an empty path");
        opts.python = "/usr/bin/python3";
        expect_ok(&opts, both_commands[c]);
        opts.python = " "; /* odd, but a path */
        expect_ok(&opts, both_commands[c]);
    }
}

static void test_empty_root_refused(void **state)
{
    (void)state;
    for (size_t c = 0; c < 2; c++) {
        struct ensurepip_options opts = defaults();
        opts.root = ""; /* an unset variable in a build script: never the build host */
        expect_refused(&opts, both_commands[c], "the root is an empty path");
        opts.root = "/";
        expect_ok(&opts, both_commands[c]);
    }
}

static void test_uninstall_refuses_install_options(void **state)
{
    (void)state;
    struct ensurepip_options opts = defaults();
    opts.upgrade = 1;
    expect_refused(&opts, RUN_UNINSTALL, "uninstall takes no upgrade");
    expect_ok(&opts, RUN_INSTALL);

    opts = defaults();
    opts.altinstall = 1;
    expect_refused(&opts, RUN_UNINSTALL, "altinstall");
    expect_ok(&opts, RUN_INSTALL);

    opts = defaults();
    opts.default_pip = 1;
    expect_refused(&opts, RUN_UNINSTALL, "default_pip");
    expect_ok(&opts, RUN_INSTALL);

    opts = defaults();
    opts.altinstall = 1;
    opts.default_pip = 1;
    expect_refused(&opts, RUN_UNINSTALL, "uninstall");

    opts = defaults();
    opts.script_interpreter = "/usr/bin/env python3";
    expect_refused(&opts, RUN_UNINSTALL, "script_interpreter");
    expect_ok(&opts, RUN_INSTALL);

    opts = defaults();
    opts.no_compile = 1;
    expect_refused(&opts, RUN_UNINSTALL, "no_compile");
    expect_ok(&opts, RUN_INSTALL);
}

static void test_uninstall_accepts_its_options(void **state)
{
    (void)state;
    /* "Uses opts->python, root, user and verbosity." */
    struct ensurepip_options opts = defaults();
    opts.python = "/usr/bin/python3.11";
    opts.root = "/tmp/stage";
    opts.user = 1;
    opts.verbosity = 3;
    opts.report = "-";
    expect_ok(&opts, RUN_UNINSTALL);
}

static void test_report_path(void **state)
{
    (void)state;
    for (size_t c = 0; c < 2; c++) {
        struct ensurepip_options opts = defaults();
        opts.report = "";
        expect_refused(&opts, both_commands[c], "report");
        opts.report = "-";
        expect_ok(&opts, both_commands[c]);
        opts.report = "/tmp/report.json";
        expect_ok(&opts, both_commands[c]);
    }
}

static void test_lock_timeout(void **state)
{
    (void)state;
    static const double good[] = {0.0, 0.001, 1.0, 600.0, 86400.0, 1e9};
    const double bad[] = {-0.001, -1.0, -600.0, 1e9 + 1, 1e300, INFINITY, -INFINITY, NAN};
    for (size_t c = 0; c < 2; c++) {
        for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
            struct ensurepip_options opts = defaults();
            opts.lock_timeout = good[i];
            expect_ok(&opts, both_commands[c]);
        }
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
            struct ensurepip_options opts = defaults();
            opts.lock_timeout = bad[i];
            expect_refused(&opts, both_commands[c], "lock timeout");
        }
    }
}

static void test_script_interpreter(void **state)
{
    (void)state;
    struct ensurepip_options opts = defaults();
    opts.script_interpreter = "/usr/bin/env python3";
    expect_ok(&opts, RUN_INSTALL);
    opts.script_interpreter = "/opt/python/bin/python3.11 -s";
    expect_ok(&opts, RUN_INSTALL);

    static const char *const bad[] = {"", "/usr/bin/python3\n", "/usr/bin/python3\r",
                                      "/usr/bin/env\npython3", " /usr/bin/python3",
                                      "\t/usr/bin/python3"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        opts.script_interpreter = bad[i];
        expect_refused(&opts, RUN_INSTALL, "script interpreter");
    }

    /* "#!" + interpreter + "\n" must fit in SHEBANG_MAX bytes. */
    char interp[SHEBANG_MAX + 8];
    memset(interp, 'p', sizeof interp);
    interp[0] = '/';
    interp[SHEBANG_MAX - 3] = '\0';
    opts.script_interpreter = interp;
    expect_ok(&opts, RUN_INSTALL);
    interp[SHEBANG_MAX - 3] = 'p';
    interp[SHEBANG_MAX - 2] = '\0';
    char want[64];
    snprintf(want, sizeof want, "at most %d", SHEBANG_MAX - 3);
    expect_refused(&opts, RUN_INSTALL, want);
}

static void test_error_buffer_respected(void **state)
{
    (void)state;
    struct ensurepip_options opts = defaults();
    opts.altinstall = 1;
    opts.default_pip = 1;
    char err[32];
    memset(err, 'X', sizeof err);
    assert_int_equal(options_check(&opts, RUN_INSTALL, err, 10), -1);
    assert_string_equal(err, "Cannot us");
    for (size_t i = 10; i < sizeof err; i++)
        assert_int_equal(err[i], 'X');
}

/* ---------------------------------------------------------------------------------------- */
/* ensurepip_strerror and ensurepip_action_name */

/* Every status there is. A value added to the enum without being added here is a compile
 * error (-Wswitch-enum -Werror), so that the tests below always cover all of them. */
static const enum ensurepip_status all_statuses[] = {
    ENSUREPIP_OK, ENSUREPIP_E_PIP, ENSUREPIP_E_USAGE, ENSUREPIP_E_TARGET,
    ENSUREPIP_E_TARGET_VERSION, ENSUREPIP_E_RUNTIME, ENSUREPIP_E_WHEEL, ENSUREPIP_E_PYTHON,
    ENSUREPIP_E_BUSY, ENSUREPIP_E_SYSTEM, ENSUREPIP_E_AUDIT, ENSUREPIP_E_INTERRUPTED,
    ENSUREPIP_E_EXTERNALLY_MANAGED, ENSUREPIP_E_NO_SPACE, ENSUREPIP_E_READ_ONLY,
    ENSUREPIP_E_PERMISSION, ENSUREPIP_E_LOCKED, ENSUREPIP_E_REPORT,
};
#define N_STATUSES (sizeof all_statuses / sizeof all_statuses[0])

static int status_is_listed(enum ensurepip_status status)
{
    switch (status) {
    case ENSUREPIP_OK:
    case ENSUREPIP_E_PIP:
    case ENSUREPIP_E_USAGE:
    case ENSUREPIP_E_TARGET:
    case ENSUREPIP_E_TARGET_VERSION:
    case ENSUREPIP_E_RUNTIME:
    case ENSUREPIP_E_WHEEL:
    case ENSUREPIP_E_PYTHON:
    case ENSUREPIP_E_BUSY:
    case ENSUREPIP_E_SYSTEM:
    case ENSUREPIP_E_AUDIT:
    case ENSUREPIP_E_INTERRUPTED:
    case ENSUREPIP_E_EXTERNALLY_MANAGED:
    case ENSUREPIP_E_NO_SPACE:
    case ENSUREPIP_E_READ_ONLY:
    case ENSUREPIP_E_PERMISSION:
    case ENSUREPIP_E_LOCKED:
    case ENSUREPIP_E_REPORT:
        return 1;
    }
    return 0;
}

static void test_strerror_every_status(void **state)
{
    (void)state;
    int highest = 0;
    for (size_t i = 0; i < N_STATUSES; i++) {
        int s = (int)all_statuses[i];
        assert_true(status_is_listed(all_statuses[i]));
        /* The values are 0, 1, 2, ...: append-only, no gaps. */
        assert_int_equal(s, (int)i);
        const char *text = ensurepip_strerror(s);
        if (text == NULL || text[0] == '\0')
            fail_msg("ensurepip_strerror(%d) is empty", s);
        if (strcmp(text, "unknown status") == 0)
            fail_msg("ensurepip_strerror(%d) says \"unknown status\"", s);
        for (size_t j = 0; j < i; j++) {
            if (strcmp(text, ensurepip_strerror((int)all_statuses[j])) == 0)
                fail_msg("statuses %d and %d share the description \"%s\"", (int)all_statuses[j], s, text);
        }
        /* The same string each time. */
        assert_ptr_equal(ensurepip_strerror(s), text);
        if (s > highest)
            highest = s;
    }
    /* The example of the header. */
    assert_string_equal(ensurepip_strerror(ENSUREPIP_E_PIP), "pip's installer failed");
    assert_string_equal(ensurepip_strerror(ENSUREPIP_OK), "success");
    assert_int_equal(highest, (int)N_STATUSES - 1);
}

static void test_strerror_out_of_range(void **state)
{
    (void)state;
    const int bad[] = {-1, -2, (int)N_STATUSES, (int)N_STATUSES + 1, 100, 128 + 2, 255, INT_MAX,
                       INT_MIN};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *text = ensurepip_strerror(bad[i]);
        assert_non_null(text);
        if (strcmp(text, "unknown status") != 0)
            fail_msg("ensurepip_strerror(%d) is \"%s\"", bad[i], text);
    }
}

static const char *action_expected(enum ensurepip_action action)
{
    switch (action) {
    case ENSUREPIP_ACTION_NONE: return "none";
    case ENSUREPIP_ACTION_INSTALLED: return "installed";
    case ENSUREPIP_ACTION_UPGRADED: return "upgraded";
    case ENSUREPIP_ACTION_ALREADY_PRESENT: return "already-present";
    case ENSUREPIP_ACTION_UNINSTALLED: return "uninstalled";
    case ENSUREPIP_ACTION_NOT_INSTALLED: return "not-installed";
    case ENSUREPIP_ACTION_SKIPPED: return "skipped";
    case ENSUREPIP_ACTION_FAILED: return "failed";
    }
    return NULL;
}

static void test_action_names(void **state)
{
    (void)state;
    static const enum ensurepip_action actions[] = {
        ENSUREPIP_ACTION_NONE, ENSUREPIP_ACTION_INSTALLED, ENSUREPIP_ACTION_UPGRADED,
        ENSUREPIP_ACTION_ALREADY_PRESENT, ENSUREPIP_ACTION_UNINSTALLED,
        ENSUREPIP_ACTION_NOT_INSTALLED, ENSUREPIP_ACTION_SKIPPED, ENSUREPIP_ACTION_FAILED,
    };
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++) {
        const char *want = action_expected(actions[i]);
        assert_non_null(want);
        const char *name = ensurepip_action_name(actions[i]);
        assert_non_null(name);
        assert_string_equal(name, want);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(name, ensurepip_action_name(actions[j]));
    }
    assert_int_equal(ENSUREPIP_ACTION_NONE, 0);
}

static void test_action_name_out_of_range(void **state)
{
    (void)state;
    /* "never NULL", whatever the value. */
    const int bad[] = {-1, 8, 9, 1000, INT_MAX, INT_MIN};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *name = ensurepip_action_name((enum ensurepip_action)bad[i]);
        assert_non_null(name);
        assert_true(name[0] != '\0');
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_sets_defaults),
        cmocka_unit_test(test_altinstall_with_default_pip_refused),
        cmocka_unit_test(test_altinstall_or_default_pip_alone),
        cmocka_unit_test(test_valid_install_combinations),
        cmocka_unit_test(test_negative_verbosity_refused),
        cmocka_unit_test(test_empty_python_refused),
        cmocka_unit_test(test_empty_root_refused),
        cmocka_unit_test(test_uninstall_refuses_install_options),
        cmocka_unit_test(test_uninstall_accepts_its_options),
        cmocka_unit_test(test_report_path),
        cmocka_unit_test(test_lock_timeout),
        cmocka_unit_test(test_script_interpreter),
        cmocka_unit_test(test_error_buffer_respected),
        cmocka_unit_test(test_strerror_every_status),
        cmocka_unit_test(test_strerror_out_of_range),
        cmocka_unit_test(test_action_names),
        cmocka_unit_test(test_action_name_out_of_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
