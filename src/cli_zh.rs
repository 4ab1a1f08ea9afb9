//! `lab --help` in Chinese: the zh-CN texts of `cli.rs`'s commands and
//! arguments, and [`localize`], which lays them over `Cli::command()` at
//! run time (clap derive takes one language, from the doc comments; clap's
//! own words, "Usage:", "Options:", "Print help", `[default: …]`, are
//! replaced here too). English help, completions and the man page use
//! `Cli::command()` as it is.
//!
//! Every command and argument has a text here: the unit test
//! `every_command_and_argument_has_chinese` fails on a new flag without one.

use clap::builder::StyledStr;
use clap::{Arg, Command};

/// A command's texts: its path below `lab` ("" for `lab` itself, "book
/// build"), about, long about (where the English has one) and after-help
/// (likewise).
struct Cmd {
    path: &'static str,
    about: &'static str,
    long_about: Option<&'static str>,
    after_help: Option<&'static str>,
}

const fn cmd(path: &'static str, about: &'static str) -> Cmd {
    Cmd {
        path,
        about,
        long_about: None,
        after_help: None,
    }
}

const ROOT_LONG: &str = "Docker 课程实验：读一课，在自己的机器上动手做，再让 `lab check` 查看你真实的 Docker 状态（镜像、容器、守护进程事件、/etc/docker/daemon.json、服务、shell 历史），告诉你哪些做完了、哪些还没有，以及怎么改。\n\nlab 从不改动你的机器：它只读取。";

const ROOT_AFTER: &str = "示例：\n  lab list\n  lab show task3\n  lab check task3\n  lab check unit1 --format json\n  lab --lang zh-CN check --all\n\n退出码：0 每一步都通过；1 有检查未通过，或有步骤无法验证；2 用法或课程有误；3 有检查无法进行（连不上守护进程、权限不足、超时），或报告无法写出。";

const GRADE_AFTER: &str = "名单是带表头的 CSV 文件：student_id,name,host,port,user,identity_file（port、user 和 identity_file 可以留空，ssh 会改用 ~/.ssh/config）。详见 grader/README.md。\n\n示例：\n  lab grade --roster class.csv task2 task3\n  lab grade --roster class.csv --all --out grades/week1 -j 32\n  lab grade --roster class.csv task3 --retry-failed\n  lab grade --roster class.csv task3 --deadline 2026-12-01T18:00+08:00\n  lab grade --roster class.csv task3 --watch            （全班实时进度见 http://127.0.0.1:8315/）\n  lab grade --roster class.csv unit1 --watch --serve 0.0.0.0:8315   （给教室的投影仪看）\n\n退出码：0 每台虚拟机都已评分（无论得分多少）；2 用法、名单或输出文件夹有误；3 有虚拟机无法评分（连不上、认证失败、超时、出错）；130 被中断（再次运行即可接着评分）。使用 --watch 时，按 Ctrl-C（或发送 SIGTERM）结束监视：保存每台虚拟机最后一轮的结果并写出全班的文件，退出码同上。";

const WATCH_AFTER: &str = "按键（在终端中）：q 退出，h 显示或隐藏提示，n 下一个任务，p 上一个任务，c 立即检查。\n\n示例：\n  lab watch\n  lab watch task3\n  lab watch task3 --plain | tee watch.log\n\n退出码（与退出时所显示任务的 `lab check` 相同）：0 已通过；1 尚未通过；2 用法或课程有误；3 无法检查（连不上守护进程、权限不足、超时）。";

