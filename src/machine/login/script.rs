//! The login script the VM's shell runs, and how lab asks for each item
//! it wants: a spec per item, framed by a random end marker.

use super::Wanted;

/// The login script. Few processes on the VM: `date`, one `stat` for every
/// file that exists, one `cat` for every small regular file (split by the
/// sizes `stat` gave: a file that changed in between is read again on
/// demand), one `cat` for each file that reports size 0 (empty, or a /proc
/// file whose size is unknown until read: at most `max` + 1 bytes of it,
/// and a file with more is asked for again on demand, within the bound
/// its check reads), and the commands kinds declare. Only regular files
/// are read (`-f`): a FIFO or a device is listed with its kind, unread.
/// The answer:
///
/// ```text
/// HOME \n STATE \n systemd|none \n
/// per command:  <stdout> \n <end> x<code> \n
/// per file:     missing | ? | <mode hex> <size> r|z|n \n     (r: in the cat block, z: after it, n: not read;
///               ?: changed while looked at, or behind a folder this user cannot enter)
/// <end> stat \n  <the r files, back to back> \n <end> cat \n
/// per z file:   <bytes> \n <end> z \n
/// CLOCK \n <end> done \n
/// ```
///
/// Then the shell stays, reading its stdin: each line that is a new end
/// marker gets the same answer again, framed by it ([`again`](super::again)); the end of
/// stdin ends it, and with it the master connection. So a kept VM is asked
/// again with no new ssh client, sshd session or shell on either side. A
/// command that answers from its program file alone (`docker --version`,
/// see [`program_fact`]) is run again only when that file changed, or when
/// the marker's line says `fresh` (lab saw the daemon restart: a package
/// upgrade, say, which a wrapper's file would not show).
pub(super) const SCRIPT: &str = r#"end=$1; max=$2; shift 2
nl='
'
answer() {
state=${XDG_STATE_HOME:-$HOME/.local/state}
printf '%s\n' "$HOME" "$state"
if [ -d /run/systemd/system ]; then echo systemd; else echo none; fi
n=0; have=; k=0; v=0
for spec; do
  case $spec in
    X:*) (eval "${spec#X:}") </dev/null 2>/dev/null; printf '\n%s x%s\n' "$end" "$?"; continue ;;
    V:*)
      r=${spec#V:}; prog=${r%%:*}; v=$((v+1)); id=
      if p=$(command -v "$prog"); then id="$gen $(stat -L -c '%d %i %s %Y' "$p" 2>/dev/null)"; fi
      eval "was=\${vid$v-}"
      if [ "$id" = "$gen " ] || [ "$id" != "$was" ]; then
        o=$( (eval "${r#*:}") </dev/null 2>/dev/null; printf '.%s' "$?")
        eval "vid$v=\$id; vo$v=\$o"
      else eval "o=\$vo$v"; fi
      printf '%s\n%s x%s\n' "${o%.*}" "$end" "${o##*.}"; continue ;;
    H:*) p=$HOME/${spec#H:} ;;
    S:*) p=$state/${spec#S:} ;;
    *) p=${spec#A:} ;;
  esac
  n=$((n+1)); eval "p$n=\$p; e$n="
  if [ -e "$p" ]; then have="$have \"\$p$n\""; eval "e$n=1"; k=$((k+1)); fi
done
st=; c=0
if [ -n "$have" ]; then
  eval "set -- $have"
  st=$(stat -L -c '%f %s' -- "$@" 2>/dev/null; echo .); st=${st%.}
  r=$st
  while [ -n "$r" ]; do
    c=$((c+1))
    case $r in *"$nl"*) r=${r#*"$nl"} ;; *) r= ;; esac
  done
fi
cats=; zeros=; i=0
while [ "$i" -lt "$n" ]; do
  i=$((i+1)); eval "p=\$p$i; e=\$e$i"
  if [ -z "$e" ]; then
    # Behind a folder this user cannot enter: not known to be missing,
    # asked again on demand (which says why).
    d=$p
    while d=${d%/*}; [ -n "$d" ] && ! [ -e "$d" ]; do :; done
    if [ -n "$d" ] && [ -d "$d" ] && ! [ -x "$d" ]; then echo '?'; else echo missing; fi
    continue
  fi
  if [ "$c" -ne "$k" ]; then echo '?'; continue; fi
  l=${st%%"$nl"*}; st=${st#*"$nl"}; s=${l#* }; f=n
  if [ -f "$p" ] && [ -r "$p" ]; then
    if [ "$s" -eq 0 ]; then f=z; zeros="$zeros \"\$p$i\""
    elif [ "$s" -le "$max" ]; then f=r; cats="$cats \"\$p$i\""; fi
  fi
  printf '%s %s\n' "$l" "$f"
done
printf '%s stat\n' "$end"
if [ -n "$cats" ]; then eval "set -- $cats"; cat -- "$@" 2>/dev/null; fi
printf '\n%s cat\n' "$end"
if [ -n "$zeros" ]; then
  eval "set -- $zeros"
  for p; do
    head -c "$((max+1))" -- "$p" 2>/dev/null
    printf '\n%s z\n' "$end"
  done
fi
date +%s%N
printf '%s done\n' "$end"
}
gen=0
answer "$@" </dev/null
while read -r end how; do
  case $end in --lab-end-*--)
    if [ "$how" = fresh ]; then gen=$((gen+1)); fi
    answer "$@" </dev/null ;;
  esac
done"#;

/// A wanted item as the script's argument. A command is one line of
/// single-quoted words (`ssh::command_line`), which the script `eval`s.
pub(super) fn spec(w: &Wanted) -> String {
    match w {
        Wanted::Absolute(p) => format!("A:{p}"),
        Wanted::InHome(p) => format!("H:{p}"),
        Wanted::InState(p) => format!("S:{p}"),
        Wanted::Run(argv) => {
            let words: Vec<&str> = argv.iter().map(String::as_str).collect();
            let line = crate::machine::ssh::command_line(&words);
            match program_fact(argv) {
                Some(program) => format!("V:{program}:{line}"),
                None => format!("X:{line}"),
            }
        }
    }
}

/// The program of a command whose answer is a fact of the program file
/// alone (`docker --version`): the login's shell runs it again only when
/// that file changed (device, inode, size, mtime) or lab asks afresh.
pub(super) fn program_fact(argv: &[String]) -> Option<&str> {
    let [program, flag] = argv else { return None };
    let plain = !program.starts_with('-')
        && program
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    (flag == "--version" && plain && !program.is_empty()).then_some(program.as_str())
}

/// A marker no file will contain by chance.
pub(super) fn marker() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_i64(crate::clock::now_nanos());
    let a = h.finish();
    h.write_u32(std::process::id());
    format!("--lab-end-{a:016x}{:016x}--", h.finish())
}
