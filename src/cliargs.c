#include "config.h"

#include "cliargs.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum long_only {
    OPT_USER = 256, OPT_ROOT, OPT_ALTINSTALL, OPT_DEFAULT_PIP, OPT_PYTHON, OPT_UNINSTALL, OPT_VERSION,
    OPT_VERIFY, OPT_SCRIPT_INTERPRETER, OPT_NO_COMPILE, OPT_REPORT, OPT_LOCK_TIMEOUT
};

/* CPython's own options come first, up to CPYTHON_OPTIONS: an abbreviation unique among them
 * means what it means for `python -m ensurepip` (--r is --root), whatever this program adds. */
static const struct option long_options[] = {
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
    {"verbose", no_argument, NULL, 'v'},
    {"upgrade", no_argument, NULL, 'U'},
    {"user", no_argument, NULL, OPT_USER},
    {"root", required_argument, NULL, OPT_ROOT},
    {"altinstall", no_argument, NULL, OPT_ALTINSTALL},
    {"default-pip", no_argument, NULL, OPT_DEFAULT_PIP},
#define CPYTHON_OPTIONS 8
    {"quiet", no_argument, NULL, 'q'},
    {"python", required_argument, NULL, OPT_PYTHON},
    {"uninstall", no_argument, NULL, OPT_UNINSTALL},
    {"verify", no_argument, NULL, OPT_VERIFY},
    {"script-interpreter", required_argument, NULL, OPT_SCRIPT_INTERPRETER},
    {"no-compile", no_argument, NULL, OPT_NO_COMPILE},
    {"report", required_argument, NULL, OPT_REPORT},
    {"lock-timeout", required_argument, NULL, OPT_LOCK_TIMEOUT},
    {NULL, 0, NULL, 0},
};