const COMMANDS: &[Cmd] = &[
    Cmd {
        path: "",
        about: "Docker 课程实验：课程讲解，以及对你真实 Docker 状态的检查和提示",
        long_about: Some(ROOT_LONG),
        after_help: Some(ROOT_AFTER),
    },
    cmd("list", "列出单元和任务，以及你的进度"),
    cmd("show", "在终端中显示一个任务的课文"),
    cmd("check", "检查你在本机上完成的操作"),
    Cmd {
        after_help: Some(WATCH_AFTER),
        ..cmd(
            "watch",
            "实时跟踪一个任务：Docker 或它读取的文件一有变化就重新检查",
        )
    },
    cmd(
        "quiz",
        "在终端中回答一个任务的测验（task1、task5、task11 等）",
    ),
    cmd("validate", "加载课程并报告其中的每一处问题（供课程作者使用）"),
    cmd("book", "把课程生成静态 HTML 书"),
    cmd(
        "book build",
        "把课文和实验生成中英两种语言的 HTML（直接从磁盘打开也可以）",
    ),
    Cmd {
        after_help: Some(GRADE_AFTER),
        ..cmd(
            "grade",
            "通过 SSH 给全班学生的虚拟机评分，写入成绩册（供教师使用）",
        )
    },
    cmd(
        "init",
        "输出 shell 集成脚本，用于 ~/.bashrc 中的 `eval \"$(lab init bash)\"`（zsh 则写进 ~/.zshrc）：之后 lab 能看到每条命令及其退出状态",
    ),
    cmd(
        "completions",
        "输出你的 shell 的 Tab 补全脚本，例如 `lab completions bash > ~/.local/share/bash-completion/completions/lab`",
    ),
    cmd(
        "man",
        "输出 man 手册页（roff 格式），供打包者使用：`lab man > lab.1`",
    ),
    cmd("help", "显示本帮助，或指定子命令的帮助"),
];

/// Arguments' help: (command path, argument id, text). Path "*" is for a
/// global argument, the same in every command it reaches, and for clap's
/// own `--help` and `--version`.
/// `--var` of `lab`, `check` and `watch` (the same option on each).
const VARS: &str = "设置课程变量，例如 --var daemon_json=/tmp/daemon.json（可重复）";

