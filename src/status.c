#include "config.h"

#include "ensurepip.h"

/* A switch with no default case: -Wswitch-enum names any status or action left out. */
const char *ensurepip_strerror(int status)
{
    switch ((enum ensurepip_status)status) {
    case ENSUREPIP_OK: return "success";
    case ENSUREPIP_E_PIP: return "pip's installer failed";
    case ENSUREPIP_E_USAGE: return "invalid or conflicting options";
    case ENSUREPIP_E_TARGET: return "the target Python is missing or unusable";
    case ENSUREPIP_E_TARGET_VERSION: return "the target is another Python version";
    case ENSUREPIP_E_RUNTIME: return "the libpython loaded is not the one built against";
    case ENSUREPIP_E_WHEEL: return "the embedded pip wheel is unreadable or corrupt";
    case ENSUREPIP_E_PYTHON: return "the embedded Python interpreter failed";
    case ENSUREPIP_E_BUSY: return "ensurepip or Python is already running in this process";
    case ENSUREPIP_E_SYSTEM: return "the operating system refused a request";
    case ENSUREPIP_E_AUDIT: return "an audit hook vetoed the bootstrap";
    case ENSUREPIP_E_INTERRUPTED: return "interrupted by a signal";
    case ENSUREPIP_E_EXTERNALLY_MANAGED: return "the target Python is externally managed";
    case ENSUREPIP_E_NO_SPACE: return "not enough space on the target's filesystem";
    case ENSUREPIP_E_READ_ONLY: return "the target's filesystem is read-only";
    case ENSUREPIP_E_PERMISSION: return "no permission to change the target";
    case ENSUREPIP_E_LOCKED: return "another ensurepip kept the target locked";
    case ENSUREPIP_E_REPORT: return "the report could not be written";
    }
    return "unknown status";
}

const char *ensurepip_action_name(enum ensurepip_action action)
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
    return "none";
}
