# lab's shell integration for bash: `eval "$(lab init bash)"` in ~/.bashrc.
#
# Appends one JSON line per command you type to lab's command log
# ($LAB_COMMAND_LOG, default ${XDG_STATE_HOME:-~/.local/state}/lab/commands.jsonl):
#   {"at":1764650000.123,"ms":12,"status":1,"pipe":[1],"shell":"bash","pid":42,"cmd":"docker rmi ubuntu:18.04"}
# so that `lab check` knows whether a command succeeded and in which order
# commands ran. It prints nothing, forks nothing per prompt, leaves $?, $_
# and PIPESTATUS as they were, and keeps an existing PROMPT_COMMAND, PS0 and
# DEBUG trap. A command kept out of bash's history (HISTCONTROL=ignorespace,
# HISTIGNORE) is kept out of the log too. Needs bash 4.4 or newer (PS0).
#
# How: PS0 (expanded once a line is accepted, before it runs) notes the time
# without running anything; the DEBUG trap notes the first simple command and
# the history number; the prompt (first in PROMPT_COMMAND) writes the line
# from `history 1` with the status, using only builtins.
#
# Sourcing it again (`source ~/.bashrc`) adds only what is missing: a
# .bashrc that reset PROMPT_COMMAND or the DEBUG trap gets the hook back.
if [[ $- == *i* ]] &&
    ((BASH_VERSINFO[0] > 4 || (BASH_VERSINFO[0] == 4 && BASH_VERSINFO[1] >= 4))); then
    __lab_log=${LAB_COMMAND_LOG:-${XDG_STATE_HOME:-$HOME/.local/state}/lab/commands.jsonl}
    [[ $__lab_log == */* ]] || __lab_log=./$__lab_log
    [[ -d ${__lab_log%/*} ]] || command mkdir -p -- "${__lab_log%/*}" 2>/dev/null
    # `history 1` goes through this file: capturing it in $(...) would fork.
    # Written at each prompt, so on tmpfs when there is one of our own.
    __lab_tmpdir=${__lab_log%/*}
    [[ -n ${XDG_RUNTIME_DIR-} && -d $XDG_RUNTIME_DIR && -w $XDG_RUNTIME_DIR && -O $XDG_RUNTIME_DIR ]] &&
        __lab_tmpdir=$XDG_RUNTIME_DIR
    __lab_tmp=$__lab_tmpdir/.lab-line.$$ __lab_trap_file=$__lab_tmpdir/.lab-trap.$$
    [[ -n ${__lab_skip-} ]] || { : >|"$__lab_tmp"; } 2>/dev/null
    __lab_skip=${__lab_skip:-0}
    # Kept when sourced again: the `source ~/.bashrc` running now is a
    # command to record too.
    __lab_t0=${__lab_t0-} __lab_h0=${__lab_h0-$HISTCMD} __lab_h1=${__lab_h1-}
    __lab_first=${__lab_first-} __lab_armed=${__lab_armed-} __lab_nil=()
    if ((BASH_VERSINFO[0] >= 5)); then
        # The array subscript is arithmetic: it assigns, and expands to nothing.
        __lab_ps0='${__lab_nil[(__lab_armed=1)+(__lab_h1=HISTCMD)+(__lab_t0=${EPOCHREALTIME//[!0-9]/})]-}'
    else
        __lab_ps0='${__lab_nil[(__lab_armed=1)+(__lab_h1=HISTCMD)+(__lab_t0=\D{%s}000000)]-}'
    fi

    # JSON string body of $1 into __lab_j (quotes, backslashes, control
    # characters; UTF-8 passes through).
    __lab_json() {
        local s=$1 b='\' q='"' c i out
        s=${s//"$b"/"$b$b"}
        s=${s//"$q"/"$b$q"}
        s=${s//$'\n'/"${b}n"}
        s=${s//$'\t'/"${b}t"}
        s=${s//$'\r'/"${b}r"}
        if [[ $s == *[[:cntrl:]]* ]]; then
            out=
            for ((i = 0; i < ${#s}; i++)); do
                c=${s:i:1}
                if [[ $c == [[:cntrl:]] ]]; then
                    printf -v c '\\u%04x' "'$c"
                fi
                out+=$c
            done
            s=$out
        fi
        __lab_j=$s
    }

    # The microseconds since the epoch into __lab_now.
    if ((BASH_VERSINFO[0] >= 5)); then
        __lab_clock() { __lab_now=${EPOCHREALTIME//[!0-9]/}; }
    else
        __lab_clock() { printf -v __lab_now '%(%s)T000000' -1; }
    fi

    # Writes the line just run: $1 its status, the rest PIPESTATUS.
    __lab_record() {
        local status=$1 line cmd at ms IFS lines=()
        shift
        # Appended, and read from where the last one ended: truncating at
        # every prompt costs ext4 a flush, so only every 200 lines.
        { HISTTIMEFORMAT='' builtin history 1 >>"$__lab_tmp"; } 2>/dev/null || return 0
        mapfile -t -s "$__lab_skip" lines <"$__lab_tmp"
        if ((${#lines[@]} == 0)); then
            # The file was removed or cut behind our back: start it again.
            { : >|"$__lab_tmp" && HISTTIMEFORMAT='' builtin history 1 >>"$__lab_tmp"; } 2>/dev/null
            __lab_skip=0
            mapfile -t lines <"$__lab_tmp"
        fi
        __lab_skip=$((__lab_skip + ${#lines[@]}))
        if ((__lab_skip > 200)); then
            : >|"$__lab_tmp"
            __lab_skip=0
        fi
        IFS=$'\n'
        line="${lines[*]}"
        unset IFS
        cmd=${line#*[0-9][* ] }
        while [[ $cmd == *$'\n' ]]; do cmd=${cmd%$'\n'}; done # a here-document's
        [[ -n $line && $cmd != __lab_* ]] || return 0
        if ((__lab_h1 < __lab_h0)); then
            # Not added to the history: a repeat (ignoredups), or a line bash
            # was told to forget (ignorespace, HISTIGNORE): forget it too.
            if [[ -n $__lab_first ]]; then
                [[ $cmd == "$__lab_first"* ]] || return 0
            elif [[ ${HISTCONTROL-} == *ignore[sb]* || -n ${HISTIGNORE-} ]]; then
                return 0
            fi
        fi
        __lab_clock
        ms=$(((__lab_now - __lab_t0) / 1000))
        at=${__lab_t0:0:${#__lab_t0}-6}.${__lab_t0:${#__lab_t0}-6:3}
        __lab_json "$cmd"
        IFS=,
        printf '{"at":%s,"ms":%s,"status":%s,"pipe":[%s],"shell":"bash","pid":%s,"cmd":"%s"}\n' \
            "$at" "$ms" "$status" "$*" "$$" "$__lab_j" 2>/dev/null >>"$__lab_log"
        return 0
    }

    # First in PROMPT_COMMAND. "$_" as the last argument keeps $_ too.
    __lab_precmd() {
        local status=$? pipe=("${PIPESTATUS[@]}")
        [[ -z $__lab_t0 ]] || __lab_record "$status" "${pipe[@]}"
        __lab_t0= __lab_first= __lab_armed= __lab_h0=$HISTCMD
        [[ ${PS0-} == *"$__lab_ps0"* ]] || PS0=$__lab_ps0${PS0-}
        return "$status"
    }

    # The DEBUG trap to set, from `trap -p DEBUG` in the file: __lab_preexec
    # in front of the one there. Fails when it is there already.
    __lab_chain_trap() {
        local t=
        IFS= read -r -d '' t <"$__lab_trap_file"
        if [[ $t == *__lab_preexec* ]]; then
            return 1
        elif [[ -n $t ]]; then
            # `trap -- 'cmd' DEBUG`: its third word is the command.
            eval "t=($t)"
            __lab_trap="__lab_preexec_chained \"\$?\" \"\$_\""$'\n'"${t[2]}"
        else
            __lab_trap='[[ -z $__lab_armed ]] || __lab_preexec'
        fi
    }
    # Run by eval at the end of PROMPT_COMMAND: neither a function nor
    # `source` sees the DEBUG trap (bash hides it from them), the top level does.
    __lab_trap_code='__lab_need_trap=
{ builtin trap -p DEBUG >|"$__lab_trap_file"; } 2>/dev/null && __lab_chain_trap && builtin trap -- "$__lab_trap" DEBUG'

    # The DEBUG trap, once armed by PS0: the first simple command.
    __lab_preexec() {
        # Lower than at the prompt when the line was not added to history
        # (in PS0 it is not lower yet).
        __lab_armed= __lab_h1=$HISTCMD
        case $BASH_COMMAND in
        __lab_precmd*) ;; # the line ran nothing the trap sees, e.g. `(cd x)`
        *) __lab_first=${BASH_COMMAND#"${BASH_COMMAND%%[![:space:]]*}"} ;;
        esac
        return 0
    }
    __lab_preexec_chained() {
        [[ -z $__lab_armed ]] || __lab_preexec
        return "$1"
    }

    # Last, the history number the next line will get if it is added: after
    # the PROMPT_COMMAND of a shared history (`history -n`) has read more.
    [[ ${PROMPT_COMMAND-} == *__lab_precmd* ]] ||
        PROMPT_COMMAND="__lab_precmd \"\$_\"${PROMPT_COMMAND:+$'\n'$PROMPT_COMMAND}"$'\n''__lab_h0=$HISTCMD; [[ -z $__lab_need_trap ]] || eval "$__lab_trap_code"'
    [[ ${PS0-} == *"$__lab_ps0"* ]] || PS0=$__lab_ps0${PS0-}
    # The DEBUG trap is chained at the next prompt (see __lab_trap_code).
    __lab_need_trap=1
    # Lines left by shells that are gone (kill -0 fails), removed in one go.
    __lab_stale=()
    for __lab_f in "$__lab_tmpdir"/.lab-line.* "$__lab_tmpdir"/.lab-trap.*; do
        [[ -e $__lab_f ]] && ! kill -0 "${__lab_f##*.}" 2>/dev/null && __lab_stale+=("$__lab_f")
    done
    ((${#__lab_stale[@]} == 0)) || command rm -f -- "${__lab_stale[@]}"
    unset __lab_f __lab_stale
fi
