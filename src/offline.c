#include <Python.h> /* first: it sets feature macros */

#include "config.h"

#include "offline.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* Name lookups may reach a DNS server from inside the C library, without a socket object. */
static const char *const lookups[] = {
    "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr", "socket.getnameinfo",
    "urllib.Request",
};

/* Operations whose address argument is a tuple for network families (a path for AF_UNIX). */
static const char *const addressed[] = {
    "socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg",
};

static int refuse(const char *event)
{
    PyErr_Format(PyExc_PermissionError, "ensurepip works offline: %s is not allowed", event);
    return -1;
}

/* Whether the guard acts: only while ensurepip's interpreter lives. A hook cannot be removed
 * before the interpreter has started; after a failed start it stays in the runtime, inert, and
 * is used again by the next start instead of being added twice. Py_FinalizeEx() removes it. */
static int active, left_in_runtime;

static int guard(const char *event, PyObject *args, void *Py_UNUSED(data))
{
    if (!active)
        return 0;
    if (strncmp(event, "socket.", 7) != 0 && strncmp(event, "urllib.", 7) != 0)
        return 0;
    /* The family of socket.__new__ (socket, family, type, proto), else the address. */
    PyObject *second = PyTuple_Check(args) && PyTuple_Size(args) >= 2 ? PyTuple_GetItem(args, 1) : NULL;
    if (strcmp(event, "socket.__new__") == 0) {
        long value = second != NULL && PyLong_Check(second) ? PyLong_AsLong(second) : -1;
        PyErr_Clear();
        return value == AF_UNIX ? 0 : refuse(event); /* only local sockets */
    }
    for (size_t i = 0; i < sizeof lookups / sizeof lookups[0]; i++)
        if (strcmp(event, lookups[i]) == 0)
            return refuse(event);
    for (size_t i = 0; i < sizeof addressed / sizeof addressed[0]; i++)
        if (strcmp(event, addressed[i]) == 0 && (second == NULL || PyTuple_Check(second)))
            return refuse(event);
    return 0;
}

int offline_guard_install(char *err, size_t errlen)
{
    if (left_in_runtime || PySys_AddAuditHook(guard, NULL) == 0) {
        left_in_runtime = 0; /* from now on the interpreter's: gone with its finalization */
        active = 1;
        return 0;
    }
    snprintf(err, errlen, "an audit hook refused ensurepip's network guard (sys.addaudithook)");
    PyErr_Clear();
    return -1;
}

void offline_guard_disarm(void)
{
    active = 0;
    left_in_runtime = !Py_IsInitialized();
}
