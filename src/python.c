#include <Python.h> /* first: it sets feature macros */

#include "config.h"

#include "python.h"

#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostmod.h"
#include "interrupt.h"
#include "offline.h"
#include "payload.h"
#include "pycompat.h"
#include "payloadfile.h"
#include "tempdir.h"

int python_check(struct run *run)
{
    if (Py_IsInitialized())
        return run_fail(run, ENSUREPIP_E_BUSY,
                        "Python is already initialized in this process; ensurepip must start its own interpreter");
    /* Two builds of one minor version share a soname (libpython3.11.so.1.0), so the dynamic
     * linker may have picked another one than the one compiled against (embedding-findings
     * Q8). Py_GetVersion() is safe before initialization. */
    const char *loaded = Py_GetVersion();
    size_t n = strlen(PY_VERSION);
    if (strncmp(loaded, PY_VERSION, n) == 0 && (loaded[n] == ' ' || loaded[n] == '\0'))
        return ENSUREPIP_OK;
    return run_fail(run, ENSUREPIP_E_RUNTIME,
                    "the libpython loaded is Python %.*s, but this program was built against %s: "
                    "run it with the libpython it was built for (check LD_LIBRARY_PATH)",
                    (int)strcspn(loaded, " "), loaded, PY_VERSION);
}

/* Turns the pending Python exception into one line in the result's message (the traceback
 * only at -vv), clears it, returns ENSUREPIP_E_PYTHON. No PyErr_Print(): SystemExit would exit. */
static int take_exception(struct run *run, const char *what)
{
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    const char *type_name = type != NULL ? ((PyTypeObject *)type)->tp_name : "unknown error";
    PyObject *text = value != NULL ? PyObject_Str(value) : NULL;
    /* The message holds a path's bytes as they are: surrogateescape, as Python's os does. */
    PyObject *bytes = text != NULL ? PyUnicode_EncodeFSDefault(text) : NULL;
    const char *detail = bytes != NULL ? PyBytes_AS_STRING(bytes) : NULL;
    if (detail == NULL) {
        PyErr_Clear();
        detail = "";
    }
    run_fail(run, ENSUREPIP_E_PYTHON, "%s: %s%s%s", what, type_name, detail[0] ? ": " : "", detail);
    if (run->opts->verbosity >= 2 && value != NULL) {
        PyObject *traceback = PyImport_ImportModule("traceback");
        PyObject *printed = traceback != NULL
            ? PyObject_CallMethod(traceback, "print_exception", "OOO", type, value, tb ? tb : Py_None)
            : NULL;
        Py_XDECREF(printed);
        Py_XDECREF(traceback);
        PyErr_Clear();
    }
    Py_XDECREF(bytes);
    Py_XDECREF(text);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
    return ENSUREPIP_E_PYTHON;
}

/* Calls gc.<name>() (disable, freeze); a failure only costs speed, so it is cleared. */
static void gc_call(const char *name)
{
    PyObject *gc = PyImport_ImportModule("gc");
    PyObject *done = gc != NULL ? PyObject_CallMethod(gc, name, NULL) : NULL;
    Py_XDECREF(done);
    Py_XDECREF(gc);
    PyErr_Clear();
}

