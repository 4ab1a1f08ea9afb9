//! "Will dockerd start with this daemon.json?", answered the way the
//! learner's own dockerd answers it, version by version: how it reads the
//! bytes (a BOM, an empty file), Go's JSON, unknown and removed keys, keys
//! also given as flags, value types, and the checks dockerd runs on values
//! before it starts (log level, DNS addresses, labels, mirrors). Each
//! refusal says where (`file:line:col`) and what to write instead.
//!
//! A refusal has a [`Stage`]: `Load` is what `dockerd --validate` checks,
//! `Start` what dockerd checks after that, before it serves (mirrors before
//! 28.3). Machine-dependent failures (a storage driver the kernel lacks) are
//! out of reach: lab judges the file, not the machine.

use super::dockerd_keys::{self as keys, Ty, Version};
use super::gojson::{self, Node, Pos, Syntax, Value};
use super::mirror;
use crate::lang::Lang;
use crate::tr;

/// The dockerd that reads the file: its version and the flags its command
/// line sets (long names: `host` for `-H fd://` in docker.service).
#[derive(Debug, Clone)]
pub struct Engine {
    pub version: Version,
    pub flags: Vec<String>,
}

impl Engine {
    /// A version as the distributions' docker.service starts it (`-H fd://`).
    pub fn service(version: Version) -> Engine {
        Engine {
            version,
            flags: vec!["host".into()],
        }
    }

    pub fn label(&self) -> String {
        format!("{}.{}", self.version.0, self.version.1)
    }
}

/// `"20.10.24+dfsg1"`, `"Docker version 28.5.2, build"` → (20, 10).
pub fn parse_version(text: &str) -> Option<Version> {
    let start = text.find(|c: char| c.is_ascii_digit())?;
    let mut parts = text[start..].split(|c: char| !c.is_ascii_digit());
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Load,
    Start,
}

#[derive(Debug, Clone)]
pub struct Refusal {
    pub stage: Stage,
    /// Already prefixed with `file:line:col:` where there is a place.
    pub message: String,
}

#[derive(Debug, Default)]
pub struct Verdict {
    pub refusals: Vec<Refusal>,
    /// Accepted, but probably not what the learner meant.
    pub notes: Vec<String>,
    /// The top-level object, when the file parsed.
    pub doc: Option<Node>,
}

impl Verdict {
    /// What `dockerd --validate` says.
    pub fn loads(&self) -> bool {
        self.refusals.iter().all(|r| r.stage != Stage::Load)
    }

    /// Whether dockerd gets as far as serving its API.
    pub fn starts(&self) -> bool {
        self.refusals.is_empty()
    }
}

struct Judge<'a> {
    path: &'a str,
    engine: &'a Engine,
    lang: Lang,
    out: Verdict,
    /// Diagnostics past the first [`super::SHOWN`] of their kind: counted
    /// (refusals by stage, then notes), listed in one line each by `finish`.
    unlisted: [usize; 3],
}

impl Judge<'_> {
    fn refuse(&mut self, stage: Stage, at: Option<Pos>, message: String) {
        let same = self
            .out
            .refusals
            .iter()
            .filter(|r| r.stage == stage)
            .count();
        if same >= super::SHOWN {
            self.unlisted[stage as usize] += 1;
            return;
        }
        let message = match at {
            Some(p) => format!("{}:{}:{}: {}", self.path, p.line, p.col, message),
            None => format!("{}: {}", self.path, message),
        };
        self.out.refusals.push(Refusal { stage, message });
    }

    /// The verdict, with one line for each kind of diagnostic not listed.
    fn finish(mut self) -> Verdict {
        let lang = self.lang;
        for stage in [Stage::Load, Stage::Start] {
            let n = self.unlisted[stage as usize];
            if n > 0 {
                let message = format!("{}: {}", self.path, super::more(n, lang));
                self.out.refusals.push(Refusal { stage, message });
            }
        }
        if self.unlisted[2] > 0 {
            let m = format!("{}: {}", self.path, super::more(self.unlisted[2], lang));
            self.out.notes.push(m);
        }
        self.out
    }

    fn note(&mut self, at: Pos, message: String) {
        if self.out.notes.len() >= super::SHOWN {
            self.unlisted[2] += 1;
            return;
        }
        let m = format!("{}:{}:{}: {}", self.path, at.line, at.col, message);
        self.out.notes.push(m);
    }
}

