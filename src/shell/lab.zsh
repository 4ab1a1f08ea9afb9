# lab's shell integration for zsh: `eval "$(lab init zsh)"` in ~/.zshrc.
#
# Appends one JSON line per command you type to lab's command log
# ($LAB_COMMAND_LOG, default ${XDG_STATE_HOME:-~/.local/state}/lab/commands.jsonl):
#   {"at":1764650000.123,"ms":12,"status":1,"pipe":[1],"shell":"zsh","pid":42,"cmd":"docker rmi ubuntu:18.04"}
# so that `lab check` knows whether a command succeeded and in which order
# commands ran. It prints nothing, forks nothing per prompt, and leaves $?
# and $pipestatus as they were for the other hooks and the prompt. With
# HIST_IGNORE_SPACE set, a line typed with a leading space is not logged,
# as it is not kept in the history.
if [[ -o interactive ]]; then
    zmodload zsh/datetime 2>/dev/null
    autoload -Uz add-zsh-hook
    typeset -g __lab_log=${LAB_COMMAND_LOG:-${XDG_STATE_HOME:-$HOME/.local/state}/lab/commands.jsonl}
    [[ $__lab_log == */* ]] || __lab_log=./$__lab_log
    [[ -d ${__lab_log:h} ]] || command mkdir -p -- "${__lab_log:h}" 2>/dev/null
    typeset -g __lab_cmd=${__lab_cmd-} __lab_t0=${__lab_t0-} __lab_j=

    # JSON string body of $1 into __lab_j (quotes, backslashes, control
    # characters; UTF-8 passes through).
    __lab_json() {
        emulate -L zsh
        local s=$1 b='\' q='"' c out
        s=${s//$b/$b$b}
        s=${s//$q/$b$q}
        s=${s//$'\n'/${b}n}
        s=${s//$'\t'/${b}t}
        s=${s//$'\r'/${b}r}
        if [[ $s == *[[:cntrl:]]* ]]; then
            out=
            for c in ${(s::)s}; do
                [[ $c == [[:cntrl:]] ]] && printf -v c '\\u%04x' "'$c"
                out+=$c
            done
            s=$out
        fi
        __lab_j=$s
    }

    __lab_preexec() {
        emulate -L zsh
        # $1: the line as typed (empty when history is off).
        [[ -n $1 ]] || return 0
        [[ -o hist_ignore_space && $1 == ' '* ]] && return 0
        __lab_cmd=$1 __lab_t0=${EPOCHREALTIME:-$EPOCHSECONDS}
    }

    __lab_precmd() {
        # One statement: the next one would reset both.
        local st=$? pipe=${(j:,:)pipestatus}
        if [[ -n $__lab_t0 ]]; then
            emulate -L zsh
            local now=${EPOCHREALTIME:-$EPOCHSECONDS} at ms
            printf -v at '%.3f' $__lab_t0
            printf -v ms '%.0f' $(((now - __lab_t0) * 1000))
            __lab_json $__lab_cmd
            printf '{"at":%s,"ms":%s,"status":%s,"pipe":[%s],"shell":"zsh","pid":%s,"cmd":"%s"}\n' \
                $at $ms $st $pipe $$ $__lab_j 2>/dev/null >>$__lab_log
            __lab_t0= __lab_cmd=
        fi
        return st
    }

    add-zsh-hook preexec __lab_preexec
    add-zsh-hook precmd __lab_precmd
    # First among the precmd hooks, to see the command's $? and $pipestatus.
    precmd_functions=(__lab_precmd ${precmd_functions:#__lab_precmd})
fi
