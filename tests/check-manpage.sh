#!/bin/sh
# Checks the ensurepip(1) man page against the program and the header.
#
#   tests/check-manpage.sh PROGRAM MANPAGE [HEADER]
#
# PROGRAM  the built ensurepip (its --help is parsed)
# MANPAGE  the man(7) source, ensurepip.1
# HEADER   include/ensurepip.h (default: ../include/ensurepip.h relative to this script)
#
# Fails (one line per missing item) if
#   - an option of the usage lines of `PROGRAM --help` is not in the SYNOPSIS section,
#   - an option of the option list of `PROGRAM --help` is not in the OPTIONS section,
#   - a value of enum ensurepip_status in HEADER, or 128+N, is not a tagged item (.TP/.IP)
#     of the EXIT STATUS section,
#   - `groff -ww -man -Tutf8 -z MANPAGE` prints anything (or groff is missing),
#   - `mandoc -T lint -W warning MANPAGE` prints anything (skipped if mandoc is missing).
# Options are looked for in their roff spelling, every '-' escaped: --root as \-\-root,
# so \fB\-\-root\fR and .BR \-\-root match, and \-v does not match inside \-\-verbose.
# Ends with "N passed, N failed"; exits 0 only if nothing failed.

usage() {
    echo "usage: $0 PROGRAM MANPAGE [HEADER]" >&2
    exit 2
}

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
    usage
fi
program=$1
manpage=$2
if [ $# -eq 3 ]; then
    header=$3
else
    here=$(CDPATH='' cd -- "$(dirname -- "$0")" && pwd) || exit 2
    header=$here/../include/ensurepip.h
fi

passed=0
failed=0
pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); printf 'FAIL: %s\n' "$*"; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/check-manpage.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- inputs -----------------------------------------------------------------------------------

if [ -r "$manpage" ]; then pass; else fail "cannot read the man page $manpage"; fi
if [ -r "$header" ]; then pass; else fail "cannot read the header $header"; fi
if "$program" --help >"$tmp/help" 2>"$tmp/help.err" && [ -s "$tmp/help" ]; then
    pass
else
    fail "$program --help did not succeed ($(head -n 1 "$tmp/help.err"))"
fi
[ -r "$manpage" ] || { echo "$passed passed, $failed failed"; exit 1; }

