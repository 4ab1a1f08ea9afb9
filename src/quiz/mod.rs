//! `lab quiz TASK`: asks a task's questions in the terminal, explains each
//! wrong answer, and records the score in the journal, where the `quiz`
//! check finds it. `--answer ID=VALUE` answers without asking (scripts,
//! tests); without a terminal, answers are read one per line from stdin.

mod grade;

pub use grade::{grade, Verdict};

use crate::course::quiz::{Form, Question, Quiz};
use crate::course::{Task, Vars};
use crate::evidence::{Entry, Journal};
use crate::lang::Lang;
use crate::machine::Machine;
use crate::tr;
use std::collections::BTreeMap;
use std::io::{BufRead, Write};

/// How a quiz went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Score {
    pub right: usize,
    pub total: usize,
    pub pass: usize,
    /// Questions whose right answer the machine could not give.
    pub unknown: usize,
    /// The ids of the questions answered right, in the quiz's order: a step
    /// may ask for one of them (`quiz: { questions: [ports] }`).
    pub right_ids: Vec<String>,
}

impl Score {
    pub fn passed(&self) -> bool {
        self.right >= self.pass
    }
}

pub struct Session<'a, R: BufRead, W: Write> {
    pub machine: &'a Machine,
    pub vars: &'a Vars,
    pub lang: Lang,
    pub color: bool,
    pub answers: &'a BTreeMap<String, String>,
    /// Show what was read from `input` (it is not a terminal that echoes).
    pub echo: bool,
    pub input: R,
    pub out: W,
}

