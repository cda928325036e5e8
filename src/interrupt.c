#include "config.h"

#include "interrupt.h"

#include <string.h>

/* The one piece of global state: a signal handler has no other place to put what it saw. */
static volatile sig_atomic_t recorded;

static const int run_ending[] = {SIGINT, SIGTERM, SIGHUP};

static void record(int sig)
{
    if (recorded == 0)
        recorded = sig;
}

void interrupt_rearm(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = record;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof run_ending / sizeof run_ending[0]; i++)
        sigaction(run_ending[i], &sa, NULL);
}

void interrupt_catch(void)
{
    recorded = 0;
    interrupt_rearm();
}

int interrupt_pending(void)
{
    return recorded;
}

void interrupt_record(int sig)
{
    record(sig);
}

void interrupt_block(sigset_t *old)
{
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < sizeof run_ending / sizeof run_ending[0]; i++)
        sigaddset(&set, run_ending[i]);
    pthread_sigmask(SIG_BLOCK, &set, old);
}

void interrupt_unblock(const sigset_t *old)
{
    pthread_sigmask(SIG_SETMASK, old, NULL);
}