/// Judges `bytes`, the daemon.json at `path`, as `engine` would read it.
pub fn judge(path: &str, bytes: &[u8], engine: &Engine, lang: Lang) -> Verdict {
    let mut j = Judge {
        path,
        engine,
        lang,
        out: Verdict::default(),
        unlisted: [0; 3],
    };
    let v = engine.version;
    let Some(text) = decode(&mut j, bytes) else {
        return j.finish();
    };
    let modern = v >= (23, 0);
    let body = if modern { text.trim() } else { text.as_str() };
    let offset = lead_offset(&text, body);
    if modern && body.is_empty() {
        return j.finish(); // 23.0+: an empty file is an empty configuration
    }
    let node = match gojson::parse(body, modern) {
        Ok(n) => n,
        Err(e) => {
            let at = shift(e.at, offset);
            let msg = syntax_message(&e.what, v, lang);
            j.refuse(Stage::Load, Some(at), msg);
            return j.finish();
        }
    };
    let node = shift_node(node, offset);
    match &node.value {
        Value::Null => {}
        Value::Object(_) => super::dockerd_check::members(&mut CheckCtx::from(&mut j), &node),
        other => {
            let msg = tr!(lang,
                "the file holds {} {}, but dockerd needs one object: {{ \"registry-mirrors\": [ ... ] }}",
                "文件里是一个{} {}，而 dockerd 需要一个对象：{{ \"registry-mirrors\": [ ... ] }}",
                other.kind(), lang.pick("value", "值"));
            j.refuse(Stage::Load, Some(node.at), msg);
        }
    }
    j.out.doc = Some(node);
    j.finish()
}

/// The check context handed to `dockerd_check` (kept apart for size).
pub(super) struct CheckCtx<'a, 'b> {
    judge: &'a mut Judge<'b>,
}

impl<'a, 'b> From<&'a mut Judge<'b>> for CheckCtx<'a, 'b> {
    fn from(judge: &'a mut Judge<'b>) -> Self {
        CheckCtx { judge }
    }
}

impl CheckCtx<'_, '_> {
    pub fn version(&self) -> Version {
        self.judge.engine.version
    }
    pub fn engine(&self) -> &Engine {
        self.judge.engine
    }
    pub fn lang(&self) -> Lang {
        self.judge.lang
    }
    pub fn refuse(&mut self, stage: Stage, at: Pos, message: String) {
        self.judge.refuse(stage, Some(at), message);
    }
    pub fn note(&mut self, at: Pos, message: String) {
        self.judge.note(at, message);
    }
}

/// The bytes as text, as the version decodes them; `None` after a refusal.
fn decode(j: &mut Judge<'_>, bytes: &[u8]) -> Option<String> {
    let lang = j.lang;
    if j.engine.version < (23, 0) {
        if bytes.starts_with(b"\xef\xbb\xbf") {
            let msg = tr!(lang,
                "the file starts with an invisible byte-order mark (BOM), which dockerd {} refuses (\"invalid character 'ï'\"); save it as UTF-8 without BOM (nano and vim do), or remove it with `sudo sed -i '1s/^\\xEF\\xBB\\xBF//' {}`",
                "文件开头有一个看不见的字节顺序标记（BOM），dockerd {} 会拒绝它（\"invalid character 'ï'\"）；请以“UTF-8 无 BOM”保存（nano 和 vim 默认如此），或者用 `sudo sed -i '1s/^\\xEF\\xBB\\xBF//' {}` 删除它",
                j.engine.label(), j.path);
            j.refuse(Stage::Load, Some(Pos { line: 1, col: 1 }), msg);
            return None;
        }
        return Some(String::from_utf8_lossy(bytes).into_owned());
    }
    // 23.0+: a UTF-8 or UTF-16 BOM says the encoding; the result must be UTF-8.
    if let Some(rest) = bytes.strip_prefix(b"\xef\xbb\xbf") {
        return utf8(j, rest);
    }
    let utf16 = |le: bool, b: &[u8]| -> Option<String> {
        let units: Vec<u16> = b
            .chunks(2)
            .map(|c| {
                let pair = [c[0], *c.get(1).unwrap_or(&0)];
                if le {
                    u16::from_le_bytes(pair)
                } else {
                    u16::from_be_bytes(pair)
                }
            })
            .collect();
        Some(String::from_utf16_lossy(&units))
    };
    if let Some(rest) = bytes.strip_prefix(b"\xff\xfe") {
        return utf16(true, rest);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xfe\xff") {
        return utf16(false, rest);
    }
    utf8(j, bytes)
}

