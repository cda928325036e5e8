#include "config.h"

#include "interrupt.h"

static const int run_ending[] = {SIGINT, SIGTERM, SIGHUP};
#define RUN_ENDING_COUNT (sizeof run_ending / sizeof run_ending[0])

/* The one piece of global state: a signal handler has no other place to put what it saw. Each
 * signal has a flag of its own, so that a second one is not lost behind the first; first is
 * the one that ended the run. */
static volatile sig_atomic_t first, seen[RUN_ENDING_COUNT];
/* Which of them this run records (the others were ignored by the caller). */
static int taken[RUN_ENDING_COUNT];

/* The signal handler; also called for a signal the Python glue caught. */
void interrupt_record(int sig)
{
    for (size_t i = 0; i < RUN_ENDING_COUNT; i++)
        if (run_ending[i] == sig)
            seen[i] = 1;
    if (first == 0)
        first = sig;
}

void interrupt_rearm(void)
{
    struct sigaction sa = {.sa_handler = interrupt_record};
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < RUN_ENDING_COUNT; i++)
        if (taken[i])
            sigaction(run_ending[i], &sa, NULL);
}

void interrupt_catch(void)
{
    first = 0;
    for (size_t i = 0; i < RUN_ENDING_COUNT; i++) {
        struct sigaction now;
        seen[i] = 0;
        taken[i] = sigaction(run_ending[i], NULL, &now) == 0 && now.sa_handler != SIG_IGN;
    }
    interrupt_rearm();
}

int interrupt_pending(void)
{
    return first;
}

void interrupt_take(sigset_t *set)
{
    for (size_t i = 0; i < RUN_ENDING_COUNT; i++) {
        if (seen[i])
            sigaddset(set, run_ending[i]);
        seen[i] = 0;
    }
    first = 0;
}

void interrupt_block(sigset_t *old)
{
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < RUN_ENDING_COUNT; i++)
        sigaddset(&set, run_ending[i]);
    pthread_sigmask(SIG_BLOCK, &set, old);
}
