//! Every interface word of the book, in both languages.

use crate::lang::Lang;
use std::collections::BTreeMap;

const WORDS: &[(&str, &str, &str)] = &[
    ("search", "Search the course…", "搜索课程……"),
    ("no_results", "No results", "没有结果"),
    ("previous", "Previous", "上一页"),
    ("next", "Next", "下一页"),
    ("contents", "Contents", "目录"),
    ("print", "Print", "打印"),
    ("theme", "Theme", "主题"),
    ("light", "Light", "浅色"),
    ("dark", "Dark", "深色"),
    ("copy", "Copy", "复制"),
    ("copied", "Copied", "已复制"),
    ("language", "Language", "语言"),
    ("check_your_work", "Check your work", "检查你的成果"),
    ("run_this", "When you are done, run", "完成后运行"),
    ("home", "Home", "首页"),
    ("unit", "Unit", "单元"),
    ("task", "Task", "任务"),
    ("menu", "Menu", "菜单"),
    ("on_this_page", "On this page", "本页内容"),
    ("step", "Step", "步骤"),
    ("type", "Type", "输入"),
    ("lab_checks", "lab checks", "lab 检查"),
    (
        "quiz_note",
        "This task has a quiz: run",
        "本任务包含测验：运行",
    ),
    ("skip_to_content", "Skip to content", "跳到正文"),
];

/// The words for one language, by key (the templates' `ui.*`).
pub fn words(lang: Lang) -> BTreeMap<&'static str, &'static str> {
    WORDS
        .iter()
        .map(|(k, en, zh)| (*k, lang.pick(en, zh)))
        .collect()
}

/// The name of a language in itself, for the switcher.
pub fn language_name(lang: Lang) -> &'static str {
    lang.pick("English", "简体中文")
}

/// Its short name, for the switcher on narrow screens.
pub fn language_short(lang: Lang) -> &'static str {
    lang.pick("EN", "中文")
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_word_exists_in_both_languages() {
        for (k, en, zh) in super::WORDS {
            assert!(!en.is_empty() && !zh.is_empty() && en != zh, "{k}");
        }
    }
}
