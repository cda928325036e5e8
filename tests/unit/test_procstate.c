/* Unit tests of src/procstate.h: the process state a run saves, changes and puts back, and the
 * signals it hands back to the caller. Each test sets a state of its own as the "caller", then
 * enters and leaves a run and looks at what the caller finds. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
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

#include "interrupt.h"
#include "procstate.h"

extern char **environ;

static volatile sig_atomic_t handled[NSIG];

static void count(int sig)
{
    handled[sig]++;
}

static void set_handler(int sig, void (*handler)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(sig, &sa, NULL), 0);
}

static void (*handler_of(int sig))(int)
{
    struct sigaction sa;
    assert_int_equal(sigaction(sig, NULL, &sa), 0);
    return sa.sa_handler;
}

static int is_open(int fd)
{
    return fcntl(fd, F_GETFD) != -1;
}

static void enter(struct process_state *ps)
{
    char err[256];
    assert_int_equal(process_state_enter(ps, err, sizeof err), 0);
}

static void leave(struct process_state *ps, sigset_t *arrived)
{
    char err[256];
    sigemptyset(arrived);
    assert_int_equal(process_state_leave(ps, arrived, err, sizeof err), 0);
}

static int setup(void **state)
{
    (void)state;
    for (int sig = 0; sig < NSIG; sig++)
        handled[sig] = 0;
    static const int caller_handles[] = {SIGINT, SIGTERM, SIGHUP, SIGUSR1};
    for (size_t i = 0; i < sizeof caller_handles / sizeof caller_handles[0]; i++)
        set_handler(caller_handles[i], count);
    set_handler(SIGPIPE, SIG_DFL);
    set_handler(SIGXFSZ, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    pthread_sigmask(SIG_SETMASK, &none, NULL);
    return 0;
}

/* What the run changes, all of it, comes back as it was. */
static void test_everything_changed_is_put_back(void **state)
{
    (void)state;
    char cwd[4096], after_cwd[4096];
    assert_non_null(getcwd(cwd, sizeof cwd));
    setenv("PROCSTATE_TEST", "kept", 1);
    mode_t mask = umask(027);
    sigset_t blocked, now;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &blocked, NULL);

    struct process_state ps;
    sigset_t arrived;
    enter(&ps);
    assert_int_equal(chdir("/"), 0);
    umask(0);
    setenv("PROCSTATE_TEST", "changed", 1);
    setenv("PROCSTATE_NEW", "1", 1);
    setlocale(LC_ALL, "C");
    sigfillset(&now);
    pthread_sigmask(SIG_SETMASK, &now, NULL); /* what a failed thread start once left behind */
    set_handler(SIGUSR1, SIG_IGN);
    leave(&ps, &arrived);

    assert_non_null(getcwd(after_cwd, sizeof after_cwd));
    assert_string_equal(after_cwd, cwd);
    assert_int_equal(umask(mask), 027);
    assert_string_equal(getenv("PROCSTATE_TEST"), "kept");
    assert_null(getenv("PROCSTATE_NEW"));
    pthread_sigmask(SIG_SETMASK, NULL, &now);
    assert_int_equal(sigismember(&now, SIGUSR2), 1);
    assert_int_equal(sigismember(&now, SIGTERM), 0);
    assert_ptr_equal(handler_of(SIGUSR1), count);
    pthread_sigmask(SIG_UNBLOCK, &blocked, NULL);
    unsetenv("PROCSTATE_TEST");
}

/* During the run SIGPIPE and SIGXFSZ are ignored; after it they are the caller's again. */
static void test_sigpipe_and_sigxfsz_ignored_for_the_run_only(void **state)
{
    (void)state;
    struct process_state ps;
    sigset_t arrived;
    enter(&ps);
    assert_ptr_equal(handler_of(SIGPIPE), SIG_IGN);
    assert_ptr_equal(handler_of(SIGXFSZ), SIG_IGN);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    close(fds[0]);
    assert_int_equal(write(fds[1], "x", 1), -1); /* alive: EPIPE, not a death */
    assert_int_equal(errno, EPIPE);
    close(fds[1]);
    leave(&ps, &arrived);
    assert_ptr_equal(handler_of(SIGPIPE), SIG_DFL);
    assert_ptr_equal(handler_of(SIGXFSZ), SIG_DFL);
}