impl<R: BufRead, W: Write> Session<'_, R, W> {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    /// The learner's answer: given on the command line, else one line of input.
    fn answer(&mut self, id: &str) -> String {
        if let Some(a) = self.answers.get(id) {
            let _ = writeln!(self.out, "{a}");
            return a.clone();
        }
        let _ = self.out.flush();
        let mut line = String::new();
        match self.input.read_line(&mut line) {
            Ok(0) | Err(_) => {
                let _ = writeln!(self.out);
                String::new()
            }
            Ok(_) => {
                if self.echo {
                    let _ = writeln!(self.out, "{}", line.trim());
                }
                line.trim().to_string()
            }
        }
    }

    pub async fn ask(&mut self, task: &Task, quiz: &Quiz) -> Score {
        let lang = self.lang;
        let n = quiz.questions.len();
        let head = tr!(
            lang,
            "Quiz {}: {} ({} questions, {} right answers to pass)",
            "测验 {}：{}（共 {} 题，答对 {} 题即通过）",
            task.id,
            task.title.get(lang),
            n,
            quiz.pass
        );
        let _ = writeln!(self.out, "{}\n", self.paint("1", &head));
        let mut score = Score {
            right: 0,
            total: n,
            pass: quiz.pass,
            unknown: 0,
            right_ids: Vec::new(),
        };
        // Live questions whose answer this machine cannot give now (an image
        // not pulled, a daemon that does not answer) are said before any
        // question is asked: nobody answers five questions for nothing.
        let blocked = self.blocked(quiz, &mut score).await;
        if !blocked.is_empty() {
            self.say_blocked(task, n, &blocked);
            return score;
        }
        for (i, q) in quiz.questions.iter().enumerate() {
            let verdict = self.ask_one(q, i, n).await;
            self.tell(q, verdict, &mut score);
        }
        self.say_score(task, &score);
        score
    }

    /// The live questions this machine cannot answer now, each reason once
    /// (with the first question it blocks); each counted as unknown.
    async fn blocked(&self, quiz: &Quiz, score: &mut Score) -> Vec<(usize, String)> {
        let mut blocked: Vec<(usize, String)> = Vec::new();
        for (i, q) in quiz.questions.iter().enumerate() {
            let expand = |s: &str| self.vars.expand(s);
            if let Some(why) = grade::unanswerable(q, self.machine, &expand, self.lang).await {
                if !blocked.iter().any(|(_, w)| *w == why) {
                    blocked.push((i, why));
                }
                score.unknown += 1;
            }
        }
        blocked
    }

    fn say_blocked(&mut self, task: &Task, n: usize, blocked: &[(usize, String)]) {
        let lang = self.lang;
        for (i, why) in blocked {
            let line = tr!(
                lang,
                "! question {}/{} cannot be asked: {}",
                "! 第 {}/{} 题无法提问：{}",
                i + 1,
                n,
                why
            );
            let _ = writeln!(self.out, "{}", self.paint("33", &line));
        }
        let again = tr!(
            lang,
            "Nothing was asked: do that, then run `lab quiz {}` again.",
            "没有开始提问：请先按上面说的做，然后再次运行 `lab quiz {}`。",
            task.id
        );
        let _ = writeln!(self.out, "{again}");
    }

    /// Question `i` of `n`: its prompt and options, the learner's answer,
    /// graded.
    async fn ask_one(&mut self, q: &Question, i: usize, n: usize) -> Verdict {
        let lang = self.lang;
        let _ = writeln!(
            self.out,
            "{} {}",
            self.paint("1", &format!("{}/{n}", i + 1)),
            self.vars.expand(q.prompt.get(lang))
        );
        for o in &q.options {
            let text = self.vars.expand(o.text.get(lang));
            let _ = writeln!(self.out, "   {}) {text}", o.id);
        }
        let ask = match q.form() {
            Form::Single => lang.pick("Your answer (one letter): ", "你的答案（一个字母）："),
            Form::Multiple => lang.pick(
                "Your answer (every right letter, e.g. a c): ",
                "你的答案（所有正确的字母，例如 a c）：",
            ),
            Form::Short => lang.pick("Your answer: ", "你的答案："),
        };
        let _ = write!(self.out, "   {ask}");
        let given = self.answer(&q.id);
        let expand = |s: &str| self.vars.expand(s);
        grade(q, &given, self.machine, &expand, lang).await
    }

    /// Right, wrong (with the answer and why), or not checkable; counted.
    fn tell(&mut self, q: &Question, verdict: Verdict, score: &mut Score) {
        let lang = self.lang;
        match verdict {
            Verdict::Right => {
                score.right += 1;
                score.right_ids.push(q.id.clone());
                let _ = writeln!(
                    self.out,
                    "   {}\n",
                    self.paint("32", &format!("✔ {}", lang.pick("right", "正确")))
                );
            }
            Verdict::Wrong { right } => {
                let mut line = format!("✘ {}", lang.pick("not quite", "不对"));
                if !right.is_empty() {
                    line.push_str(&match q.form() {
                        Form::Short => {
                            tr!(lang, "; accepted: {}", "；可以接受的答案：{}", right)
                        }
                        _ => tr!(lang, ": the answer is {}", "：正确答案是 {}", right),
                    });
                }
                let _ = writeln!(self.out, "   {}", self.paint("31", &line));
                let _ = writeln!(
                    self.out,
                    "   {}{}\n",
                    self.paint("2", lang.pick("why: ", "原因：")),
                    self.vars.expand(q.explain.get(lang))
                );
            }
            Verdict::Unknown(why) => {
                score.unknown += 1;
                let line = tr!(
                    lang,
                    "! cannot check this answer: {}",
                    "! 无法判断这个答案：{}",
                    why
                );
                let _ = writeln!(self.out, "   {}\n", self.paint("33", &line));
            }
        }
    }

    fn say_score(&mut self, task: &Task, score: &Score) {
        let lang = self.lang;
        let verdict = if score.passed() {
            self.paint(
                "32",
                &tr!(
                    lang,
                    "passed: {}/{} (needed {})",
                    "通过：{}/{}（需要 {}）",
                    score.right,
                    score.total,
                    score.pass
                ),
            )
        } else {
            self.paint(
                "31",
                &tr!(
                    lang,
                    "not passed: {}/{} (needed {}); run `lab quiz {}` again",
                    "未通过：{}/{}（需要 {}）；请再次运行 `lab quiz {}`",
                    score.right,
                    score.total,
                    score.pass,
                    task.id
                ),
            )
        };
        let _ = writeln!(self.out, "{verdict}");
    }
}