fn utf8(j: &mut Judge<'_>, bytes: &[u8]) -> Option<String> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Some(s.to_string()),
        Err(e) => {
            let n = e.valid_up_to();
            let before = String::from_utf8_lossy(&bytes[..n]);
            let line = before.matches('\n').count() + 1;
            let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            let msg = tr!(j.lang,
                "byte {} is not UTF-8 (the file was saved in another encoding, GBK perhaps); save it as UTF-8",
                "第 {} 个字节不是 UTF-8 编码（文件可能以 GBK 等其他编码保存）；请以 UTF-8 编码保存", n);
            j.refuse(Stage::Load, Some(Pos { line, col }), msg);
            None
        }
    }
}

/// Position of `body` (a suffix-trimmed slice of `text`) within `text`.
fn lead_offset(text: &str, body: &str) -> Pos {
    let lead = &text[..text.len() - text.trim_start().len()];
    if body.len() == text.len() {
        return Pos { line: 1, col: 1 };
    }
    let line = lead.matches('\n').count() + 1;
    let col = lead.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Pos { line, col }
}

fn shift(p: Pos, offset: Pos) -> Pos {
    if p.line == 1 {
        Pos {
            line: offset.line,
            col: p.col + offset.col - 1,
        }
    } else {
        Pos {
            line: p.line + offset.line - 1,
            col: p.col,
        }
    }
}

fn shift_node(mut n: Node, offset: Pos) -> Node {
    if offset == (Pos { line: 1, col: 1 }) {
        return n;
    }
    n.at = shift(n.at, offset);
    n.value = match n.value {
        Value::Array(items) => {
            Value::Array(items.into_iter().map(|i| shift_node(i, offset)).collect())
        }
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| (shift_node(k, offset), shift_node(v, offset)))
                .collect(),
        ),
        v => v,
    };
    n
}

/// What a syntax error means to a learner.
fn syntax_message(what: &Syntax, v: Version, lang: Lang) -> String {
    match what {
        Syntax::Empty => tr!(lang,
            "the file is empty: dockerd {}.{} refuses an empty file (\"EOF\"; 23.0 and later accept it). Write at least `{{}}`, or the registry-mirrors object from the lesson",
            "文件是空的：dockerd {}.{} 不接受空文件（\"EOF\"；23.0 及以后的版本接受）。至少写上 `{{}}`，或写入课程中的 registry-mirrors 配置", v.0, v.1),
        Syntax::UnexpectedEnd => tr!(lang,
            "the file ends before every `{{`, `[` or `\"` is closed: add the missing `}}`, `]` or `\"`",
            "文件在所有的 `{{`、`[` 或 `\"` 闭合之前就结束了：补上缺少的 `}}`、`]` 或 `\"`"),
        Syntax::TooDeep => tr!(lang, "brackets nested too deeply", "括号嵌套太深"),
        Syntax::AfterTopLevel { ch } => tr!(lang,
            "`{}` after the closing `}}`: the whole file must be one object (a `}}` too many, or two objects); dockerd {}.{} refuses it",
            "最后的 `}}` 后面还有 `{}`：整个文件只能是一个对象（多了一个 `}}`，或写了两个对象）；dockerd {}.{} 会拒绝它", ch, v.0, v.1),
        Syntax::Unexpected { ch, expected } => unexpected(*ch, expected, lang),
    }
}

