//! The roster parser, row by row: what each broken roster is told.

use super::*;
use crate::lang::Lang;

fn parse_str(s: &str) -> Result<Vec<Student>, RosterError> {
    parse("roster.csv", s.as_bytes(), Path::new("/"))
}

fn err(s: &str) -> String {
    parse_str(s).unwrap_err().to_string()
}

#[test]
fn a_roster_row_becomes_an_ssh_target() {
    let r = parse_str(
        "student_id,name,host,port,user\ns01,\"Lovelace, Ada\",10.0.0.11,2222,ada\ns02,Grace,vm2,,\n",
    )
    .unwrap();
    assert_eq!(r.len(), 2);
    assert_eq!(r[0].name, "Lovelace, Ada");
    assert_eq!(r[0].target.port, Some(2222));
    assert_eq!(r[0].target.user.as_deref(), Some("ada"));
    assert_eq!(r[0].line, 2);
    assert_eq!(r[1].target.port, None);
    assert_eq!(r[1].target.user, None);
    assert_eq!(r[1].line, 3);
}

#[test]
fn bad_rows_are_reported_by_line() {
    let head = "student_id,name,host,port,user\n";
    assert_eq!(
        err(&format!("{head}s01,A,h,22,u\ns01,B,h,22,u\n")),
        "roster.csv:3: student_id `s01` is already used on line 2"
    );
    assert_eq!(
        err(&format!("{head}s01,A,h,99999,u\n")),
        "roster.csv:2: port `99999` is not a number from 1 to 65535; write digits only (like 22), or leave the cell empty for ssh's default"
    );
    assert_eq!(
        err(&format!("{head}s01,A,h,22\n")),
        "roster.csv:2: this row has 4 cells but the header has 5"
    );
    assert!(err(&format!("{head}../x,A,h,22,u\n")).starts_with("roster.csv:2: student_id `../x`"));
    assert!(err(&format!("{head}s1,A,-oProxyCommand=x,22,u\n"))
        .contains("it starts with `-`, which ssh would read as an option"));
    assert!(err(&format!("{head}s1,A,h; rm -rf /,22,u\n"))
        .contains("it contains `;`, which ssh does not accept there"));
    assert_eq!(
        err("id,name,host\n"),
        "roster.csv:1: unknown column `id`; the columns are student_id, name, host, port, user, identity_file, username, email, idnumber"
    );
    assert!(err("student_id,name\n").contains("no `host` column"));
    assert_eq!(err(head), "roster.csv:2: the roster has no students");
}

#[test]
fn identity_files_must_exist() {
    let e = err("student_id,name,host,identity_file\ns1,A,h,/nonexistent/key\n");
    assert_eq!(
        e,
        "roster.csv:2: identity file `/nonexistent/key` does not exist or is not a file"
    );
}

fn row(host: &str, port: &str, user: &str) -> String {
    format!("student_id,name,host,port,user\ns01,A,vm1,22,u\ns02,B,{host},{port},{user}\n")
}

/// OpenSSH's `valid_hostname`: what ssh would refuse is refused here,
/// with the line, what is wrong and what to write instead.
#[test]
fn hosts_ssh_refuses_are_refused_with_their_line() {
    for (host, what) in [
        ("$(reboot)", "`$`"),
        ("`reboot`", "a backtick"),
        ("\"vm 1\"", "a space"),
        ("-oProxyCommand=sh", "starts with `-`"),
        ("vm1;reboot", "`;`"),
        ("vm1&", "`&`"),
        ("vm<1", "`<`"),
        ("vm>1", "`>`"),
        ("vm|1", "`|`"),
        ("vm(1)", "`(`"),
        ("vm{1}", "`{`"),
        ("vm'1", "`'`"),
        ("vm\\1", "`\\`"),
        ("\"vm1,vm2\"", "`,`"),
        ("\"vm\t1\"", "U+0009"),
        ("vm\u{1b}1", "U+001B"),
        ("vm\u{3000}1", "U+3000"),
    ] {
        let e = err(&row(host, "22", "u"));
        assert!(e.starts_with("roster.csv:3: host `"), "{host}: {e}");
        assert!(e.contains(what), "{host}: {e}");
        assert!(e.contains("write the VM's host name or IP address"), "{e}");
        assert!(
            !e.contains('\u{1b}'),
            "control characters are spelt out: {e:?}"
        );
    }
    for fine in ["10.0.0.11", "vm-1.lab.example", "fe80::1%eth0", "学生一号"] {
        let r = parse_str(&row(fine, "22", "u")).unwrap();
        assert_eq!(r[1].target.host, fine);
    }
}

