#include "config.h"

#include "ensurepip.h"

const char *ensurepip_strerror(int status)
{
    switch (status) {
#define DESCRIBE(name, value, description) case value: return description;
        ENSUREPIP_STATUSES(DESCRIBE)
#undef DESCRIBE
    }
    return "unknown status";
}

/* A switch with no default case: -Wswitch-enum names any action left out. */
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