const ARGS: &[(&str, &str, &str)] = &[
    (
        "*",
        "course",
        "使用该目录中的课程（含 labs/ 和 content/），而不是内置课程",
    ),
    (
        "*",
        "lang",
        "课文和报告的语言（默认取自 LC_ALL、LC_MESSAGES 或 LANG）",
    ),
    ("*", "docker_host", "要检查的 Docker 守护进程"),
    ("*", "timeout", "每个检查最多用时多少秒，超时即算出错"),
    (
        "*",
        "journal",
        "lab 记录进度的文件（默认为 $XDG_STATE_HOME/lab/journal.jsonl）",
    ),
    ("*", "no_journal", "既不读取也不写入操作记录文件（只看机器此刻的状态）"),
    ("*", "color", "何时使用颜色（`auto` 会遵从 NO_COLOR）"),
    ("*", "help", "显示帮助"),
    ("*", "version", "显示版本"),
    (
        "",
        "vars",
        VARS,
    ),
    ("show", "task", "任务编号，例如 task3"),
    ("check", "targets", "要检查的任务或单元，例如 task3 或 unit1"),
    ("check", "all", "检查课程的所有任务"),
    ("check", "format", "报告格式"),
    (
        "check",
        "vars",
        VARS,
    ),
    ("watch", "task", "要跟踪的任务（默认为第一个尚未通过的任务）"),
    (
        "watch",
        "vars",
        VARS,
    ),
    ("watch", "plain", "即使在终端中也输出纯文本行（每次变化一行）"),
    ("quiz", "task", "带测验的任务，例如 task1"),
    (
        "quiz",
        "answers",
        "不经提问直接回答一道题，例如 --answer q3=b 或 --answer q5=\"a c\"（可重复）",
    ),
    ("quiz", "vars", "设置课程变量（可重复）"),
    (
        "book build",
        "out",
        "输出文件夹（默认为 book.toml 的 build-dir，否则为 ./book）",
    ),
    (
        "grade",
        "roster",
        "全班名单（CSV：student_id,name,host,port,user,identity_file）",
    ),
    (
        "grade",
        "targets",
        "要评分的任务或单元，例如 task2 task3 或 unit1",
    ),
    ("grade", "all", "给课程的所有任务评分"),
    (
        "grade",
        "out",
        "输出文件夹（成绩册、报告、证据）；在同一文件夹再次运行会接着上次评分",
    ),
    ("grade", "jobs", "同时评分的虚拟机数"),
    ("grade", "retry_failed", "只重新评上次未能评分的虚拟机"),
    ("grade", "regrade", "丢弃 --out 中的结果，重新给每台虚拟机评分"),
    (
        "grade",
        "deadline",
        "此时间之后的操作不计分，例如 2026-12-01T18:00+08:00（必须带时区）",
    ),
    (
        "grade",
        "accept_new_host_keys",
        "信任首次见到的虚拟机主机密钥（密钥变了仍会失败）",
    ),
    (
        "grade",
        "ssh_options",
        "传给 ssh 的选项，同 `ssh -o`，例如 --ssh-option UserKnownHostsFile=class_known_hosts（可重复）",
    ),
    (
        "grade",
        "vars",
        "在每台虚拟机上设置课程变量，例如 --var daemon_json=/etc/docker/daemon.json（可重复）",
    ),
    (
        "grade",
        "watch",
        "持续监视全班：每台虚拟机保持一个 SSH 连接，Docker 事件表明有变化时重新评分（否则每 10 秒一次，每秒最多一次），实时页面显示全班进度表（--serve）；按 Ctrl-C 写出成绩册和报告",
    ),
    (
        "grade",
        "serve",
        "--watch 提供全班页面的地址：端口，或 IP:端口（默认为 127.0.0.1:8315，仅限本机）",
    ),
    (
        "grade",
        "every",
        "使用 --watch 时，Docker 事件没有动静的虚拟机每隔多少秒评一次分，以发现没有事件的变化（daemon.json、shell 历史）（默认为 10）",
    ),
    ("init", "shell", "你的 shell"),
    ("completions", "shell", "bash、zsh、fish、elvish 或 powershell"),
    ("help", "subcommand", "显示这些子命令的帮助"),
];

/// `--help`'s texts when the command also has a long help: (-h, --help).
const HELP_SHORT: &str = "显示帮助（`--help` 显示更多）";
const HELP_LONG: &str = "显示帮助（`-h` 只显示摘要）";

/// Value names, as `<FILE>` in `--roster <FILE>`.
const VALUE_NAMES: &[(&str, &str)] = &[
    ("DIR", "目录"),
    ("FILE", "文件"),
    ("LANG", "语言"),
    ("URL", "URL"),
    ("NAME=VALUE", "名称=值"),
    ("SECS", "秒数"),
    ("COLOR", "颜色"),
    ("TASK", "任务"),
    ("TARGET", "目标"),
    ("FORMAT", "格式"),
    ("ID=ANSWER", "题号=答案"),
    ("N", "N"),
    ("TIME", "时间"),
    ("KEY=VALUE", "键=值"),
    ("ADDR", "地址"),
    ("SHELL", "shell"),
    ("COMMAND", "命令"),
];

/// clap's placeholder for options in a usage line.
const OPTIONS_TAG: (&str, &str) = ("[OPTIONS]", "[选项]");

fn command_text(path: &str) -> Option<&'static Cmd> {
    COMMANDS.iter().find(|c| c.path == path)
}

fn arg_text(path: &str, arg: &Arg) -> Option<&'static str> {
    let id = arg.get_id().as_str();
    let find = |p: &str| ARGS.iter().find(|(ap, aid, _)| *ap == p && *aid == id);
    find(path)
        .or_else(|| {
            // Global arguments (and clap's --help/--version) are the same everywhere.
            let global = arg.is_global_set() || id == "help" || id == "version";
            global.then(|| find("*")).flatten()
        })
        .map(|(_, _, text)| *text)
}