#[test]
fn users_ssh_refuses_or_that_hold_a_host_are_refused() {
    for (user, what) in [
        ("-lroot", "starts with `-`"),
        ("$(id)", "`$`"),
        ("a;b", "`;`"),
        ("\"a b\"", "a space"),
        ("ada@vm1", "`@` (the host goes in the host column"),
        ("ada:22", "`:`"),
    ] {
        let e = err(&row("vm2", "22", user));
        assert!(e.starts_with("roster.csv:3: user `"), "{user}: {e}");
        assert!(e.contains(what), "{user}: {e}");
    }
    assert_eq!(
        parse_str(&row("vm2", "22", "first.last_1")).unwrap()[1]
            .target
            .user
            .as_deref(),
        Some("first.last_1")
    );
}

/// `u16::from_str` takes `+22`; a port is digits only.
#[test]
fn a_port_is_digits_only() {
    for bad in ["+22", "-22", "0", "65536", "2 2", "22.0", "0x16", "２２"] {
        let e = err(&row("vm2", bad, "u"));
        assert!(
            e.starts_with(&format!(
                "roster.csv:3: port `{bad}` is not a number from 1 to 65535"
            )),
            "{bad}: {e}"
        );
    }
    for (good, n) in [
        ("1", 1),
        ("22", 22),
        (" 2222 ", 2222),
        ("65535", 65535),
        ("022", 22),
    ] {
        assert_eq!(
            parse_str(&row("vm2", good, "u")).unwrap()[1].target.port,
            Some(n)
        );
    }
}

/// The line an editor shows: blank lines, CRLF, lone CR and a name
/// quoted over two lines all count (the CSV reader skips blank ones).
#[test]
fn lines_are_counted_as_an_editor_counts_them() {
    let bad_host = |text: &str| parse_str(text).unwrap_err().line();
    assert_eq!(
        bad_host("student_id,name,host\r\n\r\ns1,\"A\nB\",vm1\r\ns2,B,h h\r\n"),
        Some(5)
    );
    assert_eq!(
        bad_host("student_id,name,host\r\rs1,A,vm1\rs2,B,h h\r"),
        Some(4)
    );
    assert_eq!(bad_host("student_id,name,host\n\n\n\ns1,A,h h"), Some(5));
    let r = parse_str("student_id,name,host\n\ns1,A,vm1\n\n\ns2,B,vm2\n").unwrap();
    assert_eq!((r[0].line, r[1].line), (3, 6));
}

#[test]
fn ids_that_differ_only_in_case_are_one_student() {
    let e = err("student_id,name,host\nS1,A,vm1\ns2,B,vm2\n\n s1 ,C,vm3\n");
    assert_eq!(
        e,
        "roster.csv:5: s1 on line 5 is the same student as S1 on line 2 (ids are compared without case: they name report folders, and some file systems do not tell them apart); give one of them another id"
    );
    assert!(err("student_id,name,host\n-1,A,vm1\n").contains("may not start with `.` or `-`"));
}

#[test]
fn teachers_read_roster_errors_in_chinese_too() {
    let zh = |s: &str| parse_str(s).unwrap_err().text(Lang::ZhCn);
    assert_eq!(
        zh("student_id,name,host\nS1,A,vm1\ns1,B,vm2\n"),
        "roster.csv:3: 第 3 行的 s1 与第 2 行的 S1 是同一名学生（比较学号时不区分大小写：学号用作报告文件夹的名称，有些文件系统不区分大小写）；请给其中一人换一个学号"
    );
    assert_eq!(
        zh(&row("$(reboot)", "22", "u")),
        "roster.csv:3: 主机 `$(reboot)` 不是有效的主机名：其中含有 `$`，ssh 不接受；请填写虚拟机的主机名或 IP 地址（例如 10.0.0.11），用户名和端口写在各自的列中"
    );
    assert_eq!(
        zh(&row("vm2", "+22", "u")),
        "roster.csv:3: 端口 `+22` 不是 1 到 65535 之间的数字；请只写数字（例如 22），或留空以使用 ssh 的默认端口"
    );
    assert_eq!(
        zh(&row("vm2", "22", "\"a b\"")),
        "roster.csv:3: 用户 `a b` 不是有效的用户名：其中含有空格，ssh 不接受；这里只填写用户名（例如 student）"
    );
    assert_eq!(zh("id\n"), "roster.csv:1: 未知的列 `id`；可用的列为 student_id, name, host, port, user, identity_file, username, email, idnumber");
}