fn unexpected(ch: char, expected: &str, lang: Lang) -> String {
    if let Some((_, ascii, en, zh)) = super::json::lookalike(ch) {
        return tr!(lang,
            "`{}` is {}; JSON needs the plain ASCII `{}` (switch your input method to English, or retype it)",
            "`{}` 是{}；JSON 只认英文半角的 `{}`（把输入法切换到英文后重新输入）",
            ch, lang.pick(en, zh), ascii);
    }
    let shown = if ch.is_control() {
        format!("{:?}", ch)
    } else {
        format!("`{ch}`")
    };
    match (ch, expected) {
        ('}' | ']', "looking for beginning of value") => tr!(lang,
            "a comma after the last item: delete the `,` just before this `{}` (JSON allows no comma before `]` or `}}`)",
            "最后一项后面多了一个逗号：删掉这个 `{}` 前面的 `,`（JSON 不允许在 `]` 或 `}}` 前面写逗号）", ch),
        ('}', "looking for beginning of object key string") => tr!(lang,
            "a comma after the last entry: delete the `,` just before this `}}`",
            "最后一项后面多了一个逗号：删掉这个 `}}` 前面的 `,`"),
        ('\'', _) => tr!(lang,
            "single quotes: JSON needs double quotes `\"` around keys and strings",
            "用了单引号：JSON 的键和字符串都必须用双引号 `\"`"),
        (_, "looking for beginning of object key string") => tr!(lang,
            "{} where a key in double quotes should start: write it as \"registry-mirrors\"",
            "这里应当是用双引号括起来的键名，却是 {}：应写成 \"registry-mirrors\"", shown),
        (_, "after object key:value pair") => tr!(lang,
            "{} after a value: two entries need a `,` between them (or a `}}` is missing)",
            "值后面是 {}：两项之间需要逗号 `,`（或者缺少 `}}`）", shown),
        (_, "after array element") => tr!(lang,
            "{} after a list item: two items need a `,` between them (or a `]` is missing)",
            "列表项后面是 {}：两项之间需要逗号 `,`（或者缺少 `]`）", shown),
        (_, "after object key") => tr!(lang,
            "{} after a key: a key is followed by `:`",
            "键名后面是 {}：键名后面应当是冒号 `:`", shown),
        (_, "in string literal") => tr!(lang,
            "a line break or control character inside a string: close the string with `\"` on the same line",
            "字符串里有换行或控制字符：在同一行用 `\"` 结束字符串"),
        (_, "in string escape code") => tr!(lang,
            "{} after a backslash: inside a string write `\\\\` for a backslash",
            "反斜杠后面是 {}：字符串里的反斜杠要写成 `\\\\`", shown),
        _ => tr!(lang,
            "{} is not JSON here ({}): a stray character, a value missing, or a word without double quotes",
            "这里的 {} 不是合法的 JSON（{}）：多余的字符、缺少值，或者字符串没有加双引号", shown, expected),
    }
}

/// Whether `ty` takes `value` (Go's encoding/json), and if not, in words.
pub(super) fn type_problem(ty: Ty, value: &Value, v: Version, lang: Lang) -> Option<String> {
    let strings = |items: &[Node]| {
        items
            .iter()
            .all(|i| matches!(i.value, Value::String(_) | Value::Null))
    };
    let ok = match (ty, value) {
        (Ty::Ignored, _) => true,
        (Ty::MemBytes, Value::String(s)) => ram_in_bytes(s),
        (Ty::MemBytes, Value::Number(n)) => ram_in_bytes(n),
        (Ty::MemBytes, _) => false,
        (_, Value::Null) => true,
        (Ty::Bool, Value::Bool(_)) => true,
        (Ty::Int, Value::Number(n)) => n.parse::<i64>().is_ok(),
        (Ty::Str, Value::String(_)) => true,
        (Ty::StrList, Value::Array(items)) => strings(items),
        (Ty::IpList, Value::Array(items)) => strings(items),
        (Ty::StrMap, Value::Object(m)) => m
            .iter()
            .all(|(_, x)| matches!(x.value, Value::String(_) | Value::Null)),
        (Ty::BoolMap, Value::Object(m)) => m
            .iter()
            .all(|(_, x)| matches!(x.value, Value::Bool(_) | Value::Null)),
        (Ty::Ip, Value::String(s)) => s.is_empty() || s.parse::<std::net::IpAddr>().is_ok(),
        (Ty::Other, Value::Object(_) | Value::Array(_)) => true,
        _ => false,
    };
    if ok {
        return None;
    }
    let _ = v;
    let shown = match value {
        Value::String(s) => format!("\"{s}\""),
        Value::Number(n) => n.clone(),
        Value::Bool(b) => b.to_string(),
        other => other.kind().to_string(),
    };
    Some(match ty {
        Ty::Bool => tr!(lang, "must be true or false, without quotes; it is {}", "必须是不带引号的 true 或 false；现在是 {}", shown),
        Ty::Int => tr!(lang, "must be a whole number without quotes or a decimal point (1500, not 1500.0 or \"1500\"); it is {}", "必须是不带引号、没有小数点的整数（1500，而不是 1500.0 或 \"1500\"）；现在是 {}", shown),
        Ty::Str => tr!(lang, "must be a string in double quotes; it is {}", "必须是用双引号括起来的字符串；现在是 {}", shown),
        Ty::StrList | Ty::IpList => tr!(lang, "must be a list of strings in square brackets, like [\"a\", \"b\"], even for one item; it is {}", "必须是用方括号括起来的字符串列表，例如 [\"a\", \"b\"]，只有一项也要加方括号；现在是 {}", shown),
        Ty::StrMap => tr!(lang, "must be an object whose values are strings in double quotes, like {{\"max-size\": \"10m\", \"max-file\": \"3\"}}; it is {}", "必须是一个值都带双引号的对象，例如 {{\"max-size\": \"10m\", \"max-file\": \"3\"}}；现在是 {}", shown),
        Ty::BoolMap => tr!(lang, "must be an object of true/false values, like {{\"buildkit\": true}}; it is {}", "必须是值为 true/false 的对象，例如 {{\"buildkit\": true}}；现在是 {}", shown),
        Ty::Ip => tr!(lang, "must be an IP address in double quotes; it is {}", "必须是用双引号括起来的 IP 地址；现在是 {}", shown),
        Ty::MemBytes => tr!(lang, "must be a size like \"64M\"; it is {}", "必须是 \"64M\" 这样的大小；现在是 {}", shown),
        Ty::Other | Ty::Ignored => tr!(lang, "must be an object; it is {}", "必须是一个对象；现在是 {}", shown),
    })
}