static int start(struct run *run, const char *archive_path)
{
    /* Whether an interpreter has lived in this process before: a fact about the process, so a
     * static, like the interpreter itself. */
    static int started_before;
    if (started_before && !pycompat_can_reinitialize())
        return run_fail(run, ENSUREPIP_E_BUSY,
                        "Python %s cannot be started twice in one process (python/cpython#122334, "
                        "fixed in 3.12.5): run each bootstrap in a process of its own", PY_VERSION);
    PyPreConfig preconfig;
    PyPreConfig_InitIsolatedConfig(&preconfig);
    /* An isolated pre-configuration leaves LC_CTYPE alone, which under the C locale makes the
     * filesystem encoding ASCII; pip and non-ASCII paths need UTF-8. */
    preconfig.utf8_mode = 1;
    PyStatus status = Py_PreInitialize(&preconfig);
    if (PyStatus_Exception(status))
        return run_fail(run, ENSUREPIP_E_PYTHON, "Python failed to pre-initialize: %s",
                        status.err_msg ? status.err_msg : "unknown error");

    char err[256];
    if (offline_guard_install(err, sizeof err) != 0)
        return run_fail(run, ENSUREPIP_E_AUDIT, "%s", err);

    PyConfig config;
    PyConfig_InitIsolatedConfig(&config);
    /* Isolated: no PYTHON* variables, no user site-packages, no current directory on sys.path.
     * The interpreter is not configured as the target, which ensurepip_boot finds and reads as
     * data: it imports nothing but the runtime archive (its whole sys.path), and its prefixes
     * and executable lie in the private temporary directory, which holds no library; with all of
     * them given, CPython searches for none and reads nothing outside it (no ._pth, no landmark;
     * 3.10 looks for a pyvenv.cfg beside the executable and one level up: still inside). site
     * is not imported: the target's .pth files and sitecustomize never run. */
    char *executable;
    if (asprintf(&executable, "%s/bin/python", run->tmpdir) < 0)
        executable = NULL;
    status = executable != NULL ? PyConfig_SetBytesString(&config, &config.executable, executable)
                                : PyStatus_NoMemory();
    free(executable);
    wchar_t **prefixes[] = {&config.home, &config.prefix, &config.exec_prefix, &config.base_prefix,
                            &config.base_exec_prefix};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0] && !PyStatus_Exception(status); i++)
        status = PyConfig_SetBytesString(&config, prefixes[i], run->tmpdir);
    wchar_t *archive = !PyStatus_Exception(status) ? Py_DecodeLocale(archive_path, NULL) : NULL;
    if (!PyStatus_Exception(status))
        status = archive != NULL ? PyWideStringList_Append(&config.module_search_paths, archive)
                                 : PyStatus_NoMemory();
    PyMem_RawFree(archive);
    if (!PyStatus_Exception(status)) {
        config.module_search_paths_set = 1;
        config.write_bytecode = 0;       /* leave no __pycache__ behind in the target */
        config.install_signal_handlers = 0;
        config.site_import = 0;
        pycompat_configure(&config);
        status = Py_InitializeFromConfig(&config);
    }
    PyConfig_Clear(&config);
    started_before = 1;
    if (PyStatus_Exception(status)) {
        offline_guard_disarm();
        return run_fail(run, ENSUREPIP_E_PYTHON,
                        "the embedded Python could not start: %s",
                        status.err_msg ? status.err_msg : "unknown error");
    }
    return ENSUREPIP_OK;
}

/* A text of the request that may hold a path's bytes (surrogateescape), or None for NULL or "";
 * a converter for Py_BuildValue's O&. */
static PyObject *str_or_none(void *text)
{
    const char *s = text;
    if (s == NULL || s[0] == '\0')
        Py_RETURN_NONE;
    return PyUnicode_DecodeFSDefault(s);
}

/* What the glue is asked to do: py/__init__.py says what each item means. */
static PyObject *build_request(const struct run *run, const struct payload_file *files)
{
    const struct ensurepip_options *o = run->opts;
    struct payload setuptools = payload_get(PAYLOAD_SETUPTOOLS);
    return Py_BuildValue("{s:s,s:O&,s:s,s:O&,s:O&,s:O&,s:O&,s:O&,s:i,s:O&,s:O&,s:O&,s:O,s:O,s:O,s:d,s:O&}",
                         "command", run->command == RUN_INSTALL ? "install" : "uninstall",
                         "wheel", str_or_none, files[PAYLOAD_WHEEL].path,
                         "pip_version", ensurepip_version(),
                         "setuptools_wheel", str_or_none, files[PAYLOAD_SETUPTOOLS].path,
                         "setuptools_version", str_or_none, setuptools.version,
                         "setuptools_sha256", str_or_none, setuptools.sha256,
                         "archive", str_or_none, files[PAYLOAD_RUNTIME].path,
                         "tmpdir", str_or_none, run->tmpdir,
                         "tmpdir_fd", tempdir_fd(),
                         "python", str_or_none, o->python,
                         "default_python", str_or_none, ENSUREPIP_DEFAULT_PYTHON,
                         "root", str_or_none, o->root,
                         "upgrade", o->upgrade ? Py_True : Py_False,
                         "user", o->user ? Py_True : Py_False,
                         "compile", o->no_compile ? Py_False : Py_True,
                         "lock_timeout", o->lock_timeout,
                         "script_interpreter", str_or_none, o->script_interpreter);
}

/* A word of the answer (a status, an action, a version): ASCII, so NULL for anything else. */
static const char *get_str(PyObject *dict, const char *key)
{
    PyObject *v = PyDict_GetItemString(dict, key); /* borrowed */
    const char *s = v != NULL && PyUnicode_Check(v) && PyUnicode_IS_ASCII(v) ? PyUnicode_AsUTF8(v) : NULL;
    PyErr_Clear();
    return s;
}