/* A run-ending signal the caller ignores stays ignored; one it handles is recorded by the run
 * and handed back to the caller's handler after leaving, once. */
static void test_ignored_signal_stays_ignored_and_handled_one_comes_back(void **state)
{
    (void)state;
    set_handler(SIGHUP, SIG_IGN);
    struct process_state ps;
    sigset_t arrived;
    enter(&ps);
    assert_ptr_equal(handler_of(SIGHUP), SIG_IGN);
    assert_ptr_not_equal(handler_of(SIGTERM), count);
    raise(SIGHUP);
    raise(SIGTERM);
    assert_int_equal(interrupt_pending(), SIGTERM);
    assert_int_equal(handled[SIGTERM], 0);
    leave(&ps, &arrived);
    assert_int_equal(sigismember(&arrived, SIGTERM), 1);
    assert_int_equal(sigismember(&arrived, SIGHUP), 0);
    assert_ptr_equal(handler_of(SIGHUP), SIG_IGN);
    process_state_redeliver(&arrived);
    assert_int_equal(handled[SIGTERM], 1);
    assert_int_equal(handled[SIGHUP], 0);
}

/* Two different signals in one run: both come back, not only the first. */
static void test_every_signal_that_arrived_comes_back(void **state)
{
    (void)state;
    struct process_state ps;
    sigset_t arrived;
    enter(&ps);
    raise(SIGINT);
    raise(SIGTERM);
    leave(&ps, &arrived);
    process_state_redeliver(&arrived);
    assert_int_equal(handled[SIGINT], 1);
    assert_int_equal(handled[SIGTERM], 1);
}

/* A signal the caller blocks is handed back as pending, for the caller to take when it will. */
static void test_signal_blocked_by_the_caller_stays_pending(void **state)
{
    (void)state;
    struct process_state ps;
    sigset_t arrived, block, pending;
    enter(&ps);
    raise(SIGINT);
    leave(&ps, &arrived);
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    pthread_sigmask(SIG_BLOCK, &block, NULL);
    process_state_redeliver(&arrived);
    assert_int_equal(handled[SIGINT], 0);
    sigpending(&pending);
    assert_int_equal(sigismember(&pending, SIGINT), 1);
    pthread_sigmask(SIG_UNBLOCK, &block, NULL);
    assert_int_equal(handled[SIGINT], 1);
}

/* Closed standard descriptors are /dev/null for the run, so that nothing the run opens takes
 * their numbers, and closed again after it. */
static void test_closed_standard_descriptors_covered_for_the_run(void **state)
{
    (void)state;
    int saved_in = dup(0), saved_err = dup(2);
    assert_true(saved_in > 2 && saved_err > 2);
    close(0);
    close(2);
    struct process_state ps;
    sigset_t arrived;
    enter(&ps);
    int in_open = is_open(0), err_open = is_open(2);
    int opened = open("/dev/null", O_RDONLY);
    leave(&ps, &arrived);
    int in_after = is_open(0), err_after = is_open(2);
    if (opened >= 0)
        close(opened);
    dup2(saved_in, 0);
    dup2(saved_err, 2);
    close(saved_in);
    close(saved_err);
    assert_true(in_open && err_open);
    assert_true(opened > 2);
    assert_false(in_after);
    assert_false(err_after);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_everything_changed_is_put_back, setup),
        cmocka_unit_test_setup(test_sigpipe_and_sigxfsz_ignored_for_the_run_only, setup),
        cmocka_unit_test_setup(test_ignored_signal_stays_ignored_and_handled_one_comes_back, setup),
        cmocka_unit_test_setup(test_every_signal_that_arrived_comes_back, setup),
        cmocka_unit_test_setup(test_signal_blocked_by_the_caller_stays_pending, setup),
        cmocka_unit_test_setup(test_closed_standard_descriptors_covered_for_the_run, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