fn value_name(en: &str) -> Option<&'static str> {
    VALUE_NAMES
        .iter()
        .find(|(e, _)| *e == en)
        .map(|(_, zh)| *zh)
}

/// `lab`'s command tree with every text a learner reads in zh-CN. Built
/// (clap's help flags and `help` subcommand added, global arguments
/// copied into each subcommand) before the texts are laid over it.
pub fn localize(cli: Command) -> Command {
    let mut cli = cli;
    cli.build();
    localize_one(cli, "")
}

/// The key of a command in [`COMMANDS`]: its path below `lab`, with the
/// copies of the tree under `lab help` keyed as the commands they are
/// (`lab help book build`, `lab book help build`), and every `help`
/// subcommand (`lab book help`) as `help`.
fn key(path: &str) -> String {
    let words: Vec<&str> = path.split_whitespace().collect();
    if words.last() == Some(&"help") {
        return "help".to_string();
    }
    words
        .into_iter()
        .filter(|w| *w != "help")
        .collect::<Vec<_>>()
        .join(" ")
}

fn localize_one(mut cmd: Command, path: &str) -> Command {
    let key = key(path);
    let key = key.as_str();
    if let Some(t) = command_text(key) {
        cmd = cmd
            .about(t.about)
            .long_about(t.long_about)
            .after_help(t.after_help)
            .after_long_help(None::<&str>)
            .before_help(None::<&str>)
            .before_long_help(None::<&str>);
    }
    let args: Vec<Arg> = cmd.get_arguments().cloned().collect();
    for arg in args {
        let text = arg_text(key, &arg);
        cmd = cmd.mut_arg(arg.get_id().clone(), |a| localize_arg(a, text));
    }
    cmd = cmd.subcommand_value_name("命令");
    let subs: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in subs {
        let sub_path = if path.is_empty() {
            name.clone()
        } else {
            format!("{path} {name}")
        };
        cmd = cmd.mut_subcommand(&name, |s| localize_one(s, &sub_path));
    }
    let template = template(&cmd);
    let usage = usage(&mut cmd);
    cmd.help_template(template).override_usage(usage)
}

/// An argument's help in Chinese, with what clap would add in English
/// (`[env: …]`, `[default: …]`, `[possible values: …]`) said in Chinese.
fn localize_arg(arg: Arg, text: Option<&'static str>) -> Arg {
    let mut arg = arg;
    if let Some(names) = arg
        .get_value_names()
        .filter(|_| arg.get_action().takes_values())
    {
        let zh: Vec<String> = names
            .iter()
            .map(|n| value_name(n.as_str()).unwrap_or(n.as_str()).to_string())
            .collect();
        arg = arg.value_names(zh);
    }
    let Some(text) = text else { return arg };
    if arg.get_id() == "help" && arg.get_long_help().is_some() {
        return arg.help(HELP_SHORT).long_help(HELP_LONG);
    }
    let mut notes = Vec::new();
    if let Some(env) = arg.get_env().filter(|_| !arg.is_hide_env_set()) {
        notes.push(format!("[环境变量：{}]", env.to_string_lossy()));
    }
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    if !defaults.is_empty() && !arg.is_hide_default_value_set() && arg.get_action().takes_values() {
        notes.push(format!("[默认：{}]", defaults.join("、")));
    }
    let possible: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_string())
        .collect();
    if !possible.is_empty() && !arg.is_hide_possible_values_set() && arg.get_action().takes_values()
    {
        notes.push(format!("[可选：{}]", possible.join("、")));
    }
    let help = if notes.is_empty() {
        text.to_string()
    } else {
        format!("{text} {}", notes.join(" "))
    };
    arg.help(help)
        .long_help(None::<&str>)
        .hide_env(true)
        .hide_default_value(true)
        .hide_possible_values(true)
}