static long get_long(PyObject *dict, const char *key, long fallback)
{
    PyObject *v = PyDict_GetItemString(dict, key); /* borrowed */
    return v != NULL && PyLong_Check(v) ? PyLong_AsLong(v) : fallback;
}

/* The status that kind, the glue's word for one, names, or -1: a status's word is its name
 * without "ENSUREPIP_" and "E_", in lower case with '-' for '_' (ENSUREPIP_E_NO_SPACE: "no-space"). */
static int glue_status(const char *kind)
{
#define ENTRY(name, value, description) {#name, value},
    static const struct { const char *name; int value; } statuses[] = {ENSUREPIP_STATUSES(ENTRY)};
#undef ENTRY
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        const char *k = kind, *name = statuses[i].name + strlen("ENSUREPIP_");
        name += strncmp(name, "E_", 2) == 0 ? 2 : 0;
        while (*k != '\0' && *k == (*name == '_' ? '-' : tolower((unsigned char)*name)))
            k++, name++;
        if (*k == '\0' && *name == '\0')
            return statuses[i].value;
    }
    return -1;
}

/* A copy of a text of the answer that may hold paths, as bytes: surrogateescape gives back
 * the bytes a path had, whatever they are. */
static char *dup_str(PyObject *dict, const char *key)
{
    PyObject *v = dict != NULL && PyDict_Check(dict) ? PyDict_GetItemString(dict, key) : NULL;
    if (v == NULL || !PyUnicode_Check(v))
        return NULL;
    PyObject *bytes = PyUnicode_EncodeFSDefault(v);
    char *copy = bytes != NULL ? strdup(PyBytes_AS_STRING(bytes)) : NULL;
    Py_XDECREF(bytes);
    PyErr_Clear();
    return copy;
}

/* Copies the glue's answer, a dict (boot.setup() and ensurepip_glue.run() make no other), into the
 * result. */
static int take_answer(struct run *run, PyObject *answer)
{
    static const char *const report_members[] = {"target", "scripts", "files", "setuptools"}; /* run.h */
    struct ensurepip_result *r = run->result;
    const char *status = get_str(answer, "status"), *action = get_str(answer, "action");
    const char *version = get_str(answer, "pip_version");
    int code = status != NULL ? glue_status(status) : -1;
    if (code < 0)
        return run_fail(run, ENSUREPIP_E_PYTHON, "the glue answered with an unknown status %s",
                        status ? status : "(none)");
    for (int a = ENSUREPIP_ACTION_INSTALLED; action != NULL && a <= ENSUREPIP_ACTION_FAILED; a++)
        if (strcmp(action, ensurepip_action_name(a)) == 0)
            r->action = a;
    PyObject *report = PyDict_GetItemString(answer, "report"); /* borrowed; None before the target */
    for (int i = 0; i < 4; i++)
        run->report[i] = dup_str(report, report_members[i]);
    r->pip_exit_code = (int)get_long(answer, "pip_exit_code", -1);
    r->signal = (int)get_long(answer, "signal", 0);
    snprintf(r->pip_version, sizeof r->pip_version, "%s", version ? version : "");
    char *message = dup_str(answer, "message");
    run_fail(run, code, "%s", message ? message : "");
    free(message);
    PyErr_Clear();
    return code;
}

/* Raises ensurepip.bootstrap the way ensurepip does (argument: root or None); an audit hook
 * that raises vetoes the run. (Decoding the root cannot fail but for want of memory.) */
static int audit(struct run *run)
{
    if (PySys_Audit("ensurepip.bootstrap", "O&", str_or_none, run->opts->root) == 0)
        return ENSUREPIP_OK;
    take_exception(run, "an audit hook vetoed ensurepip.bootstrap");
    return run->result->status = ENSUREPIP_E_AUDIT;
}

/* The wheels with their members stored, where the check's thread made them, are what pip's
 * installer reads (the request's wheel and setuptools_wheel); where that fails (out of memory),
 * the wheels as they are. */
static void use_unpacked_wheels(struct run *run, PyObject *request)
{
    static const char *const keys[PAYLOADS] = {NULL, "wheel", "setuptools_wheel"};
    for (int id = PAYLOAD_WHEEL; id < PAYLOADS; id++) {
        if (run->unpacked[id].path == NULL)
            continue;
        PyObject *path = PyUnicode_DecodeFSDefault(run->unpacked[id].path);
        int set = path != NULL && PyDict_SetItemString(request, keys[id], path) == 0;
        Py_XDECREF(path);
        if (!set) {
            PyErr_Clear();
            continue;
        }
        run_say(run, 3, "wheel", "%s: pip's installer reads a copy with its members stored",
                payload_get(id).name);
    }
}