/// Stands in for cargo-fuzz: thousands of mutations of a valid roster
/// (bytes changed, inserted, removed, CSV's own characters, broken
/// UTF-8); `parse` never panics and every error names a line.
#[test]
fn any_bytes_give_students_or_an_error_with_a_line() {
    let valid = "\u{feff}student_id,name,host,port,user,identity_file\r\ns01,\"Lovelace, Ada\",10.0.0.11,22,ada,\ns02,李雷,vm2,,,\n\ns03,\"O'Brien \"\"B\"\"\",vm3,2222,root,\n";
    let specials = b",\"\r\n\t '-+=@$;:\\\xef\xbb\xbf\xff\xe6\x00";
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n.max(1) as u64) as usize
    };
    let (mut ok, mut errors) = (0, 0);
    for _ in 0..5000 {
        let mut bytes = valid.as_bytes().to_vec();
        for _ in 0..1 + next(4) {
            let at = next(bytes.len() + 1);
            let byte = if next(2) == 0 {
                specials[next(specials.len())]
            } else {
                next(256) as u8
            };
            match next(3) {
                0 if at < bytes.len() => bytes[at] = byte,
                1 if at < bytes.len() => {
                    bytes.remove(at);
                }
                _ => bytes.insert(at, byte),
            }
        }
        let result = std::panic::catch_unwind(|| parse("roster.csv", &bytes, Path::new("/")));
        let Ok(result) = result else {
            panic!("parse panicked on {:?}", String::from_utf8_lossy(&bytes));
        };
        match result {
            Ok(students) => {
                ok += 1;
                assert!(
                    students.iter().all(|s| s.line >= 2 && !s.id.is_empty()),
                    "{students:?} from {:?}",
                    String::from_utf8_lossy(&bytes)
                );
            }
            Err(e) => {
                errors += 1;
                let line = e.line().expect("a parse error is about a line");
                assert!(line >= 1, "{e} from {:?}", String::from_utf8_lossy(&bytes));
                for lang in [Lang::En, Lang::ZhCn] {
                    let text = e.text(lang);
                    assert!(text.starts_with(&format!("roster.csv:{line}: ")), "{text}");
                }
            }
        }
    }
    // Both kinds of answer were exercised.
    assert!(ok > 100 && errors > 100, "{ok} parsed, {errors} refused");
}

#[test]
fn a_name_with_a_terminal_escape_is_refused_by_line() {
    let e = err("student_id,name,host\ns1,A,vm1\ns2,\"x\x1b[2Jy\",vm2\n");
    assert_eq!(
        e,
        "roster.csv:3: the name `x\\u{1b}[2Jy` holds an invisible control character (U+001B), which would reach the terminal and the spreadsheets: retype the name"
    );
    assert!(parse_str("student_id,name,host\ns1,\"A\tB\",vm1\n").is_ok());
}

/// The LMS identifiers come through, and a wrong one is refused with
/// its line, in both languages.
#[test]
fn lms_identifiers_are_read_and_checked_by_line() {
    let head = "student_id,name,host,username,email,idnumber\n";
    let r = parse_str(&format!("{head}s1,A,vm1,ada,ada@example.edu,2026001\n")).unwrap();
    assert_eq!(r[0].lms.username.as_deref(), Some("ada"));
    assert_eq!(r[0].lms.email.as_deref(), Some("ada@example.edu"));
    assert_eq!(r[0].lms.idnumber.as_deref(), Some("2026001"));
    let bad = format!("{head}s1,A,vm1,ada,ada@example.edu,1\ns2,B,vm2,bob,bob.example.edu,2\n");
    assert_eq!(
        err(&bad),
        "roster.csv:3: email `bob.example.edu` cannot be matched by the LMS: it is not an email address (name@example.edu); write it exactly as the LMS has it"
    );
    assert_eq!(
        parse_str(&bad).unwrap_err().text(Lang::ZhCn),
        "roster.csv:3: email `bob.example.edu` 无法被 LMS 匹配：它不是电子邮件地址（例如 name@example.edu）；请按 LMS 中的写法原样填写"
    );
    let empty = format!("{head}s1,A,vm1,ada,ada@example.edu,1\n\ns2,B,vm2,,bob@example.edu,2\n");
    assert_eq!(
        err(&empty),
        "roster.csv:4: the `username` cell is empty; the roster has a username column, so fill it for every student (Moodle's import stops at the first row it cannot match), or remove the column"
    );
    assert!(parse_str(&empty)
        .unwrap_err()
        .text(Lang::ZhCn)
        .starts_with("roster.csv:4: `username` 单元格为空；"));
    assert_eq!(
        parse_str("student_id,name,host\ns1,A,vm1\n").unwrap()[0].lms,
        LmsIds::default()
    );
}