/// clap's help layout with Chinese headings: each section only where the
/// command has something to list, as clap does.
fn template(cmd: &Command) -> StyledStr {
    let styles = cmd.get_styles();
    let (u, h) = (styles.get_usage(), styles.get_header());
    let mut t = format!("{{before-help}}{{about-with-newline}}\n{u}用法：{u:#}{{usage}}");
    let subs = cmd.get_subcommands().any(|s| !s.is_hide_set());
    let pos = cmd.get_positionals().any(|a| !a.is_hide_set());
    let opts = cmd
        .get_arguments()
        .any(|a| !a.is_positional() && !a.is_hide_set());
    for (has, heading, tag) in [
        (subs, "命令：", "{subcommands}"),
        (pos, "参数：", "{positionals}"),
        (opts, "选项：", "{options}"),
    ] {
        if has {
            t.push_str(&format!("\n\n{h}{heading}{h:#}\n{tag}"));
        }
    }
    t.push_str("{after-help}");
    StyledStr::from(t)
}

/// The command's usage line as clap writes it, with `[OPTIONS]` in Chinese
/// (its value names already are).
fn usage(cmd: &mut Command) -> String {
    let usage = cmd.render_usage().to_string();
    let usage = usage.strip_prefix("Usage: ").unwrap_or(&usage).to_string();
    usage.replace(OPTIONS_TAG.0, OPTIONS_TAG.1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Cli;
    use clap::CommandFactory;

    /// Every command of the built tree with its path, `help`'s copies too.
    fn walk<'a>(cmd: &'a Command, path: String, out: &mut Vec<(String, &'a Command)>) {
        out.push((path.clone(), cmd));
        for sub in cmd.get_subcommands() {
            let p = if path.is_empty() {
                sub.get_name().to_string()
            } else {
                format!("{path} {}", sub.get_name())
            };
            walk(sub, p, out);
        }
    }

    fn has_cjk(s: &str) -> bool {
        s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    #[test]
    fn every_command_and_argument_has_chinese() {
        let mut en = Cli::command();
        en.build();
        let mut en_cmds = Vec::new();
        walk(&en, String::new(), &mut en_cmds);
        let mut missing = Vec::new();
        for (path, cmd) in &en_cmds {
            let k = key(path);
            let k = k.as_str();
            match command_text(k) {
                None => missing.push(format!("command `lab {path}`: no entry in COMMANDS")),
                Some(t) => {
                    if cmd.get_long_about().is_some() != t.long_about.is_some()
                        && !path.starts_with("help")
                    {
                        missing.push(format!(
                            "command `lab {path}`: long_about in one language only"
                        ));
                    }
                    let en_after =
                        cmd.get_after_help().is_some() || cmd.get_after_long_help().is_some();
                    if en_after != t.after_help.is_some() && !path.starts_with("help") {
                        missing.push(format!(
                            "command `lab {path}`: after_help in one language only"
                        ));
                    }
                }
            }
            if cmd.get_before_help().is_some() || cmd.get_before_long_help().is_some() {
                missing.push(format!(
                    "command `lab {path}`: before_help has no zh-CN field here"
                ));
            }
            for arg in cmd.get_arguments() {
                let id = arg.get_id().as_str();
                if arg_text(k, arg).is_none() {
                    missing.push(format!("argument `{id}` of `lab {path}`: no entry in ARGS"));
                }
                if arg.get_long_help().is_some() && id != "help" {
                    missing.push(format!(
                        "argument `{id}` of `lab {path}`: a long help has no zh-CN field here"
                    ));
                }
                let names = arg
                    .get_value_names()
                    .filter(|_| arg.get_action().takes_values());
                for name in names.unwrap_or_default() {
                    if value_name(name.as_str()).is_none() {
                        missing.push(format!(
                            "value name `{name}` of `lab {path}`: no entry in VALUE_NAMES"
                        ));
                    }
                }
            }
        }
        assert!(
            missing.is_empty(),
            "English a zh-CN learner would read:\n{}",
            missing.join("\n")
        );
    }

    #[test]
    fn the_chinese_tree_has_chinese_in_every_text() {
        let zh = localize(Cli::command());
        let mut cmds = Vec::new();
        walk(&zh, String::new(), &mut cmds);
        for (path, cmd) in &cmds {
            let about = cmd.get_about().map(ToString::to_string).unwrap_or_default();
            assert!(has_cjk(&about), "`lab {path}`: {about}");
            for arg in cmd.get_arguments() {
                let help = arg.get_help().map(ToString::to_string).unwrap_or_default();
                assert!(has_cjk(&help), "`{}` of `lab {path}`: {help}", arg.get_id());
            }
        }
    }

    /// clap's English around the texts: headings, spec values, its flags.
    const CLAP_WORDS: &[&str] = &[
        "Usage",
        "Options",
        "Arguments",
        "Commands",
        "Print",
        "[default",
        "[env",
        "[possible",
        "OPTIONS",
        "COMMAND",
        "NAME=VALUE",
    ];

    #[test]
    fn every_help_page_is_chinese_short_and_long() {
        let mut en = Cli::command();
        en.build();
        let mut paths = Vec::new();
        walk(&en, String::new(), &mut paths);
        // `help`'s copies of the tree are not commands of their own; `help`
        // itself takes no `--help` but names a command, or none.
        let own = |p: &str| !p.split_whitespace().rev().skip(1).any(|w| w == "help");
        for (path, _) in paths.iter().filter(|(p, _)| own(p)) {
            let words: Vec<&str> = path.split_whitespace().collect();
            let asks: Vec<Vec<&str>> = if words.last() == Some(&"help") {
                let mut asks = vec![words.clone()];
                if path == "help" {
                    asks.extend([vec!["help", "grade"], vec!["help", "book", "build"]]);
                }
                asks
            } else {
                ["-h", "--help"]
                    .iter()
                    .map(|flag| [&words[..], &[*flag]].concat())
                    .collect()
            };
            for ask in asks {
                let args = [&["lab"][..], &ask[..]].concat();
                let e = localize(Cli::command())
                    .try_get_matches_from(&args)
                    .expect_err("help is an error of clap's");
                assert_eq!(e.kind(), clap::error::ErrorKind::DisplayHelp, "{args:?}");
                let page = e.to_string();
                assert!(page.contains("用法：lab"), "{args:?}:\n{page}");
                for word in CLAP_WORDS {
                    assert!(!page.contains(word), "{args:?} says {word}:\n{page}");
                }
            }
        }
    }

    #[test]
    fn chinese_parses_as_english() {
        use clap::{FromArgMatches, Parser};
        for args in [
            &["lab", "check", "task3", "--format", "json", "--var", "a=b"][..],
            &[
                "lab", "--var", "a=b", "grade", "--roster", "r.csv", "--all", "-j", "4",
            ],
            &["lab", "--timeout", "3", "watch", "--plain"],
            &["lab", "book", "build", "--out", "x"],
            &["lab", "quiz", "task1", "--answer", "q3=b", "--no-journal"],
        ] {
            let en = Cli::try_parse_from(args).expect("en parses");
            let matches = localize(Cli::command())
                .try_get_matches_from(args)
                .expect("zh parses");
            let zh = Cli::from_arg_matches(&matches).expect("zh is a Cli");
            assert_eq!(format!("{en:?}"), format!("{zh:?}"), "{args:?}");
        }
    }

    #[test]
    fn english_is_left_as_it_was() {
        let mut en = Cli::command();
        let help = en.render_long_help().to_string();
        assert!(help.contains("Usage: lab [OPTIONS] <COMMAND>"), "{help}");
        assert!(!has_cjk(&help), "{help}");
    }
}
