/* Keeping the embedded interpreter off the network: an audit hook, in place before the
 * interpreter starts, that makes every attempt at a network socket or a name lookup fail with
 * PermissionError. pip has no business with the network here; the hook turns "pip happens not to
 * connect" into "nothing in this interpreter can" (urllib3, imported by pip, probes IPv6 with a
 * socket at import time, for one). CPython removes audit hooks at finalization. */
#ifndef ENSUREPIP_OFFLINE_H
#define ENSUREPIP_OFFLINE_H

#include <stddef.h>

/* Adds the hook. Call after Py_PreInitialize(), before Py_InitializeFromConfig(). Returns 0,
 * or -1 with a message (another audit hook refused it). */
int offline_guard_install(char *err, size_t errlen);

/* Makes the hook inert after an interpreter failed to start: the host's own later use of the
 * Python runtime must not meet ensurepip's guard. (A failed Py_InitializeFromConfig() may leave
 * the runtime partly initialized; the C API has no way to undo that.) */
void offline_guard_disarm(void);

#endif