# The text of one section (.SH NAME up to the next .SH), macro lines included.
section() {
    awk -v want="$1" '
        /^\.SH[ \t]/ {
            name = $0
            sub(/^\.SH[ \t]+/, "", name)
            gsub(/"/, "", name)
            inside = (name == want)
            next
        }
        inside
    ' "$manpage"
}

for name in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" ENVIRONMENT FILES EXAMPLES "SEE ALSO"; do
    section "$name" >"$tmp/section"
    if [ -s "$tmp/section" ]; then pass; else fail "section $name is missing or empty"; fi
done
section SYNOPSIS >"$tmp/synopsis"
section OPTIONS >"$tmp/options"
section "EXIT STATUS" >"$tmp/exit"

# ---- options ----------------------------------------------------------------------------------

# The usage lines: from "usage:" to the first empty line; every [-x] or [--long ARG] item.
awk '
    /^usage:/ { on = 1 }
    on && /^[ \t]*$/ { exit }
    on {
        line = $0
        while (match(line, /\[--?[A-Za-z0-9][-A-Za-z0-9]*/)) {
            print substr(line, RSTART + 1, RLENGTH - 1)
            line = substr(line, RSTART + RLENGTH)
        }
    }
' "$tmp/help" | sort -u >"$tmp/usage-options"

# The option list: lines that begin with spaces and a dash; the option words are what comes
# before the gap of two spaces that starts the description ("  -h, --help     show ...").
awk '
    /^usage:/ { next }
    /^[ \t]+-/ {
        line = $0
        sub(/^[ \t]+/, "", line)
        if (match(line, /  /))
            line = substr(line, 1, RSTART - 1)
        n = split(line, words, /[ ,]+/)
        for (i = 1; i <= n; i++) {
            sub(/[=[].*/, "", words[i])   # --opt=ARG, --opt[=ARG]
            if (words[i] ~ /^-[A-Za-z0-9]$/ || words[i] ~ /^--[A-Za-z0-9][-A-Za-z0-9]*$/)
                print words[i]
        }
    }
' "$tmp/help" | sort -u >"$tmp/listed-options"

if [ -s "$tmp/usage-options" ]; then pass; else fail "no option found in the usage lines of $program --help"; fi
if [ -s "$tmp/listed-options" ]; then pass; else fail "no option found in the option list of $program --help"; fi

# has_option FILE OPTION: the option in roff spelling, not part of a longer option name.
has_option() {
    escaped=$(printf '%s\n' "$2" | sed 's/-/\\\\-/g')
    grep -Eq "(^|[^-])$escaped(\\\\[^-]|[^A-Za-z0-9\\\\]|\$)" "$1"
}

while IFS= read -r option; do
    if has_option "$tmp/synopsis" "$option"; then pass; else fail "option $option (usage of --help) is not in SYNOPSIS"; fi
done <"$tmp/usage-options"
while IFS= read -r option; do
    if has_option "$tmp/options" "$option"; then pass; else fail "option $option (--help) is not in OPTIONS"; fi
done <"$tmp/listed-options"

# ---- exit statuses ----------------------------------------------------------------------------

# The values of enum ensurepip_status: explicit "= N", else one more than the previous.
if [ -r "$header" ]; then
    awk '
        # Comments go first (they may span lines), then each enumerator is one value.
        {
            line = $0
            if (incomment) {
                if (!sub(/^.*\*\//, "", line)) next
                incomment = 0
            }
            gsub(/\/\*([^*]|\*+[^*\/])*\*+\//, "", line)
            if (sub(/\/\*.*/, "", line)) incomment = 1
        }
        line ~ /enum[ \t]+ensurepip_status[ \t]*\{/ { on = 1; next_value = 0; next }
        on && line ~ /\}/ { on = 0 }
        on && line ~ /^[ \t]*[A-Za-z_][A-Za-z0-9_]*/ {
            if (match(line, /=[ \t]*[0-9]+/)) {
                value = substr(line, RSTART, RLENGTH)
                sub(/^=[ \t]*/, "", value)
                next_value = value + 0
            }
            print next_value
            next_value++
        }
    ' "$header" >"$tmp/statuses"
    if [ -s "$tmp/statuses" ]; then pass; else fail "no value of enum ensurepip_status found in $header"; fi
else
    : >"$tmp/statuses"
fi
echo "128+N" >>"$tmp/statuses"

# The tags of the EXIT STATUS section: the line after .TP, or the argument of .IP. A macro's
# arguments are parsed (quotes respected) and joined: with nothing between them for the
# alternating-font macros (.BI 128+ N is "128+N"), with a space otherwise; then the font
# escapes go, and the first word is the tag.
awk '
    function tag(text,    macro, args, joiner, i, c, quoted, word, n) {
        macro = ""
        if (text ~ /^\./) {
            macro = text
            sub(/[ \t].*/, "", macro)
            sub(/^\.[A-Za-z]+[ \t]*/, "", text)
        }
        joiner = macro ~ /^\.(BI|BR|IB|IR|RB|RI)$/ ? "" : " "
        args = ""; word = ""; quoted = 0; n = 0
        for (i = 1; i <= length(text); i++) {
            c = substr(text, i, 1)
            if (c == "\"") { quoted = !quoted; continue }
            if (!quoted && (c == " " || c == "\t")) {
                if (word != "") { args = args (n++ ? joiner : "") word; word = "" }
                continue
            }
            word = word c
        }
        if (word != "") args = args (n++ ? joiner : "") word
        gsub(/\\f(\[[^]]*\]|\(..|.)/, "", args)
        gsub(/\\&/, "", args)
        sub(/^[ \t]+/, "", args)
        sub(/[ \t].*/, "", args)
        if (args != "") print args
    }
    after_tp { after_tp = 0; tag($0); next }
    /^\.TP([ \t]|$)/ { after_tp = 1; next }
    /^\.IP[ \t]/ { line = $0; sub(/^\.IP[ \t]+/, ".IP ", line); tag(line) }
' "$tmp/exit" | sort -u >"$tmp/exit-tags"

while IFS= read -r status; do
    if grep -Fqx -- "$status" "$tmp/exit-tags"; then
        pass
    else
        fail "exit status $status ($(basename "$header")) is not in EXIT STATUS"
    fi
done <"$tmp/statuses"

# ---- linters ----------------------------------------------------------------------------------

if command -v groff >/dev/null 2>&1; then
    groff -ww -man -Tutf8 -z "$manpage" >"$tmp/groff" 2>&1
    rc=$?
    if [ $rc -eq 0 ] && [ ! -s "$tmp/groff" ]; then
        pass
    else
        fail "groff -ww -man -Tutf8 -z: exit status $rc"
        sed 's/^/    /' "$tmp/groff"
    fi
else
    fail "groff is not installed"
fi

if command -v mandoc >/dev/null 2>&1; then
    mandoc -T lint -W warning "$manpage" >"$tmp/mandoc" 2>&1
    rc=$?
    if [ $rc -eq 0 ] && [ ! -s "$tmp/mandoc" ]; then
        pass
    else
        fail "mandoc -T lint -W warning: exit status $rc"
        sed 's/^/    /' "$tmp/mandoc"
    fi
else
    echo "skip: mandoc is not installed (apt-get install mandoc)"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