/// Records a finished quiz; returns a warning if the journal could not be written.
pub fn record(journal: &Journal, task: &str, score: &Score) -> Result<(), String> {
    journal.append(&[Entry::Quiz {
        at: crate::clock::now(),
        task: task.to_string(),
        score: score.right as u32,
        max_score: score.total as u32,
        passed: score.passed(),
        right: score.right_ids.clone(),
    }])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::course::quiz::Quiz;

    fn quiz() -> Quiz {
        serde_yaml_ng::from_str(
            r#"
pass: 2
questions:
  - id: one
    prompt: { en: "Pick b", zh-CN: "选 b" }
    options: [ { id: a, text: { en: A, zh-CN: 甲 } }, { id: b, text: { en: B, zh-CN: 乙 } } ]
    answer: b
    explain: { en: "b is right", zh-CN: "b 对" }
  - id: two
    prompt: { en: "Pick a and b", zh-CN: "选 a 和 b" }
    options: [ { id: a, text: { en: A, zh-CN: 甲 } }, { id: b, text: { en: B, zh-CN: 乙 } } ]
    answer: [a, b]
    explain: { en: "both", zh-CN: "都选" }
  - id: three
    prompt: { en: "Name the runtime", zh-CN: "运行时叫什么" }
    pattern: '(?i)^\s*runc\s*$'
    accepted: { en: "runc", zh-CN: "runc" }
    explain: { en: "runc creates the processes", zh-CN: "runc 创建进程" }
"#,
        )
        .expect("quiz")
    }

    fn task() -> Task {
        serde_yaml_ng::from_str(
            "schema: 1\nid: t1\nunit: u1\ntitle: { en: T, zh-CN: T }\nlesson: t1.md\nsteps: []\n",
        )
        .expect("task")
    }

    fn take(input: &str, answers: &[(&str, &str)]) -> (Score, String) {
        take_quiz(&quiz(), input, answers)
    }

    fn take_quiz(quiz: &Quiz, input: &str, answers: &[(&str, &str)]) -> (Score, String) {
        let machine = Machine::local("unix:///nonexistent.sock".into(), 1);
        let vars = Vars::default();
        let answers: BTreeMap<String, String> = answers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut out = Vec::new();
        let mut s = Session {
            machine: &machine,
            vars: &vars,
            lang: Lang::En,
            color: false,
            answers: &answers,
            echo: true,
            input: input.as_bytes(),
            out: &mut out,
        };
        let rt = crate::run::runtime().expect("rt");
        let score = rt.block_on(s.ask(&task(), quiz));
        (score, String::from_utf8(out).expect("utf8"))
    }

    #[test]
    fn answers_from_input_and_flags_are_graded_and_wrong_ones_explained() {
        let (score, out) = take("B\nb, a\n", &[("three", "RunC")]);
        assert_eq!(
            score,
            Score {
                right: 3,
                total: 3,
                pass: 2,
                unknown: 0,
                right_ids: vec!["one".into(), "two".into(), "three".into()],
            }
        );
        assert!(out.contains("passed: 3/3"), "{out}");
        let (score, out) = take("a\nb\ncontainerd\n", &[]);
        assert_eq!(score.right, 0);
        assert!(
            out.contains("the answer is b) B") && out.contains("why: b is right"),
            "{out}"
        );
        assert!(out.contains("the answer is a) A; b) B"), "{out}");
        assert!(out.contains("why: runc creates the processes"), "{out}");
        assert!(out.contains("not passed: 0/3"), "{out}");
    }

    #[test]
    fn a_wrong_short_answer_shows_what_was_accepted_and_typing_slips_are_forgiven() {
        let (_, out) = take("b\na b\ncontainerd\n", &[]);
        assert!(out.contains("✘ not quite; accepted: runc"), "{out}");
        // Full-width letters, a closing 。 or ., spaces around.
        for typed in ["ＲＵＮＣ。", " runc. ", "　Runc　"] {
            let (score, out) = take("b\na b\n", &[("three", typed)]);
            assert_eq!(score.right, 3, "{typed:?}: {out}");
        }
        let (score, _) = take("ｂ。\nＡ，Ｂ\nrunc\n", &[]);
        assert_eq!(score.right, 3);
    }

    #[test]
    fn a_live_question_that_cannot_be_answered_here_is_said_before_anything_is_asked() {
        let quiz: Quiz = serde_yaml_ng::from_str(
            r#"
pass: 1
questions:
  - id: ports
    prompt: { en: "Which ports?", zh-CN: "哪些端口？" }
    options: [ { id: a, text: { en: 3306/tcp, zh-CN: 3306/tcp } } ]
    live: { image: "mysql:5.7", inspect: Config.ExposedPorts }
    explain: { en: "EXPOSE", zh-CN: "EXPOSE" }
"#,
        )
        .expect("quiz");
        let (score, out) = take_quiz(&quiz, "a\n", &[]);
        assert_eq!((score.right, score.unknown), (0, 1));
        assert!(out.contains("! question 1/1 cannot be asked"), "{out}");
        assert!(out.contains("Docker daemon"), "{out}");
        assert!(out.contains("run `lab quiz t1` again"), "{out}");
        assert!(!out.contains("Your answer"), "{out}");
    }

    #[test]
    fn running_out_of_input_counts_as_unanswered_not_a_hang() {
        let (score, _) = take("b\n", &[]);
        assert_eq!((score.right, score.passed()), (1, false));
    }
}