/* Imports ensurepip_boot, which makes the interpreter describe the target, then the glue, and
 * runs it. */
static int call_glue(struct run *run, const struct payload_file *files)
{
    if (hostmod_install(run) != 0)
        return take_exception(run, "cannot create the _ensurepip_host module");
    run_progress(run, "Loading pip");
    PyObject *request = build_request(run, files);
    PyObject *boot = request != NULL ? PyImport_ImportModule("ensurepip_boot") : NULL;
    PyObject *refused = boot != NULL ? PyObject_CallMethod(boot, "setup", "O", request) : NULL;
    PyObject *glue = refused == Py_None ? PyImport_ImportModule("ensurepip_glue") : NULL;
    /* The wheels' check ran while the interpreter started and imported pip: the glue, which
     * hands them to pip's installer, waits for its verdict. */
    if (glue != NULL && run_wheel_checked(run) != ENSUREPIP_OK)
        Py_CLEAR(glue);
    if (glue != NULL)
        use_unpacked_wheels(run, request);
    PyObject *answer = glue != NULL ? PyObject_CallMethod(glue, "run", "O", request) : NULL;
    int rc;
    if (refused != NULL && refused != Py_None)
        rc = take_answer(run, refused);
    else if (run->result->status == ENSUREPIP_E_WHEEL)
        rc = ENSUREPIP_E_WHEEL;
    else if (answer != NULL)
        rc = take_answer(run, answer);
    else
        rc = take_exception(run, request == NULL ? "cannot prepare the request"
                                 : boot == NULL ? "cannot import ensurepip_boot"
                                 : refused == NULL ? "ensurepip_boot failed"
                                 : glue == NULL ? "cannot import the glue" : "the glue failed");
    Py_XDECREF(answer);
    Py_XDECREF(glue);
    Py_XDECREF(refused);
    Py_XDECREF(boot);
    Py_XDECREF(request);
    return rc;
}

/* The runtime archive is checked before the interpreter starts (it is its standard library);
 * the wheels on their own thread meanwhile: pip's installer reads them only after
 * run_wheel_checked(). Each is reached by a name no other process can rebind. */
static int open_payload_files(struct run *run, struct payload_file files[PAYLOADS])
{
    static const char *const what[PAYLOADS] = {"the runtime archive", "the pip wheel", "the setuptools wheel"};
    char err[1024];
    if (payload_check_wait(&run->checks[0]) != 0)
        return run_fail(run, ENSUREPIP_E_WHEEL, "%s", run->checks[0].err);
    for (int i = 0; i < PAYLOADS; i++) {
        struct payload p = payload_get(i);
        if (p.name != NULL && payload_file_open(&files[i], p.name, p.data, p.size, run->tmpdir, err, sizeof err) != 0)
            return run_fail(run, ENSUREPIP_E_SYSTEM, "cannot hold %s: %s", what[i], err);
    }
    return ENSUREPIP_OK;
}

int python_run(struct run *run)
{
    struct payload_file files[PAYLOADS] = {{-1, NULL}, {-1, NULL}, {-1, NULL}};
    int rc = open_payload_files(run, files);
    if (rc == ENSUREPIP_OK)
        rc = start(run, files[PAYLOAD_RUNTIME].path);
    if (rc != ENSUREPIP_OK)
        goto close;
    run_say(run, 3, "python", "interpreter started");
    /* A short run that makes few cycles: collecting while pip's 500 modules load only costs
     * time. Finalization collects everything anyway. */
    gc_call("disable");
    rc = audit(run);
    if (rc == ENSUREPIP_OK)
        rc = call_glue(run, files);

    /* Py_FinalizeEx() puts SIG_DFL back for the signals the glue handled; one arriving then
     * would kill the process before the temporary directory is removed. So: hold them back,
     * finalize, record them again, and let them through. */
    sigset_t old;
    interrupt_block(&old);
    if (run->opts->exiting)
        gc_call("freeze"); /* finalization then skips collecting what the process is about to drop */
    run_say(run, 3, "python", "finalizing the interpreter");
    fflush(stdout);
    if (Py_FinalizeEx() != 0 && rc == ENSUREPIP_OK)
        rc = run_fail(run, ENSUREPIP_E_PYTHON, "Python could not flush its output at exit");
    interrupt_rearm();
    pthread_sigmask(SIG_SETMASK, &old, NULL);
close:
    for (int i = 0; i < PAYLOADS; i++)
        payload_file_close(&files[i]);
    return rc;
}