__attribute__((format(printf, 3, 4))) static int usage(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    /* The message quotes the user's words, which may hold a newline: it stays one line. */
    for (char *p = err; *p != '\0'; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    return ENSUREPIP_E_USAGE;
}

/* getopt_long accepts unambiguous abbreviations, as argparse does; with opterr off it does not
 * say why it refused one, so this tells unknown, ambiguous and misused options apart. */
static int bad_long_option(const char *arg, char *err, size_t errlen)
{
    const char *name = arg + 2;
    size_t n = strcspn(name, "=");
    char matches[512] = "";
    int count = 0, exact = 0;
    for (const struct option *o = long_options; o->name != NULL; o++) {
        if (strncmp(o->name, name, n) != 0)
            continue;
        count++;
        exact |= strlen(o->name) == n;
        if (strlen(matches) + strlen(o->name) + 5 < sizeof matches)
            strcat(strcat(strcat(matches, count > 1 ? ", " : ""), "--"), o->name);
    }
    if (count == 0)
        return usage(err, errlen, "unrecognized option '%s'", arg);
    if (count > 1 && !exact)
        return usage(err, errlen, "ambiguous option '%s' could match %s", arg, matches);
    if (name[n] == '=')
        return usage(err, errlen, "option '%s' takes no argument", arg);
    return usage(err, errlen, "option '%s' needs an argument", arg);
}

/* argparse does not take "--root --altinstall" as a root called "--altinstall": an argument
 * given as the next word must not look like an option ("-" alone, and negative numbers, do not).
 * "--root=-x" is how a value starting with '-' is given, as with argparse. */
static int looks_like_option(const char *arg)
{
    if (arg[0] != '-' || arg[1] == '\0')
        return 0;
    char *end;
    (void)strtod(arg, &end);
    return end == arg || *end != '\0';
}

/* The option a long option word names: its exact name; else the one CPython option it
 * abbreviates; else, when it abbreviates none of CPython's, the one addition it abbreviates.
 * -1 when unknown or ambiguous (getopt_long then refuses it, and bad_long_option says why). */
static int resolve_long_option(const char *word)
{
    const char *name = word + 2;
    size_t n = strcspn(name, "=");
    int cpython = -1, cpython_count = 0, added = -1, added_count = 0;
    for (int i = 0; long_options[i].name != NULL; i++) {
        if (strncmp(long_options[i].name, name, n) != 0)
            continue;
        if (strlen(long_options[i].name) == n)
            return i;
        if (i < CPYTHON_OPTIONS)
            cpython = i, cpython_count++;
        else
            added = i, added_count++;
    }
    if (cpython_count == 1)
        return cpython;
    return cpython_count == 0 && added_count == 1 ? added : -1;
}

/* The words getopt_long parses: argv with every resolvable abbreviation spelt out, so that
 * getopt's own rule (unique among all options) never decides; "--r=DIR" becomes "--root" and
 * "DIR", a value that may start with '-' (given_inline tells it from a next word). */
struct words {
    int count;
    char **word;
    char *names; /* the spelt-out "--name" strings */
};

static int spell_out(int argc, char **argv, struct words *w)
{
    size_t names_size = 0;
    for (int i = 1; i < argc; i++)
        names_size += strlen(argv[i]) + 64; /* room for any "--name" it may become */
    w->word = malloc(sizeof *w->word * (2 * (size_t)argc + 1));
    w->names = malloc(names_size + 1);
    if (w->word == NULL || w->names == NULL)
        return -1;
    char *next_name = w->names;
    int options_end = 0;
    for (int i = 0; i < argc; i++) {
        const char *word = argv[i];
        int index = -1;
        if (i > 0 && !options_end && strncmp(word, "--", 2) == 0 && word[2] != '\0')
            index = resolve_long_option(word);
        options_end |= i > 0 && strcmp(word, "--") == 0;
        const char *equals = strchr(word, '=');
        if (index < 0 || (equals != NULL && long_options[index].has_arg == no_argument)) {
            w->word[w->count++] = argv[i];
            continue;
        }
        int n = sprintf(next_name, "--%s", long_options[index].name);
        w->word[w->count++] = next_name;
        next_name += n + 1;
        if (equals != NULL) {
            w->word[w->count++] = (char *)equals + 1;
        } else if (long_options[index].has_arg == required_argument && i + 1 < argc) {
            w->word[w->count++] = argv[++i]; /* the value, whatever it looks like */
        }
    }
    w->word[w->count] = NULL;
    return 0;
}

/* Whether a value lies inside one of the user's words ("--r=DIR"), not at the start of one. */
static int given_inline(const char *value, int argc, char **argv)
{
    uintptr_t at = (uintptr_t)value; /* compared as addresses: the words are separate objects */
    for (int i = 1; i < argc; i++)
        if (at > (uintptr_t)argv[i] && at <= (uintptr_t)argv[i] + strlen(argv[i]))
            return 1;
    return 0;
}

static int parse_words(int argc, char **argv, int user_argc, char **user_argv, struct cli_args *cli,
                       char *err, size_t errlen)
{
    int uninstall = 0, verify = 0;
    int run_options = 0; /* options that only make sense for a bootstrap or an uninstall */
    memset(cli, 0, sizeof *cli);
    ensurepip_options_init(&cli->opts);
    struct ensurepip_options *opts = &cli->opts;

    opterr = 0;
    optind = 0; /* glibc: 0 starts a new scan, whatever the last one left */
    for (int c, index = -1; (c = getopt_long(argc, argv, ":hvqU", long_options, &index)) != -1; index = -1) {
        if (optarg != NULL && optind >= 2 && optarg == argv[optind - 1] && !given_inline(optarg, user_argc, user_argv)
            && looks_like_option(optarg))
            return usage(err, errlen, "option '--%s' needs an argument, not the option '%s'",
                         index >= 0 ? long_options[index].name : "?", optarg);
        switch (c) {
        case 'h': cli->mode = CLI_HELP; return 0;
        case OPT_VERSION: cli->mode = CLI_VERSION; return 0;
        case 'v': opts->verbosity++; continue;
        case 'q': opts->quiet = 1; continue;
        case OPT_VERIFY: verify = 1; continue;
        case 'U': opts->upgrade = 1; break;
        case OPT_USER: opts->user = 1; break;
        case OPT_ROOT: opts->root = optarg; break;
        case OPT_ALTINSTALL: opts->altinstall = 1; break;
        case OPT_DEFAULT_PIP: opts->default_pip = 1; break;
        case OPT_PYTHON: opts->python = optarg; break;
        case OPT_UNINSTALL: uninstall = 1; break;
        case OPT_SCRIPT_INTERPRETER: opts->script_interpreter = optarg; break;
        case OPT_NO_COMPILE: opts->no_compile = 1; break;
        case OPT_REPORT: opts->report = optarg; break;
        case OPT_LOCK_TIMEOUT: {
            char *end;
            opts->lock_timeout = strtod(optarg, &end);
            if (end == optarg || *end != '\0')
                return usage(err, errlen, "--lock-timeout needs a number of seconds, not '%s'", optarg);
            break;
        }
        default: /* '?' or ':' */
            /* No short option takes an argument: one is refused only when unknown, and optopt holds
             * it (negative above 127; getopt may be inside its cluster, "-xv": argv cannot tell). Else
             * a long option, now behind optind: optopt is 0, a long-only value, or 'v' of --verbose=1. */
            if (optopt != 0 && optopt < 256 && (optopt < 0 || strchr("hvqU", optopt) == NULL))
                return usage(err, errlen, "unrecognized option '-%c'", (unsigned char)optopt);
            if (optind > 0 && optind <= argc && strncmp(argv[optind - 1], "--", 2) == 0)
                return bad_long_option(argv[optind - 1], err, errlen);
            return usage(err, errlen, "unrecognized option '%s'", optind > 0 && optind <= argc ? argv[optind - 1] : "?");
        }
        run_options++;
    }
    if (optind < argc)
        return usage(err, errlen, "unrecognized arguments: %s", argv[optind]);
    if (opts->quiet && opts->verbosity > 0)
        return usage(err, errlen, "--quiet and --verbose contradict each other");
    if (verify && run_options > 0)
        return usage(err, errlen, "--verify takes no other option but -v and -q");
    if (uninstall && (opts->upgrade || opts->altinstall || opts->default_pip || opts->script_interpreter
                      || opts->no_compile))
        return usage(err, errlen, "--uninstall cannot be combined with --upgrade, --altinstall, "
                                  "--default-pip, --script-interpreter or --no-compile");
    cli->mode = verify ? CLI_VERIFY : uninstall ? CLI_UNINSTALL : CLI_BOOTSTRAP; /* verify: uninstall is 0 */
    return 0;
}

int cli_parse(int argc, char **argv, struct cli_args *cli, char *err, size_t errlen)
{
    struct words w = {0};
    int status = spell_out(argc, argv, &w) != 0 ? usage(err, errlen, "out of memory parsing the command line")
                                                : parse_words(w.count, w.word, argc, argv, cli, err, errlen);
    free(w.word);
    free(w.names);
    return status;
}