/// go-units RAMInBytes: `64`, `64M`, `1.5g`, `64 MiB`.
pub(super) fn ram_in_bytes(s: &str) -> bool {
    let digits_end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(digits_end);
    let num_ok = !num.is_empty()
        && num
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && num.starts_with(|c: char| c.is_ascii_digit());
    let unit = unit.strip_prefix(' ').unwrap_or(unit).to_ascii_lowercase();
    let unit_ok = matches!(unit.as_str(), "" | "b" | "ib" | "i") || {
        let mut c = unit.chars();
        matches!(c.next(), Some('k' | 'm' | 'g' | 't' | 'p'))
            && matches!(c.as_str(), "" | "b" | "i" | "ib")
    };
    num_ok && unit_ok
}

/// Why `url` is not a mirror `v` takes, in the learner's words.
pub fn mirror_problem(url: &str, v: Version, lang: Lang) -> Option<String> {
    use mirror::Problem as P;
    let p = mirror::validate(url, v).err()?;
    Some(match p {
        P::NoScheme | P::Scheme(_) => tr!(lang,
            "`{}` does not start with https:// or http://",
            "`{}` 没有以 https:// 或 http:// 开头", url),
        P::NotAUrl(why) => tr!(lang,
            "`{}` is not a URL dockerd can read ({}): a mirror is https://host or https://host:port, the port in digits, no spaces",
            "dockerd 无法解析 `{}`（{}）：镜像加速器地址形如 `https://<主机名>` 或 `https://<主机名>:<端口>`，端口是数字，不含空格", url, why),
        P::Path => tr!(lang,
            "`{}` has a path after the host, which dockerd {}.{} refuses; a mirror is just scheme and host, like https://docker.m.daocloud.io",
            "`{}` 在主机名后面还有路径，dockerd {}.{} 不接受；镜像加速器地址只包含协议和主机名，例如 https://docker.m.daocloud.io", url, v.0, v.1),
        P::QueryOrFragment => tr!(lang,
            "`{}` has a `?` query or `#` fragment; a mirror is just scheme and host",
            "`{}` 带有 `?` 查询或 `#` 片段；镜像加速器地址只包含协议和主机名", url),
        P::UserInfo => tr!(lang,
            "`{}` has a user name or password (user:pass@), which dockerd refuses in a mirror; log in with `docker login` instead",
            "`{}` 含有用户名或密码（user:pass@），dockerd 不接受；请改用 `docker login` 登录", url),
    })
}

pub(super) fn key_history(name: &str, v: Version, lang: Lang) -> Option<String> {
    let k = keys::history(name)?;
    if let Some(u) = k.until.filter(|u| v >= *u) {
        return Some(tr!(
            lang,
            "`{}` was removed in dockerd {}.{} (you run {}.{}): delete it",
            "`{}` 已在 dockerd {}.{} 中移除（你运行的是 {}.{}）：删掉它",
            name,
            u.0,
            u.1,
            v.0,
            v.1
        ));
    }
    let s = k.since?;
    Some(tr!(
        lang,
        "`{}` exists only from dockerd {}.{} on, and you run {}.{}: delete it or upgrade Docker",
        "`{}` 从 dockerd {}.{} 起才有，而你运行的是 {}.{}：删掉它或升级 Docker",
        name,
        s.0,
        s.1,
        v.0,
        v.1
    ))
}
